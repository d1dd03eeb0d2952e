"""Reading submissions: the code cells of a ``.ipynb`` (nbformat 4) or a MyST-Markdown notebook.

Submissions are untrusted files: anything unreadable raises :class:`SubmissionError` with a message
an instructor can forward to the student, and nothing in them is executed here.
"""

from __future__ import annotations

import json
from pathlib import Path

MAX_BYTES = 20 * 2**20
SUFFIXES = (".ipynb", ".md")


class SubmissionError(ValueError):
    """A submission that cannot be read as a notebook (the message says why and what to do)."""


def _text(source) -> str:
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    raise SubmissionError("a code cell's source is neither text nor a list of lines")


def code_cells(path: Path) -> list[str]:
    """The sources of ``path``'s code cells, in order."""
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise SubmissionError(f"{path.name}: not a notebook (expected {' or '.join(SUFFIXES)})")
    if path.stat().st_size > MAX_BYTES:
        raise SubmissionError(
            f"{path.name}: larger than {MAX_BYTES // 2**20} MB; clear the outputs"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SubmissionError(f"{path.name}: not UTF-8 text ({error.reason})") from None
    if path.suffix == ".md":
        return _markdown_cells(path.name, text)
    try:
        notebook = json.loads(text)
    except ValueError as error:
        raise SubmissionError(
            f"{path.name}: not a JSON notebook ({error}); re-download it from JupyterLab"
        ) from None
    if not isinstance(notebook, dict):
        raise SubmissionError(f"{path.name}: not a Jupyter notebook (JSON, but not an object)")
    version = notebook.get("nbformat")
    if version != 4:
        raise SubmissionError(
            f"{path.name}: nbformat {version!r}, the grader reads nbformat 4; open and save it "
            "in JupyterLab to convert it"
        )
    if not isinstance(notebook.get("cells"), list):
        raise SubmissionError(f"{path.name}: no list of cells; is this a Jupyter notebook?")
    return [
        _text(cell.get("source", ""))
        for cell in notebook["cells"]
        if isinstance(cell, dict) and cell.get("cell_type") == "code"
    ]


def _markdown_cells(name: str, text: str) -> list[str]:
    import jupytext

    try:
        notebook = jupytext.reads(text, fmt="md:myst")
    except Exception as error:  # jupytext raises many kinds on malformed input
        raise SubmissionError(f"{name}: not a MyST notebook ({type(error).__name__})") from None
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]
