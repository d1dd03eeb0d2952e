"""Helpers shared by the grading tests: build submissions from fixtures, read results back."""

import contextlib
import csv
import json
import subprocess
import sys
from pathlib import Path

from seqcourse.grading import batch
from tests.grading import toy

HERE = Path(__file__).parent
HOSTILE = HERE / "hostile"


def with_honest_answers(fixture: str, honest: str = toy.HONEST_NUMPY) -> str:
    """A hostile MyST fixture with the honest answers inserted as its first code cell."""
    marker = "```{code-cell} ipython3"
    cell = f"{marker}\n{honest.rstrip()}\n```\n\n"
    head, found, tail = fixture.partition(marker)
    return head + cell + found + tail if found else fixture + "\n" + cell


def results(out: Path, student: str) -> dict:
    return json.loads((out / student / "results.json").read_text())


def scores(out: Path, student: str) -> dict[str, float]:
    return {t["name"]: t["score"] for t in results(out, student)["tests"]}


def grades(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@contextlib.contextmanager
def lock_holder(locks: str, out: Path):
    """Another process inside ``with <locks>:`` (``out`` is a Path there); yields its Popen.

    Killed at the end, without unlocking: the kernel releases its locks.
    """
    code = (
        "import sys, time; from pathlib import Path\n"
        "from seqcourse.grading import batch, shards\n"
        "out = Path(sys.argv[1])\n"
        f"with {locks}:\n"
        "    print('locked', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def grade_sources(tmp_path: Path, assignment, **sources: str) -> Path:
    """Grade one MyST notebook per keyword (student id = its name, cells = its source) in fast
    mode, two jobs; return the output folder."""
    submissions = tmp_path / "subs"
    submissions.mkdir()
    for student, source in sources.items():
        (submissions / f"{student}.md").write_text(toy.myst(source))
    out = tmp_path / "out"
    found = batch.find_submissions(submissions)
    batch.grade_batch(found, assignment, out, jobs=2, fast=True, progress=False)
    return out
