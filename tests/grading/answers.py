"""Independent correct answers to exercise 3 (``03_training_rnns``), and ways to disguise a copy.

Three genuinely different implementations of each question, written separately (different loops,
data structures, NumPy calls), for the similarity tests (honest solutions must not be flagged;
disguised copies must be) and for ``scripts/bench_grading.py``'s generated submissions. A
submission is the solution notebook with each ``# BEGIN SOLUTION`` block replaced by an answer,
so everything else is the exercise a student fills in.
"""

import re

from tests.conftest import ROOT

SOLUTION = ROOT / "solutions" / "03_training_rnns.md"
BLOCK = re.compile(r"^([ \t]*)# BEGIN SOLUTION\n.*?^[ \t]*# END SOLUTION\n", re.M | re.S)

BPTT = [
    # A: the course's own solution (states in one array, an einsum for dV).
    None,
    # B: lists of states, a dict of gradients, the output error computed inside the backward loop.
    """\
B, T, D = x.shape
H = U.shape[0]
hs = [np.zeros((B, H))]
for t in range(T):
    hs.append(np.tanh(x[:, t, :] @ W + hs[-1] @ U + b))
n = y.size
grads = {"W": np.zeros_like(W), "U": np.zeros_like(U), "b": np.zeros_like(b)}
grads["V"], grads["c"] = np.zeros_like(V), np.zeros_like(c)
carry = np.zeros((B, H))
for t in range(T - 1, -1, -1):
    err = (hs[t + 1] @ V + c - y[:, t, :]) * (2.0 / n)
    grads["V"] += hs[t + 1].T @ err
    grads["c"] += err.sum(0)
    dz = (1 - hs[t + 1] * hs[t + 1]) * (err @ V.T + carry)
    grads["W"] += x[:, t, :].T @ dz
    grads["U"] += hs[t].T @ dz
    grads["b"] += dz.sum(0)
    carry = dz @ U.T
return grads["W"], grads["U"], grads["b"], grads["V"], grads["c"]
""",
    # C: time-major arrays and tensordot; pre-activation gradients stored, summed at the end.
    """\
xs = np.moveaxis(x, 1, 0)
steps = xs.shape[0]
h = np.zeros((steps + 1, x.shape[0], W.shape[1]))
for k in range(1, steps + 1):
    h[k] = np.tanh(np.dot(xs[k - 1], W) + np.dot(h[k - 1], U) + b)
out = np.tensordot(h[1:], V, axes=([2], [0])) + c
g = 2 * (out - np.moveaxis(y, 1, 0)) / out.size
gV = np.tensordot(h[1:], g, axes=([0, 1], [0, 1]))
gc = np.sum(g, axis=(0, 1))
gz = np.empty_like(h[1:])
upstream = 0.0
for k in reversed(range(steps)):
    gz[k] = (np.dot(g[k], V.T) + upstream) * (1 - np.square(h[k + 1]))
    upstream = np.dot(gz[k], U.T)
gW = np.tensordot(xs, gz, axes=([0, 1], [0, 1]))
gU = np.tensordot(h[:-1], gz, axes=([0, 1], [0, 1]))
gb = gz.sum(axis=(0, 1))
return gW, gU, gb, gV, gc
""",
]

CLIP = [
    None,
    """\
flat = np.concatenate([np.ravel(g) for g in grads])
norm = np.linalg.norm(flat)
if norm <= max_norm:
    return [np.array(g, dtype=float) for g in grads]
return [np.asarray(g) * (max_norm / norm) for g in grads]
""",
    """\
total = 0.0
for g in grads:
    total += float((g ** 2).sum())
factor = max_norm / max(np.sqrt(total), max_norm)
out = []
for g in grads:
    out.append(factor * g)
return out
""",
]

GROWTH = [
    None,
    """\
U_mat = np.array([[0.9, 2.0], [0.0, 0.8]])
norms = [np.linalg.norm(np.linalg.matrix_power(U_mat, k), ord=2) for k in range(1, 101)]
largest_gain = float(np.max(norms))
print("peak at k =", 1 + int(np.argmax(norms)), "value", largest_gain)
""",
    """\
A = np.array([[0.9, 2.0], [0.0, 0.8]])
best, best_k, P = 0.0, 0, A.copy()
for k in range(1, 101):
    s = np.linalg.svd(P, compute_uv=False)[0]
    if s > best:
        best, best_k = s, k
    P = P @ A
largest_gain = float(best)
print(f"k* = {best_k}: {largest_gain:.4f}")
""",
]


def _indent(code: str, indent: str) -> str:
    return "".join(f"{indent}{line}" if line.strip() else line for line in code.splitlines(True))


def submission(bptt: int, clip: int, growth: int, solution: str | None = None) -> str:
    """The solution notebook with implementation ``bptt``/``clip``/``growth`` (0 = the course's own)
    of each answer, in the solution's order (BPTT, clipping, growth)."""
    text = solution if solution is not None else SOLUTION.read_text()
    choices = iter([BPTT[bptt], CLIP[clip], GROWTH[growth]])

    def replace(match):
        answer = next(choices)
        if answer is None:
            return match.group(0)
        return _indent(answer, match.group(1))

    return BLOCK.sub(replace, text)


def rename(code: str, names: dict[str, str]) -> str:
    """``code`` with identifiers renamed (a copier's first disguise); attributes keep their names
    (renaming ``norm`` leaves ``np.linalg.norm`` alone)."""
    for old, new in names.items():
        code = re.sub(rf"(?<![.\w]){re.escape(old)}\b", new, code)
    return code


def recomment(code: str, note: str) -> str:
    """Every ``#`` comment dropped (hints included) and one of the copier's own added per block."""
    lines = [re.sub(r"\s*#(?! (BEGIN|END) SOLUTION).*$", "", line) for line in code.splitlines()]
    out = []
    for line in lines:
        out.append(line)
        if line.strip().startswith(("for ", "def ")):
            indent = re.match(r"\s*", line).group(0) + "    "
            out.append(f"{indent}# {note}")
    return "\n".join(out) + "\n"


def reformat(code: str) -> str:
    """Other spacing, quotes and line breaks, as a formatter or a copier would leave them."""
    code = code.replace(" @ ", "@").replace(" = ", "  =  ").replace('"', "'")
    code = re.sub(r"\(([^()\n]{20,}), ", r"(\n        \1,\n        ", code)
    return code.replace("\n\n", "\n\n\n")
