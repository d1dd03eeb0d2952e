"""Each chapter's "Exercises" section: what its notebook asks, and the notebook to download.

The directive ``{exercises} 04_lstm`` lists the assignment's questions from the grader's registry
(one line each: title, points, the question's summary), says where the notebook is and how to open
it, and links ``exercises/04_lstm.ipynb``: at the start of every build the MyST exercise
notebooks of ``exercises/`` are written as ``.ipynb`` (jupytext) into the site's ``exercises/``
folder, for students on a JupyterHub or Colab. The list comes from the same registry the grader
grades by, so the page cannot promise a question the grader does not know.
"""

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

DOWNLOADS = "exercises"


def _exercise_sources(app) -> dict[str, Path]:
    folder = Path(app.srcdir) / "exercises"
    return {path.stem: path for path in sorted(folder.glob("*.md"))}


def _write_notebooks(app) -> None:
    import jupytext

    target = Path(app.outdir) / DOWNLOADS
    target.mkdir(parents=True, exist_ok=True)
    for stem, source in _exercise_sources(app).items():
        notebook = jupytext.read(source)
        notebook.metadata.pop("jupytext", None)
        jupytext.write(notebook, target / f"{stem}.ipynb", fmt="ipynb")


def _inline(text: str) -> list[nodes.Node]:
    """``text`` with its `backticked` parts as inline code (question summaries use them)."""
    parts = text.split("`")
    return [
        nodes.literal(part, part) if odd else nodes.Text(part)
        for odd, part in ((i % 2 == 1, p) for i, p in enumerate(parts))
        if part
    ]


class ExercisesDirective(SphinxDirective):
    required_arguments = 1
    has_content = False
    option_spec = {"class": directives.class_option}

    def run(self):
        from seqcourse.grading.registry import assignments

        stem = self.arguments[0]
        known = assignments()
        if stem not in known or stem not in _exercise_sources(self.env.app):
            raise self.error(
                f"exercises: no assignment and exercise notebook called {stem!r}; "
                f"assignments: {', '.join(known)}"
            )
        assignment = known[stem]
        intro = nodes.paragraph()
        intro += nodes.Text(
            f"The exercise notebook of this chapter asks for {len(assignment.questions)} "
            f"answers, {assignment.max_total:g} points in all:"
        )
        items = nodes.enumerated_list()
        for question in assignment.questions:
            line = nodes.paragraph()
            line += nodes.literal(question.name, question.name)
            points = f"{question.points:g} point" + ("" if question.points == 1 else "s")
            line += nodes.Text(f" ({points}): ")
            line += _inline(question.summary)
            line += nodes.Text(".")
            items += nodes.list_item("", line)

        depth = self.env.docname.count("/")
        href = "../" * depth + f"{DOWNLOADS}/{stem}.ipynb"
        where = nodes.paragraph()
        where += nodes.Text("It is ")
        where += nodes.literal(f"exercises/{stem}.md", f"exercises/{stem}.md")
        where += nodes.Text(
            " in the course repository: in the course's JupyterLab a double-click opens it as a "
            "notebook. Each answer has a "
        )
        where += nodes.literal('check("name")', 'check("name")')
        where += nodes.Text(
            " cell that runs its public cases at once; hidden cases are graded later. On a "
            "JupyterHub or Colab, download it as a notebook: "
        )
        where += nodes.reference("", f"{stem}.ipynb", refuri=href, classes=["exercise-download"])
        where += nodes.Text(" (it needs the seqcourse package installed beside it).")
        return [intro, items, where]


def setup(app):
    app.add_directive("exercises", ExercisesDirective)
    app.connect("builder-inited", _write_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
