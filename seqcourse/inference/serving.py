"""Serving a sequence model: variable-length requests in a few padded shapes, and timing them.

A trained model takes a padded batch ``(b, T)`` of token ids, but requests arrive one at a time
and each has its own length. :class:`PaddedBatchPredictor` turns a list of requests into padded
batches with one of three strategies, calls the model's batch function on each, and hands the
answers back in request order, counting the padding it had to add. :func:`time_requests`,
:func:`latency_summary` and :func:`throughput` measure what the server would see.

Nothing here imports Keras at import time: the predictor calls whatever batch function it is given
(for a Keras model, ``model.predict_on_batch``); padding goes through
:func:`seqcourse.data.pad_batch` (``keras.utils.pad_sequences``) when a batch is built.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from seqcourse.data import pad_batch

__all__ = [
    "STRATEGIES",
    "PaddedBatchPredictor",
    "ServingStats",
    "bucket_index",
    "latency_summary",
    "throughput",
    "time_requests",
]

STRATEGIES = ("max", "longest", "bucket")


def _check_boundaries(boundaries) -> tuple[int, ...]:
    values = tuple(boundaries)
    if not values or any(
        isinstance(b, bool) or not isinstance(b, int | np.integer) for b in values
    ):
        raise ValueError(f"boundaries must be a non-empty sequence of ints; got {boundaries!r}")
    if values[0] < 1 or any(b >= c for b, c in zip(values, values[1:], strict=False)):
        raise ValueError(
            f"boundaries must be positive and strictly increasing, e.g. (16, 32, 64); got {values}"
        )
    return tuple(int(b) for b in values)


def bucket_index(lengths, boundaries) -> np.ndarray:
    """For each length, the index of the smallest boundary that holds it, ``(N,)`` ints.

    A request of length ``L`` goes to bucket ``k`` with ``boundaries[k-1] < L <= boundaries[k]``;
    a request longer than the last boundary goes to the last bucket (and will be truncated to it).

    No chapter calls it directly; :class:`PaddedBatchPredictor` (chapter 15) uses it.
    """
    edges = _check_boundaries(boundaries)
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or (lengths.size and lengths.min() < 0):
        raise ValueError(f"lengths must be a 1-D array of non-negative ints; got {lengths!r}")
    return np.searchsorted(edges, np.minimum(lengths, edges[-1]), side="left")


@dataclass
class ServingStats:
    """What one call of :class:`PaddedBatchPredictor` did.

    ``real_tokens`` counts the request tokens the model read (after truncation), ``slots`` the
    positions of all padded batches (``sum of b * T``); the difference is padding, work a masked
    model does and throws away. ``shapes`` are the distinct ``(b, T)`` batch shapes: each new one
    may cost a compilation (a trace) in a compiled serving function.

    No chapter calls it directly; :class:`PaddedBatchPredictor` (chapter 15) uses it.
    """

    requests: int = 0
    batches: int = 0
    real_tokens: int = 0
    slots: int = 0
    truncated: int = 0
    shapes: set = field(default_factory=set)

    @property
    def padding_fraction(self) -> float:
        """Share of the batch positions that were padding, ``1 - real_tokens / slots``."""
        return 1.0 - self.real_tokens / self.slots if self.slots else 0.0


class PaddedBatchPredictor:
    """Answer requests of any length with a function of padded batches ``(b, T) -> (b, ...)``.

    Args:
        predict_batch: called with an int32 array ``(b, T)`` of token ids, post-padded with
            ``pad_id``; returns one row per sequence, e.g. ``model.predict_on_batch``.
        boundaries: increasing bucket lengths; the last is the longest input served, ``max_len``.
            Longer requests keep their first ``max_len`` tokens (counted in ``stats.truncated``).
        batch_size: at most this many requests per call of ``predict_batch``.
        strategy: how requests become batches:

            * ``"max"``: in arrival order, every batch padded to ``max_len`` (one shape, the most
              padding);
            * ``"longest"``: in arrival order, each batch padded to its longest request (little
              padding if lengths are similar, but a new ``T`` for almost every batch);
            * ``"bucket"``: requests grouped by :func:`bucket_index`, each batch padded to its
              bucket's boundary (at most ``len(boundaries)`` lengths ``T``, little padding).

        pad_id: the padding id (0 for ``TextVectorization`` and ``Embedding(mask_zero=True)``).
        padding: ``"post"`` (padding after the tokens, this course's convention) or ``"pre"``
            (before them, the default of ``keras.utils.pad_sequences``). Truncation always keeps
            the first ``max_len`` tokens.

    Calling the predictor with a list of token-id sequences returns the outputs stacked in the
    order of the requests, ``(N, ...)``; ``self.stats`` describes the call (:class:`ServingStats`).

    Chapter 15 shows it.
    """

    def __init__(
        self,
        predict_batch: Callable,
        boundaries: Sequence[int] = (16, 32, 64),
        batch_size: int = 32,
        strategy: str = "bucket",
        pad_id: int = 0,
        padding: str = "post",
    ):
        if not callable(predict_batch):
            raise TypeError(
                "predict_batch must be callable (e.g. model.predict_on_batch); "
                f"got {predict_batch!r}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int; got {batch_size!r}")
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}; got {strategy!r}")
        if padding not in ("post", "pre"):
            raise ValueError(f"padding must be 'post' or 'pre'; got {padding!r}")
        self.predict_batch = predict_batch
        self.boundaries = _check_boundaries(boundaries)
        self.max_len = self.boundaries[-1]
        self.batch_size = batch_size
        self.strategy = strategy
        self.pad_id = pad_id
        self.padding = padding
        self.stats = ServingStats()

    def _groups(self, lengths: np.ndarray) -> list[tuple[np.ndarray, int]]:
        """``(request indices, padded length T)`` for every batch of the chosen strategy."""
        order = np.arange(len(lengths))
        if self.strategy != "bucket":
            chunks = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
            if self.strategy == "max":
                return [(chunk, self.max_len) for chunk in chunks]
            return [(chunk, int(lengths[chunk].max())) for chunk in chunks]
        buckets = bucket_index(lengths, self.boundaries)
        groups = []
        for k in np.unique(buckets):
            members = order[buckets == k]  # arrival order within the bucket
            for i in range(0, len(members), self.batch_size):
                groups.append((members[i : i + self.batch_size], self.boundaries[k]))
        return groups

    def _check(self, sequences) -> tuple[list[np.ndarray], np.ndarray]:
        """The requests as 1-D arrays and their lengths; refuse empty input with a reason."""
        sequences = [np.asarray(s).reshape(-1) for s in sequences]
        if not sequences:
            raise ValueError("no requests: pass a list with at least one token-id sequence")
        raw = np.array([len(s) for s in sequences])
        empty = np.flatnonzero(raw == 0)
        if empty.size:
            raise ValueError(
                f"requests {empty[:10].tolist()} have no tokens; answer them without the model "
                "or send at least one token (e.g. the out-of-vocabulary id)"
            )
        return sequences, raw

    def _predict(self, batch: np.ndarray) -> np.ndarray:
        """``predict_batch(batch)``, checked to give one row per sequence."""
        answers = np.asarray(self.predict_batch(batch))
        if answers.shape[0] != len(batch):
            raise ValueError(
                f"predict_batch returned {answers.shape[0]} rows for a batch of "
                f"{len(batch)}; it must return one row per sequence"
            )
        return answers

    # Lines kept short: the book shows this method.
    def __call__(self, sequences) -> np.ndarray:
        sequences, raw = self._check(sequences)
        lengths = np.minimum(raw, self.max_len)  # after truncation
        stats = ServingStats(
            requests=len(sequences),
            truncated=int((raw > self.max_len).sum()),
        )
        outputs = [None] * len(sequences)
        for indices, steps in self._groups(lengths):
            batch = pad_batch(
                [sequences[i] for i in indices],
                maxlen=steps,
                padding=self.padding,
                truncating="post",  # keep the first max_len
                value=self.pad_id,
                dtype="int32",
            )  # (b, steps)
            answers = self._predict(batch)
            for row, i in enumerate(indices):
                outputs[i] = answers[row]  # request order
            stats.batches += 1
            stats.slots += batch.size
            stats.real_tokens += int(lengths[indices].sum())
            stats.shapes.add(batch.shape)
        self.stats = stats
        return np.stack(outputs)


def time_requests(call: Callable, requests: Sequence, warmup: int = 2) -> np.ndarray:
    """Wall-clock seconds of ``call(request)`` for each request, ``(N,)``, one request at a time.

    The first ``warmup`` requests are called once more before timing starts, so one-off costs
    (tracing a compiled function, allocating buffers) do not count as a request's latency.

    Chapter 15 uses it.
    """
    if len(requests) == 0:
        raise ValueError("time_requests needs at least one request")
    for request in list(requests)[:warmup]:
        call(request)
    seconds = np.empty(len(requests))
    for i, request in enumerate(requests):
        start = time.perf_counter()
        call(request)
        seconds[i] = time.perf_counter() - start
    return seconds


def latency_summary(seconds, percentiles: Sequence[float] = (50, 95)) -> dict[str, float]:
    """Per-request latency in milliseconds: ``{"p50 ms": ..., "p95 ms": ..., "mean ms": ...}``.

    Percentiles, not the mean alone, because a service is judged by its slow requests: p95 is the
    latency that 95 % of requests beat.

    Chapter 15 uses it.
    """
    seconds = np.asarray(seconds, dtype=float)
    if seconds.ndim != 1 or seconds.size == 0 or np.any(seconds < 0):
        raise ValueError("seconds must be a non-empty 1-D array of non-negative durations")
    summary = {f"p{p:g} ms": 1000 * float(np.percentile(seconds, p)) for p in percentiles}
    summary["mean ms"] = 1000 * float(seconds.mean())
    return summary


def throughput(call: Callable, batch, repeats: int = 5) -> float:
    """Items per second of ``call(batch)``: ``len(batch)`` over the fastest of ``repeats`` calls.

    One untimed call comes first (warm-up). The fastest call, as ``timeit`` reports, estimates
    what the computation costs; on a shared machine the slower calls also measure other
    processes' work, which would make comparisons between batch sizes a matter of luck.

    Chapter 15 uses it.
    """
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive int; got {repeats!r}")
    call(batch)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        call(batch)
        best = min(best, time.perf_counter() - start)
    return len(batch) / best
