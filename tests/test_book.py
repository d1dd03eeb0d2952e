"""The whole book builds with warnings as errors from the fast-mode executions of its chapters:
every chapter executed without error, every cross-reference, citation and glued number resolves,
and no cell wrote to stderr (tests/book_build.py builds it; tests/browser/ reads it in Chromium).
"""

import pytest

from tests.conftest import CHAPTERS


@pytest.mark.book
def test_book_builds_from_fast_executions(fast_book):
    assert (fast_book / "index.html").is_file()
    for chapter in CHAPTERS:
        page = fast_book / "book" / f"{chapter.stem}.html"
        assert page.is_file(), f"{chapter.stem} is missing from the built book"
        assert "Traceback" not in page.read_text(), f"{chapter.stem} shows a traceback"
