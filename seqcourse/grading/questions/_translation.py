"""Data and baselines of the encoder-decoder model questions (11_seq2seq, 12_attention): number
translation (English words -> French words), trained with teacher forcing and graded by greedy
decoding (:class:`~seqcourse.grading.spec.Decoding`).

Chapter 11 insists that a sequence-to-sequence model is judged by what it produces from its own
outputs, not by its teacher-forced token accuracy: a decoder that reads ahead in its input, or
leans on the true previous token, can score well teacher-forced and still produce nothing useful.
So the sandbox decodes the held-out sources greedily, the model fed only its own tokens, and the
grade is the share of held-out numbers translated exactly (numbers never seen in training).

The baselines see the same data: the most frequent training translation (a decoder that ignores
its source), and the translation of the training source with the most words in common, word order
ignored (a position-blind lookup).
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
from seqcourse.grading.spec import Baseline, Decoding, ModelData, ModelQuestion, question_rng

HELD_OUT = 300  # numbers translated by the model in the grader's sandbox


def translation_data(name: str, n_pairs: int, max_digits: int, width: int) -> ModelData:
    """English -> French number words as ``ModelData``.

    Training: the ``"train"`` rows of ``number_translation(n_pairs, ...)`` with a seed fixed by the
    question's name, ``x_train = (source (N, S), decoder_input (N, T))`` and ``y_train`` the decoder
    output ``(N, T)`` (teacher forcing, :func:`seqcourse.data.tokens.decoder_io`). Held out:
    :data:`HELD_OUT` numbers drawn with the question's *salted* generator, none of them among the
    ``n_pairs``, as ``x_eval = (source (M, width), zeros (M, width))`` and ``y_eval`` their French
    ids ``(M, width)`` without ``</s>``, padded with 0. A term's salt changes the held-out numbers
    and nothing the model trains on.
    """
    from seqcourse.data import number_translation
    from seqcourse.data.tokens import prepare_translation

    seed = zlib.crc32(name.encode())
    frame = number_translation(n_pairs, "en", "fr", max_digits=max_digits, seed=seed)
    train = frame[frame["split"] == "train"]
    data = prepare_translation(train["source"], train["target"], train["split"])
    if data.decoder_output.shape[1] > width:
        raise ValueError(f"{name}: targets of {data.decoder_output.shape[1]} steps exceed {width}")
    salted = int(question_rng(name).integers(2**31))
    pool = number_translation(3 * HELD_OUT, "en", "fr", max_digits=max_digits, seed=salted)
    held = pool[~pool["number"].isin(frame["number"])].head(HELD_OUT)
    return ModelData(
        (data.source, data.decoder_input),
        data.decoder_output,
        (
            token_ids(held["source"], data.source_vocab, width),
            np.zeros((len(held), width), np.int32),
        ),
        token_ids(held["target"], data.target_vocab, width),
    )


def vocabulary_sizes(data: ModelData) -> dict:
    """The builder's keyword arguments: ``source_vocab`` and ``target_vocab`` (ids < size; the
    vocabularies are the training texts', so held-out ids are below them too)."""
    source, decoder_input = data.x_train
    biggest = max(int(decoder_input.max()), int(data.y_train.max()))
    return {"source_vocab": int(source.max()) + 1, "target_vocab": biggest + 1}


def _bags(ids: np.ndarray, vocab: int) -> np.ndarray:
    counts = np.zeros((len(ids), vocab), dtype=np.int32)
    rows = np.repeat(np.arange(len(ids)), ids.shape[1])
    np.add.at(counts, (rows, ids.ravel()), 1)
    counts[:, 0] = 0  # padding
    return counts


def nearest_bag_of_words(data: ModelData) -> np.ndarray:
    """The translation of the training source sharing the most words (counted with repeats) with
    the held-out source, word order ignored; ties go to the first."""
    source, held = data.x_train[0], data.x_eval[0]
    vocab = int(max(source.max(), held.max())) + 1
    known, asked = _bags(source, vocab), _bags(held, vocab)
    targets = training_sequences(data)
    chosen = []
    for row in asked:
        shared = np.minimum(known, row).sum(axis=1)  # multiset intersection
        chosen.append(targets[int(np.argmax(shared))])
    return as_decoded(chosen, data.y_eval.shape[1])


BASELINES = (
    Baseline("most frequent training translation", most_frequent_sequence),
    Baseline("translation of the training source with most words in common", nearest_bag_of_words),
)


def translation_question(
    name: str, target: str, summary: str, max_digits: int, width: int, margin: float, **kwargs
) -> ModelQuestion:
    """A 4-point model question: ``target(source_vocab, target_vocab)`` builds a compiled
    ``[source (B, S), decoder_input (B, T)] -> (B, T, V)`` model; the grader trains it with teacher
    forcing on the training part of 3000 number pairs of up to ``max_digits`` digits (40 epochs at
    most, 60 CPU seconds, 20 in fast mode), decodes the held-out sources greedily (at most ``width``
    tokens) and needs an exact-match share that removes ``margin`` of the best baseline's
    shortfall."""
    return ModelQuestion(
        name,
        4,
        target,
        summary,
        lambda fast: translation_data(name, 3000, max_digits, width),
        vocabulary_sizes,
        metric="exact_match",
        epochs=40,
        batch_size=32,
        budget=60.0,
        budget_fast=20.0,
        baselines=BASELINES,
        margin=margin,
        decode=Decoding(start_id=2, end_id=3, max_len=width),
        **kwargs,
    )
