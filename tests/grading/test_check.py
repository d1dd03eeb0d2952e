"""``check`` in the student's kernel: public cases only, specific messages, never "all tests"."""

import numpy as np

from seqcourse.grading import check
from tests.grading import toy  # noqa: F401  (registers the toy assignments)


def _run(source: str, question: str, capsys) -> str:
    namespace = {"check": check}
    exec(source + f"\ncheck({question!r})\n", namespace)
    return capsys.readouterr().out


def test_honest_answer_passes_public_checks_only(capsys):
    out = _run(toy.HONEST_NUMPY, "toy_rnn_step", capsys)
    assert "toy_rnn_step: public checks passed (1 cases); hidden cases decide" in out
    assert "all tests" not in out.lower()


def test_typical_mistake_gets_a_hint(capsys):
    wrong = "import numpy as np\ndef affine(x, w, b):\n    return x @ w\n"
    out = _run(wrong, "toy_affine", capsys)
    assert "public 0 failed: values differ" in out and "Hint: forgot the bias b" in out


def test_missing_stub_and_unknown_question(capsys):
    assert "not defined yet" in _run("", "toy_affine", capsys)
    stub = "def affine(x, w, b):\n    raise NotImplementedError\n"
    assert "not implemented yet" in _run(stub, "toy_affine", capsys)
    assert "no question called 'nope'" in _run("", "nope", capsys)
    assert "shape (3,)" in _run("import numpy as np\nanswer = np.ones(3)", "toy_mean", capsys)
    assert np.isfinite(28.5)
