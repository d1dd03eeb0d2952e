"""Attention from scratch against keras.layers.Attention (dot, with and without scale),
AdditiveAttention, MultiHeadAttention and keras.ops.dot_product_attention, plus the positional
encoding against its formula."""

import functools
import math

import keras
import numpy as np
import pytest

from seqcourse import reference as ref
from tests.reference.helpers import assert_close

# Keras warns that a softmax over one key is always 1: that is the point of the Tk = 1 cases.
pytestmark = pytest.mark.filterwarnings("ignore:You are using a softmax over axis:UserWarning")

# (B, Tq, Tk, d, dv): B = 1 and Tq = 1 included.
SHAPES = [(1, 1, 1, 2, 3), (2, 3, 5, 4, 2), (3, 6, 4, 3, 5), (1, 4, 7, 5, 1)]


def _random_key_mask(rng, batch, key_steps):
    """(B, Tk) booleans with at least one True per row (Keras's value mask)."""
    mask = rng.random((batch, key_steps)) < 0.6
    mask[np.arange(batch), rng.integers(0, key_steps, batch)] = True
    return mask


def _inputs(rng, shape):
    batch, query_steps, key_steps, depth, value_depth = shape
    query = rng.normal(size=(batch, query_steps, depth)).astype(np.float32)
    key = rng.normal(size=(batch, key_steps, depth)).astype(np.float32)
    value = rng.normal(size=(batch, key_steps, value_depth)).astype(np.float32)
    return query, key, value


def _shape_id(shape):
    return "x".join(map(str, shape))


@functools.cache
def keras_attention(kind, use_scale):
    layer_class = keras.layers.Attention if kind == "dot" else keras.layers.AdditiveAttention
    return layer_class(use_scale=use_scale)


@pytest.mark.parametrize("use_scale", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("shape", SHAPES, ids=_shape_id)
def test_dot_attention_matches_keras_attention(shape, masked, use_scale):
    rng = np.random.default_rng([*shape, masked, use_scale])
    query, key, value = _inputs(rng, shape)
    layer = keras.layers.Attention(use_scale=use_scale)
    layer.build([query.shape, value.shape, key.shape])
    scale = None
    if use_scale:
        scale = np.float32(rng.uniform(0.3, 1.5))
        layer.set_weights([np.array(scale)])
    mask = _random_key_mask(rng, shape[0], shape[2]) if masked else None
    keras_mask = None if mask is None else [None, mask]
    expected, expected_weights = layer(
        [query, value, key], mask=keras_mask, return_attention_scores=True
    )
    context, weights = ref.dot_attention(query, key, value, mask=mask, scale=scale)
    assert_close(context, np.asarray(expected), what="context")
    assert_close(weights, np.asarray(expected_weights), what="weights")


@pytest.mark.parametrize("shape", SHAPES[1:], ids=_shape_id)
def test_dot_attention_with_a_causal_mask_matches_keras(shape):
    rng = np.random.default_rng(list(shape))
    query, key, value = _inputs(rng, shape)
    layer = keras.layers.Attention()
    expected = layer([query, value, key], use_causal_mask=True)
    mask = ref.causal_mask(shape[1], shape[2])[None]  # (1, Tq, Tk): the same for every sequence
    context, _ = ref.dot_attention(query, key, value, mask=mask)
    assert_close(context, np.asarray(expected))


@pytest.mark.parametrize("shape", SHAPES, ids=_shape_id)
def test_general_attention_is_keras_attention_on_the_projected_query(shape):
    rng = np.random.default_rng(list(shape))
    batch, query_steps, key_steps, depth, value_depth = shape
    query = rng.normal(size=(batch, query_steps, depth + 1)).astype(np.float32)
    _, key, value = _inputs(rng, shape)
    weight = rng.normal(size=(depth + 1, depth)).astype(np.float32)
    projection = keras.layers.Dense(depth, use_bias=False)
    projection.build(query.shape)
    projection.set_weights([weight])
    mask = _random_key_mask(rng, batch, key_steps)
    expected, expected_weights = keras.layers.Attention()(
        [projection(query), value, key], mask=[None, mask], return_attention_scores=True
    )
    context, weights = ref.general_attention(query, key, value, weight, mask=mask)
    assert_close(context, np.asarray(expected))
    assert_close(weights, np.asarray(expected_weights))


@pytest.mark.parametrize("use_scale", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("shape", SHAPES, ids=_shape_id)
def test_additive_attention_matches_keras(shape, masked, use_scale):
    rng = np.random.default_rng([*shape, masked, use_scale, 1])
    query, key, value = _inputs(rng, shape)
    layer = keras.layers.AdditiveAttention(use_scale=use_scale)
    layer.build([query.shape, value.shape, key.shape])
    scale = None
    if use_scale:
        scale = rng.normal(size=shape[3]).astype(np.float32)
        layer.set_weights([scale])
    mask = _random_key_mask(rng, shape[0], shape[2]) if masked else None
    keras_mask = None if mask is None else [None, mask]
    expected, expected_weights = layer(
        [query, value, key], mask=keras_mask, return_attention_scores=True
    )
    context, weights = ref.additive_attention(query, key, value, scale=scale, mask=mask)
    assert_close(context, np.asarray(expected), what="context")
    assert_close(weights, np.asarray(expected_weights), what="weights")


def test_bahdanau_attention_with_projections_matches_dense_then_additive_attention():
    rng = np.random.default_rng(8)
    batch, query_steps, key_steps = 2, 3, 5
    query = rng.normal(size=(batch, query_steps, 4)).astype(np.float32)
    key = rng.normal(size=(batch, key_steps, 6)).astype(np.float32)
    value = rng.normal(size=(batch, key_steps, 2)).astype(np.float32)
    query_kernel = rng.normal(0, 0.5, (4, 3)).astype(np.float32)
    key_kernel = rng.normal(0, 0.5, (6, 3)).astype(np.float32)
    scale = rng.normal(size=3).astype(np.float32)
    layer = keras.layers.AdditiveAttention(use_scale=True)
    layer.build([(batch, query_steps, 3), (batch, key_steps, 2), (batch, key_steps, 3)])
    layer.set_weights([scale])
    expected = layer([query @ query_kernel, value, key @ key_kernel])
    context, weights = ref.additive_attention(
        query, key, value, scale=scale, query_kernel=query_kernel, key_kernel=key_kernel
    )
    assert_close(context, np.asarray(expected))
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("masked", [False, True])
def test_scaled_dot_product_attention_matches_keras_ops(masked):
    rng = np.random.default_rng(masked)
    batch, heads, query_steps, key_steps, depth, value_depth = 2, 3, 4, 6, 5, 2
    q = rng.normal(size=(batch, heads, query_steps, depth)).astype(np.float32)
    k = rng.normal(size=(batch, heads, key_steps, depth)).astype(np.float32)
    v = rng.normal(size=(batch, heads, key_steps, value_depth)).astype(np.float32)
    mask = None
    if masked:
        mask = _random_key_mask(rng, batch * query_steps, key_steps).reshape(
            batch, 1, query_steps, key_steps
        )
    # keras.ops takes (B, T, heads, depth)
    expected = keras.ops.dot_product_attention(
        q.transpose(0, 2, 1, 3), k.transpose(0, 2, 1, 3), v.transpose(0, 2, 1, 3), mask=mask
    )
    output, weights = ref.scaled_dot_product_attention(q, k, v, mask=mask)
    assert_close(output, np.asarray(expected).transpose(0, 2, 1, 3))
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-6)
    if masked:
        assert np.all(weights[~np.broadcast_to(mask, weights.shape)] < 1e-30)


def test_scaled_dot_product_attention_is_the_formula():
    rng = np.random.default_rng(2)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    scores = q @ k.T / 2.0  # sqrt(4)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True) @ v
    output, _ = ref.scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(output, expected, rtol=1e-12)
    causal, weights = ref.scaled_dot_product_attention(q, k[:3], v[:3], mask=ref.causal_mask(3))
    np.testing.assert_allclose(causal[0], v[0], rtol=1e-12)  # the first query sees only key 0
    assert np.allclose(np.triu(weights, 1), 0.0)


MHA_CASES = [
    # (B, Tq, Tk, d_query, d_key_value, heads, key_dim, value_dim)
    (1, 1, 1, 2, 2, 1, 1, 1),
    (2, 4, 4, 6, 6, 2, 3, 3),
    (3, 3, 5, 4, 7, 3, 2, 4),
]


@pytest.mark.parametrize("masked", ["none", "random", "causal"])
@pytest.mark.parametrize("case", MHA_CASES, ids=_shape_id)
def test_multi_head_attention_matches_keras(case, masked):
    batch, query_steps, key_steps, query_dim, kv_dim, heads, key_dim, value_dim = case
    rng = np.random.default_rng(list(case))
    layer = keras.layers.MultiHeadAttention(heads, key_dim, value_dim=value_dim)
    query = rng.normal(size=(batch, query_steps, query_dim)).astype(np.float32)
    key = rng.normal(size=(batch, key_steps, kv_dim)).astype(np.float32)
    value = rng.normal(size=(batch, key_steps, kv_dim)).astype(np.float32)
    layer(query, value, key)  # build
    weights = [rng.normal(0, 0.5, w.shape).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(weights)

    kwargs, mask = {}, None
    if masked == "random":
        mask = _random_key_mask(rng, batch * query_steps, key_steps).reshape(
            batch, query_steps, key_steps
        )
        kwargs["attention_mask"] = mask
    elif masked == "causal":
        kwargs["use_causal_mask"] = True
        mask = ref.causal_mask(query_steps, key_steps)

    expected, expected_weights = layer(query, value, key, return_attention_scores=True, **kwargs)
    expected_fused = layer(query, value, key, **kwargs)  # Keras's fused dot_product_attention path
    output, attention_weights = ref.multi_head_attention(query, key, value, *weights, mask=mask)
    assert output.shape == (batch, query_steps, query_dim)
    assert attention_weights.shape == (batch, heads, query_steps, key_steps)
    assert_close(output, np.asarray(expected), what="output")
    assert_close(output, np.asarray(expected_fused), what="output (fused path)")
    assert_close(attention_weights, np.asarray(expected_weights), what="weights")


@pytest.mark.parametrize(("length", "depth"), [(1, 1), (5, 4), (50, 16), (7, 9)])
def test_positional_encoding_is_the_sinusoid_of_vaswani_et_al(length, depth):
    encoding = ref.positional_encoding(length, depth)
    assert encoding.shape == (length, depth)
    assert encoding.dtype == np.float32
    for position in range(length):
        for column in range(depth):
            i = column // 2
            angle = position / 10000 ** (2 * i / depth)
            expected = math.sin(angle) if column % 2 == 0 else math.cos(angle)
            assert encoding[position, column] == pytest.approx(expected, abs=1e-6)
    np.testing.assert_array_equal(encoding[0, 0::2], 0.0)  # sin(0)
    np.testing.assert_array_equal(encoding[0, 1::2], 1.0)  # cos(0)


def test_positional_encoding_offsets_are_rotations():
    """PE[p + k] is a fixed linear map of PE[p] (a rotation per pair of columns), for every p."""
    depth, offset = 8, 3
    encoding = ref.positional_encoding(40, depth, dtype=np.float64)
    for i in range(depth // 2):
        angle = offset / 10000 ** (2 * i / depth)
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        pair = encoding[:, 2 * i : 2 * i + 2]
        np.testing.assert_allclose(pair[:-offset] @ rotation, pair[offset:], atol=1e-12)


def test_causal_mask():
    np.testing.assert_array_equal(
        ref.causal_mask(3), [[True, False, False], [True, True, False], [True, True, True]]
    )
    assert ref.causal_mask(2, 4).tolist() == [
        [True, False, False, False],
        [True, True, False, False],
    ]
