"""The Gradescope autograder zip: Gradescope's layout, and a run in a directory laid out like it."""

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest

from seqcourse.cli import main
from seqcourse.data.store import cache_dir
from tests.conftest import ROOT

ASSIGNMENT = "03_training_rnns"  # NumPy only: graded in seconds
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The zip, unpacked as /autograder/source, and its wheel installed apart from the checkout."""
    root = tmp_path_factory.mktemp("gradescope")
    archive = root / "autograder.zip"
    assert main(["gradescope", ASSIGNMENT, "--out", str(archive)]) == 0
    source = root / "autograder" / "source"
    with zipfile.ZipFile(archive) as opened:
        modes = {i.filename: i.external_attr >> 16 for i in opened.infolist()}
        opened.extractall(source)
    for script in ("setup.sh", "run_autograder"):  # zipfile does not restore modes
        (source / script).chmod(modes[script])
    wheel = next(source.glob("seqcourse-*.whl"))
    site = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--target", str(site), str(wheel)],
        check=True,
    )  # fmt: skip
    return {"zip": archive, "modes": modes, "root": root / "autograder", "site": site}


def _run(autograder, *submissions):
    """Lay out submission/ and results/, run run_autograder; the parsed results.json."""
    root = autograder["root"]
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()
    for path in submissions:
        shutil.copy(path, root / "submission" / path.name)
    env = dict(
        os.environ,
        AUTOGRADER_ROOT=str(root),
        SEQCOURSE_AUTOGRADER_PYTHON=sys.executable,
        SEQCOURSE_DATA=str(cache_dir()),
        PYTHONPATH=str(autograder["site"]),  # the wheel's seqcourse, not the checkout's
    )
    which = subprocess.run(
        [sys.executable, "-c", "import seqcourse; print(seqcourse.__file__)"],
        env=env, cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert which.stdout.startswith(str(autograder["site"]))
    done = subprocess.run(
        [str(root / "source" / "run_autograder")], env=env, cwd=root, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def _check_schema(results):
    """The fields and types of Gradescope's documented results.json."""
    assert isinstance(results["score"], int | float)
    assert isinstance(results["output"], str) and results["visibility"] in VISIBILITY
    assert isinstance(results.get("execution_time", 0.0), int | float)
    for test in results["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], int | float) and isinstance(test["max_score"], int | float)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITY
        assert isinstance(test["output"], str)
    if results["tests"]:
        assert sum(t["score"] for t in results["tests"]) == pytest.approx(results["score"])


def test_zip_has_gradescopes_layout(autograder):
    names = set(autograder["modes"])
    assert {"setup.sh", "run_autograder", "requirements.txt", "constraints.txt"} <= names
    assert any(n.startswith("seqcourse-") and n.endswith(".whl") for n in names)
    assert all("/" not in n for n in names)  # everything at the top level of the zip
    for script in ("setup.sh", "run_autograder"):
        assert autograder["modes"][script] & stat.S_IXUSR
    source = autograder["root"] / "source"
    requirements = (source / "requirements.txt").read_text().split()
    assert requirements and all("==" in r for r in requirements)
    setup = (source / "setup.sh").read_text()
    assert "bubblewrap" in setup and "seqcourse data fetch" in setup
    assert json.loads((source / "assignment.json").read_text())["assignment"] == ASSIGNMENT


@pytest.mark.slow
def test_run_autograder_grades_like_seqcourse_grade(autograder):
    solution = _run(autograder, ROOT / "solutions" / f"{ASSIGNMENT}.md")
    _check_schema(solution)
    assert solution["score"] == solution["extra_data"]["max_total"] > 0
    assert solution["execution_time"] > 0  # from .runtime.json: seqcourse grade keeps it apart
    exercise = _run(autograder, ROOT / "exercises" / f"{ASSIGNMENT}.md")
    _check_schema(exercise)
    assert exercise["score"] == 0 and len(exercise["tests"]) == len(solution["tests"])


def test_run_autograder_explains_a_wrong_upload(autograder, tmp_path):
    empty = _run(autograder)
    _check_schema(empty)
    assert empty["score"] == 0 and "Upload exactly one notebook" in empty["output"]
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    for path in (first, second):
        shutil.copy(ROOT / "exercises" / f"{ASSIGNMENT}.md", path)
    two = _run(autograder, first, second)
    assert two["score"] == 0 and "found: a.md, b.md" in two["output"]
