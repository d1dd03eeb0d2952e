"""seqcourse.models.training.ScheduledSampling: the two-pass training step of scheduled sampling."""

import keras
import numpy as np
import pytest

import seqcourse
from seqcourse.data.tokens import START, prepare_translation
from seqcourse.models.seq2seq import build_seq2seq
from seqcourse.models.training import ScheduledSampling, StepRecorder

SOURCES = ["twenty-one", "one thousand, two hundred", "seven", "twenty-three", "ninety-nine"]
TARGETS = ["vingt et un", "mille deux cents", "sept", "vingt-trois", "quatre-vingt-dix-neuf"]
SPLITS = ["train"] * 5


def _setup(seed=0):
    seqcourse.seed_everything(seed)
    data = prepare_translation(SOURCES, TARGETS, SPLITS)
    s2s = build_seq2seq(len(data.source_vocab), len(data.target_vocab), embed_dim=6, units=8)
    return data, s2s


def _compile(model):
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        weighted_metrics=["accuracy"],
    )


def _fit(model, data, epochs=1, callbacks=()):
    weights = (data.decoder_output != 0).astype("float32")
    return model.fit(
        [data.source, data.decoder_input],
        data.decoder_output,
        sample_weight=weights,
        batch_size=2,
        epochs=epochs,
        shuffle=False,
        verbose=0,
        callbacks=list(callbacks),
    )


def _mixed(model, data, probability):
    return np.asarray(
        model.mixed_inputs(
            keras.ops.convert_to_tensor(data.source),
            keras.ops.convert_to_tensor(data.decoder_input),
            probability,
        )
    )


def test_mixed_inputs_feed_the_true_tokens_or_the_guesses_made_one_step_earlier():
    data, s2s = _setup()
    model = ScheduledSampling(s2s.train, [1.0])
    np.testing.assert_array_equal(_mixed(model, data, 1.0), data.decoder_input)
    guesses = np.asarray(s2s.train([data.source, data.decoder_input])).argmax(-1)
    expected = np.concatenate([data.decoder_input[:, :1], guesses[:, :-1]], axis=1)
    expected[data.decoder_input == 0] = 0  # padding stays padding
    np.testing.assert_array_equal(_mixed(model, data, 0.0), expected)
    half = _mixed(model, data, 0.5)
    assert np.all(half[:, 0] == START)
    from_truth = half == data.decoder_input
    assert np.all(from_truth | (half == expected))
    real = data.decoder_input[:, 1:] != 0
    differ = (data.decoder_input != expected)[:, 1:] & real
    assert 0 < from_truth[:, 1:][differ].mean() < 1  # some true, some guessed


def test_sampled_guesses_are_tokens_of_the_vocabulary():
    data, s2s = _setup()
    model = ScheduledSampling(s2s.train, [0.0], feed="sample", seed=3)
    mixed = _mixed(model, data, 0.0)
    assert mixed.shape == data.decoder_input.shape
    assert mixed.min() >= 0 and mixed.max() < len(data.target_vocab)
    np.testing.assert_array_equal(mixed == 0, data.decoder_input == 0)


def test_always_teacher_forcing_trains_exactly_like_fit():
    data, plain = _setup()
    _compile(plain.train)
    _fit(plain.train, data, epochs=2)
    _, wrapped = _setup()
    model = ScheduledSampling(wrapped.train, np.ones(10))
    _compile(model)
    wrong = StepRecorder("wrong_inputs")
    _fit(model, data, epochs=2, callbacks=[wrong])
    assert wrong.values == [0.0] * 6  # every step read the true tokens
    for a, b in zip(plain.train.get_weights(), wrapped.train.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_each_step_uses_the_probability_of_its_index_and_trains_the_wrapped_model():
    data, s2s = _setup()
    before = [w.copy() for w in s2s.train.get_weights()]
    probabilities = np.array([1.0, 0.8, 0.3])  # 3 steps per epoch, then the last value holds
    model = ScheduledSampling(s2s.train, probabilities)
    _compile(model)
    recorder = StepRecorder("teacher_probability")
    history = _fit(model, data, epochs=2, callbacks=[recorder])
    np.testing.assert_allclose(recorder.values, [1.0, 0.8, 0.3, 0.3, 0.3, 0.3], rtol=1e-6)
    assert 0 < history.history["wrong_inputs"][-1] <= 1  # an untrained model guesses wrong
    assert {"loss", "accuracy"} <= set(history.history)
    assert any(
        np.abs(a - b).max() > 0 for a, b in zip(before, s2s.train.get_weights(), strict=True)
    )


def test_scheduled_sampling_rejects_bad_arguments():
    _, s2s = _setup()
    with pytest.raises(ValueError, match="1-D"):
        ScheduledSampling(s2s.train, [])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ScheduledSampling(s2s.train, [1.2])
    with pytest.raises(ValueError, match="feed"):
        ScheduledSampling(s2s.train, [0.5], feed="beam")
