"""``seqcourse grade``: outputs, reruns, clear errors for bad input, and the Keras path."""

import json

import pytest

from seqcourse.cli import main
from seqcourse.grading import batch, sandbox
from tests.grading import toy
from tests.grading.helpers import grades, results, scores


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
    assert isinstance(alice["execution_time"], float)
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
    import subprocess
    import sys

    subs = _write(tmp_path / "subs", alice=toy.myst(toy.HONEST_NUMPY))
    out = tmp_path / "out"
    holder = subprocess.Popen(  # another grader, holding OUT's lock
        [
            sys.executable, "-c",
            "import sys, time; from pathlib import Path; from seqcourse.grading import batch\n"
            "with batch.output_lock(Path(sys.argv[1])):\n"
            "    print('locked', flush=True); time.sleep(60)",
            str(out),
        ],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        argv = ["grade", str(subs), "--assignment", "toy_numpy", "--out", str(out)]
        assert main(argv) != 0
        message = capsys.readouterr().err
        assert f"process {holder.pid}" in message and "another --out" in message
        assert not (out / "alice").exists()  # nothing written beside the other grader
    finally:
        holder.kill()
        holder.wait()
    # Killed without unlocking: the kernel released the lock, and grading proceeds.
    assert main(argv) == 0
    assert results(out, "alice")["score"] == 5.0
