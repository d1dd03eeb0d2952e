"""What the sandboxed child can and cannot do, observed from inside it."""

import dataclasses
import json
import os
from pathlib import Path

import pytest

from seqcourse.grading import runner, sandbox
from tests.conftest import ROOT
from tests.grading import toy

PROBE = f'''
import json, os, socket, resource, importlib
facts = {{"uid": os.getuid(), "euid": os.geteuid(), "cwd": os.getcwd()}}
facts["sees_solutions"] = os.path.exists("{ROOT}/solutions") or os.path.exists("{ROOT}/tests")
facts["sees_questions"] = os.path.exists("{ROOT}/seqcourse/grading/questions")
try:
    importlib.import_module("seqcourse.reference")
    facts["reference"] = True
except ImportError:
    facts["reference"] = False
try:
    socket.create_connection(("1.1.1.1", 53), timeout=1)
    facts["network"] = True
except OSError:
    facts["network"] = False
try:
    open("/task/child.py", "a")
    facts["task_writable"] = True
except OSError:
    facts["task_writable"] = False
with open("/tmp/scratch.txt", "w") as handle:
    facts["tmp_writable"] = handle.write("ok") == 2
facts["nproc"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
facts["pid"] = os.getpid()
import seqcourse
facts["fast"] = seqcourse.fast_mode()
print("FACTS" + json.dumps(facts))
'''


def _facts(tmp_path, fast=True) -> dict:
    prepared = runner.Prepared(toy.TOY_NUMPY, fast=fast)
    task, arrays = prepared.task([], [PROBE], set())
    task["limits"] = sandbox.Limits(timeout=30).for_child()
    task["sandboxed"] = sandbox.isolation() == sandbox.FULL
    runner._write_task(tmp_path, task, arrays)
    run = sandbox.run_child(tmp_path, sandbox.Limits(timeout=30), slot=3, fast=fast, threads=1)
    line = next(line for line in run.stdout.splitlines() if line.startswith("FACTS"))
    return json.loads(line[5:])


@pytest.mark.skipif(sandbox.isolation() != sandbox.FULL, reason="needs bubblewrap")
def test_sandbox_is_unprivileged_offline_and_blind(tmp_path):
    facts = _facts(tmp_path)
    assert facts["uid"] != 0 and facts["euid"] != 0
    if os.geteuid() == 0:
        assert facts["uid"] == sandbox.uid_range()[3]
    assert facts["pid"] < 10, "not in its own PID namespace"
    assert not facts["sees_solutions"] and not facts["sees_questions"]
    assert not facts["reference"] and not facts["network"] and not facts["task_writable"]
    assert facts["tmp_writable"] and facts["fast"] is True
    assert facts["nproc"] == sandbox.Limits().nproc


def test_reduced_isolation_is_announced(tmp_path, monkeypatch):
    monkeypatch.setenv(sandbox.SANDBOX_ENV, "none")
    sandbox.isolation.cache_clear()
    try:
        assert sandbox.isolation() == sandbox.REDUCED
        facts = _facts(tmp_path)
        assert facts["reference"] is False  # blocked by the child even without the sandbox
        prepared = runner.Prepared(toy.TOY_NUMPY, fast=True)
        result = runner.grade_cells("s", [toy.HONEST_NUMPY], prepared, sandbox.Limits(timeout=30))
        assert result.isolation == sandbox.REDUCED and result.total == result.max_total
        from seqcourse.grading.reports import gradescope_results

        report = gradescope_results(result)
        assert "reduced isolation" in report["output"]
        assert report["extra_data"]["isolation"] == sandbox.REDUCED
    finally:
        sandbox.isolation.cache_clear()


def test_bwrap_command_binds_only_what_python_needs(tmp_path):
    command = sandbox.bwrap_command(Path(tmp_path), 0, sandbox.Limits())
    bound = {command[i + 1] for i, a in enumerate(command) if a in ("--ro-bind", "--bind")}
    package = ROOT / "seqcourse"
    assert "/" not in bound and str(ROOT) not in bound
    assert not any(b.startswith(str(package / "reference")) for b in bound)
    assert not any(b.startswith(str(package / "grading")) for b in bound)
    assert "--bind" not in command, "nothing of the host is writable"
    assert "--unshare-net" in command and "--die-with-parent" in command


@pytest.mark.skipif(sandbox.isolation() != sandbox.FULL, reason="needs bubblewrap")
def test_plotting_inside_the_sandbox_is_quiet(tmp_path):
    """matplotlib finds the fonts and a writable cache, so students' feedback shows no noise."""
    plot = "\n".join(
        ["import matplotlib.pyplot as plt", "plt.plot([0, 1])", 'plt.savefig("/tmp/p.png")']
        + ['print("PLOTTED")']
    )
    # The toy's 3 s per cell is about grading; importing matplotlib on a busy machine takes longer.
    patient = dataclasses.replace(toy.TOY_NUMPY, cell_timeout=45.0)
    prepared = runner.Prepared(patient, fast=True)
    task, arrays = prepared.task([], [plot], set())
    task["limits"] = sandbox.Limits(timeout=50).for_child()
    task["sandboxed"] = True
    runner._write_task(tmp_path, task, arrays)
    run = sandbox.run_child(tmp_path, sandbox.Limits(timeout=60), slot=4, fast=True, threads=1)
    assert "PLOTTED" in run.stdout, run.events
    assert "Fontconfig" not in run.stdout + run.stderr
