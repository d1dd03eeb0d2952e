"""Grade one submission: prepare the cases, run the sandboxed child, and decide, in this process.

:class:`Prepared` computes once per batch everything that depends only on the assignment: the cases
of every question and their expected values (from the trusted references), and the data of model
questions. :func:`grade_cells` sends the child only inputs, restarts it without the cell or question
that killed it (up to :data:`MAX_RUNS` runs), then checks every raw result: type, dtype, shape,
finiteness, closeness, or the model metric against its threshold.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqcourse.grading import provenance, sandbox, wire
from seqcourse.grading.spec import (
    Assignment,
    Case,
    FunctionQuestion,
    ModelData,
    ModelQuestion,
    Question,
    ValueQuestion,
)
from seqcourse.grading.verdicts import explain, metric_passes, model_metric

MAX_RUNS = 4
CHILD_FILES = ("child.py", "wire.py")


@dataclass
class QuestionResult:
    """The verdict on one question (:func:`seqcourse.grading.reports.gradescope_test` writes it)."""

    name: str
    max_score: float
    score: float = 0.0
    lines: list[str] = field(default_factory=list)

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

    @property
    def total(self) -> float:
        return float(sum(q.score for q in self.questions))

    @property
    def max_total(self) -> float:
        return float(sum(q.max_score for q in self.questions))


class Prepared:
    """An assignment's cases, expected values and model data, computed once for a whole batch."""

    def __init__(self, assignment: Assignment, fast: bool):
        self.assignment = assignment
        self.fast = fast
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
                # The budget is CPU seconds: leave wall time for a loaded machine.
                seconds += 60.0 + (question.budget_fast if self.fast else question.budget) * 4
        return seconds


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
        data = prepared.model_data[question.name]
        got, problem = _decode(outcomes[0] if outcomes else None)
        value = None
        if not problem:
            value, problem = model_metric(question.metric, data.y_eval, got)
        if problem:
            verdict.lines.append(problem)
            return
        ok = metric_passes(question.metric, question.threshold, value)
        verdict.score = float(question.points) if ok else 0.0
        relation = "meets" if ok else "does not meet"
        verdict.lines.append(
            f"{question.metric} on held-out data = {value:.4g}: {relation} the threshold "
            f"{question.threshold:g}"
        )
        training = outcomes[0].get("training") if isinstance(outcomes[0], dict) else None
        if isinstance(training, dict):
            verdict.lines.append(f"training: {json.dumps(training)[:200]}")
