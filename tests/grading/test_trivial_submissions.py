"""Every model question against valid but technique-free submissions (tests/grading/trivial.py):
each scores 0, the solution's builder full marks, under three grading salts, and the feedback names
the best baseline or the missing technique. Runs are shared across salts only where the child's
task is the same, or differs only in the rows it predicts (tests/grading/trivial.py says how)."""

import pytest

from seqcourse.grading import registry
from seqcourse.grading.check import pass_rule
from seqcourse.grading.spec import SALT_ENV, ModelQuestion
from tests.grading.trivial import TRIVIAL, grade_contenders, model_question

SALTS = ("0", "autumn-2027", "k9#salt")
WITH_MODELS = sorted(
    name
    for name, assignment in registry.assignments().items()
    if name[:2].isdigit() and any(isinstance(q, ModelQuestion) for q in assignment.questions)
)


def test_every_model_question_has_baselines_and_a_trivial_submission():
    for name in WITH_MODELS:
        question = model_question(registry.get_assignment(name))
        assert question.baselines or question.twin, f"{question.name} names no baseline"
        assert question.threshold is None, f"{question.name}: pass marks come from baselines"
        assert TRIVIAL.get(question.name), f"{question.name} has no trivial submission"
        # Partial credit is stated where it is given: in the summary and in check()'s pass rule.
        for words in (question.summary, pass_rule(question)):
            assert ("partial credit" in words) == question.partial, (question.name, words)
        if question.partial:  # only where a model without the technique gets 0 whatever it scores
            assert question.requires or question.twin, question.name


@pytest.mark.slow
@pytest.mark.parametrize("name", WITH_MODELS)
def test_trivial_submissions_score_zero_and_the_solution_full_marks(name, monkeypatch):
    assignment = registry.get_assignment(name)
    question = model_question(assignment)
    verdicts, runs = grade_contenders(
        assignment, SALTS, set_salt=lambda salt: monkeypatch.setenv(SALT_ENV, salt)
    )
    assert runs == 1  # every salt judged from one sandbox run (see grade_contenders)
    for salt in SALTS:
        solution = verdicts[salt]["solution"]
        assert solution.score == question.points, (salt, solution.lines)
        assert "best baseline (" in solution.lines[0]
        for label in TRIVIAL[question.name]:
            verdict = verdicts[salt][label]
            assert verdict.score == 0.0, (salt, label, verdict.lines)
            text = "\n".join(verdict.lines)
            assert "best baseline (" in text or "the question asks for" in text, text
