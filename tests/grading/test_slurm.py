"""``seqcourse grade --slurm`` against a real single-node Slurm started inside the test.

The fixture starts ``munged``, ``slurmctld`` and ``slurmd`` by hand (no systemd) from Debian's
``slurm-wlm`` and ``munge`` packages (:mod:`tests.grading.slurm_cluster`), and stops them
afterwards. ``.ci/run`` installs the packages; the test is skipped, saying so, only where they are
not installed (or where it does not run as root).
"""

import subprocess

import pytest

from seqcourse.cli import main
from seqcourse.grading import batch, slurm
from tests.grading import answers
from tests.grading.slurm_cluster import SlurmUnavailable, single_node_slurm, wait_for
from tests.grading.test_shards import graded_files

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    try:
        with single_node_slurm(tmp_path_factory.mktemp("slurm")) as conf:
            yield conf
    except SlurmUnavailable as why:
        pytest.skip(str(why))


@pytest.fixture(scope="module")
def exercise_3(tmp_path_factory):
    """Six submissions of exercise 3: independent answers, a copy, a mistake, the blank exercise."""
    folder = tmp_path_factory.mktemp("subs")
    texts = {f"honest{i}": answers.submission(*c) for i, c in enumerate([(0, 1, 2), (1, 2, 0)])}
    texts["copier"] = answers.rename(texts["honest0"], {"states": "hh", "d_next": "back"})
    texts["summed"] = answers.submission(0, 0, 1).replace("/ y.size", "")
    texts["blank"] = (answers.ROOT / "exercises" / "03_training_rnns.md").read_text()
    texts["frobenius"] = answers.submission(2, 0, 0).replace("norm(power, 2)", "norm(power)")
    for name, text in texts.items():
        (folder / f"{name}.md").write_text(text)
    return folder


def test_slurm_array_and_merge_write_the_local_files(cluster, exercise_3, tmp_path, capsys):
    local, out = tmp_path / "local", tmp_path / "out"
    where = [str(exercise_3), "--assignment", "03_training_rnns"]
    assert main(["grade", *where, "--out", str(local), "--jobs", "2"]) == 0
    table = batch.find_submissions(exercise_3)

    # Two shards, one task at a time; shard 1 is cancelled while it waits for its slot.
    capsys.readouterr()
    assert slurm.submit_folder(exercise_3, "03_training_rnns", out, shards=2, tasks=1) == 0
    printed = capsys.readouterr().out
    array = printed.split("submitted Slurm job array ")[1].split(":")[0]
    merge_job = printed.split("submitted merge job ")[1].split(" ")[0]
    assert "2 of 2 shard(s) (0-1%1)" in printed
    subprocess.run(["scancel", f"{array}_1"], check=True)
    record = wait_for(merge_job)
    assert "ExitCode=1:0" in record  # the merge says some are missing
    log = (out / ".slurm" / f"merge-{merge_job}.log").read_text()
    lost = sorted(table)[1::2]
    assert f"shard 1/2: {len(lost)} submission(s) not graded: {', '.join(lost)}" in log
    assert "no shard task started on it" in log
    assert (out / ".slurm" / f"grade-{array}_0.log").is_file()  # the other task ran
    graded = {p.parent.name for p in out.glob("*/.submission.sha256")}
    assert graded == set(table) - set(lost)
    mtimes = {s: (out / s / "results.json").stat().st_mtime_ns for s in graded}

    # The rerun submits only the missing shard, waits for the merge, ends where a local run does.
    argv = ["grade", *where, "--out", str(out), "--slurm", "--shards", "2", "--slurm-tasks", "2"]
    assert main([*argv, "--wait"]) == 0
    printed = capsys.readouterr().out
    assert "1 of 2 shard(s) (1%2)" in printed and f"merged {len(table)} of {len(table)}" in printed
    assert mtimes == {s: (out / s / "results.json").stat().st_mtime_ns for s in graded}
    assert graded_files(out) == graded_files(local)
    report = (out / "report.html").read_text()
    assert "copier" in report and "honest0" in report  # the copy, flagged in the merged report

    # Nothing left to grade: the same command merges at once, without Slurm.
    assert main([*argv, "--wait"]) == 0
    assert "already has a result" in capsys.readouterr().out


def test_without_sbatch_the_message_says_what_to_do(exercise_3, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    argv = ["grade", str(exercise_3), "--assignment", "03_training_rnns", "--out", str(tmp_path)]
    assert main([*argv, "--slurm"]) == 2
    err = capsys.readouterr().err
    assert "no sbatch on PATH" in err and "--shard I/N" in err
    assert main([*argv, "--slurm-tasks", "2"]) == 2
    assert "only apply with --slurm" in capsys.readouterr().err


def test_array_spec_compresses_indices():
    assert slurm.array_spec([0, 1, 2, 5, 7, 8]) == "0-2,5,7-8"
    assert slurm.array_spec([3]) == "3"
    assert slurm.default_shards(1) == 1 and slurm.default_shards(1001) == 21
    assert slurm.default_shards(10**6) == slurm.MAX_SHARDS
