"""Assignment ``02_rnn_from_scratch``: the forward pass in the column-vector convention, a
leaky-ReLU step, a many-to-many network with its output layer, the worked example over two
steps, a parameter count, and a Keras SimpleRNN forecaster of real temperatures.

The trusted references build on :mod:`seqcourse.reference` (Keras's row layout); the grader checks
that submissions do not call or copy it.
"""

from __future__ import annotations

import numpy as np

from seqcourse.grading.questions._series import DAY, forecaster_question
from seqcourse.grading.spec import (
    Assignment,
    Case,
    FunctionQuestion,
    Mistake,
    ValueQuestion,
    random_sizes,
)

# --- trusted references (the answer key, held by the grader) -------------------------------


def forward_columns(x, w, u, b):
    """h_t = tanh(W x_t + U h_{t-1} + b) with W (H, D), U (H, H), b (H,), x (T, D) -> (T, H)."""
    from seqcourse.reference import simple_rnn_forward

    # The column convention is the row convention with transposed weights: (W x)^T = x^T W^T.
    outputs, _ = simple_rnn_forward(x[None], w.T, u.T, b)
    return outputs[0]


def leaky_step(x_t, h_prev, kernel, recurrent_kernel, bias, alpha):
    """h_t = leaky_relu(x_t W + h_{t-1} U + b), slope ``alpha`` below zero; (B, D) -> (B, H)."""
    pre_activation = x_t @ kernel + h_prev @ recurrent_kernel + bias
    return np.where(pre_activation > 0, pre_activation, alpha * pre_activation)


def many_to_many(x, kernel, recurrent_kernel, bias, output_kernel, output_bias):
    """y_t = h_t V + c at every step: x (B, T, D) -> y (B, T, K)."""
    from seqcourse.reference import simple_rnn_forward

    outputs, _ = simple_rnn_forward(x, kernel, recurrent_kernel, bias)
    return outputs @ output_kernel + output_bias


WORKED_INPUTS = (0.5, -0.3)


def worked_two_steps(recurrent_scale: float = 0.1, inputs=WORKED_INPUTS) -> float:
    """The lecture's 8-unit example (W_x = 0.1..0.8, b = 0.1, W_y = 0.05, b_y = 0.1) run over two
    steps with U = ``recurrent_scale`` * I and h_0 = 0; the prediction after the last step."""
    w_x = np.arange(1, 9) / 10.0
    h = np.zeros(8)
    for x in inputs:
        h = np.tanh(w_x * x + recurrent_scale * h + 0.1)
    return float(0.05 * h.sum() + 0.1)


def rnn_parameters(inputs: int, units: int, recurrent: bool = True, biases: bool = True) -> int:
    return inputs * units + (units * units if recurrent else 0) + (units if biases else 0)


def stack_parameters(recurrent: bool = True, biases: bool = True) -> int:
    """Input (T, 3) -> SimpleRNN(16, return_sequences=True) -> SimpleRNN(8) -> Dense(2)."""
    dense = 8 * 2 + (2 if biases else 0)
    return (
        rnn_parameters(3, 16, recurrent, biases) + rnn_parameters(16, 8, recurrent, biases) + dense
    )


# --- cases ---------------------------------------------------------------------------------


def _column_case(rng, steps, features, units):
    return Case(
        (
            rng.normal(size=(steps, features)),
            rng.normal(size=(units, features)) * 0.5,
            rng.normal(size=(units, units)) * 0.5,
            rng.normal(size=units),
        )
    )


def _step_case(rng, batch, features, units, alpha):
    return Case(
        (
            rng.normal(size=(batch, features)),
            rng.normal(size=(batch, units)),
            rng.normal(size=(features, units)),
            rng.normal(size=(units, units)),
            rng.normal(size=units),
            alpha,
        )
    )


def _sequence_case(rng, batch, steps, features, units, outputs):
    return Case(
        (
            rng.normal(size=(batch, steps, features)),
            rng.normal(size=(features, units)) * 0.5,
            rng.normal(size=(units, units)) * 0.5,
            rng.normal(size=units),
            rng.normal(size=(units, outputs)),
            rng.normal(size=outputs),
        )
    )


ASSIGNMENT = Assignment(
    "02_rnn_from_scratch",
    (
        FunctionQuestion(
            "rnn_columns",
            3,
            "rnn_forward_columns",
            "the forward pass with column vectors: W (H, D), U (H, H)",
            forward_columns,
            lambda: [_column_case(np.random.default_rng(2), 4, 3, 2)],
            lambda rng: [
                _column_case(rng, *s) for s in random_sizes(rng, 4, (1, 6), (1, 4), (2, 5))
            ],
            mistakes=(
                Mistake(
                    "the bias b is missing", lambda x, w, u, b: forward_columns(x, w, u, 0 * b)
                ),
                Mistake(
                    "the previous state is missing: h_t depends on U h_{t-1}",
                    lambda x, w, u, b: np.tanh(x @ w.T + b),
                ),
                Mistake(
                    "U is transposed: in the column convention it multiplies h_{t-1} from the left",
                    lambda x, w, u, b: forward_columns(x, w, u.T, b),
                ),
            ),
        ),
        FunctionQuestion(
            "leaky_rnn_step",
            2,
            "leaky_rnn_step",
            "one step with a leaky-ReLU activation (Keras weight layout)",
            leaky_step,
            lambda: [_step_case(np.random.default_rng(3), 2, 3, 4, 0.1)],
            lambda rng: [
                _step_case(rng, *s, float(rng.uniform(0.01, 0.3)))
                for s in random_sizes(rng, 4, (1, 4), (1, 5), (2, 6))
            ],
            mistakes=(
                Mistake(
                    "that is a plain ReLU: use alpha below zero", lambda *a: leaky_step(*a[:5], 0.0)
                ),
                Mistake(
                    "that is tanh, not leaky ReLU",
                    lambda x, h, w, u, b, alpha: np.tanh(x @ w + h @ u + b),
                ),
                Mistake(
                    "the previous state is missing",
                    lambda x, h, w, u, b, alpha: leaky_step(x, 0 * h, w, u, b, alpha),
                ),
                Mistake(
                    "the bias b is missing",
                    lambda x, h, w, u, b, alpha: leaky_step(x, h, w, u, 0 * b, alpha),
                ),
            ),
        ),
        FunctionQuestion(
            "many_to_many",
            3,
            "rnn_many_to_many",
            "a many-to-many network: y_t = h_t V + c at every step",
            many_to_many,
            lambda: [_sequence_case(np.random.default_rng(4), 2, 5, 3, 4, 2)],
            lambda rng: [
                _sequence_case(rng, *s)
                for s in random_sizes(rng, 4, (1, 3), (1, 6), (1, 4), (2, 5), (1, 3))
            ],
            mistakes=(
                Mistake(
                    "the output bias c is missing",
                    lambda x, w, u, b, v, c: many_to_many(x, w, u, b, v, 0 * c),
                ),
                Mistake(
                    "the previous state is missing",
                    lambda x, w, u, b, v, c: np.tanh(x @ w + b) @ v + c,
                ),
            ),
        ),
        ValueQuestion(
            "worked_two_steps",
            1,
            "prediction_two_steps",
            "the lecture's worked example over the inputs 0.5 then -0.3",
            worked_two_steps,
            rtol=1e-6,
            atol=1e-8,
            mistakes=(
                Mistake(
                    "the first step's state never reached the second: use U",
                    lambda: worked_two_steps(0.0),
                ),
                Mistake(
                    "that is the prediction after the first step only",
                    lambda: worked_two_steps(0.1, (0.5,)),
                ),
            ),
        ),
        ValueQuestion(
            "stack_parameters",
            1,
            "n_parameters",
            "trainable parameters of SimpleRNN(16, seq) -> SimpleRNN(8) -> Dense(2) on 3 features",
            stack_parameters,
            rtol=0,
            atol=0,
            mistakes=(
                Mistake(
                    "the recurrent matrices U (H x H) are missing", lambda: stack_parameters(False)
                ),
                Mistake("the biases are missing", lambda: stack_parameters(True, False)),
            ),
        ),
        forecaster_question(
            "rnn_forecaster",
            2,
            "build_rnn_forecaster",
            "a SimpleRNN forecaster of the electricity demand a day ahead (the same half-hour "
            "tomorrow), scored on windows of two days: its test MAE must be 15 % below the best "
            "baseline's (the same half-hour today, least squares on the last day), with partial "
            "credit in between",
            margin=0.15,
            budget=40.0,
            budget_fast=12.0,
            eval_window=2 * DAY,
            horizon=DAY,
            partial=True,
            requires=("SimpleRNN",),
            technique="a SimpleRNN layer",
        ),
    ),
    cell_timeout=120.0,
    call_timeout=10.0,
)
