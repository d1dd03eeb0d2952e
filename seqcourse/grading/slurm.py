"""``seqcourse grade ... --slurm``: one Slurm job array over the shards, and a merge job after it.

The array's task ``I`` runs ``seqcourse grade ... --shard I/N`` (:mod:`seqcourse.grading.shards`)
on whichever node Slurm gives it, at most ``K`` at once (``sbatch --array=...%K``); the merge job
(``--dependency=afterany:`` on the array: it runs however the tasks end) runs ``seqcourse merge``,
which writes ``grades.csv`` and names the submissions a failed task left ungraded. ``OUT`` must be
on a file system every node shares (with working ``flock``: NFS v4, Lustre mounted with ``-o
flock``), and the Python that runs this command must be reachable from the nodes at the same path.

Both job scripts are written to ``OUT/.slurm/`` (``grade.sh``, ``merge.sh``) with the task logs
(``grade-JOB_TASK.log``, ``merge-JOB.log``), so the instructor can read and resubmit them. The jobs
get the submitting shell's environment (``--export=ALL``): ``SEQCOURSE_GRADING_SALT`` and
``SEQCOURSE_DATA`` reach every task. A rerun submits only the shards that still have submissions
without a result (every shard with ``--force``); when none has, it merges at once, without Slurm.
"""

from __future__ import annotations

import math
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from seqcourse.grading import batch
from seqcourse.grading import shards as sharding

SLURM_DIR = ".slurm"
PER_SHARD = 50  # default submissions per array task: a task's start-up costs a few seconds
MAX_SHARDS = 1000  # below Slurm's default MaxArraySize (1001)


class SlurmError(batch.GradeError):
    """Slurm cannot be used as asked (no sbatch on PATH, a rejected submission)."""


def default_shards(submissions: int) -> int:
    """About :data:`PER_SHARD` submissions per task, at most :data:`MAX_SHARDS` tasks."""
    return max(1, min(MAX_SHARDS, math.ceil(submissions / PER_SHARD)))


def array_spec(indices: list[int]) -> str:
    """``[0, 1, 2, 5, 7, 8]`` -> ``"0-2,5,7-8"`` (sbatch's ``--array`` syntax)."""
    runs: list[list[int]] = []
    for index in sorted(indices):
        if runs and index == runs[-1][1] + 1:
            runs[-1][1] = index
        else:
            runs.append([index, index])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def pending_shards(found: dict[str, Path], out: Path, count: int, force: bool) -> list[int]:
    """The shards (of ``count``) holding a submission without a result for its current file."""
    if force:
        return list(range(count))
    sha = batch.digests(found)
    return sorted(
        {
            sharding.shard_of(found, student, count)
            for student in found
            if not batch.graded_copy(out, student, sha[student])
        }
    )


TASK_ID = "${SLURM_ARRAY_TASK_ID}"  # left for bash to expand in the job script


def _script(arguments: list[str], what: str) -> str:
    command = " ".join(f'"{a}"' if TASK_ID in a else shlex.quote(a) for a in arguments)
    return (
        "#!/usr/bin/env bash\n"
        f"# Written by `seqcourse grade --slurm`: {what}.\n"
        "set -euo pipefail\n"
        f"cd {shlex.quote(str(Path.cwd()))}\n"
        f"exec {command}\n"
    )


def _sbatch(arguments: list[str]) -> tuple[str, subprocess.CompletedProcess]:
    """Run sbatch --parsable ...; ``(job id, the finished process)``; SlurmError if it fails."""
    done = subprocess.run(arguments, capture_output=True, text=True)
    job = done.stdout.strip().splitlines()[0].split(";")[0] if done.stdout.strip() else ""
    if not job.isdigit():
        raise SlurmError(
            f"sbatch refused the job ({' '.join(arguments[1:3])} ...): "
            f"{(done.stderr or done.stdout).strip()[-1000:]}"
        )
    return job, done


def submit_folder(
    submissions: Path,
    assignment_name: str,
    out: Path,
    *,
    shards: int | None = None,
    tasks: int | None = None,
    options: list[str] | None = None,
    wait: bool = False,
    jobs: int = 1,
    timeout: float | None = None,
    memory_mb: int | None = None,
    force: bool = False,
) -> int:
    """``seqcourse grade ... --slurm``: submit the array and the merge job; the exit status.

    ``shards`` tasks (default :func:`default_shards`), at most ``tasks`` at once; ``options`` go to
    both ``sbatch`` calls. With ``wait`` it returns when the merge job has ended, with its status.
    """
    sbatch = shutil.which("sbatch")
    if sbatch is None:
        raise SlurmError(
            "no sbatch on PATH: --slurm submits to a Slurm cluster from one of its login nodes; "
            "grade on this machine without --slurm, or run `seqcourse grade ... --shard I/N` "
            "on each of N machines and then `seqcourse merge`"
        )
    assignment, found, _ = batch.prepare_command(
        submissions, assignment_name, jobs=jobs, timeout=timeout, memory_mb=memory_mb
    )
    count = default_shards(len(found)) if shards is None else shards
    if not 1 <= count <= MAX_SHARDS:
        raise SlurmError(f"--shards must be between 1 and {MAX_SHARDS}, not {count}")
    if tasks is not None and tasks < 1:
        raise SlurmError("--slurm-tasks must be at least 1")
    out = out.resolve()
    todo = pending_shards(found, out, count, force)
    if not todo:
        print(f"every submission of {submissions} already has a result in {out}: merging")
        return sharding.merge(submissions, assignment.name, out, shards=count)
    folder = out / SLURM_DIR
    folder.mkdir(parents=True, exist_ok=True)
    python = [sys.executable, "-m", "seqcourse.cli"]
    where = [str(submissions.resolve()), "--assignment", assignment.name, "--out", str(out)]
    grade = [*python, "grade", *where, "--shard", f"{TASK_ID}/{count}"]
    grade += ["--jobs", str(jobs)]
    grade += ["--timeout", f"{timeout:g}"] if timeout is not None else []
    grade += ["--memory", str(memory_mb)] if memory_mb is not None else []
    grade += ["--force"] if force else []
    merge = [*python, "merge", *where, "--shards", str(count)]
    scripts = {
        "grade.sh": _script(grade, f"array task I grades shard I of {count}"),
        "merge.sh": _script(merge, "the merge job, after every array task has ended"),
    }
    for name, text in scripts.items():
        (folder / name).write_text(text)
        (folder / name).chmod(0o755)
    extra = list(options or [])
    spec = array_spec(todo) + (f"%{tasks}" if tasks else "")
    array_job, _ = _sbatch(
        [sbatch, "--parsable", f"--array={spec}", "--export=ALL"]
        + [f"--job-name=seqcourse-{assignment.name}", f"--cpus-per-task={jobs}"]
        + [f"--output={folder}/grade-%A_%a.log", *extra, str(folder / "grade.sh")]
    )
    print(
        f"submitted Slurm job array {array_job}: {len(todo)} of {count} shard(s) "
        f"({spec}) of {len(found)} submission(s); logs in {folder}"
    )
    merge_arguments = [sbatch, "--parsable", f"--dependency=afterany:{array_job}"]
    merge_arguments += ["--export=ALL", f"--job-name=seqcourse-{assignment.name}-merge"]
    merge_arguments += [f"--output={folder}/merge-%j.log", *extra]
    merge_arguments += ["--wait"] if wait else []
    try:
        merge_job, done = _sbatch([*merge_arguments, str(folder / "merge.sh")])
    except SlurmError as error:
        raise SlurmError(
            f"{error}; the array {array_job} is submitted: run `{' '.join(merge)}` once it ends"
        ) from None
    print(f"submitted merge job {merge_job} (after array {array_job}): writes {out}/grades.csv")
    if not wait:
        return 0
    log = folder / f"merge-{merge_job}.log"
    if log.is_file():
        print(log.read_text(errors="replace").rstrip())
    return done.returncode
