"""Every solution notebook runs end to end in fast mode (papermill on its jupytext conversion).

The book chapters are executed by tests/test_book.py, which builds the whole book in fast mode (so
cross-references, citations and glued numbers are checked in the same run).
"""

import os
import re

import jupytext
import nbformat
import papermill
import pytest

from tests.conftest import ROOT

SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.md"))
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))


def _has_parameters_cell(notebook: nbformat.NotebookNode) -> bool:
    return any("parameters" in cell.metadata.get("tags", []) for cell in notebook.cells)


@pytest.mark.parametrize("path", CHAPTERS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_notebook_declares_fast_mode_and_imports_seqcourse(path):
    notebook = jupytext.read(path)
    assert _has_parameters_cell(notebook), f"{path.name}: no cell tagged `parameters` (FAST switch)"
    source = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert re.search(r"^\s*(import seqcourse|from seqcourse)", source, re.M), (
        f"{path.name} never imports seqcourse"
    )
    assert "FAST" in source, f"{path.name}: the parameters cell must define FAST"
    assert not re.search(r"verbose\s*=\s*1\b", source), f"{path.name}: progress bars in a page"


@pytest.mark.notebook
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_notebook_executes_in_fast_mode(path, tmp_path):
    notebook = jupytext.read(path)
    source_ipynb = tmp_path / f"{path.stem}.ipynb"
    nbformat.write(notebook, source_ipynb)
    env_before = os.environ.get("SEQCOURSE_FAST")
    os.environ["SEQCOURSE_FAST"] = "1"
    try:
        papermill.execute_notebook(
            str(source_ipynb),
            str(tmp_path / f"{path.stem}.out.ipynb"),
            parameters={"FAST": True},
            cwd=str(path.parent),
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=900,
        )
    finally:
        if env_before is None:
            os.environ.pop("SEQCOURSE_FAST", None)
        else:
            os.environ["SEQCOURSE_FAST"] = env_before
