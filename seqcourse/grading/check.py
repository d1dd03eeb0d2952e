"""``check("question")`` in a student's notebook: run that question's PUBLIC cases, right there.

It reads the student's definitions from the calling cell's globals (the notebook namespace), runs
the public cases against the trusted reference, and prints one short, specific message: which case,
expected and received shapes, the largest error, and a hint when the result matches a typical
mistake. It never says "all tests passed": hidden cases, run only by ``seqcourse grade``, decide the
grade. In the grader's sandbox ``check`` is replaced by a no-op.
"""

from __future__ import annotations

import re
import sys

from seqcourse.grading import modelprobe, registry, wire
from seqcourse.grading.spec import (
    FunctionQuestion,
    ModelQuestion,
    Question,
    ValueQuestion,
    input_rows,
    input_shapes,
)
from seqcourse.grading.verdicts import (
    METRICS,
    explain,
    prediction_shape,
    technique_problem,
    threshold_words,
)
from seqcourse.runtime import fast_mode

HIDDEN_NOTE = "hidden cases decide the grade"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # Keras colours its messages for a terminal


def _as_sent(value):
    """The value as the grader would receive it (so check and grader agree on what is accepted)."""
    arrays: dict = {}
    return wire.decode(wire.encode(value, arrays), arrays)


def _call(function, case):
    args = tuple(a.copy() if hasattr(a, "copy") else a for a in case.args)
    return function(*args, **dict(case.kwargs))


def _check_function(question: FunctionQuestion, target) -> str:
    cases = question.cases(hidden=False)
    for case in cases:
        try:
            got = _as_sent(_call(target, case))
        except NotImplementedError:
            return f"`{question.target}` is not implemented yet"
        except wire.WireError as error:
            return f"{case.label}: returned {error}; return a numpy.ndarray or a number"
        except Exception as error:
            return f"{case.label}: raised {type(error).__name__}: {error}"
        expected = question.reference(*case.args, **dict(case.kwargs))
        problem = explain(question, expected, got, case.args, case.kwargs)
        if problem:
            return f"{case.label} failed: {problem}"
    return f"public checks passed ({len(cases)} cases); {HIDDEN_NOTE}"


def _check_value(question: ValueQuestion, value) -> str:
    try:
        got = _as_sent(value)
    except wire.WireError as error:
        return f"`{question.target}` is {error}; store a number or a numpy.ndarray"
    import numpy as np

    expected = np.asarray(question.expected())
    got_array = np.asarray(got) if not isinstance(got, (list, tuple, dict, str)) else None
    if got_array is None or got_array.dtype.kind not in "biuf":
        return f"`{question.target}` should be a number or an array of numbers"
    if got_array.shape != expected.shape:
        return f"`{question.target}` has shape {got_array.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got_array)):
        return f"`{question.target}` contains NaN or infinity"
    return "public checks passed (type and shape); its value is graded by hidden checks"


def pass_rule(question: ModelQuestion) -> str:
    """How a model question's pass mark is set, in words (the numbers come from hidden data)."""
    metric, words = question.metric, threshold_words(question.metric)
    bars = [b.name for b in question.baselines if b.bar and b.margin is None]
    if question.twin:
        bars.append("the same model without its regularisation")
    parts = []
    if bars:
        what = metric if not METRICS[metric][1] else f"a shortfall from 1 of {metric}"
        parts.append(
            f"{what} {question.margin:.0%} below the best of its baselines' ({', '.join(bars)}), "
            "computed by the grader on hidden data"
        )
    for baseline in question.baselines:
        if baseline.bar and baseline.margin is not None:
            parts.append(
                f"{metric} removing {baseline.margin:.0%} of the {baseline.name} forecast's error"
                if baseline.margin
                else f"{metric} no worse than {baseline.name}'s"
            )
    if question.partial:
        parts.append("partial credit in proportion between the best baseline and that mark")
    if question.threshold is not None:
        parts.append(f"{metric} {words} {question.threshold:g}")
    return "; ".join(parts)


def _check_model(question: ModelQuestion, builder) -> str:
    import keras

    data = question.data(fast_mode())
    try:
        model = builder(**question.builder_kwargs(data))
    except NotImplementedError:
        return f"`{question.target}` is not implemented yet"
    except Exception as error:
        return f"building the model raised {type(error).__name__}: {error}"
    if not isinstance(model, keras.Model):
        return f"`{question.target}` must return a keras.Model, not {type(model).__name__}"
    if getattr(model, "optimizer", None) is None:
        return "the model is not compiled: call model.compile(...) inside the builder"
    sample = input_rows(data.x_eval, slice(0, 4))
    shapes = input_shapes(sample)
    # Several inputs go to Keras as a list (a tuple would read as (x, y)) or a dict.
    feed = list(sample) if isinstance(sample, tuple) else sample
    try:
        if question.decode is not None:
            decoding = question.decode
            predictions = modelprobe.greedy_decode(
                model, feed, decoding.slot, decoding.start_id, decoding.end_id, 3
            )
        else:
            predictions = model.predict(feed, verbose=0)
    except Exception as error:
        hint = ""
        if question.other_length:
            hint = " (the grader scores sequences of another length than it trains on: "
            hint += "use keras.Input((None, ...)))"
        failure = f"{type(error).__name__}: {_ANSI.sub('', str(error))[:500]}"
        return f"predicting on inputs of shape {shapes} raised {failure}{hint}"
    if question.requires:
        structure = modelprobe.describe(model)
        ablation = modelprobe.ablation(model, feed)
        problem = technique_problem(question, structure, ablation)
        if problem:
            return problem
    if question.twin and not any(e["regularisation"] for e in modelprobe.describe(model)["layers"]):
        return "the model has no regularisation (dropout, recurrent dropout, noise, weight penalty)"
    if question.decode is not None:
        did = f"decodes {shapes} greedily"
    else:
        if isinstance(predictions, (list, tuple, dict)):
            return f"the model has {len(predictions)} outputs; it needs one"
        wanted = prediction_shape(question.metric, data.y_eval[:4].shape, predictions.shape)
        if tuple(predictions.shape) != wanted:
            return f"the model maps {shapes} to {tuple(predictions.shape)}, expected {wanted}"
        did = f"maps {shapes} to {wanted}"
    return (
        f"public checks passed: the model builds, is compiled and {did}. "
        f"The grader trains it (at most {question.epochs} epochs, {question.budget:g} CPU-seconds) "
        f"and needs {pass_rule(question)}"
    )


def message(question: Question, namespace: dict) -> str:
    """The check's one-line verdict for ``question`` given the notebook ``namespace``."""
    if question.target not in namespace:
        return f"`{question.target}` is not defined yet: run the cell that defines it"
    target = namespace[question.target]
    if isinstance(question, ValueQuestion):
        return _check_value(question, target)
    if not callable(target):
        return f"`{question.target}` should be a function"
    if isinstance(question, FunctionQuestion):
        return _check_function(question, target)
    return _check_model(question, target)


def check(name: str) -> None:
    """Run question ``name``'s public cases on this notebook's definitions; print the verdict."""
    try:
        _, question = registry.find_question(name)
    except KeyError as error:
        print(f"check: {error.args[0]}")
        return
    namespace = sys._getframe(1).f_globals
    print(f"{name}: {message(question, namespace)}")
