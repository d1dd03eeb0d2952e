"""One source, two outputs: exercises are generated from solutions and kept up to date."""

import subprocess
import sys
from pathlib import Path

import pytest

from seqcourse.errors import SeqcourseError
from seqcourse.grading.assign import strip_solutions
from tests.conftest import ROOT

SOLUTION = """\
import numpy as np


def step(x, h):
    # BEGIN SOLUTION
    # HINT: h_t = tanh(x_t W + h_{t-1} U + b)
    z = x + h
    return np.tanh(z)
    # END SOLUTION


# BEGIN SOLUTION
answer = 3.0
# END SOLUTION
print(answer)"""


def test_solution_blocks_become_stubs_with_hints():
    exercise = strip_solutions(SOLUTION)
    assert "np.tanh(z)" not in exercise and "answer = 3.0" not in exercise
    assert "    # HINT: h_t = tanh(x_t W + h_{t-1} U + b)" in exercise
    assert '    raise NotImplementedError("write your solution here")' in exercise
    assert "\n...\nprint(answer)" in exercise
    compile(exercise, "exercise", "exec")


@pytest.mark.parametrize(
    "source", ["# BEGIN SOLUTION\nx = 1", "# END SOLUTION", "# BEGIN SOLUTION\n# BEGIN SOLUTION"]
)
def test_unbalanced_markers_are_errors(source):
    with pytest.raises(SeqcourseError):
        strip_solutions(source)


def test_exercises_are_up_to_date():
    seqcourse = Path(sys.executable).with_name("seqcourse")
    done = subprocess.run(
        [str(seqcourse), "assign", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_check_reports_stale_exercises(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "01_x.md").write_text("```{code-cell} ipython3\nx = 1\n```\n")
    seqcourse = Path(sys.executable).with_name("seqcourse")
    done = subprocess.run(
        [str(seqcourse), "assign", "--check"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 1 and "01_x.md" in done.stdout
    subprocess.run([str(seqcourse), "assign"], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / "exercises" / "01_x.md").is_file()
