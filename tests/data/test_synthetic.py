"""Adding problem, copy task and noisy sines: shapes, known answers, seeding."""

import numpy as np
import pytest

from seqcourse.data import adding_problem, noisy_sines


def test_adding_problem_target_is_the_sum_of_the_two_marked_values():
    X, y = adding_problem(500, T=30, seed=3)
    assert X.shape == (500, 30, 2) and y.shape == (500,) and X.dtype == y.dtype == np.float32
    markers = X[..., 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :15].sum(axis=1) == 1)  # one marker in each half
    np.testing.assert_allclose((X[..., 0] * markers).sum(axis=1), y, rtol=1e-6)
    # the baseline of always predicting 1: MSE close to 1/6
    assert abs(np.mean((y - 1.0) ** 2) - 1 / 6) < 0.03
    np.testing.assert_array_equal(adding_problem(500, 30, seed=3)[1], y)
    assert not np.array_equal(adding_problem(500, 30, seed=4)[1], y)


def test_noisy_sines_noise_has_the_requested_spread():
    noisy, clean = noisy_sines(200, T=128, seed=0, noise=0.2)
    assert noisy.shape == clean.shape == (200, 128) and noisy.dtype == np.float32
    assert abs(np.std(noisy - clean) - 0.2) < 0.01
    assert np.max(np.abs(clean)) <= 1.0
    silent, same = noisy_sines(3, T=16, noise=0.0)
    np.testing.assert_array_equal(silent, same)
    # each clean series is periodic with periods in (8, 64): its spectrum peaks off zero frequency
    spectrum = np.abs(np.fft.rfft(clean, axis=1))
    assert np.all(np.argmax(spectrum, axis=1) >= 1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: adding_problem(0, 10), "n must be a positive integer"),
        (lambda: adding_problem(5, 1), "T must be at least 2"),
        (lambda: noisy_sines(5, 10, noise=-1), "noise >= 0"),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
