"""The answer key of ``04_lstm`` is right: the CIFG step against a Keras LSTM whose input gate is
forced to 1 - f, the cell-gradient factors against TensorFlow, the parameter count against Keras,
and the adding-problem data against its documented shapes."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqcourse.grading.questions import lstm as q
from seqcourse.reference import lstm_step


def test_cifg_step_is_an_lstm_step_with_the_input_gate_tied():
    rng = np.random.default_rng(0)
    x, h, c, kernel, recurrent, bias = q._step_case(rng, 3, 2, 4).args
    units = 4
    h_t, c_t = q.cifg_lstm_step(x, h, c, kernel, recurrent, bias)
    # A standard LSTM step with i = 1 - f: give the input gate the forget gate's weights, negated
    # (sigma(-z) = 1 - sigma(z)); Keras order i, f, c, o.
    w_f, w_c, w_o = np.split(kernel, 3, axis=1)
    u_f, u_c, u_o = np.split(recurrent, 3, axis=1)
    b_f, b_c, b_o = np.split(bias, 3)
    full = (
        np.concatenate([-w_f, w_f, w_c, w_o], axis=1),
        np.concatenate([-u_f, u_f, u_c, u_o], axis=1),
        np.concatenate([-b_f, b_f, b_c, b_o]),
    )
    h_ref, c_ref = lstm_step(x, h, c, *full)
    np.testing.assert_allclose(h_t, h_ref, rtol=1e-12)
    np.testing.assert_allclose(c_t, c_ref, rtol=1e-12)
    assert h_t.shape == c_t.shape == (3, units)


def test_cell_gradient_factors_match_tensorflow():
    gates = np.random.default_rng(2).uniform(0.5, 1.0, size=(2, 6, 3))
    c0 = tf.Variable(np.zeros((2, 6, 3)))
    with tf.GradientTape() as tape:
        # c_t = f_t c_{t-1} + (something independent of c): differentiate c_{T-1} w.r.t. each c_t
        # by adding a perturbation variable at every step.
        c = tf.zeros((2, 3), tf.float64)
        for t in range(6):
            c = gates[:, t] * c + 0.3 + c0[:, t]
        total = tf.reduce_sum(c)
    expected = tape.gradient(total, c0).numpy()
    np.testing.assert_allclose(q.cell_gradient_factors(gates), expected, rtol=1e-12)


def test_lstm_stack_parameters_match_keras():
    model = keras.Sequential(
        [
            keras.Input((None, 6)),
            keras.layers.LSTM(32, return_sequences=True),
            keras.layers.LSTM(16),
            keras.layers.Dense(3),
        ]
    )
    assert q.stack_parameters() == model.count_params()
    for mistake in q.ASSIGNMENT.question("lstm_stack_parameters").mistakes:
        assert mistake.produce() != model.count_params()


@pytest.mark.parametrize(("fast", "steps"), [(True, 50), (False, 50)])
def test_adding_data_shapes(fast, steps):
    data = q.adding_data(fast)
    narrower = int(0.8 * steps)  # held-out arrays: a model of the training width cannot read them
    assert data.x_train.shape[1:] == (steps, 2) and data.x_eval.shape == (1000, narrower, 2)
    assert data.y_train.shape == (len(data.x_train), 1) and data.y_eval.shape == (1000, 1)
    for x, y, width in ((data.x_train, data.y_train, steps), (data.x_eval, data.y_eval, narrower)):
        real = (x != 0).any(axis=-1)  # values are > 0 almost surely
        lengths = real.sum(axis=1)
        assert lengths.min() >= steps // 2 and lengths.max() == width
        assert all(real[i, width - n :].all() for i, n in enumerate(lengths[:50]))  # front padding
        assert (x[..., 1].sum(axis=1) == 2).all()  # two markers each
        np.testing.assert_allclose((x[..., 0] * x[..., 1]).sum(axis=1), y[:, 0], rtol=1e-6)
