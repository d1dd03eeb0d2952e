"""Data of the adding-problem model questions (04_lstm, 05_gru): sequences of several lengths,
padded at the front with zero steps, scored on arrays narrower than the training ones.

Training sequences have ``steps // 2`` to ``steps`` real steps, preceded by zero steps (value 0,
no marker, so they add nothing) up to ``steps``; the held-out ones have ``steps // 2`` to
``eval_steps`` real steps in arrays ``eval_steps`` wide (``eval_steps < steps``). A recurrent
model reads any width and has seen every such sequence shape in training; a model that flattens
the ``steps``-wide window cannot take the narrower arrays at all.
"""

from __future__ import annotations

import numpy as np

from seqcourse.grading.questions import _baselines
from seqcourse.grading.spec import Baseline, ModelData

# The adding problem's trivial models: the mean sum, and least squares on the window's steps.
BASELINES = (
    Baseline("the training mean", _baselines.training_mean),
    Baseline("least squares on the window", _baselines.least_squares()),
)


def padded_adding(count: int, shortest: int, longest: int, width: int, seed: int):
    """``count`` adding problems of ``shortest..longest`` real steps, front-padded to ``width``:
    ``x (count, width, 2)`` float32, ``y (count, 1)`` float32."""
    from seqcourse.data import adding_problem

    rng = np.random.default_rng(seed)
    lengths = rng.integers(shortest, longest + 1, size=count)
    x = np.zeros((count, width, 2), dtype=np.float32)
    y = np.zeros((count, 1), dtype=np.float32)
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        inputs, targets = adding_problem(len(rows), int(length), seed=seed * 1000 + int(length))
        x[rows, width - length :] = inputs
        y[rows, 0] = targets
    return x, y


def adding_data(count: int, steps: int, eval_steps: int, seed: int) -> ModelData:
    """Training data of ``steps`` width (seed ``seed``) and 1,000 held-out sequences of
    ``eval_steps`` width (seed ``seed + 1``), both with at least ``steps // 2`` real steps."""
    x_train, y_train = padded_adding(count, steps // 2, steps, steps, seed)
    x_eval, y_eval = padded_adding(1000, steps // 2, eval_steps, eval_steps, seed + 1)
    return ModelData(x_train, y_train, x_eval, y_eval)
