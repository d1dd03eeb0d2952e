"""``OUT/report.html``: what to re-teach on Monday, from a graded ``--out`` folder.

One self-contained HTML file (plots inline as SVG, no scripts, nothing fetched): the score
distribution; each question's pass rate; the most frequent problems the grader diagnosed, with
how many students each (the hints of :class:`~seqcourse.grading.spec.Mistake` s, the value
patterns of :func:`~seqcourse.grading.verdicts.value_pattern`, wrong shapes, exceptions); the
runtime of the submissions and why some failed (time limit, memory, a crash, a copy of or a call
to ``seqcourse.reference``, an unreadable notebook); and the pairs of submissions whose answers are
suspiciously alike (:mod:`seqcourse.grading.similarity`), side by side.

Everything is read back from what the grader wrote (``results.json``, ``.runtime.json``) and from
the submissions themselves, so the report of a sharded run is the report of a local one.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqcourse.grading import similarity
from seqcourse.grading.notebook import SubmissionError, code_cells
from seqcourse.grading.reports import RUNTIME_NAME, atomic_write

REPORT_NAME = "report.html"
TOP_PROBLEMS = 20
SHOWN_PAIRS = 50
LISTED = 8  # students named per row before "and N more"

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


@dataclass
class Graded:
    """What the report needs of one graded submission."""

    student: str
    total: float
    status: str
    scores: dict[str, float]
    max_scores: dict[str, float]
    outputs: dict[str, str]
    output: str
    seconds: float | None = None
    problems: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    causes: set[str] = field(default_factory=set)


def diagnoses(output: str) -> set[tuple[str, str]]:
    """``(kind, text)`` of every problem a question's feedback names (one per kind and text)."""
    found = set()
    for line in output.splitlines():
        if re.fullmatch(r"\d+/\d+ cases passed", line) or line == "correct":
            continue
        if line.startswith("training: "):
            continue
        hint = re.search(r"\. Hint: (.+)$", line)
        if hint:
            found.add(("diagnosed mistake", hint.group(1)))
        elif re.search(
            r"wrong sign|times the expected|same constant|wrong places|close, but", line
        ):
            pattern = line.split("; ", 1)[-1]
            found.add(("value pattern", _NUMBER.sub("#", pattern)))
        elif re.search(r"\d+ of \d+ values are right", line):
            found.add(("value pattern", "some values right, others not"))
        elif "expected shape" in line or "predictions of shape" in line:
            found.add(
                ("shape", "wrong shape (transposed)" if "transposed" in line else "wrong shape")
            )
        elif "NaN or infinity" in line:
            found.add(("value", "NaN or infinity"))
        elif match := re.search(r"raised (\w+)", line):
            found.add(("exception", f"raises {match.group(1)}"))
        elif "is not defined" in line or "not implemented yet" in line:
            found.add(("unanswered", "not defined or not implemented"))
        elif "returned an object of type" in line:
            found.add(("type", "returns something other than an array or number"))
        elif re.search(r"expected a tuple|expected \d+ values|got a single value", line):
            found.add(("structure", "wrong number of returned values"))
        elif "ran past the time limit" in line:
            found.add(("run", "ran past the time limit"))
        elif "ended the process" in line:
            found.add(("run", "ended the grader's process"))
        elif "seqcourse.reference" in line:
            found.add(("provenance", "uses or copies seqcourse.reference"))
        elif line.startswith("not graded"):
            found.add(("run", "not graded"))
        elif "does not meet the threshold" in line:
            found.add(("model", "model below the threshold"))
        elif "values differ" in line:
            found.add(("value", "wrong values"))
        else:
            found.add(("other", _NUMBER.sub("#", line.split(": ", 1)[-1])[:100]))
    return found


CAUSES = {
    "time limit": re.compile(r"ran past the time limit|GraderTimeout|took longer than"),
    "memory": re.compile(r"MemoryError"),
    "crash": re.compile(r"ended the process"),
    "provenance": re.compile(r"uses seqcourse\.reference|is a copy of the course's"),
}


def failure_causes(graded: Graded) -> set[str]:
    """Why a submission (partly) failed to run: time limit, memory, crash, provenance, ...."""
    text = "\n".join([graded.output, *graded.outputs.values()])
    causes = {name for name, pattern in CAUSES.items() if pattern.search(text)}
    if graded.status == "malformed":
        causes.add("unreadable notebook")
    if graded.status == "error":
        causes.add("grader error")
    for error in re.findall(r"^Cell \d+: (\w+)", graded.output, re.M):
        if error != "this":  # "this cell ran past/ended ...": counted above
            causes.add(f"a cell raised {error}")
    return causes


def collect(out: Path, students) -> list[Graded]:
    """The graded submissions among ``students`` (those with a ``results.json`` in ``out``)."""
    graded = []
    for student in sorted(students):
        path = out / student / "results.json"
        if not path.is_file():
            continue
        results = json.loads(path.read_text(encoding="utf-8"))
        tests = results.get("tests", [])
        item = Graded(
            student,
            float(results.get("score", 0.0)),
            results.get("extra_data", {}).get("status", "ok"),
            {t["name"]: float(t["score"]) for t in tests},
            {t["name"]: float(t["max_score"]) for t in tests},
            {t["name"]: t.get("output", "") for t in tests},
            results.get("output", ""),
        )
        runtime = out / student / RUNTIME_NAME
        if runtime.is_file():
            item.seconds = float(json.loads(runtime.read_text(encoding="utf-8"))["seconds"])
        item.problems = {
            t["name"]: diagnoses(t.get("output", "")) for t in tests if t["status"] != "passed"
        }
        item.causes = failure_causes(item)
        graded.append(item)
    return graded


# --- plots ------------------------------------------------------------------------------------


def _svg(figure, name: str) -> str:
    """``figure`` as an inline ``<svg>`` element: text as text, its ids prefixed with ``name`` so
    that the page's figures never share one (matplotlib numbers them from 1 in every file)."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    for prefix in ('id="', "url(#", 'href="#'):
        text = text.replace(prefix, f"{prefix}{name}-")
    return text


def _figure(width=6.4, height=2.8):
    import matplotlib

    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "seqcourse-report"})
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def score_plot(totals: list[float], max_total: float) -> str:
    figure, axes = _figure()
    if 0 < max_total <= 30:  # one bar per point, centred on it
        bins = np.arange(0, np.ceil(max_total) + 2) - 0.5
    else:
        bins = np.linspace(0, max_total or 1, 21)
    axes.hist(totals, bins=bins, color="#4c72b0", edgecolor="white")
    axes.set_xlabel(f"total score (out of {max_total:g})")
    axes.set_ylabel("submissions")
    axes.set_xlim(bins[0], bins[-1])
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _svg(figure, "scores")


def question_plot(names: list[str], full: list[float], partial: list[float]) -> str:
    figure, axes = _figure(height=0.45 * len(names) + 1.0)
    rows = np.arange(len(names))[::-1]
    axes.barh(rows, full, color="#55a868", label="full marks")
    axes.barh(rows, partial, left=full, color="#dd8452", label="part marks")
    axes.set_yticks(rows, names)
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of graded submissions")
    axes.legend(loc="lower right", fontsize="small")
    return _svg(figure, "questions")


def runtime_plot(seconds: list[float]) -> str:
    figure, axes = _figure()
    axes.hist(seconds, bins=30, color="#8172b3", edgecolor="white")
    axes.set_xlabel("seconds per submission (sandbox included)")
    axes.set_ylabel("submissions")
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _svg(figure, "runtime")


# --- HTML -------------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.6rem 0; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 0.6rem; margin-bottom: 1.2rem; }
.pair > div { min-width: 0; }
.pair pre { background: #f7f7f7; padding: 0.4rem; overflow-x: auto; font-size: 0.8rem; margin: 0; }
.pair mark { background: #ffe08a; display: inline-block; width: 100%; }
svg { max-width: 100%; height: auto; }
.note { color: #555; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _names(students: list[str]) -> str:
    shown = ", ".join(_e(s) for s in students[:LISTED])
    more = len(students) - LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    head = f"<thead><tr>{head}</tr></thead>" if any(header) else ""
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table>{head}<tbody>{body}</tbody></table>"


def _code(source: str, marked: set[int]) -> str:
    lines = []
    for number, line in enumerate(source.splitlines(), start=1):
        text = _e(line) or " "
        lines.append(f"<mark>{text}</mark>" if number in marked else text)
    return "<pre>" + "\n".join(lines) + "</pre>"


def pair_html(pair: similarity.Pair, cells: dict[str, list[str]]) -> str:
    """Two submissions' cells that hold shared code, side by side, shared lines marked."""
    head = (
        f"<h3>{_e(pair.a)} ~ {_e(pair.b)}: {100 * pair.score:.0f}% of the smaller one's "
        f"fingerprints shared ({pair.shared})</h3>"
    )
    left = "".join(
        f"<p>{_e(pair.a)}, cell {c + 1}</p>" + _code(cells[pair.a][c], lines)
        for c, lines in sorted(pair.lines_a.items())
    )
    right = "".join(
        f"<p>{_e(pair.b)}, cell {c + 1}</p>" + _code(cells[pair.b][c], lines)
        for c, lines in sorted(pair.lines_b.items())
    )
    return f'{head}<div class="pair"><div>{left}</div><div>{right}</div></div>'


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def render(
    assignment,
    graded: list[Graded],
    submitted: int,
    pairs: list[similarity.Pair],
    stats: dict,
    cells: dict[str, list[str]],
    template_found: bool,
) -> str:
    """The report's HTML."""
    names = [q.name for q in assignment.questions]
    points = {q.name: float(q.points) for q in assignment.questions}
    max_total = float(sum(points.values()))
    totals = [g.total for g in graded]
    n = len(graded)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<link rel="icon" href="data:,">',  # no favicon request either
        f"<title>{_e(assignment.name)}: grading report</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{_e(assignment.name)}: what to re-teach</h1>",
    ]
    statuses = Counter(g.status for g in graded)
    perfect = sum(t >= max_total - 1e-9 for t in totals)
    summary = [
        ["submissions", str(submitted)],
        ["graded", str(n)],
        ["mean score", f"{np.mean(totals):.2f} / {max_total:g}" if n else "-"],
        ["median score", f"{np.median(totals):g} / {max_total:g}" if n else "-"],
        ["full marks", f"{perfect} ({_percent(perfect, n)})"],
        ["zero", f"{sum(t <= 1e-9 for t in totals)}"],
        ["status", ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())) or "-"],
    ]
    parts += ["<h2>Scores</h2>", _table(["", ""], summary)]
    if n:
        parts.append(score_plot(totals, max_total))

    parts.append("<h2>Questions</h2>")
    full = [sum(g.scores.get(q, 0) >= points[q] - 1e-9 for g in graded) for q in names]
    partial = [sum(1e-9 < g.scores.get(q, 0) < points[q] - 1e-9 for g in graded) for q in names]
    rows = [
        [
            _e(q),
            f"{points[q]:g}",
            _percent(full[i], n),
            _percent(partial[i], n),
            f"{np.mean([g.scores.get(q, 0) for g in graded]):.2f}" if n else "-",
        ]
        for i, q in enumerate(names)
    ]
    parts.append(
        _table(["question", "points", "full marks", "part marks", "mean"], rows, {1, 2, 3, 4})
    )
    if n:
        parts.append(
            question_plot(names, [100 * f / n for f in full], [100 * p / n for p in partial])
        )

    parts.append("<h2>Most frequent problems</h2>")
    parts.append(
        '<p class="note">What the feedback says about the questions students did not '
        "pass, counted once per student and question: the diagnosed mistakes are the hints the "
        "feedback gives.</p>"
    )
    who: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for g in graded:
        for question, problems in g.problems.items():
            for kind, text in problems:
                who[(question, kind, text)].append(g.student)
    top = sorted(who.items(), key=lambda item: (-len(item[1]), item[0]))[:TOP_PROBLEMS]
    rows = [
        [_e(q), _e(kind), _e(text), str(len(students)), _names(students)]
        for (q, kind, text), students in top
    ]
    parts.append(
        _table(["question", "kind", "problem", "students", "who"], rows, {3})
        if rows
        else "<p>No problem: every graded submission passed every question.</p>"
    )

    parts.append("<h2>Runtime and failures</h2>")
    seconds = [g.seconds for g in graded if g.seconds is not None]
    if seconds:
        slowest = sorted((g for g in graded if g.seconds is not None), key=lambda g: -g.seconds)
        parts.append(
            _table(
                ["median", "90th percentile", "max", "total", "slowest"],
                [
                    [
                        f"{np.median(seconds):.2f} s",
                        f"{np.percentile(seconds, 90):.2f} s",
                        f"{max(seconds):.2f} s",
                        f"{sum(seconds):.1f} s",
                        ", ".join(f"{_e(g.student)} ({g.seconds:.1f} s)" for g in slowest[:5]),
                    ]
                ],
            )
        )
        parts.append(runtime_plot(seconds))
    causes: dict[str, list[str]] = defaultdict(list)
    for g in graded:
        for cause in g.causes:
            causes[cause].append(g.student)
    rows = [
        [_e(cause), str(len(students)), _names(students)]
        for cause, students in sorted(causes.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    parts.append(
        _table(["cause", "submissions", "who"], rows, {1})
        if rows
        else "<p>Every submission ran to the end within its limits.</p>"
    )

    parts.append("<h2>Similar submissions</h2>")
    base = (
        "the exercise notebook's code removed as the shared base"
        if template_found
        else "<strong>no exercise notebook found: code given to every student counts as "
        "shared</strong>"
    )
    parts.append(
        f'<p class="note">{stats.get("submissions", 0)} submissions read, {base}; '
        f"{stats.get('fingerprints', 0)} distinct fingerprints, {stats.get('common', 0)} of them "
        f"held by more than {similarity.MAX_SHARE} submissions (common code, not counted); "
        f"{stats.get('candidate_pairs', 0)} pairs share a fingerprint; a pair is listed when it "
        f"shares at least {similarity.MIN_SHARED} fingerprints and "
        f"{100 * similarity.THRESHOLD:.0f}% of the smaller one's. Names, comments, formatting and "
        "literals do not count; a listed pair is a reason to look, not a verdict.</p>"
    )
    if pairs:
        rows = [[_e(p.a), _e(p.b), f"{100 * p.score:.0f}%", str(p.shared)] for p in pairs]
        parts.append(_table(["submission", "submission", "similarity", "shared"], rows, {2, 3}))
        parts += [pair_html(p, cells) for p in pairs[:SHOWN_PAIRS]]
        if len(pairs) > SHOWN_PAIRS:
            parts.append(f"<p>... and {len(pairs) - SHOWN_PAIRS} more pairs (in the table).</p>")
    else:
        parts.append("<p>No pair of submissions is suspiciously alike.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(
    out: Path, assignment, submissions: dict[str, Path], template: Path | None = None
) -> Path:
    """Write ``out/report.html`` for ``submissions`` (``student -> file``); returns its path.

    ``template`` is the exercise notebook (default ``exercises/NAME.md`` of the checkout).
    """
    graded = collect(out, submissions)
    cells = {}
    for student, path in submissions.items():
        try:
            cells[student] = code_cells(path)
        except (OSError, SubmissionError):
            continue  # unreadable: reported among the failures
    base = similarity.template_cells(assignment.name, template)
    pairs, stats = similarity.scan(cells, base)
    page = out / REPORT_NAME
    atomic_write(
        page, render(assignment, graded, len(submissions), pairs, stats, cells, base is not None)
    )
    return page
