"""Assignment ``13_transformers``: single-head self-attention with its own projections and combined
padding and causal masks, the "concatenated" layout of the sinusoidal positional encoding, the
parameter count of an encoder block whose heads are wider than d / N, and a Keras model that must
know word order.

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
