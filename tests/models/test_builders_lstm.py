"""``seqcourse.models.lstm_param_count`` against Keras's own LSTM weights and count."""

import keras
import pytest

from seqcourse import models


@pytest.mark.parametrize(("input_dim", "units"), [(1, 1), (2, 32), (5, 3)])
def test_lstm_param_count_matches_keras(input_dim, units):
    layer = keras.layers.LSTM(units)
    layer.build((None, None, input_dim))
    kernel, recurrent_kernel, bias = layer.get_weights()
    assert kernel.shape == (input_dim, 4 * units)  # [W_i | W_f | W_c | W_o]
    assert recurrent_kernel.shape == (units, 4 * units)
    assert bias.shape == (4 * units,)
    assert models.lstm_param_count(input_dim, units) == layer.count_params()
    assert models.lstm_param_count(input_dim, units) == 4 * units * (input_dim + units + 1)


def test_lstm_param_count_rejects_bad_sizes():
    with pytest.raises(ValueError, match="units must be a positive int"):
        models.lstm_param_count(3, 0)
    with pytest.raises(ValueError, match="input_dim must be a positive int"):
        models.lstm_param_count(2.5, 4)
