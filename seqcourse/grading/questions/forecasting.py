"""Assignment ``08_forecasting``: the MASE against an in-sample seasonal-naive scale, a recursive
multi-step forecast with an autoregressive one-step rule, the MASE of persistence on the
electricity test period, and a recurrent one-step forecaster of the scaled demand.

The chapter forecasts with a window of demand and a weekly-naive correction; these questions ask
for variants (a scaled error, a recursive loop, a persistence score, a plain one-step model).
"""

from __future__ import annotations

import numpy as np

from seqcourse.grading.questions._series import (
    DAY,
    demand_series,
    forecaster_question,
    split_lengths,
)
from seqcourse.grading.spec import (
    Assignment,
    Case,
    FunctionQuestion,
    Mistake,
    ValueQuestion,
)

WEEK = 336  # half-hours in a week (DAY, 48, comes with the series)

# --- trusted references (the answer key, held by the grader) -------------------------------


def _in_sample_scale(history, season):
    """Mean |history[t] - history[t - season]| over t = season .. T-1: the seasonal-naive MAE."""
    history = np.asarray(history, dtype=np.float64)
    return float(np.mean(np.abs(history[season:] - history[:-season])))


def mase(y_true, y_pred, history, season):
    """Mean absolute scaled error of forecasts ``y_pred`` of ``y_true`` (same shape, any).

    MASE = mean |y_true - y_pred| / mean_{t >= season} |history[t] - history[t - season]|: the
    forecast's MAE divided by the in-sample MAE of the seasonal-naive forecast on the training
    series ``history`` (T,) (Hyndman & Koehler 2006). Below 1: better than that baseline was
    in sample.
    """
    error = np.mean(np.abs(np.asarray(y_true, np.float64) - np.asarray(y_pred, np.float64)))
    return float(error / _in_sample_scale(history, season))


def recursive_ar_forecast(history, coef, intercept, horizon, *, feed_back=True, reverse=False):
    """Forecast ``horizon`` steps by feeding each one-step forecast back in: (B, W) -> (B, H).

    The one-step rule is ``y_hat[t+1] = intercept + sum_k coef[k] * y[t - k]`` for
    k = 0 .. p-1: ``coef[0]`` multiplies the most recent value. Each forecast is appended to the
    window and becomes the most recent value of the next step. ``feed_back`` and ``reverse`` switch
    parts off to produce typical mistakes.
    """
    window = np.asarray(history, dtype=np.float64).copy()
    coef = np.asarray(coef, dtype=np.float64)
    weights = coef if reverse else coef[::-1]  # aligned with window[:, -p:], oldest first
    p = len(coef)
    forecasts = []
    for _ in range(horizon):
        step = intercept + window[:, -p:] @ weights  # (B,)
        forecasts.append(step)
        if feed_back:
            window = np.concatenate([window, step[:, None]], axis=1)
    return np.stack(forecasts, axis=1)


def persistence_mase(scale_season: int = WEEK, scale_part: str = "train", scaled=True) -> float:
    """MASE of the one-step persistence forecast y_hat[t] = y[t-1] over the test period.

    The test period is the last 15 % of the chronological 70/15/15 split; its first forecast uses
    the last validation value. The scale is the in-sample weekly seasonal-naive MAE on the training
    period. The arguments produce typical mistakes.
    """
    y = demand_series()
    n_train, n_val = split_lengths()
    start = n_train + n_val
    error = float(np.mean(np.abs(y[start:] - y[start - 1 : -1])))
    if not scaled:
        return error
    history = y[:n_train] if scale_part == "train" else y[start:]
    return error / _in_sample_scale(history, scale_season)


# --- cases ---------------------------------------------------------------------------------


def _mase_case(rng):
    season = int(rng.integers(1, 8))
    length = season + int(rng.integers(2, 40))
    history = rng.normal(size=length).cumsum()
    shape = (int(rng.integers(1, 5)), int(rng.integers(1, 6)))
    truth = rng.normal(size=shape)
    return Case((truth, truth + rng.normal(0, 0.5, size=shape), history, season))


def _ar_case(rng):
    batch, p = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    width = p + int(rng.integers(0, 6))
    coef = rng.uniform(-0.6, 0.6, size=p)
    return Case(
        (rng.normal(size=(batch, width)), coef, float(rng.normal()), int(rng.integers(2, 7)))
    )


ASSIGNMENT = Assignment(
    "08_forecasting",
    (
        FunctionQuestion(
            "mase",
            3,
            "mase",
            "mean absolute scaled error against the in-sample seasonal-naive MAE",
            mase,
            lambda: [
                Case(
                    (
                        np.array([10.0, 12.0, 11.0]),
                        np.array([11.0, 12.0, 9.0]),
                        np.array([1.0, 3.0, 2.0, 5.0, 4.0, 4.0]),
                        2,
                    ),
                    label="hand-made, season 2",
                ),
                _mase_case(np.random.default_rng(81)),
            ],
            lambda rng: [_mase_case(rng) for _ in range(6)],
            rtol=1e-9,
            atol=1e-12,
            mistakes=(
                Mistake(
                    "the scale is the *seasonal*-naive error: history[t] - history[t - season]",
                    lambda yt, yp, h, s: mase(yt, yp, h, 1),
                ),
                Mistake(
                    "MASE is the forecast's MAE divided by the scale, not the scale divided by it",
                    lambda yt, yp, h, s: 1.0 / mase(yt, yp, h, s),
                ),
                Mistake(
                    "the scale is a mean absolute error, not a root mean squared one",
                    lambda yt, yp, h, s: float(
                        np.mean(np.abs(yt - yp))
                        / np.sqrt(np.mean((np.asarray(h)[s:] - np.asarray(h)[:-s]) ** 2))
                    ),
                ),
            ),
        ),
        FunctionQuestion(
            "recursive_ar",
            3,
            "recursive_ar_forecast",
            "a recursive multi-step forecast driven by an autoregressive one-step rule",
            recursive_ar_forecast,
            lambda: [
                Case(
                    (np.array([[1.0, 2.0, 3.0]]), np.array([0.5, 0.25]), 1.0, 3),
                    label="one window, p=2, H=3",
                ),
                _ar_case(np.random.default_rng(82)),
            ],
            lambda rng: [_ar_case(rng) for _ in range(6)],
            rtol=1e-9,
            atol=1e-12,
            mistakes=(
                Mistake(
                    "feed each forecast back in: step h must use the forecasts of steps < h",
                    lambda x, c, b, h: recursive_ar_forecast(x, c, b, h, feed_back=False),
                ),
                Mistake(
                    "coef[0] multiplies the most recent value, not the oldest of the last p",
                    lambda x, c, b, h: recursive_ar_forecast(x, c, b, h, reverse=True),
                ),
            ),
        ),
        ValueQuestion(
            "persistence_mase",
            2,
            "persistence_mase",
            "MASE of one-step persistence on the test period, scaled by the training period's "
            "weekly seasonal-naive MAE",
            persistence_mase,
            rtol=1e-6,
            atol=1e-9,
            mistakes=(
                Mistake(
                    "that scale uses the daily season (48): the question asks for the weekly (336)",
                    lambda: persistence_mase(scale_season=DAY),
                ),
                Mistake(
                    "the scale is in-sample: compute it on the training period, not the test one",
                    lambda: persistence_mase(scale_part="test"),
                ),
                Mistake(
                    "that is the MAE in MW: divide it by the in-sample scale",
                    lambda: persistence_mase(scaled=False),
                ),
            ),
        ),
        forecaster_question(
            "demand_forecaster",
            3,
            "build_demand_forecaster",
            "a gated recurrent (LSTM or GRU) forecaster of the scaled demand a day ahead (the "
            "same half-hour tomorrow), scored on windows of two days: its test MAE must be 15 % "
            "below the best baseline's (the same half-hour today, least squares on the last "
            "day), with partial credit in between",
            margin=0.15,
            budget=40.0,
            budget_fast=20.0,
            eval_window=2 * DAY,
            horizon=DAY,
            partial=True,
            requires=("LSTM", "GRU"),
            technique="a gated recurrent layer (LSTM or GRU)",
        ),
    ),
    cell_timeout=120.0,
    call_timeout=10.0,
)
