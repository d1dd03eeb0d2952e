"""Assignment ``04_lstm``: a coupled input-forget gate (CIFG) LSTM step, the gradient factor along
the cell state, the parameter count of a stacked LSTM, and a Keras model that learns the adding
problem.

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


def cifg_lstm_step(
    x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, *, coupled=True, squash=True
):
    """One step of an LSTM whose input gate is tied to the forget gate, i_t = 1 - f_t.

    x_t (B, D), h_prev and c_prev (B, H); kernel (D, 3H), recurrent_kernel (H, 3H) and bias (3H,)
    hold the blocks in the order f, c~, o. Returns (h_t, c_t), each (B, H). ``coupled`` and
    ``squash`` switch off parts of the cell to produce typical mistakes.
    """
    from seqcourse.reference import sigmoid

    z_f, z_c, z_o = np.split(x_t @ kernel + h_prev @ recurrent_kernel + bias, 3, axis=-1)
    forget, candidate, output = sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    write = 1.0 - forget if coupled else forget  # i_t = 1 - f_t
    c_t = forget * c_prev + write * candidate
    h_t = output * (np.tanh(c_t) if squash else c_t)
    return h_t, c_t


def cell_gradient_factors(forget_gates, *, include_own=False):
    """d c_{T-1} / d c_t along the direct path, for every step t: the product of f_s, s = t+1..T-1.

    forget_gates (B, T, H) -> (B, T, H); the last step's factor is 1. ``include_own`` multiplies
    f_t in too (an off-by-one mistake).
    """
    gates = np.asarray(forget_gates, dtype=np.float64)
    later = gates if include_own else np.concatenate([gates[:, 1:], np.ones_like(gates[:, :1])], 1)
    # Reverse cumulative product: factor_t = f_{t+1} f_{t+2} ... f_{T-1}
    return np.flip(np.cumprod(np.flip(later, axis=1), axis=1), axis=1)


def lstm_parameters(inputs: int, units: int, gates: int = 4) -> int:
    return gates * units * (inputs + units + 1)


def stack_parameters(gates: int = 4, second_input: int = 32) -> int:
    """Input (T, 6) -> LSTM(32, return_sequences=True) -> LSTM(16) -> Dense(3)."""
    return lstm_parameters(6, 32, gates) + lstm_parameters(second_input, 16, gates) + 16 * 3 + 3


@functools.cache
def adding_data(fast: bool) -> ModelData:
    """The adding problem with 25-50 steps in arrays 50 wide, scored on sequences of
    25-40 steps in arrays 40 wide (see :mod:`._adding`). Both modes use the same
    data: shorter sequences in fast mode left the trained models unable to read other widths."""
    del fast
    return _adding.adding_data(4000, 50, 40, seed=41)


# --- cases ---------------------------------------------------------------------------------


def _step_case(rng, batch, features, units):
    return Case(
        (
            rng.normal(size=(batch, features)),
            rng.normal(size=(batch, units)),
            rng.normal(size=(batch, units)),
            rng.normal(size=(features, 3 * units)) * 0.7,
            rng.normal(size=(units, 3 * units)) * 0.7,
            rng.normal(size=3 * units) * 0.3,
        )
    )


def _gates_case(rng, batch, steps, units):
    return Case((rng.uniform(0.5, 1.0, size=(batch, steps, units)),))


ASSIGNMENT = Assignment(
    "04_lstm",
    (
        FunctionQuestion(
            "cifg_lstm_step",
            3,
            "cifg_lstm_step",
            "one step of an LSTM with coupled input and forget gates, i_t = 1 - f_t",
            cifg_lstm_step,
            lambda: [_step_case(np.random.default_rng(41), 2, 3, 4)],
            lambda rng: [_step_case(rng, *s) for s in random_sizes(rng, 4, (1, 4), (1, 5), (1, 6))],
            mistakes=(
                Mistake(
                    "the input gate equals the forget gate: couple it, i_t = 1 - f_t",
                    lambda *a: cifg_lstm_step(*a, coupled=False),
                ),
                Mistake(
                    "h_t = o_t * tanh(c_t): the cell state is squashed before the output gate",
                    lambda *a: cifg_lstm_step(*a, squash=False),
                ),
            ),
        ),
        FunctionQuestion(
            "cell_gradient",
            2,
            "cell_gradient_factors",
            "d c_{T-1} / d c_t along the cell state: products of later forget gates",
            cell_gradient_factors,
            lambda: [_gates_case(np.random.default_rng(43), 2, 5, 3)],
            lambda rng: [
                _gates_case(rng, *s) for s in random_sizes(rng, 4, (1, 3), (1, 8), (1, 5))
            ],
            rtol=1e-9,
            atol=1e-12,
            mistakes=(
                Mistake(
                    "f_t itself is included: c_t reaches c_{t+1} through f_{t+1}, not f_t",
                    lambda f: cell_gradient_factors(f, include_own=True),
                ),
                Mistake(
                    "the products run forwards in time: multiply the gates *after* step t",
                    lambda f: np.cumprod(np.asarray(f, dtype=np.float64), axis=1),
                ),
            ),
        ),
        ValueQuestion(
            "lstm_stack_parameters",
            1,
            "n_lstm_parameters",
            "trainable parameters of LSTM(32, seq) -> LSTM(16) -> Dense(3) on 6 features",
            stack_parameters,
            rtol=0,
            atol=0,
            mistakes=(
                Mistake(
                    "that counts one block per layer: an LSTM has four (i, f, c~, o)",
                    lambda: stack_parameters(gates=1),
                ),
                Mistake(
                    "the second LSTM reads the first one's 32 outputs, not the 6 input features",
                    lambda: stack_parameters(second_input=6),
                ),
            ),
        ),
        ModelQuestion(
            "adding_model",
            3,
            "build_adding_model",
            "a LSTM model of the adding problem, any length: graded on sequences shorter than the "
            "training ones; MSE must remove 90 % of the best baseline's (predicting the mean, "
            "least squares on the window); partial credit from that baseline towards the mark",
            adding_data,
            lambda data: {"features": int(data.x_train.shape[2])},
            metric="mse",
            epochs=20,
            batch_size=64,
            budget=90.0,
            budget_fast=40.0,
            baselines=_adding.BASELINES,
            margin=0.9,
            partial=True,
            requires=("LSTM",),
            technique="an LSTM layer",
            other_length=True,
        ),
    ),
    cell_timeout=120.0,
    call_timeout=10.0,
)
