"""``seqcourse grade --shard I/N`` and ``seqcourse merge``: the contract a Slurm array or a
Kubernetes Indexed Job relies on, run here by hand: the same files as a local run, byte for byte;
a shard killed mid-way costs only its unfinished submissions, which the merge names; a rerun grades
only those; shards write side by side but never beside a whole batch."""

import os
import signal
import subprocess
import sys
import time

import pytest

from seqcourse.cli import main
from seqcourse.grading import batch, shards
from tests.conftest import ROOT
from tests.grading import toy
from tests.grading.helpers import grades, lock_holder

# `seqcourse` in another process, knowing the toy assignments.
CLI_WITH_TOYS = "import sys, tests.grading.toy; from seqcourse.cli import main; sys.exit(main())"
STUDENTS = {
    "ada": toy.HONEST_NUMPY,
    "bo": toy.HONEST_NUMPY.replace("x @ w + b", "x @ w"),
    "cy": toy.HONEST_NUMPY.replace("h_prev @ recurrent_kernel + ", ""),
    "di": toy.HONEST_NUMPY.replace("axis=-1", "axis=0"),
    "ed": toy.HONEST_NUMPY.replace("** 2", "** 3"),
}


def graded_files(out) -> dict[str, bytes]:
    """Every file a grader writes for the instructor, but hidden bookkeeping files and the report
    (which shows the seconds each submission took): grades.csv, results.json, feedback.md."""
    assert (out / "report.html").is_file()
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and p.name != "report.html"
        and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("subs")
    for student, code in STUDENTS.items():
        (folder / f"{student}.md").write_text(toy.myst(code))
    (folder / "fi.ipynb").write_text("{not json")  # malformed: graded too, as a local run does
    return folder


@pytest.fixture(scope="module")
def local(submissions, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    assert main(["grade", str(submissions), "--assignment", "toy_numpy", "--out", str(out)]) == 0
    return out


def test_shards_partition_sorted_ids_exactly_once():
    students = [f"s{i:02d}" for i in range(11)][::-1]
    parts = [shards.shard_students(students, i, 4) for i in range(4)]
    assert sorted(sum(parts, [])) == sorted(students)
    assert parts[1] == ["s01", "s05", "s09"]
    assert all(shards.shard_of(students, s, 4) == i for i, p in enumerate(parts) for s in p)
    for bad in ("3/3", "-1/2", "1", "a/b", "2/0"):
        with pytest.raises(batch.GradeError, match="0 <= I < N"):
            shards.parse_shard(bad)


def test_shards_then_merge_write_the_local_files_byte_for_byte(submissions, local, tmp_path):
    out = tmp_path / "out"
    where = [str(submissions), "--assignment", "toy_numpy", "--out", str(out)]
    for index in range(3):
        assert main(["grade", *where, "--shard", f"{index}/3"]) == 0
    assert not (out / "grades.csv").exists()  # the merge writes it, once
    assert main(["merge", *where]) == 0
    assert graded_files(out) == graded_files(local)
    assert set(grades(out)) == {*STUDENTS, "fi"}
    records = shards.read_records(out)
    assert [r["state"] for r in records] == ["finished"] * 3
    assert sorted(sum((r["students"] for r in records), [])) == sorted([*STUDENTS, "fi"])


def test_a_killed_shard_costs_only_its_unfinished_submissions(submissions, local, tmp_path, capsys):
    out = tmp_path / "out"
    where = [str(submissions), "--assignment", "toy_numpy", "--out", str(out)]
    assert main(["grade", *where, "--shard", "0/2"]) == 0
    # Shard 1 is killed (SIGKILL: no cleanup) once it has started on its first submission.
    task = subprocess.Popen(
        [sys.executable, "-c", CLI_WITH_TOYS, "grade", *where, "--shard", "1/2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    record = out / ".shards" / "1-of-2.json"
    deadline = time.monotonic() + 60
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(task.pid, signal.SIGKILL)
    task.wait()
    mine = shards.shard_students([*STUDENTS, "fi"], 1, 2)
    sha = batch.digests(batch.find_submissions(submissions))
    lost = [s for s in mine if not batch.graded_copy(out, s, sha[s])]
    assert lost, "the shard finished before it was killed"
    capsys.readouterr()
    assert main(["merge", *where]) == 1
    err = capsys.readouterr().err
    assert f"shard 1/2: {len(lost)} submission(s) not graded: {', '.join(lost)}" in err
    assert "never finished" in err
    assert set(grades(out)) == {*STUDENTS, "fi"} - set(lost)  # reported, not silently dropped

    # The rerun grades only what is missing; the merge then writes the local run's files.
    before = {s: (out / s / "results.json").stat().st_mtime_ns for s in sha if s not in lost}
    assert main(["grade", *where, "--shard", "1/2"]) == 0
    assert f"graded {len(lost)} of its {len(mine)}" in capsys.readouterr().out
    assert before == {s: (out / s / "results.json").stat().st_mtime_ns for s in before}
    assert main(["merge", *where]) == 0
    assert graded_files(out) == graded_files(local)


def test_shards_write_side_by_side_but_never_beside_a_whole_batch(submissions, tmp_path, capsys):
    out = tmp_path / "out"
    shard_0 = "batch.output_lock(out, shared=True), shards.shard_lock(out, 0, 2)"
    with lock_holder(shard_0, out) as holder:  # shard 0/2 of another process, mid-way
        with batch.output_lock(out, shared=True), shards.shard_lock(out, 1, 2):
            pass  # another shard: side by side
        with pytest.raises(batch.GradeError, match=f"shard 0/2 is already .* process {holder.pid}"):
            with shards.shard_lock(out, 0, 2):
                pass
        where = [str(submissions), "--assignment", "toy_numpy", "--out", str(out)]
        for command in (["grade", *where], ["merge", *where]):
            assert main(command) == 2
            assert "--shard tasks are writing into" in capsys.readouterr().err
    with batch.output_lock(out):  # a whole batch now: shards must wait, named by its process
        with pytest.raises(batch.GradeError, match=f"process {os.getpid()}"):
            with batch.output_lock(out, shared=True):
                pass
    assert (out / batch.LOCK_NAME).read_text() == ""  # no stale process id is left behind
