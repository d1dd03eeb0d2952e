"""Every judgement of a result against what was expected: closeness, typical mistakes, metrics.

Both :func:`seqcourse.grading.check` (public cases, in the student's kernel) and the batch grader
(hidden cases, in the trusted parent) decide here, so a result the notebook accepts is read the same
way by the grader. Results arrive as decoded wire values (arrays, numbers, lists, tuples); nothing
here runs student code except the trusted :class:`~seqcourse.grading.spec.Mistake` producers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np


def _mse(y, p):
    return float(np.mean((y - p) ** 2))


def _mae(y, p):
    return float(np.mean(np.abs(y - p)))


def _accuracy(y, p):
    labels = np.argmax(p, axis=-1) if p.ndim == y.ndim + 1 else (p > 0.5).astype(y.dtype)
    return float(np.mean(labels == y))


def _masked_accuracy(y, p):
    """Token accuracy over the positions whose label is not 0 (padding); ``p`` (..., V)."""
    keep = y != 0
    if not keep.any():
        return 0.0
    return float(np.mean(np.argmax(p, axis=-1)[keep] == y[keep]))


METRICS: dict[str, tuple[Callable[[np.ndarray, np.ndarray], float], bool]] = {
    # name: (function of (labels, predictions), higher is better)
    "mse": (_mse, False),
    "mae": (_mae, False),
    "accuracy": (_accuracy, True),
    "masked_accuracy": (_masked_accuracy, True),
}
# Metrics of class scores: the predictions have one more (last) axis than the labels.
CLASS_METRICS = ("accuracy", "masked_accuracy")


def compare(expected, got, rtol: float, atol: float, where: str = "") -> str | None:
    """``None`` if ``got`` matches ``expected`` (structure, shape, finite, close); else why not.

    ``got`` is a decoded wire value (plain arrays, numbers, lists, tuples); ``expected`` comes
    from a trusted reference.
    """
    at = f" in {where}" if where else ""
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return f"expected a tuple of {len(expected)} values{at}, got a single value"
        if len(got) != len(expected):
            return f"expected {len(expected)} values{at}, got {len(got)}"
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            problem = compare(e, g, rtol, atol, f"{where}[{i}]" if where else f"item {i}")
            if problem:
                return problem
        return None
    expected = np.asarray(expected)
    if isinstance(got, (tuple, list, dict, str)) or got is None:
        kind = type(got).__name__
        return f"expected an array of shape {expected.shape}{at}, got a {kind}"
    got = np.asarray(got)
    if got.dtype.kind not in "biuf":
        return f"expected real numbers{at}, got dtype {got.dtype}"
    if got.shape != expected.shape:
        hint = " (transposed?)" if got.shape == expected.shape[::-1] and got.ndim > 1 else ""
        return f"expected shape {expected.shape}{at}, got {got.shape}{hint}"
    if not np.all(np.isfinite(got)):
        return f"the result{at} contains NaN or infinity"
    expected = expected.astype(np.float64)
    got = got.astype(np.float64)
    error = np.abs(got - expected)
    allowed = atol + rtol * np.abs(expected)
    if np.all(error <= allowed):
        return None
    worst = float(error.max())
    message = (
        f"values differ{at}: max abs error {worst:.3g} (tolerance {atol:g} + {rtol:g}*|expected|)"
    )
    pattern = value_pattern(expected, got, rtol, atol)
    return f"{message}; {pattern}" if pattern else message


def value_pattern(expected, got, rtol: float, atol: float) -> str:
    """How ``got`` is wrong, without giving ``expected`` away ("" if no simple pattern fits).

    Both are float arrays of the same shape that do not match within ``atol + rtol*|expected|``.
    The patterns, tried in order: the opposite sign; one factor off (``got ~ k * expected``, k
    given to 3 digits); one constant off (``got ~ expected + c``); the right values in another
    order; close (within 10x the tolerance); else how many entries are right.
    """
    allowed = atol + rtol * np.abs(expected)

    def matches(candidate):
        return bool(np.all(np.abs(got - candidate) <= allowed))

    if np.any(expected != 0) and matches(-expected):
        return "every value has the wrong sign"
    scale = float(np.sum(expected * expected))
    if scale > 0:
        factor = float(np.sum(expected * got)) / scale
        if factor != 0 and matches(factor * expected):
            return f"every value is {factor:.3g} times the expected one: a missing or extra factor"
    if expected.size > 1:
        offset = float(np.mean(got - expected))
        if matches(expected + offset):
            return (
                f"every value is off by the same constant ({offset:+.3g}): a missing or extra term"
            )
        if np.allclose(np.sort(got, axis=None), np.sort(expected, axis=None), rtol, atol):
            return "the right values, in the wrong places (an axis or the order of a loop?)"
    if np.all(np.abs(got - expected) <= 10 * allowed):
        return (
            "close, but outside the tolerance (float32 where float64 is needed? an approximation?)"
        )
    right = int(np.sum(np.abs(got - expected) <= allowed))
    if expected.size > 1 and right:
        return f"{right} of {expected.size} values are right"
    return ""


def diagnose(
    mistakes: Sequence, case_inputs: tuple, kwargs: Mapping, got, rtol: float, atol: float
) -> str:
    """The hint of the first typical mistake whose output ``got`` reproduces ("" if none).

    ``mistakes`` are :class:`~seqcourse.grading.spec.Mistake` s: ``mistake.produce(*case_inputs,
    **kwargs)`` is what that mistake returns on this case.
    """
    for mistake in mistakes:
        try:
            wrong = mistake.produce(*case_inputs, **dict(kwargs))
        except Exception:  # a mistake that does not apply to this case's inputs
            continue
        if compare(wrong, got, rtol, atol) is None:
            return mistake.hint
    return ""


def explain(question, expected, got, case_inputs: tuple = (), kwargs: Mapping | None = None):
    """``None`` if ``got`` is right for ``question``; else the problem, with a hint if one applies.

    ``question`` is a function or value question (its ``rtol``, ``atol`` and ``mistakes`` are
    read); ``case_inputs``/``kwargs`` are the case's arguments (none for a value question).
    """
    problem = compare(expected, got, question.rtol, question.atol)
    if problem is None:
        return None
    hint = diagnose(question.mistakes, case_inputs, kwargs or {}, got, question.rtol, question.atol)
    return f"{problem}. Hint: {hint}" if hint else problem


def prediction_shape(metric: str, label_shape: tuple, predictions_shape: tuple) -> tuple:
    """The shape predictions must have for labels of ``label_shape``: the labels' own, or with a
    last axis of class scores for a class metric whose predictions carry one."""
    if metric in CLASS_METRICS and len(predictions_shape) == len(label_shape) + 1:
        return tuple(label_shape) + tuple(predictions_shape[-1:])
    return tuple(label_shape)


def model_metric(metric: str, y_eval: np.ndarray, predictions) -> tuple[float | None, str]:
    """``(value, problem)``: ``metric`` of ``predictions`` against ``y_eval``, or why not."""
    if isinstance(predictions, (tuple, list, dict, str)) or predictions is None:
        return None, f"the model's predictions are a {type(predictions).__name__}, not an array"
    predictions = np.asarray(predictions)
    if predictions.dtype.kind not in "biuf":
        return None, f"the predictions have dtype {predictions.dtype}"
    if metric == "masked_accuracy" and predictions.ndim != y_eval.ndim + 1:
        return None, (
            f"predictions of shape {predictions.shape}: expected class scores of shape "
            f"{y_eval.shape + ('V',)}, one row of V scores per token"
        )
    wanted = prediction_shape(metric, y_eval.shape, predictions.shape)
    if predictions.shape != wanted:
        return None, f"predictions of shape {predictions.shape}, expected {wanted}"
    if not np.all(np.isfinite(predictions)):
        return None, "the predictions contain NaN or infinity"
    function, _ = METRICS[metric]
    return function(y_eval.astype(np.float64), predictions.astype(np.float64)), ""


def metric_passes(metric: str, threshold: float, value: float) -> bool:
    """Whether ``value`` of ``metric`` meets ``threshold`` (at most for errors, at least else)."""
    _, higher_is_better = METRICS[metric]
    return value >= threshold if higher_is_better else value <= threshold


def threshold_words(metric: str) -> str:
    """ "at least" or "at most": how ``metric`` must relate to its threshold."""
    return "at least" if METRICS[metric][1] else "at most"
