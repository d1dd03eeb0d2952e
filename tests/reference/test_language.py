"""n-gram counts, perplexity, temperature and top-k sampling: against hand counts, brute force,
Keras's cross-entropy and the laws of large numbers."""

import keras
import numpy as np
import pytest

from seqcourse import reference as ref
from seqcourse.reference.language import NGramModel

TEXT = np.array([0, 1, 2, 0, 1, 0, 2, 2, 1, 0])  # a tiny corpus over V = 3 tokens


def brute_force_log_prob(train, test, order, vocab, alpha):
    """The add-alpha n-gram probability by counting with Python tuples."""
    grams = [tuple(train[i : i + order]) for i in range(len(train) - order + 1)]
    out = []
    for t in range(order - 1, len(test)):
        context = tuple(test[t - order + 1 : t])
        pair = grams.count((*context, test[t]))
        seen = sum(g[:-1] == context for g in grams)
        out.append(np.log((pair + alpha) / (seen + alpha * vocab)))
    return np.array(out)


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("alpha", [0.1, 1.0])
def test_ngram_matches_counting_by_hand(order, alpha):
    test = np.array([2, 2, 0, 1, 1, 2, 0])
    model = NGramModel(order, 3, alpha).fit(TEXT)
    expected = brute_force_log_prob(list(TEXT), list(test), order, 3, alpha)
    np.testing.assert_allclose(model.log_prob(test), expected, rtol=1e-12)


def test_unigram_and_bigram_values_worked_out():
    unigram = NGramModel(1, 3, alpha=1.0).fit(TEXT)  # counts 4, 3, 3 of 10
    np.testing.assert_allclose(unigram.probabilities([]), [5 / 13, 4 / 13, 4 / 13])
    bigram = NGramModel(2, 3, alpha=1.0).fit(TEXT)  # after 0: 1 twice, 2 once
    np.testing.assert_allclose(bigram.probabilities([2, 0]), [1 / 6, 3 / 6, 2 / 6])


@pytest.mark.parametrize("order", [1, 2, 3])
def test_next_token_distributions_sum_to_one_including_unseen_contexts(order):
    model = NGramModel(order, 5, alpha=0.5).fit(np.array([0, 1, 2, 3, 0, 1, 2]))
    for context in ([0, 1], [4, 4], [3, 0]):
        probs = model.probabilities(context)
        assert probs.shape == (5,)
        assert abs(probs.sum() - 1) < 1e-12
        assert np.all(probs > 0)
    # an unseen context falls back to the uniform distribution
    if order > 1:
        np.testing.assert_allclose(model.probabilities([4, 4]), np.full(5, 0.2))


def test_probabilities_agree_with_log_prob():
    model = NGramModel(2, 3, alpha=0.3).fit(TEXT)
    for prev in range(3):
        for nxt in range(3):
            lp = model.log_prob(np.array([prev, nxt]))
            assert lp.shape == (1,)
            np.testing.assert_allclose(np.exp(lp[0]), model.probabilities([prev])[nxt])


def test_ngram_rejects_bad_input_with_clear_messages():
    with pytest.raises(ValueError, match="order must be an int >= 1"):
        NGramModel(0, 3)
    with pytest.raises(ValueError, match="alpha must be a positive number"):
        NGramModel(2, 3, alpha=0)
    with pytest.raises(ValueError, match="vocab_size must be an int"):
        NGramModel(2, 3.5)
    with pytest.raises(ValueError, match="not been fitted"):
        NGramModel(2, 3).log_prob(TEXT)
    with pytest.raises(ValueError, match=r"ids in \[0, 3\)"):
        NGramModel(2, 3).fit(np.array([0, 3]))
    with pytest.raises(ValueError, match="integer token ids"):
        NGramModel(2, 3).fit(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="1-D array"):
        NGramModel(2, 3).fit(np.zeros((2, 2), int))
    with pytest.raises(ValueError, match="at least order = 3"):
        NGramModel(3, 3).fit(np.array([0, 1]))
    with pytest.raises(ValueError, match="too large"):
        NGramModel(6, 10**4)


def test_perplexity_of_uniform_model_is_vocabulary_size():
    assert ref.perplexity(np.full(50, np.log(1 / 7))) == pytest.approx(7.0)
    assert ref.perplexity(np.zeros(3)) == pytest.approx(1.0)  # certain and right
    with pytest.raises(ValueError, match="pass log p, not p"):
        ref.perplexity(np.array([0.5, 0.2]))
    with pytest.raises(ValueError, match="empty"):
        ref.perplexity(np.array([]))


def test_perplexity_from_logits_is_exp_of_keras_cross_entropy():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2, (3, 5, 11)).astype("float32")
    labels = rng.integers(0, 11, (3, 5))
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    assert ref.perplexity_from_logits(logits, labels) == pytest.approx(np.exp(float(loss)), 1e-5)
    # and the same number as perplexity() of the picked log-probabilities
    picked = np.take_along_axis(ref.log_softmax(logits), labels[..., None], -1)
    assert ref.perplexity(picked) == pytest.approx(ref.perplexity_from_logits(logits, labels))


def test_top_k_keeps_the_k_largest_logits():
    logits = np.array([[1.0, 5.0, 3.0, 4.0], [0.0, -1.0, 2.0, 1.0]])
    kept = ref.top_k_logits(logits, 2)
    assert np.array_equal(
        np.isfinite(kept), [[False, True, False, True], [False, False, True, True]]
    )
    assert np.array_equal(ref.top_k_logits(logits, None), logits)
    assert np.all(np.isfinite(ref.top_k_logits(logits, 4)))
    with pytest.raises(ValueError, match=r"top_k must be None or an int in \[1, V = 4\]"):
        ref.top_k_logits(logits, 5)


def test_sampling_distribution_temperature_limits():
    logits = np.array([2.0, 1.0, 0.0, -1.0])
    np.testing.assert_allclose(ref.sampling_distribution(logits, 1.0), ref.softmax(logits))
    np.testing.assert_allclose(ref.sampling_distribution(logits, 0.0), [1, 0, 0, 0])
    entropies = [
        -np.sum(p * np.log(p))
        for p in (ref.sampling_distribution(logits, t) for t in (0.25, 0.5, 1.0, 2.0, 8.0))
    ]
    assert np.all(np.diff(entropies) > 0)  # hotter is flatter
    np.testing.assert_allclose(ref.sampling_distribution(logits, 1e4), np.full(4, 0.25), atol=1e-3)
    top2 = ref.sampling_distribution(logits, 1.0, top_k=2)
    np.testing.assert_allclose(top2, [np.e / (np.e + 1), 1 / (np.e + 1), 0, 0])
    with pytest.raises(ValueError, match="temperature must be a finite number >= 0"):
        ref.sampling_distribution(logits, -1.0)


def test_sample_next_draws_from_the_sampling_distribution():
    rng = np.random.default_rng(0)
    logits = np.log(np.array([[0.5, 0.3, 0.2, 0.0 + 1e-300]]))
    draws = np.concatenate([ref.sample_next(logits, rng) for _ in range(20000)])
    freq = np.bincount(draws, minlength=4) / len(draws)
    np.testing.assert_allclose(freq, [0.5, 0.3, 0.2, 0.0], atol=0.015)
    top1 = np.concatenate([ref.sample_next(logits, rng, top_k=1) for _ in range(200)])
    assert np.all(top1 == 0)
    rows = np.array([[0.0, 9.0, 0.0], [9.0, 0.0, 0.0]])
    assert np.array_equal(ref.sample_next(rows, rng, temperature=0.0), [1, 0])


def test_sample_next_is_reproducible_and_checks_its_arguments():
    logits = np.zeros((4, 6))
    a = ref.sample_next(logits, np.random.default_rng(3), temperature=1.5)
    b = ref.sample_next(logits, np.random.default_rng(3), temperature=1.5)
    assert a.shape == (4,) and np.array_equal(a, b)
    with pytest.raises(ValueError, match="logits must be a 2-D array"):
        ref.sample_next(np.zeros(6), np.random.default_rng(0))
    with pytest.raises(ValueError, match="numpy.random.Generator"):
        ref.sample_next(logits, 0)
