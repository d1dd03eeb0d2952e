"""seqcourse.models: the text and frame-sequence classifiers have the shapes, masks and parameter
counts their docstrings promise, and reject bad arguments with a message naming them."""

import numpy as np
import pytest

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse import models

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent_text_classifier_counts_and_masks(bidirectional):
    keras.utils.set_random_seed(0)
    model = models.recurrent_text_classifier(
        50, output_dim=3, embed_dim=8, units=6, cell="GRU", bidirectional=bidirectional
    )
    tokens = np.array([[4, 5, 6]])
    padded = np.array([[4, 5, 6, 0, 0, 0]])
    np.testing.assert_allclose(model(tokens), model(padded), atol=1e-6)
    assert model(padded).shape == (1, 3)
    directions = 2 if bidirectional else 1
    expected = 50 * 8 + directions * models.gru_param_count(8, 6) + (directions * 6 + 1) * 3
    assert model.count_params() == expected


def test_transformer_text_classifier_counts_masks_and_needs_positions_for_order():
    keras.utils.set_random_seed(0)
    model = models.transformer_text_classifier(
        30, embed_dim=8, num_heads=2, ff_dim=16, num_blocks=2
    )
    d, ff = 8, 16
    block = (4 * d * d + 4 * d) + (2 * d * ff + ff + d) + 4 * d
    assert model.count_params() == 30 * d + 2 * block + (d + 1)
    tokens = np.array([[3, 4, 5, 6]])
    padded = np.array([[3, 4, 5, 6, 0, 0, 0]])
    np.testing.assert_allclose(model(tokens), model(padded), atol=1e-5)
    reversed_tokens = tokens[:, ::-1].copy()
    assert abs(float(model(tokens)[0, 0]) - float(model(reversed_tokens)[0, 0])) > 1e-4
    blind = models.transformer_text_classifier(
        30, embed_dim=8, num_heads=2, ff_dim=16, num_blocks=2, positional=False
    )
    np.testing.assert_allclose(blind(tokens), blind(reversed_tokens), atol=1e-5)


def test_recurrent_sequence_classifier_masks_zero_frames():
    keras.utils.set_random_seed(0)
    model = models.recurrent_sequence_classifier(3, 4, units=5, cell="LSTM")
    frames = np.random.default_rng(0).standard_normal((2, 6, 3)).astype("float32")
    padded = np.concatenate([frames, np.zeros((2, 4, 3), "float32")], axis=1)
    np.testing.assert_allclose(model(frames), model(padded), atol=1e-6)
    assert model.count_params() == models.lstm_param_count(3, 5) + models.dense_param_count(5, 4)


@pytest.mark.parametrize(
    "build, word",
    [
        (lambda: models.transformer_text_classifier(10, embed_dim=10, num_heads=4), "divisible"),
        (lambda: models.recurrent_text_classifier(10, cell="RNN"), "cell"),
        (lambda: models.recurrent_sequence_classifier(0, 3), "features"),
        (lambda: models.transformer_text_classifier(10, num_blocks=0), "num_blocks"),
    ],
)
def test_bad_arguments_are_named(build, word):
    with pytest.raises(ValueError, match=word):
        build()
