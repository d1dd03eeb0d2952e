"""Readers see the code that teaches: every plumbing cell of a chapter is tagged.

A cell that only asserts and glues carries ``remove-input`` and one that only draws a figure the
prose places carries ``hide-input`` (:func:`seqcourse.notebooks.plumbing_cell` decides;
``scripts/tag_plumbing.py`` adds the tags). The cells still run: the claims stay asserted.
"""

import importlib.util

import jupytext
import pytest

from seqcourse.notebooks import plumbing_cell
from tests.conftest import CHAPTERS, ROOT

_spec = importlib.util.spec_from_file_location("tag_plumbing", ROOT / "scripts" / "tag_plumbing.py")
tag_plumbing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tag_plumbing)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_plumbing_cell_is_tagged(chapter):
    codes = [c for c in jupytext.read(chapter).cells if c.cell_type == "code"]
    for cell, tag in zip(codes, tag_plumbing.plumbing_tags(chapter), strict=True):
        if tag is not None:
            tags = cell.metadata.get("tags", [])
            assert tag in tags or "remove-cell" in tags, (
                f"{chapter.stem}: this cell only serves the page; tag it {tag} "
                f"(python scripts/tag_plumbing.py {chapter.relative_to(ROOT)}):\n{cell.source}"
            )


CHECK = 'assert abs(error) < 1e-6\nglue("error", float(error), display=False)'
FIGURE = (
    "fig, axes = plt.subplots(1, 2)\nfor ax in axes:\n    ax.plot(x, y)\n"
    "plotting.plot_windows(axes[0], x)\nglue('fig_x', fig, display=False)"
)


@pytest.mark.parametrize(
    ("source", "later", "kind"),
    [
        (CHECK, "", "check"),
        ("best = float(scores[0])\n" + CHECK, "print(best)", None),  # a later cell reads `best`
        ("best = float(scores[0])\n" + CHECK, "", "check"),
        ("error = np.abs(a - b).max()\n" + CHECK, "", None),  # computes what the text shows
        (FIGURE, "", "figure"),
        (FIGURE + "\nmodel.fit(x, y)", "", None),  # trains a model while drawing
        ("x = make_windows(series, 24)", "", None),  # no check at all
        ("%matplotlib inline\n" + CHECK, "", "check"),
        ("def f(:", "", None),
    ],
)
def test_plumbing_cell_tells_checks_and_figures_from_teaching(source, later, kind):
    assert plumbing_cell(source, later) == kind


def test_the_tagger_adds_tags_once_and_keeps_other_lines(tmp_path):
    chapter = tmp_path / "01_x.md"
    front_matter = (ROOT / "book" / "01_sequence_data.md").read_text().split("\n---\n")[0]
    chapter.write_text(
        front_matter + "\n---\n\n# X\n\n"
        "```{code-cell} ipython3\nerror = 0.0\n```\n\n"
        f"```{{code-cell}} ipython3\n{CHECK}\n```\n\n"
        f"```{{code-cell}} ipython3\n:tags: [parameters]\n\n{FIGURE}\n```\n"
    )
    assert tag_plumbing.tag_chapter(chapter) == 2
    text = chapter.read_text()
    assert ":tags: [remove-input]\n\nassert abs" in text
    assert ":tags: [parameters, hide-input]\n\nfig, axes" in text
    assert "```{code-cell} ipython3\nerror = 0.0\n```" in text
    assert tag_plumbing.tag_chapter(chapter) == 0 and chapter.read_text() == text
