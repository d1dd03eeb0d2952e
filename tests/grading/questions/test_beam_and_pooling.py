"""The answer keys of the length-penalised beam step (``11_seq2seq``) and of the backward pass of
additive attention pooling (``12_attention``) are right: the beam step against the course's beam
step where the penalty cannot reorder, and against a brute-force ranking; the pooling gradients
against tf.GradientTape; and every typical mistake is caught by some case."""

import numpy as np
import pytest
import tensorflow as tf

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse.grading.questions import attention as att
from seqcourse.grading.questions import seq2seq as s2s
from seqcourse.inference.decoding import beam_search_step


def _differs(a, b):
    return any(
        np.asarray(x).shape != np.asarray(y).shape or not np.allclose(x, y, equal_nan=True)
        for x, y in zip(a, b, strict=True)
    )


def test_gnmt_beam_step_without_a_penalty_is_the_course_beam_step():
    for case in s2s.BEAM_STEP.cases():
        scores, lengths, finished, log_probs, end_id, _ = case.args
        new_scores, parents, tokens, new_lengths = s2s.gnmt_beam_step(
            scores, lengths, finished, log_probs, end_id, 0.0
        )
        expected = beam_search_step(scores, finished, log_probs, end_id)
        np.testing.assert_allclose(new_scores, expected[0])
        np.testing.assert_array_equal(parents, expected[1])
        np.testing.assert_array_equal(tokens, expected[2])
        grown = np.take_along_axis(np.where(finished, lengths, lengths + 1), parents, axis=1)
        np.testing.assert_array_equal(new_lengths, grown)


def test_gnmt_beam_step_keeps_the_best_normalised_candidates():
    rng = np.random.default_rng(5)
    for _ in range(20):
        scores, lengths, finished, log_probs, end_id, alpha = s2s._beam_case(rng, 2, 3, 6, 1.0).args
        new_scores, parents, tokens, new_lengths = s2s.gnmt_beam_step(
            scores, lengths, finished, log_probs, end_id, alpha
        )
        for b in range(2):
            candidates = []
            for k in range(3):
                if finished[b, k]:
                    candidates.append((scores[b, k], lengths[b, k], k, end_id))
                    continue
                for v in range(6):
                    candidates.append((scores[b, k] + log_probs[b, k, v], lengths[b, k] + 1, k, v))
            ranked = sorted(candidates, key=lambda c: -c[0] / ((5 + c[1]) / 6) ** alpha)[:3]
            assert [(c[2], c[3]) for c in ranked] == list(zip(parents[b], tokens[b], strict=True))
            np.testing.assert_allclose(new_scores[b], [c[0] for c in ranked])
            np.testing.assert_array_equal(new_lengths[b], [c[1] for c in ranked])


@pytest.mark.parametrize("question", [s2s.BEAM_STEP, att.POOL_BACKWARD], ids=lambda q: q.name)
def test_every_mistake_is_caught_by_some_case(question):
    cases = question.cases()
    for mistake in question.mistakes:
        assert any(
            _differs(question.reference(*c.args), mistake.produce(*c.args)) for c in cases
        ), mistake.hint


def test_additive_pool_backward_against_gradient_tape():
    for case in att.POOL_BACKWARD.cases():
        states, mask, kernel, bias, v, d_pooled = case.args
        tensors = [tf.constant(x) for x in (states, kernel, bias, v)]
        with tf.GradientTape() as tape:
            tape.watch(tensors)
            hidden = tf.tanh(tf.einsum("bth,ha->bta", tensors[0], tensors[1]) + tensors[2])
            scores = tf.einsum("bta,a->bt", hidden, tensors[3])
            alpha = tf.nn.softmax(tf.where(mask, scores, scores - 1e9), axis=1)
            pooled = tf.einsum("bt,bth->bh", alpha, tensors[0])
            loss = tf.reduce_sum(pooled * d_pooled)
        expected = tape.gradient(loss, tensors)
        ours = att.additive_pool_backward(*case.args)
        for got, want in zip(ours, expected, strict=True):
            np.testing.assert_allclose(got, want.numpy(), atol=1e-10)
        assert np.all(ours[0][~mask] == 0)  # padded steps get no gradient
