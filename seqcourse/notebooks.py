"""Run the course's MyST-Markdown notebooks: jupytext conversion, then papermill execution.

Used by the test suite (every chapter and solution runs in fast mode), the benchmark scripts, and
from the shell as ``seqcourse run book/02_rnn_from_scratch.md --fast``. Imports nothing from the
package (layer 0, beside ``runtime`` and ``errors``).
"""

import hashlib
import os
from pathlib import Path

FAST_ENV = "SEQCOURSE_FAST"


def source_digest(path: Path) -> str:
    """sha256 of a notebook's source file: an executed copy is current only if this matches.

    No chapter calls it; the test suite, ``seqcourse run`` and ``scripts/`` execute chapters with
    it.
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def execute_notebook(
    path: Path,
    output: Path,
    *,
    fast: bool = True,
    timeout: int = 1200,
    parameters: dict | None = None,
) -> Path:
    """Execute the notebook at ``path`` (``.md`` or ``.ipynb``) into ``output`` (``.ipynb``).

    The kernel runs in the notebook's own folder, with ``FAST`` (and any other ``parameters``)
    passed to its ``parameters`` cell and ``SEQCOURSE_FAST`` set to match, so code that asks
    ``seqcourse.fast_mode()`` agrees.
    A failing cell raises ``papermill.PapermillExecutionError`` naming the cell and the exception.
    The executed notebook records the source's sha256 in ``metadata.seqcourse.source_sha256``.

    No chapter calls it; the test suite, ``seqcourse run`` and ``scripts/`` execute chapters with
    it.
    """
    import jupytext
    import nbformat
    import papermill

    path, output = Path(path).resolve(), Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    notebook = jupytext.read(path)
    if not any("parameters" in cell.metadata.get("tags", []) for cell in notebook.cells):
        raise ValueError(f"{path}: no code cell is tagged `parameters` (it must define FAST)")
    notebook.metadata["seqcourse"] = {"source_sha256": source_digest(path)}
    staged = output.with_suffix(".input.ipynb")
    nbformat.write(notebook, staged)
    previous = os.environ.get(FAST_ENV)
    os.environ[FAST_ENV] = "1" if fast else "0"
    try:
        papermill.execute_notebook(
            str(staged),
            str(output),
            parameters={**(parameters or {}), "FAST": fast},
            cwd=str(path.parent),
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=timeout,
        )
    finally:
        staged.unlink(missing_ok=True)
        if previous is None:
            os.environ.pop(FAST_ENV, None)
        else:
            os.environ[FAST_ENV] = previous
    return output


def is_current(executed: Path, source: Path) -> bool:
    """True if ``executed`` exists and was produced from the present contents of ``source``.

    No chapter calls it; the test suite, ``seqcourse run`` and ``scripts/`` execute chapters with
    it.
    """
    import nbformat

    if not Path(executed).is_file():
        return False
    metadata = nbformat.read(executed, as_version=4).metadata.get("seqcourse", {})
    return metadata.get("source_sha256") == source_digest(source)


def glued_values(executed: Path) -> dict[str, str]:
    """``{name: text/plain}`` of every value an executed page glued with ``myst_nb.glue``.

    A page's numbers can then be read by scripts (the benchmarks) exactly as the book shows them.

    No chapter calls it; the test suite, ``seqcourse run`` and ``scripts/`` execute chapters with
    it.
    """
    import nbformat

    values = {}
    for cell in nbformat.read(executed, as_version=4).cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            data = output.get("data", {})
            # myst-nb stores glued values under "application/papermill.record/<mime type>"
            text = [value for mime, value in data.items() if mime.endswith("text/plain")]
            if name and text:
                values[name] = text[0]
    return values


PLUMBING_TAGS = {"check": "remove-input", "figure": "hide-input"}
_READ_OUTS = {"float", "int", "round", "len", "str", "bool"}


def _root_name(node) -> str | None:
    """``ax`` of ``ax.plot(...)``, ``plt`` of ``plt.subplots(1, 2)[0]``."""
    import ast

    while isinstance(node, ast.Call | ast.Attribute | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _names(node) -> set[str]:
    import ast

    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _statement_kind(statement, drawing: set[str]) -> str | None:
    """ "check" (assert or glue), "draw" (a call on a figure, its axes or the plotting module),
    "assign", or None (anything else: the cell teaches). ``drawing`` grows with names bound to
    figures and axes."""
    import ast

    if isinstance(statement, ast.Assert):
        return "check"
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        called = statement.value.func
        if getattr(called, "id", getattr(called, "attr", None)) == "glue":
            return "check"
        return "draw" if _root_name(called) in drawing else None
    if isinstance(statement, ast.Assign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if _root_name(statement.value) in drawing:
            drawing |= set().union(*(_names(t) for t in targets))
            return "draw"
        # Reading out a number for the prose (float(h[0, 0]), len(x), run.best) is plumbing;
        # computing one (make_windows(...), model.evaluate(...)) is what the page teaches.
        value = statement.value
        if isinstance(value, ast.Call):
            if getattr(value.func, "id", None) not in _READ_OUTS:
                return None
            value = value.args[0] if value.args else value
        return "assign" if isinstance(value, ast.Name | ast.Attribute | ast.Subscript) else None
    if isinstance(statement, ast.For | ast.If):
        if isinstance(statement, ast.For) and _names(statement.iter) & drawing:
            drawing |= _names(statement.target)
        kinds = {_statement_kind(s, drawing) for s in statement.body + statement.orelse}
        if None in kinds or "assign" in kinds:
            return None
        return "draw" if "draw" in kinds else "check"
    return None


def plumbing_cell(source: str, later_code: str = "") -> str | None:
    """What a code cell is to a reader when it only serves the page, else None.

    ``"check"``: only assertions, ``glue`` calls and assignments that no later cell
    (``later_code``) reads: the page's claims made true and its numbers handed to the prose, shown
    to nobody (tag ``remove-input``; the cell still runs). ``"figure"``: only calls on a figure,
    its axes or :mod:`seqcourse.plotting`, and glue: the drawing of a figure the prose places (tag
    ``hide-input``: one click shows the code). A cell that defines what later cells use or
    computes what the text teaches is None.

    No chapter calls it; tests/test_chapter_cells.py checks every chapter's tags with it and
    ``scripts/tag_plumbing.py`` adds them.
    """
    import ast
    import re

    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
    try:
        statements = ast.parse(code).body
    except SyntaxError:
        return None
    drawing = {"plt", "plotting"}
    kinds = [_statement_kind(s, drawing) for s in statements]
    if None in kinds or "check" not in kinds:
        return None
    assigned = set()
    for statement in statements:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            assigned |= set().union(*(_names(t) for t in targets))
    if any(re.search(rf"\b{re.escape(name)}\b", later_code) for name in assigned - drawing):
        return None
    return "figure" if "draw" in kinds else "check"
