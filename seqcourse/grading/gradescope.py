"""``seqcourse gradescope ASSIGNMENT``: a Gradescope autograder zip that grades with seqcourse.

Gradescope's autograder contract: the zip holds ``setup.sh`` (run once, as root, when the image is
built) and ``run_autograder`` (run for every submission) at its top level; at run time the zip's
files are in ``/autograder/source``, the student's files in ``/autograder/submission``, and the
result must be written to ``/autograder/results/results.json`` (a ``score``, an ``output``, and
``tests``, each with ``name``, ``score``, ``max_score``, ``status``, ``output``, ``visibility``).

The zip built here holds::

    setup.sh            apt: python3.11, venv, bubblewrap; pip: the wheel with the pinned tree;
                        seqcourse data fetch (the datasets the hidden cases read)
    run_autograder      python -m seqcourse.cli autograde --assignment NAME
    seqcourse-*.whl     the package, built from this checkout
    requirements.txt    the package's direct dependencies, pinned
    constraints.txt     the whole pinned tree
    assignment.json     the assignment, its questions and points, the wheel's name

:func:`run` (``seqcourse autograde``) grades the one notebook of ``ROOT/submission`` exactly as
``seqcourse grade`` does (the same sandbox, the same feedback) and copies its ``results.json``;
whatever goes wrong (no notebook, two notebooks, a grader crash) still ends in a
``results.json`` that says so, with score 0, because Gradescope shows nothing to the student
otherwise. ``AUTOGRADER_ROOT`` replaces ``/autograder`` (the tests lay out a directory like it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from seqcourse.errors import SeqcourseError

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the checkout: pyproject.toml, seqcourse/
STUDENT = "submission"

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
cd /autograder/source
apt-get update
apt-get install -y python3.11 python3.11-venv bubblewrap
python3.11 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet -c constraints.txt -r requirements.txt \\
    ./{wheel}
# The hidden cases read the course's pinned datasets: fetch and verify them now, not per run.
SEQCOURSE_DATA=/autograder/seqcourse-data /autograder/venv/bin/seqcourse data fetch
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it always leaves results/results.json.
root="${{AUTOGRADER_ROOT:-/autograder}}"
python="${{SEQCOURSE_AUTOGRADER_PYTHON:-$root/venv/bin/python}}"
export SEQCOURSE_DATA="${{SEQCOURSE_DATA:-$root/seqcourse-data}}"
export TF_CPP_MIN_LOG_LEVEL=3 TF_ENABLE_ONEDNN_OPTS=0 MPLBACKEND=Agg
exec "$python" -m seqcourse.cli autograde --root "$root" --assignment {assignment}
"""


class AutograderError(SeqcourseError):
    """The autograder cannot be built as asked (unknown assignment, no checkout, wheel failed)."""


def _direct_requirements() -> list[str]:
    project = tomllib.loads((PACKAGE_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(project["project"]["dependencies"])


def build_wheel(into: Path) -> Path:
    """Build the package's wheel from a clean copy of the checkout; returns its path."""
    if not (PACKAGE_ROOT / "pyproject.toml").is_file():
        raise AutograderError(f"no seqcourse checkout at {PACKAGE_ROOT} to build the wheel from")
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (PACKAGE_ROOT / name).is_file():
                shutil.copy(PACKAGE_ROOT / name, source / name)
        shutil.copytree(
            PACKAGE_ROOT / "seqcourse",
            source / "seqcourse",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        command += ["--quiet", "--wheel-dir", str(into), str(source)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise AutograderError(f"building the wheel failed:\n{done.stderr[-2000:]}")
    wheels = sorted(into.glob("seqcourse-*.whl"))
    if not wheels:
        raise AutograderError(f"pip wheel wrote no seqcourse wheel into {into}")
    return wheels[-1]


def build_autograder(assignment_name: str, output: Path) -> Path:
    """Write Gradescope's autograder zip for ``assignment_name`` to ``output``; returns it."""
    from seqcourse.grading import registry

    try:
        assignment = registry.get_assignment(assignment_name)
    except KeyError as error:
        raise AutograderError(error.args[0]) from None
    with tempfile.TemporaryDirectory() as scratch:
        wheel = build_wheel(Path(scratch))
        files = {
            "setup.sh": SETUP_SH.format(wheel=wheel.name),
            "run_autograder": RUN_AUTOGRADER.format(assignment=assignment.name),
            "requirements.txt": "\n".join(_direct_requirements()) + "\n",
            "constraints.txt": (PACKAGE_ROOT / "constraints.txt").read_text(encoding="utf-8"),
            "assignment.json": json.dumps(
                {
                    "assignment": assignment.name,
                    "max_score": assignment.max_total,
                    "questions": [q.name for q in assignment.questions],
                    "wheel": wheel.name,
                },
                indent=2,
            ),
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in files.items():
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.external_attr = (
                    0o755 if name in ("setup.sh", "run_autograder") else 0o644
                ) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text)
            archive.write(wheel, wheel.name)
    return output


def _failure(message: str, max_score: float) -> dict:
    return {
        "score": 0.0,
        "output": message,
        "visibility": "visible",
        "tests": [],
        "extra_data": {"status": "error", "max_total": max_score},
    }


def run(root: Path, assignment_name: str) -> int:
    """Grade ``root/submission``'s notebook into ``root/results/results.json``; exit status 0."""
    from seqcourse.grading import batch, registry
    from seqcourse.grading.notebook import SUFFIXES
    from seqcourse.grading.reports import RUNTIME_NAME, atomic_write

    results = root / "results" / "results.json"
    assignment = registry.get_assignment(assignment_name)
    submitted = sorted(
        p for p in (root / "submission").rglob("*") if p.is_file() and p.suffix in SUFFIXES
    )
    submitted = [p for p in submitted if ".ipynb_checkpoints" not in p.parts]
    if len(submitted) > 1:  # prefer the notebook named after the assignment
        named = [p for p in submitted if p.stem == assignment.name]
        submitted = named or submitted
    if len(submitted) != 1:
        found = ", ".join(p.name for p in submitted) or "none"
        message = (
            f"Upload exactly one notebook (.ipynb or .md) for {assignment.name}, ideally named "
            f"{assignment.name}.ipynb; found: {found}."
        )
        atomic_write(results, json.dumps(_failure(message, assignment.max_total), indent=2))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        try:
            batch.grade_batch({STUDENT: submitted[0]}, assignment, out, jobs=1, progress=False)
            graded = json.loads((out / STUDENT / "results.json").read_text(encoding="utf-8"))
            runtime = json.loads((out / STUDENT / RUNTIME_NAME).read_text(encoding="utf-8"))
            graded["execution_time"] = runtime["seconds"]  # Gradescope's optional field
            graded = json.dumps(graded, indent=2)
        except Exception as error:  # the student still gets a results.json that says so
            message = f"The grader failed on this submission ({type(error).__name__}: {error})."
            graded = json.dumps(_failure(message, assignment.max_total), indent=2)
        atomic_write(results, graded)
    return 0
