"""Assignment ``14_speech_signals``: delta (regression) features, per-utterance mean normalisation
of a padded batch, the shape of a framed spectrogram, and a Keras speaker classifier on the
Japanese Vowels LPC cepstra.

The trusted references are written here with NumPy (the feature steps are not in
:mod:`seqcourse.reference`); the data come from :mod:`seqcourse.data`.
"""

from __future__ import annotations

import functools

import numpy as np

from seqcourse.grading.questions import _baselines
from seqcourse.grading.spec import (
    Assignment,
    Baseline,
    Case,
    FunctionQuestion,
    Mistake,
    ModelData,
    ModelQuestion,
    ValueQuestion,
    random_sizes,
)

# --- trusted references (the answer key, held by the grader) -------------------------------


def delta_features(features, width, *, edge="edge", doubled=True):
    """Regression deltas d_t = sum_n n (c_{t+n} - c_{t-n}) / (2 sum_n n^2), n = 1..width.

    features (T, C) -> (T, C); frames beyond the ends repeat the first and last frame
    (``edge="constant"``, zeros instead, and ``doubled=False``, no factor 2, are mistakes).
    """
    features = np.asarray(features, dtype=np.float64)
    padded = np.pad(features, ((width, width), (0, 0)), mode=edge)
    steps = len(features)
    total = np.zeros_like(features)
    for n in range(1, width + 1):
        later = padded[width + n : width + n + steps]
        earlier = padded[width - n : width - n + steps]
        total += n * (later - earlier)
    norm = sum(n * n for n in range(1, width + 1))
    return total / ((2 if doubled else 1) * norm)


def utterance_normalise(batch, lengths, *, count_padding=False, keep_padding=True):
    """Subtract from every utterance its mean frame over its real frames; padding stays 0.

    batch (B, T, C) post-padded, lengths (B,) -> (B, T, C). ``count_padding`` averages over all T
    frames and ``keep_padding=False`` shifts the padded frames too (both mistakes).
    """
    batch = np.asarray(batch, dtype=np.float64)
    lengths = np.asarray(lengths)
    real = (np.arange(batch.shape[1])[None, :] < lengths[:, None])[..., None]  # (B, T, 1)
    counts = batch.shape[1] if count_padding else lengths[:, None]
    means = (batch * real).sum(axis=1) / counts  # (B, C)
    centred = batch - means[:, None, :]
    return np.where(real, centred, 0.0) if keep_padding else centred


# A recording of 3.7 s at 8 kHz, frames of 25 ms every 10 ms, FFT size 256.
SAMPLE_RATE, SECONDS, FRAME_MS, HOP_MS, N_FFT = 8000, 3.7, 25, 10, 256


def frame_shape(*, floor_frames=True, full_bins=False):
    """np.array([frames, frequency bins]) of that recording's power spectrogram."""
    samples = round(SAMPLE_RATE * SECONDS)
    frame, hop = SAMPLE_RATE * FRAME_MS // 1000, SAMPLE_RATE * HOP_MS // 1000
    frames = 1 + (samples - frame) // hop if floor_frames else samples // hop
    bins = N_FFT if full_bins else N_FFT // 2 + 1
    return np.array([frames, bins])


@functools.cache
def speaker_data(fast: bool) -> ModelData:
    """Japanese Vowels: standardised with the training frames' statistics, zero-padded at the end
    to 29 frames for training and to 32 for the evaluation set (the original test split), so the
    model must take any length (keras.Input((None, 12))) and skip padding (Masking(0.0)).

    The same data in both modes (it is small).
    """
    from seqcourse.data import load_japanese_vowels, pad_batch

    vowels = load_japanese_vowels()
    x_train, y_train = vowels["train"]
    x_test, y_test = vowels["test"]
    frames = np.concatenate(x_train)
    mean, std = frames.mean(axis=0), frames.std(axis=0)

    def prepare(sequences, width):
        return pad_batch([(x - mean) / std for x in sequences], maxlen=width, dtype="float32")

    return ModelData(prepare(x_train, 29), y_train, prepare(x_test, 32), y_test)


# --- cases ---------------------------------------------------------------------------------


def _delta_case(rng, steps, coefficients, width):
    return Case((rng.normal(size=(steps, coefficients)), int(width)))


def _normalise_case(rng, batch, steps, coefficients):
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = steps
    values = rng.normal(loc=2.0, size=(batch, steps, coefficients))
    values[np.arange(steps)[None, :] >= lengths[:, None]] = 0.0  # post-padding
    return Case((values, lengths))


ASSIGNMENT = Assignment(
    "14_speech_signals",
    (
        FunctionQuestion(
            "delta_features",
            2,
            "delta_features",
            "regression deltas of feature frames, with the end frames repeated",
            delta_features,
            lambda: [_delta_case(np.random.default_rng(141), 6, 3, 2)],
            lambda rng: [
                _delta_case(rng, *s) for s in random_sizes(rng, 4, (1, 9), (1, 4), (1, 3))
            ],
            mistakes=(
                Mistake(
                    "beyond the ends, repeat the first and last frame instead of using zeros",
                    lambda f, w: delta_features(f, w, edge="constant"),
                ),
                Mistake(
                    "the denominator is 2 * sum(n^2): the factor 2 is missing",
                    lambda f, w: delta_features(f, w, doubled=False),
                ),
            ),
        ),
        FunctionQuestion(
            "utterance_normalise",
            2,
            "utterance_normalise",
            "subtract each utterance's mean over its real frames; padding stays zero",
            utterance_normalise,
            lambda: [_normalise_case(np.random.default_rng(142), 3, 5, 2)],
            lambda rng: [
                _normalise_case(rng, *s) for s in random_sizes(rng, 4, (1, 4), (1, 8), (1, 4))
            ],
            mistakes=(
                Mistake(
                    "the mean counts the padded frames: average over the real frames only",
                    lambda b, n: utterance_normalise(b, n, count_padding=True),
                ),
                Mistake(
                    "the padded frames must stay exactly zero, or masking no longer finds them",
                    lambda b, n: utterance_normalise(b, n, keep_padding=False),
                ),
            ),
        ),
        ValueQuestion(
            "frame_count",
            1,
            "spectrogram_shape",
            "(frames, bins) of the power spectrogram of 3.7 s at 8 kHz, 25 ms / 10 ms, n_fft 256",
            frame_shape,
            rtol=0,
            atol=0,
            mistakes=(
                Mistake(
                    "only whole frames count: 1 + (N - L) // hop, not N // hop",
                    lambda: frame_shape(floor_frames=False),
                ),
                Mistake(
                    "a real signal's rfft has n_fft // 2 + 1 bins, not n_fft",
                    lambda: frame_shape(full_bins=True),
                ),
            ),
        ),
        ModelQuestion(
            "speaker_model",
            3,
            "build_speaker_model",
            "a recurrent classifier of padded LPC-cepstrum sequences by speaker, any length: its "
            "error must be 40 % below the best baseline's (majority class; nearest class mean of "
            "the mean frame, order ignored)",
            speaker_data,
            lambda data: {
                "features": int(data.x_train.shape[2]),
                "n_speakers": int(data.y_train.max()) + 1,
            },
            metric="accuracy",
            epochs=40,
            batch_size=32,
            budget=60.0,
            budget_fast=30.0,
            baselines=(
                Baseline("majority class", _baselines.majority_class),
                Baseline("nearest mean frame", _baselines.mean_frame_centroid),
            ),
            margin=0.4,
            requires=("SimpleRNN", "LSTM", "GRU"),
            technique="a recurrent layer (SimpleRNN, LSTM or GRU)",
            other_length=True,
        ),
    ),
    cell_timeout=120.0,
    call_timeout=10.0,
)
