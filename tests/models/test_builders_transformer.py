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


def test_masked_lm_scores_the_chosen_steps_and_shares_the_classifier_layers():
    keras.utils.set_random_seed(0)
    mlm = models.transformer_masked_lm(30, embed_dim=8, num_heads=2, ff_dim=16, num_blocks=2)
    classifier = models.transformer_text_classifier(
        30, embed_dim=8, num_heads=2, ff_dim=16, num_blocks=2
    )
    shared = [layer.name for layer in mlm.layers if layer.weights and layer.name != "token_logits"]
    assert shared == ["embedding", "encoder_0", "encoder_1"]
    for name in shared:  # the same shapes: pre-trained weights copy over by name
        classifier.get_layer(name).set_weights(mlm.get_layer(name).get_weights())
    tokens = np.array([[3, 4, 5, 6, 0], [7, 8, 0, 0, 0]])
    positions = np.array([[1, 3], [0, 1]])
    logits = np.asarray(mlm([tokens, positions]))
    assert logits.shape == (2, 2, 30)
    # the logits of a chosen step are those of the whole sequence at that step
    hidden = tokens
    for name in ("embedding", "positions", *shared[1:]):
        hidden = mlm.get_layer(name)(hidden)
    every_step = np.asarray(mlm.get_layer("token_logits")(hidden))  # (B, T, V)
    np.testing.assert_allclose(logits[0], every_step[0, [1, 3]], atol=1e-5)
    np.testing.assert_allclose(logits[1], every_step[1, [0, 1]], atol=1e-5)


def test_transformer_language_model_reads_only_the_past():
    keras.utils.set_random_seed(0)
    model = models.transformer_language_model(12, embed_dim=8, num_heads=2, ff_dim=16)
    tokens = np.array([[0, 3, 4, 5, 6, 7]])  # id 0 is a real token here, not padding
    changed = tokens.copy()
    changed[0, 4:] = [9, 10]
    out, out_changed = np.asarray(model(tokens)), np.asarray(model(changed))
    assert out.shape == (1, 6, 12)
    np.testing.assert_allclose(out[:, :4], out_changed[:, :4], atol=1e-5)
    assert np.abs(out[:, 4:] - out_changed[:, 4:]).max() > 1e-4
    first = np.asarray(model(np.array([[5, 3, 4, 5, 6, 7]])))
    assert np.abs(first[0, 0] - out[0, 0]).max() > 1e-4  # step 0 reads token 0, even id 0


def test_padded_language_model_with_a_smaller_output_shares_the_classifier_layers():
    keras.utils.set_random_seed(0)
    model = models.transformer_language_model(
        30,
        embed_dim=8,
        num_heads=2,
        ff_dim=16,
        num_blocks=2,
        mask_zero=True,
        output_dim=7,
        scale_embeddings=False,  # the classifier's default
    )
    classifier = models.transformer_text_classifier(
        30, embed_dim=8, num_heads=2, ff_dim=16, num_blocks=2
    )
    shared = [layer.name for layer in model.layers if layer.weights]
    assert shared == ["embedding", "encoder_0", "encoder_1", "next_token_logits"]
    for name in shared[:-1]:  # the same shapes: pre-trained weights copy over by name
        classifier.get_layer(name).set_weights(model.get_layer(name).get_weights())
    tokens = np.array([[3, 4, 5, 6]])
    padded = np.array([[3, 4, 5, 6, 0, 0]])  # with mask_zero, 0 is padding nobody reads
    out, out_padded = np.asarray(model(tokens)), np.asarray(model(padded))
    assert out_padded.shape == (1, 6, 7)
    np.testing.assert_allclose(out, out_padded[:, :4], atol=1e-5)
    changed = tokens.copy()
    changed[0, 2:] = [9, 10]  # the future does not reach steps 0 and 1
    np.testing.assert_allclose(out[:, :2], np.asarray(model(changed))[:, :2], atol=1e-5)
    with pytest.raises(ValueError, match="output_dim"):
        models.transformer_language_model(30, output_dim=0)
    causal = models.transformer_text_classifier(
        30, embed_dim=8, num_heads=2, ff_dim=16, num_blocks=2, causal=True
    )
    for name in shared[:-1]:
        causal.get_layer(name).set_weights(model.get_layer(name).get_weights())
    # the causal classifier's steps are the language model's (step t reads tokens 0..t only),
    # and its mean over them differs from the bidirectional classifier's with the same weights
    encoded = tokens
    for name in ("embedding", "positions", "encoder_0", "encoder_1"):
        encoded = causal.get_layer(name)(encoded)
    hidden = tokens
    for layer in model.layers[:-1]:
        hidden = layer(hidden)
    np.testing.assert_allclose(np.asarray(encoded), np.asarray(hidden), atol=1e-5)
    assert np.abs(np.asarray(causal(tokens)) - np.asarray(classifier(tokens))).max() > 1e-4


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
