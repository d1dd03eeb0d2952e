"""The whole book builds with warnings as errors from the fast-mode executions of its chapters:
every chapter executed without error, every cross-reference, citation and glued number resolves,
and no cell wrote to stderr.

`make test` runs this after tests/test_notebooks.py, whose executed chapters it reuses; run alone,
it executes any chapter whose executed copy is missing or older than its source.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from seqcourse.notebooks import execute_notebook, is_current
from tests.conftest import CHAPTERS, EXECUTED_CHAPTERS, ROOT


def _stage_book(stage: Path) -> None:
    """A copy of the book's sources in which each chapter is its executed notebook."""
    for entry in ROOT.iterdir():
        if not entry.name.startswith(".") and entry.name not in {"book", "_build", "_config.yml"}:
            (stage / entry.name).symlink_to(entry)
    (stage / "book").mkdir()
    chapter_names = {c.name for c in CHAPTERS}
    for entry in (ROOT / "book").iterdir():
        if entry.name not in chapter_names:
            (stage / "book" / entry.name).symlink_to(entry)
    for chapter in CHAPTERS:
        executed = EXECUTED_CHAPTERS / f"{chapter.stem}.ipynb"
        if not is_current(executed, chapter):
            execute_notebook(chapter, executed, fast=True)
        (stage / "book" / executed.name).symlink_to(executed)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    (stage / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))


@pytest.mark.book
def test_book_builds_from_fast_executions(tmp_path):
    stage = tmp_path / "stage"
    stage.mkdir()
    _stage_book(stage)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    out = tmp_path / "out"
    command = [str(jupyter_book), "build", "-W", "-n", "--keep-going", str(stage)]
    result = subprocess.run(
        [*command, "--path-output", str(out)],
        env=dict(os.environ, SEQCOURSE_FAST="1"),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (
        f"jupyter-book build failed (exit {result.returncode})\n"
        f"{result.stdout[-8000:]}\n{result.stderr[-8000:]}"
    )
    html = out / "_build" / "html"
    assert (html / "index.html").is_file()
    for chapter in CHAPTERS:
        page = html / "book" / f"{chapter.stem}.html"
        assert page.is_file(), f"{chapter.stem} is missing from the built book"
        assert "Traceback" not in page.read_text(), f"{chapter.stem} shows a traceback"
