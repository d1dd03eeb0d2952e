"""A speech-like signal set: the Japanese Vowels LPC cepstrum sequences (speaker identification)."""

import numpy as np

from seqcourse.data.store import require


def _read_ts(path) -> tuple[list[np.ndarray], np.ndarray]:
    """Parse a multivariate ``.ts`` file (sktime/aeon format) with unequal lengths.

    After ``@data``, each line holds one series: its dimensions separated by ``:``, each dimension
    a comma-separated list of values, and the class label last. Returns a list of ``(T_i, D)``
    float32 arrays and the labels as strings.
    """
    series, labels = [], []
    in_data = False
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            in_data = line.lower() == "@data"
            continue
        *dimensions, label = line.split(":")
        values = [np.array(d.split(","), dtype=np.float32) for d in dimensions]
        if len({len(v) for v in values}) != 1:
            raise ValueError(f"{path.name}: dimensions of one series differ in length")
        series.append(np.stack(values, axis=1))
        labels.append(label)
    return series, np.asarray(labels)


def load_japanese_vowels() -> dict[str, tuple[list[np.ndarray], np.ndarray]]:
    """Nine male speakers saying the Japanese vowels /ae/: who is speaking?

    Returns ``{"train": (X, y), "test": (X, y)}``, the original split: 270 training utterances
    (30 per speaker) and 370 test utterances (24-88 per speaker). ``X`` is a list of float32 arrays
    of shape ``(T_i, 12)``: 12 LPC cepstrum coefficients per 25.6 ms frame, ``T_i`` from 7 to 29
    frames. ``y`` is an int64 array of speaker ids 0-8. Pad with :func:`seqcourse.data.pad_batch`
    (``dtype="float32"``) and mask. Source: ``aeon`` 1.6.0 (UCI, Kudo, Toyama & Shimbo 1999).

    Chapters 1 and 14 use it; exercise 14 uses it.
    """
    result = {}
    for split in ("train", "test"):
        series, labels = _read_ts(require(f"japanese_vowels_{split}"))
        result[split] = (series, labels.astype(np.int64) - 1)
    return result
