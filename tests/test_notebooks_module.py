"""seqcourse.notebooks: a MyST notebook runs with FAST and extra parameters injected, and a
missing parameters cell is a clear error."""

import nbformat
import pytest

from seqcourse.notebooks import execute_notebook, glued_values, is_current

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

PARAMETERS = """
```{code-cell} ipython3
:tags: [parameters]

FAST = True
SEED = 0
```

```{code-cell} ipython3
import os
print(FAST, SEED, os.environ["SEQCOURSE_FAST"])
```
"""

GLUE = """
```{code-cell} ipython3
from myst_nb import glue

glue("twice_seed", 2 * SEED, display=False)
glue("label", "seven", display=False)
```
"""


def _printed(executed):
    notebook = nbformat.read(executed, as_version=4)
    return "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))


def test_parameters_reach_the_notebook_and_fast_wins(tmp_path):
    source = tmp_path / "page.md"
    source.write_text(HEADER + PARAMETERS)
    executed = execute_notebook(
        source, tmp_path / "out.ipynb", fast=False, parameters={"SEED": 7, "FAST": True}
    )
    assert _printed(executed).strip() == "False 7 0"  # the fast argument decides FAST
    assert is_current(executed, source)
    source.write_text(HEADER + PARAMETERS + "\n% changed\n")
    assert not is_current(executed, source)


def test_glued_values_are_read_back_as_the_page_shows_them(tmp_path):
    source = tmp_path / "page.md"
    source.write_text(HEADER + PARAMETERS + GLUE)
    executed = execute_notebook(source, tmp_path / "out.ipynb", parameters={"SEED": 7})
    assert glued_values(executed) == {"twice_seed": "14", "label": "'seven'"}


def test_a_notebook_without_parameters_cell_is_refused(tmp_path):
    source = tmp_path / "page.md"
    source.write_text(HEADER + "\n```{code-cell} ipython3\nprint(1)\n```\n")
    with pytest.raises(ValueError, match="no code cell is tagged `parameters`"):
        execute_notebook(source, tmp_path / "out.ipynb")
