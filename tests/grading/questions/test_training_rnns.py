"""The answer key of ``03_training_rnns`` is right: gradients against centred differences,
clipping against ``tf.clip_by_global_norm``, and every typical mistake distinguishable."""

import numpy as np
import pytest
import tensorflow as tf

from seqcourse.grading.questions import training_rnns as q
from seqcourse.reference import numerical_gradient, rel_error, simple_rnn_forward


def _loss(x, y, w, u, b, v, c):
    outputs, _ = simple_rnn_forward(x, w, u, b)
    return float(np.mean((outputs @ v + c - y) ** 2))


@pytest.mark.parametrize("sizes", [(2, 5, 3, 4, 2), (1, 1, 1, 1, 1), (3, 7, 2, 3, 3)])
def test_many_to_many_gradients_match_centred_differences(sizes):
    args = q._bptt_case(np.random.default_rng(sum(sizes)), *sizes).args
    x, y, *params = args
    grads = q.many_to_many_gradients(*args)
    for param, grad in zip(params, grads, strict=True):
        numeric = numerical_gradient(lambda _: _loss(x, y, *params), param)
        assert rel_error(grad, numeric) < 1e-7


def test_every_bptt_mistake_differs_from_the_answer():
    args = q._bptt_case(np.random.default_rng(0), 2, 4, 2, 3, 2).args
    right = q.many_to_many_gradients(*args)
    for mistake in q.ASSIGNMENT.question("bptt_many_to_many").mistakes:
        wrong = mistake.produce(*args)
        assert max(rel_error(a, b) for a, b in zip(right, wrong, strict=True)) > 1e-3, mistake.hint


def test_clip_by_global_norm_matches_tensorflow():
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=(3, 2)) * 5, rng.normal(size=4), rng.normal(size=(1,))]
    expected, _ = tf.clip_by_global_norm([tf.constant(g) for g in grads], 2.0)
    got = q.clip_by_global_norm(grads, 2.0)
    for e, g in zip(expected, got, strict=True):
        np.testing.assert_allclose(g, e.numpy(), rtol=1e-12)
    small = [np.array([0.1, 0.2])]
    np.testing.assert_array_equal(q.clip_by_global_norm(small, 1.0)[0], small[0])


def test_transient_growth_exceeds_both_the_radius_and_the_first_norm():
    gain = q.largest_power_norm()
    assert np.max(np.abs(np.linalg.eigvals(q.TRANSIENT_U))) < 1 < np.linalg.norm(q.TRANSIENT_U, 2)
    assert gain > 2 * np.linalg.norm(q.TRANSIENT_U, 2)
    powers = [np.linalg.norm(np.linalg.matrix_power(q.TRANSIENT_U, k), 2) for k in range(1, 101)]
    assert gain == pytest.approx(max(powers), rel=1e-12)
