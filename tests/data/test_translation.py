"""Generated translation tasks and seeded group splits: real language, deterministic, no leaks."""

import numpy as np
import pytest

from seqcourse.data import date_translation, grouped_split, number_translation


def test_number_translation_is_real_french_and_deterministic():
    frame = number_translation(300, source="en", target="fr", max_digits=4, seed=1)
    assert len(frame) == 300 and frame["number"].is_unique
    assert frame["number"].between(0, 9999).all()
    by_number = dict(zip(frame["number"], frame["target"], strict=True))
    if 71 in by_number:
        assert by_number[71] == "soixante et onze"
    assert frame.equals(number_translation(300, source="en", target="fr", max_digits=4, seed=1))
    digits = number_translation(50, source="digits", target="de", seed=2)
    assert (digits["source"] == digits["number"].astype(str)).all()
    assert digits["target"].str.fullmatch(r"[a-zäöüß]+").all()  # German writes numbers as one word


def test_number_lengths_are_spread_and_splits_hold_distinct_numbers():
    frame = number_translation(2000, max_digits=6, seed=0)
    lengths = frame["number"].astype(str).str.len().value_counts()
    assert lengths[[3, 4, 5, 6]].min() > 250  # not dominated by 6-digit numbers
    assert lengths[2] == 90  # every two-digit number: they run out, the rest are redrawn
    assert frame.groupby("number")["split"].nunique().max() == 1
    assert frame["split"].value_counts().to_dict() == {"train": 1600, "val": 200, "test": 200}


def test_known_spellings_in_four_languages():
    import num2words

    expected = {"en": "ninety-one", "fr": "quatre-vingt-onze", "es": "noventa y uno"}
    for language, text in expected.items():
        assert num2words.num2words(91, lang=language) == text
    with pytest.raises(ValueError, match="language must be 'digits' or one of"):
        number_translation(10, target="xx")


def test_date_translation_targets_are_iso_and_sources_are_localised():
    frame = date_translation(400, seed=0)
    assert (frame["target"] == frame["date"]).all()
    assert frame["target"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(frame["locale"]) == {"en_US", "en_GB", "fr_FR", "de_DE", "es_ES"}
    french_long = frame[(frame["locale"] == "fr_FR") & (frame["format"] == "long")]
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août")
    months += ("septembre", "octobre", "novembre", "décembre")
    assert french_long["source"].map(lambda s: s.split()[1] in months).all()
    assert frame.groupby("date")["split"].nunique().max() == 1
    assert frame.equals(date_translation(400, seed=0))
    with pytest.raises(ValueError, match="unknown babel locale 'xx_YY'"):
        date_translation(5, locales=("xx_YY",))


def test_grouped_split_keeps_groups_together_and_is_seeded():
    groups = np.repeat(np.arange(50), 3)
    labels = grouped_split(groups, val=0.2, test=0.2, seed=5)
    assert sorted(set(labels)) == ["test", "train", "val"]
    for group in range(50):
        assert len(set(labels[groups == group])) == 1
    assert (labels == "train").sum() == 90 and (labels == "test").sum() == 30
    np.testing.assert_array_equal(labels, grouped_split(groups, val=0.2, test=0.2, seed=5))
    assert not np.array_equal(labels, grouped_split(groups, val=0.2, test=0.2, seed=6))
    with pytest.raises(ValueError, match="val \\+ test < 1"):
        grouped_split(groups, val=0.5, test=0.5)
