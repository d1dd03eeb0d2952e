"""``seqcourse.models.gru_param_count`` against Keras's own GRU weights and count."""

import keras
import pytest

from seqcourse import models


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize(("input_dim", "units"), [(1, 1), (2, 32), (5, 3)])
def test_gru_param_count_matches_keras(input_dim, units, reset_after):
    layer = keras.layers.GRU(units, reset_after=reset_after)
    layer.build((None, None, input_dim))
    kernel, recurrent_kernel, bias = layer.get_weights()
    assert kernel.shape == (input_dim, 3 * units)  # [W_z | W_r | W_h]
    assert recurrent_kernel.shape == (units, 3 * units)
    assert bias.shape == ((2, 3 * units) if reset_after else (3 * units,))
    count = models.gru_param_count(input_dim, units, reset_after=reset_after)
    assert count == layer.count_params()


def test_gru_param_count_default_is_keras_default():
    assert keras.layers.GRU(4).reset_after is True
    assert models.gru_param_count(2, 4) == 3 * 4 * (2 + 4 + 2)


def test_gru_param_count_rejects_bad_arguments():
    with pytest.raises(ValueError, match="units must be a positive int"):
        models.gru_param_count(3, 0)
    with pytest.raises(ValueError, match="input_dim must be a positive int"):
        models.gru_param_count(None, 4)
    with pytest.raises(ValueError, match="reset_after must be True or False"):
        models.gru_param_count(3, 4, reset_after="yes")
