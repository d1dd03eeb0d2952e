"""Pairs of submissions whose answers are suspiciously alike: winnowed fingerprints, indexed.

Each submission's code cells are read as Python tokens (:mod:`tokenize`) and normalised so that
what a copier changes cheaply changes nothing: comments, docstrings, blank lines, indentation and
line breaks inside brackets are dropped, a trailing comma before a closing bracket too; every
identifier becomes ``V``, every string ``S``, every number ``N``. Keywords, builtins and attribute
names (``np.tanh``, ``.T``, ``.shape``) stay, since they are what the code does, and renaming a
variable does not reach them.

Fingerprints (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
fingerprinting", SIGMOD 2003): the hash of every run of :data:`K` consecutive tokens of a cell, of
which winnowing keeps the smallest in every window of :data:`W` consecutive hashes, so that two
submissions sharing any run of ``W + K - 1`` tokens share a fingerprint. Every hash of the
exercise notebook (the template the students start from) is removed first: the code everyone was
given is not evidence.

The scan never compares all pairs of texts: an index maps each fingerprint to the submissions that
hold it, and pairs are counted along its lists. A fingerprint held by more than ``max_share``
submissions is common code (an idiom of the course, the obvious line everyone writes) and is left
out, so the work grows with the number of fingerprints times ``max_share``, linearly in the
number of submissions. A pair is flagged when it shares at least ``min_shared`` fingerprints
making up at least ``threshold`` of the smaller submission's fingerprints.

copydetect (PyPI) was considered and not used: its detector compares every pair of files
(quadratic), hashes with Python's per-process salted ``hash`` and keeps number literals as they are.
"""

from __future__ import annotations

import builtins
import functools
import io
import keyword
import tokenize
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

K = 12  # tokens per k-gram: about one statement of NumPy code
W = 6  # winnowing window: any shared run of W + K - 1 = 17 tokens is seen
MIN_SHARED = 6
THRESHOLD = 0.5
MAX_SHARE = 50

_KEEP = set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))
_SKIP = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}
_CLOSING = {")", "]", "}"}
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)
_FSTRING_END = getattr(tokenize, "FSTRING_END", -1)


def normalise(source: str) -> list[tuple[str, int]]:
    """``(token, line)`` of ``source`` as the fingerprints see it (see the module's docstring).

    Source that does not tokenize (an unclosed bracket, IPython syntax) is read up to the error.
    """
    out: list[tuple[str, int]] = []
    statement_start = True  # the next token begins a logical line
    pending_docstring: tuple[str, int] | None = None
    fstring_depth = 0  # Python 3.12 splits f-strings into tokens: read one as one string
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            kind, text, line = token.type, token.string, token.start[0]
            if kind == _FSTRING_START:
                fstring_depth += 1
                kind, text = tokenize.STRING, '""'
                if fstring_depth > 1:
                    continue
            elif kind == _FSTRING_END:
                fstring_depth -= 1
                continue
            elif fstring_depth or kind in _SKIP:
                continue
            if pending_docstring is not None:
                if kind != tokenize.NEWLINE:  # a string that begins an expression: keep it
                    out.append(pending_docstring)
                pending_docstring = None
                if kind == tokenize.NEWLINE:
                    continue  # a bare string statement (a docstring, a comment in disguise)
            if kind == tokenize.NEWLINE:
                statement_start = True
                out.append((";", line))
                continue
            if kind == tokenize.STRING and statement_start:
                pending_docstring = ("S", line)
                statement_start = False
                continue
            statement_start = False
            if kind == tokenize.NAME:
                after_dot = bool(out) and out[-1][0] == "."
                out.append((text if after_dot or text in _KEEP else "V", line))
            elif kind == tokenize.NUMBER:
                out.append(("N", line))
            elif kind == tokenize.STRING:
                out.append(("S", line))
            elif kind == tokenize.OP and text in _CLOSING and out and out[-1][0] == ",":
                out[-1] = (text, line)  # (a, b,) is (a, b)
            else:
                out.append((text, line))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


_MASK = (1 << 64) - 1
_BASE = 1_000_003
# B^(K-1), ..., B, 1 (mod 2^64): the k-gram hash is the polynomial of its tokens' ids in base B.
_POWERS = np.array([pow(_BASE, K - 1 - j, 1 << 64) for j in range(K)], dtype=np.uint64)
_IDS: dict[str, int] = {}


def _token_id(token: str) -> int:
    """A fixed id per token (its CRC-32 plus one), the same in every process and run."""
    found = _IDS.get(token)
    if found is None:
        found = _IDS[token] = zlib.crc32(token.encode()) + 1
    return found


def kgram_hashes(tokens: list[str]) -> np.ndarray:
    """The hash of every run of :data:`K` consecutive tokens (int64, non-negative).

    A polynomial of the tokens' ids modulo 2^64, then mixed (MurmurHash3's finaliser) so that the
    minima winnowing keeps are spread evenly over the text.
    """
    if len(tokens) < K:
        return np.zeros(0, dtype=np.int64)
    ids = np.fromiter((_token_id(t) for t in tokens), dtype=np.uint64, count=len(tokens))
    h = np.lib.stride_tricks.sliding_window_view(ids, K) @ _POWERS  # wraps modulo 2^64
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    return (h >> np.uint64(1)).astype(np.int64)


def winnow(hashes: np.ndarray) -> np.ndarray:
    """Positions kept by winnowing: the rightmost minimum of every window of :data:`W` hashes."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(hashes) <= W:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))])
    windows = np.lib.stride_tricks.sliding_window_view(hashes, W)
    rightmost = W - 1 - np.argmin(windows[:, ::-1], axis=1)
    return np.unique(np.arange(len(windows)) + rightmost)


@dataclass
class Fingerprints:
    """One submission's fingerprints: ``hash -> [(cell, first line, last line), ...]``."""

    student: str
    cells: list[str]
    where: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)


def template_hashes(cells: list[str]) -> set[int]:
    """Every k-gram hash of the template's cells (all, not only the winnowed ones)."""
    found: set[int] = set()
    for cell in cells:
        found.update(kgram_hashes([t for t, _ in normalise(cell)]).tolist())
    return found


@functools.lru_cache(maxsize=4096)
def cell_fingerprints(cell: str) -> tuple[tuple[int, int, int], ...]:
    """``(hash, first line, last line)`` of each fingerprint winnowing keeps in one cell.

    Cached: the cells students leave as the exercise gave them are read once per scan.
    """
    tokens = normalise(cell)
    hashes = kgram_hashes([t for t, _ in tokens])
    return tuple(
        (int(hashes[p]), tokens[p][1], tokens[p + K - 1][1]) for p in winnow(hashes).tolist()
    )


def fingerprint(student: str, cells: list[str], base: set[int]) -> Fingerprints:
    """The winnowed fingerprints of ``cells``, less every hash in ``base``."""
    result = Fingerprints(student, cells)
    for index, cell in enumerate(cells):
        for value, first, last in cell_fingerprints(cell):
            if value not in base:
                result.where.setdefault(value, []).append((index, first, last))
    return result


@dataclass
class Pair:
    """Two submissions flagged as alike, with the lines of each that the shared code covers."""

    a: str
    b: str
    shared: int
    score: float
    lines_a: dict[int, set[int]]
    lines_b: dict[int, set[int]]


def _lines(spans) -> dict[int, set[int]]:
    lines: dict[int, set[int]] = defaultdict(set)
    for cell, first, last in spans:
        lines[cell].update(range(first, last + 1))
    return dict(lines)


def similar_pairs(
    prints: list[Fingerprints],
    *,
    threshold: float = THRESHOLD,
    min_shared: int = MIN_SHARED,
    max_share: int = MAX_SHARE,
) -> tuple[list[Pair], dict]:
    """The flagged pairs, most alike first, and counts of what the scan did.

    ``score`` is the share of the smaller submission's fingerprints the pair shares; fingerprints
    held by more than ``max_share`` submissions do not count (nor towards the share).
    """
    index: dict[int, list[int]] = defaultdict(list)
    for number, item in enumerate(prints):
        for value in item.where:
            index[value].append(number)
    common = {value for value, holders in index.items() if len(holders) > max_share}
    sizes = [sum(v not in common for v in item.where) for item in prints]
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for value, holders in index.items():
        if value in common or len(holders) < 2:
            continue
        for i, first in enumerate(holders):
            for second in holders[i + 1 :]:
                counts[(first, second)] += 1
    pairs = []
    for (i, j), shared in counts.items():
        smaller = min(sizes[i], sizes[j])
        if shared < min_shared or smaller == 0 or shared / smaller < threshold:
            continue
        first, second = prints[i], prints[j]
        both = [v for v in first.where if v in second.where and v not in common]
        pairs.append(
            Pair(
                first.student,
                second.student,
                shared,
                shared / smaller,
                _lines(s for v in both for s in first.where[v]),
                _lines(s for v in both for s in second.where[v]),
            )
        )
    pairs.sort(key=lambda p: (-p.score, -p.shared, p.a, p.b))
    stats = {
        "submissions": len(prints),
        "fingerprints": len(index),
        "common": len(common),
        "candidate_pairs": len(counts),
    }
    return pairs, stats


def scan(
    cells: dict[str, list[str]], template: list[str] | None, **options
) -> tuple[list[Pair], dict]:
    """:func:`similar_pairs` of ``student -> code cells``, with ``template``'s code as the base."""
    base = template_hashes(template or [])
    prints = [fingerprint(s, cells[s], base) for s in sorted(cells)]
    return similar_pairs(prints, **options)


def template_cells(assignment_name: str, template: Path | None = None) -> list[str] | None:
    """The exercise notebook's code cells (``exercises/NAME.md`` of the checkout by default)."""
    from seqcourse.grading.notebook import SubmissionError, code_cells

    if template is None:
        template = Path(__file__).resolve().parents[2] / "exercises" / f"{assignment_name}.md"
    try:
        return code_cells(template)
    except (OSError, SubmissionError):
        return None
