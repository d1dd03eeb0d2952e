"""Every book chapter and every solution notebook runs end to end in fast mode, through papermill
on its jupytext conversion. Executed chapters are kept in ``_build/fast/executed`` for
tests/test_book.py, which builds the book from them (so `make test` runs each chapter once)."""

import re

import jupytext
import nbformat
import pytest

from seqcourse.notebooks import execute_notebook
from tests.conftest import CHAPTERS, EXECUTED_CHAPTERS, EXECUTED_SOLUTIONS, SOLUTIONS


def _notebook_id(path):
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", CHAPTERS + SOLUTIONS, ids=_notebook_id)
def test_notebook_declares_fast_mode_and_imports_seqcourse(path):
    notebook = jupytext.read(path)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert tagged, f"{path.name}: no cell tagged `parameters` (the FAST switch)"
    assert re.search(r"^FAST\s*=", tagged[0].source, re.M), f"{path.name}: parameters lack FAST"
    source = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert re.search(r"^\s*(import seqcourse|from seqcourse)", source, re.M), (
        f"{path.name} never imports seqcourse"
    )
    assert not re.search(r"verbose\s*=\s*1\b", source), f"{path.name}: progress bars in a page"


def _assert_no_stderr(executed):
    """A page shows no warnings or log lines: any stderr output is a defect to fix at its source."""
    notebook = nbformat.read(executed, as_version=4)
    noisy = [
        (index, output.get("text", "")[:300])
        for index, cell in enumerate(notebook.cells)
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    ]
    assert not noisy, f"cells wrote to stderr (cell index, text): {noisy}"


@pytest.mark.notebook
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_executes_in_fast_mode(path):
    executed = execute_notebook(path, EXECUTED_CHAPTERS / f"{path.stem}.ipynb", fast=True)
    _assert_no_stderr(executed)


@pytest.mark.notebook
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_executes_in_fast_mode(path):
    executed = execute_notebook(path, EXECUTED_SOLUTIONS / f"{path.stem}.ipynb", fast=True)
    _assert_no_stderr(executed)
