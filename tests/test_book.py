"""The whole book builds in fast mode with warnings as errors: every chapter executes without
error, every cross-reference and citation resolves, and no cell writes to stderr."""

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
    command = [str(jupyter_book), "build", "-W", "-n", "--keep-going", str(ROOT)]
    result = subprocess.run(
        [*command, "--path-output", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    logs = sorted((out / "_build" / "html" / "reports").glob("**/*.err.log"))
    reports = "\n".join(log.read_text(errors="replace")[-4000:] for log in logs)
    assert result.returncode == 0, (
        f"jupyter-book build failed (exit {result.returncode})\n{result.stdout[-6000:]}\n"
        f"{result.stderr[-6000:]}\n{reports}"
    )
    html = out / "_build" / "html"
    assert (html / "index.html").is_file()
    for chapter in sorted((ROOT / "book").glob("[0-9][0-9]_*.md")):
        page = html / "book" / f"{chapter.stem}.html"
        assert page.is_file(), f"{chapter.stem} is missing from the built book"
