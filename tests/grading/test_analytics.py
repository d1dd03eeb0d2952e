"""``OUT/report.html`` on a graded exercise 3: the numbers it shows are those of the grades, the
diagnosed mistakes are counted by student, the copy is shown beside its source, and the page is
self-contained (no script, nothing fetched) and escapes what students control."""

import re

import pytest

from seqcourse.cli import main
from seqcourse.grading import analytics, registry
from tests.grading import answers
from tests.grading.helpers import grades


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("subs")
    # Three students with answers of their own (each question answered three different ways),
    # two of them with a diagnosed mistake; a disguised copy; the blank exercise; a broken file.
    texts = {
        "ana": answers.submission(0, 1, 2),
        "ben": answers.submission(1, 2, 0).replace("* (2.0 / n)", "* 2.0"),
        "cat": answers.submission(2, 0, 1).replace("/ out.size", "").replace("ord=2", 'ord="fro"'),
    }
    texts["copier"] = answers.rename(texts["ana"], {"states": "hh", "d_next": "back"})
    texts["blank"] = (answers.ROOT / "exercises" / "03_training_rnns.md").read_text()
    for name, text in texts.items():
        (folder / f"{name}.md").write_text(text)
    (folder / "eve<script>.ipynb").write_text("<script>alert(1)</script>")
    out = tmp_path_factory.mktemp("out")
    argv = ["grade", str(folder), "--assignment", "03_training_rnns", "--out", str(out)]
    assert main([*argv, "--jobs", "2"]) == 0
    return folder, out, (out / "report.html").read_text()


def _row(page: str, first_cell: str) -> list[str]:
    """The cells of the first table row whose first cell is ``first_cell``."""
    match = re.search(rf"<tr><td>{re.escape(first_cell)}</td>(.*?)</tr>", page)
    assert match, first_cell
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))]


def test_the_report_is_one_self_contained_page(graded):
    _, _, page = graded
    assert page.count("<svg") == 3  # scores, questions, runtime
    assert not re.search(r"<script|<link(?! rel=\"icon\" href=\"data:,\")|<img|<iframe", page)
    assert not re.search(r"@import|url\((?!#)", page)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # the inline figures share no id
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "eve&lt;script&gt;" in page  # a student id is text, never markup


def test_scores_and_pass_rates_are_those_of_grades_csv(graded):
    _, out, page = graded
    table = grades(out)
    assignment = registry.get_assignment("03_training_rnns")
    for question in assignment.questions:
        full = sum(float(r[question.name]) == question.points for r in table.values())
        row = _row(page, question.name)
        assert row[0] == f"{question.points:g}"
        assert row[1] == f"{100 * full / len(table):.0f}%"
    assert _row(page, "graded") == [str(len(table))]
    perfect = sum(float(r["total"]) == assignment.max_total for r in table.values())
    assert _row(page, "full marks")[0].startswith(f"{perfect} ")


def test_diagnosed_mistakes_are_counted_by_student(graded):
    _, _, page = graded
    summed = _row(page, "bptt_many_to_many</td><td>diagnosed mistake")
    assert summed[0] == "that is the gradient of the sum: L is a mean over B*T*K"
    assert summed[1:] == ["2", "ben, cat"]
    frobenius = _row(page, "transient_growth</td><td>diagnosed mistake")
    assert "Frobenius" in frobenius[0] and frobenius[1:] == ["1", "cat"]
    assert _row(page, "a cell raised NotImplementedError") == ["1", "blank"]
    assert _row(page, "unreadable notebook") == ["1", "eve&lt;script&gt;"]


def test_the_copy_is_shown_beside_its_source(graded):
    _, _, page = graded
    assert re.findall(r"<h3>(.*?) ~ (.*?):", page) == [("ana", "copier")]
    side_by_side = page[page.index("<h3>ana ~ copier") :]
    assert (
        "<mark>    states = np.zeros" in side_by_side and "<mark>    hh = np.zeros" in side_by_side
    )


def test_failure_causes_from_the_feedback():
    graded = analytics.Graded(
        "x", 0.0, "incomplete", {}, {}, {"q": "the grader's run ran past the time limit while"},
        "Graded.\nCell 2: MemoryError: Unable to allocate (cell 2, line 1)\nCell 3: this cell "
        "ended the process (-9); it was skipped",
    )  # fmt: skip
    assert analytics.failure_causes(graded) == {
        "time limit", "memory", "crash", "a cell raised MemoryError"
    }  # fmt: skip
    problems = analytics.diagnoses(
        "0/2 cases passed\npublic 0: values differ: max abs error 1 (tolerance 1e-06 + 0*|"
        "expected|); every value is 0.5 times the expected one: a missing or extra factor\n"
        "hidden 0: expected shape (2, 3), got (3, 2) (transposed?)"
    )
    assert problems == {
        ("value pattern", "every value is # times the expected one: a missing or extra factor"),
        ("shape", "wrong shape (transposed)"),
    }


def test_seqcourse_report_rewrites_the_page(graded, tmp_path, capsys):
    folder, out, page = graded
    (out / "report.html").unlink()
    argv = ["report", str(folder), "--assignment", "03_training_rnns"]
    assert main([*argv, "--out", str(out)]) == 0
    again = (out / "report.html").read_text()
    assert again.split("<h2>Runtime")[0] == page.split("<h2>Runtime")[0]
    assert main([*argv, "--out", str(tmp_path)]) == 2
    assert "holds no grades.csv: grade (or merge) into it first" in capsys.readouterr().err
