"""Every assignment in solutions/: the solution scores full marks, the generated exercise 0.

The solutions' model questions are trained and graded once, beside the trivial submissions, by
tests/grading/test_trivial_submissions.py (under three salts); here the solution notebook is graded
on its other questions, the exercise on all of them.
"""

import dataclasses
import shutil

import pytest

from seqcourse.grading import batch, registry
from tests.conftest import ROOT
from tests.grading.helpers import results

SOLVED = sorted(p.stem for p in (ROOT / "solutions").glob("[0-9][0-9]_*.md"))
GRADED = [name for name in SOLVED if name in registry.assignments()]


def test_every_solution_has_graded_questions_and_every_assignment_a_solution():
    course = {name for name in registry.assignments() if name[:2].isdigit()}
    assert course == set(GRADED), "solutions/ and seqcourse.grading.questions disagree"
    for name in GRADED:
        assignment = registry.get_assignment(name)
        assert len(assignment.questions) >= 3
        kinds = {q.kind for q in assignment.questions}
        assert {"function", "value"} <= kinds, f"{name} should mix question kinds"
        text = (ROOT / "solutions" / f"{name}.md").read_text()
        for question in assignment.questions:
            assert f'check("{question.name}")' in text, f"{name}: no check cell for {question.name}"


@pytest.mark.slow
@pytest.mark.parametrize("name", GRADED)
def test_solution_full_marks_exercise_zero(name, tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    shutil.copy(ROOT / "solutions" / f"{name}.md", submissions / "solution.md")
    shutil.copy(ROOT / "exercises" / f"{name}.md", submissions / "exercise.md")
    assignment = registry.get_assignment(name)
    found = batch.find_submissions(submissions)
    out = tmp_path / "out"
    batch.grade_batch({"exercise": found["exercise"]}, assignment, out, fast=True, progress=False)
    without_models = dataclasses.replace(
        assignment, questions=tuple(q for q in assignment.questions if q.kind != "model")
    )
    solved = tmp_path / "solved"
    batch.grade_batch(
        {"solution": found["solution"]}, without_models, solved, fast=True, progress=False
    )
    solution, exercise = results(solved, "solution"), results(out, "exercise")
    assert solution["score"] == without_models.max_total, solution
    assert exercise["score"] == 0.0, exercise
    assert not any("Cell" in line for line in solution["output"].splitlines()), solution["output"]
