"""Synthetic sequence tasks with known answers, for the theory chapters (seeded, NumPy only)."""

import numpy as np


def _check_positive(**values) -> None:
    for name, value in values.items():
        if not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")


def adding_problem(n: int, T: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter & Schmidhuber 1997): add the two marked numbers.

    Returns ``X`` of shape ``(n, T, 2)`` float32 and ``y`` of shape ``(n,)`` float32. Channel 0
    holds numbers drawn uniformly from [0, 1); channel 1 marks exactly two steps with 1, one in the
    first half (``t < T // 2``) and one in the second, so the model must remember a value across
    up to ``T - 1`` steps. ``y`` is the sum of the two marked numbers. Predicting the constant 1
    gives a mean squared error of 1/6 (the variance of a sum of two uniforms): the baseline to beat.

    Chapters 4 and 5 use it; exercises 4 and 5 use it.
    """
    _check_positive(n=n, T=T)
    if T < 2:
        raise ValueError(f"T must be at least 2 (one marker per half); got {T}")
    rng = np.random.default_rng(seed)
    values = rng.random((n, T), dtype=np.float32)
    first = rng.integers(0, T // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    markers = np.zeros((n, T), dtype=np.float32)
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    targets = values[rows, first] + values[rows, second]
    return np.stack([values, markers], axis=-1), targets.astype(np.float32)


def noisy_sines(
    n: int,
    T: int,
    seed: int = 0,
    n_components: int = 3,
    noise: float = 0.1,
    periods: tuple[float, float] = (8.0, 64.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Mixtures of sines plus Gaussian noise; the clean mixture is the known answer.

    Each of the ``n`` series sums ``n_components`` sines with periods drawn uniformly from
    ``periods`` (in steps), amplitudes from [0.5, 1) and phases from [0, 2 pi), divided by
    ``n_components``; ``noise`` is the standard deviation of the added white noise. Returns
    ``(noisy, clean)``, both float32 of shape ``(n, T)``: denoise, or forecast ``clean`` from past
    ``noisy`` values (the best possible mean squared error of a one-step forecast is ``noise**2``).

    Chapter 6 uses it.
    """
    _check_positive(n=n, T=T, n_components=n_components)
    if noise < 0 or not 0 < periods[0] <= periods[1]:
        raise ValueError(
            f"need noise >= 0 and 0 < periods[0] <= periods[1]; got {noise}, {periods}"
        )
    rng = np.random.default_rng(seed)
    period = rng.uniform(*periods, size=(n, n_components, 1))
    amplitude = rng.uniform(0.5, 1.0, size=(n, n_components, 1))
    phase = rng.uniform(0.0, 2 * np.pi, size=(n, n_components, 1))
    t = np.arange(T)[None, None, :]
    clean = (amplitude * np.sin(2 * np.pi * t / period + phase)).sum(axis=1) / n_components
    noisy = clean + noise * rng.standard_normal(clean.shape)
    return noisy.astype(np.float32), clean.astype(np.float32)
