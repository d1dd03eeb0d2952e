"""Bad input gets a ValueError naming the argument and the shape it must have, never a silent
broadcast into a wrong answer."""

import re

import numpy as np
import pytest

from seqcourse import reference as ref

B, T, D, H = 2, 3, 4, 5
rng = np.random.default_rng(0)
x = rng.normal(size=(B, T, D))
h = rng.normal(size=(B, H))


def weights(gates, bias_shape=None):
    bias_shape = (gates * H,) if bias_shape is None else bias_shape
    return rng.normal(size=(D, gates * H)), rng.normal(size=(H, gates * H)), np.zeros(bias_shape)


RNN = weights(1)
LSTM = weights(4)
GRU = weights(3, (2, 3 * H))
GRU_V1 = weights(3)

CASES = {
    # wrong rank
    "x is 2-D": (
        lambda: ref.simple_rnn_forward(x[0], *RNN),
        r"x must be a 3-D array of shape (B, T, D); got shape (3, 4); for one sequence add a "
        r"batch axis",
    ),
    "x_t is a sequence": (
        lambda: ref.lstm_step(x, h, h, *LSTM),
        r"x_t must be a 2-D array of shape (B, D); got shape (2, 3, 4); a step takes one time step",
    ),
    "kernel is 1-D": (
        lambda: ref.simple_rnn_forward(x, RNN[0].ravel(), *RNN[1:]),
        r"kernel must be a 2-D array of shape (D, H)",
    ),
    "h0 is 1-D (would broadcast over the batch)": (
        lambda: ref.simple_rnn_forward(x, *RNN, h0=h[0]),
        r"h0 must be a 2-D array of shape (B, H); got shape (5,)",
    ),
    # mismatched D or H
    "kernel has the wrong D": (
        lambda: ref.lstm_forward(x[..., :3], *LSTM),
        r"kernel must have shape (D, 4*H) = (3, 20) (D = 3 features of the input, H = 5 units",
    ),
    "recurrent_kernel is not (H, G*H)": (
        lambda: ref.gru_forward(x, GRU[0], GRU[1][:, :12], GRU[2]),
        r"recurrent_kernel must have shape (H, 3*H), gates z, r, h; got (5, 12)",
    ),
    "kernel has the wrong number of gates": (
        lambda: ref.lstm_forward(x, GRU_V1[0], LSTM[1], LSTM[2]),
        r"kernel must have shape (D, 4*H) = (4, 20)",
    ),
    "h_prev has the wrong H": (
        lambda: ref.simple_rnn_step(x[:, 0], h[:, :3], *RNN),
        r"h_prev must have shape (B, H) = (2, 5); got (2, 3)",
    ),
    "c0 has the wrong batch": (
        lambda: ref.lstm_forward(x, *LSTM, c0=h[:1]),
        r"c0 must have shape (B, H) = (2, 5); got (1, 5)",
    ),
    "c_prev has the wrong shape": (
        lambda: ref.lstm_step(x[:, 0], h, h[:, :2], *LSTM),
        r"c_prev must have shape (B, H) = (2, 5); got (2, 2)",
    ),
    # bias of the wrong layout
    "bias of length 1 (would broadcast)": (
        lambda: ref.simple_rnn_forward(x, *RNN[:2], np.zeros(1)),
        r"bias must have shape (H,) = (5,) (SimpleRNN); got (1,)",
    ),
    "LSTM bias of one gate": (
        lambda: ref.lstm_forward(x, *LSTM[:2], np.zeros(H)),
        r"bias must have shape (4*H,) = (20,) (LSTM, gates in Keras order i, f, c, o); got (5,)",
    ),
    "GRU reset_after=True with a (3H,) bias": (
        lambda: ref.gru_forward(x, *GRU_V1, reset_after=True),
        r"bias must be a 2-D array of shape (2, 3*H) for reset_after=True (row 0 the input "
        r"bias, row 1 the recurrent bias; a (3*H,) bias is the reset_after=False layout); "
        r"got shape (15,)",
    ),
    "GRU reset_after=True with a transposed bias": (
        lambda: ref.gru_forward(x, *GRU[:2], GRU[2].T, reset_after=True),
        r"bias must have shape (2, 3*H) = (2, 15) for reset_after=True (row 0 the input bias, "
        r"row 1 the recurrent bias; a (3*H,) bias is the reset_after=False layout); got (15, 2)",
    ),
    "GRU reset_after=False with a (2, 3H) bias": (
        lambda: ref.gru_step(x[:, 0], h, *GRU, reset_after=False),
        r"bias must be a 1-D array of shape (3*H,) for reset_after=False (a (2, 3*H) bias is the "
        r"reset_after=True layout); got shape (2, 15)",
    ),
    # masks and upstream gradients
    "mask of the wrong shape": (
        lambda: ref.gru_forward(x, *GRU, mask=np.ones((B, T + 1))),
        r"mask must have shape (B, T) = (2, 3); got (2, 4)",
    ),
    "mask of shape (T,) (would broadcast)": (
        lambda: ref.simple_rnn_forward(x, *RNN, mask=np.ones(T)),
        r"mask must be a 2-D array of shape (B, T); got shape (3,)",
    ),
    "d_outputs of the wrong shape": (
        lambda: ref.simple_rnn_backward(x, *RNN, np.ones((B, T, H + 1))),
        r"d_outputs must have shape (B, T, H) = (2, 3, 5); got (2, 3, 6)",
    ),
    "d_c_T of the wrong shape": (
        lambda: ref.lstm_backward(x, *LSTM, np.ones((B, T, H)), d_c_T=np.ones(H)),
        r"d_c_T must be a 2-D array of shape (B, H); got shape (5,)",
    ),
    "unknown activation": (
        lambda: ref.simple_rnn_forward(x, *RNN, activation="softplus"),
        r"activation must be one of ('tanh', 'sigmoid', 'relu', 'linear'); got 'softplus'",
    ),
    "empty sequence": (
        lambda: ref.simple_rnn_forward(np.ones((B, 0, D)), *RNN),
        r"x must have B, T, D >= 1 in its shape (B, T, D); got (2, 0, 4)",
    ),
    # stacking
    "unknown merge mode": (
        lambda: ref.bidirectional_forward(x, ref.simple_rnn_forward, RNN, RNN, merge_mode="max"),
        r"merge_mode must be one of ('concat', 'sum', 'mul', 'ave', None); got 'max'",
    ),
    "bidirectional initial_state of odd length": (
        lambda: ref.bidirectional_forward(x, ref.lstm_forward, LSTM, LSTM, initial_state=[h]),
        r"initial_state must be [h0_forward, h0_backward] or, for an LSTM",
    ),
    "stacked layer of the wrong input width": (
        lambda: ref.stacked_forward(x, ref.simple_rnn_forward, [RNN, RNN]),
        r"kernel must have shape (D, H) = (5, 5)",
    ),
    # dense and losses
    "dense kernel of the wrong D": (
        lambda: ref.dense_forward(h, np.ones((4, 2)), np.zeros(2)),
        r"kernel must have shape (D, K) with D = 5 (the last axis of inputs); got (4, 2)",
    ),
    "dense bias of the wrong K": (
        lambda: ref.dense_forward(h, np.ones((5, 2)), np.zeros(3)),
        r"bias must have shape (K,) = (2,); got (3,)",
    ),
    "dense d_outputs of the wrong shape": (
        lambda: ref.dense_backward(h, np.ones((5, 2)), np.ones((B, 3))),
        r"d_outputs must have shape (..., K) = (2, 2), the shape of the layer's output; got (2, 3)",
    ),
    "labels of the wrong shape": (
        lambda: ref.cross_entropy(np.zeros((4, 3)), np.zeros((4, 1), dtype=int)),
        r"labels must have shape (4,) (the shape of logits without its last axis of C = 3 classes)",
    ),
    "labels out of range": (
        lambda: ref.cross_entropy(np.zeros((4, 3)), np.array([0, 1, 2, 3])),
        r"labels must lie in [0, 3); got 0..3",
    ),
    "targets of another shape": (
        lambda: ref.mean_squared_error(np.zeros((4, 1)), np.zeros(4)),
        r"targets must have the shape of predictions, (4, 1); got (4,)",
    ),
    # attention
    "query and key of different depth": (
        lambda: ref.dot_attention(np.ones((B, 3, 4)), np.ones((B, 6, 5)), np.ones((B, 6, 2))),
        r"key must have shape (B, Tk, d) = (2, Tk, 4), B and d as in query; got (2, 6, 5)",
    ),
    "value of another length than key": (
        lambda: ref.dot_attention(np.ones((B, 3, 4)), np.ones((B, 6, 4)), np.ones((B, 5, 2))),
        r"value must have shape (B, Tk, dv) = (2, 6, dv), B and Tk as in key; got (2, 5, 2)",
    ),
    "attention key mask of the wrong length": (
        lambda: ref.dot_attention(
            np.ones((B, 3, 4)), np.ones((B, 6, 4)), np.ones((B, 6, 2)), mask=np.ones((B, 5))
        ),
        r"mask must have shape (B, Tk) = (2, 6) or (B, Tq, Tk) = (2, 3, 6); got (2, 5)",
    ),
    "general attention weight transposed": (
        lambda: ref.general_attention(
            np.ones((B, 3, 4)), np.ones((B, 6, 2)), np.ones((B, 6, 2)), np.ones((2, 4))
        ),
        r"weight must have shape (dq, dk) = (4, 2) (query depth, key depth); got (2, 4)",
    ),
    "additive scale of the wrong length": (
        lambda: ref.additive_attention(
            np.ones((B, 3, 4)), np.ones((B, 6, 4)), np.ones((B, 6, 2)), scale=np.ones(3)
        ),
        r"scale must have shape (da,) = (4,); got (3,)",
    ),
    "Bahdanau key_kernel of another attention depth": (
        lambda: ref.additive_attention(
            np.ones((B, 3, 4)),
            np.ones((B, 6, 2)),
            np.ones((B, 6, 2)),
            query_kernel=np.ones((4, 3)),
            key_kernel=np.ones((2, 5)),
        ),
        r"key_kernel must have shape (d_in, da) = (2, 3), d_in the last axis of key",
    ),
    "scaled dot-product mask that does not broadcast": (
        lambda: ref.scaled_dot_product_attention(
            np.ones((B, 3, 4)), np.ones((B, 6, 4)), np.ones((B, 6, 2)), mask=np.ones((3, 5))
        ),
        r"mask must broadcast to the scores' shape (..., Tq, Tk) = (2, 3, 6)",
    ),
    "scaled dot-product k with another batch": (
        lambda: ref.scaled_dot_product_attention(
            np.ones((B, 3, 4)), np.ones((1, 6, 4)), np.ones((1, 6, 2))
        ),
        r"k must have shape (..., Tk, dk) = (2, Tk, 4), leading axes and dk as in q; got (1, 6, 4)",
    ),
    "multi-head key_kernel with another head count": (
        lambda: ref.multi_head_attention(
            np.ones((B, 3, 4)),
            np.ones((B, 6, 4)),
            np.ones((B, 6, 4)),
            np.ones((4, 2, 3)),
            np.ones((2, 3)),
            np.ones((4, 3, 3)),
            np.ones((3, 3)),
            np.ones((4, 2, 3)),
            np.ones((2, 3)),
            np.ones((2, 3, 4)),
            np.ones(4),
        ),
        r"key_kernel must have shape (d, N, h) with N = 2 heads as query_kernel; got (4, 3, 3)",
    ),
    "multi-head output_kernel of the wrong head size": (
        lambda: ref.multi_head_attention(
            np.ones((B, 3, 4)),
            np.ones((B, 6, 4)),
            np.ones((B, 6, 4)),
            np.ones((4, 2, 3)),
            np.ones((2, 3)),
            np.ones((4, 2, 3)),
            np.ones((2, 3)),
            np.ones((4, 2, 5)),
            np.ones((2, 5)),
            np.ones((2, 3, 4)),
            np.ones(4),
        ),
        r"output_kernel must have shape (N, dv, d_out) = (2, 5, d_out); got (2, 3, 4)",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_raises_a_clear_value_error(case):
    call, message = CASES[case]
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_valid_inputs_pass():
    ref.simple_rnn_forward(x, *RNN)
    ref.lstm_forward(x, *LSTM)
    ref.gru_forward(x, *GRU)
    ref.gru_forward(x, *GRU_V1, reset_after=False)
    ref.simple_rnn_forward(x.tolist(), *(w.tolist() for w in RNN))  # nested lists are fine
