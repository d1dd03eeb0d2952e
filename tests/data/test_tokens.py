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


def test_mask_tokens_chooses_bert_counts_and_splits_them_80_10_10():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 41, size=4000)
    ids = np.zeros((4000, 40), np.int64)
    for row, length in enumerate(lengths):
        ids[row, :length] = rng.integers(2, 500, size=length)
    inputs, positions, targets, weights = tokens.mask_tokens(
        ids, np.random.default_rng(1), mask_id=500, vocab_size=500, rate=0.15, max_predictions=5
    )
    counts = weights.sum(axis=1)
    expected = np.minimum(5, np.maximum(1, np.round(0.15 * lengths)))
    np.testing.assert_array_equal(counts, expected)  # round(rate * length), at least 1, capped
    chosen = weights.astype(bool)
    rows = np.nonzero(chosen)[0]
    steps = positions[chosen]
    assert np.all(steps < lengths[rows])  # never padding
    np.testing.assert_array_equal(targets[chosen], ids[rows, steps])  # the originals
    assert np.all(np.diff(positions, axis=1)[chosen[:, 1:]] > 0)  # increasing
    fed = inputs[rows, steps]
    masked = np.mean(fed == 500)
    kept = np.mean(fed == ids[rows, steps])  # unchanged, or a random draw of the same word
    assert abs(masked - 0.8) < 0.02 and abs(kept - 0.1) < 0.02, (masked, kept)
    assert np.all((fed == 500) | ((fed >= 2) & (fed < 500)))
    untouched = np.ones(ids.shape, bool)
    untouched[rows, steps] = False
    np.testing.assert_array_equal(inputs[untouched], ids[untouched])  # nothing else changes
    assert np.all(positions[~chosen] == 0) and np.all(targets[~chosen] == 0)


def test_mask_tokens_skips_empty_rows_and_rejects_bad_arguments():
    ids = np.array([[0, 0, 0], [7, 8, 0]])
    inputs, _, _, weights = tokens.mask_tokens(ids, np.random.default_rng(0), 9, 9)
    assert weights[0].sum() == 0 and weights[1].sum() == 1 and np.all(inputs[0] == 0)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="rate"):
        tokens.mask_tokens(ids, rng, 9, 9, rate=0)
    with pytest.raises(ValueError, match="int array"):
        tokens.mask_tokens(ids.astype(float), rng, 9, 9)
    with pytest.raises(ValueError, match="max_predictions"):
        tokens.mask_tokens(ids, rng, 9, 9, max_predictions=0)
