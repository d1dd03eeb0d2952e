"""Assignment ``15_practice``: drift of a token distribution measured by a smoothed categorical PSI,
the padding share of bucketed serving with truncation, and the bytes of a GRU text classifier's
training checkpoint (weights plus Adam's two moments).

The chapter's PSI bins a continuous feature at the reference's quantiles; here the bins are the
vocabulary's ids. The chapter's predictor counts its own padding; here the student predicts it
from the lengths alone.
"""

from __future__ import annotations

import numpy as np

from seqcourse.grading.spec import Assignment, Case, FunctionQuestion, Mistake, ValueQuestion

# --- trusted references (the answer key, held by the grader) -------------------------------


def token_psi(
    reference_ids, current_ids, vocab_size, alpha=0.5, *, count_padding=False, symmetric=True
):
    """PSI between the token distributions of two batches of token ids ``(B, T)``.

    Shares over the ids ``1 .. vocab_size - 1`` (id 0 is padding and is not counted), each
    smoothed by add-``alpha``: ``(count_k + alpha) / (total + alpha (vocab_size - 1))``. Returns
    ``sum_k (c_k - r_k) ln(c_k / r_k)``. The keyword switches give typical mistakes.
    """
    first = 0 if count_padding else 1

    def shares(ids):
        counts = np.bincount(np.asarray(ids).ravel(), minlength=vocab_size)[first:vocab_size]
        return (counts + alpha) / (counts.sum() + alpha * len(counts))

    r, c = shares(reference_ids), shares(current_ids)
    if not symmetric:  # KL(c || r) only
        return float(np.sum(c * np.log(c / r)))
    return float(np.sum((c - r) * np.log(c / r)))


def bucket_padding_share(lengths, boundaries, *, truncate=True, inclusive=True):
    """Share of padded positions when each request is padded to its bucket's boundary.

    A request of length ``L`` goes to the smallest boundary ``>= L``; longer than the last
    boundary, it is truncated to it. Returns ``1 - real tokens / padded positions``.
    """
    lengths = np.asarray(lengths)
    edges = np.asarray(boundaries)
    kept = np.minimum(lengths, edges[-1]) if truncate else lengths
    side = "left" if inclusive else "right"
    index = np.minimum(
        np.searchsorted(edges, np.minimum(lengths, edges[-1]), side=side), len(edges) - 1
    )
    slots = edges[index]
    return float(1.0 - kept.sum() / slots.sum())


def checkpoint_bytes(vocab=20000, embed=128, units=96, *, adam=True, reset_after=True):
    """Bytes of the float32 weights of Embedding(V, E) -> GRU(H) -> Dense(1), with Adam's state.

    GRU(reset_after=True): 3 H (E + H + 2); Adam keeps two moments per weight, so the checkpoint
    holds 3 float32 numbers per parameter (its step counter and learning rate are ignored).
    """
    gru = 3 * units * (embed + units + (2 if reset_after else 1))
    parameters = vocab * embed + gru + (units + 1)
    return 4 * parameters * (3 if adam else 1)


# --- cases ---------------------------------------------------------------------------------


def _ids_case(rng, vocab, batch, steps, shift):
    """Two padded id batches; the second favours the upper half of the vocabulary by ``shift``."""

    def draw(bias):
        weights = np.exp(bias * np.linspace(-1, 1, vocab - 1))
        ids = rng.choice(np.arange(1, vocab), size=(batch, steps), p=weights / weights.sum())
        lengths = rng.integers(1, steps + 1, size=batch)
        ids[np.arange(steps)[None, :] >= lengths[:, None]] = 0  # post-padding
        return ids

    return Case((draw(0.0), draw(shift), vocab))


def _public_psi():
    rng = np.random.default_rng(151)
    return [_ids_case(rng, 8, 4, 6, 1.0), _ids_case(rng, 12, 5, 9, 0.0)]


def _hidden_psi(rng):
    return [
        _ids_case(rng, int(rng.integers(5, 40)), int(rng.integers(2, 8)), 10, float(shift))
        for shift in (0.0, 0.5, 2.0, 4.0)
    ]


def _public_padding():
    return [
        Case(([3, 16, 17, 40, 70], (16, 32, 64))),
        Case(([1, 2, 8, 9], (4, 8))),
    ]


def _hidden_padding(rng):
    cases = []
    for _ in range(4):
        edges = np.cumsum(rng.integers(2, 20, size=int(rng.integers(1, 5))))
        lengths = rng.integers(1, int(edges[-1]) + 15, size=int(rng.integers(3, 40)))
        lengths[0] = edges[0]  # a length equal to a boundary belongs to that bucket
        cases.append(Case((lengths.tolist(), tuple(int(e) for e in edges))))
    return cases


ASSIGNMENT = Assignment(
    "15_practice",
    (
        FunctionQuestion(
            "token_psi",
            3,
            "token_psi",
            "PSI between the smoothed token distributions of two batches of ids",
            token_psi,
            _public_psi,
            _hidden_psi,
            mistakes=(
                Mistake(
                    "id 0 is padding: count the ids 1 .. vocab_size - 1 only",
                    lambda r, c, v: token_psi(r, c, v, count_padding=True),
                ),
                Mistake(
                    "PSI is sum (c - r) ln(c / r), not sum c ln(c / r)",
                    lambda r, c, v: token_psi(r, c, v, symmetric=False),
                ),
                Mistake(
                    "smooth with alpha = 0.5 added to every count",
                    lambda r, c, v: token_psi(r, c, v, alpha=1.0),
                ),
            ),
        ),
        FunctionQuestion(
            "bucket_padding_share",
            2,
            "bucket_padding_share",
            "the share of padding when every request is padded to its bucket's boundary",
            bucket_padding_share,
            _public_padding,
            _hidden_padding,
            mistakes=(
                Mistake(
                    "a request longer than the last boundary is truncated to it",
                    lambda lengths, edges: bucket_padding_share(lengths, edges, truncate=False),
                ),
                Mistake(
                    "a length equal to a boundary fits that bucket (L <= boundary)",
                    lambda lengths, edges: bucket_padding_share(lengths, edges, inclusive=False),
                ),
            ),
        ),
        ValueQuestion(
            "checkpoint_bytes",
            1,
            "n_checkpoint_bytes",
            "bytes of a GRU text classifier's checkpoint: float32 weights and Adam's moments",
            checkpoint_bytes,
            rtol=0,
            atol=0,
            mistakes=(
                Mistake(
                    "Adam keeps two moments per weight, saved with the weights",
                    lambda: checkpoint_bytes(adam=False),
                ),
                Mistake(
                    "Keras's GRU has reset_after=True: two bias rows, 3 H (E + H + 2)",
                    lambda: checkpoint_bytes(reset_after=False),
                ),
            ),
        ),
    ),
    cell_timeout=60.0,
    call_timeout=10.0,
)
