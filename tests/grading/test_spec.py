"""The question model: hidden cases are salted."""

from seqcourse.grading.spec import question_rng


def test_hidden_cases_depend_on_the_salt(monkeypatch):
    first = question_rng("q").normal()
    monkeypatch.setenv("SEQCOURSE_GRADING_SALT", "spring-term")
    assert question_rng("q").normal() != first
