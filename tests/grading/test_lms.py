"""``seqcourse export``: Canvas, Moodle and generic gradebooks from a graded folder and a roster."""

import csv
import io

import pytest

from seqcourse.cli import main
from tests.grading import toy


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A graded --out: alice full marks, bob without the bias, carol not on the roster."""
    root = tmp_path_factory.mktemp("lms")
    subs = root / "subs"
    subs.mkdir()
    wrong = toy.myst(toy.HONEST_NUMPY.replace("x @ w + b", "x @ w"))
    for student, text in {
        "alice": toy.myst(toy.HONEST_NUMPY),
        "bob": wrong,
        "carol": wrong,
    }.items():
        (subs / f"{student}.md").write_text(text)
    out = root / "out"
    assert main(["grade", str(subs), "--assignment", "toy_numpy", "--out", str(out)]) == 0
    return out


def _roster(path, header, *rows):
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def _rows(path):
    return list(csv.reader(io.StringIO(path.read_text())))


def test_canvas_gradebook_maps_students_and_reports_the_unmatched(graded, tmp_path, capsys):
    roster = _roster(
        tmp_path / "roster.csv",
        "Student,Name,ID,SIS User ID,SIS Login ID,Section",
        'alice,"Liddell, Alice",101,s1,alice@u,A',
        'bob,"Builder, Bob",102,s2,bob@u,B',
        'dave,"Jones, Dave",104,s4,dave@u,A',
    )
    code = main(["export", str(graded), "--roster", str(roster), "--format", "canvas"])
    captured = capsys.readouterr()
    assert code == 1  # carol's grade is not in the file: loud, not silent
    assert "carol" in captured.err and "NOT exported" in captured.err
    assert "dave" in captured.err and "without a graded submission" in captured.err
    rows = _rows(graded / "grades-canvas.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "toy_numpy"]
    assert rows[1] == ["Points Possible", "", "", "", "", "5"]
    by_id = {row[1]: row for row in rows[2:]}
    assert by_id["101"] == ["Liddell, Alice", "101", "s1", "alice@u", "A", "5"]
    assert by_id["102"][-1] == "3" and by_id["104"][-1] == ""  # dave: no grade, not 0
    assert len(rows) == 5


def test_moodle_and_generic_formats(graded, tmp_path, capsys):
    roster = _roster(
        tmp_path / "roster.csv",
        "student,email,lms_id",
        "alice,alice@u,u-1",
        "bob,bob@u,u-2",
        "carol,carol@u,u-3",
        "dave,dave@u,u-4",
    )
    moodle = tmp_path / "moodle.csv"
    argv = ["export", str(graded), "--roster", str(roster), "--format", "moodle"]
    assert main([*argv, "--output", str(moodle), "--missing", "zero"]) == 0
    assert _rows(moodle) == [
        ["Email address", "toy_numpy"], ["alice@u", "5"], ["bob@u", "3"], ["carol@u", "3"],
        ["dave@u", "0"],
    ]  # fmt: skip
    assert "dave" in capsys.readouterr().err
    argv = ["export", str(graded), "--roster", str(roster), "--format", "generic"]
    assert main(argv) == 0
    assert _rows(graded / "grades-generic.csv")[:3] == [
        ["lms_id", "points", "max_points"], ["u-1", "5", "5"], ["u-2", "3", "5"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    "header, rows, expected",
    [
        ("name,id", ["alice,1"], "no 'student' column"),
        ("student,section", ["alice,A"], "add one of 'id', 'sis_user_id'"),
        ("student,id", ["alice,1", "alice,2"], "line 3: student 'alice' appears twice"),
        ("student,id", ["alice,"], "line 2: student 'alice' has no id or sis_user_id"),
    ],
)
def test_a_bad_roster_is_one_clear_line(graded, tmp_path, capsys, header, rows, expected):
    roster = _roster(tmp_path / "roster.csv", header, *rows)
    code = main(["export", str(graded), "--roster", str(roster), "--format", "canvas"])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and "Traceback" not in err


def test_export_needs_a_graded_folder(tmp_path, capsys):
    roster = _roster(tmp_path / "roster.csv", "student,lms_id", "alice,1")
    code = main(["export", str(tmp_path), "--roster", str(roster), "--format", "generic"])
    assert code == 2 and "run `seqcourse grade" in capsys.readouterr().err
