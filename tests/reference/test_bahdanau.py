"""Bahdanau's attention from scratch against the course's Keras layers (seqcourse.models.attention):
the additive score with learned W_q, W_k, v and its backward pass, the decoder that queries with
s_{t-1} and feeds the context into its GRU, forward and BPTT, against tf.GradientTape and centred
differences; and Nadaraya-Watson kernel regression against its formula."""

import numpy as np
import pytest
import tensorflow as tf

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse import reference as ref
from seqcourse.models.attention import BahdanauAttention, BahdanauDecoder
from tests.reference.helpers import GRADIENT_CHECK_TOLERANCE, assert_close

# Keras warns that a softmax over one key is always 1: that is the point of the S = 1 cases.
pytestmark = pytest.mark.filterwarnings("ignore:You are using a softmax over axis:UserWarning")

# (B, Tq, Tk, dq, dk, dv, da)
ATTENTION_SHAPES = [(1, 1, 1, 2, 3, 2, 2), (2, 3, 5, 4, 6, 3, 5), (3, 4, 2, 3, 3, 1, 4)]


def _key_mask(rng, batch, steps):
    lengths = rng.integers(1, steps + 1, batch)
    return np.arange(steps)[None, :] < lengths[:, None]


def _attention_case(shape, dtype=np.float32, seed=0):
    batch, tq, tk, dq, dk, dv, da = shape
    rng = np.random.default_rng([*shape, seed])
    return {
        "query": rng.normal(size=(batch, tq, dq)).astype(dtype),
        "key": rng.normal(size=(batch, tk, dk)).astype(dtype),
        "value": rng.normal(size=(batch, tk, dv)).astype(dtype),
        "query_kernel": rng.normal(0, 0.6, (dq, da)).astype(dtype),
        "key_kernel": rng.normal(0, 0.6, (dk, da)).astype(dtype),
        "scale": rng.normal(size=da).astype(dtype),
        "mask": _key_mask(rng, batch, tk),
        "d_context": rng.normal(size=(batch, tq, dv)).astype(dtype),
        "d_weights": rng.normal(size=(batch, tq, tk)).astype(dtype),
    }


def _keras_attention(case):
    layer = BahdanauAttention(case["query_kernel"].shape[1])
    layer.build(case["query"].shape, case["key"].shape)
    layer.set_weights([case["query_kernel"], case["key_kernel"], case["scale"]])
    return layer


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("shape", ATTENTION_SHAPES, ids=str)
def test_bahdanau_attention_layer_matches_the_reference_forward_and_backward(shape, masked):
    case = _attention_case(shape)
    mask = case["mask"] if masked else None
    layer = _keras_attention(case)
    inputs = [tf.constant(case[name]) for name in ("query", "key", "value")]
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        context, weights = layer(*inputs, key_mask=mask)
        loss = tf.reduce_sum(context * case["d_context"]) + tf.reduce_sum(
            weights * case["d_weights"]
        )
    expected = tape.gradient(loss, [*inputs, *layer.trainable_variables])
    ours_context, ours_weights = ref.additive_attention(
        case["query"],
        case["key"],
        case["value"],
        case["scale"],
        mask,
        case["query_kernel"],
        case["key_kernel"],
    )
    assert_close(ours_context, np.asarray(context), what="context")
    assert_close(ours_weights, np.asarray(weights), what="weights")
    grads = ref.additive_attention_backward(
        case["query"],
        case["key"],
        case["value"],
        case["d_context"],
        case["scale"],
        mask,
        case["query_kernel"],
        case["key_kernel"],
        d_weights=case["d_weights"],
    )
    names = ["query", "key", "value", "query_kernel", "key_kernel", "scale"]
    for name, keras_grad in zip(names, expected, strict=True):
        assert_close(grads[name], np.asarray(keras_grad), what=f"d{name}")
    if masked:  # a padded key gets weight 0 and no gradient through the scores
        padded = ~np.broadcast_to(mask[:, None, :], ours_weights.shape)
        assert ours_weights[padded].max(initial=0.0) < 1e-6


@pytest.mark.parametrize("projected", [False, True])
def test_additive_attention_backward_numerical_gradient_check(projected):
    shape = (2, 3, 4, 3, 3, 2, 3)
    case = _attention_case(shape, dtype=np.float64, seed=1)
    kernels = ("query_kernel", "key_kernel") if projected else ()
    arrays = {name: case[name] for name in ("query", "key", "value", "scale", *kernels)}

    def loss(_):
        context, weights = ref.additive_attention(
            arrays["query"],
            arrays["key"],
            arrays["value"],
            arrays["scale"],
            case["mask"],
            arrays.get("query_kernel"),
            arrays.get("key_kernel"),
        )
        return np.sum(context * case["d_context"]) + np.sum(weights * case["d_weights"])

    grads = ref.additive_attention_backward(
        arrays["query"],
        arrays["key"],
        arrays["value"],
        case["d_context"],
        arrays["scale"],
        case["mask"],
        arrays.get("query_kernel"),
        arrays.get("key_kernel"),
        d_weights=case["d_weights"],
    )
    assert set(grads) == {"query", "key", "value", "scale", *kernels}
    for name, array in arrays.items():
        error = ref.rel_error(grads[name], ref.numerical_gradient(loss, array))
        assert error < GRADIENT_CHECK_TOLERANCE, f"d{name}: rel_error {error:.2e}"


# (B, T, S, E, D, H, da)
DECODER_SHAPES = [(1, 1, 1, 2, 2, 3, 2), (2, 4, 5, 3, 4, 5, 3), (3, 3, 2, 2, 6, 4, 4)]


def _decoder_case(shape, dtype=np.float32, seed=0):
    batch, steps, source_steps, embed, depth, units, da = shape
    rng = np.random.default_rng([*shape, seed])
    target_lengths = rng.integers(1, steps + 1, batch)
    return {
        "embedded": rng.normal(size=(batch, steps, embed)).astype(dtype),
        "initial_state": rng.normal(0, 0.5, (batch, units)).astype(dtype),
        "encoder_outputs": rng.normal(size=(batch, source_steps, depth)).astype(dtype),
        "query_kernel": rng.normal(0, 0.6, (units, da)).astype(dtype),
        "key_kernel": rng.normal(0, 0.6, (depth, da)).astype(dtype),
        "scale": rng.normal(size=da).astype(dtype),
        "kernel": rng.uniform(-0.6, 0.6, (embed + depth, 3 * units)).astype(dtype),
        "recurrent_kernel": rng.uniform(-0.6, 0.6, (units, 3 * units)).astype(dtype),
        "bias": rng.uniform(-0.6, 0.6, (2, 3 * units)).astype(dtype),
        "source_mask": _key_mask(rng, batch, source_steps),
        "mask": np.arange(steps)[None, :] < target_lengths[:, None],
        "d_states": rng.normal(size=(batch, steps, units)).astype(dtype),
        "d_contexts": rng.normal(size=(batch, steps, depth)).astype(dtype),
        "d_last": rng.normal(size=(batch, units)).astype(dtype),
    }


WEIGHT_NAMES = ("query_kernel", "key_kernel", "scale", "kernel", "recurrent_kernel", "bias")


def _reference_args(case):
    return [case[name] for name in ("embedded", "initial_state", "encoder_outputs")] + [
        case[name] for name in WEIGHT_NAMES
    ]


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("shape", DECODER_SHAPES, ids=str)
def test_bahdanau_decoder_matches_the_keras_layer_forward_and_backward(shape, masked):
    case = _decoder_case(shape)
    source_mask = case["source_mask"] if masked else np.ones_like(case["source_mask"])
    mask = case["mask"] if masked else None
    layer = BahdanauDecoder(shape[5], shape[6])
    inputs = [tf.constant(case[n]) for n in ("embedded", "initial_state", "encoder_outputs")]
    layer(*inputs, tf.constant(source_mask))  # build
    # Keras's order: the GRU cell's weights, then the attention's
    layer.set_weights([case[n] for n in ("kernel", "recurrent_kernel", "bias", *WEIGHT_NAMES[:3])])
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        states, contexts, weights, last = layer(
            *inputs, tf.constant(source_mask), mask=None if mask is None else tf.constant(mask)
        )
        loss = (
            tf.reduce_sum(states * case["d_states"])
            + tf.reduce_sum(contexts * case["d_contexts"])
            + tf.reduce_sum(last * case["d_last"])
        )
    variables = {v.name: v for v in layer.trainable_variables}
    keras_names = {"kernel": "kernel", "recurrent_kernel": "recurrent_kernel", "bias": "bias"}
    keras_names.update(query_kernel="query_kernel", key_kernel="key_kernel", scale="score_vector")
    sources = [*inputs, *(variables[keras_names[n]] for n in WEIGHT_NAMES)]
    expected = tape.gradient(loss, sources)

    ours = ref.bahdanau_decoder_forward(*_reference_args(case), source_mask=source_mask, mask=mask)
    for what, a, b in zip(
        ("states", "contexts", "weights", "last"),
        ours,
        (states, contexts, weights, last),
        strict=True,
    ):
        assert_close(a, np.asarray(b), what=what)
    grads = ref.bahdanau_decoder_backward(
        *_reference_args(case),
        case["d_states"],
        source_mask=source_mask,
        mask=mask,
        d_contexts=case["d_contexts"],
        d_last=case["d_last"],
    )
    names = ["embedded", "initial_state", "encoder_outputs", *WEIGHT_NAMES]
    for name, keras_grad in zip(names, expected, strict=True):
        assert_close(grads[name], np.asarray(keras_grad), tolerance=2e-5, what=f"d{name}")


def test_bahdanau_decoder_backward_numerical_gradient_check():
    case = _decoder_case((2, 3, 4, 2, 3, 3, 2), dtype=np.float64, seed=2)
    names = ["embedded", "initial_state", "encoder_outputs", *WEIGHT_NAMES]

    def loss(_):
        states, contexts, _, last = ref.bahdanau_decoder_forward(
            *_reference_args(case), source_mask=case["source_mask"], mask=case["mask"]
        )
        return (
            np.sum(states * case["d_states"])
            + np.sum(contexts * case["d_contexts"])
            + np.sum(last * case["d_last"])
        )

    _, _, _, _, cache = ref.bahdanau_decoder_forward(
        *_reference_args(case),
        source_mask=case["source_mask"],
        mask=case["mask"],
        return_cache=True,
    )
    grads = ref.bahdanau_decoder_backward(
        *_reference_args(case),
        case["d_states"],
        source_mask=case["source_mask"],
        mask=case["mask"],
        d_contexts=case["d_contexts"],
        d_last=case["d_last"],
        cache=cache,
    )
    for name in names:
        error = ref.rel_error(grads[name], ref.numerical_gradient(loss, case[name]))
        assert error < GRADIENT_CHECK_TOLERANCE, f"d{name}: rel_error {error:.2e}"


def test_bahdanau_decoder_queries_with_the_previous_state():
    """Step 1's weights depend on s_0 alone: changing the first embedded token changes s_1 but not
    alpha_1, and alpha_2 reads s_1."""
    case = _decoder_case((2, 3, 4, 2, 3, 3, 2), dtype=np.float64)
    _, _, weights, _ = ref.bahdanau_decoder_forward(*_reference_args(case))
    case["embedded"] = case["embedded"].copy()
    case["embedded"][:, 0] += 1.0
    _, _, changed, _ = ref.bahdanau_decoder_forward(*_reference_args(case))
    np.testing.assert_allclose(changed[:, 0], weights[:, 0], rtol=1e-12)
    assert np.abs(changed[:, 1] - weights[:, 1]).max() > 1e-6


def test_bahdanau_decoder_rejects_bad_shapes():
    case = _decoder_case((2, 3, 4, 2, 3, 3, 2), dtype=np.float64)
    args = _reference_args(case)
    with pytest.raises(ValueError, match="kernel"):
        ref.bahdanau_decoder_forward(*args[:6], args[6][:-1], *args[7:])  # (E + D - 1, 3H)
    with pytest.raises(ValueError, match="initial_state"):
        ref.bahdanau_decoder_forward(args[0], None, *args[2:])
    with pytest.raises(ValueError, match="encoder_outputs"):
        ref.bahdanau_decoder_forward(args[0], args[1], args[2][:1], *args[3:])
    with pytest.raises(ValueError, match="d_states"):
        ref.bahdanau_decoder_backward(*args, case["d_states"][:, :1])


def test_nadaraya_watson_is_the_kernel_weighted_average():
    rng = np.random.default_rng(3)
    keys, values, queries = rng.uniform(0, 5, 7), rng.normal(size=7), rng.uniform(0, 5, 4)
    estimates, weights = ref.nadaraya_watson(queries, keys, values, bandwidth=0.7)
    kernel = np.exp(-((queries[:, None] - keys[None, :]) ** 2) / (2 * 0.7**2))
    np.testing.assert_allclose(weights, kernel / kernel.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(estimates, weights @ values, rtol=1e-12)
    wide, _ = ref.nadaraya_watson(queries, keys, values, bandwidth=1e4)
    np.testing.assert_allclose(wide, values.mean(), rtol=1e-6)  # a huge h: the plain mean
    narrow, _ = ref.nadaraya_watson(keys, keys, values, bandwidth=1e-3)
    np.testing.assert_allclose(narrow, values, rtol=1e-9)  # a tiny h: the nearest key's value
    two_columns, _ = ref.nadaraya_watson(queries, keys, np.stack([values, 2 * values], 1), 0.7)
    np.testing.assert_allclose(two_columns, np.stack([estimates, 2 * estimates], 1), rtol=1e-12)
    with pytest.raises(ValueError, match="bandwidth"):
        ref.nadaraya_watson(queries, keys, values, bandwidth=0.0)
    with pytest.raises(ValueError, match="values"):
        ref.nadaraya_watson(queries, keys, values[:3], bandwidth=1.0)
