"""Scores for generated sequences: exact match, accuracy by position and BLEU.

A sequence is a list of tokens (ids or strings); every function compares a list of hypotheses with
a list of references, one reference per hypothesis. Pure Python and NumPy.
"""

import math
from collections import Counter

import numpy as np

__all__ = ["bleu", "exact_match", "modified_precision", "ngrams", "position_accuracy"]


def _pairs(references, hypotheses):
    references, hypotheses = list(references), list(hypotheses)
    if len(references) != len(hypotheses) or not references:
        raise ValueError(
            "need one reference per hypothesis and at least one pair; got "
            f"{len(references)} references and {len(hypotheses)} hypotheses"
        )
    return [(list(r), list(h)) for r, h in zip(references, hypotheses, strict=True)]


def exact_match(references, hypotheses):
    """The fraction of hypotheses identical to their reference, token for token.

    Chapters 11, 12, 13 and 16 use it.
    """
    pairs = _pairs(references, hypotheses)
    return sum(r == h for r, h in pairs) / len(pairs)


def position_accuracy(references, hypotheses, max_len):
    """Token accuracy at each output position 0..max_len-1: at position t, the fraction of
    references with a t-th token whose hypothesis has the same token there.

    Returns ``(accuracy, counts)``, two arrays ``(max_len,)``; ``accuracy`` is NaN where no
    reference is that long.

    Chapter 11 uses it.
    """
    pairs = _pairs(references, hypotheses)
    hits, counts = np.zeros(max_len), np.zeros(max_len)
    for reference, hypothesis in pairs:
        for t, token in enumerate(reference[:max_len]):
            counts[t] += 1
            hits[t] += t < len(hypothesis) and hypothesis[t] == token
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, hits / counts, np.nan), counts


def ngrams(tokens, n):
    """Counter of the n-grams (as tuples) of one token list.

    No chapter calls it directly; :func:`modified_precision` (chapter 11) uses it.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1; got {n}")
    tokens = list(tokens)
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def modified_precision(reference, hypothesis, n):
    """BLEU's clipped n-gram counts for one pair: ``(matches, total)``.

    Each hypothesis n-gram counts at most as often as it occurs in the reference ("clipping"), so
    repeating a correct word does not raise the score; ``total`` is the hypothesis's n-gram count.

    Chapter 11 shows it.
    """
    hyp, ref = ngrams(hypothesis, n), ngrams(reference, n)
    return sum(min(count, ref[gram]) for gram, count in hyp.items()), sum(hyp.values())


def bleu(references, hypotheses, max_n=4, smooth=False):
    """Corpus BLEU (Papineni et al., 2002) with one reference per hypothesis, in [0, 1].

    ``BLEU = BP * exp(mean_n log p_n)`` over n = 1..max_n, where ``p_n`` is the clipped n-gram
    precision summed over the corpus and the brevity penalty ``BP = min(1, exp(1 - r / c))``
    punishes a corpus of hypotheses (``c`` tokens) shorter than its references (``r`` tokens).
    With ``smooth=True``, 1 is added to the matches and totals of n >= 2 (Lin and Och's "BLEU+1"),
    so one sentence without a 4-gram match does not score 0; use it for sentence-level scores.

    Returns:
        ``(score, details)``: the BLEU score and a dict with ``precisions`` (list of p_n),
        ``brevity_penalty``, ``hypothesis_length`` and ``reference_length``.

    Chapters 11, 13 and 16 use it.
    """
    if isinstance(max_n, bool) or not isinstance(max_n, int) or max_n < 1:
        raise ValueError(f"max_n must be a positive int; got {max_n!r}")
    pairs = _pairs(references, hypotheses)
    matches, totals = np.zeros(max_n), np.zeros(max_n)
    for reference, hypothesis in pairs:
        for n in range(1, max_n + 1):
            hit, total = modified_precision(reference, hypothesis, n)
            matches[n - 1] += hit
            totals[n - 1] += total
    if smooth:
        matches[1:] += 1
        totals[1:] += 1
    hyp_len = sum(len(h) for _, h in pairs)
    ref_len = sum(len(r) for r, _ in pairs)
    with np.errstate(invalid="ignore", divide="ignore"):
        precisions = np.where(totals > 0, matches / totals, 0.0)
    if hyp_len == 0:
        penalty = 0.0
    else:
        penalty = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    score = 0.0 if np.any(precisions == 0) else penalty * math.exp(np.mean(np.log(precisions)))
    details = {
        "precisions": precisions.tolist(),
        "brevity_penalty": penalty,
        "hypothesis_length": hyp_len,
        "reference_length": ref_len,
    }
    return float(score), details
