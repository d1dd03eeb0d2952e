"""Attention from scratch: Bahdanau (additive), Luong (dot, general), scaled dot-product and
multi-head attention, and the sinusoidal positional encoding of the Transformer.

Every attention function takes ``(query, key, value, ...)`` in that order and returns
``(context, weights)``: for each query position, the weights are a softmax over the key positions
and the context is the weighted average of the values. Keras's ``Attention`` layers take their
inputs in the order ``[query, value, key]``, and ``MultiHeadAttention`` as ``(query, value, key)``;
here the order is the textbook one.

Masks are boolean, True where a query may attend to a key (Keras's convention). A masked score is
lowered by 1e9 before the softmax, as Keras does, so its weight is zero.
"""

import numpy as np

from seqcourse.reference import _validate
from seqcourse.reference.numerics import softmax

MASKED_SCORE_OFFSET = 1e9  # what Keras subtracts from a masked score


def _attend(scores, value, mask):
    """Masked softmax of the scores (..., Tq, Tk) over the keys, then the weighted sum of the values
    (..., Tk, dv). Returns the context (..., Tq, dv) and the weights (..., Tq, Tk)."""
    if mask is not None:
        scores = np.where(mask, scores, scores - MASKED_SCORE_OFFSET)
    weights = softmax(scores, axis=-1)  # alpha_ij = exp(e_ij) / sum_k exp(e_ik)
    context = weights @ value  # c_i = sum_j alpha_ij v_j
    return context, weights


def dot_attention(query, key, value, mask=None, scale=None):
    """Luong's dot attention: score(q_i, k_j) = q_i . k_j, like ``keras.layers.Attention()``.

    Args:
        query: shape (B, Tq, d).
        key: shape (B, Tk, d).
        value: shape (B, Tk, dv).
        mask: booleans, (B, Tk) (Keras's value mask) or (B, Tq, Tk); True where attention is
            allowed.
        scale: a number multiplying every score, Keras's learned scalar with ``use_scale=True``;
            None for no scaling.

    Returns:
        ``(context, weights)``, shapes (B, Tq, dv) and (B, Tq, Tk).

    Chapter 12 shows it.
    """
    query, key, value = _validate.attention_inputs(query, key, value)
    # e_ij = q_i . k_j   (times a learned scalar with use_scale=True)
    scores = query @ key.swapaxes(-1, -2)
    if scale is not None:
        scores = scores * _validate.rank("scale", scale, ())
    mask = _validate.attention_mask(mask, scores.shape, key_mask=True)
    return _attend(scores, value, mask)


def general_attention(query, key, value, weight, mask=None):
    """Luong's general attention: score(q_i, k_j) = q_i W k_j^T.

    It is dot attention of the projected query q_i W against the keys; in Keras,
    ``Attention()([Dense(dk, use_bias=False)(query), value, key])``, the Dense kernel being W.

    Args:
        query: shape (B, Tq, dq).
        key: shape (B, Tk, dk).
        value: shape (B, Tk, dv).
        weight: W, shape (dq, dk).
        mask: booleans, (B, Tk) or (B, Tq, Tk); True where attention is allowed.

    Returns:
        ``(context, weights)``, shapes (B, Tq, dv) and (B, Tq, Tk).

    Chapter 12 uses it.
    """
    query, key, value = _validate.attention_inputs(query, key, value, same_depth=False)
    weight = _validate.shape(
        "weight",
        weight,
        ("dq", "dk"),
        (query.shape[-1], key.shape[-1]),
        " (query depth, key depth)",
    )
    # e_ij = q_i W k_j^T
    scores = (query @ weight) @ key.swapaxes(-1, -2)
    mask = _validate.attention_mask(mask, scores.shape, key_mask=True)
    return _attend(scores, value, mask)


def additive_attention(
    query, key, value, scale=None, mask=None, query_kernel=None, key_kernel=None
):
    """Bahdanau's additive attention: score(q_i, k_j) = v . tanh(q_i W_q + k_j W_k).

    Without ``query_kernel`` and ``key_kernel`` this is ``keras.layers.AdditiveAttention``, which
    leaves the projections W_q, W_k to Dense layers before it: score = sum(scale * tanh(q_i + k_j)).

    Args:
        query: shape (B, Tq, dq).
        key: shape (B, Tk, dk).
        value: shape (B, Tk, dv).
        scale: v, shape (da,): Keras's ``scale`` weight with ``use_scale=True``; None for all ones.
        mask: booleans, (B, Tk) or (B, Tq, Tk); True where attention is allowed.
        query_kernel: W_q, shape (dq, da), or None for none (then da = dq).
        key_kernel: W_k, shape (dk, da), or None for none (then da = dk).

    Returns:
        ``(context, weights)``, shapes (B, Tq, dv) and (B, Tq, Tk).

    Chapter 12 shows it.
    """
    query, key, value = _validate.attention_inputs(query, key, value, same_depth=False)
    if query_kernel is not None:
        query_kernel = _validate.projection("query_kernel", query_kernel, "query", query.shape[-1])
        query = query @ query_kernel  # q_i W_q, (B, Tq, da)
    if key_kernel is not None:
        key_kernel = _validate.projection(
            "key_kernel", key_kernel, "key", key.shape[-1], query.shape[-1]
        )
        key = key @ key_kernel  # k_j W_k, (B, Tk, da)
    query, key, value = _validate.attention_inputs(query, key, value)  # depths now agree
    if scale is None:
        scale = np.ones(query.shape[-1], dtype=query.dtype)
    scale = _validate.shape("scale", scale, ("da",), (query.shape[-1],))
    # e_ij = sum_a v_a tanh(q_ia + k_ja): every query against every key, shape (B, Tq, Tk, da)
    pairwise = np.tanh(query[:, :, None, :] + key[:, None, :, :])
    scores = np.sum(scale * pairwise, axis=-1)
    mask = _validate.attention_mask(mask, scores.shape, key_mask=True)
    return _attend(scores, value, mask)


def scaled_dot_product_attention(q, k, v, mask=None):
    """Scaled dot-product attention (Vaswani et al., 2017): softmax(q k^T / sqrt(d_k)) v.

    Works on any leading axes, e.g. one head (B, Tq, dk) or N heads (B, N, Tq, dk): heads before
    time, the head-major layout in which each head holds a whole sequence. (Keras's
    ``keras.ops.dot_product_attention`` takes (B, Tq, N, dk) instead, time before heads, each step
    holding the vectors of all its heads: swap axes 1 and 2 to go from one to the other.)

    Args:
        q: queries, shape (..., Tq, dk).
        k: keys, shape (..., Tk, dk).
        v: values, shape (..., Tk, dv).
        mask: booleans that broadcast (from the right) to (..., Tq, Tk), True where attention is
            allowed; e.g. ``causal_mask(T)`` for a decoder. None for no mask.

    Returns:
        ``(output, weights)``, shapes (..., Tq, dv) and (..., Tq, Tk).

    Chapter 13 shows it.
    """
    q, k, v = _validate.attention_stack(q, k, v)
    depth = q.shape[-1]
    # scores = q k^T / sqrt(d_k)
    scores = q @ k.swapaxes(-1, -2) / np.sqrt(depth)
    mask = _validate.attention_mask(mask, scores.shape)
    return _attend(scores, v, mask)


def multi_head_attention(
    query,
    key,
    value,
    query_kernel,
    query_bias,
    key_kernel,
    key_bias,
    value_kernel,
    value_bias,
    output_kernel,
    output_bias,
    mask=None,
):
    """Multi-head attention, as ``keras.layers.MultiHeadAttention`` computes it.

    head_n = softmax(Q_n K_n^T / sqrt(dk)) V_n, with Q_n = query W_q[n] + b_q[n] (and likewise K_n
    and V_n); the output is sum_n head_n W_o[n] + b_o. The weights come in the order of the Keras
    layer's ``get_weights()``, so ``multi_head_attention(q, k, v, *layer.get_weights())`` works.

    Args:
        query: shape (B, Tq, d_q).
        key: shape (B, Tk, d_k).
        value: shape (B, Tk, d_v).
        query_kernel: (d_q, N, dk) for N heads of key_dim dk; query_bias: (N, dk).
        key_kernel: (d_k, N, dk); key_bias: (N, dk).
        value_kernel: (d_v, N, dv) for value_dim dv; value_bias: (N, dv).
        output_kernel: (N, dv, d_out); output_bias: (d_out,). Keras's d_out is d_q by default.
        mask: booleans that broadcast to (B, Tq, Tk), Keras's ``attention_mask``; None for no mask.

    Returns:
        ``(output, weights)``, shapes (B, Tq, d_out) and (B, N, Tq, Tk) (the per-head attention
        weights, Keras's ``return_attention_scores=True``).

    Chapter 13 shows it.
    """
    query, key, value = _validate.attention_inputs(query, key, value, same_depth=False)
    query_kernel, query_bias = _validate.head_weights(
        "query", query_kernel, query_bias, query.shape[-1]
    )
    heads, key_dim = query_kernel.shape[1:]
    key_kernel, key_bias = _validate.head_weights(
        "key", key_kernel, key_bias, key.shape[-1], heads, key_dim
    )
    value_kernel, value_bias = _validate.head_weights(
        "value", value_kernel, value_bias, value.shape[-1], heads
    )
    value_dim = value_kernel.shape[2]
    output_kernel = _validate.rank("output_kernel", output_kernel, ("N", "dv", "d_out"))
    if output_kernel.shape[:2] != (heads, value_dim):
        raise ValueError(
            f"output_kernel must have shape (N, dv, d_out) = ({heads}, {value_dim}, d_out); "
            f"got {output_kernel.shape}"
        )
    output_bias = _validate.shape("output_bias", output_bias, ("d_out",), output_kernel.shape[2:])
    batch, query_steps, key_steps = query.shape[0], query.shape[1], key.shape[1]
    mask = _validate.attention_mask(mask, (batch, query_steps, key_steps))

    # Project into N heads: Q[b, n, t] = query[b, t] W_q[:, n] + b_q[n], shape (B, N, Tq, dk)
    q = np.einsum("btd,dnh->bnth", query, query_kernel) + query_bias[:, None, :]
    k = np.einsum("btd,dnh->bnth", key, key_kernel) + key_bias[:, None, :]  # (B, N, Tk, dk)
    v = np.einsum("btd,dnh->bnth", value, value_kernel) + value_bias[:, None, :]  # (B, N, Tk, dv)
    head_mask = None if mask is None else mask[:, None, :, :]  # the same mask for every head
    heads_output, weights = scaled_dot_product_attention(q, k, v, head_mask)  # (B, N, Tq, dv)
    # Combine the heads: output[b, t] = sum_n head_n[b, t] W_o[n] + b_o, shape (B, Tq, d_out)
    output = np.einsum("bnth,nho->bto", heads_output, output_kernel) + output_bias
    return output, weights


def causal_mask(query_steps, key_steps=None):
    """The mask of a decoder: query i may attend to keys 0..i only (Keras's ``use_causal_mask``).

    Args:
        query_steps: Tq.
        key_steps: Tk; Tq if None.

    Returns:
        Booleans of shape (Tq, Tk), True on and below the diagonal.

    Chapter 13 shows it.
    """
    key_steps = query_steps if key_steps is None else key_steps
    # allowed where key position j <= query position i
    return np.arange(key_steps)[None, :] <= np.arange(query_steps)[:, None]


def positional_encoding(length, depth, dtype=np.float32):
    """The sinusoidal positional encoding of Vaswani et al. (2017).

    PE[pos, 2i] = sin(pos / 10000^(2i / depth)) and PE[pos, 2i + 1] = cos(pos / 10000^(2i / depth)).

    Args:
        length: the number of positions T.
        depth: the model width d (odd values are allowed: the last column is then a sine).
        dtype: the result's dtype (float32, like Keras's inputs, by default).

    Returns:
        Array of shape (T, d), to be added to the (B, T, d) embeddings.

    Chapter 13 shows it.
    """
    if length < 1 or depth < 1:
        raise ValueError(f"length and depth must be at least 1; got length={length}, depth={depth}")
    positions = np.arange(length)[:, None]  # (T, 1)
    pair_index = np.arange(depth)[None, :] // 2  # i, shared by the columns 2i and 2i + 1
    angles = positions / 10000.0 ** (2 * pair_index / depth)  # pos / 10000^(2i / d), (T, d)
    is_even_column = np.arange(depth) % 2 == 0
    return np.where(is_even_column, np.sin(angles), np.cos(angles)).astype(dtype)
