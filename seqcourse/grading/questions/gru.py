"""Assignment ``05_gru``: a GRU step in the other update-gate convention, the parameter count of a
stack mixing both ``reset_after`` layouts, and a Keras model that learns the adding problem to a
tighter error than chapter 4's exercise asks.

The trusted references build on :mod:`seqcourse.reference`; the grader checks that submissions do
not call or copy it.
"""

from __future__ import annotations

import functools

import numpy as np

from seqcourse.grading.questions import _adding
from seqcourse.grading.spec import (
    Assignment,
    Case,
    FunctionQuestion,
    Mistake,
    ModelData,
    ModelQuestion,
    ValueQuestion,
    random_sizes,
)

# --- trusted references (the answer key, held by the grader) -------------------------------


def _flip_update_gate(kernel, recurrent_kernel, bias):
    """Negate the z block (the first H columns): sigma(-a) = 1 - sigma(a) swaps z and 1 - z."""
    units = recurrent_kernel.shape[0]
    flipped = []
    for weights in (kernel, recurrent_kernel, bias):
        weights = np.array(weights, dtype=np.float64)
        weights[..., :units] *= -1.0
        flipped.append(weights)
    return flipped


def gru_step_swapped(x_t, h_prev, kernel, recurrent_kernel, bias, *, swapped=True, after=False):
    """One GRU step with h_t = (1 - z_t) * h_{t-1} + z_t * h~_t (Chung et al.'s convention).

    x_t (B, D), h_prev (B, H); kernel (D, 3H), recurrent_kernel (H, 3H) and bias (3H,) hold the
    blocks z, r, h; the reset gate acts before the product, h~ = tanh(x W_h + (r * h) U_h + b_h).
    ``swapped=False`` gives Keras's convention and ``after=True`` the reset after the product
    (typical mistakes).
    """
    from seqcourse.reference import gru_step

    weights = (
        _flip_update_gate(kernel, recurrent_kernel, bias)
        if swapped
        else (
            kernel,
            recurrent_kernel,
            bias,
        )
    )
    if after:  # reset_after=True layout: the same bias on the input side, none on the recurrent
        input_bias = np.asarray(weights[2], dtype=np.float64)
        bias_rows = np.stack([input_bias, np.zeros_like(input_bias)])
        return gru_step(x_t, h_prev, weights[0], weights[1], bias_rows, reset_after=True)
    return gru_step(x_t, h_prev, *weights, reset_after=False)


def gru_parameters(inputs: int, units: int, bias_rows: int = 1, gates: int = 3) -> int:
    return gates * units * (inputs + units + bias_rows)


def stack_parameters(first_rows: int = 2, second_rows: int = 1, gates: int = 3) -> int:
    """Input (T, 5) -> GRU(24, return_sequences=True) -> GRU(12, reset_after=False) -> Dense(2)."""
    return (
        gru_parameters(5, 24, first_rows, gates)
        + gru_parameters(24, 12, second_rows, gates)
        + 12 * 2
        + 2
    )


@functools.cache
def adding_data(fast: bool) -> ModelData:
    """The adding problem with 20-40 steps in arrays 40 wide, scored on sequences of
    20-32 steps in arrays 32 wide (see :mod:`._adding`). Both modes use the same
    data: shorter sequences in fast mode left the trained models unable to read other widths."""
    del fast
    return _adding.adding_data(5000, 40, 32, seed=51)


# --- cases ---------------------------------------------------------------------------------


def _step_case(rng, batch, features, units):
    return Case(
        (
            rng.normal(size=(batch, features)),
            rng.uniform(-1, 1, size=(batch, units)),
            rng.normal(size=(features, 3 * units)) * 0.7,
            rng.normal(size=(units, 3 * units)) * 0.7,
            rng.normal(size=3 * units) * 0.3,
        )
    )


ASSIGNMENT = Assignment(
    "05_gru",
    (
        FunctionQuestion(
            "gru_step_swapped",
            3,
            "gru_step_swapped",
            "a GRU step with h_t = (1 - z_t) * h_{t-1} + z_t * h~_t, reset before U_h",
            gru_step_swapped,
            lambda: [_step_case(np.random.default_rng(51), 2, 3, 4)],
            lambda rng: [_step_case(rng, *s) for s in random_sizes(rng, 4, (1, 4), (1, 5), (1, 6))],
            mistakes=(
                Mistake(
                    "that is Keras's convention: here z_t = 1 takes the candidate, "
                    "h_t = (1 - z_t) * h_{t-1} + z_t * h~_t",
                    lambda *a: gru_step_swapped(*a, swapped=False),
                ),
                Mistake(
                    "the reset gate scales h_{t-1} before it is multiplied by U_h: "
                    "(r_t * h_{t-1}) U_h, not r_t * (h_{t-1} U_h)",
                    lambda *a: gru_step_swapped(*a, after=True),
                ),
            ),
        ),
        ValueQuestion(
            "gru_stack_parameters",
            2,
            "n_gru_parameters",
            "trainable parameters of GRU(24, seq) -> GRU(12, reset_after=False) -> Dense(2) "
            "on 5 features",
            stack_parameters,
            rtol=0,
            atol=0,
            mistakes=(
                Mistake(
                    "the second GRU has reset_after=False: one bias row (3H,), not two",
                    lambda: stack_parameters(second_rows=2),
                ),
                Mistake(
                    "the first GRU has Keras's default reset_after=True: its bias is (2, 3H)",
                    lambda: stack_parameters(first_rows=1),
                ),
                Mistake(
                    "that counts an LSTM's four blocks: a GRU has three (z, r, h)",
                    lambda: stack_parameters(gates=4),
                ),
            ),
        ),
        ModelQuestion(
            "gru_adding_model",
            3,
            "build_gru_adding_model",
            "a GRU model of the adding problem, any length: graded on sequences shorter than the "
            "training ones; MSE must remove 95 % of the best baseline's (predicting the mean, "
            "least squares on the window); partial credit from that baseline towards the mark",
            adding_data,
            lambda data: {"features": int(data.x_train.shape[2])},
            metric="mse",
            epochs=12,
            batch_size=64,
            budget=120.0,
            budget_fast=40.0,
            baselines=_adding.BASELINES,
            margin=0.95,
            partial=True,
            requires=("GRU",),
            technique="a GRU layer",
            other_length=True,
        ),
    ),
    cell_timeout=150.0,
    call_timeout=10.0,
)
