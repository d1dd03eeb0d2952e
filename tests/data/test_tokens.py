"""seqcourse.data.tokens: tokens, teacher-forcing arrays, and vocabularies built on training rows
only."""

import numpy as np
import pytest

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse.data import tokens

SOURCES = ["twenty-one", "one thousand, two hundred", "seven", "twenty-three"]
TARGETS = ["vingt et un", "mille deux cents", "sept", "vingt-trois"]
SPLITS = ["train", "train", "train", "test"]
DECODER_START, DECODER_END = 4, 3  # any ids >= 1: decoder_io takes them as arguments


def test_tokenize_splits_hyphens_and_commas_and_detokenize_undoes_it():
    assert tokens.tokenize("quatre-vingt-dix") == ["quatre", "-", "vingt", "-", "dix"]
    for text in [*SOURCES, *TARGETS, "zweiundvierzig", "mil novecientos"]:
        assert tokens.detokenize(tokens.tokenize(text)) == text
    with pytest.raises(ValueError, match="string"):
        tokens.tokenize(42)


def test_prepare_translation_builds_vocabularies_from_training_rows_only():
    data = tokens.prepare_translation(SOURCES, TARGETS, SPLITS)
    assert data.target_vocab[: tokens.END + 1] == ["", "[UNK]", "<s>", "</s>"]
    assert "three" not in data.source_vocab and "trois" not in data.target_vocab  # test only
    assert "deux" in data.target_vocab  # in a training target ("mille deux cents")
    test_row = np.flatnonzero(data.rows("test"))[0]
    # "twenty - three": "three" was never seen in a training source, so it is [UNK].
    assert data.source[test_row, 2] == tokens.UNK
    assert data.decoder_input[0, 0] == tokens.START
    np.testing.assert_array_equal(
        data.decoder_input[:, 1:],
        data.decoder_output[:, :-1] * (data.decoder_output[:, :-1] != tokens.END),
    )
    assert data.target_text(data.targets[1]) == "mille deux cents"
    with pytest.raises(ValueError, match="same non-zero length"):
        tokens.prepare_translation(SOURCES, TARGETS[:2], SPLITS)
    with pytest.raises(ValueError, match="no rows in split"):
        data.rows("val")


def test_prepare_translation_can_spell_the_targets_character_by_character():
    sources = ["14 juillet 2019", "8/3/31", "1 Jun 1989"]
    targets = ["2019-07-14", "2031-08-03", "1989-06-01"]
    data = tokens.prepare_translation(
        sources, targets, ["train", "train", "test"], target_characters=True
    )
    assert data.target_vocab[4:] == ["-", "0", "1", "2", "3", "4", "7", "8", "9"]
    assert len(data.targets[0]) == 10 and data.decoder_input.shape == (3, 11)
    assert data.target_text(data.targets[1]) == "2031-08-03"
    assert data.target_text(data.targets[2]) == "1989-0[UNK]-01"  # 6 is not in training
    assert data.source_vocab[data.source[0, 1]] == "juillet"  # sources stay words
    with pytest.raises(ValueError, match="strings"):
        tokens.prepare_translation(sources, [1, 2, 3], ["train"] * 3, target_characters=True)


def test_decoder_io_shifts_the_target_right_behind_a_start_token():
    decoder_input, decoder_output = tokens.decoder_io([[7, 8, 9], [5]], DECODER_START, DECODER_END)
    np.testing.assert_array_equal(
        decoder_input, [[DECODER_START, 7, 8, 9], [DECODER_START, 5, 0, 0]]
    )
    np.testing.assert_array_equal(decoder_output, [[7, 8, 9, DECODER_END], [5, DECODER_END, 0, 0]])
    # At every real step the input is the previous step's output: the shift teacher forcing needs.
    np.testing.assert_array_equal(decoder_input[0, 1:], decoder_output[0, :-1])


@pytest.mark.parametrize(
    ("targets", "start", "message"),
    [
        ([[1, 0, 2]], DECODER_START, "0 is padding"),
        ([[1]], 0, "start_id"),
        ([], DECODER_START, "at least one"),
    ],
)
def test_decoder_io_rejects_bad_input(targets, start, message):
    with pytest.raises(ValueError, match=message):
        tokens.decoder_io(targets, start, DECODER_END)
