"""Tag the plumbing cells of the chapters so that readers see the code that teaches.

``python scripts/tag_plumbing.py [book/NN_x.md ...]`` (default: every chapter) adds
``remove-input`` to cells that only assert and glue, and ``hide-input`` to cells that only draw a
figure the prose places (:func:`seqcourse.notebooks.plumbing_cell` decides), editing the MyST text
in place and leaving every other line as it was. tests/test_chapter_cells.py fails on an untagged
plumbing cell.
"""

import re
import sys
from pathlib import Path

import jupytext

from seqcourse.notebooks import PLUMBING_TAGS, plumbing_cell

ROOT = Path(__file__).resolve().parents[1]
CELL_HEADER = re.compile(r"^```\{code-cell\}[^\n]*\n((?::[\w-]+:[^\n]*\n)*)", re.M)


def plumbing_tags(path: Path) -> list[str | None]:
    """The tag each code cell of ``path`` should carry (None: it teaches), in order."""
    codes = [c for c in jupytext.read(path).cells if c.cell_type == "code"]
    kinds = [
        plumbing_cell(c.source, "\n".join(later.source for later in codes[i + 1 :]))
        for i, c in enumerate(codes)
    ]
    return [PLUMBING_TAGS.get(kind) for kind in kinds]


def tag_chapter(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    wanted = plumbing_tags(path)
    headers = list(CELL_HEADER.finditer(text))
    if len(headers) != len(wanted):
        raise SystemExit(f"{path}: {len(headers)} code-cell headers but {len(wanted)} code cells")
    added = 0
    for header, tag in reversed(list(zip(headers, wanted, strict=True))):
        options = header.group(1)
        if tag is None or re.search(rf":tags:.*\b{tag}\b", options):
            continue
        if ":tags:" in options:
            new_options = re.sub(r":tags: \[(.*)\]", rf":tags: [\1, {tag}]", options)
        else:
            new_options = f":tags: [{tag}]\n" + options
            if not options:  # MyST needs a blank line between options and code
                new_options += "\n"
        text = text[: header.start(1)] + new_options + text[header.end(1) :]
        added += 1
    path.write_text(text, encoding="utf-8")
    return added


if __name__ == "__main__":
    chapters = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
    for chapter in chapters:
        print(f"{chapter.name}: {tag_chapter(chapter)} cell(s) tagged")
