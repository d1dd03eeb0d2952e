"""``seqcourse grade --slurm`` against a real single-node Slurm started inside the test.

The fixture starts ``munged``, ``slurmctld`` and ``slurmd`` by hand (no systemd) from Debian's
``slurm-wlm`` and ``munge`` packages, with a minimal ``slurm.conf`` in a temporary folder (free
ports, its own munge socket and key, no accounting), and stops them afterwards. ``.ci/run``
installs the packages; the test is skipped, saying so, only where they are not installed.
"""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from seqcourse.cli import main
from seqcourse.grading import batch, slurm
from tests.grading import answers
from tests.grading.test_shards import graded_files

pytestmark = pytest.mark.slow

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "scontrol", "scancel", "sinfo")
SBIN = f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SLURM_CONF = """\
ClusterName=seqcourse-test
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={dir}/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation={dir}/state
SlurmdSpoolDir={dir}/spool
SlurmctldPidFile={dir}/slurmctld.pid
SlurmdPidFile={dir}/slurmd.pid
SlurmctldLogFile={dir}/slurmctld.log
SlurmdLogFile={dir}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
NodeName=seqnode NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=grading Nodes=seqnode Default=YES MaxTime=INFINITE State=UP
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    missing = [n for n in (*DAEMONS, *CLIENTS) if shutil.which(n, path=SBIN) is None]
    if missing:
        pytest.skip(
            f"Slurm is not installed here ({', '.join(missing)} missing): "
            "`apt-get install -y slurm-wlm munge` (.ci/run installs them)"
        )
    if os.geteuid() != 0:
        pytest.skip("the single-node Slurm of this test runs its daemons as root")
    folder = tmp_path_factory.mktemp("slurm")
    folder.chmod(0o755)
    for name in ("state", "spool"):
        (folder / name).mkdir()
    key = folder / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    conf = folder / "slurm.conf"
    conf.write_text(
        SLURM_CONF.format(
            host=socket.gethostname().split(".")[0],
            ctld_port=_free_port(),
            d_port=_free_port(),
            dir=folder,
            cpus=os.cpu_count() or 1,
        )
    )
    saved = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = str(conf)
    daemons = []
    try:
        subprocess.run(
            [shutil.which("munged", path=SBIN), "--force", f"--socket={folder}/munge.socket"]
            + [f"--key-file={key}", f"--log-file={folder}/munged.log"]
            + [f"--pid-file={folder}/munged.pid", f"--seed-file={folder}/munged.seed"],
            check=True,
        )  # it forks into the background and writes its pid file
        for command in (["slurmctld", "-D"], ["slurmd", "-D", "-N", "seqnode"]):
            daemons.append(
                subprocess.Popen(
                    [shutil.which(command[0], path=SBIN), *command[1:], "-f", str(conf)],
                    stdout=open(folder / f"{command[0]}.out", "w"),
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 90
        state = ""
        while time.monotonic() < deadline:
            done = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
            state = done.stdout.strip()
            if state == "idle":
                break
            time.sleep(0.5)
        else:
            logs = "\n".join(
                p.read_text(errors="replace")[-1500:] for p in sorted(folder.glob("*.log"))
            )
            pytest.fail(f"the test's Slurm did not come up (node state {state!r}):\n{logs}")
        yield folder
    finally:
        for daemon in daemons:
            daemon.terminate()
        for daemon in daemons:
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        pid_file = folder / "munged.pid"
        if pid_file.is_file():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass
        if saved is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = saved


def _wait_for(job: str, seconds: float = 240) -> str:
    """Wait until ``job`` has left the queue; its final ``scontrol`` record."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        queued = subprocess.run(["squeue", "-h", "-j", job], capture_output=True, text=True)
        if not queued.stdout.strip():
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"Slurm job {job} still queued after {seconds} s")
    shown = subprocess.run(["scontrol", "show", "job", job], capture_output=True, text=True)
    return shown.stdout


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
    record = _wait_for(merge_job)
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
