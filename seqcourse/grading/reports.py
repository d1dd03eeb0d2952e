"""What the grader writes: Gradescope's ``results.json``, ``feedback.md`` and ``grades.csv``.

Every file is written atomically (a temporary file renamed into place), so a grader killed
mid-batch leaves each file either old or new, never half-written; the temporary files a killed
writer leaves behind are removed when that student's result, or ``grades.csv``, is written next.
``grades.csv`` is rebuilt from the ``results.json`` files on disk, so a rerun that skips unchanged
submissions still lists them all. What is graded decides every byte of these files: the seconds a
submission took, which vary from run to run, go to ``STUDENT/.runtime.json`` instead, so grading a
batch twice, or in shards on several machines, writes identical files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import tempfile
from pathlib import Path

from seqcourse.grading import sandbox
from seqcourse.grading.runner import QuestionResult, SubmissionResult


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def gradescope_test(question: QuestionResult) -> dict:
    """One entry of Gradescope's ``tests`` list for one question."""
    return {
        "name": question.name,
        "score": round(question.score, 4),
        "max_score": question.max_score,
        "status": "passed" if question.passed else "failed",
        "output": "\n".join(question.lines),
        "visibility": "visible",
    }


def gradescope_results(result: SubmissionResult) -> dict:
    """``results.json`` in Gradescope's format (score, tests, output), plus ``extra_data``.

    Without Gradescope's optional ``execution_time``, which would differ between two gradings of
    the same notebook (:func:`write_result` keeps it in ``.runtime.json``).
    """
    output = [f"Graded in a {result.isolation}."]
    if result.isolation == sandbox.REDUCED:
        output[0] = "Graded with reduced isolation (no bubblewrap sandbox on the grading machine)."
    if result.status != "ok":
        output.append(f"Status: {result.status}.")
    output += [f"Cell {i + 1}: {error}" for i, error in sorted(result.cell_errors.items())]
    output += [f"Note: {note}" for note in result.notes]
    return {
        "score": round(result.total, 4),
        "output": "\n".join(output),
        "visibility": "visible",
        "tests": [gradescope_test(q) for q in result.questions],
        "extra_data": {
            "assignment": result.assignment,
            "student": result.student,
            "status": result.status,
            "isolation": result.isolation,
            "max_total": result.max_total,
        },
    }


def feedback_markdown(result: SubmissionResult) -> str:
    """``feedback.md``: the score, every question's verdict, cell errors, notes, the output."""
    lines = [
        f"# {result.assignment}: feedback for {result.student}",
        "",
        f"**Score: {result.total:g} / {result.max_total:g}** (status: {result.status}; "
        f"graded in a {result.isolation})",
        "",
    ]
    for question in result.questions:
        mark = "passed" if question.passed else "not passed"
        lines += [f"## {question.name}: {question.score:g} / {question.max_score:g} ({mark})", ""]
        lines += [f"- {line}" for line in question.lines] + [""]
    if result.cell_errors:
        lines += ["## Errors while running your notebook", ""]
        lines += [f"- cell {i + 1}: {error}" for i, error in sorted(result.cell_errors.items())]
        lines.append("")
    if result.notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in result.notes] + [""]
    if result.stdout.strip():
        lines += ["## Output of your notebook (truncated)", "", "```text"]
        lines += [result.stdout[-4000:].replace("```", "'''"), "```", ""]
    return "\n".join(lines)


RUNTIME_NAME = ".runtime.json"
STAMP_NAME = ".submission.sha256"


def _remove_leftovers(folder: Path, names: tuple[str, ...]) -> None:
    """Delete the temporary files of :func:`atomic_write` for ``names`` left by a killed writer."""
    for name in names:
        for leftover in folder.glob(f".{name}.*"):  # atomic_write's prefix: f".{name}."
            leftover.unlink(missing_ok=True)


def write_result(out: Path, result: SubmissionResult, digest: str) -> None:
    """``OUT/<student>/``: ``results.json``, ``feedback.md``, ``.runtime.json`` (seconds, host) and,
    last, the graded copy's sha256 (a result without it is not complete)."""
    folder = out / result.student
    _remove_leftovers(folder, ("results.json", "feedback.md", RUNTIME_NAME, STAMP_NAME))
    runtime = {"seconds": round(result.seconds, 3), "host": platform.node()}
    atomic_write(folder / "results.json", json.dumps(gradescope_results(result), indent=2))
    atomic_write(folder / "feedback.md", feedback_markdown(result))
    atomic_write(folder / RUNTIME_NAME, json.dumps(runtime) + "\n")
    atomic_write(folder / STAMP_NAME, digest + "\n")


def write_grades(out: Path, assignment, students: list[str]) -> None:
    """``OUT/grades.csv`` from every ``results.json`` in OUT for ``students`` (sorted)."""
    names = [q.name for q in assignment.questions]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", *names, "total", "max_total", "status"])
    for student in sorted(students):
        path = out / student / "results.json"
        if not path.is_file():
            continue
        results = json.loads(path.read_text())
        scores = {t["name"]: t["score"] for t in results["tests"]}
        extra = results.get("extra_data", {})
        writer.writerow(
            [student, *(scores.get(n, 0) for n in names), results["score"]]
            + [extra.get("max_total", assignment.max_total), extra.get("status", "ok")]
        )
    _remove_leftovers(out, ("grades.csv",))
    atomic_write(out / "grades.csv", buffer.getvalue())
