"""Gated recurrent unit (Cho et al., 2014) from scratch: one step, a sequence, BPTT.

The weights are in Keras's layout, so ``keras.layers.GRU(H).get_weights()`` plugs straight in. The
three blocks sit side by side in Keras's order z, r, h (update gate, reset gate, candidate state):

* ``kernel`` (D, 3H) = [W_z | W_r | W_h];
* ``recurrent_kernel`` (H, 3H) = [U_z | U_r | U_h];
* ``bias``: with ``reset_after=True`` (Keras's default) shape (2, 3H), row 0 the input bias and
  row 1 the recurrent bias; with ``reset_after=False`` shape (3H,), one bias on the input side.

The update gate follows Keras's convention: h_t = z_t * h_{t-1} + (1 - z_t) * h~_t, so z_t = 1 keeps
the previous state and z_t = 0 takes the candidate, as in Cho et al. (2014). (Chung et al. (2014)
and many textbooks swap the roles of z and 1 - z.) ``reset_after`` says where the reset gate acts:

* ``reset_after=False`` (Cho et al.): h~_t = tanh(x_t W_h + (r_t * h_{t-1}) U_h + b_h);
* ``reset_after=True`` (Keras's default, and cuDNN's):
  h~_t = tanh(x_t W_h + b_h + r_t * (h_{t-1} U_h + b'_h)).

Inputs are batch-major, ``x`` of shape (B, T, D); the state is (B, H).
"""

import numpy as np

from seqcourse.reference import _validate
from seqcourse.reference.numerics import sigmoid
from seqcourse.reference.scan import masked_scan


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias, reset_after=True):
    """One GRU step.

    Args:
        x_t: the inputs at step t, shape (B, D).
        h_prev: the previous state h_{t-1}, shape (B, H).
        kernel: (D, 3H), recurrent_kernel: (H, 3H), blocks in the order z, r, h.
        bias: (2, 3H) if ``reset_after`` else (3H,).
        reset_after: where the reset gate acts (see the module docstring); Keras's default is True.

    Returns:
        h_t, shape (B, H).

    Chapters 5 and 9 show it; chapters 11 and 16 use it.
    """
    x_t, h_prev, kernel, recurrent_kernel, bias = _validate.recurrent_step_inputs(
        "GRU", x_t, h_prev, kernel, recurrent_kernel, bias, reset_after
    )
    if reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, np.zeros_like(bias)  # one bias, on the input side
    x_z, x_r, x_h = np.split(x_t @ kernel + input_bias, 3, axis=-1)  # x_t W + b, each (B, H)
    u_z, u_r, u_h = np.split(recurrent_kernel, 3, axis=-1)  # each (H, H)
    b_rz, b_rr, b_rh = np.split(recurrent_bias, 3)

    z = sigmoid(x_z + h_prev @ u_z + b_rz)  # update gate  z_t = sigma(x_t W_z + h_{t-1} U_z + b_z)
    r = sigmoid(x_r + h_prev @ u_r + b_rr)  # reset gate   r_t = sigma(x_t W_r + h_{t-1} U_r + b_r)
    if reset_after:
        # h~_t = tanh(x_t W_h + b_h + r_t * (h_{t-1} U_h + b'_h))
        candidate = np.tanh(x_h + r * (h_prev @ u_h + b_rh))
    else:
        # h~_t = tanh(x_t W_h + (r_t * h_{t-1}) U_h + b_h)
        candidate = np.tanh(x_h + (r * h_prev) @ u_h)
    # h_t = z_t * h_{t-1} + (1 - z_t) * h~_t
    return z * h_prev + (1.0 - z) * candidate


def gru_forward(
    x, kernel, recurrent_kernel, bias, h0=None, mask=None, reset_after=True, return_cache=False
):
    """Run a GRU over whole sequences, as ``keras.layers.GRU`` does.

    Masking follows Keras: where ``mask[b, t]`` is False, step t of sequence b is skipped. The state
    is carried over unchanged, and the output repeats the previous step's output (zeros if no step
    of that sequence has run yet, even when ``h0`` is given).

    Args:
        x: inputs, shape (B, T, D).
        kernel: (D, 3H), recurrent_kernel: (H, 3H), blocks in the order z, r, h.
        bias: (2, 3H) if ``reset_after`` else (3H,).
        h0: initial state, shape (B, H); zeros if None.
        mask: booleans, shape (B, T), True for real steps; all True if None.
        reset_after: Keras's ``reset_after`` (default True).
        return_cache: if True, also return what ``gru_backward`` needs from this pass.

    Returns:
        ``(outputs, h_T)``: the output at every step (B, T, H) and the final state (B, H). With
        ``return_cache=True``, ``(outputs, h_T, cache)``, where ``cache["h_prev"]`` (B, T, H) holds
        the state each step read.

    Chapters 5, 6, 8, 9, 10 and 11 use it.
    """
    x, kernel, recurrent_kernel, bias, mask, units = _validate.recurrent_inputs(
        "GRU", x, kernel, recurrent_kernel, bias, mask, reset_after
    )
    dtype = _validate.float_dtype(x, kernel, recurrent_kernel, bias)
    h = _validate.state("h0", h0, x.shape[0], units, dtype)

    def step(x_t, h_prev):
        return (gru_step(x_t, h_prev, kernel, recurrent_kernel, bias, reset_after),)

    outputs, (h,), (h_prev,) = masked_scan(step, x, (h,), mask)
    if return_cache:
        return outputs, h, {"h_prev": h_prev}
    return outputs, h


def gru_backward(
    x,
    kernel,
    recurrent_kernel,
    bias,
    d_outputs,
    h0=None,
    mask=None,
    reset_after=True,
    d_h_T=None,
    cache=None,
):
    """Backpropagation through time for ``gru_forward``, for either ``reset_after``.

    Args:
        x, kernel, recurrent_kernel, bias, h0, mask, reset_after: the forward pass's arguments.
        d_outputs: dL/d outputs, shape (B, T, H).
        d_h_T: dL/d h_T, shape (B, H); zeros if None.
        cache: the third value of ``gru_forward(..., return_cache=True)`` for the same arguments; if
            None the forward pass is run again here.

    Returns:
        A dict of gradients, each the shape of its argument: ``"x"`` (B, T, D), ``"kernel"``
        (D, 3H), ``"recurrent_kernel"`` (H, 3H), ``"bias"`` ((2, 3H) or (3H,)) and ``"h0"`` (B, H).

    No chapter calls it; ``tests/reference`` proves it against ``tf.GradientTape`` and numerical
    gradients, as chapter 3 does for the SimpleRNN.
    """
    x, kernel, recurrent_kernel, bias, mask, units = _validate.recurrent_inputs(
        "GRU", x, kernel, recurrent_kernel, bias, mask, reset_after
    )
    batch, steps, _ = x.shape
    dtype = _validate.float_dtype(x, kernel, recurrent_kernel, bias)
    d_outputs = _validate.upstream_gradient(
        "d_outputs", d_outputs, ("B", "T", "H"), (batch, steps, units), dtype
    )
    d_h = _validate.upstream_gradient("d_h_T", d_h_T, ("B", "H"), (batch, units), dtype)
    if cache is None:
        _, _, cache = gru_forward(
            x, kernel, recurrent_kernel, bias, h0, mask, reset_after, return_cache=True
        )
    h_prev = cache["h_prev"]  # (B, T, H)

    # Every step's gates at once, by the equations of gru_step, each (B, T, H)
    if reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, np.zeros_like(bias)
    x_z, x_r, x_h = np.split(x @ kernel + input_bias, 3, axis=-1)
    u_z, u_r, u_h = np.split(recurrent_kernel, 3, axis=-1)
    b_rz, b_rr, b_rh = np.split(recurrent_bias, 3)
    z = sigmoid(x_z + h_prev @ u_z + b_rz)
    r = sigmoid(x_r + h_prev @ u_r + b_rr)
    if reset_after:
        recurrent_h = h_prev @ u_h + b_rh  # h_{t-1} U_h + b'_h
        candidate = np.tanh(x_h + r * recurrent_h)
    else:
        candidate = np.tanh(x_h + (r * h_prev) @ u_h)

    # dL/d(pre-activation) of z, r and the candidate, each (B, T, H)
    d_a_z = np.zeros((batch, steps, units), dtype=dtype)
    d_a_r = np.zeros((batch, steps, units), dtype=dtype)
    d_a_h = np.zeros((batch, steps, units), dtype=dtype)
    d_output_carry = np.zeros(
        (batch, units), dtype=dtype
    )  # through outputs repeated at masked steps
    for t in reversed(range(steps)):
        keep = mask[:, t, None]
        d_output = d_outputs[:, t] + d_output_carry
        # h_t = where(keep, h_new, h_{t-1}) and output_t = where(keep, h_new, output_{t-1})
        d_h_new = np.where(keep, d_h + d_output, 0.0)
        d_output_carry = np.where(keep, 0.0, d_output)
        # h_new = z * h_{t-1} + (1 - z) * h~
        d_z = d_h_new * (h_prev[:, t] - candidate[:, t])
        d_candidate = d_h_new * (1.0 - z[:, t])
        d_a_h[:, t] = d_candidate * (1.0 - candidate[:, t] ** 2)  # tanh' = 1 - tanh^2
        if reset_after:
            # a_h = x_h + r * (h_{t-1} U_h + b'_h)
            d_r = d_a_h[:, t] * recurrent_h[:, t]
            d_h_via_candidate = (d_a_h[:, t] * r[:, t]) @ u_h.T
        else:
            # a_h = x_h + (r * h_{t-1}) U_h
            d_reset_state = d_a_h[:, t] @ u_h.T  # dL/d(r * h_{t-1})
            d_r = d_reset_state * h_prev[:, t]
            d_h_via_candidate = d_reset_state * r[:, t]
        d_a_z[:, t] = d_z * z[:, t] * (1.0 - z[:, t])  # sigma' = sigma (1 - sigma)
        d_a_r[:, t] = d_r * r[:, t] * (1.0 - r[:, t])
        # dL/dh_{t-1}: directly through z * h_{t-1}, through both gates and the candidate, plus
        # what a masked step carried over
        d_h = (
            np.where(keep, 0.0, d_h)
            + d_h_new * z[:, t]
            + d_a_z[:, t] @ u_z.T
            + d_a_r[:, t] @ u_r.T
            + d_h_via_candidate
        )

    d_input_side = np.concatenate([d_a_z, d_a_r, d_a_h], axis=-1)  # dL/d(x_t W + b), (B, T, 3H)
    if reset_after:
        d_recurrent_h = d_a_h * r  # dL/d(h_{t-1} U_h + b'_h)
        d_recurrent_side = np.concatenate([d_a_z, d_a_r, d_recurrent_h], axis=-1)
        d_recurrent_kernel = np.einsum("bti,btg->ig", h_prev, d_recurrent_side)
        d_bias = np.stack([d_input_side.sum(axis=(0, 1)), d_recurrent_side.sum(axis=(0, 1))])
    else:
        d_recurrent_kernel = np.concatenate(
            [
                np.einsum("bti,btg->ig", h_prev, np.concatenate([d_a_z, d_a_r], axis=-1)),
                np.einsum("bti,btg->ig", r * h_prev, d_a_h),
            ],
            axis=-1,
        )
        d_bias = d_input_side.sum(axis=(0, 1))
    return {
        "x": d_input_side @ kernel.T,
        "kernel": np.einsum("btd,btg->dg", x, d_input_side),  # sum over b, t of x_t^T d(x_t W)
        "recurrent_kernel": d_recurrent_kernel,
        "bias": d_bias,
        "h0": d_h,
    }
