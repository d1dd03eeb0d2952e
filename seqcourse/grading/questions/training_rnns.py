"""Assignment ``03_training_rnns``: BPTT for a many-to-many regressor (every parameter, the output
layer included), clipping a list of gradients by their global norm, and the transient growth of
``||U^k||`` for a recurrent matrix whose spectral radius is below 1.

The trusted references build on :mod:`seqcourse.reference`; the grader checks that submissions do
not call or copy it.
"""

from __future__ import annotations

import numpy as np

from seqcourse.grading.spec import (
    Assignment,
    Case,
    FunctionQuestion,
    Mistake,
    ValueQuestion,
    random_sizes,
)

# --- trusted references (the answer key, held by the grader) -------------------------------


def many_to_many_gradients(
    x, y, kernel, recurrent_kernel, bias, output_kernel, output_bias, *, last_only=False
):
    """Gradients of L = mean((h_t V + c - y_t)^2) over all B*T*K entries of a tanh RNN.

    x (B, T, D), y (B, T, K), W (D, H), U (H, H), b (H,), V (H, K), c (K,); returns the tuple
    (dW, dU, db, dV, dc). ``last_only`` keeps only the last step's gradient on its way into the
    recurrent layer (a typical mistake, used for feedback).
    """
    from seqcourse.reference import simple_rnn_backward, simple_rnn_forward

    outputs, _, cache = simple_rnn_forward(x, kernel, recurrent_kernel, bias, return_cache=True)
    predictions = outputs @ output_kernel + output_bias  # (B, T, K)
    d_predictions = 2.0 * (predictions - y) / predictions.size  # dL/dy_hat
    d_output_kernel = np.einsum("bth,btk->hk", outputs, d_predictions)  # sum_t h_t^T dy_t
    d_output_bias = d_predictions.sum(axis=(0, 1))
    d_outputs = d_predictions @ output_kernel.T  # (B, T, H): dL/dh_t from the output layer
    if last_only:
        d_outputs[:, :-1] = 0.0
    grads = simple_rnn_backward(x, kernel, recurrent_kernel, bias, d_outputs, cache=cache)
    return (
        grads["kernel"],
        grads["recurrent_kernel"],
        grads["bias"],
        d_output_kernel,
        d_output_bias,
    )


def _no_backprop_through_time(x, y, kernel, recurrent_kernel, bias, output_kernel, output_bias):
    """The mistake of stopping the gradient after one step: dh_{t-1} never receives dh_t."""
    from seqcourse.reference import simple_rnn_backward, simple_rnn_forward

    batch, steps, _ = x.shape
    state = np.zeros((batch, kernel.shape[1]))
    total = [np.zeros_like(a) for a in (kernel, recurrent_kernel, bias)]
    count = y.size
    outputs, _ = simple_rnn_forward(x, kernel, recurrent_kernel, bias)
    for t in range(steps):
        d_pred = 2.0 * (outputs[:, t : t + 1] @ output_kernel + output_bias - y[:, t : t + 1])
        d_out = (d_pred / count) @ output_kernel.T
        grads = simple_rnn_backward(
            x[:, t : t + 1], kernel, recurrent_kernel, bias, d_out, h0=state
        )
        for i, key in enumerate(("kernel", "recurrent_kernel", "bias")):
            total[i] += grads[key]
        state = outputs[:, t]
    full = many_to_many_gradients(x, y, kernel, recurrent_kernel, bias, output_kernel, output_bias)
    return (*total, full[3], full[4])


def clip_by_global_norm(grads, max_norm):
    """Scale every array by min(1, max_norm / sqrt(sum of all squared entries)); a list back."""
    from seqcourse.reference.regularisation import clip_by_global_norm as clip

    return clip([np.asarray(g, dtype=np.float64) for g in grads], max_norm)[0]


def _clip_each(grads, max_norm):
    from seqcourse.reference.regularisation import clip_by_norm

    return clip_by_norm([np.asarray(g, dtype=np.float64) for g in grads], max_norm)


def _clip_values(grads, max_norm):
    from seqcourse.reference.regularisation import clip_by_value

    return clip_by_value([np.asarray(g, dtype=np.float64) for g in grads], max_norm)


TRANSIENT_U = np.array([[0.9, 2.0], [0.0, 0.8]])  # rho(U) = 0.9, sigma_1(U) about 2.3
MAX_LAG = 100


def largest_power_norm(matrix=TRANSIENT_U, lags=MAX_LAG, norm=2) -> float:
    """max over k = 1..lags of ||U^k|| (spectral norm by default)."""
    power = np.eye(matrix.shape[0])
    best = 0.0
    for _ in range(lags):
        power = power @ matrix
        best = max(best, float(np.linalg.norm(power, norm)))
    return best


# --- cases ---------------------------------------------------------------------------------


def _bptt_case(rng, batch, steps, features, units, outputs):
    return Case(
        (
            rng.normal(size=(batch, steps, features)),
            rng.normal(size=(batch, steps, outputs)),
            rng.normal(size=(features, units)) * 0.5,
            rng.normal(size=(units, units)) * 0.5,
            rng.normal(size=units) * 0.1,
            rng.normal(size=(units, outputs)) * 0.5,
            rng.normal(size=outputs) * 0.1,
        )
    )


def _clip_case(rng, shapes, max_norm):
    return Case(([rng.normal(size=shape) * 3.0 for shape in shapes], max_norm))


def _random_shapes(rng):
    return [
        tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3))))
        for _ in range(int(rng.integers(2, 5)))
    ]


def _no_output_grads(*args):
    d_w, d_u, d_b, d_v, d_c = many_to_many_gradients(*args)
    return d_w, d_u, d_b, np.zeros_like(d_v), np.zeros_like(d_c)


def _summed_loss(x, y, *weights):
    return tuple(g * y.size for g in many_to_many_gradients(x, y, *weights))


ASSIGNMENT = Assignment(
    "03_training_rnns",
    (
        FunctionQuestion(
            "bptt_many_to_many",
            4,
            "many_to_many_gradients",
            "BPTT of a many-to-many regressor: (dW, dU, db, dV, dc)",
            many_to_many_gradients,
            lambda: [_bptt_case(np.random.default_rng(31), 2, 4, 3, 3, 2)],
            lambda rng: [
                _bptt_case(rng, *s)
                for s in random_sizes(rng, 4, (1, 3), (1, 6), (1, 3), (2, 5), (1, 3))
            ],
            rtol=1e-6,
            atol=1e-9,
            mistakes=(
                Mistake("dV and dc are missing: the output layer learns too", _no_output_grads),
                Mistake(
                    "only the last step's error reaches the recurrent layer: every y_t is in L",
                    lambda *a: many_to_many_gradients(*a, last_only=True),
                ),
                Mistake("that is the gradient of the sum: L is a mean over B*T*K", _summed_loss),
                Mistake(
                    "the gradient stops after one step: pass dL/dh_{t-1} = da_t U^T back in time",
                    _no_backprop_through_time,
                ),
            ),
        ),
        FunctionQuestion(
            "clip_global_norm",
            2,
            "clip_by_global_norm",
            "clip a list of gradients by their global norm",
            clip_by_global_norm,
            lambda: [
                _clip_case(np.random.default_rng(32), [(3, 2), (2,)], 1.0),
                Case(([np.array([0.3, -0.4]), np.array([[0.0]])], 1.0), label="already small"),
            ],
            lambda rng: [
                _clip_case(rng, _random_shapes(rng), float(rng.uniform(0.5, 20.0)))
                for _ in range(5)
            ],
            rtol=1e-9,
            atol=1e-12,
            mistakes=(
                Mistake(
                    "each array was clipped by its own norm (clipnorm), not by the global norm",
                    _clip_each,
                ),
                Mistake("that clips each entry (clipvalue), changing the direction", _clip_values),
            ),
        ),
        ValueQuestion(
            "transient_growth",
            2,
            "largest_gain",
            "max over k = 1..100 of the spectral norm of U^k, for U = [[0.9, 2], [0, 0.8]]",
            largest_power_norm,
            rtol=1e-6,
            atol=1e-9,
            mistakes=(
                Mistake(
                    "that is the spectral radius: it governs large k, not the transient",
                    lambda: float(np.max(np.abs(np.linalg.eigvals(TRANSIENT_U)))),
                ),
                Mistake(
                    "that is ||U|| for k = 1 only: powers can grow larger first",
                    lambda: float(np.linalg.norm(TRANSIENT_U, 2)),
                ),
                Mistake(
                    "that uses the Frobenius norm: use the spectral norm, np.linalg.norm(A, 2)",
                    lambda: largest_power_norm(norm="fro"),
                ),
            ),
        ),
    ),
    cell_timeout=60.0,
    call_timeout=10.0,
)
