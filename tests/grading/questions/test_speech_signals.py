"""The answer key of ``14_speech_signals`` is right: deltas recover slopes and match a direct
formula, normalisation keeps padding at zero, the spectrogram shape matches seqcourse.data.audio,
and the speaker data are scaled on the training frames only."""

import numpy as np

from seqcourse.data.audio import frame_signal, power_spectrum
from seqcourse.grading.questions import speech_signals as q


def test_deltas_recover_a_linear_slope_and_the_direct_formula():
    ramp = np.arange(10.0)[:, None] * np.array([[2.0, -1.0]])
    deltas = q.delta_features(ramp, 2)
    np.testing.assert_allclose(deltas[2:-2], np.broadcast_to([2.0, -1.0], (6, 2)))
    x = np.random.default_rng(0).normal(size=(7, 3))
    t, width = 3, 2
    direct = (1 * (x[4] - x[2]) + 2 * (x[5] - x[1])) / (2 * (1 + 4))
    np.testing.assert_allclose(q.delta_features(x, width)[t], direct)
    for mistake in q.ASSIGNMENT.question("delta_features").mistakes:
        assert np.abs(mistake.produce(x, width) - q.delta_features(x, width)).max() > 1e-3


def test_normalisation_centres_real_frames_and_keeps_padding():
    batch, lengths = q._normalise_case(np.random.default_rng(1), 4, 6, 3).args
    out = q.utterance_normalise(batch, lengths)
    for row, length in zip(out, lengths, strict=True):
        np.testing.assert_allclose(row[:length].mean(axis=0), 0.0, atol=1e-12)
        assert np.all(row[length:] == 0)
    for mistake in q.ASSIGNMENT.question("utterance_normalise").mistakes:
        assert np.abs(mistake.produce(batch, lengths) - out).max() > 1e-3


def test_spectrogram_shape_matches_seqcourse_audio():
    samples = np.zeros(round(q.SAMPLE_RATE * q.SECONDS))
    frames = frame_signal(samples, 200, 80)
    shape = power_spectrum(frames, q.N_FFT).shape
    np.testing.assert_array_equal(q.frame_shape(), shape)
    for mistake in q.ASSIGNMENT.question("frame_count").mistakes:
        assert not np.array_equal(mistake.produce(), shape)


def test_speaker_data_scaled_on_training_frames_and_padded_with_zeros():
    data = q.speaker_data(True)
    assert data.x_train.shape == (270, 29, 12) and data.x_eval.shape == (370, 32, 12)
    real = np.any(data.x_train != 0, axis=-1)
    frames = data.x_train[real]
    np.testing.assert_allclose(frames.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(frames.std(axis=0), 1.0, atol=1e-3)
    assert set(np.unique(data.y_eval)) == set(range(9))
