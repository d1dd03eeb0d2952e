"""The whole book builds, in fast mode, with warnings as errors: every chapter executes without error,
every cross-reference and citation resolves, and no cell writes to stderr."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.book
@pytest.mark.xdist_group("book")
def test_book_builds_in_fast_mode(tmp_path):
    env = dict(os.environ, SEQCOURSE_FAST="1")
    out = tmp_path / "book"
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", "-W", "-n", "--keep-going", str(ROOT), "--path-output", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    reports = "\n".join(
        p.read_text(errors="replace")[-4000:] for p in (out / "_build" / "html" / "reports").glob("**/*.err.log")
    )
    assert result.returncode == 0, (
        f"jupyter-book build failed (exit {result.returncode})\n{result.stdout[-6000:]}\n"
        f"{result.stderr[-6000:]}\n{reports}"
    )
    html = out / "_build" / "html"
    assert (html / "index.html").is_file()
    for chapter in sorted((ROOT / "book").glob("[0-9][0-9]_*.md")):
        assert (html / "book" / f"{chapter.stem}.html").is_file(), f"{chapter.stem} missing from the book"
