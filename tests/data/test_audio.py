"""seqcourse.data.audio: each step of the MFCC pipeline does what its docstring says, checked
against direct formulas and known properties, and bad input is named."""

import numpy as np
import pytest

from seqcourse.data import audio

SR = 16000


def test_mel_scale_round_trips_and_anchors_1000_hz():
    hz = np.array([0.0, 300.0, 1000.0, 4000.0, 8000.0])
    np.testing.assert_allclose(audio.mel_to_hz(audio.hz_to_mel(hz)), hz, atol=1e-9)
    assert abs(audio.hz_to_mel(1000.0) - 1000.0) < 1.0
    assert np.all(np.diff(audio.hz_to_mel(hz)) > 0)


def test_pre_emphasis_is_the_difference_equation():
    x = np.random.default_rng(0).standard_normal(50)
    y = audio.pre_emphasis(x, 0.9)
    assert y[0] == x[0]
    np.testing.assert_allclose(y[1:], x[1:] - 0.9 * x[:-1])
    with pytest.raises(ValueError, match="coefficient"):
        audio.pre_emphasis(x, 1.5)


def test_frames_are_slices_at_the_hop():
    x = np.arange(100.0)
    frames = audio.frame_signal(x, 30, 20)
    assert frames.shape == (1 + (100 - 30) // 20, 30)
    np.testing.assert_array_equal(frames[2], x[40:70])
    with pytest.raises(ValueError, match="fewer than one frame"):
        audio.frame_signal(x[:10], 30, 20)
    with pytest.raises(ValueError, match="1-D"):
        audio.frame_signal(np.zeros((2, 50)), 30, 20)
    with pytest.raises(ValueError, match="hop_length"):
        audio.frame_signal(x, 30, 0)


def test_power_spectrum_peaks_at_a_sinusoid_and_obeys_parseval():
    n_fft = 256
    t = np.arange(n_fft) / SR
    bin_index = 20  # exactly on a bin: 20 * SR / n_fft Hz
    frame = np.sin(2 * np.pi * bin_index * SR / n_fft * t)[None]
    power = audio.power_spectrum(frame, n_fft)
    assert power.shape == (1, n_fft // 2 + 1)
    assert int(np.argmax(power[0])) == bin_index
    # Parseval: sum |X_k|^2 over all n_fft bins = n_fft * sum x^2 (one-sided: count twice)
    two_sided = power[0, 0] + 2 * power[0, 1:-1].sum() + power[0, -1]
    np.testing.assert_allclose(two_sided, np.sum(frame**2), rtol=1e-9)
    with pytest.raises(ValueError, match="n_fft"):
        audio.power_spectrum(np.zeros((2, 300)), 256)


def test_mel_filterbank_triangles_cover_the_band():
    bank = audio.mel_filterbank(20, 512, SR, f_min=100.0, f_max=7000.0)
    assert bank.shape == (20, 257)
    assert bank.min() >= 0 and bank.max() <= 1
    freqs = np.fft.rfftfreq(512, 1 / SR)
    centres = freqs[np.argmax(bank, axis=1)]
    assert np.all(np.diff(centres) > 0)  # filters in order of frequency
    assert np.all(np.diff(np.diff(centres)) >= -1e-9)  # and wider apart as frequency grows
    edges = audio.mel_to_hz(np.linspace(audio.hz_to_mel(100.0), audio.hz_to_mel(7000.0), 22))
    inner = (freqs >= edges[1]) & (freqs <= edges[-2])  # between the first and last centres
    np.testing.assert_allclose(bank[:, inner].sum(axis=0), 1.0, atol=1e-9)  # overlapping halves
    assert np.all(bank[:, freqs < 100] == 0) and np.all(bank[:, freqs > 7000] == 0)
    with pytest.raises(ValueError, match="f_max"):
        audio.mel_filterbank(20, 512, SR, f_max=9000.0)


def test_dct_matrix_is_orthonormal_dct_ii():
    full = audio.dct_matrix(8, 8)
    np.testing.assert_allclose(full @ full.T, np.eye(8), atol=1e-12)
    x = np.random.default_rng(1).standard_normal(8)
    n = np.arange(8)
    direct = [np.sum(x * np.cos(np.pi * k * (2 * n + 1) / 16)) for k in range(3)]
    scale = np.array([np.sqrt(1 / 8), np.sqrt(2 / 8), np.sqrt(2 / 8)])
    np.testing.assert_allclose(audio.dct_matrix(8, 3) @ x, scale * direct, atol=1e-12)
    with pytest.raises(ValueError, match="n_outputs"):
        audio.dct_matrix(4, 5)


def test_mfcc_chains_the_steps():
    wave = audio.synthesize_vowel((730, 1090, 2440), 120, 0.3, SR)
    coefficients = audio.mfcc(wave, SR, n_filters=26, n_coefficients=13)
    frames = audio.frame_signal(audio.pre_emphasis(wave), 400, 160) * np.hamming(400)
    energies = audio.power_spectrum(frames, 512) @ audio.mel_filterbank(26, 512, SR).T
    expected = np.log(energies) @ audio.dct_matrix(26, 13).T
    assert coefficients.shape == (1 + (len(wave) - 400) // 160, 13)
    np.testing.assert_allclose(coefficients, expected, atol=1e-9)


def test_vowels_have_spectral_peaks_at_their_formants():
    freqs = np.fft.rfftfreq(SR, 1 / SR)
    for formants in ((730, 1090, 2440), (270, 2290, 3010)):
        wave = audio.synthesize_vowel(formants, 100, 1.0, SR)
        assert np.abs(wave).max() == pytest.approx(1.0)
        spectrum = np.abs(np.fft.rfft(wave))
        for formant in formants:
            near = (freqs > formant - 60) & (freqs < formant + 60)
            between = (freqs > formant + 150) & (freqs < formant + 250)
            assert spectrum[near].max() > spectrum[between].max()
    # different vowels give different MFCCs, the same vowel at another pitch similar ones
    a = audio.mfcc(audio.synthesize_vowel((730, 1090, 2440), 120, 0.3, SR), SR).mean(0)
    a_high = audio.mfcc(audio.synthesize_vowel((730, 1090, 2440), 150, 0.3, SR, seed=1), SR).mean(0)
    i = audio.mfcc(audio.synthesize_vowel((270, 2290, 3010), 120, 0.3, SR), SR).mean(0)
    assert np.linalg.norm(a[1:] - i[1:]) > 2 * np.linalg.norm(a[1:] - a_high[1:])


def test_synthesis_rejects_bad_arguments():
    with pytest.raises(ValueError, match="formants"):
        audio.synthesize_vowel([], 100, 0.1, SR)
    with pytest.raises(ValueError, match="bandwidths"):
        audio.synthesize_vowel([500, 1500], 100, 0.1, SR, bandwidths=[50])
    with pytest.raises(ValueError, match="positive"):
        audio.synthesize_vowel([500], -1, 0.1, SR)


VOWELS = {"a": (730, 1090, 2440), "i": (270, 2290, 3010), "u": (300, 870, 2240)}


def test_vowel_sequences_are_labelled_seeded_and_vary_by_voice():
    waves, ids = audio.synthesize_vowel_sequences(VOWELS, 40, sample_rate=SR, seed=3)
    assert len(waves) == 40 and ids.shape == (40, 2)
    assert np.all(ids[:, 0] != ids[:, 1]) and set(ids.ravel()) == {0, 1, 2}
    lengths = np.array([len(w) for w in waves])
    # two vowels of 0.15-0.35 s each, overlapping by the 20 ms crossfade
    assert lengths.min() >= 0.3 * SR and lengths.max() <= 0.7 * SR + 1
    assert len(set(lengths)) > 30  # durations differ
    again, ids_again = audio.synthesize_vowel_sequences(VOWELS, 40, sample_rate=SR, seed=3)
    np.testing.assert_array_equal(ids, ids_again)
    np.testing.assert_array_equal(waves[7], again[7])
    other, _ = audio.synthesize_vowel_sequences(VOWELS, 40, sample_rate=SR, seed=4)
    assert not np.array_equal(waves[0][:100], other[0][:100])


def test_vowel_sequences_keep_each_vowel_in_its_half():
    # The first and last 100 ms of an utterance are nearest (in MFCCs 1-12) to a reference of
    # its first and its second vowel, whatever the voice. The references carry white noise at
    # the same 20 dB SNR: noise fills the spectrum above a vowel's formants and moves the
    # cepstrum (clean references mistake every noisy /u/ for /i/).
    rng = np.random.default_rng(0)
    references = []
    for formants in VOWELS.values():
        clean = audio.synthesize_vowel(formants, 120.0, 0.1, SR)
        noisy = clean + rng.normal(0.0, np.sqrt(np.mean(clean**2)) / 10, len(clean))
        references.append(audio.mfcc(noisy, SR)[:, 1:].mean(0))
    references = np.stack(references)  # (3, 12)
    waves, ids = audio.synthesize_vowel_sequences(VOWELS, 40, sample_rate=SR, seed=0)
    nearest = []
    for wave in waves:
        for part in (wave[: SR // 10], wave[-SR // 10 :]):
            mean = audio.mfcc(part, SR)[:, 1:].mean(0)
            nearest.append(np.linalg.norm(references - mean, axis=1).argmin())
    agreement = np.mean(np.array(nearest) == ids.ravel())
    assert agreement >= 0.95, agreement


def test_vowel_sequences_reject_bad_arguments():
    with pytest.raises(ValueError, match="at least two"):
        audio.synthesize_vowel_sequences({"a": (730, 1090)}, 5)
    with pytest.raises(ValueError, match="duration_range"):
        audio.synthesize_vowel_sequences(VOWELS, 5, duration_range=(0.3, 0.1))
    with pytest.raises(ValueError, match="n must be"):
        audio.synthesize_vowel_sequences(VOWELS, 0)
