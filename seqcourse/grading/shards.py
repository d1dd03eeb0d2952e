"""One batch graded in N shards on many machines (Slurm arrays, Kubernetes Indexed Jobs), merged.

The contract, whatever runs the shards:

* ``seqcourse grade SUBMISSIONS --assignment A --out OUT --shard I/N`` grades shard ``I`` of
  ``N`` (``0 <= I < N``): the submissions at positions ``I, I + N, I + 2N, ...`` of the student ids
  in sorted order (:func:`shard_students`), so every task computes the same partition from the
  same folder, and together the ``N`` shards cover every submission exactly once. It writes each
  student's files into the shared ``OUT`` exactly as a local run does (byte for byte: nothing in
  them depends on the machine, the time or the shard), and never ``grades.csv``.
* Shard tasks run side by side in one ``OUT``: each holds ``OUT/.grading.lock`` shared (so no
  whole batch or merge runs meanwhile) and its own ``OUT/.shards/I-of-N.lock`` exclusively (so the
  same shard cannot run twice at once). ``OUT/.shards/I-of-N.json`` records the shard's students,
  host, process, scheduler ids and state (``running``, then ``finished``).
* A rerun of a shard grades only its submissions without a complete result for the current file
  (:func:`seqcourse.grading.batch.graded_copy`): a task that died costs only what it had not
  finished, and is retried by running it again.
* ``seqcourse merge SUBMISSIONS --assignment A --out OUT`` (:func:`merge`), once every shard has
  ended, writes ``grades.csv`` (and ``report.html``) from the results on disk, exactly as the
  local run writes them, and
  names every submission still without a result, with its shard and what the shard's record says
  (never started, started and never finished), exiting with status 1.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import platform
import re
import sys
from pathlib import Path

from seqcourse.grading import batch
from seqcourse.grading.reports import atomic_write, write_grades

SHARDS_DIR = ".shards"
# What a scheduler says about the task it runs, recorded with the shard (names only; no secrets).
SCHEDULER_VARIABLES = (
    "SLURM_ARRAY_JOB_ID",
    "SLURM_ARRAY_TASK_ID",
    "SLURM_JOB_ID",
    "JOB_COMPLETION_INDEX",
    "HOSTNAME",
)


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` -> ``(I, N)``; GradeError unless ``0 <= I < N``."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if match:
        index, count = int(match.group(1)), int(match.group(2))
        if 0 <= index < count:
            return index, count
    raise batch.GradeError(
        f"--shard {text!r}: give I/N with 0 <= I < N, e.g. --shard 3/8 (the array task's index, "
        "counted from 0, and the number of shards)"
    )


def shard_students(students, index: int, count: int) -> list[str]:
    """The students of shard ``index`` of ``count``: every ``count``-th id in sorted order."""
    return sorted(students)[index::count]


def shard_of(students, student: str, count: int) -> int:
    """The shard (of ``count``) that grades ``student``."""
    return sorted(students).index(student) % count


def _record_path(out: Path, index: int, count: int) -> Path:
    return out / SHARDS_DIR / f"{index}-of-{count}.json"


def read_records(out: Path) -> list[dict]:
    """Every shard record in ``out`` (unreadable ones skipped), in a fixed order."""
    records = []
    for path in sorted((out / SHARDS_DIR).glob("*-of-*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and isinstance(record.get("students"), list):
            records.append(record)
    return records


@contextlib.contextmanager
def shard_lock(out: Path, index: int, count: int):
    """Hold shard ``index``/``count``'s own lock in ``out``; GradeError if it is being graded."""
    path = out / SHARDS_DIR / f"{index}-of-{count}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise batch.GradeError(
                f"shard {index}/{count} is already being graded into {out} (by {holder}): "
                "wait for it to finish"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} on {platform.node()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def grade_shard(
    submissions: dict[str, Path],
    assignment,
    out: Path,
    index: int,
    count: int,
    **options,
) -> dict:
    """Grade shard ``index`` of ``count`` of ``submissions`` into ``out``; the results, by student.

    ``options`` are :func:`~seqcourse.grading.batch.grade_submissions`'s (jobs, limits, force,
    fast, progress). Holds ``out``'s lock shared and the shard's lock; records the shard.
    """
    mine = {s: submissions[s] for s in shard_students(submissions, index, count)}
    record = {
        "shard": f"{index}/{count}",
        "assignment": assignment.name,
        "students": sorted(mine),
        "host": platform.node(),
        "pid": os.getpid(),
        "scheduler": {k: os.environ[k] for k in SCHEDULER_VARIABLES if k in os.environ},
        "started": _now(),
        "state": "running",
    }
    with batch.output_lock(out, shared=True), shard_lock(out, index, count):
        path = _record_path(out, index, count)
        atomic_write(path, json.dumps(record, indent=2) + "\n")
        results = batch.grade_submissions(mine, assignment, out, **options)
        record.update(
            state="finished",
            finished=_now(),
            graded=sum(r is not None for r in results.values()),
        )
        atomic_write(path, json.dumps(record, indent=2) + "\n")
    return results


def grade_shard_folder(
    submissions: Path,
    assignment_name: str,
    out: Path,
    shard: str,
    *,
    jobs: int = 1,
    timeout: float | None = None,
    memory_mb: int | None = None,
    force: bool = False,
) -> int:
    """``seqcourse grade ... --shard I/N``: grade one shard into ``out``; the exit status."""
    index, count = parse_shard(shard)
    assignment, found, limits = batch.prepare_command(
        submissions, assignment_name, jobs=jobs, timeout=timeout, memory_mb=memory_mb
    )
    results = grade_shard(
        found, assignment, out, index, count, jobs=jobs, limits=limits, force=force
    )
    graded = sum(r is not None for r in results.values())
    print(
        f"shard {index}/{count}: graded {graded} of its {len(results)} submission(s) of "
        f"{assignment.name} into {out}; run `seqcourse merge` once every shard has ended"
    )
    return 0


def _why_missing(student: str, records: list[dict]) -> str:
    """What the shard records say about a student without a result."""
    mine = [r for r in records if student in r["students"]]
    if not mine:
        return "no shard task started on it"
    latest = max(mine, key=lambda r: str(r.get("started", "")))
    where = f"shard {latest.get('shard')} (on {latest.get('host')}"
    scheduler = latest.get("scheduler") or {}
    if "SLURM_ARRAY_JOB_ID" in scheduler:
        task = scheduler.get("SLURM_ARRAY_TASK_ID")
        where += f", Slurm job {scheduler['SLURM_ARRAY_JOB_ID']}_{task}"
    where += ")"
    if latest.get("state") == "finished":
        return f"{where} finished without grading it (the file changed since?)"
    return f"{where} started at {latest.get('started')} and never finished"


def missing_report(found: dict[str, Path], out: Path, count: int | None, missing: list[str]):
    """Lines naming every submission without a result, grouped by shard."""
    records = read_records(out)
    if count is None:  # the shard count the records were written with, if they agree
        counts = {int(str(r.get("shard", "0/0")).split("/")[1]) for r in records}
        count = counts.pop() if len(counts) == 1 else None
    groups: dict[str, list[str]] = {}
    for student in missing:
        if count:
            shard = f"shard {shard_of(found, student, count)}/{count}"
        else:
            shard = "no shard"
        groups.setdefault(shard, []).append(student)
    lines = []
    for shard, students in sorted(groups.items()):
        reasons = sorted({_why_missing(s, records) for s in students})
        lines.append(
            f"{shard}: {len(students)} submission(s) not graded: {', '.join(students)} "
            f"({'; '.join(reasons)})"
        )
    return lines


def merge(
    submissions: Path,
    assignment_name: str,
    out: Path,
    *,
    shards: int | None = None,
    report: bool = True,
) -> int:
    """``seqcourse merge``: ``grades.csv`` and the report from the shards' results in ``out``.

    Lists every submission with a complete result for its current file, as a local run does; names
    the others with their shard (``shards`` = N; read from the shard records when None) and exits
    with status 1 when there are any.
    """
    assignment, found, _ = batch.prepare_command(submissions, assignment_name)
    with batch.output_lock(out):
        sha = batch.digests(found)
        done = [s for s in sorted(found) if batch.graded_copy(out, s, sha[s])]
        missing = [s for s in sorted(found) if s not in done]
        write_grades(out, assignment, done)
    print(f"merged {len(done)} of {len(found)} submission(s) of {assignment.name} into {out}")
    if report:
        batch.write_report_locked(out, assignment, found)
    if not missing:
        return 0
    for line in missing_report(found, out, shards, missing):
        print(f"seqcourse merge: {line}", file=sys.stderr)
    logs = sorted((out / ".slurm").glob("grade-*.log"))
    if logs:
        print(f"seqcourse merge: the Slurm tasks' logs are in {logs[0].parent}", file=sys.stderr)
    print(
        f"seqcourse merge: {len(missing)} submission(s) have no grade in grades.csv: rerun the "
        "shards (or the same `seqcourse grade ... --slurm`), which grade only what is missing, "
        "then merge again",
        file=sys.stderr,
    )
    return 1
