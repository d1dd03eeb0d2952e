"""``seqcourse grade``: outputs, reruns, clear errors for bad input, and the Keras path."""

import json

import pytest

from seqcourse.cli import main
from seqcourse.grading import batch, sandbox
from tests.grading import toy
from tests.grading.helpers import grades, lock_holder, results, scores


def _write(folder, **notebooks):
    folder.mkdir(exist_ok=True)
    for student, text in notebooks.items():
        (folder / f"{student}.md").write_text(text)
    return folder


def test_grade_writes_gradescope_results_feedback_and_csv(tmp_path, capsys):
    subs = _write(
        tmp_path / "subs",
        alice=toy.myst(toy.HONEST_NUMPY),
        bob=toy.myst(toy.HONEST_NUMPY.replace("x @ w + b", "x @ w")),
    )
    out = tmp_path / "out"
    argv = ["grade", str(subs), "--assignment", "toy_numpy", "--out", str(out), "--jobs", "2"]
    assert main(argv) == 0
    alice = results(out, "alice")
    assert alice["score"] == 5.0 and alice["extra_data"]["status"] == "ok"
    assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(
        alice["tests"][0]
    )
    # The seconds vary between runs: they are kept beside results.json, not in it.
    assert "execution_time" not in alice
    runtime = json.loads((out / "alice" / ".runtime.json").read_text())
    assert runtime["seconds"] > 0 and runtime["host"]
    assert scores(out, "bob")["toy_affine"] == 0.0
    feedback = (out / "bob" / "feedback.md").read_text()
    assert "forgot the bias b" in feedback and "Score: 3 / 5" in feedback
    table = grades(out)
    assert list(table["alice"]) == [
        "student", "toy_affine", "toy_cumsum", "toy_mean", "toy_rnn_step", "total", "max_total",
        "status",
    ]  # fmt: skip
    assert float(table["bob"]["total"]) == 3.0

    # A rerun skips what is graded and unchanged; --force regrades; a changed file is regraded.
    capsys.readouterr()
    assert main(argv) == 0
    assert "2 unchanged" in capsys.readouterr().out
    (subs / "bob.md").write_text(toy.myst(toy.HONEST_NUMPY))
    assert main(argv) == 0
    assert "graded 1 submission" in capsys.readouterr().out
    assert scores(out, "bob")["toy_affine"] == 2.0
    assert main([*argv, "--force"]) == 0
    assert "graded 2 submission" in capsys.readouterr().out


@pytest.mark.parametrize(
    "problem, expected",
    [
        ("unknown", "unknown assignment 'nope'"),
        ("missing", "no such file or folder"),
        ("empty", "holds no .ipynb or .md submissions"),
    ],
)
def test_bad_instructor_input_is_one_clear_line(tmp_path, capsys, problem, expected):
    folder = tmp_path / "subs"
    if problem != "missing":
        _write(folder, **({} if problem == "empty" else {"a": toy.myst("x = 1")}))
    assignment = "nope" if problem == "unknown" else "toy_numpy"
    code = main(["grade", str(folder), "--assignment", assignment, "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and "Traceback" not in err


def test_single_file_and_ipynb_submission(tmp_path):
    import jupytext
    import nbformat

    notebook = jupytext.reads(toy.myst(toy.HONEST_NUMPY), fmt="md:myst")
    path = tmp_path / "carol.ipynb"
    nbformat.write(notebook, path)
    out = tmp_path / "out"
    assert main(["grade", str(path), "--assignment", "toy_numpy", "--out", str(out)]) == 0
    assert results(out, "carol")["score"] == 5.0


def test_numpy_only_submission_is_graded_without_tensorflow(tmp_path):
    probe = toy.HONEST_NUMPY + '\nimport sys\nprint("TF", "tensorflow" in sys.modules)\n'
    _write(tmp_path / "subs", dave=toy.myst(probe))
    out = tmp_path / "out"
    found = batch.find_submissions(tmp_path / "subs")
    result = batch.grade_batch(found, toy.TOY_NUMPY, out, progress=False)["dave"]
    assert result.total == 5.0
    # what keeps it fast (BENCHMARKS.md measures it): the child never imports TensorFlow
    assert "TF False" in result.stdout


@pytest.mark.slow
def test_keras_model_question_trains_in_the_child_and_is_scored_in_the_parent(tmp_path):
    under_fit = toy.HONEST_KERAS.replace("SimpleRNN(16)", "SimpleRNN(1)").replace("0.01", "1e-6")
    _write(
        tmp_path / "subs",
        good=toy.myst(toy.HONEST_KERAS),
        lazy=toy.myst(under_fit),
        uncompiled=toy.myst(toy.HONEST_KERAS.replace("model.compile(", "dict(")),
    )
    out = tmp_path / "out"
    found = batch.find_submissions(tmp_path / "subs")
    batch.grade_batch(found, toy.TOY_KERAS, out, jobs=2, fast=True, progress=False)
    assert scores(out, "good") == {"toy_forecaster": 2.0, "toy_keras_affine": 1.0}
    assert scores(out, "lazy")["toy_forecaster"] == 0.0
    lazy = results(out, "lazy")["tests"][0]["output"]
    assert "your model: mse" in lazy and "needed: at most 0.05" in lazy
    uncompiled = results(out, "uncompiled")["tests"][0]["output"]
    assert "not compiled" in uncompiled
    good = json.dumps(results(out, "good"))
    assert sandbox.FULL in good or sandbox.REDUCED in good


@pytest.mark.parametrize(
    "flags, timeout, memory_mb",
    [
        ([], "assignment", sandbox.Limits().memory_mb),
        (["--memory", "2048"], "assignment", 2048),  # --memory alone keeps the assignment's timeout
        (["--timeout", "33"], 33.0, sandbox.Limits().memory_mb),
        (["--timeout", "33", "--memory", "2048"], 33.0, 2048),
    ],
)
def test_grade_limits_default_to_the_assignments_timeout(
    tmp_path, monkeypatch, flags, timeout, memory_mb
):
    seen = []

    def fake_grade_cells(student, cells, prepared, limits, **kwargs):
        seen.append((limits, prepared.default_timeout()))
        return batch._malformed(student, prepared.assignment, ValueError("not run in this test"))

    monkeypatch.setattr(batch, "grade_cells", fake_grade_cells)
    subs = _write(tmp_path / "subs", erin=toy.myst(toy.HONEST_NUMPY))
    argv = ["grade", str(subs), "--assignment", "05_gru", "--out", str(tmp_path / "out"), *flags]
    assert main(argv) == 0
    ((limits, assignment_timeout),) = seen
    assert assignment_timeout > 120  # 05_gru trains models: far above a plain notebook's budget
    assert limits.timeout == (assignment_timeout if timeout == "assignment" else timeout)
    assert limits.memory_mb == memory_mb


def test_two_graders_cannot_share_an_out_folder(tmp_path, capsys):
    subs = _write(tmp_path / "subs", alice=toy.myst(toy.HONEST_NUMPY))
    out = tmp_path / "out"
    argv = ["grade", str(subs), "--assignment", "toy_numpy", "--out", str(out)]
    with lock_holder("batch.output_lock(out)", out) as holder:  # another grader
        assert main(argv) != 0
        message = capsys.readouterr().err
        assert f"process {holder.pid}" in message and "another --out" in message
        assert not (out / "alice").exists()  # nothing written beside the other grader
    # Killed without unlocking: the kernel released the lock, and grading proceeds.
    assert main(argv) == 0
    assert results(out, "alice")["score"] == 5.0


def test_a_grader_killed_mid_batch_loses_and_duplicates_nothing(tmp_path, capsys):
    """SIGKILL mid-batch, then a rerun: every submission graded once, the files those of an
    uninterrupted grading of the same batch, byte for byte (grading twice writes identical
    files), and nothing half-written left behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT
    from tests.grading.test_shards import CLI_WITH_TOYS, graded_files

    slow = toy.HONEST_NUMPY + "\nimport time\ntime.sleep(0.4)\n"  # the kill lands mid-batch
    subs = _write(
        tmp_path / "subs",
        **{f"s{i}": toy.myst(slow.replace("** 2", f"** {i % 3 + 1}")) for i in range(6)},
    )
    out, clean = tmp_path / "out", tmp_path / "clean"
    argv = ["grade", str(subs), "--assignment", "toy_numpy", "--out"]
    grader = subprocess.Popen(
        [sys.executable, "-c", CLI_WITH_TOYS, *argv, str(out)], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while len(list(out.glob("*/.submission.sha256"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(grader.pid, signal.SIGKILL)
    grader.wait()
    finished = {p.parent.name for p in out.glob("*/.submission.sha256")}
    assert 2 <= len(finished) < 6, finished
    # What a kill inside atomic_write leaves: a temporary file, a result without its stamp.
    unfinished = sorted({f"s{i}" for i in range(6)} - finished)[0]
    (out / unfinished).mkdir(exist_ok=True)
    (out / unfinished / ".results.json.k1ll3d").write_text('{"score": 99')
    (out / unfinished / "results.json").write_text('{"score": 99}')
    (out / ".grades.csv.k1ll3d").write_text("student,total\ns0,99\n")
    mtimes = {s: (out / s / "results.json").stat().st_mtime_ns for s in finished}

    capsys.readouterr()
    assert main([*argv, str(out)]) == 0
    assert f"graded {6 - len(finished)} submission(s)" in capsys.readouterr().out
    assert mtimes == {s: (out / s / "results.json").stat().st_mtime_ns for s in finished}
    assert main([*argv, str(clean), "--jobs", "2"]) == 0
    assert graded_files(out) == graded_files(clean)
    stamps = {p.relative_to(out): p.read_bytes() for p in out.glob("*/.submission.sha256")}
    assert stamps == {
        p.relative_to(clean): p.read_bytes() for p in clean.glob("*/.submission.sha256")
    }
    leftovers = [
        p.name
        for p in out.rglob(".*.*")
        if p.name not in (".submission.sha256", ".runtime.json", ".grading.lock")
    ]
    assert not leftovers
    with open(out / "grades.csv") as handle:
        rows = [line.split(",")[0] for line in handle.read().splitlines()[1:]]
    assert rows == [f"s{i}" for i in range(6)]
