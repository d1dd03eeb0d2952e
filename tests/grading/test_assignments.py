"""Every assignment in solutions/: the solution scores full marks, the generated exercise 0."""

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
    out = tmp_path / "out"
    assignment = registry.get_assignment(name)
    found = batch.find_submissions(submissions)
    batch.grade_batch(found, assignment, out, jobs=2, fast=True, progress=False)
    solution, exercise = results(out, "solution"), results(out, "exercise")
    assert solution["score"] == assignment.max_total, solution
    assert exercise["score"] == 0.0, exercise
    assert not any("Cell" in line for line in solution["output"].splitlines()), solution["output"]
