"""Every judgement of a result against what was expected: closeness, typical mistakes, metrics.

Both :func:`seqcourse.grading.check` (public cases, in the student's kernel) and the batch grader
(hidden cases, in the trusted parent) decide here, so a result the notebook accepts is read the same
way by the grader. Results arrive as decoded wire values (arrays, numbers, lists, tuples); nothing
here runs student code except the trusted :class:`~seqcourse.grading.spec.Mistake` producers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from seqcourse.grading.modelprobe import matches_required
from seqcourse.inference.metrics import bleu, exact_match


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


def sequences(ids) -> list[list[int]]:
    """Padded token-id rows ``(N, T)`` as N lists, each cut at its first 0 (padding)."""
    rows = []
    for row in np.asarray(ids).astype(np.int64).tolist():
        rows.append(row[: row.index(0)] if 0 in row else row)
    return rows


def _exact_match(references, decoded):
    """The share of decoded sequences identical to their reference (both padded id rows)."""
    return float(exact_match(sequences(references), sequences(decoded)))


def _bleu(references, decoded):
    """Corpus BLEU-4 of the decoded sequences against their references (padded id rows)."""
    return float(bleu(sequences(references), sequences(decoded), max_n=4)[0])


METRICS: dict[str, tuple[Callable[[np.ndarray, np.ndarray], float], bool]] = {
    # name: (function of (labels, predictions), higher is better)
    "mse": (_mse, False),
    "mae": (_mae, False),
    "accuracy": (_accuracy, True),
    "masked_accuracy": (_masked_accuracy, True),
    "exact_match": (_exact_match, True),
    "bleu": (_bleu, True),
}
# Metrics of class scores: the predictions have one more (last) axis than the labels.
CLASS_METRICS = ("accuracy", "masked_accuracy")
# Metrics of decoded token-id sequences (see spec.Decoding): predictions are (N, L) int ids.
SEQUENCE_METRICS = ("exact_match", "bleu")


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
    if metric in SEQUENCE_METRICS:
        if predictions.ndim != 2 or len(predictions) != len(y_eval):
            return None, (
                f"decoded sequences of shape {predictions.shape}: expected ({len(y_eval)}, L) "
                "token ids"
            )
        if predictions.dtype.kind not in "iu" or predictions.min(initial=0) < 0:
            return None, "the decoded sequences are not non-negative token ids"
        function, _ = METRICS[metric]
        return function(y_eval, predictions), ""
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


def error_of(metric: str, value: float) -> float:
    """The metric as an error (lower is better): itself for mse/mae, ``1 - value`` for scores."""
    return 1.0 - value if METRICS[metric][1] else value


def from_error(metric: str, error: float) -> float:
    """Inverse of :func:`error_of`."""
    return 1.0 - error if METRICS[metric][1] else error


def pass_mark(metric: str, best: float, margin: float, threshold: float | None = None) -> float:
    """The value of ``metric`` needed: the best baseline's error reduced by the fraction ``margin``
    (``best`` may be None: no baseline), and no worse than ``threshold`` if one is given."""
    needed = None if best is None else from_error(metric, error_of(metric, best) * (1 - margin))
    if threshold is None:
        return needed
    if needed is None:
        return threshold
    stricter = min(error_of(metric, needed), error_of(metric, threshold))
    return from_error(metric, stricter)


def credit(metric: str, value: float, best: float | None, needed: float, partial: bool) -> float:
    """The fraction of a model question's points for ``value``: 1 at ``needed`` or better; with
    ``partial``, in proportion to how far ``value`` went from ``best`` (0) towards ``needed``."""
    if metric_passes(metric, needed, value):
        return 1.0
    if not partial or best is None:
        return 0.0
    gained = error_of(metric, best) - error_of(metric, value)
    wanted = error_of(metric, best) - error_of(metric, needed)
    return float(np.clip(gained / wanted, 0.0, 1.0)) if wanted > 0 else 0.0


ABLATION_FLOOR = 1e-4  # relative change of the predictions below which a layer does not matter


def technique_problem(question, structure, ablation) -> str:
    """Why the model does not use the layer ``question.requires`` names ("" if it does).

    ``structure`` and ``ablation`` are the child's measurements (see
    :mod:`seqcourse.grading.modelprobe`), untrusted plain data: a layer counts when its class (or a
    class inside it) matches, it lies on a path from an input to an output, and zeroing its weights
    changes the predictions (a layer without weights, such as ``keras.layers.Attention``, counts
    on the path alone).
    """
    asks = f"the question asks for {question.technique}"
    if not isinstance(structure, Mapping) or not isinstance(structure.get("layers"), list):
        failed = structure.get("__failed__", "") if isinstance(structure, Mapping) else ""
        return f"the grader could not read the model's layers ({failed or 'no report'}); {asks}"
    layers = [e for e in structure["layers"] if isinstance(e, Mapping)]
    ablation = ablation if isinstance(ablation, Mapping) and "__failed__" not in ablation else {}
    found = [e for e in layers if matches_required(e, question.requires)]
    listed = ", ".join(dict.fromkeys(str(e.get("class")) for e in layers)) or "none"
    if not found:
        return f"{asks}, and the model has none (its layers: {listed})"

    def matters(entry) -> bool:
        name = str(entry.get("name", ""))
        parts = name.split("/")
        for depth in range(1, len(parts)):  # a nested model that does not matter hides its layers
            change = ablation.get("/".join(parts[:depth]))
            if isinstance(change, (int, float)) and change <= ABLATION_FLOOR:
                return False
        change = ablation.get(name)
        if isinstance(change, (int, float)):
            return change > ABLATION_FLOOR
        return bool(entry.get("wired"))  # no weights (or not ablated): the wiring decides

    if any(matters(e) for e in found):
        return ""
    names = ", ".join(f"{e.get('class')} '{e.get('name')}'" for e in found)
    return (
        f"{asks}: the model has {names}, but its predictions do not depend on it (it is not on "
        "the path from the input to the output, or its output is discarded)"
    )
