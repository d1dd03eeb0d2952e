"""A simple (Elman) recurrent network from scratch: one step, a whole sequence, and BPTT.

The weights are in Keras's layout, so ``keras.layers.SimpleRNN(H).get_weights()`` plugs straight in:

* ``kernel`` (D, H): input-to-hidden weights W;
* ``recurrent_kernel`` (H, H): hidden-to-hidden weights U;
* ``bias`` (H,): b.

Inputs are batch-major: ``x`` has shape (B, T, D) for B sequences of T steps of D features, and the
hidden state has shape (B, H). Every function is vectorised over the batch; only time is a loop.
"""

import numpy as np

from seqcourse.reference import _validate
from seqcourse.reference.dense import dense_backward, dense_forward
from seqcourse.reference.numerics import (
    ACTIVATIONS,
    activation_derivative,
    mean_squared_error,
    mean_squared_error_backward,
)


def simple_rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias, activation="tanh"):
    """One step of a simple RNN: h_t = f(x_t W + h_{t-1} U + b).

    Args:
        x_t: the inputs at step t, shape (B, D).
        h_prev: the previous hidden state h_{t-1}, shape (B, H).
        kernel: W, shape (D, H).
        recurrent_kernel: U, shape (H, H).
        bias: b, shape (H,).
        activation: f, one of "tanh" (Keras's default), "relu", "sigmoid", "linear".

    Returns:
        h_t, shape (B, H).

    Chapter 2 shows it.
    """
    x_t, h_prev, kernel, recurrent_kernel, bias = _validate.recurrent_step_inputs(
        "SimpleRNN", x_t, h_prev, kernel, recurrent_kernel, bias
    )
    f = ACTIVATIONS[_validate.activation_name(activation)]
    # h_t = f(x_t W + h_{t-1} U + b)
    return f(x_t @ kernel + h_prev @ recurrent_kernel + bias)


def simple_rnn_forward(
    x, kernel, recurrent_kernel, bias, h0=None, mask=None, activation="tanh", return_cache=False
):
    """Run a simple RNN over whole sequences, as ``keras.layers.SimpleRNN`` does.

    Masking follows Keras: where ``mask[b, t]`` is False, step t of sequence b is skipped. The state
    is carried over unchanged, and the output at that step repeats the previous step's output (zeros
    if no step of that sequence has run yet, even when ``h0`` is given: Keras starts its outputs at
    zero, not at ``h0``).

    Args:
        x: inputs, shape (B, T, D).
        kernel: W, shape (D, H).
        recurrent_kernel: U, shape (H, H).
        bias: b, shape (H,).
        h0: initial state, shape (B, H); zeros if None.
        mask: booleans, shape (B, T), True for real steps; all True if None.
        activation: "tanh" (default), "relu", "sigmoid" or "linear".
        return_cache: if True, also return what ``simple_rnn_backward`` needs from this pass.

    Returns:
        ``(outputs, h_T)``: the output at every step, shape (B, T, H) (Keras
        ``return_sequences=True``), and the final state, shape (B, H) (Keras ``return_state=True``).
        With ``return_cache=True``, ``(outputs, h_T, cache)``, where ``cache["h_prev"]`` (B, T, H)
        holds the state each step read.

    Chapter 2 shows it; chapter 3 uses it.
    """
    x, kernel, recurrent_kernel, bias, mask, units = _validate.recurrent_inputs(
        "SimpleRNN", x, kernel, recurrent_kernel, bias, mask
    )
    batch, steps, _ = x.shape
    dtype = _validate.float_dtype(x, kernel, recurrent_kernel, bias)
    h = _validate.state("h0", h0, batch, units, dtype)
    output = np.zeros((batch, units), dtype=dtype)  # what a masked first step emits
    outputs = np.zeros((batch, steps, units), dtype=dtype)
    h_prev = np.zeros((batch, steps, units), dtype=dtype)
    for t in range(steps):
        h_prev[:, t] = h
        h_new = simple_rnn_step(x[:, t], h, kernel, recurrent_kernel, bias, activation)
        keep = mask[:, t, None]  # (B, 1): True where step t is real
        h = np.where(keep, h_new, h)  # a masked step carries the state over...
        output = np.where(keep, h_new, output)  # ...and repeats the previous output
        outputs[:, t] = output
    if return_cache:
        return outputs, h, {"h_prev": h_prev}
    return outputs, h


def simple_rnn_backward(
    x,
    kernel,
    recurrent_kernel,
    bias,
    d_outputs,
    h0=None,
    mask=None,
    activation="tanh",
    d_h_T=None,
    cache=None,
):
    """Backpropagation through time for ``simple_rnn_forward``.

    Given the gradient of a loss L with respect to the outputs (and the final state), return the
    gradient of L with respect to every input of the forward pass.

    Args:
        x, kernel, recurrent_kernel, bias, h0, mask, activation: the forward pass's arguments.
        d_outputs: dL/d outputs, shape (B, T, H). Zeros at the steps the loss does not read (for a
            many-to-one model, everything but ``d_outputs[:, -1]``).
        d_h_T: dL/d h_T, shape (B, H); zeros if None.
        cache: the third value of ``simple_rnn_forward(..., return_cache=True)`` for the same
            arguments; if None the forward pass is run again here.

    Returns:
        A dict of gradients, each the shape of its argument: ``"x"`` (B, T, D), ``"kernel"`` (D, H),
        ``"recurrent_kernel"`` (H, H), ``"bias"`` (H,) and ``"h0"`` (B, H).

    Chapter 3 shows it.
    """
    x, kernel, recurrent_kernel, bias, mask, units = _validate.recurrent_inputs(
        "SimpleRNN", x, kernel, recurrent_kernel, bias, mask
    )
    batch, steps, _ = x.shape
    dtype = _validate.float_dtype(x, kernel, recurrent_kernel, bias)
    d_outputs = _validate.upstream_gradient(
        "d_outputs", d_outputs, ("B", "T", "H"), (batch, steps, units), dtype
    )
    d_h = _validate.upstream_gradient("d_h_T", d_h_T, ("B", "H"), (batch, units), dtype)
    if cache is None:
        _, _, cache = simple_rnn_forward(
            x, kernel, recurrent_kernel, bias, h0, mask, activation, return_cache=True
        )
    h_prev = cache["h_prev"]  # (B, T, H)

    # Every step's pre-activation at once: a_t = x_t W + h_{t-1} U + b, shape (B, T, H)
    pre_activation = x @ kernel + h_prev @ recurrent_kernel + bias
    slope = activation_derivative(activation, pre_activation)  # f'(a_t)

    d_pre_activation = np.zeros((batch, steps, units), dtype=dtype)  # dL/da_t
    d_output_carry = np.zeros(
        (batch, units), dtype=dtype
    )  # through outputs repeated at masked steps
    for t in reversed(range(steps)):
        keep = mask[:, t, None]
        d_output = d_outputs[:, t] + d_output_carry
        # h_t = where(keep, h_new, h_{t-1}) and output_t = where(keep, h_new, output_{t-1})
        d_h_new = np.where(keep, d_h + d_output, 0.0)
        d_output_carry = np.where(keep, 0.0, d_output)
        # h_new = f(a_t)
        d_pre_activation[:, t] = d_h_new * slope[:, t]
        # dL/dh_{t-1}: through U, plus the state a masked step carried over unchanged
        d_h = np.where(keep, 0.0, d_h) + d_pre_activation[:, t] @ recurrent_kernel.T

    return {
        "x": d_pre_activation @ kernel.T,
        "kernel": np.einsum("btd,bth->dh", x, d_pre_activation),  # sum over b, t of x_t^T da_t
        "recurrent_kernel": np.einsum("bti,bth->ih", h_prev, d_pre_activation),
        "bias": d_pre_activation.sum(axis=(0, 1)),
        "h0": d_h,
    }


def simple_rnn_regression_loss_and_grads(
    x,
    targets,
    kernel,
    recurrent_kernel,
    bias,
    output_kernel,
    output_bias,
    h0=None,
    mask=None,
    activation="tanh",
):
    """A many-to-one regression RNN, its loss and the gradients of ALL its parameters.

    The model is ``keras.Sequential([SimpleRNN(H), Dense(K)])``: y_hat = h_T V + c, read from the
    output at the last step, with the mean squared error L = mean((y_hat - y)^2). Backpropagation
    runs through the output layer first (its gradients dL/dV and dL/dc are easy to forget), then
    through time. The weights come in the order of the Keras model's ``get_weights()``, so
    ``simple_rnn_regression_loss_and_grads(x, y, *model.get_weights())`` works.

    Args:
        x: inputs, shape (B, T, D).
        targets: y, shape (B, K).
        kernel, recurrent_kernel, bias: the SimpleRNN's W (D, H), U (H, H), b (H,).
        output_kernel: V, shape (H, K).
        output_bias: c, shape (K,).
        h0, mask, activation: as for ``simple_rnn_forward``.

    Returns:
        ``(loss, grads)``: the loss (a float) and a dict of gradients, each the shape of its
        argument, with keys ``"kernel"``, ``"recurrent_kernel"``, ``"bias"``, ``"output_kernel"``,
        ``"output_bias"``, ``"x"`` and ``"h0"``.

    Chapter 3 shows it.
    """
    outputs, _, cache = simple_rnn_forward(
        x, kernel, recurrent_kernel, bias, h0, mask, activation, return_cache=True
    )
    last_output = outputs[:, -1]  # (B, H), what SimpleRNN(return_sequences=False) returns
    predictions = dense_forward(last_output, output_kernel, output_bias)  # y_hat = h_T V + c
    loss = mean_squared_error(predictions, targets)

    d_predictions = mean_squared_error_backward(predictions, targets)  # (B, K)
    dense_grads = dense_backward(last_output, output_kernel, d_predictions)
    d_outputs = np.zeros_like(outputs)
    d_outputs[:, -1] = dense_grads["inputs"]  # only the last step feeds the loss
    rnn_grads = simple_rnn_backward(
        x, kernel, recurrent_kernel, bias, d_outputs, h0, mask, activation, cache=cache
    )
    grads = {
        "kernel": rnn_grads["kernel"],
        "recurrent_kernel": rnn_grads["recurrent_kernel"],
        "bias": rnn_grads["bias"],
        "output_kernel": dense_grads["kernel"],
        "output_bias": dense_grads["bias"],
        "x": rnn_grads["x"],
        "h0": rnn_grads["h0"],
    }
    return loss, grads


REGRESSION_WEIGHTS = ("kernel", "recurrent_kernel", "bias", "output_kernel", "output_bias")


def simple_rnn_gradient_descent(x, targets, weights, *, learning_rate, steps):
    """Train the regression RNN with the hand-written BPTT: ``steps`` full-batch gradient steps.

    Each step computes the loss and every gradient with
    :func:`simple_rnn_regression_loss_and_grads` and moves every parameter against its gradient,
    ``w <- w - learning_rate * dL/dw``: what ``keras.optimizers.SGD`` does to the same model
    given the whole batch.

    Args:
        x: inputs, shape (B, T, D); targets: y, shape (B, K).
        weights: ``[W (D, H), U (H, H), b (H,), V (H, K), c (K,)]``, the order of the Keras
            model's ``get_weights()``; they are copied, never changed.
        learning_rate: the step size; steps: how many updates.

    Returns:
        ``(weights, losses)``: the trained weights (same order and shapes) and the loss before
        each update, shape (steps,), as ``model.fit``'s ``history["loss"]`` records it for one
        batch per epoch.

    Chapter 3 shows it.
    """
    if len(weights) != len(REGRESSION_WEIGHTS):
        raise ValueError(f"weights must be the five arrays {REGRESSION_WEIGHTS}")
    params = {
        name: np.array(w, dtype=np.float64)
        for name, w in zip(REGRESSION_WEIGHTS, weights, strict=True)
    }
    losses = np.empty(steps)
    for step in range(steps):
        losses[step], grads = simple_rnn_regression_loss_and_grads(x, targets, **params)
        for name in REGRESSION_WEIGHTS:
            params[name] -= learning_rate * grads[name]  # the gradient step
    return [params[name] for name in REGRESSION_WEIGHTS], losses
