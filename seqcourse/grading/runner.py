"""Grade one submission: prepare the cases, run the sandboxed child, and decide, in this process.

:class:`Prepared` computes once per batch everything that depends only on the assignment: the cases
of every question and their expected values (from the trusted references), and the data of model
questions. :func:`grade_cells` sends the child only inputs, restarts it without the cell or question
that killed it (up to :data:`MAX_RUNS` runs), then checks every raw result: type, dtype, shape,
finiteness, closeness, or a model's technique and its metric against the pass mark its baselines
set (:func:`baseline_scores`, fitted here on the hidden data).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqcourse.grading import provenance, sandbox, wire
from seqcourse.grading.spec import (
    SALT_ENV,
    Assignment,
    Case,
    FunctionQuestion,
    ModelData,
    ModelQuestion,
    Question,
    ValueQuestion,
    input_arrays,
)
from seqcourse.grading.verdicts import (
    credit,
    error_of,
    explain,
    model_metric,
    pass_mark,
    technique_problem,
    threshold_words,
)

MAX_RUNS = 4
CHILD_FILES = ("child.py", "wire.py", "modelprobe.py")


@dataclass
class QuestionResult:
    """The verdict on one question (:func:`seqcourse.grading.reports.gradescope_test` writes it)."""

    name: str
    max_score: float
    score: float = 0.0
    lines: list[str] = field(default_factory=list)
    # A model question's numbers: its metric, the baselines' and the pass mark (for benchmarks).
    numbers: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score - 1e-9


@dataclass
class SubmissionResult:
    """Everything the grader reports about one submission."""

    student: str
    assignment: str
    questions: list[QuestionResult]
    status: str = "ok"
    isolation: str = sandbox.FULL
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    cell_errors: dict[int, str] = field(default_factory=dict)
    stdout: str = ""
    raw: dict[str, list] = field(default_factory=dict)  # the child's results, by question

    @property
    def total(self) -> float:
        return float(sum(q.score for q in self.questions))

    @property
    def max_total(self) -> float:
        return float(sum(q.max_score for q in self.questions))


class Prepared:
    """An assignment's cases, expected values and model data, computed once for a whole batch."""

    def __init__(self, assignment: Assignment, fast: bool, seed: int = 0):
        self.assignment = assignment
        self.fast = fast
        self.seed = seed  # the seed models train from (benchmarks vary it; grading keeps 0)
        self.cases: dict[str, list[Case]] = {}
        self.expected: dict[str, list] = {}
        self.model_data: dict[str, ModelData] = {}
        for question in assignment.questions:
            if isinstance(question, FunctionQuestion):
                cases = question.cases(hidden=True)
                self.cases[question.name] = cases
                self.expected[question.name] = [
                    question.reference(*c.args, **dict(c.kwargs)) for c in cases
                ]
            elif isinstance(question, ValueQuestion):
                self.expected[question.name] = [question.expected()]
            elif isinstance(question, ModelQuestion):
                self.model_data[question.name] = question.data(fast)
        self.baselines: dict[str, list[tuple[str, float, bool]]] = {
            q.name: baseline_scores(q, self.model_data[q.name], fast)
            for q in assignment.questions
            if isinstance(q, ModelQuestion)
        }

    def task(
        self, questions: list[Question], cells: list[str], skip: set[int]
    ) -> tuple[dict, dict]:
        """``(task.json, input arrays)`` for the child: inputs only, never expected values."""
        arrays: dict[str, np.ndarray] = {}
        entries = []
        for question in questions:
            entry = {"name": question.name, "kind": question.kind, "target": question.target}
            if isinstance(question, FunctionQuestion):
                entry["cases"] = [
                    {
                        "args": wire.encode(tuple(c.args), arrays),
                        "kwargs": wire.encode(dict(c.kwargs), arrays),
                    }
                    for c in self.cases[question.name]
                ]
            elif isinstance(question, ModelQuestion):
                data = self.model_data[question.name]
                entry["kwargs"] = wire.encode(question.builder_kwargs(data), arrays)
                entry["data"] = {
                    "x_train": wire.encode(data.x_train, arrays),
                    "y_train": wire.encode(data.y_train, arrays),
                    "x_eval": wire.encode(data.x_eval, arrays),
                }
                entry["epochs"] = question.epochs
                entry["batch_size"] = question.batch_size
                entry["budget"] = question.budget_fast if self.fast else question.budget
                entry["seed"] = self.seed
                entry["twin"] = question.twin
                entry["requires"] = list(question.requires)
                if question.decode is not None:
                    entry["decode"] = {
                        "start_id": question.decode.start_id,
                        "end_id": question.decode.end_id,
                        "max_len": question.decode.max_len,
                        "slot": question.decode.slot,
                    }
            entries.append(entry)
        task = {
            "cells": cells,
            "skip_cells": sorted(skip),
            "questions": entries,
            "cell_timeout": self.assignment.cell_timeout,
            "call_timeout": self.assignment.call_timeout,
        }
        return task, arrays

    def default_timeout(self) -> float:
        """Wall-clock seconds for one run: cells and calls, plus each model's training budget."""
        seconds = 60.0 + sum(len(c) for c in self.cases.values()) * 2.0
        for question in self.assignment.questions:
            if isinstance(question, ModelQuestion):
                # The budget is CPU seconds: leave wall time for a loaded machine (twice for twins).
                budget = question.budget_fast if self.fast else question.budget
                seconds += (60.0 + budget * 4) * (2 if question.twin else 1)
        return seconds


_BASELINE_CACHE: dict[tuple, list[tuple[str, float, bool]]] = {}


def baseline_scores(question: ModelQuestion, data: ModelData, fast: bool):
    """``[(name, value of the question's metric on the hidden y_eval, sets the bar)]`` of the
    question's baselines, fitted here in the trusted parent; cached per data, baselines, metric,
    mode and salt (copies of a question share the computation)."""
    key = (question.data, question.baselines, question.metric, fast, os.environ.get(SALT_ENV, "0"))
    if key not in _BASELINE_CACHE:
        scores = []
        for baseline in question.baselines:
            value, problem = model_metric(question.metric, data.y_eval, baseline.predict(data))
            if problem:
                raise ValueError(f"{question.name}: baseline {baseline.name!r}: {problem}")
            scores.append((baseline.name, float(value), baseline.bar))
        _BASELINE_CACHE[key] = scores
    return list(_BASELINE_CACHE[key])


def strictest_mark(question: ModelQuestion, baselines) -> tuple[float, str | None, float | None]:
    """``(needed, best baseline's name, its value)``: the strictest pass mark that the bar
    baselines among ``baselines`` (``[(name, value, bar)]``, as :func:`baseline_scores` returns)
    set, each with its own margin or the question's, and the question's threshold; the name and
    value are ``None`` when no baseline sets a bar."""
    margins = {b.name: b.margin for b in question.baselines if b.margin is not None}
    marks = [  # (the pass mark a baseline sets, its name, its value)
        (pass_mark(question.metric, v, margins.get(name, question.margin)), name, v)
        for name, v, bar in baselines
        if bar
    ]
    needed, best_name, best = (
        min(marks, key=lambda mark: error_of(question.metric, mark[0]))
        if marks
        else (None, None, None)
    )
    return pass_mark(question.metric, needed, 0.0, question.threshold), best_name, best


def _write_task(directory: Path, task: dict, arrays: dict) -> None:
    directory.chmod(0o755)
    here = Path(__file__).parent
    for name in CHILD_FILES:
        shutil.copyfile(here / name, directory / name)
    (directory / "task.json").write_text(json.dumps(task))
    np.savez(directory / "inputs.npz", **arrays)
    for path in directory.iterdir():
        path.chmod(0o644)


def grade_cells(
    student: str,
    cells: list[str],
    prepared: Prepared,
    limits: sandbox.Limits,
    *,
    slot: int = 0,
    threads: int = 1,
) -> SubmissionResult:
    """Grade the code cells of one submission (already parsed) against ``prepared``."""
    assignment = prepared.assignment
    started = time.monotonic()
    result = SubmissionResult(
        student,
        assignment.name,
        [QuestionResult(q.name, float(q.points)) for q in assignment.questions],
        isolation=sandbox.isolation(),
    )
    by_name = {q.name: q for q in result.questions}
    raw: dict[str, list] = {}
    lost: dict[str, str] = {}
    pending = list(assignment.questions)
    skip: set[int] = set()
    outputs: list[str] = []
    for _ in range(MAX_RUNS):
        task, arrays = prepared.task(pending, cells, skip)
        task["limits"] = limits.for_child()
        task["sandboxed"] = sandbox.isolation() == sandbox.FULL
        with tempfile.TemporaryDirectory(prefix="seqcourse-task-") as directory:
            _write_task(Path(directory), task, arrays)
            run = sandbox.run_child(
                Path(directory), limits, slot=slot, fast=prepared.fast, threads=threads
            )
        outputs.append(run.stdout + run.stderr)
        # Only the child's own events count: a forked process of the submission may write too.
        main_pid = run.events[0].get("pid") if run.events else None
        run.events = [e for e in run.events if e.get("pid") == main_pid]
        finished = _absorb(run.events, result, raw, len(cells))
        pending = [q for q in pending if q.name not in raw and q.name not in lost]
        if finished or not pending:
            break
        culprit = _culprit(run.events)
        why = (
            "ran past the time limit" if run.timed_out else f"ended the process ({run.returncode})"
        )
        result.status = "incomplete"
        if culprit is None:
            result.notes.append(f"the notebook {why} before any code ran")
            break
        kind, which = culprit
        if kind == "cell":
            skip.add(which)
            result.cell_errors[which] = f"this cell {why}; it was skipped and the rest graded"
        else:
            lost[which] = f"the grader's run {why} while running this question"
            pending = [q for q in pending if q.name != which]
        if not pending:
            break
    for name in [q.name for q in pending if q.name not in raw]:
        lost.setdefault(name, "not graded: the notebook could not be run to this question")
    result.stdout = "\n".join(o for o in outputs if o.strip())
    result.raw = raw
    for question in assignment.questions:
        verdict = by_name[question.name]
        if question.name in lost:
            verdict.lines.append(lost[question.name])
            continue
        misuse = None
        if question.kind == "function":
            misuse = provenance.forbidden_use(cells, question.target)
        if misuse:
            verdict.lines.append(misuse)
            continue
        _verdict(question, raw.get(question.name, []), prepared, verdict)
    result.seconds = time.monotonic() - started
    return result


def judge(question: Question, outcomes: list, prepared: Prepared) -> QuestionResult:
    """The verdict on one question from the child's raw ``outcomes`` (a
    :attr:`SubmissionResult.raw` entry) against ``prepared``: a run can be judged again under
    another :class:`Prepared` whose task for this question is the same (another grading salt)."""
    verdict = QuestionResult(question.name, float(question.points))
    _verdict(question, outcomes, prepared, verdict)
    return verdict


def _absorb(events: list[dict], result: SubmissionResult, raw: dict, n_cells: int) -> bool:
    """Record one run's events; True if the child reported that it finished."""
    for event in events:
        kind = event.get("event")
        if kind == "cell_end" and isinstance(event.get("index"), int):
            error = event.get("error")
            if isinstance(error, str) and 0 <= event["index"] < n_cells:
                result.cell_errors.setdefault(event["index"], error[:1000])
        elif kind == "note" and isinstance(event.get("text"), str):
            if len(result.notes) < 50 and event["text"] not in result.notes:
                result.notes.append(event["text"][:300])
        elif kind == "result" and isinstance(event.get("question"), str):
            if event["question"] not in raw and isinstance(event.get("cases"), list):
                raw[event["question"]] = event["cases"]
        elif kind == "done":
            return True
    return False


def _culprit(events: list[dict]) -> tuple[str, object] | None:
    """The cell or question the child was running when it died (its last unfinished start)."""
    open_cell = open_question = None
    for event in events:
        kind = event.get("event")
        if kind == "cell_start":
            open_cell = event.get("index")
        elif kind == "cell_end":
            open_cell = None
        elif kind == "start":
            open_question = event.get("question")
        elif kind == "result":
            open_question = None
    if isinstance(open_question, str):
        return "question", open_question
    if isinstance(open_cell, int):
        return "cell", open_cell
    return None


def _decode(outcome) -> tuple[object, str]:
    """``(value, problem)`` of one raw case outcome from the child."""
    if not isinstance(outcome, dict):
        return None, "the grader received no result"
    if "error" in outcome:
        return None, str(outcome["error"])[:1000]
    try:
        arrays = wire.unpack_arrays(outcome.get("npz", "") or "")
        return wire.decode(outcome.get("value"), arrays), ""
    except Exception as error:  # malformed by the submission: never trusted
        return None, f"the result could not be read ({type(error).__name__})"


def _verdict(question: Question, outcomes: list, prepared: Prepared, verdict: QuestionResult):
    if isinstance(question, FunctionQuestion):
        cases = prepared.cases[question.name]
        expected = prepared.expected[question.name]
        passed = 0
        for i, (case, want) in enumerate(zip(cases, expected, strict=True)):
            got, problem = _decode(outcomes[i] if i < len(outcomes) else None)
            if not problem:
                problem = explain(question, want, got, case.args, case.kwargs)
            if problem:
                verdict.lines.append(f"{case.label}: {problem}")
            else:
                passed += 1
        verdict.score = question.points * passed / len(cases)
        verdict.lines.insert(0, f"{passed}/{len(cases)} cases passed")
    elif isinstance(question, ValueQuestion):
        got, problem = _decode(outcomes[0] if outcomes else None)
        want = prepared.expected[question.name][0]
        if not problem:
            problem = explain(question, want, got)
        verdict.score = 0.0 if problem else float(question.points)
        verdict.lines.append(problem or "correct")
    else:
        _model_verdict(question, outcomes, prepared, verdict)


TWIN = "the same model without its regularisation"


def _length_note(question: ModelQuestion, data: ModelData) -> str:
    if not question.other_length:
        return ""
    trained = {a.shape[1] for a in input_arrays(data.x_train).values() if a.ndim > 1}
    scored = {a.shape[1] for a in input_arrays(data.x_eval).values() if a.ndim > 1}
    return (
        f" (the grader trains on sequences of {'/'.join(map(str, sorted(trained)))} steps and "
        f"scores on {'/'.join(map(str, sorted(scored)))}: build the model on keras.Input((None, "
        "...)) so it accepts any length)"
    )


def _model_verdict(question: ModelQuestion, outcomes: list, prepared: Prepared, verdict):
    """Technique, metric, baselines and pass mark of one model question; see ModelQuestion."""
    data = prepared.model_data[question.name]
    outcome = outcomes[0] if outcomes and isinstance(outcomes[0], dict) else {}
    got, problem = _decode(outcome or None)
    if question.requires and "structure" in outcome:
        technique = technique_problem(question, outcome.get("structure"), outcome.get("ablation"))
        if technique:
            verdict.lines.append(technique)
            problem = problem and f"also: {problem}"
            if outcome.get("skipped"):  # not trained: no score to report beside the reason
                return
    if outcome.get("skipped"):  # the child skipped training, yet the layer is there: no credit
        verdict.lines.append("the model was not trained, so it cannot be scored")
        return
    if problem:
        note = _length_note(question, data) if "raised" in problem else ""
        verdict.lines.append(problem + note)
        return
    # Why the score stays 0 whatever the metric says ("": it does not).
    no_credit = " (no credit without the layer the question asks for)" if verdict.lines else ""
    value, problem = model_metric(question.metric, data.y_eval, got)
    if problem:
        verdict.lines.append(problem)
        return
    baselines = prepared.baselines[question.name]
    removed = None
    if question.twin:
        twin = outcome.get("twin") if isinstance(outcome.get("twin"), dict) else {}
        removed = twin.get("removed")
        if not isinstance(removed, list) or not removed:
            removed = None
            no_credit = no_credit or (
                " (no credit: the model has no regularisation to remove, no dropout, recurrent "
                "dropout, noise or weight penalty, and the question grades what regularisation "
                "changes)"
            )
        else:
            twin_value, problem = model_metric(
                question.metric, data.y_eval, _decode({**twin, "npz": outcome.get("npz", "")})[0]
            )
            if problem and not no_credit:
                verdict.lines.append(f"{TWIN}: {problem}")
                return
            if not problem:
                baselines = [*baselines, (TWIN, twin_value, True)]
    needed, best_name, best = strictest_mark(question, baselines)
    fraction = 0.0 if no_credit else credit(question.metric, value, best, needed, question.partial)
    verdict.score = float(question.points) * fraction
    verdict.numbers = {
        "value": value,
        "best": best_name,
        "needed": needed,
        "baselines": {name: v for name, v, _ in baselines},
    }
    words = threshold_words(question.metric)
    line = f"your model: {question.metric} {value:.4g} on held-out data"
    line += no_credit
    if best_name is not None:
        line += f"; best baseline ({best_name}): {best:.4g}"
    line += f"; needed: {words} {needed:.4g}"
    if fraction < 1.0 and question.partial and best is not None:
        line += f" (partial credit {fraction:.0%}: from the best baseline towards the pass mark)"
    verdict.lines.append(line)
    others = [f"{name} {v:.4g}" for name, v, _ in baselines if name != best_name]
    if others:
        verdict.lines.append("other baselines: " + "; ".join(others))
    if removed:
        verdict.lines.append(
            "regularisation removed for the comparison: " + "; ".join(str(r) for r in removed[:8])
        )
    training = outcome.get("training")
    if isinstance(training, dict):
        verdict.lines.append(f"training: {json.dumps(training)[:200]}")
