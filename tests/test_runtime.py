"""fast_mode() reads SEQCOURSE_FAST; seed_everything() seeds NumPy and, when asked, Keras."""

import subprocess
import sys

import numpy as np
import pytest

import seqcourse


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("yes", True), ("0", False), ("", False), ("off", False)],
)
def test_fast_mode_follows_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("SEQCOURSE_FAST", value)
    assert seqcourse.fast_mode() is expected


def test_seed_everything_makes_numpy_reproducible():
    first = seqcourse.seed_everything(7).normal(size=3), np.random.rand(3)  # noqa: NPY002
    second = seqcourse.seed_everything(7).normal(size=3), np.random.rand(3)  # noqa: NPY002
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_seeding_without_keras_does_not_import_tensorflow():
    code = "import sys, seqcourse; seqcourse.seed_everything(0); print('tensorflow' in sys.modules)"
    assert _run(code) == "False"


def test_seeding_after_importing_keras_makes_keras_reproducible():
    code = (
        "import seqcourse, keras\n"
        "draws = []\n"
        "for _ in range(2):\n"
        "    seqcourse.seed_everything(3)\n"
        "    draws.append(float(keras.random.normal((1,))[0]))\n"
        "print(draws[0] == draws[1])"
    )
    assert _run(code) == "True"
