"""seqcourse.inference.metrics: exact match, accuracy by position and BLEU on hand-computed
cases."""

import math

import numpy as np
import pytest

from seqcourse.inference.metrics import bleu, exact_match, modified_precision, position_accuracy


def test_exact_match_counts_identical_sequences():
    assert exact_match([[1, 2], [3], [4, 5]], [[1, 2], [3, 3], [4]]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="one reference per hypothesis"):
        exact_match([[1]], [[1], [2]])


def test_position_accuracy_counts_each_position_over_long_enough_references():
    accuracy, counts = position_accuracy([[1, 2, 3], [1, 5]], [[1, 2, 9], [7]], max_len=4)
    np.testing.assert_array_equal(counts, [2, 2, 1, 0])
    np.testing.assert_allclose(accuracy[:3], [0.5, 0.5, 0.0])
    assert np.isnan(accuracy[3])


def test_clipping_of_papinenis_example():
    # Papineni et al. (2002): "the" seven times scores 2/7 against a reference with two "the".
    reference = "the cat is on the mat".split()
    assert modified_precision(reference, ["the"] * 7, 1) == (2, 7)
    score, details = bleu([reference], [["the"] * 7], max_n=1)
    assert score == pytest.approx(2 / 7) and details["brevity_penalty"] == 1.0


def test_bleu_by_hand_with_a_brevity_penalty():
    # p1 = 3/4 (a b c), p2 = 2/3 (ab, bc); c = 4 < r = 6, BP = exp(1 - 6/4).
    score, details = bleu([list("abcdef")], [list("abcx")], max_n=2)
    expected = math.exp(1 - 6 / 4) * math.sqrt(3 / 4 * 2 / 3)
    assert score == pytest.approx(expected)
    assert details["precisions"] == pytest.approx([3 / 4, 2 / 3])


def test_bleu_is_one_for_perfect_output_and_sums_counts_over_the_corpus():
    refs = [list("abcde"), list("xyzw")]
    assert bleu(refs, refs)[0] == pytest.approx(1.0)
    # Corpus BLEU pools the counts: not the mean of sentence scores.
    hyps = [list("abcde"), list("xyqw")]
    _, details = bleu(refs, hyps)
    assert details["precisions"][0] == pytest.approx(8 / 9)
    assert details["precisions"][1] == pytest.approx(5 / 7)


def test_smoothing_keeps_a_sentence_without_four_gram_matches_above_zero():
    ref, hyp = [list("abcdef")], [list("abxdef")]
    assert bleu(ref, hyp)[0] == 0.0
    assert 0.0 < bleu(ref, hyp, smooth=True)[0] < 1.0
    with pytest.raises(ValueError, match="max_n"):
        bleu(ref, hyp, max_n=0)
