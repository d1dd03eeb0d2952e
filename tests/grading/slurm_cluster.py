"""A single-node Slurm started by hand (no systemd) from Debian's ``slurm-wlm`` and ``munge``.

``munged``, ``slurmctld`` and ``slurmd`` run from a minimal ``slurm.conf`` in a folder of their own
(free ports, their own munge socket and key, no accounting, root as SlurmUser), and are stopped on
leaving :func:`single_node_slurm`. ``tests/grading/test_slurm.py`` and ``scripts/bench_grading.py``
use it.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "scontrol", "scancel", "sinfo")
SBIN = f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin"


class SlurmUnavailable(RuntimeError):
    """Slurm cannot be started here (not installed, not root); the message says why."""


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
MinJobAge=3600
MpiDefault=none
SwitchType=switch/none
NodeName=seqnode NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=grading Nodes=seqnode Default=YES MaxTime=INFINITE State=UP
"""


@contextlib.contextmanager
def single_node_slurm(folder: Path, cpus: int | None = None):
    """Run Slurm with one node of ``cpus`` CPUs for the block, ``SLURM_CONF`` set; yields the
    ``slurm.conf`` path. SlurmUnavailable if it cannot run here; RuntimeError with the daemons'
    logs if it does not come up."""
    missing = [n for n in (*DAEMONS, *CLIENTS) if shutil.which(n, path=SBIN) is None]
    if missing:
        raise SlurmUnavailable(
            f"Slurm is not installed here ({', '.join(missing)} missing): "
            "`apt-get install -y slurm-wlm munge` (.ci/run installs them)"
        )
    if os.geteuid() != 0:
        raise SlurmUnavailable("this single-node Slurm runs its daemons as root")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    for name in ("state", "spool"):
        (folder / name).mkdir(exist_ok=True)
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
            cpus=cpus or os.cpu_count() or 1,
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
            raise RuntimeError(f"Slurm did not come up (node state {state!r}):\n{logs}")
        yield conf
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


def wait_for(job: str, seconds: float = 240) -> str:
    """Wait until ``job`` has left the queue; its final ``scontrol show job`` record.

    TimeoutError if it is still queued after ``seconds``.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        queued = subprocess.run(["squeue", "-h", "-j", job], capture_output=True, text=True)
        if not queued.stdout.strip():
            shown = subprocess.run(["scontrol", "show", "job", job], capture_output=True, text=True)
            return shown.stdout
        time.sleep(0.5)
    raise TimeoutError(f"Slurm job {job} still queued after {seconds} s")
