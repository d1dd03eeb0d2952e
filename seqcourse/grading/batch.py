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
from seqcourse.grading.reports import STAMP_NAME, write_grades, write_result
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
def output_lock(out: Path, *, shared: bool = False):
    """Hold ``out``'s grading lock for the block; GradeError if another grader holds it.

    The lock is ``flock`` on ``out/.grading.lock``: the kernel releases it when its holder exits,
    however it exits, so a killed grader never leaves a stale lock behind. A whole batch (and
    ``seqcourse merge``) holds it exclusively and writes its process id into the file for the
    message; the shard graders of ``--shard I/N`` hold it ``shared``, so that they write side by
    side (each shard's students apart, :func:`seqcourse.grading.shards.shard_lock`) while no whole
    batch or merge runs.
    """
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_NAME
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            who = (
                f"another seqcourse grade (process {holder}) is writing into {out}"
                if holder
                else f"seqcourse grade --shard tasks are writing into {out}"
            )
            raise GradeError(f"{who}: wait for it to finish, or grade into another --out") from None
        # Holding the lock, no exclusive holder is alive: a process id left in the file by a
        # killed one is stale, and shard holders leave the file empty.
        handle.seek(0)
        handle.truncate()
        if not shared:
            handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            if not shared:
                handle.seek(0)
                handle.truncate()
                handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def graded_copy(out: Path, student: str, digest: str) -> bool:
    """Whether ``out`` holds a complete result for exactly this copy (sha256 ``digest``).

    :func:`~seqcourse.grading.reports.write_result` writes the stamp last, so a grader killed
    while writing leaves a result that does not count as graded, and a rerun grades it again.
    """
    stamp = out / student / STAMP_NAME
    if not ((out / student / "results.json").is_file() and stamp.is_file()):
        return False
    return stamp.read_text().strip() == digest


def digests(submissions: dict[str, Path]) -> dict[str, str]:
    """``student -> sha256`` of each submitted file."""
    return {student: _sha256(path) for student, path in submissions.items()}


def grade_batch(
    submissions: dict[str, Path], assignment, out: Path, **options
) -> dict[str, SubmissionResult | None]:
    """Grade ``submissions`` into ``out``; returns the new results (None for skipped ones).

    ``options`` are :func:`grade_submissions`'s. Holds :func:`output_lock` on ``out`` throughout
    (GradeError if another grader writes there) and ends by writing ``grades.csv`` for every
    submission.
    """
    with output_lock(out):
        results = grade_submissions(submissions, assignment, out, **options)
        write_grades(out, assignment, list(submissions))
    return results


def grade_submissions(
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
    """Grade what of ``submissions`` is not graded yet (all with ``force``) into ``out``.

    Writes each student's files, never ``grades.csv``; the caller holds the lock:
    :func:`grade_batch` for a whole batch, :func:`seqcourse.grading.shards.grade_shard` for one
    shard of it.
    """
    fast = fast_mode() if fast is None else fast
    prepared = Prepared(assignment, fast)
    limits = (limits or sandbox.Limits()).with_default_timeout(prepared.default_timeout())
    threads = max(1, (os.cpu_count() or 1) // max(jobs, 1))
    out.mkdir(parents=True, exist_ok=True)
    sha = digests(submissions)
    todo = {
        student: path
        for student, path in submissions.items()
        if force or not graded_copy(out, student, sha[student])
    }
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
            write_result(out, result, sha[student])
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
                write_result(out, results[student], sha[student])
            bar.update(1)
    bar.close()
    return results


def prepare_command(
    submissions: Path,
    assignment_name: str,
    *,
    jobs: int = 1,
    timeout: float | None = None,
    memory_mb: int | None = None,
):
    """``(assignment, {student: file}, limits)`` for the grading commands; GradeError if unusable.

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
    return assignment, found, limits


def grade_folder(
    submissions: Path,
    assignment_name: str,
    out: Path,
    *,
    jobs: int = 1,
    timeout: float | None = None,
    memory_mb: int | None = None,
    force: bool = False,
    report: bool = True,
) -> int:
    """``seqcourse grade``: grade a folder (or one file) of submissions into ``out``; exit status.

    Limits as in :func:`prepare_command`. With ``report`` it ends by writing ``OUT/report.html``
    (:func:`seqcourse.grading.analytics.write_report`).
    """
    assignment, found, limits = prepare_command(
        submissions, assignment_name, jobs=jobs, timeout=timeout, memory_mb=memory_mb
    )
    results = grade_batch(found, assignment, out, jobs=jobs, limits=limits, force=force)
    graded = [r for r in results.values() if r is not None]
    skipped = len(results) - len(graded)
    print(
        f"graded {len(graded)} submission(s) of {assignment.name} into {out}"
        + (f"; {skipped} unchanged since the last run (use --force to regrade)" if skipped else "")
    )
    if report:
        write_report_locked(out, assignment, found)
    return 0


def write_report_locked(
    out: Path, assignment, found: dict[str, Path], template: Path | None = None
) -> None:
    """``OUT/report.html`` (:mod:`seqcourse.grading.analytics`), holding ``out``'s lock."""
    from seqcourse.grading import analytics

    with output_lock(out):
        page = analytics.write_report(out, assignment, found, template)
    print(f"report: {page}")


def report_folder(
    submissions: Path, assignment_name: str, out: Path, template: Path | None = None
) -> int:
    """``seqcourse report``: (re)write ``OUT/report.html`` of a graded ``out``; the exit status."""
    assignment, found, _ = prepare_command(submissions, assignment_name)
    if not (out / "grades.csv").is_file():
        raise GradeError(f"{out} holds no grades.csv: grade (or merge) into it first")
    if template is not None and not template.is_file():
        raise GradeError(f"--template {template}: no such notebook")
    write_report_locked(out, assignment, found, template)
    return 0
