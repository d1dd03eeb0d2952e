"""Assignment ``07_regularisation``: a simple RNN with variational recurrent dropout, one gradient-
descent step with an L2 penalty in Keras's convention, and a forecaster of Seattle's next-day
maximum temperature that must not over-fit.

The trusted references build on :mod:`seqcourse.reference`; the grader checks that submissions do
not call or copy it.
"""

from __future__ import annotations

import functools

import numpy as np

from seqcourse.grading.questions import _baselines
from seqcourse.grading.spec import (
    Assignment,
    Baseline,
    Case,
    FunctionQuestion,
    Mistake,
    ModelData,
    ModelQuestion,
    ValueQuestion,
    random_sizes,
)

WINDOW = 14
FEATURES = ("temp_max", "temp_min", "precipitation", "wind")

# --- trusted references (the answer key, held by the grader) -------------------------------


def rnn_recurrent_dropout(x, kernel, recurrent_kernel, bias, mask, *, where="state"):
    """h_t = tanh(x_t W + (h_{t-1} * mask) U + b) with ONE mask (B, H) for every step.

    x (B, T, D), kernel (D, H), recurrent_kernel (H, H), bias (H,), mask (B, H) already scaled
    (values 0 or 1 / (1 - p)); returns the outputs (B, T, H), h_0 = 0. ``where`` produces typical
    mistakes: "output" masks h_t itself, "none" ignores the mask.
    """
    from seqcourse.reference import simple_rnn_step

    x = np.asarray(x, dtype=np.float64)
    h = np.zeros((x.shape[0], recurrent_kernel.shape[0]))
    outputs = []
    for t in range(x.shape[1]):
        fed_back = h * mask if where == "state" else h
        h = simple_rnn_step(x[:, t], fed_back, kernel, recurrent_kernel, bias)
        if where == "output":
            h = h * mask
        outputs.append(h)
    return np.stack(outputs, axis=1)


def sgd_l2_step(weights, grads, learning_rate, l2, *, factor=2.0, sign=-1.0):
    """One step w <- w - eta (dL/dw + 2 l2 w) for every array; the penalty is l2 * sum(w^2)."""
    return [
        np.asarray(w, dtype=np.float64)
        + sign * learning_rate * (np.asarray(g) + factor * l2 * np.asarray(w))
        for w, g in zip(weights, grads, strict=True)
    ]


def decay_factor(steps: int = 100, learning_rate: float = 0.05, l2: float = 1e-3, factor=2.0):
    """What a weight with zero data gradient is multiplied by after ``steps`` SGD steps with L2."""
    return float((1.0 - factor * learning_rate * l2) ** steps)


@functools.cache
def weather_windows(fast: bool) -> ModelData:
    """Seattle weather, 14 days of 4 features -> next temp_max, scaled with training statistics.

    Split by time (first half train, last quarter held out). Fast mode uses the same data: the
    point of the question is over-fitting, which needs all of it.
    """
    from seqcourse.data import (
        SeriesScaler,
        chronological_split,
        load_seattle_weather,
        make_windows,
    )

    del fast
    frame = load_seattle_weather()[list(FEATURES)].to_numpy(np.float64)
    train, _, test = chronological_split(frame, 0.5, 0.25)
    scaler = SeriesScaler().fit(train)

    def windows(part):
        return make_windows(scaler.transform(part).astype(np.float32), WINDOW, target=0)

    (x_train, y_train), (x_test, y_test) = windows(train), windows(test)
    return ModelData(x_train, y_train, x_test, y_test)


# --- cases ---------------------------------------------------------------------------------


def _dropout_case(rng, batch, steps, features, units):
    rate = float(rng.choice([0.25, 0.5]))
    mask = (rng.random((batch, units)) >= rate) / (1.0 - rate)
    return Case(
        (
            rng.normal(size=(batch, steps, features)),
            rng.normal(size=(features, units)) * 0.6,
            rng.normal(size=(units, units)) * 0.6,
            rng.normal(size=units) * 0.2,
            mask,
        )
    )


def _step_case(rng, arrays):
    shapes = [
        tuple(int(n) for n in rng.integers(1, 5, size=rng.integers(1, 3))) for _ in range(arrays)
    ]
    return Case(
        (
            [rng.normal(size=s) for s in shapes],
            [rng.normal(size=s) for s in shapes],
            float(rng.uniform(0.01, 0.5)),
            float(rng.uniform(1e-3, 0.1)),
        )
    )


ASSIGNMENT = Assignment(
    "07_regularisation",
    (
        FunctionQuestion(
            "recurrent_dropout_rnn",
            3,
            "rnn_recurrent_dropout",
            "a tanh RNN whose fed-back state is multiplied by one mask (B, H) at every step",
            rnn_recurrent_dropout,
            lambda: [_dropout_case(np.random.default_rng(71), 2, 5, 3, 4)],
            lambda rng: [
                _dropout_case(rng, *s) for s in random_sizes(rng, 4, (1, 4), (1, 8), (1, 4), (1, 6))
            ],
            mistakes=(
                Mistake(
                    "the mask multiplies h_t itself: it belongs on the copy of h_{t-1} fed back "
                    "into the step, h_t = tanh(x_t W + (h_{t-1} * mask) U + b)",
                    lambda *a: rnn_recurrent_dropout(*a, where="output"),
                ),
                Mistake(
                    "the mask is not used: multiply h_{t-1} by it before the recurrent product",
                    lambda *a: rnn_recurrent_dropout(*a, where="none"),
                ),
            ),
        ),
        FunctionQuestion(
            "sgd_l2_step",
            2,
            "sgd_l2_step",
            "one gradient-descent step on loss + l2 * sum(w^2), for a list of weight arrays",
            sgd_l2_step,
            lambda: [_step_case(np.random.default_rng(72), 2)],
            lambda rng: [_step_case(rng, int(rng.integers(1, 4))) for _ in range(4)],
            mistakes=(
                Mistake(
                    "the derivative of l2 * w^2 is 2 * l2 * w (Keras's L2 has no factor 1/2)",
                    lambda *a: sgd_l2_step(*a, factor=1.0),
                ),
                Mistake(
                    "gradient descent subtracts: w <- w - eta * dL/dw",
                    lambda *a: sgd_l2_step(*a, sign=1.0),
                ),
            ),
        ),
        ValueQuestion(
            "weight_decay_factor",
            1,
            "decay_after_100",
            "the factor a weight with zero data gradient shrinks by in 100 SGD steps, "
            "learning rate 0.05, L2(0.001)",
            decay_factor,
            rtol=1e-9,
            atol=0,
            mistakes=(
                Mistake(
                    "Keras's L2 penalty is l2 * w^2, whose derivative is 2 * l2 * w",
                    lambda: decay_factor(factor=1.0),
                ),
                Mistake(
                    "that is one step: the factor multiplies once per step, so raise it to "
                    "the power 100",
                    lambda: decay_factor(steps=1),
                ),
            ),
        ),
        ModelQuestion(
            "regularised_forecaster",
            3,
            "build_forecaster",
            "the chapter's GRU(128) forecaster of tomorrow's maximum temperature, regularised: "
            "after 30 epochs its held-out MSE must be 10 % below that of the same model trained "
            "without its regularisation (the grader trains both), and no worse than persistence's "
            "and least squares' on the window",
            weather_windows,
            lambda data: {"window": WINDOW, "features": len(FEATURES)},
            metric="mse",
            epochs=30,
            batch_size=32,
            budget=75.0,
            budget_fast=40.0,
            baselines=(
                Baseline("persistence", _baselines.persistence, margin=0.0),
                Baseline("least squares on the window", _baselines.least_squares(), margin=0.0),
            ),
            margin=0.1,
            requires=("GRU",),
            technique="the chapter's GRU layer",
            twin=True,
        ),
    ),
    cell_timeout=240.0,
    call_timeout=10.0,
)
