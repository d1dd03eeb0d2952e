"""Monitoring a deployed sequence model: out-of-vocabulary rate, drift statistics, abstention.

Labels arrive late in production (if at all), so a service watches what it *can* see at once:
the inputs (their length, the share of unknown tokens) and its own outputs (the distribution of
its scores). Each is compared with a reference sample from the training distribution by

* the population stability index (PSI) over bins set by the reference's quantiles, with the
  rule-of-thumb thresholds 0.1 ("watch") and 0.25 ("drift") of credit scoring, and
* the two-sample Kolmogorov-Smirnov statistic, with its critical value at level ``alpha``.

:func:`selective_accuracy` measures the other safety valve: answering only when confident and
handing the rest to a person. NumPy only.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = [
    "PSI_ALARM",
    "PSI_WARN",
    "DriftMonitor",
    "ks_critical_value",
    "ks_statistic",
    "oov_fractions",
    "population_stability_index",
    "quantile_edges",
    "selective_accuracy",
]

PSI_WARN = 0.1  # below: no meaningful shift
PSI_ALARM = 0.25  # above: a major shift; between the two: watch


def _sample(name: str, values) -> np.ndarray:
    array = np.asarray(values, dtype=float).reshape(-1)
    if array.size == 0:
        raise ValueError(f"{name} is empty: a drift statistic needs at least one value")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values; drop or fix them first")
    return array


def oov_fractions(ids, oov_id: int = 1, pad_id: int = 0) -> np.ndarray:
    """Per-sequence share of out-of-vocabulary tokens, ``(B,)``, for token ids ``(B, T)``.

    ``TextVectorization`` maps unknown words to ``oov_id`` (1, ``"[UNK]"``) and pads with
    ``pad_id`` (0); padding is not counted. A sequence with no real token gets 0.

    Chapter 15 uses it.
    """
    ids = np.asarray(ids)
    if ids.ndim != 2:
        raise ValueError(f"ids must be a (B, T) array of token ids; got shape {ids.shape}")
    real = (ids != pad_id).sum(axis=1)
    unknown = (ids == oov_id).sum(axis=1)
    return np.divide(unknown, real, out=np.zeros(len(ids)), where=real > 0)


def quantile_edges(reference, bins: int = 10) -> np.ndarray:
    """Interior bin edges at the reference's quantiles ``1/bins, ..., (bins-1)/bins``.

    Repeated edges (many equal values, as with lengths or zero OOV shares) are merged, so a
    discrete feature gets fewer, well-filled bins. Bin ``k`` holds ``edges[k-1] <= x < edges[k]``.

    No chapter calls it directly; :class:`DriftMonitor` (chapter 15) and
    :func:`population_stability_index` (chapter 15) use it.
    """
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
        raise ValueError(f"bins must be an int >= 2; got {bins!r}")
    reference = _sample("reference", reference)
    levels = np.linspace(0, 1, bins + 1)[1:-1]
    return np.unique(np.quantile(reference, levels, method="higher"))  # edges are sample values


# Lines kept short: the book shows this function.
def population_stability_index(
    reference,
    current,
    bins: int = 10,
    eps: float = 1e-4,
) -> float:
    """PSI of ``current`` against ``reference``:
    ``sum_k (c_k - r_k) ln(c_k / r_k)``.

    ``r_k`` and ``c_k`` are the shares of each sample in bin ``k``
    of :func:`quantile_edges` of the reference (so each reference
    bin holds about ``1/bins``). A share of 0 is raised to ``eps``
    so the logarithm stays finite. PSI is 0 for identical
    histograms and grows with the shift; it is the symmetrised
    Kullback-Leibler divergence ``KL(c||r) + KL(r||c)`` of the
    binned shares.

    Chapter 15 shows it.
    """
    reference = _sample("reference", reference)
    current = _sample("current", current)
    edges = quantile_edges(reference, bins)  # (n_bins - 1,)
    n_bins = len(edges) + 1

    def shares(sample):
        index = np.searchsorted(edges, sample, side="right")
        counts = np.bincount(index, minlength=n_bins)
        return np.maximum(counts / counts.sum(), eps)

    r, c = shares(reference), shares(current)
    return float(np.sum((c - r) * np.log(c / r)))


def ks_statistic(a, b) -> float:
    """Two-sample Kolmogorov-Smirnov statistic ``D = max_x |F_a(x) - F_b(x)|``.

    ``F_a`` and ``F_b`` are the empirical distribution functions; the maximum is taken over the
    pooled sample values, where the step functions jump.

    No chapter calls it directly; :class:`DriftMonitor` (chapter 15) uses it.
    """
    a = np.sort(_sample("a", a))
    b = np.sort(_sample("b", b))
    pooled = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, pooled, side="right") / a.size
    cdf_b = np.searchsorted(b, pooled, side="right") / b.size
    return float(np.max(np.abs(cdf_a - cdf_b)))


def ks_critical_value(n: int, m: int, alpha: float = 0.01) -> float:
    """Large-sample critical value of :func:`ks_statistic` for samples of sizes ``n`` and ``m``.

    ``c(alpha) sqrt((n + m) / (n m))`` with ``c(alpha) = sqrt(-ln(alpha / 2) / 2)``: if both
    samples come from one continuous distribution, ``D`` exceeds it with probability about
    ``alpha``. With ties (integer lengths) the test is conservative: it fires less often.

    No chapter calls it directly; :class:`DriftMonitor` (chapter 15) uses it.
    """
    for name, size in (("n", n), ("m", m)):
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
            raise ValueError(f"{name} must be a positive sample size; got {size!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1); got {alpha!r}")
    return float(np.sqrt(-np.log(alpha / 2) / 2) * np.sqrt((n + m) / (n * m)))


class DriftMonitor:
    """Compare windows of live data with a reference sample, feature by feature.

    Args:
        reference: ``{feature name: 1-D sample}`` from the training distribution (for example
            the validation split): request lengths, OOV shares, model scores.
        bins: the number of reference-quantile bins of the PSI.
        warn, alarm: PSI thresholds; a feature's status is ``"stable"`` below ``warn``,
            ``"watch"`` from ``warn`` and ``"drift"`` from ``alarm``.
        alpha: the level of the Kolmogorov-Smirnov test reported beside the PSI.

    ``check(window)`` takes ``{feature name: 1-D sample}`` with the same names and returns
    ``{feature: {"psi", "ks", "ks_critical", "status"}}``.

    Chapter 15 uses it.
    """

    def __init__(
        self,
        reference: Mapping[str, object],
        bins: int = 10,
        warn: float = PSI_WARN,
        alarm: float = PSI_ALARM,
        alpha: float = 0.01,
    ):
        if not reference:
            raise ValueError("reference must name at least one feature: {name: sample}")
        if not 0 < warn < alarm:
            raise ValueError(f"thresholds must satisfy 0 < warn < alarm; got {warn}, {alarm}")
        self.reference = {name: _sample(name, values) for name, values in reference.items()}
        for values in self.reference.values():
            quantile_edges(values, bins)  # validates bins once, here
        self.bins, self.warn, self.alarm, self.alpha = bins, warn, alarm, alpha

    def status(self, psi: float) -> str:
        """``"stable"``, ``"watch"`` or ``"drift"`` for a PSI value."""
        return "drift" if psi >= self.alarm else "watch" if psi >= self.warn else "stable"

    def check(self, window: Mapping[str, object]) -> dict[str, dict]:
        missing = set(self.reference) - set(window)
        extra = set(window) - set(self.reference)
        if missing or extra:
            raise ValueError(
                f"window features must match the reference {sorted(self.reference)}; "
                f"missing {sorted(missing)}, unknown {sorted(extra)}"
            )
        report = {}
        for name, reference in self.reference.items():
            current = _sample(name, window[name])
            psi = population_stability_index(reference, current, self.bins)
            report[name] = {
                "psi": psi,
                "ks": ks_statistic(reference, current),
                "ks_critical": ks_critical_value(reference.size, current.size, self.alpha),
                "status": self.status(psi),
            }
        return report


def selective_accuracy(confidence, correct, coverage) -> np.ndarray:
    """Accuracy on the most confident share of the examples, for each coverage in ``coverage``.

    ``confidence (N,)`` ranks the examples (for a binary classifier, ``|p - 0.5|``); ``correct
    (N,)`` says whether each answer was right. At coverage ``c`` the model answers the
    ``ceil(c N)`` most confident examples and defers the rest (to a person, say). Returns
    ``(len(coverage),)`` accuracies; coverage 1 gives the plain accuracy.

    Chapter 15 uses it.
    """
    confidence = _sample("confidence", confidence)
    correct = np.asarray(correct, dtype=bool).reshape(-1)
    if correct.shape != confidence.shape:
        raise ValueError(
            f"confidence and correct need one entry per example; got {confidence.shape} "
            f"and {correct.shape}"
        )
    coverage = np.atleast_1d(np.asarray(coverage, dtype=float))
    if np.any((coverage <= 0) | (coverage > 1)):
        raise ValueError(f"coverage values must be in (0, 1]; got {coverage}")
    ranked = correct[np.argsort(-confidence, kind="stable")]
    hits = np.cumsum(ranked)
    answered = np.ceil(coverage * len(ranked)).astype(int)
    return hits[answered - 1] / answered
