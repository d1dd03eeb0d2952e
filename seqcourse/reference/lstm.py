"""Long short-term memory (Hochreiter and Schmidhuber, 1997) from scratch: a step, a sequence, BPTT.

The weights are in Keras's layout, so ``keras.layers.LSTM(H).get_weights()`` plugs straight in. The
four gates sit side by side in every weight, in Keras's order i, f, c, o (input gate, forget gate,
candidate cell state, output gate):

* ``kernel`` (D, 4H) = [W_i | W_f | W_c | W_o];
* ``recurrent_kernel`` (H, 4H) = [U_i | U_f | U_c | U_o];
* ``bias`` (4H,) = [b_i | b_f | b_c | b_o].

Inputs are batch-major, ``x`` of shape (B, T, D); the hidden state h and cell state c are (B, H).
Keras's defaults are assumed: ``activation="tanh"``, ``recurrent_activation="sigmoid"``.
"""

import numpy as np

from seqcourse.reference import _validate
from seqcourse.reference.numerics import sigmoid
from seqcourse.reference.scan import masked_scan


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One LSTM step.

    Args:
        x_t: the inputs at step t, shape (B, D).
        h_prev: the previous hidden state h_{t-1}, shape (B, H).
        c_prev: the previous cell state c_{t-1}, shape (B, H).
        kernel: (D, 4H), recurrent_kernel: (H, 4H), bias: (4H,), gates in the order i, f, c, o.

    Returns:
        ``(h_t, c_t)``, each of shape (B, H).

    Chapters 4 and 8 show it.
    """
    x_t, h_prev, kernel, recurrent_kernel, bias = _validate.recurrent_step_inputs(
        "LSTM", x_t, h_prev, kernel, recurrent_kernel, bias
    )
    c_prev = _validate.shape("c_prev", c_prev, ("B", "H"), h_prev.shape)
    # All four gates' pre-activations side by side: x_t W + h_{t-1} U + b, shape (B, 4H)
    z_i, z_f, z_c, z_o = np.split(x_t @ kernel + h_prev @ recurrent_kernel + bias, 4, axis=-1)
    i = sigmoid(z_i)  # input gate       i_t = sigma(x_t W_i + h_{t-1} U_i + b_i)
    f = sigmoid(z_f)  # forget gate      f_t = sigma(x_t W_f + h_{t-1} U_f + b_f)
    c_candidate = np.tanh(z_c)  # candidate  c~_t = tanh(x_t W_c + h_{t-1} U_c + b_c)
    o = sigmoid(z_o)  # output gate      o_t = sigma(x_t W_o + h_{t-1} U_o + b_o)
    c_t = f * c_prev + i * c_candidate  # c_t = f_t * c_{t-1} + i_t * c~_t
    h_t = o * np.tanh(c_t)  # h_t = o_t * tanh(c_t)
    return h_t, c_t


def lstm_forward(
    x, kernel, recurrent_kernel, bias, h0=None, c0=None, mask=None, return_cache=False
):
    """Run an LSTM over whole sequences, as ``keras.layers.LSTM`` does.

    Masking follows Keras: where ``mask[b, t]`` is False, step t of sequence b is skipped. Both
    states are carried over unchanged, and the output repeats the previous step's output (zeros if
    no step of that sequence has run yet, even when ``h0`` is given).

    Args:
        x: inputs, shape (B, T, D).
        kernel: (D, 4H), recurrent_kernel: (H, 4H), bias: (4H,), gates in the order i, f, c, o.
        h0: initial hidden state, shape (B, H); zeros if None.
        c0: initial cell state, shape (B, H); zeros if None.
        mask: booleans, shape (B, T), True for real steps; all True if None.
        return_cache: if True, also return what ``lstm_backward`` needs from this pass.

    Returns:
        ``(outputs, h_T, c_T)``: the output at every step (B, T, H) and the final hidden and cell
        states (B, H) each (Keras ``return_sequences=True, return_state=True``). With
        ``return_cache=True``, ``(outputs, h_T, c_T, cache)``, where ``cache["h_prev"]`` and
        ``cache["c_prev"]`` (B, T, H) hold the states each step read.

    Chapters 4, 6 and 8 use it.
    """
    x, kernel, recurrent_kernel, bias, mask, units = _validate.recurrent_inputs(
        "LSTM", x, kernel, recurrent_kernel, bias, mask
    )
    dtype = _validate.float_dtype(x, kernel, recurrent_kernel, bias)
    h = _validate.state("h0", h0, x.shape[0], units, dtype)
    c = _validate.state("c0", c0, x.shape[0], units, dtype)

    def step(x_t, h_prev, c_prev):
        return lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)

    outputs, (h, c), (h_prev, c_prev) = masked_scan(step, x, (h, c), mask)
    if return_cache:
        return outputs, h, c, {"h_prev": h_prev, "c_prev": c_prev}
    return outputs, h, c


def lstm_backward(
    x,
    kernel,
    recurrent_kernel,
    bias,
    d_outputs,
    h0=None,
    c0=None,
    mask=None,
    d_h_T=None,
    d_c_T=None,
    cache=None,
):
    """Backpropagation through time for ``lstm_forward``.

    Args:
        x, kernel, recurrent_kernel, bias, h0, c0, mask: the forward pass's arguments.
        d_outputs: dL/d outputs, shape (B, T, H).
        d_h_T: dL/d h_T, shape (B, H); zeros if None.
        d_c_T: dL/d c_T, shape (B, H); zeros if None.
        cache: the fourth value of ``lstm_forward(..., return_cache=True)`` for the same arguments;
            if None the forward pass is run again here.

    Returns:
        A dict of gradients, each the shape of its argument: ``"x"`` (B, T, D), ``"kernel"``
        (D, 4H), ``"recurrent_kernel"`` (H, 4H), ``"bias"`` (4H,), ``"h0"`` (B, H) and ``"c0"``
        (B, H).

    No chapter calls it; ``tests/reference`` proves it against ``tf.GradientTape`` and numerical
    gradients, as chapter 3 does for the SimpleRNN.
    """
    x, kernel, recurrent_kernel, bias, mask, units = _validate.recurrent_inputs(
        "LSTM", x, kernel, recurrent_kernel, bias, mask
    )
    batch, steps, _ = x.shape
    dtype = _validate.float_dtype(x, kernel, recurrent_kernel, bias)
    d_outputs = _validate.upstream_gradient(
        "d_outputs", d_outputs, ("B", "T", "H"), (batch, steps, units), dtype
    )
    d_h = _validate.upstream_gradient("d_h_T", d_h_T, ("B", "H"), (batch, units), dtype)
    d_c = _validate.upstream_gradient("d_c_T", d_c_T, ("B", "H"), (batch, units), dtype)
    if cache is None:
        *_, cache = lstm_forward(x, kernel, recurrent_kernel, bias, h0, c0, mask, return_cache=True)
    h_prev, c_prev = cache["h_prev"], cache["c_prev"]  # (B, T, H) each

    # Every step's gates at once, by the equations of lstm_step, each (B, T, H)
    z_i, z_f, z_c, z_o = np.split(x @ kernel + h_prev @ recurrent_kernel + bias, 4, axis=-1)
    i, f, c_candidate, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    tanh_c_new = np.tanh(f * c_prev + i * c_candidate)  # tanh(c_t) of the computed step

    d_gates = np.zeros((batch, steps, 4 * units), dtype=dtype)  # dL/dz_t, gates i, f, c, o
    d_output_carry = np.zeros(
        (batch, units), dtype=dtype
    )  # through outputs repeated at masked steps
    for t in reversed(range(steps)):
        keep = mask[:, t, None]
        d_output = d_outputs[:, t] + d_output_carry
        # h_t = where(keep, h_new, h_{t-1}) and output_t = where(keep, h_new, output_{t-1})
        d_h_new = np.where(keep, d_h + d_output, 0.0)
        d_output_carry = np.where(keep, 0.0, d_output)
        # h_new = o * tanh(c_new)
        d_o = d_h_new * tanh_c_new[:, t]
        # c_t = where(keep, c_new, c_{t-1}); c_new also reaches h_new through tanh
        d_c_new = np.where(keep, d_c, 0.0) + d_h_new * o[:, t] * (1.0 - tanh_c_new[:, t] ** 2)
        # c_new = f * c_{t-1} + i * c~
        d_f = d_c_new * c_prev[:, t]
        d_i = d_c_new * c_candidate[:, t]
        d_c_candidate = d_c_new * i[:, t]
        # through the activations: sigma'(z) = sigma (1 - sigma), tanh'(z) = 1 - tanh^2
        d_gates[:, t] = np.concatenate(
            [
                d_i * i[:, t] * (1.0 - i[:, t]),
                d_f * f[:, t] * (1.0 - f[:, t]),
                d_c_candidate * (1.0 - c_candidate[:, t] ** 2),
                d_o * o[:, t] * (1.0 - o[:, t]),
            ],
            axis=-1,
        )
        # dL/dc_{t-1} and dL/dh_{t-1}: through this step, plus what a masked step carried over
        d_c = np.where(keep, 0.0, d_c) + d_c_new * f[:, t]
        d_h = np.where(keep, 0.0, d_h) + d_gates[:, t] @ recurrent_kernel.T

    return {
        "x": d_gates @ kernel.T,
        "kernel": np.einsum("btd,btg->dg", x, d_gates),  # sum over b, t of x_t^T dz_t
        "recurrent_kernel": np.einsum("bth,btg->hg", h_prev, d_gates),
        "bias": d_gates.sum(axis=(0, 1)),
        "h0": d_h,
        "c0": d_c,
    }
