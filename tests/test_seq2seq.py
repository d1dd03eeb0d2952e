"""seqcourse.seq2seq: tokens, teacher-forcing arrays from a vocabulary built on training rows only,
and encoder-decoder models whose one-step decoder reproduces the teacher-forced model."""

import numpy as np
import pytest

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse import seq2seq
from seqcourse.decoding import greedy_decode

SOURCES = ["twenty-one", "one thousand, two hundred", "seven", "twenty-three"]
TARGETS = ["vingt et un", "mille deux cents", "sept", "vingt-trois"]
SPLITS = ["train", "train", "train", "test"]


def test_tokenize_splits_hyphens_and_commas_and_detokenize_undoes_it():
    assert seq2seq.tokenize("quatre-vingt-dix") == ["quatre", "-", "vingt", "-", "dix"]
    for text in [*SOURCES, *TARGETS, "zweiundvierzig", "mil novecientos"]:
        assert seq2seq.detokenize(seq2seq.tokenize(text)) == text
    with pytest.raises(ValueError, match="string"):
        seq2seq.tokenize(42)


def test_prepare_translation_builds_vocabularies_from_training_rows_only():
    data = seq2seq.prepare_translation(SOURCES, TARGETS, SPLITS)
    assert data.target_vocab[: seq2seq.END + 1] == ["", "[UNK]", "<s>", "</s>"]
    assert "three" not in data.source_vocab and "trois" not in data.target_vocab  # test only
    assert "deux" in data.target_vocab  # in a training target ("mille deux cents")
    test_row = np.flatnonzero(data.rows("test"))[0]
    # "twenty - three": "three" was never seen in a training source, so it is [UNK].
    assert data.source[test_row, 2] == seq2seq.UNK
    assert data.decoder_input[0, 0] == seq2seq.START
    np.testing.assert_array_equal(
        data.decoder_input[:, 1:],
        data.decoder_output[:, :-1] * (data.decoder_output[:, :-1] != seq2seq.END),
    )
    assert data.target_text(data.targets[1]) == "mille deux cents"
    with pytest.raises(ValueError, match="same non-zero length"):
        seq2seq.prepare_translation(SOURCES, TARGETS[:2], SPLITS)
    with pytest.raises(ValueError, match="no rows in split"):
        data.rows("val")


@pytest.mark.parametrize("attention", [None, "dot", "additive"])
def test_step_model_reproduces_the_teacher_forced_model(attention):
    seqcourse.seed_everything(0)
    data = seq2seq.prepare_translation(SOURCES, TARGETS, SPLITS)
    model = seq2seq.build_seq2seq(
        len(data.source_vocab), len(data.target_vocab), embed_dim=6, units=8, attention=attention
    )
    source, decoder_input = data.source, data.decoder_input  # padded rows of different lengths
    expected = np.asarray(model.train([source, decoder_input]))  # (B, T, V)
    states = model.initial_states(source)
    real = decoder_input != 0
    for t in range(decoder_input.shape[1]):
        log_probs, states = model.step(decoder_input[:, t], states)
        reference = expected[:, t] - np.log(np.exp(expected[:, t]).sum(-1, keepdims=True))
        np.testing.assert_allclose(log_probs[real[:, t]], reference[real[:, t]], atol=1e-4)
    if attention is not None:
        weights = np.asarray(model.attention([source, decoder_input]))
        assert weights.shape == (*decoder_input.shape, source.shape[1])
        np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
        padded = np.broadcast_to((source == 0)[:, None, :], weights.shape)
        assert np.all(weights[padded] < 1e-6)  # no attention on padding
    ids, _ = greedy_decode(model.step, model.initial_states(source), seq2seq.START, seq2seq.END, 5)
    assert ids.shape == (len(source), 5)


def test_build_seq2seq_rejects_bad_arguments():
    with pytest.raises(ValueError, match="attention must be one of"):
        seq2seq.build_seq2seq(10, 10, attention="general")
    with pytest.raises(ValueError, match="target_vocab"):
        seq2seq.build_seq2seq(10, 2)
    with pytest.raises(ValueError, match="units"):
        seq2seq.build_seq2seq(10, 10, units=0)
