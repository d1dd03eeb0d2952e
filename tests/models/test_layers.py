"""seqcourse.models.layers: the positional encoding equals the reference table (scaled embeddings
too), the encoder block masks padding, ignores order without positions, saves and loads, and
rejects bad sizes; the decoder block is its three sublayers computed in NumPy from its weights,
reads no future target step and no padded source step."""

import numpy as np
import pytest

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse.reference import causal_mask, multi_head_attention, positional_encoding

keras = pytest.importorskip("keras")
layers = pytest.importorskip("seqcourse.models.layers")


def test_positional_encoding_adds_the_reference_table():
    x = np.random.default_rng(0).standard_normal((2, 7, 10)).astype("float32")
    out = np.asarray(layers.PositionalEncoding()(x))
    np.testing.assert_allclose(
        out - x, np.broadcast_to(positional_encoding(7, 10), x.shape), atol=1e-5
    )


def test_encoder_attention_equals_the_reference_with_a_padding_mask():
    keras.utils.set_random_seed(0)
    block = layers.TransformerEncoder(num_heads=2, key_dim=3, ff_dim=8, dropout=0.0)
    x = np.random.default_rng(1).standard_normal((2, 5, 6)).astype("float32")
    mask = np.array([[True] * 5, [True, True, True, False, False]])
    block(x, mask=mask)  # builds the weights
    ours = np.asarray(block.attention_weights(x, mask=mask))
    _, reference = multi_head_attention(x, x, x, *block.attention.get_weights(), mask=mask[:, None])
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    assert np.all(ours[1, :, :, 3:] == 0)  # no weight on padded keys


def test_padding_does_not_change_the_real_steps():
    keras.utils.set_random_seed(0)
    block = layers.TransformerEncoder(num_heads=2, key_dim=4, ff_dim=16, dropout=0.0)
    x = np.random.default_rng(2).standard_normal((1, 4, 8)).astype("float32")
    padded = np.concatenate([x, np.full((1, 3, 8), 5.0, "float32")], axis=1)
    mask = np.array([[True] * 4 + [False] * 3])
    short = np.asarray(block(x))
    long = np.asarray(block(padded, mask=mask))[:, :4]
    np.testing.assert_allclose(short, long, atol=1e-5)
    unmasked = np.asarray(block(padded))[:, :4]
    assert np.abs(unmasked - short).max() > 1e-3  # without the mask the padding leaks in


def test_without_positions_the_block_is_permutation_equivariant():
    keras.utils.set_random_seed(0)
    block = layers.TransformerEncoder(num_heads=2, key_dim=4, ff_dim=16, dropout=0.0)
    x = np.random.default_rng(3).standard_normal((1, 6, 8)).astype("float32")
    order = np.array([3, 0, 5, 1, 4, 2])
    np.testing.assert_allclose(
        np.asarray(block(x[:, order])), np.asarray(block(x))[:, order], atol=1e-5
    )


def test_causal_block_ignores_the_future():
    keras.utils.set_random_seed(0)
    block = layers.TransformerEncoder(num_heads=1, key_dim=4, ff_dim=8, dropout=0.0, causal=True)
    x = np.random.default_rng(4).standard_normal((1, 5, 4)).astype("float32")
    changed = x.copy()
    changed[:, 3:] += 1.0
    np.testing.assert_allclose(
        np.asarray(block(x))[:, :3], np.asarray(block(changed))[:, :3], atol=1e-5
    )


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"num_heads": 0, "key_dim": 4, "ff_dim": 8}, "num_heads"),
        ({"num_heads": 2, "key_dim": 4.0, "ff_dim": 8}, "key_dim"),
        ({"num_heads": 2, "key_dim": 4, "ff_dim": 8, "dropout": 1.0}, "dropout"),
    ],
)
def test_bad_sizes_are_named(kwargs, word):
    with pytest.raises(ValueError, match=word):
        layers.TransformerEncoder(**kwargs)


def test_a_model_with_both_layers_saves_and_loads(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(20, 8, mask_zero=True),
            layers.PositionalEncoding(),
            layers.TransformerEncoder(2, 4, 16),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1),
        ]
    )
    tokens = np.array([[3, 4, 5, 0, 0], [7, 1, 2, 9, 11]])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(tokens)), np.asarray(model(tokens)), atol=1e-6)


def test_positional_encoding_can_scale_the_embeddings_by_sqrt_d():
    x = np.random.default_rng(0).standard_normal((2, 7, 16)).astype("float32")
    out = np.asarray(layers.PositionalEncoding(scale_inputs=True)(x))
    np.testing.assert_allclose(out, 4.0 * x + positional_encoding(7, 16), atol=1e-5)
    with pytest.raises(ValueError, match="scale_inputs"):
        layers.PositionalEncoding(scale_inputs="yes")


def _layer_norm(x, gamma, beta, epsilon=1e-6):
    mean, variance = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + epsilon) * gamma + beta


def _decoder_inputs(seed=5):
    rng = np.random.default_rng(seed)
    target = rng.standard_normal((2, 5, 8)).astype("float32")
    context = rng.standard_normal((2, 6, 8)).astype("float32")
    context_mask = np.array([[True] * 6, [True] * 3 + [False] * 3])
    return target, context, context_mask


def test_decoder_block_is_its_three_sublayers_in_numpy():
    keras.utils.set_random_seed(0)
    block = layers.TransformerDecoder(num_heads=2, key_dim=4, ff_dim=16, dropout=0.0)
    y, context, context_mask = _decoder_inputs()
    out = np.asarray(block(y, context, context_mask=context_mask))
    norms = [norm.get_weights() for norm in block.norms]
    a, _ = multi_head_attention(y, y, y, *block.self_attention.get_weights(), mask=causal_mask(5))
    a = _layer_norm(y + a, *norms[0])
    c, weights = multi_head_attention(
        a, context, context, *block.cross_attention.get_weights(), mask=context_mask[:, None]
    )
    c = _layer_norm(a + c, *norms[1])
    w1, b1 = block.hidden.get_weights()
    w2, b2 = block.project.get_weights()
    expected = _layer_norm(c + np.maximum(c @ w1 + b1, 0) @ w2 + b2, *norms[2])
    np.testing.assert_allclose(out, expected, atol=1e-4)
    keras_weights = np.asarray(block.cross_attention_weights(y, context, context_mask))
    np.testing.assert_allclose(keras_weights, weights, atol=1e-5)  # (B, N, T, S)
    assert np.all(keras_weights[1, :, :, 3:] == 0)  # padded source steps get nothing


def test_decoder_ignores_future_targets_and_padded_sources():
    keras.utils.set_random_seed(0)
    block = layers.TransformerDecoder(num_heads=2, key_dim=4, ff_dim=16, dropout=0.0)
    y, context, context_mask = _decoder_inputs(6)
    out = np.asarray(block(y, context, context_mask=context_mask))
    later = y.copy()
    later[:, 3:] += 1.0
    np.testing.assert_allclose(
        np.asarray(block(later, context, context_mask=context_mask))[:, :3], out[:, :3], atol=1e-5
    )
    padding = context.copy()
    padding[1, 3:] = 7.0
    np.testing.assert_allclose(
        np.asarray(block(y, padding, context_mask=context_mask)), out, atol=1e-5
    )
    assert np.abs(np.asarray(block(y, padding)) - out).max() > 1e-3  # unmasked, padding leaks in
    with pytest.raises(ValueError, match="ff_dim"):
        layers.TransformerDecoder(2, 4, 0)


def test_an_encoder_decoder_with_the_blocks_saves_and_loads(tmp_path):
    keras.utils.set_random_seed(0)
    source = keras.Input((None,), dtype="int32")
    target = keras.Input((None,), dtype="int32")
    encoded = layers.PositionalEncoding(True)(keras.layers.Embedding(20, 8, mask_zero=True)(source))
    encoded = layers.TransformerEncoder(2, 4, 16)(encoded)
    decoded = layers.PositionalEncoding(True)(keras.layers.Embedding(20, 8, mask_zero=True)(target))
    decoded = layers.TransformerDecoder(2, 4, 16)(
        decoded, encoded, context_mask=keras.ops.not_equal(source, 0)
    )
    model = keras.Model([source, target], keras.layers.Dense(20)(decoded))
    inputs = [np.array([[3, 4, 5, 0], [6, 7, 8, 9]]), np.array([[2, 6, 0], [2, 11, 12]])]
    path = tmp_path / "seq2seq.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(inputs)), np.asarray(model(inputs)), atol=1e-6)


def test_pretrained_embedding_looks_up_base_plus_correction_and_masks_padding():
    table = np.arange(6 * 3, dtype="float32").reshape(6, 3)
    layer = layers.PretrainedEmbedding(6, 3, tuned_rows=4, initial=table)
    ids = np.array([[1, 5, 3, 0]])
    np.testing.assert_allclose(np.asarray(layer(ids))[0], table[[1, 5, 3, 0]])
    layer.delta.assign(np.ones((4, 3), "float32"))
    out = np.asarray(layer(ids))[0]
    np.testing.assert_allclose(out[[0, 2, 3]], table[[1, 3, 0]] + 1)  # rows below tuned_rows
    np.testing.assert_allclose(out[1], table[5])  # row 5 has no correction
    np.testing.assert_allclose(layer.rows(), np.vstack([table[:4] + 1, table[4:]]))
    assert np.asarray(layer.compute_mask(ids)).tolist() == [[True, True, True, False]]
    assert [w.name for w in layer.trainable_weights] == ["delta"]


def test_pretrained_embedding_trains_only_the_correction_of_the_rows_it_reads(tmp_path):
    keras.utils.set_random_seed(0)
    table = np.random.default_rng(0).standard_normal((8, 4)).astype("float32")
    ids = keras.Input((None,), dtype="int32")
    x = layers.PretrainedEmbedding(8, 4, tuned_rows=5, initial=table, name="embedding")(ids)
    model = keras.Model(ids, keras.layers.Dense(1)(keras.layers.GRU(2)(x)))
    model.compile(keras.optimizers.SGD(0.5), "mse")
    x_train = np.array([[1, 2, 6, 0], [2, 6, 0, 0]])  # rows 1, 2 (tuned) and 6 (not)
    model.fit(x_train, np.array([[1.0], [-1.0]]), epochs=3, verbose=0)
    rows = model.get_layer("embedding").rows()
    moved = np.abs(rows - table).max(axis=1) > 0
    assert moved.tolist() == [False, True, True, False, False, False, False, False]
    # Padding is masked: more of it changes nothing.
    probe = np.array([[1, 6, 0]])
    longer = np.array([[1, 6, 0, 0, 0, 0]])
    np.testing.assert_allclose(np.asarray(model(probe)), np.asarray(model(longer)), atol=1e-6)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.get_layer("embedding").rows(), rows)
    np.testing.assert_allclose(np.asarray(loaded(probe)), np.asarray(model(probe)), atol=1e-6)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 3, 1), "input_dim"),
        ((5, 3, 0), "tuned_rows"),
        ((5, 3, 6), "tuned_rows"),
    ],
)
def test_pretrained_embedding_rejects_bad_sizes(args, message):
    with pytest.raises(ValueError, match=message):
        layers.PretrainedEmbedding(*args)
    with pytest.raises(ValueError, match="shape"):
        layers.PretrainedEmbedding(5, 3, 2, initial=np.zeros((4, 3)))
