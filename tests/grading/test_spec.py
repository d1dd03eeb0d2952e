"""Verdict helpers: comparisons say what is wrong, typical mistakes become hints."""

import numpy as np

from seqcourse.grading.spec import Mistake, compare, diagnose, question_rng


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


def test_hidden_cases_depend_on_the_salt(monkeypatch):
    first = question_rng("q").normal()
    monkeypatch.setenv("SEQCOURSE_GRADING_SALT", "spring-term")
    assert question_rng("q").normal() != first
