"""One masked time loop for the gated layers: Keras's masking semantics, written once.

Chapter 2 shows the loop in full in :func:`seqcourse.reference.rnn.simple_rnn_forward`; the LSTM
(chapter 4) and GRU (chapter 5) forward passes run the same loop through :func:`masked_scan`.
"""

import numpy as np


def masked_scan(step, x, states, mask):
    """Run ``step`` over the time axis of ``x``, skipping masked steps as Keras does.

    Where ``mask[b, t]`` is False, step t of sequence b is skipped: every state is carried over
    unchanged and the output repeats the previous step's output (zeros if no step of that sequence
    has run yet, even when the initial states are not zero: Keras starts its outputs at zero).

    Args:
        step: ``step(x_t, *states) -> new_states``, ``x_t`` of shape (B, D) and each state (B, H);
            returns a tuple of new states of the same shapes, the first of which is the output.
        x: inputs, shape (B, T, D).
        states: the initial states, a tuple of arrays of shape (B, H).
        mask: booleans, shape (B, T), True for real steps.

    Returns:
        ``(outputs, final_states, states_read)``: the output at every step (B, T, H), the tuple of
        final states (B, H) each, and a tuple holding, for every state, the value each step read,
        (B, T, H) each (what the backward pass needs).

    No chapter calls it directly; :func:`gru_forward` (chapters 5, 6, 8, 9, 10 and 11) and
    :func:`lstm_forward` (chapters 4, 6 and 8) use it.
    """
    batch, steps, _ = x.shape
    units = states[0].shape[1]
    dtype = states[0].dtype
    output = np.zeros((batch, units), dtype=dtype)  # what a masked first step emits
    outputs = np.zeros((batch, steps, units), dtype=dtype)
    states_read = tuple(np.zeros((batch, steps) + s.shape[1:], dtype=dtype) for s in states)
    for t in range(steps):
        for read, state in zip(states_read, states, strict=True):
            read[:, t] = state
        new_states = step(x[:, t], *states)
        keep = mask[:, t, None]  # (B, 1): True where step t is real
        # a masked step carries every state over... and repeats the previous output
        states = tuple(
            np.where(keep, new, old) for new, old in zip(new_states, states, strict=True)
        )
        output = np.where(keep, new_states[0], output)
        outputs[:, t] = output
    return outputs, states, states_read
