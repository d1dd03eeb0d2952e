"""``seqcourse.models.recurrent_regressor``: shapes, parameters, the regularisers it sets."""

import numpy as np
import pytest

from seqcourse import models


@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM", "GRU"])
def test_regressor_shapes_and_parameter_count(cell):
    model = models.recurrent_regressor(14, 4, units=8, cell=cell)
    assert model.output_shape == (None, 1)
    recurrent = {
        "SimpleRNN": models.simple_rnn_param_count(4, 8),
        "LSTM": models.lstm_param_count(4, 8),
        "GRU": models.gru_param_count(4, 8),
    }[cell]
    assert model.count_params() == recurrent + models.dense_param_count(8, 1)
    assert model(np.zeros((3, 14, 4), "float32")).shape == (3, 1)
    assert not model.losses  # no penalty unless asked


def test_regressor_sets_dropout_and_an_l2_penalty_on_the_weights_not_biases():
    model = models.recurrent_regressor(
        None, 2, units=3, dropout=0.2, recurrent_dropout=0.3, l2=0.01
    )
    layer = model.get_layer("recurrent")
    assert (layer.dropout, layer.recurrent_dropout) == (0.2, 0.3)
    kernel, recurrent_kernel, _ = layer.get_weights()
    dense_kernel, _ = model.get_layer("forecast").get_weights()
    expected = 0.01 * sum(np.sum(w**2) for w in (kernel, recurrent_kernel, dense_kernel))
    assert len(model.losses) == 3
    np.testing.assert_allclose(sum(float(loss) for loss in model.losses), expected, rtol=1e-5)
    assert model(np.zeros((2, 7, 2), "float32")).shape == (2, 1)  # steps=None: any length


def test_regressor_l1_penalty_adds_to_l2_on_the_same_weights():
    model = models.recurrent_regressor(None, 2, units=3, l1=0.002, l2=0.01)
    kernel, recurrent_kernel, _ = model.get_layer("recurrent").get_weights()
    dense_kernel, _ = model.get_layer("forecast").get_weights()
    penalised = (kernel, recurrent_kernel, dense_kernel)
    expected = sum(0.002 * np.abs(w).sum() + 0.01 * np.sum(w**2) for w in penalised)
    np.testing.assert_allclose(sum(float(loss) for loss in model.losses), expected, rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cell": "RNN"}, "cell must be one of"),
        ({"dropout": 1.0}, r"dropout must be a fraction in \[0, 1\)"),
        ({"recurrent_dropout": -0.1}, "recurrent_dropout must be a fraction"),
        ({"l2": -1e-3}, "l2 must be a number >= 0"),
        ({"l1": -1e-3}, "l1 must be a number >= 0"),
        ({"units": 0}, "units must be a positive int"),
    ],
)
def test_regressor_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.recurrent_regressor(10, 2, **kwargs)
