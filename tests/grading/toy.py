"""Two small assignments the grading tests use, independent of the course's notebooks.

``toy_numpy``: three NumPy functions and a value (no TensorFlow in the sandbox).
``toy_keras``: a Keras model trained in the sandbox on a deterministic signal, plus one function.
"""

import inspect

import numpy as np

from seqcourse.grading.registry import register
from seqcourse.grading.spec import (
    Assignment,
    Case,
    FunctionQuestion,
    Mistake,
    ModelData,
    ModelQuestion,
    ValueQuestion,
)


def affine(x, w, b):
    return x @ w + b


def cumulative(x):
    return np.cumsum(x, axis=-1)


def rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)


def _affine_public():
    return [Case((np.ones((2, 3)), np.arange(12.0).reshape(3, 4), np.array([1.0, 2, 3, 4])))]


def _affine_hidden(rng):
    return [Case((rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)))]


def _step_cases(rng, count):
    cases = []
    for _ in range(count):
        b, d, h = rng.integers(1, 4), rng.integers(1, 5), rng.integers(2, 6)
        cases.append(
            Case(
                (
                    rng.normal(size=(b, d)),
                    rng.normal(size=(b, h)),
                    rng.normal(size=(d, h)),
                    rng.normal(size=(h, h)),
                    rng.normal(size=h),
                )
            )
        )
    return cases


TOY_NUMPY = register(
    Assignment(
        "toy_numpy",
        (
            FunctionQuestion(
                "toy_affine",
                2,
                "affine",
                "x @ w + b",
                affine,
                _affine_public,
                _affine_hidden,
                mistakes=(Mistake("forgot the bias b", lambda x, w, b: x @ w),),
            ),
            FunctionQuestion(
                "toy_cumsum",
                1,
                "cumulative",
                "running sum over the last axis",
                cumulative,
                lambda: [Case((np.arange(6.0).reshape(2, 3),))],
                lambda rng: [Case((rng.normal(size=(3, 7)),))],
            ),
            ValueQuestion("toy_mean", 1, "answer", "mean of squares of 0..9", lambda: 28.5),
            FunctionQuestion(
                "toy_rnn_step",
                1,
                "rnn_step",
                "one tanh RNN step",
                rnn_step,
                lambda: _step_cases(np.random.default_rng(1), 1),
                lambda rng: _step_cases(rng, 2),
                mistakes=(
                    Mistake(
                        "the previous state h_prev is missing",
                        lambda x, h, w, u, b: np.tanh(x @ w + b),
                    ),
                ),
            ),
        ),
        cell_timeout=3.0,
        call_timeout=2.0,
    )
)


def _signal_data(fast: bool) -> ModelData:
    """Windows of a noiseless sum of two sines; the target is the next value."""
    t = np.arange(1200 if fast else 3000, dtype=np.float32)
    series = np.sin(2 * np.pi * t / 50) + 0.5 * np.sin(2 * np.pi * t / 13)
    window = 16
    x = np.stack([series[i : i + window] for i in range(len(series) - window)])[..., None]
    y = series[window:][:, None]
    split = int(0.8 * len(x))
    return ModelData(x[:split], y[:split], x[split:], y[split:])


TOY_KERAS = register(
    Assignment(
        "toy_keras",
        (
            ModelQuestion(
                "toy_forecaster",
                2,
                "build_forecaster",
                "a recurrent model forecasting the next value of a two-sine signal",
                _signal_data,
                lambda data: {"window": int(data.x_train.shape[1])},
                metric="mse",
                threshold=0.05,
                epochs=30,
                batch_size=32,
                budget=20.0,
                budget_fast=8.0,
            ),
            FunctionQuestion(
                "toy_keras_affine",
                1,
                "affine",
                "x @ w + b",
                affine,
                _affine_public,
                _affine_hidden,
            ),
        ),
        cell_timeout=30.0,
        call_timeout=5.0,
    )
)

# An honest submission: the reference functions themselves, written out as notebook code.
HONEST_NUMPY = "\n\n".join(
    [
        "import numpy as np\nfrom seqcourse.grading import check\n",
        *(inspect.getsource(f) for f in (affine, cumulative, rnn_step)),
        'answer = float(np.mean(np.arange(10) ** 2))\ncheck("toy_affine")\n',
    ]
)

HONEST_KERAS = """\
import keras
import numpy as np


def build_forecaster(window):
    model = keras.Sequential(
        [keras.Input((window, 1)), keras.layers.SimpleRNN(16), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def affine(x, w, b):
    return x @ w + b
"""


def myst(*cells: str) -> str:
    """A MyST-Markdown notebook with these code cells."""
    header = (
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
    )
    body = "\n".join(f"```{{code-cell}} ipython3\n{c.rstrip()}\n```\n" for c in cells)
    return header + body
