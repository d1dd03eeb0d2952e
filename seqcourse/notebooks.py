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
