"""Assignment ``11_seq2seq``: scheduled-sampling decoder inputs, a sentence-level BLEU on unigrams
and bigrams, the parameter count of a GRU encoder-decoder, a trained encoder-decoder that
translates numbers from English words to French words (a two-input model question), and one step
of beam search that prunes by GNMT's length-normalised score.

The trusted references build on :mod:`seqcourse.inference.metrics`; the grader checks that
submissions do not call or copy the course's reference code.
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

START = 2  # the id of <s> in the cases

# --- trusted references (the answer key, held by the grader) -------------------------------


def scheduled_decoder_inputs(
    decoder_input, predicted, draws, teacher_probability, *, shift=True, keep_start=True
):
    """The decoder input of one scheduled-sampling pass.

    decoder_input (B, T) int: ``<s> y_1 .. y_n`` padded with 0; predicted (B, T) int: the model's
    best guess at every step of a teacher-forced pass (``predicted[:, t]`` guesses ``y_{t+1}``);
    draws (B, T) uniform in [0, 1). Step t >= 1 reads the true ``y_t`` where ``draws < p`` and the
    model's guess ``predicted[:, t - 1]`` otherwise; step 0 keeps ``<s>`` and padding stays 0.
    ``shift`` and ``keep_start`` switch parts off to produce typical mistakes.
    """
    decoder_input = np.asarray(decoder_input)
    predicted = np.asarray(predicted)
    guesses = np.zeros_like(predicted)
    guesses[:, 1:] = predicted[:, :-1] if shift else predicted[:, 1:]
    if not shift:
        guesses[:, 0] = predicted[:, 0]
    mixed = np.where(np.asarray(draws) < teacher_probability, decoder_input, guesses)
    if keep_start:
        mixed[:, 0] = decoder_input[:, 0]
    return np.where(decoder_input != 0, mixed, 0)


def bigram_bleu(reference, hypothesis, *, clip=True, brevity=True, smooth=True):
    """Sentence BLEU on unigrams and bigrams, with add-one smoothing of the bigram counts."""
    from collections import Counter

    reference, hypothesis = list(reference), list(hypothesis)
    if not hypothesis:
        return 0.0
    log_precision = 0.0
    for n in (1, 2):
        hyp = Counter(tuple(hypothesis[i : i + n]) for i in range(len(hypothesis) - n + 1))
        ref = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
        hits = sum(min(c, ref[g]) if clip else c * (ref[g] > 0) for g, c in hyp.items())
        total = sum(hyp.values())
        if n == 2 and smooth:
            hits, total = hits + 1, total + 1
        if hits == 0 or total == 0:
            return 0.0
        log_precision += np.log(hits / total) / 2
    ratio = len(reference) / len(hypothesis)
    penalty = min(1.0, float(np.exp(1 - ratio))) if brevity else 1.0
    return penalty * float(np.exp(log_precision))


def seq2seq_parameters(*, gru_bias_rows=2, decoder_embedding=True):
    """Trainable parameters of the GRU encoder-decoder of the exercise (no attention):
    Embedding(40, 16) -> GRU(32) encoder; Embedding(30, 16) -> GRU(32) decoder; Dense(30)."""

    def gru(inputs, units):
        return 3 * units * (inputs + units + gru_bias_rows)

    embeddings = 40 * 16 + (30 * 16 if decoder_embedding else 0)
    return embeddings + 2 * gru(16, 32) + 32 * 30 + 30


def gnmt_beam_step(
    scores,
    lengths,
    finished,
    log_probs,
    end_id,
    alpha,
    *,
    normalise=True,
    count_new=True,
    grow_finished=False,
    return_normalised=False,
    penalty="gnmt",
):
    """One beam-search step that keeps the K candidates of best GNMT-normalised score.

    scores (B, K) raw log-probabilities (-inf for empty slots), lengths (B, K) tokens so far,
    finished (B, K), log_probs (B, K, V). An unfinished beam k proposes every token v with raw
    score ``scores + log_probs`` and length ``lengths + 1``; a finished beam proposes only itself
    (token ``end_id``, score and length unchanged). Candidates are ranked by
    ``raw / ((5 + length) / 6) ** alpha`` (stable: ties in the order of (k, v)). Returns
    ``(new_scores, parents, tokens, new_lengths)``, each (B, K), best first, scores raw. The
    keyword switches produce typical mistakes.
    """
    scores = np.asarray(scores, dtype=np.float64)
    lengths = np.asarray(lengths, dtype=np.int64)
    finished = np.asarray(finished, dtype=bool)
    log_probs = np.asarray(log_probs, dtype=np.float64)
    batch, width, vocab = log_probs.shape
    frozen = np.full(vocab, -np.inf)
    frozen[end_id] = 0.0
    step = np.where(finished[:, :, None], frozen, log_probs)
    raw = scores[:, :, None] + step  # (B, K, V)
    grown = lengths + (1 if count_new else 0)
    if grow_finished:
        new_length = np.broadcast_to(grown[:, :, None], raw.shape)
    else:
        new_length = np.where(finished, lengths, grown)[:, :, None] * np.ones(vocab, np.int64)
    if penalty == "gnmt":
        divisor = ((5.0 + new_length) / 6.0) ** alpha
    else:  # |y| ** alpha
        divisor = np.maximum(new_length, 1) ** alpha
    ranked = raw / divisor if normalise else raw
    flat_rank = ranked.reshape(batch, width * vocab)
    best = np.argsort(-flat_rank, axis=1, kind="stable")[:, :width]
    chosen = np.take_along_axis(raw.reshape(batch, -1), best, axis=1)
    if return_normalised:
        chosen = np.take_along_axis(flat_rank, best, axis=1)
    new_lengths = np.take_along_axis(new_length.reshape(batch, -1), best, axis=1)
    return chosen, best // vocab, best % vocab, new_lengths


# --- cases ---------------------------------------------------------------------------------


def _schedule_case(rng, batch, steps, probability):
    lengths = rng.integers(1, steps, size=batch)
    decoder_input = np.zeros((batch, steps), dtype=np.int64)
    for row, length in enumerate(lengths):
        decoder_input[row, : length + 1] = [START, *rng.integers(4, 20, size=length)]
    predicted = rng.integers(3, 20, size=(batch, steps))
    draws = rng.uniform(size=(batch, steps))
    return Case((decoder_input, predicted, draws, probability))


def _bleu_case(rng, ref_len, hyp_len, vocab):
    reference = rng.integers(1, vocab + 1, size=ref_len).tolist()
    # Mostly the reference's tokens, in a roughly similar order, so the n-grams partly match.
    hypothesis = [
        reference[min(i, ref_len - 1)] if rng.uniform() < 0.7 else int(rng.integers(1, vocab + 1))
        for i in range(hyp_len)
    ]
    return Case((reference, hypothesis))


def _public_bleu():
    return [
        Case(("the cat sat on the mat".split(), "the cat sat on a mat".split())),
        Case(("the cat sat on the mat".split(), "the the the the".split())),
        Case(([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3])),
    ]


QUESTIONS = (
    FunctionQuestion(
        "scheduled_inputs",
        3,
        "scheduled_decoder_inputs",
        "a scheduled-sampling decoder input: true y_t with probability p, else the guess for y_t",
        scheduled_decoder_inputs,
        lambda: [_schedule_case(np.random.default_rng(111), 3, 6, 0.5)],
        lambda rng: (
            [
                _schedule_case(rng, b, t, float(rng.uniform(0.1, 0.9)))
                for b, t in random_sizes(rng, 4, (1, 5), (2, 9))
            ]
            + [_schedule_case(rng, 3, 5, 1.0), _schedule_case(rng, 3, 5, 0.0)]
        ),
        rtol=0,
        atol=0,
        mistakes=(
            Mistake(
                "step t must read the guess for y_t, which the model made at step t - 1: "
                "shift the predictions right by one",
                lambda *a: scheduled_decoder_inputs(*a, shift=False),
            ),
            Mistake(
                "the first step always reads <s>: there is no guess to feed before it",
                lambda *a: scheduled_decoder_inputs(*a, keep_start=False),
            ),
            Mistake(
                "draws < p means feed the TRUE token (p is the teacher-forcing probability)",
                lambda x, y, d, p: scheduled_decoder_inputs(x, y, d, 1.0 - p),
            ),
        ),
    ),
    FunctionQuestion(
        "bigram_bleu",
        3,
        "bigram_bleu",
        "sentence BLEU on unigrams and bigrams: clipped, smoothed, with a brevity penalty",
        bigram_bleu,
        _public_bleu,
        lambda rng: [_bleu_case(rng, *s) for s in random_sizes(rng, 8, (2, 12), (1, 14), (3, 8))],
        rtol=1e-9,
        atol=1e-12,
        mistakes=(
            Mistake(
                "clip each n-gram's count at its count in the reference",
                lambda r, h: bigram_bleu(r, h, clip=False),
            ),
            Mistake(
                "a hypothesis shorter than the reference pays the brevity penalty exp(1 - r/c)",
                lambda r, h: bigram_bleu(r, h, brevity=False),
            ),
            Mistake(
                "add one to the bigram matches and to the bigram total (smoothing)",
                lambda r, h: bigram_bleu(r, h, smooth=False),
            ),
        ),
    ),
    ValueQuestion(
        "seq2seq_parameters",
        2,
        "n_seq2seq_parameters",
        "trainable parameters of a GRU encoder-decoder: embeddings, two GRUs, the output layer",
        seq2seq_parameters,
        rtol=0,
        atol=0,
        mistakes=(
            Mistake(
                "Keras's GRU (reset_after=True) has two bias rows: 3H (D + H + 2)",
                lambda: seq2seq_parameters(gru_bias_rows=1),
            ),
            Mistake(
                "the decoder embeds its input tokens too: Embedding(30, 16)",
                lambda: seq2seq_parameters(decoder_embedding=False),
            ),
        ),
    ),
)

# Numbers of up to 4 digits: sources of up to 9 tokens, targets of up to 11 (+ </s>).
TRANSLATOR = translation_question(
    "translator",
    "build_translator",
    "a GRU/LSTM encoder-decoder, [source ids, decoder input ids] -> (B, T, V) scores, graded by "
    "greedy decoding: held-out numbers of up to 4 digits translated exactly",
    4,
    16,
    0.9,
    requires=("GRU", "LSTM", "SimpleRNN"),
    technique="a recurrent encoder-decoder (GRU, LSTM or SimpleRNN layers)",
)

QUESTIONS = (*QUESTIONS, TRANSLATOR)

END_ID = 3  # the id of </s> in the beam cases


def _beam_case(rng, batch, width, vocab, alpha):
    """B examples of K beams after a few steps: beam 0 always live (so that at least V >= K
    candidates are finite and the K best are well defined), later beams live, finished or empty."""
    lengths = rng.integers(1, 9, size=(batch, width))
    scores = -rng.uniform(0.1, 3.0, size=(batch, width)) * lengths
    finished = rng.uniform(size=(batch, width)) < 0.4
    empty = rng.uniform(size=(batch, width)) < 0.15
    finished[:, 0], empty[:, 0] = False, False
    scores[empty] = -np.inf
    logits = rng.normal(0.0, 2.0, size=(batch, width, vocab))
    log_probs = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    return Case((scores, lengths, finished, log_probs, END_ID, alpha))


def _public_beam():
    case = _beam_case(np.random.default_rng(112), 2, 3, 6, 0.8)
    return [case]


BEAM_STEP = FunctionQuestion(
    "gnmt_beam_step",
    4,
    "gnmt_beam_step",
    "one beam-search step pruning by GNMT's length-normalised score; raw scores, lengths back",
    gnmt_beam_step,
    _public_beam,
    lambda rng: [
        _beam_case(rng, b, k, v, float(rng.choice([0.5, 0.7, 1.0, 1.5])))
        for b, k, v in random_sizes(rng, 6, (1, 4), (2, 5), (5, 9))
    ],
    rtol=1e-9,
    atol=1e-12,
    mistakes=(
        Mistake(
            "rank the candidates by the normalised score raw / lp(|y|), not by the raw sum",
            lambda *a: gnmt_beam_step(*a, normalise=False),
        ),
        Mistake(
            "a candidate that appends a token is one token longer: lp uses lengths + 1",
            lambda *a: gnmt_beam_step(*a, count_new=False),
        ),
        Mistake(
            "a finished beam does not grow: its length (and so its penalty) stays the same",
            lambda *a: gnmt_beam_step(*a, grow_finished=True),
        ),
        Mistake(
            "return the raw log-probabilities of the survivors, not their normalised scores",
            lambda *a: gnmt_beam_step(*a, return_normalised=True),
        ),
        Mistake(
            "GNMT's penalty is ((5 + |y|) / 6) ** alpha, not |y| ** alpha",
            lambda *a: gnmt_beam_step(*a, penalty="power"),
        ),
    ),
)

QUESTIONS = (*QUESTIONS, BEAM_STEP)

ASSIGNMENT = Assignment("11_seq2seq", QUESTIONS, cell_timeout=120.0, call_timeout=10.0)
