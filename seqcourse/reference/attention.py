"""Attention from scratch: Nadaraya-Watson kernel regression, Bahdanau (additive, with its backward
pass and its decoder), Luong (dot, general), scaled dot-product and multi-head attention, and the
sinusoidal positional encoding of the Transformer.

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
from seqcourse.reference.gru import gru_backward, gru_step
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

    Chapter 12 shows it; chapter 16 uses it.
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


def additive_attention_backward(
    query,
    key,
    value,
    d_context,
    scale=None,
    mask=None,
    query_kernel=None,
    key_kernel=None,
    d_weights=None,
):
    """The backward pass of :func:`additive_attention`: gradients of a loss L with respect to every
    input and weight, given dL/d context (and optionally dL/d weights).

    With ``q' = q W_q``, ``k' = k W_k``, ``a_ijd = tanh(q'_id + k'_jd)``,
    ``e_ij = sum_d v_d a_ijd``, ``alpha = softmax_j(e)`` and ``c_i = sum_j alpha_ij value_j``::

        dvalue_j = sum_i alpha_ij dc_i             dalpha_ij = dc_i . value_j
        de_ij = alpha_ij (dalpha_ij - sum_l alpha_il dalpha_il)       (the softmax's Jacobian)
        dv_d = sum_ij de_ij a_ijd                  dpre_ijd = de_ij v_d (1 - a_ijd^2)
        dq'_i = sum_j dpre_ij    dk'_j = sum_i dpre_ij    dW_q = q^T dq'    dq = dq' W_q^T

    A masked key has weight 0, so it receives no gradient through the scores.

    Args:
        query, key, value, scale, mask, query_kernel, key_kernel: the forward pass's arguments.
        d_context: dL/d context, shape (B, Tq, dv).
        d_weights: dL/d weights, shape (B, Tq, Tk); zeros if None.

    Returns:
        A dict of gradients, each the shape of its argument: ``"query"``, ``"key"``, ``"value"``,
        ``"scale"`` (da,), and ``"query_kernel"`` and ``"key_kernel"`` when they were given.

    Chapter 12 uses it.
    """
    query, key, value = _validate.attention_inputs(query, key, value, same_depth=False)
    dtype = _validate.float_dtype(query, key, value)
    projected_q, projected_k = query, key
    if query_kernel is not None:
        query_kernel = _validate.projection("query_kernel", query_kernel, "query", query.shape[-1])
        projected_q = query @ query_kernel
    if key_kernel is not None:
        key_kernel = _validate.projection(
            "key_kernel", key_kernel, "key", key.shape[-1], projected_q.shape[-1]
        )
        projected_k = key @ key_kernel
    _validate.attention_inputs(projected_q, projected_k, value)  # depths now agree
    if scale is None:
        scale = np.ones(projected_q.shape[-1], dtype=dtype)
    scale = _validate.shape("scale", scale, ("da",), (projected_q.shape[-1],))
    batch, query_steps, key_steps = query.shape[0], query.shape[1], key.shape[1]
    d_context = _validate.upstream_gradient(
        "d_context", d_context, ("B", "Tq", "dv"), (batch, query_steps, value.shape[-1]), dtype
    )
    d_weights = _validate.upstream_gradient(
        "d_weights", d_weights, ("B", "Tq", "Tk"), (batch, query_steps, key_steps), dtype
    )

    # the forward pass again, keeping what the backward pass reads
    pairwise = np.tanh(projected_q[:, :, None, :] + projected_k[:, None, :, :])  # (B, Tq, Tk, da)
    scores = pairwise @ scale
    mask = _validate.attention_mask(mask, scores.shape, key_mask=True)
    _, weights = _attend(scores, value, mask)

    d_value = weights.swapaxes(-1, -2) @ d_context  # sum_i alpha_ij dc_i, (B, Tk, dv)
    d_alpha = d_context @ value.swapaxes(-1, -2) + d_weights  # dc_i . value_j, (B, Tq, Tk)
    # softmax: de_ij = alpha_ij (dalpha_ij - sum_l alpha_il dalpha_il)
    d_scores = weights * (d_alpha - np.sum(weights * d_alpha, axis=-1, keepdims=True))
    d_scale = np.einsum("bij,bijd->d", d_scores, pairwise)
    d_pre = d_scores[..., None] * scale * (1.0 - pairwise**2)  # through tanh, (B, Tq, Tk, da)
    d_projected_q, d_projected_k = d_pre.sum(axis=2), d_pre.sum(axis=1)
    grads = {"value": d_value, "scale": d_scale}
    if query_kernel is None:
        grads["query"] = d_projected_q
    else:
        grads["query"] = d_projected_q @ query_kernel.T
        grads["query_kernel"] = np.einsum("bti,bta->ia", query, d_projected_q)
    if key_kernel is None:
        grads["key"] = d_projected_k
    else:
        grads["key"] = d_projected_k @ key_kernel.T
        grads["key_kernel"] = np.einsum("bti,bta->ia", key, d_projected_k)
    return grads


def _decoder_inputs(embedded, initial_state, encoder_outputs, source_mask, mask, recurrent):
    embedded = _validate.rank("embedded", embedded, ("B", "T", "E"))
    batch, steps, _ = embedded.shape
    encoder_outputs = _validate.rank("encoder_outputs", encoder_outputs, ("B", "S", "D"))
    if encoder_outputs.shape[0] != batch:
        raise ValueError(
            f"encoder_outputs must have shape (B, S, D) with B = {batch} as embedded; got "
            f"{encoder_outputs.shape}"
        )
    kernel, recurrent_kernel, bias = recurrent
    *_, units = _validate.recurrent_weights(
        "GRU", kernel, recurrent_kernel, bias, embedded.shape[-1] + encoder_outputs.shape[-1]
    )
    if initial_state is None:
        raise ValueError("initial_state s_0 (B, H) is required: the decoder starts from it")
    dtype = _validate.float_dtype(embedded, encoder_outputs, kernel)
    initial_state = _validate.state("initial_state", initial_state, batch, units, dtype)
    if source_mask is not None:
        source_mask = _validate.mask(source_mask, batch, encoder_outputs.shape[1])
    mask = np.ones((batch, steps), bool) if mask is None else _validate.mask(mask, batch, steps)
    return embedded, initial_state, encoder_outputs, source_mask, mask


def bahdanau_decoder_forward(
    embedded,
    initial_state,
    encoder_outputs,
    query_kernel,
    key_kernel,
    scale,
    kernel,
    recurrent_kernel,
    bias,
    source_mask=None,
    mask=None,
    return_cache=False,
):
    """The attention decoder of Bahdanau et al. (2015) with a GRU, as
    :class:`seqcourse.models.attention.BahdanauDecoder` computes it.

    At every step t, the *previous* state queries the annotations ``h_j`` (the encoder outputs)
    and the context enters the GRU beside the embedded previous token::

        alpha_t = softmax_j(v . tanh(s_{t-1} W_q + h_j W_k)),   c_t = sum_j alpha_tj h_j
        s_t = GRU([e_t; c_t], s_{t-1})

    Where ``mask[b, t]`` is False the step is skipped (the state is carried over), as Keras does.

    Args:
        embedded: the embedded decoder input ``e_t``, shape (B, T, E).
        initial_state: s_0, shape (B, H).
        encoder_outputs: the annotations, shape (B, S, D).
        query_kernel: W_q (H, da); key_kernel: W_k (D, da); scale: v (da,).
        kernel: (E + D, 3H), recurrent_kernel: (H, 3H), bias: (2, 3H), the GRU's weights in
            Keras's layout (``reset_after=True``), the embedding's columns first.
        source_mask: booleans (B, S), True for real source positions; None for all.
        mask: booleans (B, T), True for real target steps; None for all.
        return_cache: if True, also return what :func:`bahdanau_decoder_backward` reads.

    Returns:
        ``(states (B, T, H), contexts (B, T, D), weights (B, T, S), s_T (B, H))``, plus the cache
        with ``return_cache=True``.

    Chapter 12 uses it.
    """
    embedded, state, encoder_outputs, source_mask, mask = _decoder_inputs(
        embedded,
        initial_state,
        encoder_outputs,
        source_mask,
        mask,
        (kernel, recurrent_kernel, bias),
    )
    batch, steps, _ = embedded.shape
    states = np.zeros((batch, steps, state.shape[1]), dtype=state.dtype)
    contexts = np.zeros((batch, steps, encoder_outputs.shape[-1]), dtype=state.dtype)
    weights = np.zeros((batch, steps, encoder_outputs.shape[1]), dtype=state.dtype)
    previous = np.zeros_like(states)  # s_{t-1}, what each step read
    for t in range(steps):
        previous[:, t] = state
        # the query is the previous state s_{t-1}: (B, 1, H)
        context, alpha = additive_attention(
            state[:, None, :],
            encoder_outputs,
            encoder_outputs,
            scale,
            source_mask,
            query_kernel,
            key_kernel,
        )
        contexts[:, t], weights[:, t] = context[:, 0], alpha[:, 0]
        # s_t = GRU([e_t; c_t], s_{t-1})
        new_state = gru_step(
            np.concatenate([embedded[:, t], context[:, 0]], axis=-1),
            state,
            kernel,
            recurrent_kernel,
            bias,
        )
        state = np.where(mask[:, t, None], new_state, state)  # a skipped step keeps s_{t-1}
        states[:, t] = state
    if return_cache:
        return states, contexts, weights, state, {"previous": previous, "contexts": contexts}
    return states, contexts, weights, state


def bahdanau_decoder_backward(
    embedded,
    initial_state,
    encoder_outputs,
    query_kernel,
    key_kernel,
    scale,
    kernel,
    recurrent_kernel,
    bias,
    d_states,
    source_mask=None,
    mask=None,
    d_contexts=None,
    d_last=None,
    cache=None,
):
    """Backpropagation through time for :func:`bahdanau_decoder_forward`.

    Step by step, last to first: dL/d s_t goes back through the GRU step (to the embedded token,
    the context and s_{t-1}, with :func:`seqcourse.reference.gru_backward` on one step), and the
    context's gradient goes back through the attention (:func:`additive_attention_backward`) to
    the query s_{t-1}, the annotations and W_q, W_k, v. The annotations receive gradient from
    every step, as keys and as values.

    Args:
        embedded, ..., mask: the forward pass's arguments.
        d_states: dL/d states, (B, T, H).
        d_contexts: dL/d contexts, (B, T, D); zeros if None.
        d_last: dL/d s_T, (B, H); zeros if None.
        cache: the cache of ``bahdanau_decoder_forward(..., return_cache=True)`` (``"previous"``,
            the states s_{t-1} each step read, and ``"contexts"``); if None the forward pass is
            run again here.

    Returns:
        A dict of gradients, each the shape of its argument: ``"embedded"``, ``"initial_state"``,
        ``"encoder_outputs"``, ``"query_kernel"``, ``"key_kernel"``, ``"scale"``, ``"kernel"``,
        ``"recurrent_kernel"`` and ``"bias"``.

    Chapter 12 uses it; ``tests/reference`` also proves it against numerical gradients.
    """
    weights_args = (query_kernel, key_kernel, scale, kernel, recurrent_kernel, bias)
    embedded, initial_state, encoder_outputs, source_mask, mask = _decoder_inputs(
        embedded,
        initial_state,
        encoder_outputs,
        source_mask,
        mask,
        (kernel, recurrent_kernel, bias),
    )
    batch, steps, embed_dim = embedded.shape
    units, dtype = initial_state.shape[1], initial_state.dtype
    d_states = _validate.upstream_gradient(
        "d_states", d_states, ("B", "T", "H"), (batch, steps, units), dtype
    )
    d_contexts = _validate.upstream_gradient(
        "d_contexts",
        d_contexts,
        ("B", "T", "D"),
        (batch, steps, encoder_outputs.shape[-1]),
        dtype,
    )
    d_state = _validate.upstream_gradient("d_last", d_last, ("B", "H"), (batch, units), dtype)
    if cache is None:
        *_, cache = bahdanau_decoder_forward(
            embedded,
            initial_state,
            encoder_outputs,
            *weights_args,
            source_mask=source_mask,
            mask=mask,
            return_cache=True,
        )
    grads = {
        "embedded": np.zeros_like(embedded),
        "encoder_outputs": np.zeros_like(encoder_outputs),
        "query_kernel": np.zeros_like(np.asarray(query_kernel, dtype=dtype)),
        "key_kernel": np.zeros_like(np.asarray(key_kernel, dtype=dtype)),
        "scale": np.zeros_like(np.asarray(scale, dtype=dtype)),
        "kernel": np.zeros_like(np.asarray(kernel, dtype=dtype)),
        "recurrent_kernel": np.zeros_like(np.asarray(recurrent_kernel, dtype=dtype)),
        "bias": np.zeros_like(np.asarray(bias, dtype=dtype)),
    }
    for t in reversed(range(steps)):
        previous = cache["previous"][:, t]  # s_{t-1}
        keep = mask[:, t, None]
        d_total = d_state + d_states[:, t]
        d_new = np.where(keep, d_total, 0.0)  # s_t = where(keep, GRU(...), s_{t-1})
        d_state = np.where(keep, 0.0, d_total)
        context = cache["contexts"][:, t]  # c_t, what the GRU read beside e_t
        gru_input = np.concatenate([embedded[:, t], context], axis=-1)[:, None, :]
        step = gru_backward(
            gru_input, kernel, recurrent_kernel, bias, d_new[:, None, :], h0=previous
        )
        for name in ("kernel", "recurrent_kernel", "bias"):
            grads[name] += step[name]
        d_state = d_state + step["h0"]
        grads["embedded"][:, t] = step["x"][:, 0, :embed_dim]
        d_context = step["x"][:, :, embed_dim:] + d_contexts[:, t, None, :]  # (B, 1, D)
        attention = additive_attention_backward(
            previous[:, None, :],
            encoder_outputs,
            encoder_outputs,
            d_context,
            scale,
            source_mask,
            query_kernel,
            key_kernel,
        )
        d_state = d_state + attention["query"][:, 0]  # the query was s_{t-1}
        grads["encoder_outputs"] += attention["key"] + attention["value"]
        grads["query_kernel"] += attention["query_kernel"]
        grads["key_kernel"] += attention["key_kernel"]
        grads["scale"] += attention["scale"]
    grads["initial_state"] = d_state
    return grads


def nadaraya_watson(queries, keys, values, bandwidth):
    """Nadaraya-Watson kernel regression (1964) as attention pooling with a Gaussian kernel.

    ``f(x) = sum_j alpha_j(x) y_j`` with ``alpha_j(x) = softmax_j(-(x - x_j)^2 / (2 h^2))``: the
    query x attends to the keys x_j and averages their values y_j, the nearer keys weighing more.
    The bandwidth h sets how near "near" is.

    Args:
        queries: the points x to estimate at, shape (Tq,).
        keys: the observed inputs x_j, shape (Tk,).
        values: the observed outputs y_j, shape (Tk,) or (Tk, dv).
        bandwidth: h > 0.

    Returns:
        ``(estimates, weights)``: shape (Tq,) (or (Tq, dv)) and (Tq, Tk), each row summing to 1.

    Chapter 12 shows it.
    """
    queries = _validate.rank("queries", queries, ("Tq",))
    keys = _validate.rank("keys", keys, ("Tk",))
    values = np.asarray(values, dtype=np.result_type(keys, np.float32))
    if values.shape[:1] != keys.shape or values.ndim > 2:
        raise ValueError(
            f"values must have shape (Tk,) or (Tk, dv) with Tk = {len(keys)} as keys; got "
            f"{values.shape}"
        )
    if not np.isscalar(bandwidth) or not bandwidth > 0:
        raise ValueError(f"bandwidth must be a positive number; got {bandwidth!r}")
    # e_ij = -(x_i - x_j)^2 / (2 h^2): the log of a Gaussian kernel, up to a constant per row
    scores = -((queries[:, None] - keys[None, :]) ** 2) / (2.0 * bandwidth**2)
    column = values[:, None] if values.ndim == 1 else values
    estimates, weights = _attend(scores, column, None)
    return (estimates[:, 0] if values.ndim == 1 else estimates), weights


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
