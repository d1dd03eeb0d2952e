"""seqcourse.inference.generation and models.recurrent_language_model: the stateful copy reproduces
the full-sequence model step by step, and the sampling loop is greedy, reproducible and checked."""

import numpy as np
import pytest

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse import models
from seqcourse.inference import generation

keras = pytest.importorskip("keras")

VOCAB = 7


@pytest.fixture(scope="module")
def model():
    seqcourse.seed_everything(0)
    return models.recurrent_language_model(VOCAB, embed_dim=4, units=8)


def test_builder_shapes_parameters_and_bad_cell(model):
    ids = np.random.default_rng(0).integers(0, VOCAB, (3, 5))
    assert model(ids).shape == (3, 5, VOCAB)
    # Embedding V*E + GRU 3H(E + H) + 2*3H biases (reset_after) + Dense H*V + V
    expected = VOCAB * 4 + 3 * 8 * (4 + 8) + 2 * 3 * 8 + 8 * VOCAB + VOCAB
    assert model.count_params() == expected
    lstm = models.recurrent_language_model(VOCAB, 4, 8, cell="LSTM")
    assert lstm(ids).shape == (3, 5, VOCAB)
    with pytest.raises(ValueError, match="cell must be one of"):
        models.recurrent_language_model(VOCAB, cell="gru")
    with pytest.raises(ValueError, match="vocab_size must be a positive int"):
        models.recurrent_language_model(0)


def test_stateful_copy_fed_one_token_at_a_time_matches_the_whole_sequence(model):
    ids = np.random.default_rng(1).integers(0, VOCAB, (2, 9)).astype("int32")
    full = np.asarray(model(ids))
    copy = generation.stateful_copy(model, batch_size=2)
    copy.layers[1].reset_states()
    steps = [np.asarray(copy.predict_on_batch(ids[:, t : t + 1]))[:, 0] for t in range(9)]
    np.testing.assert_allclose(np.stack(steps, axis=1), full, atol=1e-5)
    # reading the first 4 tokens at once, then the rest one by one, gives the same outputs
    copy.layers[1].reset_states()
    first = np.asarray(copy.predict_on_batch(ids[:, :4]))
    rest = [np.asarray(copy.predict_on_batch(ids[:, t : t + 1]))[:, 0] for t in range(4, 9)]
    np.testing.assert_allclose(np.concatenate([first, np.stack(rest, 1)], 1), full, atol=1e-5)


def test_greedy_generation_equals_rereading_the_whole_text(model):
    seed = np.array([[1, 2, 3], [4, 5, 6]])
    copy = generation.stateful_copy(model, batch_size=2)
    out = generation.generate(copy, seed, 6, rng=np.random.default_rng(0), temperature=0.0)
    assert out.shape == (2, 6)
    text = seed.copy()
    for _ in range(6):  # the slow way: re-read everything, take the arg max of the last step
        nxt = np.argmax(np.asarray(model(text))[:, -1], axis=-1)
        text = np.concatenate([text, nxt[:, None]], axis=1)
    np.testing.assert_array_equal(out, text[:, 3:])


def test_sampling_is_reproducible_and_rows_use_their_own_settings(model):
    copy = generation.stateful_copy(model, batch_size=3)
    seed = np.zeros((3, 2), int)
    kwargs = {"temperature": [0.0, 1.0, 1.0], "top_k": [None, 1, None]}
    a = generation.generate(copy, seed, 12, rng=np.random.default_rng(5), **kwargs)
    b = generation.generate(copy, seed, 12, rng=np.random.default_rng(5), **kwargs)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[0], a[1])  # greedy and top-1 are the same rule
    assert generation.generate(copy, seed, 0, rng=np.random.default_rng(0)).shape == (3, 0)


def test_bad_arguments_are_named(model):
    with pytest.raises(ValueError, match="stateful recurrent layers"):
        generation.generate(model, np.zeros((1, 2), int), 3, rng=np.random.default_rng(0))
    copy = generation.stateful_copy(model, batch_size=2)
    with pytest.raises(ValueError, match=r"seed_ids must have shape \(B, S\) = \(2, S >= 1\)"):
        generation.generate(copy, np.zeros((3, 2), int), 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="temperature must be one value or a list of 2"):
        generation.generate(
            copy, np.zeros((2, 2), int), 3, rng=np.random.default_rng(0), temperature=[1.0]
        )
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        generation.stateful_copy(model, 0)
    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="no recurrent layer"):
        generation.stateful_copy(plain, 1)
