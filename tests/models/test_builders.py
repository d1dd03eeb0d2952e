"""seqcourse.models: every builder has the input/output shapes it promises and the parameter count
its formula gives; masking and the encoder-decoder behave as documented."""

import subprocess
import sys

import numpy as np
import pytest

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse import models

keras = pytest.importorskip("keras")


def _recurrent_layers(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.SimpleRNN)]


def test_one_to_one_has_no_recurrent_layer():
    model = models.one_to_one(input_dim=3, output_dim=2, units=5)
    assert _recurrent_layers(model) == []
    assert model(np.zeros((4, 3), "float32")).shape == (4, 2)
    assert model.count_params() == models.dense_param_count(3, 5) + models.dense_param_count(5, 2)


def test_one_to_many_emits_a_sequence_from_one_vector():
    model = models.one_to_many(input_dim=3, steps=6, output_dim=2, units=4)
    y = model(np.ones((5, 3), "float32"))
    assert y.shape == (5, 6, 2)
    # The hidden state evolves, so the outputs differ along time (with random weights).
    assert not np.allclose(y[:, 0], y[:, -1])
    expected = models.simple_rnn_param_count(3, 4) + models.dense_param_count(4, 2)
    assert model.count_params() == expected


@pytest.mark.parametrize("steps", [7, None])
def test_many_to_one_reads_a_sequence_and_returns_one_vector(steps):
    model = models.many_to_one(steps, features=2, output_dim=3, units=4)
    assert model(np.zeros((5, 7, 2), "float32")).shape == (5, 3)
    if steps is None:  # any length
        assert model(np.zeros((5, 11, 2), "float32")).shape == (5, 3)
    expected = models.simple_rnn_param_count(2, 4) + models.dense_param_count(4, 3)
    assert model.count_params() == expected


def test_many_to_one_with_mask_ignores_padding():
    keras.utils.set_random_seed(0)
    model = models.many_to_one(None, features=1, units=4, mask_value=0.0)
    x = np.array([[[0.5], [-1.0], [2.0]]], "float32")
    padded = np.concatenate([x, np.zeros((1, 4, 1), "float32")], axis=1)
    np.testing.assert_allclose(model(x), model(padded), atol=1e-6)
    unmasked = models.many_to_one(None, features=1, units=4)
    unmasked.set_weights(model.get_weights())
    assert not np.allclose(unmasked(x), unmasked(padded), atol=1e-6)


def test_many_to_many_keeps_the_length_and_is_causal():
    keras.utils.set_random_seed(0)
    model = models.many_to_many(None, features=2, output_dim=1, units=4)
    x = np.random.default_rng(0).normal(size=(2, 6, 2)).astype("float32")
    y = model(x)
    assert y.shape == (2, 6, 1)
    changed = x.copy()
    changed[:, 4:] += 1.0  # change the future only
    np.testing.assert_allclose(model(changed)[:, :4], y[:, :4], atol=1e-6)


def test_encoder_decoder_changes_the_length():
    model = models.encoder_decoder(in_steps=9, features=2, out_steps=4, output_dim=3, units=5)
    assert model(np.zeros((2, 9, 2), "float32")).shape == (2, 4, 3)
    expected = (
        models.simple_rnn_param_count(2, 5)  # encoder
        + models.simple_rnn_param_count(5, 5)  # decoder reads the repeated state (width H)
        + models.dense_param_count(5, 3)
    )
    assert model.count_params() == expected


def test_param_count_formulas_match_keras_weight_shapes():
    layer = keras.layers.SimpleRNN(7)
    layer.build((None, None, 3))
    kernel, recurrent_kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 7)
    assert recurrent_kernel.shape == (7, 7)
    assert bias.shape == (7,)
    assert models.simple_rnn_param_count(3, 7) == kernel.size + recurrent_kernel.size + bias.size


@pytest.mark.parametrize(
    ("builder", "kwargs", "message"),
    [
        (models.one_to_one, {"input_dim": 0}, "input_dim must be a positive int"),
        (models.one_to_many, {"input_dim": 2, "steps": None}, "steps must be a positive int"),
        (models.many_to_one, {"steps": 3, "features": 2.0}, "features must be a positive int"),
        (models.many_to_many, {"steps": -1, "features": 2}, "steps must be a positive int or None"),
        (
            models.encoder_decoder,
            {"in_steps": 3, "features": 1, "out_steps": 0},
            "out_steps must be a positive int",
        ),
        (models.simple_rnn_param_count, {"input_dim": 2, "units": True}, "units must be"),
    ],
)
def test_builders_name_the_bad_argument(builder, kwargs, message):
    with pytest.raises(ValueError, match=message):
        builder(**kwargs)


def test_importing_the_builders_does_not_load_tensorflow():
    code = (
        "import seqcourse.models, sys; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
