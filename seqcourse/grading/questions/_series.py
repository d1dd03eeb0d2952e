"""Data of the forecasting questions: scaled windows of the hourly San Francisco temperatures.

The series is split by time (70 % train, 15 % validation, 15 % test), standardised with the training
split's mean and standard deviation only, and cut into one-step windows within each split. Models
train on the training windows and are scored on the test windows, whose targets stay in the grader.
"""

from __future__ import annotations

import functools

import numpy as np

from seqcourse.grading.spec import ModelData, ModelQuestion

WINDOW = 24


@functools.cache
def sf_series() -> np.ndarray:
    """The hourly temperatures (°F), shape (T,), float64."""
    from seqcourse.data import load_sf_temperatures

    return load_sf_temperatures()["temperature"].to_numpy(np.float64)


@functools.cache
def sf_windows(fast: bool) -> ModelData:
    """Scaled 24-hour windows -> next hour: ``x`` (N, 24, 1) float32, ``y`` (N, 1) float32.

    Fast mode keeps every third training window (still real data, a third of the work).
    """
    from seqcourse.data import chronological_split, make_windows

    train, val, test = chronological_split(sf_series(), 0.7, 0.15)
    mean, std = train.mean(), train.std()

    def windows(part):
        x, y = make_windows(((part - mean) / std).astype(np.float32), WINDOW)
        return x, y

    x_train, y_train = windows(train)
    x_test, y_test = windows(test)
    stride = 3 if fast else 1
    return ModelData(x_train[::stride], y_train[::stride], x_test, y_test)


def window_kwargs(data: ModelData) -> dict:
    return {"window": int(data.x_train.shape[1])}


def forecaster_question(
    name: str, points: float, target: str, summary: str, threshold: float, budget: float
) -> ModelQuestion:
    """A model question on these windows: 10 epochs of batch 32, scaled MSE <= ``threshold``."""
    return ModelQuestion(
        name,
        points,
        target,
        summary,
        sf_windows,
        window_kwargs,
        metric="mse",
        threshold=threshold,
        epochs=10,
        batch_size=32,
        budget=budget,
        budget_fast=8.0,
    )
