"""Data of the encoder-decoder model questions (11_seq2seq, 12_attention): number translation
(English words -> French words) as two-input teacher-forcing arrays, with evaluation *probes*
that cannot leak the answer through the decoder input.

Teacher-forced evaluation feeds the decoder ``<s> y_1 .. y_n``; a model that looked ahead (a
bidirectional decoder, a shift the wrong way) could read ``y_t`` at step ``t + 1`` and copy it.
So every held-out target token ``y_t`` gets its own probe row: the source, the decoder input cut
after step ``t`` (later steps set to padding 0), and a label row that is 0 (ignored) everywhere
but step ``t``. A causal decoder predicts the same at step ``t`` as on the full input; a model
that peeks sees only padding.
"""

from __future__ import annotations

import numpy as np

from seqcourse.grading.spec import ModelData, ModelQuestion, question_rng


def teacher_forced_probes(source, decoder_input, decoder_output):
    """One probe per real target token.

    source (N, S), decoder_input and decoder_output (N, T) int, padded with 0. Returns
    ``((source (P, S), decoder_input (P, T)), labels (P, T))`` with P the number of nonzero
    entries of ``decoder_output``; probe p for row r and step t keeps ``decoder_input[r, :t + 1]``
    and has the single label ``decoder_output[r, t]`` at step t.
    """
    rows, steps = np.nonzero(decoder_output)
    t = decoder_input.shape[1]
    keep = np.arange(t)[None, :] <= steps[:, None]  # (P, T): steps up to t
    inputs = np.where(keep, decoder_input[rows], 0).astype(np.int32)
    labels = np.where(np.arange(t)[None, :] == steps[:, None], decoder_output[rows], 0)
    return (source[rows].astype(np.int32), inputs), labels.astype(np.int32)


def translation_data(name: str, n_pairs: int, max_digits: int) -> ModelData:
    """English -> French number words as ``ModelData``: x = ``(source, decoder_input)``, y = the
    decoder output (B, T); evaluation on the test split's probes (numbers never in training).

    The generator's seed comes from the question's salted generator, so a term's salt changes
    the numbers (and the hidden pairs).
    """
    from seqcourse.data import number_translation
    from seqcourse.data.tokens import prepare_translation

    seed = int(question_rng(name).integers(2**31))
    frame = number_translation(n_pairs, "en", "fr", max_digits=max_digits, seed=seed)
    data = prepare_translation(frame.source, frame.target, frame.split)
    train, test = data.rows("train"), data.rows("test")
    x_eval, y_eval = teacher_forced_probes(
        data.source[test], data.decoder_input[test], data.decoder_output[test]
    )
    return ModelData(
        (data.source[train], data.decoder_input[train]), data.decoder_output[train], x_eval, y_eval
    )


def vocabulary_sizes(data: ModelData) -> dict:
    """The builder's keyword arguments: ``source_vocab`` and ``target_vocab`` (ids < size)."""
    source, decoder_input = data.x_train
    biggest = max(int(decoder_input.max()), int(data.y_train.max()), int(data.y_eval.max()))
    sizes = (int(source.max()), int(data.x_eval[0].max()))
    return {"source_vocab": max(sizes) + 1, "target_vocab": biggest + 1}


def translation_question(
    name: str, target: str, summary: str, max_digits: int, threshold: float
) -> ModelQuestion:
    """A 4-point model question: ``target(source_vocab, target_vocab)`` builds a compiled
    ``[source (B, S), decoder_input (B, T)] -> (B, T, V)`` model; the grader trains it with teacher
    forcing on 3000 number pairs of up to ``max_digits`` digits (40 epochs at most, 60 CPU
    seconds, 20 in fast mode) and needs the probes' token accuracy to reach ``threshold``."""
    return ModelQuestion(
        name,
        4,
        target,
        summary,
        lambda fast: translation_data(name, 3000, max_digits),
        vocabulary_sizes,
        metric="masked_accuracy",
        threshold=threshold,
        epochs=40,
        batch_size=32,
        budget=60.0,
        budget_fast=20.0,
    )
