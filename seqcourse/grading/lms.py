"""``seqcourse export OUT --roster ROSTER --format canvas|moodle|generic``: grades into an LMS.

``OUT/grades.csv`` names students by their submission's file stem; a learning-management system
names them by its own identifiers. The roster CSV maps one to the other: a ``student`` column (the
file stem) and the LMS's identifiers, by these column names (case and spaces ignored):

- ``canvas``: ``id`` (Canvas's user id) or ``sis_user_id``, optionally ``name``,
  ``sis_login_id`` and ``section``. Written as Canvas's gradebook import: the columns
  ``Student, ID, SIS User ID, SIS Login ID, Section`` and one column named after the assignment,
  then a ``Points Possible`` row; Canvas creates the assignment column if it has none by that name.
- ``moodle``: ``email``, ``idnumber`` or ``username``, which Moodle's "Import grades from CSV"
  maps to its user field of that kind; the assignment's column carries the points.
- ``generic``: ``lms_id``, written as ``lms_id,points,max_points``.

Nothing is dropped silently: a graded submission without a roster entry is not exported and is
reported (exit status 1), and a roster entry without a graded submission is exported with an
empty grade (``--missing zero`` writes 0) and reported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from seqcourse.errors import SeqcourseError
from seqcourse.grading.reports import atomic_write

FORMATS = {
    # format -> (identifier columns of which the roster needs at least one, optional columns)
    "canvas": (("id", "sis_user_id"), ("name", "sis_login_id", "section")),
    "moodle": (("email", "idnumber", "username"), ()),
    "generic": (("lms_id",), ()),
}
MOODLE_HEADERS = {"email": "Email address", "idnumber": "ID number", "username": "Username"}


class ExportError(SeqcourseError):
    """The grades or the roster cannot be exported as asked (missing file, column, duplicate)."""


@dataclass
class Export:
    """What :func:`export_grades` wrote and what it could not match."""

    path: Path
    assignment: str = ""
    exported: int = 0
    without_roster: list[str] = field(default_factory=list)  # graded, not exported
    without_submission: list[str] = field(default_factory=list)  # exported with no grade


def _key(column: str) -> str:
    return column.strip().lower().replace(" ", "_")


def read_grades(out: Path) -> tuple[list[dict], float, str]:
    """The rows of ``out/grades.csv``, the assignment's maximum and its name.

    The name comes from the graded results (``extra_data.assignment``); the folder's name when
    nothing is graded yet.
    """
    import json

    path = out / "grades.csv"
    if not path.is_file():
        raise ExportError(f"{path} does not exist: run `seqcourse grade ... --out {out}` first")
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    if not {"student", "total", "max_total"} <= set(reader.fieldnames or ()):
        raise ExportError(f"{path} is not a seqcourse gradebook (no student/total/max_total)")
    rows = list(reader)
    if not rows:
        return rows, 0.0, out.resolve().name
    first = json.loads((out / rows[0]["student"] / "results.json").read_text(encoding="utf-8"))
    name = first.get("extra_data", {}).get("assignment") or out.resolve().name
    return rows, float(rows[0]["max_total"]), name


def read_roster(path: Path, fmt: str) -> list[dict]:
    """Roster rows with normalised column names; ExportError naming what is missing."""
    if not path.is_file():
        raise ExportError(f"no roster at {path}: a CSV with a 'student' column and LMS ids")
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    columns = {_key(c) for c in reader.fieldnames or ()}
    rows = [{_key(k): (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    needed, _ = FORMATS[fmt]
    if "student" not in columns:
        raise ExportError(f"{path} has no 'student' column (the submission file names)")
    if not columns & set(needed):
        raise ExportError(
            f"{path} has none of the columns {fmt} identifies students by: add one of "
            + ", ".join(repr(c) for c in needed)
        )
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if not row["student"]:
            raise ExportError(f"{path} line {number}: the 'student' cell is empty")
        if row["student"] in seen:
            raise ExportError(f"{path} line {number}: student {row['student']!r} appears twice")
        if not any(row.get(c) for c in needed):
            raise ExportError(
                f"{path} line {number}: student {row['student']!r} has no " + " or ".join(needed)
            )
        seen.add(row["student"])
    return rows


def _points(value: float) -> str:
    return f"{value:g}"


def export_grades(
    out: Path, roster: Path, fmt: str, output: Path | None = None, missing: str = "blank"
) -> Export:
    """Write ``out``'s grades in ``fmt`` for the students of ``roster``; see the module doc."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if missing not in ("blank", "zero"):
        raise ExportError(f"--missing must be 'blank' or 'zero', not {missing!r}")
    grades, maximum, assignment = read_grades(out)
    people = read_roster(roster, fmt)
    totals = {row["student"]: float(row["total"]) for row in grades}
    listed = {person["student"] for person in people}
    result = Export(output or out / f"grades-{fmt}.csv", assignment=assignment)
    result.without_roster = sorted(set(totals) - listed)
    result.without_submission = sorted(listed - set(totals))

    def grade_of(student: str) -> str:
        if student in totals:
            return _points(totals[student])
        return "0" if missing == "zero" else ""

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if fmt == "canvas":
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
        writer.writerow(["Points Possible", "", "", "", "", _points(maximum)])
        for person in people:
            writer.writerow(
                [person.get(c, "") for c in ("name", "id", "sis_user_id", "sis_login_id")]
                + [person.get("section", ""), grade_of(person["student"])]
            )
    elif fmt == "moodle":
        ids = [c for c in FORMATS["moodle"][0] if any(person.get(c) for person in people)]
        writer.writerow([MOODLE_HEADERS[c] for c in ids] + [assignment])
        for person in people:
            writer.writerow([person[c] for c in ids] + [grade_of(person["student"])])
    else:
        writer.writerow(["lms_id", "points", "max_points"])
        for person in people:
            writer.writerow([person["lms_id"], grade_of(person["student"]), _points(maximum)])
    atomic_write(result.path, buffer.getvalue())
    result.exported = len(people)
    return result


def export_command(out: Path, roster: Path, fmt: str, output: Path | None, missing: str) -> int:
    """``seqcourse export``: write the file, report what did not match; exit status."""
    import sys

    result = export_grades(out, roster, fmt, output, missing)
    print(f"wrote {result.exported} roster row(s) of {result.assignment} to {result.path} ({fmt})")
    if result.without_submission:
        grade = "0" if missing == "zero" else "no grade"
        print(
            f"{len(result.without_submission)} roster student(s) without a graded submission "
            f"({grade}): " + ", ".join(result.without_submission),
            file=sys.stderr,
        )
    if result.without_roster:
        print(
            f"{len(result.without_roster)} graded submission(s) without a roster entry, NOT "
            "exported (add them to the roster): " + ", ".join(result.without_roster),
            file=sys.stderr,
        )
        return 1
    return 0
