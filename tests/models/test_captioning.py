"""seqcourse.models.captioning: the captioners' one-step decoders reproduce the teacher-forced
models, the attention captioner's decoder equals its NumPy reference over the image grid
(additive attention and a GRU step), and the encoder's annotation vectors are laid out row-major
with their coordinates."""

import numpy as np
import pytest

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse.data.scenes import shape_scenes
from seqcourse.data.tokens import END, START, prepare_captions
from seqcourse.inference.decoding import beam_search, greedy_decode
from seqcourse.models.captioning import build_captioner
from seqcourse.reference import additive_attention, gru_step


@pytest.fixture(scope="module")
def data():
    scenes = shape_scenes(6, size=32, seed=0)
    return scenes, prepare_captions(scenes.captions, ["train"] * 6)


@pytest.mark.parametrize("attention", [False, True])
def test_step_model_reproduces_the_teacher_forced_model(data, attention):
    scenes, arrays = data
    seqcourse.seed_everything(0)
    steps = arrays.decoder_input.shape[1]
    model = build_captioner(len(arrays.vocab), embed_dim=6, units=8, attention=attention)
    expected = np.asarray(model.train([scenes.images, arrays.decoder_input]))  # (B, T, V)
    assert expected.shape == (6, steps, len(arrays.vocab))
    states = model.initial_states(scenes.images)
    assert states[1].shape == (6, 64, 66)  # an 8 x 8 grid of 64 channels + 2 coordinates
    for t in range(steps):
        log_probs, states = model.step(arrays.decoder_input[:, t], states)
        reference = expected[:, t] - np.log(np.exp(expected[:, t]).sum(-1, keepdims=True))
        np.testing.assert_allclose(log_probs, reference, atol=1e-4)
    if attention:
        weights = np.asarray(model.attention([scenes.images, arrays.decoder_input]))
        assert weights.shape == (6, steps, 64)
        np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    else:
        assert model.attention is None
    initial = model.initial_states(scenes.images)
    ids, _ = greedy_decode(model.step, initial, START, END, 5)
    beam, _ = beam_search(model.step, initial, START, END, 5, width=3)
    assert ids.shape == beam.shape == (6, 5)


def test_the_captioners_decoder_is_additive_attention_and_a_gru_step_over_the_grid(data):
    scenes, arrays = data
    model = build_captioner(len(arrays.vocab), embed_dim=5, units=7, attention_units=4)
    decoder = model.train.get_layer("decoder")
    w_q, w_k, v = decoder.attention.get_weights()  # W_s (H, A), W_a (C, A), v (A,)
    cell = decoder.cell.get_weights()  # kernel (E + C, 3H), recurrent (H, 3H), bias (2, 3H)
    table = model.train.get_layer("embedding").get_weights()[0]
    state, annotations = model.initial_states(scenes.images)
    expected = np.asarray(model.attention([scenes.images, arrays.decoder_input]))
    s = state.astype(np.float64)
    for t in range(arrays.decoder_input.shape[1]):
        # e_ti = v . tanh(s_{t-1} W_s + a_i W_a): the previous state queries the 64 positions
        context, alpha = additive_attention(s[:, None], annotations, annotations, v, None, w_q, w_k)
        np.testing.assert_allclose(alpha[:, 0], expected[:, t], atol=1e-5)
        x = table[arrays.decoder_input[:, t]]
        s = gru_step(np.concatenate([x, context[:, 0]], -1), s, *cell)


def test_annotations_are_row_major_with_their_coordinates(data):
    scenes, arrays = data
    model = build_captioner(len(arrays.vocab), units=4, attention=True)
    _, annotations = model.initial_states(scenes.images[:2])
    rows, columns = annotations[0, :, -2], annotations[0, :, -1]
    np.testing.assert_allclose(rows.reshape(8, 8), np.linspace(-1, 1, 8)[:, None].repeat(8, 1))
    np.testing.assert_allclose(columns.reshape(8, 8), np.linspace(-1, 1, 8)[None, :].repeat(8, 0))
    assert model.grid == (8, 8)


def test_build_captioner_rejects_bad_arguments():
    with pytest.raises(ValueError, match="multiple of 2 \\*\\* len\\(filters\\)"):
        build_captioner(10, image_size=30)
    with pytest.raises(ValueError, match="units"):
        build_captioner(10, units=0)
    with pytest.raises(ValueError, match="attention_units"):
        build_captioner(10, attention_units=0)
