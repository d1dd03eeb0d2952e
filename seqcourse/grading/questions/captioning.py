"""Assignment ``16_image_captioning``: additive attention over a masked grid of image features,
one free-running step of a captioning decoder with spatial attention, the backward pass of an
attention context, the parameters of the chapter's attention decoder, and a captioner with
dot-product attention (Luong's arrangement, not the chapter's), trained by the grader and graded
by greedy decoding of held-out images.

The trusted references build on :mod:`seqcourse.reference`; the grader checks that submissions do
not call or copy it.
"""

from __future__ import annotations

import zlib

import numpy as np

from seqcourse.grading.questions._baselines import (
    as_decoded,
    most_frequent_sequence,
    token_ids,
    training_sequences,
)
from seqcourse.grading.spec import (
    Assignment,
    Baseline,
    Case,
    Decoding,
    FunctionQuestion,
    Mistake,
    ModelData,
    ModelQuestion,
    ValueQuestion,
    question_rng,
    random_sizes,
)

# --- trusted references (the answer key, held by the grader) -------------------------------


def grid_attention(
    annotations, state, annotation_kernel, state_kernel, v, mask, *, use_mask=True, per_row=False
):
    """Additive attention of a decoder state over a grid of image features.

    annotations (B, Hg, Wg, C), state (B, H), annotation_kernel W_a (C, A), state_kernel W_s
    (H, A), v (A,), mask (B, Hg, Wg) True for real positions. Scores
    e_ij = v . tanh(a_ij W_a + s W_s) over every grid position, softmax over all Hg * Wg real
    positions at once. Returns (context (B, C), weights (B, Hg, Wg)). ``use_mask=False`` and
    ``per_row=True`` (a softmax over each grid row alone) give typical mistakes.
    """
    from seqcourse.reference import additive_attention, softmax

    annotations = np.asarray(annotations, dtype=np.float64)
    batch, rows, columns, depth = annotations.shape
    mask = np.asarray(mask, dtype=bool)
    if per_row:
        pairwise = np.tanh(annotations @ annotation_kernel + (state @ state_kernel)[:, None, None])
        scores = np.where(mask, pairwise @ v, -1e9)
        weights = softmax(scores, axis=-1)  # each grid row sums to 1: wrong
        return np.einsum("bij,bijc->bc", weights, annotations), weights
    flat = annotations.reshape(batch, rows * columns, depth)  # row-major positions
    context, weights = additive_attention(
        np.asarray(state, dtype=np.float64)[:, None, :],
        flat,
        flat,
        v,
        mask.reshape(batch, -1) if use_mask else None,
        state_kernel,
        annotation_kernel,
    )
    return context[:, 0], weights[:, 0].reshape(batch, rows, columns)


def caption_step(token, state, annotations, weights, *, log=True, swapped=False):
    """One free-running step of a captioning decoder with spatial attention (a tanh RNN cell).

    token (B,) ids, state s_{t-1} (B, H), annotations (B, P, C) and ``weights`` a dict of
    ``embedding`` (V, E), ``annotation_kernel`` (C, A), ``state_kernel`` (H, A), ``v`` (A,),
    ``kernel`` (E + C, H), ``recurrent_kernel`` (H, H), ``bias`` (H,), ``output_kernel``
    (H + C, V), ``output_bias`` (V,):

    x = embedding[token]; alpha = softmax_i(v . tanh(a_i W_a + s_{t-1} W_s)); z = sum_i alpha_i a_i;
    s_t = tanh([x; z] W + s_{t-1} U + b); log p = log_softmax([s_t; z] W_o + b_o).

    Returns (log_probs (B, V), s_t (B, H), alpha (B, P)). ``log=False`` (probabilities) and
    ``swapped=True`` (the cell reads [z; x]) give typical mistakes.
    """
    from seqcourse.reference import additive_attention, log_softmax, softmax

    annotations = np.asarray(annotations, dtype=np.float64)
    state = np.asarray(state, dtype=np.float64)
    x = np.asarray(weights["embedding"])[np.asarray(token)]  # (B, E)
    context, alpha = additive_attention(
        state[:, None, :],
        annotations,
        annotations,
        weights["v"],
        None,
        weights["state_kernel"],
        weights["annotation_kernel"],
    )
    context, alpha = context[:, 0], alpha[:, 0]
    inputs = np.concatenate([context, x] if swapped else [x, context], axis=-1)
    new_state = np.tanh(
        inputs @ weights["kernel"] + state @ weights["recurrent_kernel"] + weights["bias"]
    )
    logits = (
        np.concatenate([new_state, context], axis=-1) @ weights["output_kernel"]
        + weights["output_bias"]
    )
    return (log_softmax(logits) if log else softmax(logits)), new_state, alpha


def context_backward(scores, annotations, d_context, mask, *, jacobian=True, softmax_step=True):
    """The backward pass of a masked attention context z = sum_i alpha_i a_i, alpha =
    softmax_i(e_i) over the real positions.

    scores e (B, P), annotations a (B, P, C), d_context dL/dz (B, C), mask (B, P). Returns
    (dL/de (B, P), dL/da (B, P, C)). ``jacobian=False`` (alpha * g, without subtracting the
    weighted mean) and ``softmax_step=False`` (g itself) give typical mistakes.
    """
    from seqcourse.reference import softmax

    annotations = np.asarray(annotations, dtype=np.float64)
    d_context = np.asarray(d_context, dtype=np.float64)
    scores = np.where(mask, np.asarray(scores, dtype=np.float64), -1e9)
    alpha = softmax(scores, axis=-1)  # (B, P)
    d_annotations = alpha[:, :, None] * d_context[:, None, :]  # dz/da_i = alpha_i
    d_alpha = np.einsum("bpc,bc->bp", annotations, d_context)  # g_i = a_i . dL/dz
    if not softmax_step:
        return d_alpha, d_annotations
    if not jacobian:
        return alpha * d_alpha, d_annotations
    # softmax Jacobian: de_i = alpha_i (g_i - sum_j alpha_j g_j)
    weighted = np.sum(alpha * d_alpha, axis=-1, keepdims=True)
    return alpha * (d_alpha - weighted), d_annotations


def decoder_parameters(
    embed=32, depth=66, units=128, width=64, *, context_input=True, reset_after=True
):
    """Trainable parameters of the chapter's BahdanauDecoder(units, width) reading
    embeddings of size ``embed`` and annotation vectors of size ``depth`` (64 channels and 2
    coordinates): a GRUCell on [x_t; z_t], W_a (C, A), W_s (H, A) and v (A,)."""
    inputs = embed + depth if context_input else embed
    gru = 3 * units * inputs + 3 * units * units + (6 if reset_after else 3) * units
    return gru + depth * width + units * width + width


# --- cases ---------------------------------------------------------------------------------


def _grid_case(rng, batch, rows, columns, depth, units, width):
    real_rows = rng.integers(1, rows + 1, size=batch)
    real_columns = rng.integers(1, columns + 1, size=batch)
    real_rows[0], real_columns[0] = rows, columns  # one whole image
    mask = (np.arange(rows)[None, :, None] < real_rows[:, None, None]) & (
        np.arange(columns)[None, None, :] < real_columns[:, None, None]
    )
    return Case(
        (
            rng.normal(size=(batch, rows, columns, depth)),
            rng.normal(size=(batch, units)),
            rng.normal(size=(depth, width)) * 0.6,
            rng.normal(size=(units, width)) * 0.6,
            rng.normal(size=width),
            mask,
        )
    )


def _step_case(rng, batch, vocab, embed, positions, depth, units, width):
    weights = {
        "embedding": rng.normal(size=(vocab, embed)),
        "annotation_kernel": rng.normal(size=(depth, width)) * 0.5,
        "state_kernel": rng.normal(size=(units, width)) * 0.5,
        "v": rng.normal(size=width),
        "kernel": rng.normal(size=(embed + depth, units)) * 0.4,
        "recurrent_kernel": rng.normal(size=(units, units)) * 0.4,
        "bias": rng.normal(size=units) * 0.1,
        "output_kernel": rng.normal(size=(units + depth, vocab)) * 0.5,
        "output_bias": rng.normal(size=vocab) * 0.1,
    }
    return Case(
        (
            rng.integers(0, vocab, size=batch),
            np.tanh(rng.normal(size=(batch, units))),
            rng.normal(size=(batch, positions, depth)),
            weights,
        )
    )


def _backward_case(rng, batch, positions, depth):
    lengths = rng.integers(1, positions + 1, size=batch)
    lengths[0] = positions
    return Case(
        (
            rng.normal(size=(batch, positions)) * 1.5,
            rng.normal(size=(batch, positions, depth)),
            rng.normal(size=(batch, depth)),
            np.arange(positions)[None, :] < lengths[:, None],
        )
    )


QUESTIONS = (
    FunctionQuestion(
        "grid_attention",
        3,
        "grid_attention",
        "additive attention over a masked (B, Hg, Wg) grid: context (B, C) and weights",
        grid_attention,
        lambda: [_grid_case(np.random.default_rng(161), 2, 3, 4, 5, 6, 7)],
        lambda rng: [
            _grid_case(rng, *s)
            for s in random_sizes(rng, 4, (1, 4), (1, 5), (1, 5), (1, 6), (1, 6), (1, 6))
        ],
        mistakes=(
            Mistake(
                "positions outside the image (mask False) must get weight 0: lower their scores "
                "before the softmax",
                lambda *a: grid_attention(*a, use_mask=False),
            ),
            Mistake(
                "the softmax runs over all Hg * Wg positions at once, not over each row of the "
                "grid: flatten the grid first",
                lambda *a: grid_attention(*a, per_row=True),
            ),
        ),
    ),
    FunctionQuestion(
        "caption_step",
        4,
        "caption_step",
        "one decoding step with spatial attention: (log_probs (B, V), state (B, H), alpha (B, P))",
        caption_step,
        lambda: [_step_case(np.random.default_rng(162), 3, 7, 4, 6, 5, 8, 6)],
        lambda rng: [
            _step_case(rng, *s)
            for s in random_sizes(rng, 4, (1, 4), (4, 9), (1, 5), (1, 8), (1, 5), (1, 6), (1, 5))
        ],
        mistakes=(
            Mistake(
                "return log-probabilities (a log-softmax of the logits), not probabilities",
                lambda *a: caption_step(*a, log=False),
            ),
            Mistake(
                "the cell reads [x; z], the embedding first: the kernel's first E rows belong to x",
                lambda *a: caption_step(*a, swapped=True),
            ),
        ),
    ),
    FunctionQuestion(
        "context_backward",
        3,
        "context_backward",
        "dL/d scores (B, P) and dL/d annotations (B, P, C) of a masked attention context",
        context_backward,
        lambda: [_backward_case(np.random.default_rng(163), 3, 5, 4)],
        lambda rng: [_backward_case(rng, *s) for s in random_sizes(rng, 4, (1, 4), (1, 9), (1, 6))],
        mistakes=(
            Mistake(
                "the softmax couples the weights: dL/de_i = alpha_i (g_i - sum_j alpha_j g_j), "
                "with g_i = a_i . dL/dz",
                lambda *a: context_backward(*a, jacobian=False),
            ),
            Mistake(
                "g_i = a_i . dL/dz is the gradient of the weight alpha_i; go on through the "
                "softmax to the score e_i",
                lambda *a: context_backward(*a, softmax_step=False),
            ),
        ),
    ),
    ValueQuestion(
        "decoder_parameters",
        2,
        "n_decoder_parameters",
        "trainable parameters of BahdanauDecoder(128, 64) on E = 32, C = 66",
        decoder_parameters,
        rtol=0,
        atol=0,
        mistakes=(
            Mistake(
                "the GRU cell reads [x_t; z_t]: its kernel has E + C rows, not E",
                lambda: decoder_parameters(context_input=False),
            ),
            Mistake(
                "Keras's GRU (reset_after=True) has two bias vectors of 3H, an input and a "
                "recurrent one",
                lambda: decoder_parameters(reset_after=False),
            ),
        ),
    ),
)

# --- the model question: a captioner graded by what it writes ------------------------------

CAPTION_IMAGES = 3000  # training scenes (count, row and column captions), fixed by the name
CAPTION_IMAGE_SIZE = 24  # pixels; a 6 x 6 grid after two 2 x 2 poolings
CAPTION_HELD_OUT = 300  # held-out images the sandbox captions greedily (200 in fast mode)


def caption_data(name: str, fast: bool) -> ModelData:
    """Shape scenes (:func:`seqcourse.data.shape_scenes`, 24 x 24 pixels) as ``ModelData``.

    Training: :data:`CAPTION_IMAGES` scenes drawn with a seed fixed by the question's name,
    ``x_train = (images (N, 24, 24, 3), decoder_input (N, T))`` and ``y_train`` the decoder output
    ``(N, T)`` (teacher forcing). Held out: new scenes drawn with the question's *salted* generator,
    ``x_eval = (images (M, 24, 24, 3), zeros (M, T))`` and ``y_eval`` their caption ids ``(M, T)``
    without ``</s>``, 0-padded. A term's salt changes the held-out images, never the training set.
    """
    from seqcourse.data import shape_scenes
    from seqcourse.data.tokens import prepare_captions

    size = CAPTION_IMAGE_SIZE
    train = shape_scenes(
        CAPTION_IMAGES, size=size, seed=zlib.crc32(name.encode()), val=0.0, test=0.0
    )
    arrays = prepare_captions(train.captions, train.splits)
    width = arrays.decoder_output.shape[1]
    held = shape_scenes(
        200 if fast else CAPTION_HELD_OUT,
        size=size,
        seed=int(question_rng(name).integers(2**31)),
        val=0.0,
        test=0.0,
    )
    return ModelData(
        (train.images, arrays.decoder_input),
        arrays.decoder_output,
        (held.images, np.zeros((len(held.captions), width), np.int32)),
        token_ids(held.captions, arrays.vocab, width),
    )


def nearest_image_caption(data: ModelData) -> np.ndarray:
    """The caption of the training image nearest in pixels (Euclidean): a lookup, no reading."""
    known = data.x_train[0].reshape(len(data.x_train[0]), -1).astype(np.float64)
    asked = data.x_eval[0].reshape(len(data.x_eval[0]), -1).astype(np.float64)
    distances = (asked**2).sum(1)[:, None] - 2 * asked @ known.T + (known**2).sum(1)[None]
    captions = training_sequences(data)
    return as_decoded([captions[i] for i in distances.argmin(axis=1)], data.y_eval.shape[1])


def captioner_sizes(data: ModelData) -> dict:
    """The builder's keyword arguments: ``vocab_size`` (ids < it) and ``image_size``."""
    return {
        "vocab_size": int(max(data.x_train[1].max(), data.y_train.max())) + 1,
        "image_size": int(data.x_train[0].shape[1]),
    }


CAPTIONER = ModelQuestion(
    "captioner",
    4,
    "build_dot_attention_captioner",
    "a compiled captioner with dot-product attention: [images, decoder input ids] -> (B, T, V); "
    "graded by the exact match of its greedy captions, partial credit from the best baseline to "
    "the pass mark",
    lambda fast: caption_data("captioner", fast),
    captioner_sizes,
    metric="exact_match",
    epochs=40,
    batch_size=32,
    # Measured with 40 CPU seconds (2 shared cores): the solution's GRU(64) with dot attention
    # writes 47 % of the held-out captions exactly; the nearest training image's caption 15 %.
    budget=60.0,
    budget_fast=40.0,
    baselines=(
        Baseline("most frequent training caption", most_frequent_sequence),
        Baseline("caption of the nearest training image (pixels)", nearest_image_caption),
    ),
    margin=0.2,
    partial=True,
    requires=("Attention", "MultiHeadAttention"),
    technique=(
        "dot-product attention of the decoder states over the image's feature grid "
        "(keras.layers.Attention or MultiHeadAttention)"
    ),
    decode=Decoding(start_id=2, end_id=3, max_len=9),
)

QUESTIONS = (*QUESTIONS, CAPTIONER)

ASSIGNMENT = Assignment("16_image_captioning", QUESTIONS, cell_timeout=120.0, call_timeout=10.0)
