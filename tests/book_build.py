"""The book built with warnings as errors from the fast-mode executions of its chapters.

`make test` builds it once, in its ``book`` phase, after tests/test_notebooks.py has executed the
chapters; tests/test_book.py checks the build and tests/browser/ loads its pages in Chromium. Run
alone, it executes any chapter whose executed copy is missing or older than its source.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from seqcourse.notebooks import execute_notebook, is_current
from tests.conftest import CHAPTERS, EXECUTED_CHAPTERS, ROOT

FAST_BOOK = ROOT / "_build" / "test-book"


class BuildFailed(AssertionError):
    """jupyter-book exited non-zero: the message holds the end of its output."""


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


def build_fast_book() -> Path:
    """Build the book into ``_build/test-book`` (afresh) and return its ``html`` folder."""
    shutil.rmtree(FAST_BOOK, ignore_errors=True)
    stage = FAST_BOOK / "stage"
    stage.mkdir(parents=True)
    _stage_book(stage)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    out = FAST_BOOK / "out"
    command = [str(jupyter_book), "build", "-W", "-n", "--keep-going", str(stage)]
    result = subprocess.run(
        [*command, "--path-output", str(out)],
        env=dict(os.environ, SEQCOURSE_FAST="1"),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise BuildFailed(
            f"jupyter-book build failed (exit {result.returncode})\n"
            f"{result.stdout[-8000:]}\n{result.stderr[-8000:]}"
        )
    return out / "_build" / "html"
