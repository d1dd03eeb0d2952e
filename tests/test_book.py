"""The whole book builds with warnings as errors from the fast-mode executions of its chapters:
every chapter executed without error, every cross-reference, citation and glued number resolves,
and no cell wrote to stderr (tests/book_build.py builds it; tests/browser/ reads it in Chromium).
"""

import pytest

from tests.conftest import CHAPTERS, ROOT, SOLUTIONS


@pytest.mark.book
def test_book_builds_from_fast_executions(fast_book):
    assert (fast_book / "index.html").is_file()
    for chapter in CHAPTERS:
        page = fast_book / "book" / f"{chapter.stem}.html"
        assert page.is_file(), f"{chapter.stem} is missing from the built book"
        assert "Traceback" not in page.read_text(), f"{chapter.stem} shows a traceback"
    assert not (fast_book / "solutions").exists(), "the default book must not release solutions"


@pytest.mark.book
def test_the_solutions_switch_adds_every_solution_and_nothing_else(fast_book_with_solutions):
    html = fast_book_with_solutions
    for solution in SOLUTIONS:
        page = html / "solutions" / f"{solution.stem}.html"
        assert page.is_file(), f"{solution.stem} is missing from the book with solutions"
        assert (
            "# BEGIN SOLUTION" not in page.read_text() or "public checks passed" in page.read_text()
        )
    index = (html / "book" / "index.html").read_text()
    assert "Solutions" in index and "solutions/02_rnn_from_scratch.html" in index
    assert "solutions/" not in (ROOT / "_toc.yml").read_text(), "the default toc lists solutions"


@pytest.mark.book
def test_every_chapter_ends_with_its_exercises_and_their_notebook(fast_book):
    import jupytext
    import nbformat
    from bs4 import BeautifulSoup

    from seqcourse.grading.registry import get_assignment

    for chapter in CHAPTERS:
        soup = BeautifulSoup(
            (fast_book / "book" / f"{chapter.stem}.html").read_text(), "html.parser"
        )
        sections = soup.select("main section")
        last = [s for s in sections if s.find(["h2"], recursive=False)][-1]
        assert last.h2.get_text().strip("#¶ \n").endswith("Exercises"), (
            f"{chapter.stem} ends with {last.h2.get_text()!r}, not its Exercises section"
        )
        listed = [code.get_text() for code in last.select("ol > li > p > code:first-child")]
        assert listed == [q.name for q in get_assignment(chapter.stem).questions], chapter.stem
        link = last.select_one("a.exercise-download")
        assert link["href"] == f"../exercises/{chapter.stem}.ipynb", link["href"]
        downloaded = nbformat.read(fast_book / "exercises" / f"{chapter.stem}.ipynb", as_version=4)
        source = jupytext.read(ROOT / "exercises" / f"{chapter.stem}.md")
        assert [c.source for c in downloaded.cells] == [c.source for c in source.cells]
        assert any("check(" in c.source for c in source.cells if c.cell_type == "code")
