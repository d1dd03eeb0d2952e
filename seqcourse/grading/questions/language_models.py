"""Assignment ``10_language_models``: nucleus (top-p) sampling, the perplexity of an interpolated
bigram model, the temperature that gives a chosen entropy, and a Keras character-level language
model that must predict the next character of an unseen play.

The trusted references are written here with NumPy; the grader checks that submissions do not call
or copy :mod:`seqcourse.reference`.
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
)

# --- trusted references (the answer key, held by the grader) -------------------------------


def _softmax(z):
    shifted = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def nucleus_distribution(logits, top_p, temperature=1.0, *, keep_crossing=True, renormalise=True):
    """Top-p sampling distribution: softmax(logits / T), cut to the nucleus, renormalised.

    logits (B, V) -> (B, V). The nucleus of a row is the smallest set of its most probable tokens
    whose total probability is at least ``top_p``: tokens are taken in order of decreasing
    probability until the mass reaches ``top_p`` (the token that crosses it is kept).
    ``keep_crossing`` and ``renormalise`` switch parts off to produce typical mistakes.
    """
    probs = _softmax(np.asarray(logits, dtype=np.float64) / temperature)
    order = np.argsort(-probs, axis=-1, kind="stable")
    sorted_probs = np.take_along_axis(probs, order, axis=-1)
    cumulative = np.cumsum(sorted_probs, axis=-1)
    # keep a token while the mass of the tokens *before* it is still below p
    before = cumulative - sorted_probs if keep_crossing else cumulative
    keep_sorted = before < top_p
    keep_sorted[..., 0] = True  # the most likely token is always in the nucleus
    keep = np.zeros_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    kept = np.where(keep, probs, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True) if renormalise else kept


def _temperature_after_cut(logits, top_p, temperature=1.0):
    """The nucleus chosen at T = 1, and the temperature applied only afterwards."""
    mask = nucleus_distribution(logits, top_p, 1.0) > 0
    return np.where(mask, _softmax(np.where(mask, logits / temperature, -np.inf)), 0.0)


def interpolated_bigram_perplexity(
    train_ids, test_ids, vocab_size, lam, *, smooth_unigram=True, score_first=False, log=False
):
    """Perplexity of ``test_ids[1:]`` under p(w | v) = lam p_ML(w | v) + (1 - lam) p_1(w).

    p_1(w) = (N(w) + 1) / (N + V) is the add-one unigram over the N training tokens, and
    p_ML(w | v) = N(v, w) / N(v) the maximum-likelihood bigram, with N(v) the number of training
    bigrams that start with v; when N(v) = 0 the bigram term is replaced by p_1(w). The keyword
    switches produce typical mistakes.
    """
    train = np.asarray(train_ids, dtype=np.int64)
    test = np.asarray(test_ids, dtype=np.int64)
    unigram_counts = np.bincount(train, minlength=vocab_size).astype(np.float64)
    if smooth_unigram:
        unigram = (unigram_counts + 1.0) / (len(train) + vocab_size)
    else:
        unigram = unigram_counts / len(train)
    pair_counts = np.zeros((vocab_size, vocab_size))
    np.add.at(pair_counts, (train[:-1], train[1:]), 1.0)
    starts = pair_counts.sum(axis=1, keepdims=True)  # N(v)
    bigram = np.where(starts > 0, pair_counts / np.maximum(starts, 1.0), unigram[None, :])
    probs = lam * bigram[test[:-1], test[1:]] + (1.0 - lam) * unigram[test[1:]]
    if score_first:
        probs = np.concatenate([[unigram[test[0]]], probs])
    with np.errstate(divide="ignore"):  # an unsmoothed unigram can give p = 0 (a mistake)
        cross_entropy = -np.mean(np.log(probs))
    return float(cross_entropy) if log else float(np.exp(cross_entropy))


ENTROPY_LOGITS = np.array([3.0, 2.2, 1.5, 1.1, 0.4, 0.0, -0.6, -1.3])
TARGET_BITS = 1.5


def _entropy_bits(logits, temperature, base=2.0):
    p = _softmax(logits / temperature)
    return float(-(p * np.log(p)).sum() / np.log(base))


def temperature_for_entropy(logits=ENTROPY_LOGITS, bits=TARGET_BITS, base=2.0) -> float:
    """The temperature T at which softmax(logits / T) has entropy ``bits`` (in log ``base``).

    The entropy grows monotonically with T, from 0 (T -> 0) to log V (T -> infinity), so bisection
    on log T finds it.
    """
    low, high = np.log(1e-3), np.log(1e3)
    for _ in range(200):
        middle = 0.5 * (low + high)
        if _entropy_bits(logits, np.exp(middle), base) < bits:
            low = middle
        else:
            high = middle
    return float(np.exp(0.5 * (low + high)))


# --- the model question's data: Shakespeare, training plays -> the unseen test play ----------


EVAL_STEPS = 80  # characters per evaluation window (the training windows are 64 or 100)


@functools.cache
def char_windows(fast: bool) -> ModelData:
    """Next-character windows: x (N, T) int32 ids, y (N, T) the next ids; V = 74 (0 = unknown).

    Ids follow ``keras.layers.StringLookup(vocabulary=sorted(set(train_text)))``: 0 is [UNK], the
    training characters in sorted order are 1..73. Training windows come from the start of the
    training plays (64 characters long in fast mode, 100 in full), evaluation windows (80
    characters, in both modes) from the start of *Macbeth*, a play the model never sees.
    """
    from seqcourse.data import load_shakespeare

    text = load_shakespeare()
    chars = sorted(set(text["train"]))
    index = {c: i + 1 for i, c in enumerate(chars)}
    train_chars, eval_chars, steps = (150_000, 20_000, 64) if fast else (400_000, 50_000, 100)

    def windows(string, steps=steps):
        ids = np.array([index.get(c, 0) for c in string], dtype=np.int32)
        count = (len(ids) - 1) // steps
        return ids[: count * steps].reshape(count, steps), ids[1 : count * steps + 1].reshape(
            count, steps
        )

    x_train, y_train = windows(text["train"][:train_chars])
    x_eval, y_eval = windows(text["test"][:eval_chars], EVAL_STEPS)
    return ModelData(x_train, y_train, x_eval, y_eval)


CHAR_VOCAB = 74  # the 73 characters of the training plays and [UNK]


# --- cases ---------------------------------------------------------------------------------


HAND_PROBS = np.array([[0.5, 0.3, 0.15, 0.05], [0.1, 0.2, 0.3, 0.4]])


def _nucleus_case(rng, batch, vocab):
    return Case(
        (rng.normal(0, 2, size=(batch, vocab)), float(rng.uniform(0.3, 0.95))),
        {"temperature": float(rng.uniform(0.5, 2.0))},
    )


def _bigram_case(rng):
    vocab = int(rng.integers(4, 25))
    weights = rng.dirichlet(np.full(vocab, 0.5))
    train = rng.choice(vocab, size=int(rng.integers(30, 300)), p=weights)
    test = rng.choice(vocab, size=int(rng.integers(10, 100)))
    return Case((train, test, vocab, float(rng.uniform(0.2, 0.95))))


ASSIGNMENT = Assignment(
    "10_language_models",
    (
        FunctionQuestion(
            "nucleus",
            3,
            "nucleus_distribution",
            "top-p (nucleus) sampling distribution after a temperature, rows renormalised",
            nucleus_distribution,
            lambda: [
                Case((np.log(HAND_PROBS), 0.7), label="hand-made"),
                Case((np.log(HAND_PROBS), 0.7), {"temperature": 2.0}, label="hand-made, hot"),
                _nucleus_case(np.random.default_rng(101), 3, 6),
            ],
            lambda rng: [
                _nucleus_case(rng, int(rng.integers(1, 5)), int(rng.integers(3, 40)))
                for _ in range(5)
            ],
            rtol=1e-7,
            atol=1e-10,
            mistakes=(
                Mistake(
                    "the kept probabilities must be renormalised to sum to 1",
                    lambda z, p, temperature=1.0: nucleus_distribution(
                        z, p, temperature, renormalise=False
                    ),
                ),
                Mistake(
                    "the nucleus must reach p: keep the token whose probability crosses it",
                    lambda z, p, temperature=1.0: nucleus_distribution(
                        z, p, temperature, keep_crossing=False
                    ),
                ),
                Mistake(
                    "apply the temperature before choosing the nucleus, not after",
                    _temperature_after_cut,
                ),
            ),
        ),
        FunctionQuestion(
            "interpolated_bigram",
            3,
            "interpolated_bigram_perplexity",
            "perplexity of an interpolated bigram model on test_ids[1:]",
            interpolated_bigram_perplexity,
            lambda: [
                Case((np.array([0, 1, 2, 0, 1, 0, 2, 2, 1, 0]), np.array([0, 1, 1, 2, 0]), 4, 0.8)),
                _bigram_case(np.random.default_rng(102)),
            ],
            lambda rng: [_bigram_case(rng) for _ in range(6)],
            rtol=1e-7,
            atol=1e-10,
            mistakes=(
                Mistake(
                    "that is the cross-entropy in nats: the perplexity is its exponential",
                    lambda *a: interpolated_bigram_perplexity(*a, log=True),
                ),
                Mistake(
                    "score only test_ids[1:]: the first token has no previous token",
                    lambda *a: interpolated_bigram_perplexity(*a, score_first=True),
                ),
                Mistake(
                    "lam weighs the bigram and 1 - lam the unigram, not the other way round",
                    lambda tr, te, v, lam: interpolated_bigram_perplexity(tr, te, v, 1.0 - lam),
                ),
                Mistake(
                    "the unigram needs add-one smoothing: (N(w) + 1) / (N + V)",
                    lambda *a: interpolated_bigram_perplexity(*a, smooth_unigram=False),
                ),
            ),
        ),
        ValueQuestion(
            "entropy_temperature",
            2,
            "entropy_temperature",
            "the temperature at which softmax(z / T) of the given logits has 1.5 bits of entropy",
            temperature_for_entropy,
            rtol=1e-4,
            atol=1e-6,
            mistakes=(
                Mistake(
                    "that gives 1.5 nats: measure the entropy in bits (log base 2)",
                    lambda: temperature_for_entropy(base=np.e),
                ),
                Mistake(
                    "the temperature divides the logits: softmax(z / T), not softmax(z * T)",
                    lambda: 1.0 / temperature_for_entropy(),
                ),
            ),
        ),
        ModelQuestion(
            "char_model",
            3,
            "build_char_model",
            "a recurrent character language model: next-character accuracy on an unseen play must "
            "remove 15 % of the error of the best baseline (the most frequent character; a bigram "
            "model), partial credit in between; a trigram model is shown for reference",
            char_windows,
            lambda data: {"vocab_size": CHAR_VOCAB},
            metric="accuracy",
            epochs=5,
            batch_size=32,
            budget=90.0,
            budget_fast=25.0,
            baselines=(
                Baseline("the most frequent character", _baselines.next_token_ngram(1, CHAR_VOCAB)),
                Baseline("bigram model", _baselines.next_token_ngram(2, CHAR_VOCAB)),
                Baseline("trigram model", _baselines.next_token_ngram(3, CHAR_VOCAB), bar=False),
            ),
            margin=0.15,
            partial=True,
            requires=("SimpleRNN", "LSTM", "GRU"),
            technique="a recurrent layer (SimpleRNN, LSTM or GRU)",
            other_length=True,
        ),
    ),
    cell_timeout=120.0,
    call_timeout=10.0,
)
