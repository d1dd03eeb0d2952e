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
from tests.conftest import CHAPTERS, EXECUTED_CHAPTERS, EXECUTED_SOLUTIONS, ROOT, SOLUTIONS

FAST_BOOK = ROOT / "_build" / "test-book"
SOLUTIONS_SCRIPT = ROOT / "scripts" / "book_with_solutions.py"


class BuildFailed(AssertionError):
    """jupyter-book exited non-zero: the message holds the end of its output."""


def _solutions_switch():
    """scripts/book_with_solutions.py, the code behind ``make book SOLUTIONS=1``."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_with_solutions", SOLUTIONS_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _executed(sources: list[Path], folder: Path) -> list[Path]:
    executed = []
    for source in sources:
        path = folder / f"{source.stem}.ipynb"
        if not is_current(path, source):
            execute_notebook(source, path, fast=True)
        executed.append(path)
    return executed


def _stage_book(stage: Path, with_solutions: bool) -> None:
    """The book's sources with each chapter (and solution) replaced by its executed notebook."""
    own = {"book", "_build", "_config.yml"} | (
        {"solutions", "_toc.yml"} if with_solutions else set()
    )
    for entry in ROOT.iterdir():
        if not entry.name.startswith(".") and entry.name not in own:
            (stage / entry.name).symlink_to(entry)
    (stage / "book").mkdir()
    chapter_names = {c.name for c in CHAPTERS}
    for entry in (ROOT / "book").iterdir():
        if entry.name not in chapter_names:
            (stage / "book" / entry.name).symlink_to(entry)
    for executed in _executed(CHAPTERS, EXECUTED_CHAPTERS):
        (stage / "book" / executed.name).symlink_to(executed)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    if with_solutions:
        switch = _solutions_switch()
        (stage / "solutions").mkdir()
        for executed in _executed(SOLUTIONS, EXECUTED_SOLUTIONS):
            (stage / "solutions" / executed.name).symlink_to(executed)
        toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
        toc = switch.toc_with_solutions(toc, [s.relative_to(ROOT) for s in SOLUTIONS])
        (stage / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
        config = switch.config_with_solutions(config, ROOT)
    config["execute"]["execute_notebooks"] = "off"
    (stage / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))


def build_fast_book(with_solutions: bool = False) -> Path:
    """Build the book into ``_build/test-book`` (``-solutions``), afresh; return its ``html``."""
    target = FAST_BOOK.with_name(FAST_BOOK.name + "-solutions") if with_solutions else FAST_BOOK
    shutil.rmtree(target, ignore_errors=True)
    stage = target / "stage"
    stage.mkdir(parents=True)
    _stage_book(stage, with_solutions)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    out = target / "out"
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
