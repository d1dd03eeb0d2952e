"""The entity-sense tagging task: reproducible, well-formed, and decided only by later words."""

import numpy as np
import pytest

from seqcourse.data.tagging import (
    AMBIGUOUS,
    NAT_CUES,
    ORG_CUES,
    TAGS,
    VOCABULARY,
    entity_sense_tagging,
)


@pytest.fixture(scope="module")
def dataset():
    return entity_sense_tagging(400, seed=3)


def test_same_seed_same_sentences_other_seed_other_sentences(dataset):
    again = entity_sense_tagging(400, seed=3)
    np.testing.assert_array_equal(again.tokens, dataset.tokens)
    np.testing.assert_array_equal(again.tags, dataset.tags)
    assert not np.array_equal(entity_sense_tagging(400, seed=4).tokens, dataset.tokens)


def test_arrays_are_padded_at_the_end_and_agree_with_the_words(dataset):
    n, steps = dataset.tokens.shape
    assert n == 400 and steps == max(len(w) for w in dataset.words) <= 13
    assert dataset.tags.shape == dataset.mask.shape == dataset.ambiguous.shape == (n, steps)
    np.testing.assert_array_equal(dataset.mask, dataset.tokens != 0)
    np.testing.assert_array_equal(dataset.lengths, [len(w) for w in dataset.words])
    for row, words in zip(dataset.tokens, dataset.words, strict=True):
        assert [VOCABULARY[i] for i in row[: len(words)]] == words
    # padding is tagged O and is never an ambiguous token
    assert (dataset.tags[~dataset.mask] == 0).all() and not dataset.ambiguous[~dataset.mask].any()
    assert dataset.tokens.min() >= 0 and dataset.tokens.max() < len(VOCABULARY)
    assert dataset.tags.max() < len(TAGS)


def test_every_sentence_has_one_person_and_one_entity(dataset):
    real_tags = dataset.tags[dataset.mask]
    assert (real_tags == TAGS.index("PER")).sum() == 400
    assert np.isin(dataset.tags, [TAGS.index("ORG"), TAGS.index("NAT")]).sum() == 400
    # about 60 % of the entities are ambiguous words, and both senses occur
    assert 0.5 < dataset.ambiguous.sum() / 400 < 0.7
    senses = dataset.tags[dataset.ambiguous]
    assert {TAGS[s] for s in senses} == {"ORG", "NAT"}


def test_only_a_cue_after_the_entity_tells_its_sense(dataset):
    for words, tags, flags in zip(dataset.words, dataset.tags, dataset.ambiguous, strict=True):
        at = int(np.flatnonzero(np.isin(tags, [TAGS.index("ORG"), TAGS.index("NAT")]))[0])
        before, after = set(words[:at]), set(words[at + 1 :])
        assert not before & set(ORG_CUES + NAT_CUES), "no cue may precede the entity"
        cues = ORG_CUES if TAGS[tags[at]] == "ORG" else NAT_CUES
        others = NAT_CUES if TAGS[tags[at]] == "ORG" else ORG_CUES
        assert after & set(cues) and not after & set(others)
        assert bool(flags[at]) == (words[at] in AMBIGUOUS)


def test_an_ambiguous_word_takes_both_senses_in_equal_measure():
    big = entity_sense_tagging(4000, seed=0)
    org_share = (big.tags[big.ambiguous] == TAGS.index("ORG")).mean()
    assert 0.45 < org_share < 0.55  # so a left-to-right tagger can only guess


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "n must be a positive int"),
        ({"n": 2.5}, "n must be"),
        ({"n": 3, "seed": "a"}, "seed"),
    ],
)
def test_bad_arguments_say_what_to_pass(kwargs, message):
    with pytest.raises(ValueError, match=message):
        entity_sense_tagging(**kwargs)
