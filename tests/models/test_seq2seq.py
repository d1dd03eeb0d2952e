"""seqcourse.models.seq2seq: encoder-decoder models whose one-step decoder reproduces the
teacher-forced model, recurrent with and without attention, and the Transformer's."""

import numpy as np
import pytest

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse.data.tokens import END, START, prepare_translation
from seqcourse.inference.decoding import beam_search, greedy_decode
from seqcourse.models import seq2seq

SOURCES = ["twenty-one", "one thousand, two hundred", "seven", "twenty-three"]
TARGETS = ["vingt et un", "mille deux cents", "sept", "vingt-trois"]
SPLITS = ["train", "train", "train", "test"]


def _build(attention, data):
    sizes = dict(embed_dim=6, units=8)
    if attention == "bahdanau":
        return seq2seq.build_bahdanau_seq2seq(
            len(data.source_vocab), len(data.target_vocab), attention_units=5, **sizes
        )
    return seq2seq.build_seq2seq(
        len(data.source_vocab), len(data.target_vocab), attention=attention, **sizes
    )


@pytest.mark.parametrize("attention", [None, "dot", "additive", "bahdanau"])
def test_step_model_reproduces_the_teacher_forced_model(attention):
    seqcourse.seed_everything(0)
    data = prepare_translation(SOURCES, TARGETS, SPLITS)
    model = _build(attention, data)
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
    ids, _ = greedy_decode(model.step, model.initial_states(source), START, END, 5)
    assert ids.shape == (len(source), 5)


def test_build_seq2seq_rejects_bad_arguments():
    with pytest.raises(ValueError, match="attention must be one of"):
        seq2seq.build_seq2seq(10, 10, attention="general")
    with pytest.raises(ValueError, match="target_vocab"):
        seq2seq.build_seq2seq(10, 2)
    with pytest.raises(ValueError, match="units"):
        seq2seq.build_seq2seq(10, 10, units=0)


def test_transformer_steps_reproduce_the_teacher_forced_model():
    seqcourse.seed_everything(0)
    data = prepare_translation(SOURCES, TARGETS, SPLITS)
    model = seq2seq.build_transformer_seq2seq(
        len(data.source_vocab), len(data.target_vocab), depth=8, num_heads=2, ff_dim=16
    )
    source, decoder_input = data.source, data.decoder_input
    expected = np.asarray(model.train([source, decoder_input], training=False))  # (B, T, V)
    states = model.initial_states(source)
    assert states[0].shape == (len(source), 0)  # the prefix starts empty
    real = decoder_input != 0
    for t in range(decoder_input.shape[1]):
        log_probs, states = model.step(decoder_input[:, t], states)
        assert states[0].shape == (len(source), t + 1)  # the state is the prefix so far
        reference = expected[:, t] - np.log(np.exp(expected[:, t]).sum(-1, keepdims=True))
        np.testing.assert_allclose(log_probs[real[:, t]], reference[real[:, t]], atol=1e-4)
    weights = np.asarray(model.cross_attention([source, decoder_input]))
    assert weights.shape == (*decoder_input.shape, source.shape[1])
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    padded = np.broadcast_to((source == 0)[:, None, :], weights.shape)
    assert np.all(weights[padded] < 1e-6)
    greedy, _ = greedy_decode(model.step, model.initial_states(source), START, END, 5)
    beam, _ = beam_search(model.step, model.initial_states(source), START, END, 5, width=1)
    np.testing.assert_array_equal(greedy, beam)  # width 1 is greedy, prefixes reorder with beams


def test_build_transformer_seq2seq_rejects_bad_arguments():
    with pytest.raises(ValueError, match="divisible"):
        seq2seq.build_transformer_seq2seq(10, 10, depth=10, num_heads=4)
    with pytest.raises(ValueError, match="source_vocab"):
        seq2seq.build_transformer_seq2seq(3, 10)
    with pytest.raises(ValueError, match="num_blocks"):
        seq2seq.build_transformer_seq2seq(10, 10, num_blocks=0)


def test_additive_attention_learns_its_query_and_key_projections():
    data = prepare_translation(SOURCES, TARGETS, SPLITS)
    model = _build("additive", data)
    shapes = {w.path: tuple(w.shape) for w in model.train.weights if "attention" in w.path}
    # W_q (H, da), W_k (H, da), v (da,) with da = H = 8: Bahdanau's score, not v . tanh(q + k)
    assert shapes == {
        "attention/query_kernel": (8, 8),
        "attention/key_kernel": (8, 8),
        "attention/score_vector": (8,),
    }


def test_bahdanau_model_attends_with_the_previous_state_from_a_bidirectional_encoder():
    data = prepare_translation(SOURCES, TARGETS, SPLITS)
    model = _build("bahdanau", data)
    annotations, first_state = model.encoder(data.source)
    assert annotations.shape == (*data.source.shape, 16)  # [forward; backward], 2H
    assert first_state.shape == (len(SOURCES), 8)
    shapes = {w.path: tuple(w.shape) for w in model.train.weights}
    assert shapes["decoder/cell/kernel"] == (6 + 16, 24)  # [e_t; c_t] -> 3H
    assert shapes["decoder/attention/query_kernel"] == (8, 5)  # s_{t-1} W_q
    assert shapes["decoder/attention/key_kernel"] == (16, 5)  # h_j W_k
    assert shapes["logits/kernel"] == (8 + 16 + 6, len(data.target_vocab))  # [s_t; c_t; e_t]
    # Step 1's attention reads s_0 only: it does not change with the first decoder token.
    first = np.asarray(model.attention([data.source, data.decoder_input]))[:, 0]
    other = data.decoder_input.copy()
    other[:, 0] = 5
    np.testing.assert_allclose(
        np.asarray(model.attention([data.source, other]))[:, 0], first, atol=1e-6
    )


def test_build_bahdanau_seq2seq_rejects_bad_arguments():
    with pytest.raises(ValueError, match="attention_units"):
        seq2seq.build_bahdanau_seq2seq(10, 10, attention_units=0)
    with pytest.raises(ValueError, match="source_vocab"):
        seq2seq.build_bahdanau_seq2seq(3, 10)
