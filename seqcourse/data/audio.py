"""From a waveform to a sequence of MFCC-like feature frames, one NumPy step per function.

The pipeline of Davis & Mermelstein (1980), as speech front ends still compute it::

    signal (N,) --pre_emphasis--> (N,) --frame_signal--> frames (F, L) --* window (L,)-->
    --power_spectrum--> (F, n_fft/2 + 1) --@ mel_filterbank(...).T--> (F, M) --log-->
    --@ dct_matrix(M, C).T--> MFCCs (F, C)

where F is the number of frames, L the frame length in samples, M the number of mel filters and C
the number of coefficients kept. :func:`mfcc` runs the whole chain. :func:`synthesize_vowel` makes a
vowel-like test signal (a harmonic series shaped by formant resonances), and
:func:`synthesize_vowel_sequences` a labelled set of utterances by many synthetic voices, so nothing
is downloaded.
NumPy is the only dependency.
"""

import numpy as np

__all__ = [
    "dct_matrix",
    "frame_signal",
    "hz_to_mel",
    "mel_filterbank",
    "mel_to_hz",
    "mfcc",
    "power_spectrum",
    "pre_emphasis",
    "synthesize_vowel",
    "synthesize_vowel_sequences",
]


def _positive(name, value, kind=int):
    if isinstance(value, bool) or not isinstance(value, kind | np.integer) or value <= 0:
        raise ValueError(f"{name} must be a positive {kind.__name__}; got {value!r}")
    return value


def _signal(signal):
    signal = np.asarray(signal, dtype=np.float64)
    if signal.ndim != 1:
        raise ValueError(f"signal must be 1-D (N samples); got shape {signal.shape}")
    return signal


def hz_to_mel(hz):
    """Frequency in Hz -> mel (the HTK formula): ``m = 2595 log10(1 + f / 700)``.

    The mel scale follows perceived pitch: nearly linear below 1 kHz, logarithmic above
    (1000 Hz is about 1000 mel). Works elementwise on arrays.

    Chapter 14 uses it.
    """
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel):
    """Mel -> frequency in Hz, the inverse of :func:`hz_to_mel`: ``f = 700 (10^(m/2595) - 1)``.

    No chapter calls it directly; :func:`mel_filterbank` (chapter 14) uses it.
    """
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def pre_emphasis(signal, coefficient=0.97):
    """First-order high-pass filter ``y[n] = x[n] - a x[n-1]`` (``y[0] = x[0]``), shape (N,).

    Voiced speech loses about 6 dB per octave; pre-emphasis lifts the high frequencies back so the
    higher formants are not drowned by the first harmonics.

    Chapter 14 shows it.
    """
    signal = _signal(signal)
    if not 0.0 <= coefficient < 1.0:
        raise ValueError(f"coefficient must be in [0, 1); got {coefficient!r}")
    return np.concatenate([signal[:1], signal[1:] - coefficient * signal[:-1]])


def frame_signal(signal, frame_length, hop_length):
    """Cut a signal (N,) into overlapping frames (F, L), ``F = 1 + (N - L) // hop``.

    Frame ``f`` is ``signal[f * hop : f * hop + L]``; samples after the last full frame are dropped.
    Speech is roughly stationary over 20-30 ms, so each frame is analysed as if it were.

    Chapter 14 shows it.
    """
    signal = _signal(signal)
    frame_length = _positive("frame_length", frame_length)
    hop_length = _positive("hop_length", hop_length)
    if len(signal) < frame_length:
        raise ValueError(
            f"signal has {len(signal)} samples, fewer than one frame of {frame_length}: "
            f"use a shorter frame_length or a longer signal"
        )
    windows = np.lib.stride_tricks.sliding_window_view(signal, frame_length)
    return windows[::hop_length].copy()  # (F, L)


def power_spectrum(frames, n_fft):
    """Periodogram of each (already windowed) frame: ``|rfft(frame, n_fft)|^2 / n_fft``.

    Args:
        frames: shape (F, L), L <= n_fft (frames are zero-padded to ``n_fft``).
        n_fft: FFT size.

    Returns:
        Shape (F, n_fft // 2 + 1): power at the frequencies ``k * sample_rate / n_fft``.

    Chapter 14 shows it.
    """
    frames = np.asarray(frames, dtype=np.float64)
    n_fft = _positive("n_fft", n_fft)
    if frames.ndim != 2:
        raise ValueError(f"frames must have shape (F, L); got {frames.shape}")
    if frames.shape[1] > n_fft:
        raise ValueError(f"n_fft ({n_fft}) must be at least the frame length ({frames.shape[1]})")
    spectrum = np.fft.rfft(frames, n=n_fft, axis=1)  # (F, n_fft/2 + 1), complex
    return np.abs(spectrum) ** 2 / n_fft


def mel_filterbank(n_filters, n_fft, sample_rate, f_min=0.0, f_max=None):
    """Triangular filters equally spaced on the mel scale, shape (M, n_fft // 2 + 1).

    Filter ``m`` rises linearly from centre ``m - 1`` to 1 at centre ``m`` and falls to 0 at centre
    ``m + 1``, the ``M + 2`` centres being equally spaced in mel between ``f_min`` and ``f_max``
    (default: half the sample rate). Multiply a power spectrum (F, K) by its transpose to get the
    energy in each band (F, M): narrow bands at low frequencies, wide ones at high frequencies.

    Chapter 14 shows it.
    """
    n_filters = _positive("n_filters", n_filters)
    n_fft = _positive("n_fft", n_fft)
    f_max = sample_rate / 2 if f_max is None else f_max
    if not 0 <= f_min < f_max <= sample_rate / 2:
        raise ValueError(
            f"need 0 <= f_min < f_max <= sample_rate / 2 = {sample_rate / 2}; "
            f"got f_min={f_min}, f_max={f_max}"
        )
    bin_hz = np.fft.rfftfreq(n_fft, d=1.0 / sample_rate)  # (K,) frequency of each FFT bin
    centres = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_filters + 2))
    lower, centre, upper = centres[:-2, None], centres[1:-1, None], centres[2:, None]  # (M, 1)
    rising = (bin_hz - lower) / (centre - lower)
    falling = (upper - bin_hz) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling))  # (M, K)


def dct_matrix(n_inputs, n_outputs):
    """The orthonormal DCT-II as a matrix (C, M): ``coefficients = log_energies @ D.T``.

    ``D[c, m] = s_c cos(pi c (2m + 1) / (2M))`` with ``s_0 = sqrt(1/M)`` and ``s_c = sqrt(2/M)``;
    the first ``C`` rows of the orthogonal M x M matrix (SciPy's ``dct(type=2, norm="ortho")``).
    It decorrelates the log filterbank energies and keeps their smooth shape (the envelope) in
    the first few coefficients.

    Chapter 14 shows it.
    """
    n_inputs = _positive("n_inputs", n_inputs)
    n_outputs = _positive("n_outputs", n_outputs)
    if n_outputs > n_inputs:
        raise ValueError(f"n_outputs ({n_outputs}) cannot exceed n_inputs ({n_inputs})")
    c = np.arange(n_outputs)[:, None]
    m = np.arange(n_inputs)[None, :]
    matrix = np.cos(np.pi * c * (2 * m + 1) / (2 * n_inputs)) * np.sqrt(2.0 / n_inputs)
    matrix[0] /= np.sqrt(2.0)  # s_0 = sqrt(1 / M)
    return matrix


def mfcc(
    signal,
    sample_rate,
    frame_ms=25.0,
    hop_ms=10.0,
    n_fft=512,
    n_filters=26,
    n_coefficients=13,
    preemphasis=0.97,
):
    """MFCCs of a waveform, shape (F, C): every step of this module in order.

    Frames of ``frame_ms`` every ``hop_ms`` milliseconds, a Hamming window, the power spectrum,
    ``n_filters`` mel bands, the log (floored at 1e-10 to avoid log 0) and the first
    ``n_coefficients`` DCT-II coefficients.

    Chapter 14 uses it.
    """
    signal = pre_emphasis(signal, preemphasis)
    frame_length = int(round(sample_rate * frame_ms / 1000))
    hop_length = int(round(sample_rate * hop_ms / 1000))
    frames = frame_signal(signal, frame_length, hop_length) * np.hamming(frame_length)
    power = power_spectrum(frames, n_fft)  # (F, K)
    energies = power @ mel_filterbank(n_filters, n_fft, sample_rate).T  # (F, M)
    log_energies = np.log(np.maximum(energies, 1e-10))
    return log_energies @ dct_matrix(n_filters, n_coefficients).T  # (F, C)


def synthesize_vowel(formants, f0, duration, sample_rate, bandwidths=None, seed=0):
    """A vowel-like waveform (N,): harmonics of ``f0`` weighted by formant resonances.

    The source-filter model of speech in miniature: the vocal folds give a harmonic series at
    ``f0`` whose amplitudes fall as ``1/k``; the vocal tract's resonances (formants at the given
    frequencies, with the given bandwidths, default 80 Hz + 5 % of the formant) raise the harmonics
    near them. Harmonic ``k`` gets amplitude ``(1/k) * sum_j 1 / (1 + ((k f0 - F_j) / (B_j/2))^2)``
    and a random phase (from ``seed``). The result is scaled to a peak of 1.

    Args:
        formants: formant frequencies in Hz, e.g. (730, 1090, 2440) for /a/.
        f0: fundamental frequency (pitch) in Hz.
        duration: seconds.
        sample_rate: samples per second.
        bandwidths: formant bandwidths in Hz, same length as ``formants``; None for the default.
        seed: seed of the random phases.

    Chapter 14 shows it.
    """
    formants = np.asarray(formants, dtype=np.float64)
    if formants.ndim != 1 or len(formants) == 0 or np.any(formants <= 0):
        raise ValueError(f"formants must be a non-empty list of positive Hz; got {formants!r}")
    if bandwidths is None:
        bandwidths = 80.0 + 0.05 * formants
    bandwidths = np.asarray(bandwidths, dtype=np.float64)
    if bandwidths.shape != formants.shape:
        raise ValueError(f"bandwidths must match formants {formants.shape}; got {bandwidths.shape}")
    if f0 <= 0 or duration <= 0 or sample_rate <= 0:
        raise ValueError(
            f"f0, duration, sample_rate must be positive; got {f0}, {duration}, {sample_rate}"
        )
    harmonics = np.arange(1, int((sample_rate / 2) // f0) + 1)  # below the Nyquist frequency
    frequencies = harmonics * f0  # (K,)
    resonance = 1.0 / (1.0 + ((frequencies[:, None] - formants) / (bandwidths / 2)) ** 2)
    amplitudes = resonance.sum(axis=1) / harmonics  # source tilt 1/k times the vocal tract
    phases = np.random.default_rng(seed).uniform(0, 2 * np.pi, len(harmonics))
    t = np.arange(int(round(duration * sample_rate))) / sample_rate  # (N,)
    wave = amplitudes[:, None] * np.sin(2 * np.pi * frequencies[:, None] * t + phases[:, None])
    wave = wave.sum(axis=0)
    return wave / np.abs(wave).max()


def synthesize_vowel_sequences(
    vowels,
    n,
    n_vowels=2,
    sample_rate=16000,
    duration_range=(0.15, 0.35),
    snr_db=20.0,
    seed=0,
):
    """``n`` utterances, each ``n_vowels`` different vowels in a row, by ``n`` random voices.

    Every utterance gets its own speaker: a pitch ``f0`` drawn from 90-180 Hz and a vocal-tract
    length that scales all formants by a factor from 0.9-1.15 (shorter tracts, higher formants),
    with a further +-5 % jitter per vowel. Each vowel lasts a random time in ``duration_range``
    (so lengths differ), consecutive vowels are joined by a 20 ms crossfade, the loudness varies
    by a factor from 0.3-1 and white noise is added at ``snr_db``. The vowel identities are
    drawn so that no vowel follows itself.

    Args:
        vowels: mapping name -> formants in Hz (F1, F2, ...), e.g. ``{"a": (730, 1090, 2440)}``;
            at least two entries.
        n: number of utterances.
        n_vowels: vowels per utterance.
        sample_rate: samples per second.
        duration_range: (shortest, longest) seconds per vowel.
        snr_db: signal-to-noise ratio of the added white noise, in dB.
        seed: seed of every random choice; the same seed gives the same set.

    Returns:
        ``(waves, vowel_ids)``: a list of ``n`` waveforms (N_i,) of different lengths and an int
        array ``(n, n_vowels)`` of indices into ``list(vowels)``.

    Chapter 14 shows it.
    """
    names = list(vowels)
    if len(names) < 2:
        raise ValueError(f"vowels needs at least two entries (name -> formants); got {names}")
    n = _positive("n", n)
    n_vowels = _positive("n_vowels", n_vowels)
    shortest, longest = duration_range
    if not 0 < shortest <= longest:
        raise ValueError(f"duration_range must be (shortest, longest) > 0; got {duration_range}")
    rng = np.random.default_rng(seed)
    fade = int(0.02 * sample_rate)  # 20 ms crossfade between vowels
    ramp = np.linspace(0.0, 1.0, fade)
    waves, vowel_ids = [], np.zeros((n, n_vowels), dtype=np.int64)
    for i in range(n):
        f0 = rng.uniform(90.0, 180.0)
        tract = rng.uniform(0.9, 1.15)
        ids = [int(rng.integers(len(names)))]
        for _ in range(n_vowels - 1):  # a different vowel each time
            ids.append(int((ids[-1] + rng.integers(1, len(names))) % len(names)))
        vowel_ids[i] = ids
        wave = np.zeros(0)
        for vowel in ids:
            formants = np.asarray(vowels[names[vowel]], dtype=np.float64)
            formants = formants * tract * rng.uniform(0.95, 1.05, len(formants))
            seconds = rng.uniform(shortest, longest) + fade / sample_rate
            segment = synthesize_vowel(
                formants, f0, seconds, sample_rate, seed=int(rng.integers(2**31))
            )
            if len(wave) == 0:
                wave = segment
            else:  # overlap-add the last 20 ms of one vowel with the first of the next
                overlap = wave[-fade:] * (1 - ramp) + segment[:fade] * ramp
                wave = np.concatenate([wave[:-fade], overlap, segment[fade:]])
        wave = wave * rng.uniform(0.3, 1.0)
        noise_rms = np.sqrt(np.mean(wave**2)) / 10 ** (snr_db / 20)
        waves.append(wave + rng.normal(0.0, noise_rms, len(wave)))
    return waves, vowel_ids
