"""One fresh sandbox per run of the grader's child: bubblewrap + setpriv + rlimits + a wall clock.

With ``bwrap`` (Debian package ``bubblewrap``) the child sees a read-only root made of exactly what
it needs (``/usr``, the Python installation, the virtual environment, the parts of ``seqcourse``
that are not ``reference`` or ``grading``, the dataset cache, and the task folder), a private tmpfs
``/tmp`` of bounded size, no network, its own PID/IPC/UTS namespaces, ``--die-with-parent`` and
``--new-session``. Run as root, the child is then dropped to an unprivileged uid (one per job slot,
so process limits of parallel jobs do not interfere) by ``setpriv`` with every capability cleared
and ``no_new_privs``; run as a normal user, bwrap's user namespace keeps it unprivileged.

The child lowers its own rlimits before it touches the submission (see ``child.set_limits``). The
parent enforces the wall-clock timeout by killing the whole process group; in a PID namespace the
kernel then kills every process the submission started.

Where bwrap cannot run (another OS, a container that forbids namespaces) or
``SEQCOURSE_SANDBOX=none`` is set, the child runs as a plain subprocess with the same rlimits:
:func:`isolation` then reports ``"reduced isolation"`` and the grader says so in its output and in
``results.json``.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import seqcourse

SANDBOX_ENV = "SEQCOURSE_SANDBOX"
FULL = "bwrap sandbox"
REDUCED = "reduced isolation"
BASE_UID = 200_000
SLOTS_PER_GRADER = 64  # uids reserved for one grader process: one per job slot


def uid_range() -> range:
    """The unprivileged uids this grader process gives its sandboxes, one per job slot.

    Each grader process gets its own block (chosen by its PID), so two batches graded at once on
    one host never share a uid, and so never share RLIMIT_NPROC: a fork bomb in one batch cannot
    starve a submission of another.
    """
    start = BASE_UID + (os.getpid() % 4096) * SLOTS_PER_GRADER
    return range(start, start + SLOTS_PER_GRADER)


HIDDEN_PACKAGES = ("reference", "grading")
OUTPUT_CAP = 64 * 1024  # bytes of the child's stdout/stderr kept for feedback
RESULT_CAP = 256 * 2**20  # bytes of results accepted from one run


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run: wall-clock seconds, address space (MB), CPU seconds, ...

    Every default lives here, except the wall-clock ``timeout``: None means the assignment's own
    budget, which only the batch knows (:meth:`seqcourse.grading.runner.Prepared.default_timeout`)
    and fills in with :meth:`with_default_timeout`.
    """

    timeout: float | None = None
    memory_mb: int = 4096  # address space: TensorFlow reserves ~2.5 GB of it and survives this
    nproc: int = 128  # processes and threads of the slot's uid; TensorFlow needs a few dozen
    nofile: int = 256
    fsize_mb: int = 64
    tmp_mb: int = 256

    def with_default_timeout(self, seconds: float) -> Limits:
        """These limits, with ``timeout`` set to ``seconds`` if it was left at None."""
        return self if self.timeout is not None else dataclasses.replace(self, timeout=seconds)

    @property
    def cpu_seconds(self) -> int:
        if self.timeout is None:
            raise ValueError("Limits.timeout is None: call with_default_timeout(seconds) first")
        return int(self.timeout * max(os.cpu_count() or 1, 1)) + 5

    def for_child(self) -> dict:
        return {
            "memory_mb": self.memory_mb,
            "cpu_seconds": self.cpu_seconds,
            "nproc": self.nproc,
            "nofile": self.nofile,
            "fsize_mb": self.fsize_mb,
        }


@dataclass
class RunResult:
    """What one run of the child produced; ``events`` are parsed JSON lines (untrusted content)."""

    events: list[dict] = field(default_factory=list)
    returncode: int | None = None
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""


@functools.cache
def isolation() -> str:
    """:data:`FULL` if bubblewrap works here (probed once), else :data:`REDUCED`."""
    if os.environ.get(SANDBOX_ENV, "").strip().lower() in {"none", "off", "0", "reduced"}:
        return REDUCED
    bwrap = shutil.which("bwrap")
    if bwrap is None or not sys.platform.startswith("linux"):
        return REDUCED
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return REDUCED
    probe = [bwrap, "--ro-bind", "/", "/", "--unshare-pid", "--unshare-net", "--die-with-parent"]
    if os.geteuid() != 0:
        probe.append("--unshare-user")
    try:
        done = subprocess.run([*probe, "true"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return REDUCED
    return FULL if done.returncode == 0 else REDUCED


def _python_roots() -> list[Path]:
    """The virtual environment and the installation it was made from (both needed to run Python)."""
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    roots.add(Path(os.path.realpath(sys.executable)).parent.parent)
    return sorted(roots)


def _package_dir() -> Path:
    return Path(seqcourse.__file__).resolve().parent


def _package_inside_a_root() -> bool:
    """True when ``seqcourse`` lies in a Python root's site-packages (found without help)."""
    package = _package_dir()
    return any(package.is_relative_to(root) for root in _python_roots())


def _package_binds() -> list[str]:
    """Bind ``seqcourse`` without the modules graded code must not see."""
    package = _package_dir()
    args: list[str] = []
    if _package_inside_a_root():  # installed into site-packages: mask the hidden subpackages
        for name in HIDDEN_PACKAGES:
            args += ["--tmpfs", str(package / name)]
        return args
    for entry in sorted(package.iterdir()):
        if entry.name not in HIDDEN_PACKAGES:
            args += ["--ro-bind", str(entry), str(entry)]
    return args


def data_dir() -> Path | None:
    """The dataset cache, if there is one (graded notebooks may load the course datasets)."""
    try:
        from seqcourse.data import cache_dir
    except ImportError:
        return None
    path = Path(cache_dir()).expanduser()
    return path if path.is_dir() else None


@functools.cache
def readable_data_dir() -> Path | None:
    """A world-readable copy of the dataset cache for the sandbox's uid (made once per process).

    The cache's files may be private to the grader's user; the copy (a few MB) is removed at exit.
    """
    source = data_dir()
    if source is None:
        return None
    staging = Path(tempfile.mkdtemp(prefix="seqcourse-data-"))
    atexit.register(shutil.rmtree, staging, True)
    copy = staging / "data"
    shutil.copytree(source, copy, symlinks=False, ignore=shutil.ignore_patterns(".*", "*.tmp"))
    for path in [staging, copy, *copy.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return copy


def bwrap_command(task_dir: Path, slot: int, limits: Limits) -> list[str]:
    """``bwrap ... [setpriv ...]`` prefix that runs a command in a fresh sandbox."""
    args = [shutil.which("bwrap") or "bwrap"]
    args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    args += ["--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    if os.geteuid() != 0:
        args.append("--unshare-user")
    args += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    args += [
        "--perms",
        "0755",
        "--dir",
        "/etc",
    ]  # bwrap would make it 0700: unreadable after setpriv
    for name in ("ld.so.cache", "localtime", "nsswitch.conf", "passwd", "group", "hosts", "fonts"):
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", str(limits.tmp_mb * 2**20), "--tmpfs", "/tmp"]
    binds: list[str] = []
    for root in _python_roots():
        binds += ["--ro-bind", str(root), str(root)]
    binds += _package_binds()
    data = readable_data_dir()
    if data is not None:
        binds += ["--ro-bind", str(data), "/data"]
    args += _parent_dirs(binds) + binds
    args += ["--ro-bind", str(task_dir), "/task", "--chdir", "/tmp"]
    if os.geteuid() == 0:
        uid = str(uid_range()[slot % SLOTS_PER_GRADER])
        args += [shutil.which("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={uid}"]
        args += ["--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    return args


def _parent_dirs(binds: list[str]) -> list[str]:
    """``--dir`` (mode 0755) for every ancestor of a bind target, which bwrap would make 0700."""
    targets, i = [], 0
    while i < len(binds):
        step = 2 if binds[i] == "--tmpfs" else 3
        targets.append(Path(binds[i + step - 1]))
        i += step
    wanted = sorted(
        {p for t in targets for p in t.parents if p != Path("/")}, key=lambda p: len(p.parts)
    )
    args: list[str] = []
    for directory in wanted:
        args += ["--perms", "0755", "--dir", str(directory)]
    return args


def child_environment(fast: bool, sandboxed: bool, task_dir: Path, threads: int) -> dict:
    """The child's whole environment: nothing of the grader's own is passed on."""
    home = "/tmp" if sandboxed else str(task_dir / "home")
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{home}/.mpl",
        "XDG_CACHE_HOME": f"{home}/.cache",  # fontconfig (matplotlib) keeps its cache there
        "KERAS_BACKEND": "tensorflow",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_ENABLE_ONEDNN_OPTS": "0",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "SEQCOURSE_FAST": "1" if fast else "0",
        "OMP_NUM_THREADS": str(threads),
        "OPENBLAS_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "TF_NUM_INTRAOP_THREADS": str(threads),
        "TF_NUM_INTEROP_THREADS": "1",
    }
    if not _package_inside_a_root():
        # A checkout or a ``pip install --target`` folder: the grader found ``seqcourse`` through
        # its own PYTHONPATH or an editable finder, which the child does not inherit.
        env["PYTHONPATH"] = str(_package_dir().parent)
    data = data_dir()
    if data is not None:
        env["SEQCOURSE_DATA"] = "/data" if sandboxed else str(data)
    return env


class _Drain(threading.Thread):
    """Reads a pipe to its end, keeping at most ``cap`` bytes (the rest is read and dropped)."""

    def __init__(self, stream, cap: int):
        super().__init__(daemon=True)
        self.stream, self.cap, self.chunks, self.size, self.dropped = stream, cap, [], 0, 0

    def run(self):
        try:
            while chunk := self.stream.read1(65536):
                if self.size < self.cap:
                    keep = chunk[: self.cap - self.size]
                    self.chunks.append(keep)
                    self.size += len(keep)
                    self.dropped += len(chunk) - len(keep)
                else:
                    self.dropped += len(chunk)
        except (OSError, ValueError):
            pass

    def text(self) -> str:
        text = b"".join(self.chunks).decode("utf-8", errors="replace")
        return text + (f"\n[... {self.dropped} more bytes not kept]" if self.dropped else "")


def _parse_events(raw: bytes) -> list[dict]:
    events = []
    for line in raw.split(b"\n"):
        try:
            event = json.loads(line)
        except ValueError:
            continue  # an incomplete last line of a killed child, or junk
        if isinstance(event, dict) and isinstance(event.get("event"), str):
            events.append(event)
    return events


def run_child(task_dir: Path, limits: Limits, *, slot: int, fast: bool, threads: int) -> RunResult:
    """Run ``child.py`` on ``task_dir`` once, in a fresh sandbox; whatever the child does."""
    if limits.timeout is None:
        raise ValueError("run_child needs Limits.timeout: call with_default_timeout(seconds)")
    sandboxed = isolation() == FULL
    read_fd, write_fd = os.pipe()
    inner_dir = "/task" if sandboxed else str(task_dir)
    command = [sys.executable, f"{inner_dir}/child.py", inner_dir, str(write_fd)]
    if sandboxed:
        command = bwrap_command(task_dir, slot, limits) + command
    else:
        (task_dir / "home").mkdir(exist_ok=True)
    env = child_environment(fast, sandboxed, task_dir, threads)
    result = RunResult()
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(write_fd,),
            env=env,
            cwd=str(task_dir) if not sandboxed else None,
            start_new_session=True,
        )
    finally:
        os.close(write_fd)
    with open(read_fd, "rb") as results_pipe:
        drains = [
            _Drain(process.stdout, OUTPUT_CAP),
            _Drain(process.stderr, OUTPUT_CAP),
            _Drain(results_pipe, RESULT_CAP),
        ]
        for drain in drains:
            drain.start()
        try:
            result.returncode = process.wait(timeout=limits.timeout)
        except subprocess.TimeoutExpired:
            result.timed_out = True
        finally:
            _kill_group(process)
            result.returncode = process.wait()
        for drain in drains:
            drain.join(timeout=5)
    result.stdout, result.stderr = drains[0].text(), drains[1].text()
    result.events = _parse_events(b"".join(drains[2].chunks))
    return result


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
