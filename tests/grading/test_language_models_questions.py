"""The answer key of 10_language_models agrees with the course reference where they overlap, and
every typical mistake differs from the answer on the public cases (so its hint can show)."""

import numpy as np
import pytest

from seqcourse import reference as ref
from seqcourse.grading.questions import language_models as q
from seqcourse.grading.verdicts import compare


def test_nucleus_with_p_one_is_the_tempered_softmax_and_small_p_is_greedy():
    logits = np.random.default_rng(0).normal(0, 2, (3, 9))
    np.testing.assert_allclose(
        q.nucleus_distribution(logits, 1.0, 0.7), ref.sampling_distribution(logits, 0.7)
    )
    np.testing.assert_allclose(
        q.nucleus_distribution(logits, 1e-9), ref.sampling_distribution(logits, 0.0)
    )


def test_nucleus_mass_reaches_p_with_the_fewest_tokens():
    logits = np.random.default_rng(1).normal(0, 2, (4, 12))
    probs = ref.softmax(logits)
    kept = q.nucleus_distribution(logits, 0.8) > 0
    for row in range(4):
        mass = probs[row, kept[row]].sum()
        assert mass >= 0.8
        assert mass - probs[row, kept[row]].min() < 0.8  # dropping the least likely falls short


def test_interpolated_bigram_limits_match_the_reference_models():
    rng = np.random.default_rng(2)
    train, test = rng.integers(0, 6, 400), rng.integers(0, 6, 80)
    unigram = ref.NGramModel(1, 6, alpha=1.0).fit(train)
    # lam = 0: the add-one unigram on test[1:]
    expected = ref.perplexity(unigram.log_prob(test)[1:])
    assert q.interpolated_bigram_perplexity(train, test, 6, 0.0) == pytest.approx(expected)
    # lam = 1 with every pair seen: the maximum-likelihood bigram (add-alpha with alpha -> 0)
    bigram = ref.NGramModel(2, 6, alpha=1e-12).fit(train)
    assert q.interpolated_bigram_perplexity(train, test, 6, 1.0) == pytest.approx(
        ref.perplexity(bigram.log_prob(test)), rel=1e-6
    )


def test_entropy_temperature_gives_the_target_entropy():
    temperature = q.temperature_for_entropy()
    probs = ref.softmax(q.ENTROPY_LOGITS / temperature)
    assert -(probs * np.log2(probs)).sum() == pytest.approx(q.TARGET_BITS, abs=1e-9)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_every_mistake_is_distinguishable_from_the_answer(index):
    question = q.ASSIGNMENT.questions[index]
    for mistake in question.mistakes:
        if question.kind == "value":
            differs = compare(question.expected(), mistake.produce(), question.rtol, question.atol)
            assert differs, mistake.hint
            continue
        outcomes = [
            compare(
                question.reference(*case.args, **case.kwargs),
                mistake.produce(*case.args, **case.kwargs),
                question.rtol,
                question.atol,
            )
            for case in question.cases(hidden=False)
        ]
        assert any(outcomes), mistake.hint


def test_model_data_shapes_and_ids():
    data = q.char_windows(True)
    assert data.x_train.shape == data.y_train.shape and data.x_train.shape[1] == 64
    np.testing.assert_array_equal(data.x_train[:, 1:], data.y_train[:, :-1])  # shifted by one
    assert data.x_train.max() < q.CHAR_VOCAB and data.x_eval.max() < q.CHAR_VOCAB
