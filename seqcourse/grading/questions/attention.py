"""Assignment ``12_attention``: masked Bahdanau attention weights, attention pooling of a
recurrent layer's outputs, the parameters additive attention adds to an encoder-decoder, a
trained encoder-decoder with attention on long inputs (a two-input model question), and the
backward pass of additive attention pooling.

The trusted references build on :mod:`seqcourse.reference`; the grader checks that submissions do
not call or copy it.
"""

from __future__ import annotations

import numpy as np

from seqcourse.grading.questions._translation import translation_question
from seqcourse.grading.spec import (
    Assignment,
    Case,
    FunctionQuestion,
    Mistake,
    ValueQuestion,
    random_sizes,
)

# --- trusted references (the answer key, held by the grader) -------------------------------


def bahdanau_weights(query, keys, query_kernel, key_kernel, v, mask, *, use_mask=True, axis=-1):
    """Additive attention weights (B, Tq, Tk): softmax_j of v . tanh(q_i W_q + k_j W_k).

    query (B, Tq, dq), keys (B, Tk, dk), query_kernel (dq, da), key_kernel (dk, da), v (da,),
    mask (B, Tk) booleans, True for real keys. ``use_mask`` and ``axis`` produce typical mistakes.
    """
    from seqcourse.reference import additive_attention, softmax

    if axis == -1:
        mask = mask if use_mask else None
        return additive_attention(query, keys, keys, v, mask, query_kernel, key_kernel)[1]
    # the softmax over the queries instead of the keys
    pairwise = np.tanh((query @ query_kernel)[:, :, None, :] + (keys @ key_kernel)[:, None, :, :])
    scores = np.where(np.asarray(mask)[:, None, :], pairwise @ v, -1e9)
    return softmax(scores, axis=1)


def attention_pool(states, mask, w, *, use_mask=True, axis=1):
    """Attention pooling of recurrent outputs: states (B, T, H), mask (B, T), w (H,) -> (B, H).

    e_t = h_t . w; alpha = masked softmax over t; pooled = sum_t alpha_t h_t.
    """
    from seqcourse.reference import softmax

    states = np.asarray(states, dtype=np.float64)
    scores = states @ np.asarray(w, dtype=np.float64)  # (B, T)
    if use_mask:
        scores = np.where(mask, scores, scores - 1e9)
    if axis == 1:
        weights = softmax(scores, axis=1)
    else:  # a softmax over the whole batch instead of each sequence's steps
        weights = softmax(scores.reshape(1, -1), axis=1).reshape(scores.shape)
    return np.einsum("bt,bth->bh", weights, states)


def attention_parameters(*, scale=True, concatenated=True, projection_biases=False, units=48):
    """Parameters that additive attention adds to the chapter's GRU encoder-decoder of 48 units:
    Bahdanau's score network (W_q (H, H), W_k (H, H), v (H,)) and the Dense(H, tanh) that combines
    [c_t; s_t] (2H inputs)."""
    combine_inputs = 2 * units if concatenated else units
    projections = 2 * (units * units + (units if projection_biases else 0))
    return combine_inputs * units + units + projections + (units if scale else 0)


def additive_pool_backward(
    states,
    mask,
    kernel,
    bias,
    v,
    d_pooled,
    *,
    use_mask=True,
    direct=True,
    through_scores=True,
    jacobian="full",
    tanh_grad=True,
):
    """Gradients of additive attention pooling: u_t = tanh(h_t W + b), e_t = v . u_t, alpha =
    masked softmax over t, pooled = sum_t alpha_t h_t.

    states (B, T, H), mask (B, T), kernel W (H, da), bias b (da,), v (da,), d_pooled (B, H);
    returns (d_states, d_kernel, d_bias, d_v). The keyword switches produce typical mistakes.
    """
    states = np.asarray(states, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    hidden = np.tanh(states @ kernel + bias)  # u_t, (B, T, da)
    scores = hidden @ v  # e_t, (B, T)
    if use_mask:
        scores = np.where(mask, scores, scores - 1e9)
    scores = scores - scores.max(axis=1, keepdims=True)
    alpha = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    d_alpha = np.einsum("bth,bh->bt", states, d_pooled)  # d_pooled . h_t
    if jacobian == "full":
        d_scores = alpha * (d_alpha - np.sum(alpha * d_alpha, axis=1, keepdims=True))
    else:  # only the diagonal of the softmax's Jacobian
        d_scores = alpha * (1.0 - alpha) * d_alpha
    if not through_scores:
        d_scores = np.zeros_like(d_scores)
    d_v = np.einsum("bt,bta->a", d_scores, hidden)
    d_pre = d_scores[:, :, None] * v
    if tanh_grad:
        d_pre = d_pre * (1.0 - hidden**2)
    d_states = d_pre @ np.asarray(kernel).T
    if direct:
        d_states = d_states + alpha[:, :, None] * d_pooled[:, None, :]  # pooled's own path
    d_kernel = np.einsum("bth,bta->ha", states, d_pre)
    return d_states, d_kernel, d_pre.sum(axis=(0, 1)), d_v


# --- cases ---------------------------------------------------------------------------------


def _mask(rng, batch, steps):
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = steps
    return np.arange(steps)[None, :] < lengths[:, None]


def _bahdanau_case(rng, batch, tq, tk, dq, dk, da):
    return Case(
        (
            rng.normal(size=(batch, tq, dq)),
            rng.normal(size=(batch, tk, dk)),
            rng.normal(size=(dq, da)) * 0.6,
            rng.normal(size=(dk, da)) * 0.6,
            rng.normal(size=da),
            _mask(rng, batch, tk),
        )
    )


def _pool_case(rng, batch, steps, units):
    return Case(
        (rng.normal(size=(batch, steps, units)), _mask(rng, batch, steps), rng.normal(size=units))
    )


QUESTIONS = (
    FunctionQuestion(
        "bahdanau_weights",
        3,
        "bahdanau_weights",
        "additive attention weights with projections and a key mask, (B, Tq, Tk)",
        bahdanau_weights,
        lambda: [_bahdanau_case(np.random.default_rng(121), 2, 3, 5, 4, 6, 7)],
        lambda rng: [
            _bahdanau_case(rng, *s)
            for s in random_sizes(rng, 4, (1, 4), (1, 5), (2, 7), (1, 5), (1, 5), (1, 6))
        ],
        mistakes=(
            Mistake(
                "padded keys must get weight 0: lower their scores before the softmax",
                lambda *a: bahdanau_weights(*a, use_mask=False),
            ),
            Mistake(
                "the softmax runs over the keys (the last axis): each query's weights sum to 1",
                lambda *a: bahdanau_weights(*a, axis=1),
            ),
        ),
    ),
    FunctionQuestion(
        "attention_pool",
        3,
        "attention_pool",
        "attention pooling of a recurrent layer's outputs over the real steps, (B, H)",
        attention_pool,
        lambda: [_pool_case(np.random.default_rng(122), 3, 6, 4)],
        lambda rng: [_pool_case(rng, *s) for s in random_sizes(rng, 5, (1, 5), (1, 9), (1, 6))],
        mistakes=(
            Mistake(
                "padded steps must not be pooled: mask their scores before the softmax",
                lambda *a: attention_pool(*a, use_mask=False),
            ),
            Mistake(
                "normalise over each sequence's steps, not over the whole batch",
                lambda *a: attention_pool(*a, axis=0),
            ),
        ),
    ),
    ValueQuestion(
        "attention_parameters",
        2,
        "n_attention_parameters",
        "parameters additive attention adds: W_q, W_k, v and Dense(H) on [c_t; s_t]",
        attention_parameters,
        rtol=0,
        atol=0,
        mistakes=(
            Mistake(
                "the score network has a vector v (H,) besides its two kernels",
                lambda: attention_parameters(scale=False),
            ),
            Mistake(
                "the combining Dense layer reads [c_t; s_t], 2H numbers, not H",
                lambda: attention_parameters(concatenated=False),
            ),
            Mistake(
                "Bahdanau's projections W_q and W_k have no biases",
                lambda: attention_parameters(projection_biases=True),
            ),
        ),
    ),
)

# Numbers of up to 12 digits: sources of up to 30 tokens, targets of up to 31 (+ </s>).
ATTENTIVE_TRANSLATOR = translation_question(
    "attentive_translator",
    "build_attentive_translator",
    "an encoder-decoder with attention, [source ids, decoder input ids] -> (B, T, V) scores, "
    "graded by greedy decoding: held-out numbers of up to 12 digits translated exactly",
    12,
    40,
    0.8,
    requires=("*Attention",),
    technique="an attention layer (keras.layers.Attention, AdditiveAttention, MultiHeadAttention "
    "or a layer of your own whose class name ends in Attention)",
)

QUESTIONS = (*QUESTIONS, ATTENTIVE_TRANSLATOR)


def _pool_backward_case(rng, batch, steps, units, width):
    return Case(
        (
            rng.normal(size=(batch, steps, units)),
            _mask(rng, batch, steps),
            rng.normal(size=(units, width)) * 0.6,
            rng.normal(size=width) * 0.3,
            rng.normal(size=width),
            rng.normal(size=(batch, units)),
        )
    )


POOL_BACKWARD = FunctionQuestion(
    "additive_pool_backward",
    4,
    "additive_pool_backward",
    "the backward pass of masked additive attention pooling: d states, d W, d b, d v",
    additive_pool_backward,
    lambda: [_pool_backward_case(np.random.default_rng(123), 2, 4, 3, 5)],
    lambda rng: [
        _pool_backward_case(rng, *s) for s in random_sizes(rng, 5, (2, 4), (2, 7), (1, 5), (1, 6))
    ],
    mistakes=(
        Mistake(
            "padded steps get weight 0 and no gradient: mask their scores before the softmax",
            lambda *a: additive_pool_backward(*a, use_mask=False),
        ),
        Mistake(
            "h_t reaches the pooled vector twice: as a value (alpha_t dL/dpooled) and through "
            "its score",
            lambda *a: additive_pool_backward(*a, direct=False),
        ),
        Mistake(
            "the weights depend on W, b, v and the states: backpropagate through the scores too",
            lambda *a: additive_pool_backward(*a, through_scores=False),
        ),
        Mistake(
            "the softmax's Jacobian is full: de_t = alpha_t (dalpha_t - sum_s alpha_s dalpha_s)",
            lambda *a: additive_pool_backward(*a, jacobian="diagonal"),
        ),
        Mistake(
            "the scores go through tanh: multiply by 1 - u_t^2 on the way back",
            lambda *a: additive_pool_backward(*a, tanh_grad=False),
        ),
    ),
)

QUESTIONS = (*QUESTIONS, POOL_BACKWARD)

ASSIGNMENT = Assignment("12_attention", QUESTIONS, cell_timeout=120.0, call_timeout=10.0)
