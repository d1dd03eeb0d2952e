"""Deep and bidirectional recurrent networks, built from the single-layer forward passes.

Both functions take the layer as an argument: ``simple_rnn_forward``, ``lstm_forward`` or
``gru_forward`` (any keyword options of that function, such as ``activation`` or ``reset_after``,
are passed through). Weights are given per layer as the tuple ``(kernel, recurrent_kernel, bias)``,
i.e. one Keras layer's ``get_weights()``.
"""

import numpy as np

from seqcourse.reference import _validate


def bidirectional_forward(
    x,
    layer_forward,
    forward_weights,
    backward_weights,
    mask=None,
    merge_mode="concat",
    initial_state=None,
    return_sequences=True,
    **layer_options,
):
    """A bidirectional RNN, as ``keras.layers.Bidirectional(layer)`` computes it.

    One copy of the layer reads the sequence left to right, a second copy (its own weights) reads it
    right to left; their outputs are lined up by time step and merged. With a mask, each copy skips
    the masked steps (the backward copy reads the reversed mask), and, as in Keras, the merged
    outputs at masked steps are zero when ``return_sequences`` is True.

    Args:
        x: inputs, shape (B, T, D).
        layer_forward: ``simple_rnn_forward``, ``lstm_forward`` or ``gru_forward``.
        forward_weights: ``(kernel, recurrent_kernel, bias)`` of the left-to-right layer.
        backward_weights: ``(kernel, recurrent_kernel, bias)`` of the right-to-left layer.
        mask: booleans, shape (B, T), True for real steps; all True if None.
        merge_mode: how the two outputs (each (.., H)) are combined: "concat" (.., 2H), "sum",
            "mul", "ave" (their mean), each (.., H), or None for the pair ``(forward, backward)``.
        initial_state: None, or the initial states in Keras's order: ``[h0_forward, h0_backward]``,
            or ``[h0_forward, c0_forward, h0_backward, c0_backward]`` for an LSTM; each (B, H).
        return_sequences: True for an output at every step; False for only the last (the forward
            layer's last step and the backward layer's last step, which is the sequence's first).
        **layer_options: passed to ``layer_forward``, e.g. ``reset_after=False``.

    Returns:
        ``(outputs, *final_states)`` as Keras's ``Bidirectional(..., return_state=True)``: outputs
        of shape (B, T, 2H) for "concat" ((B, 2H) if not ``return_sequences``; H instead of 2H for
        the other modes), then the forward layer's final states, then the backward layer's: (B, H)
        each, ``h_T`` for SimpleRNN and GRU, ``h_T, c_T`` for an LSTM.

    Chapter 6 shows it; chapter 9 uses it.
    """
    x = _validate.sequence("x", x)
    batch, steps, _ = x.shape
    mask = _validate.mask(mask, batch, steps)
    merge_mode = _validate.merge_mode(merge_mode)
    for name, weights in (
        ("forward_weights", forward_weights),
        ("backward_weights", backward_weights),
    ):
        if len(weights) != 3:
            raise ValueError(
                f"{name} must be (kernel, recurrent_kernel, bias); got {len(weights)} arrays"
            )
    forward_states, backward_states = {}, {}
    if initial_state is not None:
        if len(initial_state) not in (2, 4):
            raise ValueError(
                "initial_state must be [h0_forward, h0_backward] or, for an LSTM, [h0_forward, "
                f"c0_forward, h0_backward, c0_backward]; got {len(initial_state)} arrays"
            )
        half = len(initial_state) // 2
        names = ["h0", "c0"][:half]
        forward_states = dict(zip(names, initial_state[:half], strict=True))
        backward_states = dict(zip(names, initial_state[half:], strict=True))

    forward_result = layer_forward(
        x, *forward_weights, mask=mask, **forward_states, **layer_options
    )
    # The backward layer reads the sequence (and its mask) reversed in time.
    backward_result = layer_forward(
        x[:, ::-1], *backward_weights, mask=mask[:, ::-1], **backward_states, **layer_options
    )
    forward_outputs, *forward_final = forward_result
    backward_outputs, *backward_final = backward_result

    if return_sequences:
        backward_outputs = backward_outputs[:, ::-1]  # line its outputs up with time step t
        real = mask[:, :, None]
        forward_outputs = np.where(real, forward_outputs, 0.0)  # masked steps output zeros
        backward_outputs = np.where(real, backward_outputs, 0.0)
    else:
        forward_outputs = forward_outputs[:, -1]
        backward_outputs = backward_outputs[:, -1]

    if merge_mode == "concat":
        merged = np.concatenate([forward_outputs, backward_outputs], axis=-1)
    elif merge_mode == "sum":
        merged = forward_outputs + backward_outputs
    elif merge_mode == "mul":
        merged = forward_outputs * backward_outputs
    elif merge_mode == "ave":
        merged = (forward_outputs + backward_outputs) / 2
    else:
        merged = (forward_outputs, backward_outputs)
    return (merged, *forward_final, *backward_final)


def stacked_forward(x, layer_forward, layer_weights, mask=None, **layer_options):
    """A deep (stacked) RNN: each layer reads the output sequence of the layer below.

    This is ``keras.Sequential([layer_1, ..., layer_L])`` where every layer has
    ``return_sequences=True``; the mask (if any) applies to every layer, as Keras propagates it.
    Layers may have different widths H_1, ..., H_L; layer l's kernel has shape (H_{l-1}, G*H_l).

    Args:
        x: inputs, shape (B, T, D).
        layer_forward: ``simple_rnn_forward``, ``lstm_forward`` or ``gru_forward``.
        layer_weights: a list of ``(kernel, recurrent_kernel, bias)``, bottom layer first.
        mask: booleans, shape (B, T), True for real steps; all True if None.
        **layer_options: passed to every call of ``layer_forward``.

    Returns:
        ``(outputs, final_states)``: the top layer's outputs (B, T, H_L), and a list with one entry
        per layer of its final states, ``(h_T,)`` or ``(h_T, c_T)``.

    Chapter 6 shows it.
    """
    x = _validate.sequence("x", x)
    if len(layer_weights) == 0:
        raise ValueError("layer_weights must hold at least one (kernel, recurrent_kernel, bias)")
    outputs = x
    final_states = []
    for layer, weights in enumerate(layer_weights):
        if len(weights) != 3:
            raise ValueError(
                f"layer_weights[{layer}] must be (kernel, recurrent_kernel, bias); "
                f"got {len(weights)} arrays"
            )
        outputs, *states = layer_forward(outputs, *weights, mask=mask, **layer_options)
        final_states.append(tuple(states))
    return outputs, final_states
