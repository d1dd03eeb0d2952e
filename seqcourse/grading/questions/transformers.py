"""Assignment ``13_transformers``: single-head self-attention with its own projections and combined
padding and causal masks, the "concatenated" layout of the sinusoidal positional encoding, a
decoder's cross-attention sublayer, a sliding-window causal mask, masked-language-model corruption
from given random draws, the parameter count of an encoder block whose heads are wider than d / N,
and a Keras model that must know word order.

The trusted references build on :mod:`seqcourse.reference`; the grader checks that submissions do
not call or copy it.
"""

from __future__ import annotations

import functools

import numpy as np

from seqcourse.grading.questions import _baselines
from seqcourse.grading.spec import (
    Assignment,
    Baseline,
    Case,
    FunctionQuestion,
    Mistake,
    ModelData,
    ModelQuestion,
    ValueQuestion,
    random_sizes,
)

# --- trusted references (the answer key, held by the grader) -------------------------------


def masked_self_attention(
    x, w_q, w_k, w_v, lengths, causal, *, scaled=True, use_padding=True, use_causal=True
):
    """Self-attention of post-padded sequences: softmax(Q K^T / sqrt(dk) + mask) V.

    x (B, T, d) with ``lengths`` (B,) real steps each; w_q, w_k (d, dk), w_v (d, dv). Keys past a
    sequence's length get no weight; with ``causal`` true, query i reads keys j <= i only.
    Returns (output (B, T, dv), weights (B, T, T)). The keyword switches give typical mistakes.
    """
    from seqcourse.reference import causal_mask, scaled_dot_product_attention

    x = np.asarray(x, dtype=np.float64)
    steps = x.shape[1]
    q, k, v = x @ w_q, x @ w_k, x @ w_v
    if not scaled:  # undo the 1/sqrt(dk) the reference applies
        q = q * np.sqrt(q.shape[-1])
    mask = np.ones((x.shape[0], steps, steps), dtype=bool)
    if use_padding:
        mask &= (np.arange(steps)[None, :] < np.asarray(lengths)[:, None])[:, None, :]
    if causal and use_causal:
        mask &= causal_mask(steps)
    return scaled_dot_product_attention(q, k, v, mask)


def concat_positional_encoding(length, depth, *, interleaved=False, exponent_step=2):
    """Sinusoidal positions with the sines in the first depth/2 columns and cosines in the rest.

    Column i < depth/2 is sin(pos / 10000^(2i/depth)); column depth/2 + i is the matching cosine.
    Returns (length, depth). ``interleaved`` gives the paper's layout (a mistake here);
    ``exponent_step=1`` the exponent i/depth instead of 2i/depth.
    """
    from seqcourse.reference import positional_encoding

    if interleaved:
        return positional_encoding(length, depth, dtype=np.float64)
    half = np.arange(depth // 2)
    angles = np.arange(length)[:, None] / 10000.0 ** (exponent_step * half / depth)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)


def _layer_norm(x, epsilon=1e-6):
    """Layer normalisation over the last axis without a learned scale or offset."""
    mean, variance = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + epsilon)


def cross_attention_block(
    x,
    context,
    context_lengths,
    w_q,
    w_k,
    w_v,
    w_o,
    *,
    keys_from_x=False,
    use_padding=True,
    causal=False,
    residual=True,
    norm=True,
):
    """A decoder's cross-attention sublayer, one head: LayerNorm(x + softmax(Q K^T / sqrt(dk)) V
    W_o) with Q = x w_q (B, T, dk), K = context w_k (B, S, dk), V = context w_v (B, S, dv) and
    no weight on source steps at or past ``context_lengths``. Returns (output (B, T, d), weights
    (B, T, S)). The keyword switches give typical mistakes."""
    from seqcourse.reference import causal_mask, scaled_dot_product_attention

    x, context = np.asarray(x, dtype=np.float64), np.asarray(context, dtype=np.float64)
    source = x if keys_from_x else context
    steps, source_steps = x.shape[1], source.shape[1]
    mask = np.ones((x.shape[0], steps, source_steps), dtype=bool)
    if use_padding and not keys_from_x:
        real = np.arange(source_steps)[None, :] < np.asarray(context_lengths)[:, None]
        mask &= real[:, None, :]
    if causal:
        mask &= causal_mask(steps, source_steps)
    read, weights = scaled_dot_product_attention(x @ w_q, source @ w_k, source @ w_v, mask)
    out = read @ w_o + (x if residual else 0.0)
    return (_layer_norm(out) if norm else out), weights


def local_causal_mask(lengths, steps, window, *, inclusive=False, use_causal=True, padding=True):
    """Sliding-window causal mask (B, T, T): query i reads key j iff j <= i, i - j < window and
    j < lengths[b]. The keyword switches give typical mistakes."""
    from seqcourse.reference import causal_mask

    i = np.arange(steps)[:, None]
    j = np.arange(steps)[None, :]
    near = (i - j <= window) if inclusive else (i - j < window)
    allowed = near & (causal_mask(steps) if use_causal else (j - i < window))
    allowed = np.broadcast_to(allowed, (len(lengths), steps, steps))
    if padding:
        allowed = allowed & (j[None] < np.asarray(lengths)[:, None, None])
    return allowed.copy()


def mlm_corrupt(
    ids,
    u_choose,
    u_action,
    random_ids,
    mask_id,
    rate,
    *,
    pads=False,
    at_least_one=True,
    all_mask=False,
    swapped=False,
):
    """BERT's corruption from given uniform draws: a real token (id != 0) is chosen if its
    ``u_choose < rate``; a row with real tokens but none chosen gets the one with the smallest
    ``u_choose``. A chosen token becomes ``mask_id`` if ``u_action < 0.8``, ``random_ids`` if
    ``0.8 <= u_action < 0.9``, and stays otherwise. Returns (inputs int (B, T), weights float
    (B, T), 1 at the chosen steps). The keyword switches give typical mistakes."""
    ids = np.asarray(ids)
    u_choose = np.asarray(u_choose, dtype=np.float64)
    real = np.ones(ids.shape, bool) if pads else ids != 0
    chosen = real & (u_choose < rate)
    if at_least_one:
        empty = real.any(axis=1) & ~chosen.any(axis=1)
        smallest = np.argmin(np.where(real, u_choose, np.inf), axis=1)
        chosen[np.flatnonzero(empty), smallest[empty]] = True
    u_action = np.asarray(u_action, dtype=np.float64)
    to_mask = chosen if all_mask else chosen & (u_action < 0.8)
    middle = (u_action >= 0.8) & (u_action < 0.9)
    to_random = chosen & ~to_mask & ((u_action >= 0.9) if swapped else middle)
    inputs = np.where(to_mask, mask_id, np.where(to_random, random_ids, ids))
    return inputs.astype(np.int64), chosen.astype(np.float64)


def encoder_parameters(d=48, heads=3, key_dim=32, ff=96, *, norms=True, square=False):
    """Trainable parameters of TransformerEncoder(heads, key_dim, ff) on inputs of width d."""
    if square:  # the 4 d^2 + 4 d shortcut, true only when heads * key_dim == d
        attention = 4 * d * d + 4 * d
    else:
        attention = 3 * (d * heads * key_dim + heads * key_dim) + (heads * key_dim * d + d)
    feed_forward = (d * ff + ff) + (ff * d + d)
    return attention + feed_forward + (4 * d if norms else 0)


def order_task(n: int, steps: int, seed: int, vocab: int = 21):
    """Token ids (n, steps) with exactly one 1 and one 2; label 1 if the 1 comes first, else 0.

    The other tokens are drawn from 3 .. vocab - 1 (0 is left for padding). A model that ignores
    positions sees the same bag of tokens for both labels and cannot beat 50 %.
    """
    rng = np.random.default_rng(seed)
    tokens = rng.integers(3, vocab, size=(n, steps))
    places = np.array([rng.choice(steps, 2, replace=False) for _ in range(n)])
    tokens[np.arange(n), places[:, 0]] = 1
    tokens[np.arange(n), places[:, 1]] = 2
    return tokens.astype(np.int32), (places[:, 0] < places[:, 1]).astype(np.int64)


@functools.cache
def order_data(fast: bool) -> ModelData:
    """The order task, T = 30 (20 in fast mode); the evaluation data has its own seed."""
    steps, count = (20, 2500) if fast else (30, 4000)
    x_train, y_train = order_task(count, steps, seed=131)
    x_eval, y_eval = order_task(1000, steps, seed=132)
    return ModelData(x_train, y_train, x_eval, y_eval)


# --- cases ---------------------------------------------------------------------------------


def _attention_case(rng, batch, steps, depth, key_depth, causal):
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = steps  # at least one full sequence
    return Case(
        (
            rng.normal(size=(batch, steps, depth)),
            rng.normal(size=(depth, key_depth)) * 0.8,
            rng.normal(size=(depth, key_depth)) * 0.8,
            rng.normal(size=(depth, key_depth + 1)),
            lengths,
            bool(causal),
        )
    )


def _public_attention():
    rng = np.random.default_rng(131)
    return [_attention_case(rng, 2, 5, 4, 3, False), _attention_case(rng, 2, 4, 3, 2, True)]


def _hidden_attention(rng):
    sizes = random_sizes(rng, 4, (1, 3), (2, 7), (1, 5), (1, 4))
    return [_attention_case(rng, *s, causal=i % 2) for i, s in enumerate(sizes)]


def _hidden_positions(rng):
    return [Case((int(rng.integers(1, 40)), 2 * int(rng.integers(1, 17)))) for _ in range(4)]


def _cross_case(rng, batch, steps, source_steps, depth, key_depth):
    lengths = rng.integers(1, source_steps + 1, size=batch)
    lengths[0] = source_steps
    if batch > 1:  # a padded source
        lengths[1] = rng.integers(1, source_steps)
    return Case(
        (
            rng.normal(size=(batch, steps, depth)),
            rng.normal(size=(batch, source_steps, depth)),
            lengths,
            rng.normal(size=(depth, key_depth)) * 0.8,
            rng.normal(size=(depth, key_depth)) * 0.8,
            rng.normal(size=(depth, key_depth + 1)),
            rng.normal(size=(key_depth + 1, depth)),
        )
    )


def _public_cross():
    rng = np.random.default_rng(133)
    return [_cross_case(rng, 2, 3, 5, 4, 3), _cross_case(rng, 3, 4, 4, 3, 2)]


def _hidden_cross(rng):
    sizes = random_sizes(rng, 4, (1, 3), (2, 6), (3, 7), (2, 5), (1, 4))
    # at least one case with more decoder steps than source steps, where a causal mask shows
    return [_cross_case(rng, *s) for s in sizes] + [_cross_case(rng, 2, 6, 3, 3, 2)]


def _window_case(rng, batch, steps, window):
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = steps
    return Case((lengths, steps, window))


def _hidden_window(rng):
    return [
        _window_case(rng, int(rng.integers(1, 4)), int(rng.integers(3, 10)), int(w))
        for w in (1, 2, 3, 5)
    ]


def _mlm_case(rng, batch, steps, rate):
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = steps
    if batch > 2:
        lengths[-1] = 0  # an empty row: nothing to choose
    ids = np.zeros((batch, steps), dtype=np.int64)
    for row, length in enumerate(lengths):
        ids[row, :length] = rng.integers(2, 30, size=length)
    u_choose = rng.random((batch, steps))
    if batch > 1:  # a row whose draws all miss the rate: at least one must be chosen anyway
        u_choose[1] = rng.uniform(rate, 1.0, size=steps)
    return Case(
        (ids, u_choose, rng.random((batch, steps)), rng.integers(2, 30, (batch, steps)), 30, rate)
    )


def _public_mlm():
    rng = np.random.default_rng(134)
    return [_mlm_case(rng, 3, 8, 0.3), _mlm_case(rng, 2, 5, 0.5)]


def _hidden_mlm(rng):
    return [
        _mlm_case(rng, int(rng.integers(2, 6)), int(rng.integers(4, 12)), rate)
        for rate in (0.15, 0.3, 0.5, 0.8)
    ]


ASSIGNMENT = Assignment(
    "13_transformers",
    (
        FunctionQuestion(
            "masked_self_attention",
            3,
            "masked_self_attention",
            "one head of self-attention with projections, padding and optional causal masks",
            masked_self_attention,
            _public_attention,
            _hidden_attention,
            mistakes=(
                Mistake(
                    "the scores are not divided by sqrt(d_k)",
                    lambda *a: masked_self_attention(*a, scaled=False),
                ),
                Mistake(
                    "padded keys still get weight: mask every key at or past the length",
                    lambda *a: masked_self_attention(*a, use_padding=False),
                ),
                Mistake(
                    "with causal=True, query i must not read keys j > i",
                    lambda *a: masked_self_attention(*a, use_causal=False),
                ),
            ),
        ),
        FunctionQuestion(
            "concat_positional_encoding",
            2,
            "concat_positional_encoding",
            "sinusoidal positions with all sines first, then all cosines",
            concat_positional_encoding,
            lambda: [Case((6, 4)), Case((3, 10))],
            _hidden_positions,
            rtol=1e-6,
            atol=1e-8,
            mistakes=(
                Mistake(
                    "that is the interleaved layout (sin, cos, sin, cos, ...): put the sines first",
                    lambda n, d: concat_positional_encoding(n, d, interleaved=True),
                ),
                Mistake(
                    "the exponent of 10000 is 2i / depth, not i / depth",
                    lambda n, d: concat_positional_encoding(n, d, exponent_step=1),
                ),
            ),
        ),
        FunctionQuestion(
            "cross_attention_block",
            3,
            "cross_attention_block",
            "a decoder's cross-attention sublayer: one head, source padding, residual, layer norm",
            cross_attention_block,
            _public_cross,
            _hidden_cross,
            rtol=1e-5,
            atol=1e-6,
            mistakes=(
                Mistake(
                    "keys and values come from the encoder outputs (context), not from x: that "
                    "is self-attention",
                    lambda *a: cross_attention_block(*a, keys_from_x=True),
                ),
                Mistake(
                    "padded source steps still get weight: mask every source step at or past its "
                    "length",
                    lambda *a: cross_attention_block(*a, use_padding=False),
                ),
                Mistake(
                    "cross-attention needs no causal mask: every decoder step may read the whole "
                    "source",
                    lambda *a: cross_attention_block(*a, causal=True),
                ),
                Mistake(
                    "add x (the residual connection) before the layer normalisation",
                    lambda *a: cross_attention_block(*a, residual=False),
                ),
                Mistake(
                    "normalise each row of x + attention output: subtract its mean, divide by "
                    "sqrt(variance + 1e-6)",
                    lambda *a: cross_attention_block(*a, norm=False),
                ),
            ),
        ),
        FunctionQuestion(
            "local_causal_mask",
            2,
            "local_causal_mask",
            "a sliding-window causal mask over post-padded sequences",
            local_causal_mask,
            lambda: [Case((np.array([5, 3]), 5, 2)), Case((np.array([6, 2, 4]), 6, 3))],
            _hidden_window,
            mistakes=(
                Mistake(
                    "the window holds `window` keys, the query itself included: i - j < window, "
                    "not <= window",
                    lambda *a: local_causal_mask(*a, inclusive=True),
                ),
                Mistake(
                    "a query must not read keys after it (j > i), even inside the window",
                    lambda *a: local_causal_mask(*a, use_causal=False),
                ),
                Mistake(
                    "keys at or past a sequence's length are padding: no query may read them",
                    lambda *a: local_causal_mask(*a, padding=False),
                ),
            ),
        ),
        FunctionQuestion(
            "mlm_corrupt",
            3,
            "mlm_corrupt",
            "BERT's 80/10/10 corruption from given draws, at least one choice per row",
            mlm_corrupt,
            _public_mlm,
            _hidden_mlm,
            rtol=0,
            atol=0,
            mistakes=(
                Mistake(
                    "padding (id 0) is never chosen",
                    lambda *a: mlm_corrupt(*a, pads=True),
                ),
                Mistake(
                    "a row with real tokens but no draw below the rate still gets one choice: the "
                    "real token with the smallest u_choose",
                    lambda *a: mlm_corrupt(*a, at_least_one=False),
                ),
                Mistake(
                    "only 80 % of the chosen tokens become [MASK]: u_action in [0.8, 0.9) takes "
                    "the random id, >= 0.9 keeps the token",
                    lambda *a: mlm_corrupt(*a, all_mask=True),
                ),
                Mistake(
                    "the random id goes where 0.8 <= u_action < 0.9; from 0.9 the token stays",
                    lambda *a: mlm_corrupt(*a, swapped=True),
                ),
            ),
        ),
        ValueQuestion(
            "encoder_parameters",
            1,
            "n_encoder_parameters",
            "parameters of an encoder block, d = 48, 3 heads of key_dim 32, d_ff = 96",
            encoder_parameters,
            rtol=0,
            atol=0,
            mistakes=(
                Mistake(
                    "4 d^2 + 4 d holds only when heads * key_dim = d; here it is 96, not 48",
                    lambda: encoder_parameters(square=True),
                ),
                Mistake(
                    "the two LayerNormalization layers have a scale and an offset each (2 d)",
                    lambda: encoder_parameters(norms=False),
                ),
            ),
        ),
        ModelQuestion(
            "order_model",
            3,
            "build_order_model",
            "a model with attention that tells whether token 1 comes before token 2: its error "
            "must be 80 % below the best baseline's (majority class; bag of tokens, order ignored)",
            order_data,
            lambda data: {"vocab_size": 21, "steps": int(data.x_train.shape[1])},
            metric="accuracy",
            epochs=10,
            batch_size=64,
            budget=60.0,
            budget_fast=30.0,
            baselines=(
                Baseline("majority class", _baselines.majority_class),
                Baseline("bag of tokens", _baselines.bag_of_tokens(21, classes=2)),
            ),
            margin=0.8,
            requires=("*Attention",),
            technique="an attention layer (MultiHeadAttention, or a layer whose class name ends "
            "in Attention, such as the course's TransformerEncoder holds)",
        ),
    ),
    cell_timeout=120.0,
    call_timeout=10.0,
)
