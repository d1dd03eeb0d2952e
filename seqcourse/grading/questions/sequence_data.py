"""Assignment ``01_sequence_data``: windows with a gap, a seasonal-naive forecast, its error on the
validation split, and a linear forecaster that must beat persistence by a wide margin."""

from __future__ import annotations

import numpy as np

from seqcourse.grading.questions._series import forecaster_question, sf_series
from seqcourse.grading.spec import (
    Assignment,
    Case,
    FunctionQuestion,
    Mistake,
    ValueQuestion,
)

# --- trusted references (the answer key, held by the grader) -------------------------------


def gap_windows(series, window, gap, horizon):
    """Inputs ``series[s : s+window]`` -> targets ``series[s+window+gap : s+window+gap+horizon]``.

    Returns ``X`` (N, window, 1) and ``y`` (N, horizon) with N = T - window - gap - horizon + 1.
    """
    series = np.asarray(series, dtype=np.float64)
    count = len(series) - window - gap - horizon + 1
    starts = np.arange(count)[:, None]
    x = series[starts + np.arange(window)][..., None]
    y = series[starts + window + gap + np.arange(horizon)]
    return x, y


def seasonal_naive(windows, season, horizon):
    """Forecast step k after a window (N, W, 1) by the value one season earlier: (N, horizon)."""
    windows = np.asarray(windows, dtype=np.float64)
    width = windows.shape[1]
    return windows[:, width - season + np.arange(horizon), 0]


def seasonal_mae_on_validation() -> float:
    """MAE (°F) of the 24-hour seasonal-naive forecast of the next hour, on 48-hour validation
    windows of the chronological 70/15/15 split of the SF temperatures."""
    from seqcourse.data import chronological_split, make_windows

    _, val, _ = chronological_split(sf_series(), 0.7, 0.15)
    x, y = make_windows(np.asarray(val, dtype=np.float64), 48)
    return float(np.mean(np.abs(seasonal_naive(x, 24, 1) - y)))


def _mae_of(part_index: int, window: int, season: int) -> float:
    from seqcourse.data import chronological_split, make_windows

    part = chronological_split(sf_series(), 0.7, 0.15)[part_index]
    x, y = make_windows(np.asarray(part, dtype=np.float64), window)
    return float(np.mean(np.abs(seasonal_naive(x, season, 1) - y)))


# --- cases ---------------------------------------------------------------------------------


def _gap_public():
    return [Case((np.arange(10.0), 3, 2, 2), label="arange(10), window=3, gap=2, horizon=2")]


def _gap_hidden(rng):
    cases = []
    for _ in range(4):
        window, gap, horizon = (
            int(rng.integers(1, 7)),
            int(rng.integers(0, 6)),
            int(rng.integers(1, 4)),
        )
        length = window + gap + horizon + int(rng.integers(0, 30))
        cases.append(Case((rng.normal(size=length), window, gap, horizon)))
    return cases


def _seasonal_public():
    return [Case((np.arange(12.0).reshape(2, 6, 1), 3, 2), label="two windows of 6, season=3")]


def _seasonal_hidden(rng):
    cases = []
    for _ in range(4):
        width = int(rng.integers(4, 30))
        season = int(rng.integers(1, width + 1))
        horizon = int(rng.integers(1, season + 1))
        cases.append(Case((rng.normal(size=(int(rng.integers(1, 6)), width, 1)), season, horizon)))
    return cases


ASSIGNMENT = Assignment(
    "01_sequence_data",
    (
        FunctionQuestion(
            "gap_windows",
            3,
            "gap_windows",
            "windows whose target starts `gap` steps after the input ends",
            gap_windows,
            _gap_public,
            _gap_hidden,
            mistakes=(
                Mistake(
                    "the gap is ignored: the target must start `gap` steps after the window",
                    lambda s, w, g, h: gap_windows(s, w, 0, h),
                ),
                Mistake(
                    "X needs a trailing feature axis: shape (N, window, 1)",
                    lambda s, w, g, h: (
                        gap_windows(s, w, g, h)[0][..., 0],
                        gap_windows(s, w, g, h)[1],
                    ),
                ),
                Mistake(
                    "one window too few: N = T - window - gap - horizon + 1",
                    lambda s, w, g, h: tuple(a[:-1] for a in gap_windows(s, w, g, h)),
                ),
            ),
        ),
        FunctionQuestion(
            "seasonal_naive",
            3,
            "seasonal_naive",
            "forecast each future step by the value one season earlier",
            seasonal_naive,
            _seasonal_public,
            _seasonal_hidden,
            mistakes=(
                Mistake(
                    "that is the naive (last value) forecast, not the seasonal one",
                    lambda x, s, h: np.repeat(x[:, -1, :], h, axis=1),
                ),
                Mistake(
                    "off by one: step k after the window is season - k steps back from its end",
                    lambda x, s, h: x[:, x.shape[1] - s - 1 + np.arange(h), 0],
                ),
            ),
        ),
        ValueQuestion(
            "seasonal_mae",
            2,
            "seasonal_mae",
            "MAE of the seasonal-naive forecast on the validation windows (°F)",
            seasonal_mae_on_validation,
            rtol=1e-6,
            atol=1e-6,
            mistakes=(
                Mistake(
                    "that is the test split's error: use the validation split",
                    lambda: _mae_of(2, 48, 24),
                ),
                Mistake(
                    "that is the training split's error: use the validation split",
                    lambda: _mae_of(0, 48, 24),
                ),
                Mistake("that is the naive (season 1) forecast's error", lambda: _mae_of(1, 48, 1)),
            ),
        ),
        forecaster_question(
            "linear_forecaster",
            2,
            "build_linear_forecaster",
            "a linear model of the last day of half-hourly electricity demand -> the next "
            "half-hour: its test MAE must match least squares on the same windows (the best "
            "linear fit by squared error) and be 50 % below the better naive forecast's",
            margin=0.5,
            budget=30.0,
        ),
    ),
    cell_timeout=120.0,
    call_timeout=10.0,
)
