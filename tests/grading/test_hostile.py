"""Hostile submissions (tests/grading/hostile/) cost only the question they attack, and the host is
unharmed: nothing written to OUT or the repository, no secrets read, no process left behind."""

import inspect
import os
import re
import textwrap
import time

import pytest

from seqcourse.grading import batch, sandbox
from tests.conftest import ROOT
from tests.grading import toy
from tests.grading.helpers import HOSTILE, grades, results, scores, with_honest_answers

pytestmark = [
    pytest.mark.skipif(sandbox.isolation() != sandbox.FULL, reason="needs bubblewrap"),
    pytest.mark.slow,
]

FULL_MARKS = {"toy_affine": 2.0, "toy_cumsum": 1.0, "toy_mean": 1.0, "toy_rnn_step": 1.0}
ATTACKS_AFFINE = {**FULL_MARKS, "toy_affine": 0.0}
ATTACKS_STEP = {**FULL_MARKS, "toy_rnn_step": 0.0}
NOTHING = dict.fromkeys(FULL_MARKS, 0.0)
EXPECTED = {path.stem: ATTACKS_AFFINE for path in HOSTILE.glob("*.md")}
EXPECTED.update(
    honest=FULL_MARKS,
    reference_call=ATTACKS_STEP,
    reference_copy=ATTACKS_STEP,
    broken=NOTHING,
    nbformat3=NOTHING,
)


def _pasted_reference_step() -> str:
    """simple_rnn_step's source with renamed variables and the helpers it needs, so it runs."""
    reference = pytest.importorskip("seqcourse.reference.rnn")
    source = textwrap.dedent(inspect.getsource(reference.simple_rnn_step))
    source = source.replace("simple_rnn_step", "rnn_step").replace("x_t", "inputs")
    source = re.sub(r"\bf\b", "squash", source)
    shims = (
        "import numpy as np\n\n\nclass _validate:\n"
        "    recurrent_step_inputs = staticmethod(lambda layer, *arrays: arrays)\n"
        "    activation_name = staticmethod(lambda name: name)\n\n\n"
        "ACTIVATIONS = {'tanh': np.tanh}\n"
    )
    return toy.myst(shims, source)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("out")
    (out / "victim").mkdir()
    (out / "victim" / "results.json").write_text('{"score": 1}')
    (out / "grades.csv").write_text("student,total\n")
    for path in HOSTILE.iterdir():
        text = path.read_text()
        if path.suffix == ".md":
            text = with_honest_answers(text)
            text = text.replace("__ROOT__", str(ROOT)).replace("__OUT__", str(out))
        (submissions / path.name).write_text(text)
    (submissions / "honest.md").write_text(toy.myst(toy.HONEST_NUMPY))
    (submissions / "reference_copy.md").write_text(with_honest_answers(_pasted_reference_step()))
    found = batch.find_submissions(submissions)
    limits = sandbox.Limits(timeout=12, memory_mb=1024)
    batch.grade_batch(found, toy.TOY_NUMPY, out, jobs=2, limits=limits, progress=False)
    return out, found


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_attack_scores_zero_only_where_it_attacks(graded, student):
    out, _ = graded
    assert scores(out, student) == EXPECTED[student], results(out, student)


def test_malformed_notebooks_are_reported_not_fatal(graded):
    out, _ = graded
    for student in ("broken", "nbformat3"):
        report = results(out, student)
        assert report["extra_data"]["status"] == "malformed"
        assert "nbformat" in report["output"] or "JSON" in report["output"]


def test_reasons_are_specific(graded):
    out, _ = graded
    outputs = {s: {t["name"]: t["output"] for t in results(out, s)["tests"]} for s in EXPECTED}
    assert (
        "plain" in outputs["ndarray_subclass"]["toy_affine"]
        or "Agreeable" in (outputs["ndarray_subclass"]["toy_affine"])
    )
    assert "copy of the course's seqcourse.reference" in outputs["reference_copy"]["toy_rnn_step"]
    assert "uses seqcourse.reference" in outputs["reference_call"]["toy_rnn_step"]
    assert "longer than" in outputs["loop_forever"]["toy_affine"]
    assert "time limit" in outputs["sleep_forever"]["toy_affine"]
    assert "MemoryError" in outputs["memory_bomb"]["toy_affine"]
    assert "forgot the bias" in outputs["monkeypatch"]["toy_affine"]


def test_grader_outputs_are_intact(graded):
    out, found = graded
    assert (out / "victim" / "results.json").read_text() == '{"score": 1}'
    assert not (out / "victim.txt").exists()
    assert not (ROOT / "PWNED.txt").exists()
    table = grades(out)
    assert set(table) == set(found)
    assert float(table["honest"]["total"]) == float(table["honest"]["max_total"]) == 5.0
    assert float(table["fake_score"]["total"]) == 3.0


def _sandbox_processes() -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                text = open(f"/proc/{pid}/status").read()
            except OSError:
                continue
            uid = int(re.search(r"^Uid:\s+(\d+)", text, re.M).group(1))
            state = re.search(r"^State:\s+(\S)", text, re.M).group(1)
            if uid in sandbox.uid_range() and state != "Z":  # this process's sandboxes only
                found.append(pid)
    return found


def test_no_sandbox_process_survives(graded):
    deadline = time.monotonic() + 10  # the kernel tears a PID namespace down asynchronously
    while _sandbox_processes() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _sandbox_processes()


def test_the_report_names_each_failure_cause(graded):
    from seqcourse.grading import analytics

    out, found = graded
    causes = {g.student: g.causes for g in analytics.collect(out, found)}
    assert "time limit" in causes["sleep_forever"] and "time limit" in causes["loop_forever"]
    assert "memory" in causes["memory_bomb"]
    assert "crash" in causes["fork_bomb"] and "crash" in causes["os_exit_in_function"]
    assert "provenance" in causes["reference_call"] and "provenance" in causes["reference_copy"]
    assert causes["broken"] == causes["nbformat3"] == {"unreadable notebook"}
    assert causes["honest"] == set()
