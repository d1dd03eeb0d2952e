"""Variable-length sequences: padding, masks and length buckets.

Padding uses Keras's own ``keras.utils.pad_sequences``; Keras is imported inside the function, so
``import seqcourse.data`` does not load TensorFlow.
"""

import numpy as np


def pad_batch(
    sequences,
    maxlen: int | None = None,
    padding: str = "post",
    truncating: str = "post",
    value=0,
    dtype: str = "int32",
) -> np.ndarray:
    """Pad a list of token-id lists into a ``(B, T)`` array (``T = maxlen`` or the longest length).

    A thin wrapper over ``keras.utils.pad_sequences`` with the defaults this course uses: pad and
    truncate at the end (``"post"``), so position ``t`` is the ``t``-th token and masks are
    ``ids != value``. Sequences of feature vectors (each ``(T_i, D)``) give ``(B, T, D)``.

    Chapters 6, 9, 12, 13 and 14 use it; exercise 14 uses it.
    """
    if len(sequences) == 0:
        raise ValueError("pad_batch needs at least one sequence")
    import keras  # lazy: keeps `import seqcourse.data` free of TensorFlow

    return keras.utils.pad_sequences(
        list(sequences),
        maxlen=maxlen,
        padding=padding,
        truncating=truncating,
        value=value,
        dtype=dtype,
    )


def sequence_mask(lengths, maxlen: int | None = None) -> np.ndarray:
    """Boolean ``(B, T)`` mask, ``True`` at the first ``lengths[b]`` steps of row ``b``.

    The mask of post-padded sequences; ``T = maxlen`` or ``max(lengths)``.

    No chapter calls it directly; :func:`entity_sense_tagging` (chapter 6) uses it.
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or np.any(lengths < 0):
        raise ValueError(f"lengths must be a 1-D array of non-negative ints; got {lengths!r}")
    maxlen = int(lengths.max(initial=0)) if maxlen is None else maxlen
    return np.arange(maxlen)[None, :] < lengths[:, None]


def length_buckets(lengths, batch_size: int, seed: int | None = 0) -> list[np.ndarray]:
    """Group example indices into batches of similar length, to waste little padding.

    Indices are sorted by length (stably, so ties keep their order), cut into consecutive batches of
    ``batch_size`` (the last may be smaller), and the order of the batches is shuffled with ``seed``
    (``None`` keeps them shortest-first). Returns a list of 1-D index arrays covering every example
    exactly once; pad each batch with :func:`pad_batch` to its own longest length.

    Chapter 9 uses it.
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be 1-D; got shape {lengths.shape}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    order = np.argsort(lengths, kind="stable")
    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    if seed is not None:
        permutation = np.random.default_rng(seed).permutation(len(batches))
        batches = [batches[i] for i in permutation]
    return batches


def padded_batches(sequences, batch_size: int, seed: int | None = 0, **pad_options):
    """Yield ``(indices, padded)`` for each bucket of :func:`length_buckets`.

    ``padded`` is ``pad_batch([sequences[i] for i in indices], **pad_options)``, shape
    ``(len(indices), T_batch)`` where ``T_batch`` is the longest sequence in that batch.

    Chapter 6 uses it.
    """
    lengths = [len(sequence) for sequence in sequences]
    for indices in length_buckets(lengths, batch_size, seed):
        yield indices, pad_batch([sequences[i] for i in indices], **pad_options)
