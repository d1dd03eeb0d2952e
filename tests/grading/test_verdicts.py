"""Verdicts: comparisons say what is wrong, mistakes become hints, metrics meet thresholds."""

from types import SimpleNamespace

import numpy as np
import pytest

from seqcourse.grading.spec import Mistake
from seqcourse.grading.verdicts import (
    compare,
    diagnose,
    explain,
    metric_passes,
    model_metric,
    prediction_shape,
    threshold_words,
)


def test_compare_names_the_problem():
    want = np.ones((2, 3))
    assert compare(want, np.ones((2, 3)), 1e-6, 1e-6) is None
    assert "transposed" in compare(want, np.ones((3, 2)), 1e-6, 1e-6)
    assert "NaN" in compare(want, np.full((2, 3), np.nan), 1e-6, 1e-6)
    assert "max abs error 0.5" in compare(want, np.full((2, 3), 1.5), 1e-6, 1e-6)
    assert "tuple of 2" in compare((want, want), want, 1e-6, 1e-6)
    assert "item 1" in compare((want, want), (want, want * 2), 1e-6, 1e-6)
    assert "got a str" in compare(want, "ones", 1e-6, 1e-6)


def test_diagnose_finds_the_matching_mistake():
    x, w, b = np.ones((2, 3)), np.ones((3, 4)), np.ones(4)
    mistakes = (
        Mistake("transposed", lambda x, w, b: x @ w.T + b),  # does not apply: shapes fail
        Mistake("no bias", lambda x, w, b: x @ w),
    )
    assert diagnose(mistakes, (x, w, b), {}, x @ w, 1e-6, 1e-6) == "no bias"
    assert diagnose(mistakes, (x, w, b), {}, x @ w + 2 * b, 1e-6, 1e-6) == ""


def test_explain_adds_the_hint_of_the_mistake_reproduced():
    x, w, b = np.ones((2, 3)), np.ones((3, 4)), np.ones(4)
    question = SimpleNamespace(
        rtol=1e-6, atol=1e-6, mistakes=(Mistake("add the bias", lambda x, w, b: x @ w),)
    )
    assert explain(question, x @ w + b, x @ w + b, (x, w, b)) is None
    assert explain(question, x @ w + b, x @ w, (x, w, b)).endswith("Hint: add the bias")
    unexplained = explain(question, x @ w + b, x @ w - b, (x, w, b))
    assert unexplained.startswith("values differ") and "Hint" not in unexplained


def test_metrics_know_which_way_is_better():
    assert metric_passes("mse", 0.1, 0.05) and not metric_passes("mse", 0.1, 0.2)
    assert metric_passes("accuracy", 0.8, 0.9) and not metric_passes("accuracy", 0.8, 0.7)
    assert threshold_words("mae") == "at most" and threshold_words("accuracy") == "at least"


def test_class_scores_carry_one_more_axis():
    assert prediction_shape("accuracy", (5,), (5, 3)) == (5, 3)
    assert prediction_shape("accuracy", (5,), (5,)) == (5,)
    assert prediction_shape("mse", (5, 1), (5, 1, 2)) == (5, 1)
    value, problem = model_metric("mse", np.zeros((4, 1)), np.ones((4, 1)))
    assert problem == "" and value == pytest.approx(1.0)
    _, problem = model_metric("mse", np.zeros((4, 1)), np.ones((4, 2)))
    assert "expected (4, 1)" in problem
    _, problem = model_metric("mse", np.zeros((4, 1)), np.full((4, 1), np.inf))
    assert "NaN or infinity" in problem


def test_compare_says_how_values_are_off_without_giving_them_away():
    want = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -3.0]])
    assert "wrong sign" in compare(want, -want, 1e-6, 1e-6)
    assert "2 times the expected one" in compare(want, 2 * want, 1e-6, 1e-6)
    assert "0.5 times the expected one" in compare(want, want / 2, 1e-6, 1e-6)
    assert "same constant (+0.1)" in compare(want, want + 0.1, 1e-6, 1e-6)
    assert "wrong places" in compare(want, want[:, ::-1], 1e-6, 1e-6)
    assert "close, but outside" in compare(want, want + [[0, 0, 5e-6], [0] * 3], 1e-6, 1e-6)
    wrong_one = want.copy()
    wrong_one[1, 2] = 7.0
    assert "5 of 6 values are right" in compare(want, wrong_one, 1e-6, 1e-6)
    # No pattern is claimed where none holds.
    noise = np.random.default_rng(0).normal(size=want.shape)
    message = compare(want, noise, 1e-6, 1e-6)
    assert message.startswith("values differ") and ";" not in message


def test_pass_marks_remove_a_share_of_the_best_baselines_error():
    from seqcourse.grading.verdicts import credit, error_of, pass_mark

    assert pass_mark("mse", 0.2, 0.5) == pytest.approx(0.1)
    assert pass_mark("accuracy", 0.8, 0.5) == pytest.approx(0.9)  # the error 0.2 halved
    assert pass_mark("accuracy", 0.8, 0.5, threshold=0.95) == pytest.approx(0.95)  # stricter
    assert pass_mark("mse", None, 0.5, threshold=0.3) == 0.3
    assert error_of("exact_match", 0.75) == 0.25
    assert credit("mse", 0.09, 0.2, 0.1, partial=False) == 1.0
    assert credit("mse", 0.15, 0.2, 0.1, partial=False) == 0.0
    assert credit("mse", 0.15, 0.2, 0.1, partial=True) == pytest.approx(0.5)
    assert credit("accuracy", 0.85, 0.8, 0.9, partial=True) == pytest.approx(0.5)
    assert credit("accuracy", 0.7, 0.8, 0.9, partial=True) == 0.0  # worse than the baseline


def _layer(cls, name, inside=(), wired=True):
    return {"class": cls, "name": name, "inside": list(inside), "wired": wired}


def test_the_named_layer_must_be_there_on_the_path_and_matter():
    from seqcourse.grading.verdicts import technique_problem

    question = SimpleNamespace(requires=("GRU", "*Attention"), technique="a GRU layer")
    dense = _layer("Dense", "dense")
    gru = _layer("Bidirectional", "bi", inside=["GRU", "GRUCell"])
    assert "has none (its layers: Dense)" in technique_problem(
        question, {"layers": [dense]}, {"dense": 1.0}
    )
    assert technique_problem(question, {"layers": [gru, dense]}, {"bi": 0.3, "dense": 1.0}) == ""
    assert technique_problem(question, {"layers": [_layer("RNN", "r", ["GRUCell"])]}, {}) == ""
    assert technique_problem(question, {"layers": [_layer("MultiHeadAttention", "m")]}, {}) == ""
    bypassed = technique_problem(question, {"layers": [gru, dense]}, {"bi": 0.0, "dense": 1.0})
    assert "do not depend on it" in bypassed
    unused = _layer("GRU", "gru", wired=False)  # a subclassed model's layer, never ablated
    assert "do not depend on it" in technique_problem(question, {"layers": [unused]}, {})
    nested = [_layer("Sequential", "enc", ["GRU"]), _layer("GRU", "enc/gru")]
    assert "do not depend" in technique_problem(question, {"layers": nested}, {"enc": 0.0})
    assert "could not read" in technique_problem(question, {"__failed__": "boom"}, {})
