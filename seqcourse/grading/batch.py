"""``seqcourse grade SUBMISSIONS --assignment NAME --out OUT``: grade a folder of notebooks.

For every submission (file stem = student id) it writes, through :mod:`seqcourse.grading.reports`,
``OUT/<student>/results.json`` (Gradescope's format, plus ``extra_data``),
``OUT/<student>/feedback.md`` and ``OUT/<student>/.submission.sha256``; then ``OUT/grades.csv``
(one row per graded submission: ``student``, one column per question, ``total``, ``max_total``,
``status``). A rerun skips submissions whose graded copy is unchanged unless ``--force``. Only
one grader writes into an ``OUT`` at a time (``OUT/.grading.lock``, held with ``flock`` and so
released by the system if the grader dies); a second one stops with a clear message. One
submission that crashes, hangs,
exhausts memory or is malformed costs only its own grade; the exit status is 0 whenever the batch
was graded.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from seqcourse.errors import SeqcourseError
from seqcourse.grading import registry, sandbox
from seqcourse.grading.notebook import SUFFIXES, SubmissionError, code_cells
from seqcourse.grading.reports import write_grades, write_result
from seqcourse.grading.runner import Prepared, QuestionResult, SubmissionResult, grade_cells
from seqcourse.runtime import fast_mode


class GradeError(SeqcourseError):
    """What ``seqcourse grade`` was asked to grade cannot be graded (no such file, no notebooks)."""


def find_submissions(location: Path) -> dict[str, Path]:
    """``student -> file`` for a folder of notebooks or one notebook; GradeError when unusable."""
    if not location.exists():
        raise GradeError(f"no such file or folder: {location}")
    if location.is_file():
        if location.suffix not in SUFFIXES:
            raise GradeError(f"{location} is not a notebook (.ipynb or .md)")
        return {location.stem: location}
    files = sorted(p for p in location.iterdir() if p.suffix in SUFFIXES and p.is_file())
    if not files:
        raise GradeError(f"{location} holds no .ipynb or .md submissions")
    found: dict[str, Path] = {}
    for path in files:
        if path.stem in found:
            raise GradeError(f"two submissions for student {path.stem!r}: keep one of them")
        found[path.stem] = path
    return found


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _malformed(student: str, assignment, error: Exception) -> SubmissionResult:
    questions = [QuestionResult(q.name, float(q.points)) for q in assignment.questions]
    for question in questions:
        question.lines.append(f"not graded: {error}")
    result = SubmissionResult(student, assignment.name, questions, status="malformed")
    result.isolation = sandbox.isolation()
    result.notes.append(str(error))
    return result


LOCK_NAME = ".grading.lock"


@contextlib.contextmanager
def output_lock(out: Path):
    """Hold ``out``'s grading lock for the block; GradeError if another grader holds it.

    The lock is ``flock`` on ``out/.grading.lock``: the kernel releases it when its holder exits,
    however it exits, so a killed grader never leaves a stale lock behind. The file names the
    holder's process id for the message.
    """
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_NAME
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise GradeError(
                f"another seqcourse grade (process {holder}) is writing into {out}: wait for it "
                "to finish, or grade into another --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def grade_batch(
    submissions: dict[str, Path],
    assignment,
    out: Path,
    *,
    jobs: int = 1,
    limits: sandbox.Limits | None = None,
    force: bool = False,
    fast: bool | None = None,
    progress: bool = True,
) -> dict[str, SubmissionResult | None]:
    """Grade ``submissions`` into ``out``; returns the new results (None for skipped ones).

    Holds :func:`output_lock` on ``out`` throughout: GradeError if another grader writes there.
    """
    with output_lock(out):
        return _grade_batch(
            submissions,
            assignment,
            out,
            jobs=jobs,
            limits=limits,
            force=force,
            fast=fast,
            progress=progress,
        )


def _grade_batch(submissions, assignment, out, *, jobs, limits, force, fast, progress):
    fast = fast_mode() if fast is None else fast
    prepared = Prepared(assignment, fast)
    limits = (limits or sandbox.Limits()).with_default_timeout(prepared.default_timeout())
    threads = max(1, (os.cpu_count() or 1) // max(jobs, 1))
    out.mkdir(parents=True, exist_ok=True)
    digests = {student: _sha256(path) for student, path in submissions.items()}
    todo = {}
    for student, path in submissions.items():
        stamp = out / student / ".submission.sha256"
        graded = (out / student / "results.json").is_file() and stamp.is_file()
        if force or not graded or stamp.read_text().strip() != digests[student]:
            todo[student] = path
    slots = list(range(max(jobs, 1)))
    lock = threading.Lock()

    def work(student: str, path: Path) -> SubmissionResult:
        with lock:
            slot = slots.pop()
        try:
            try:
                cells = code_cells(path)
            except SubmissionError as error:
                result = _malformed(student, assignment, error)
            else:
                result = grade_cells(student, cells, prepared, limits, slot=slot, threads=threads)
            write_result(out, result, digests[student])
            return result
        finally:
            with lock:
                slots.append(slot)

    from tqdm import tqdm

    results: dict[str, SubmissionResult | None] = dict.fromkeys(submissions)
    bar = tqdm(total=len(todo), desc=f"grading {assignment.name}", unit="nb", disable=not progress)
    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        futures = {pool.submit(work, s, p): s for s, p in todo.items()}
        for future in as_completed(futures):
            student = futures[future]
            try:
                results[student] = future.result()
            except Exception as error:  # a grader bug must not lose the rest of the batch
                results[student] = _malformed(student, assignment, error)
                results[student].status = "error"
                write_result(out, results[student], digests[student])
            bar.update(1)
    bar.close()
    write_grades(out, assignment, list(submissions))
    return results


def grade_folder(
    submissions: Path,
    assignment_name: str,
    out: Path,
    *,
    jobs: int = 1,
    timeout: float | None = None,
    memory_mb: int | None = None,
    force: bool = False,
) -> int:
    """``seqcourse grade``: grade a folder (or one file) of submissions into ``out``; exit status.

    ``timeout`` and ``memory_mb`` left at None keep their defaults: the assignment's own wall-clock
    budget (:meth:`~seqcourse.grading.runner.Prepared.default_timeout`) and
    :class:`~seqcourse.grading.sandbox.Limits`'s memory cap.
    """
    try:
        assignment = registry.get_assignment(assignment_name)
    except KeyError as error:
        raise GradeError(error.args[0]) from None
    found = find_submissions(submissions)
    if jobs < 1:
        raise GradeError("--jobs must be at least 1")
    given = {"timeout": timeout, "memory_mb": memory_mb}
    limits = sandbox.Limits(**{name: value for name, value in given.items() if value is not None})
    if sandbox.isolation() == sandbox.REDUCED:
        print(
            "seqcourse grade: bubblewrap unavailable: grading with reduced isolation",
            file=sys.stderr,
        )
    results = grade_batch(found, assignment, out, jobs=jobs, limits=limits, force=force)
    graded = [r for r in results.values() if r is not None]
    skipped = len(results) - len(graded)
    print(
        f"graded {len(graded)} submission(s) of {assignment.name} into {out}"
        + (f"; {skipped} unchanged since the last run (use --force to regrade)" if skipped else "")
    )
    return 0
