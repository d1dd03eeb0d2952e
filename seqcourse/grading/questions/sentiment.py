"""Assignment ``09_sentiment``: out-of-vocabulary rates, precision/recall/F1 for a chosen class,
the OOV rate of the Rotten Tomatoes test split against a minimum-count vocabulary, a recurrent
classifier of pre-vectorised reviews that starts from GloVe vectors and must beat a bag of words,
and word analogies in an embedding matrix.

The chapter uses ``TextVectorization`` and Keras metrics; these questions ask for the same ideas
written from scratch, with variants (per-document rates, any positive class, a count threshold).
The chapter's nearest neighbours rank words by cosine similarity to one word; the analogy question
ranks them against a combination of three (3CosAdd), which the chapter mentions but never computes.
"""

from __future__ import annotations

import collections
import functools
import re

import numpy as np

from seqcourse.grading.questions import _baselines
from seqcourse.grading.spec import (
    Assignment,
    Baseline,
    Case,
    FunctionQuestion,
    Mistake,
    ModelData,
    ModelQuestion,
    ValueQuestion,
)

MIN_COUNT = 3  # the value question's vocabulary: training words seen at least this often
VOCAB = 10_000  # the model question's vocabulary: 0 = padding, 1 = unknown, 2.. = words
STEPS = 40  # the model question's tokens per review (longer reviews are cut)
EVAL_WIDTH = 48  # held-out reviews are padded to this width: the model must take any length
TOKEN = re.compile(r"[a-z0-9']+")

# --- trusted references (the answer key, held by the grader) -------------------------------


def tokenize(text: str) -> list[str]:
    """Lower-case ``text`` and keep its runs of letters, digits and apostrophes."""
    return TOKEN.findall(text.lower())


def oov_rate(docs, vocabulary, *, by_type=False, macro=False):
    """``(rate, per_doc)``: the share of tokens not in ``vocabulary``, overall and per document.

    ``docs`` is a list of N token lists, ``vocabulary`` a list of strings. ``rate`` counts every
    token occurrence of every document (a micro average); ``per_doc`` (N,) is each document's own
    rate, 0.0 for an empty document. ``by_type`` and ``macro`` produce typical mistakes.
    """
    known = set(vocabulary)
    per_doc = np.zeros(len(docs))
    unknown = total = 0
    for i, tokens in enumerate(docs):
        tokens = list(set(tokens)) if by_type else list(tokens)
        missing = sum(token not in known for token in tokens)
        unknown, total = unknown + missing, total + len(tokens)
        per_doc[i] = missing / len(tokens) if tokens else 0.0
    if macro:
        return float(per_doc.mean()), per_doc
    return (unknown / total if total else 0.0), per_doc


def precision_recall_f1(y_true, y_pred, positive=1):
    """``np.array([precision, recall, f1])`` of class ``positive`` from label vectors (N,).

    precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2 P R / (P + R); a ratio whose
    denominator is 0 is defined as 0 (scikit-learn's ``zero_division=0``).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = float(np.sum((y_pred == positive) & (y_true == positive)))
    fp = float(np.sum((y_pred == positive) & (y_true != positive)))
    fn = float(np.sum((y_pred != positive) & (y_true == positive)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return np.array([precision, recall, f1])


def analogy(vectors, a, b, c, k=5, *, normalise=True, exclude=True, sign=1.0):
    """Rows answering "a is to b as c is to ?" by 3CosAdd, best first: int array ``(k,)``.

    ``vectors`` ``(N, D)``; ``a``, ``b``, ``c`` row indices. Every row ``w`` other than ``a``,
    ``b``, ``c`` is scored by ``cos(w, b) - cos(w, a) + cos(w, c)`` (Mikolov et al. 2013; Levy and
    Goldberg 2014), the ``k`` highest scores first. The keywords produce typical mistakes.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True) if normalise else vectors
    scores = unit @ (unit[b] - sign * unit[a] + unit[c])
    if exclude:
        scores[[a, b, c]] = -np.inf
    return np.argsort(-scores, kind="stable")[:k]


@functools.cache
def _reviews():
    from seqcourse.data import load_rotten_tomatoes

    frame = load_rotten_tomatoes()
    return {split: frame[frame["split"] == split] for split in ("train", "val", "test")}


def split_oov_rate(min_count: int = MIN_COUNT, parts=("train",), by_type=False) -> float:
    """OOV rate of the test split's tokens against the words seen >= ``min_count`` times in
    ``parts`` (tokens from :func:`tokenize`). The arguments produce typical mistakes."""
    reviews = _reviews()
    counts = collections.Counter(
        token for part in parts for text in reviews[part]["text"] for token in tokenize(text)
    )
    vocabulary = [word for word, count in counts.items() if count >= min_count]
    docs = [tokenize(text) for text in reviews["test"]["text"]]
    return oov_rate(docs, vocabulary, by_type=by_type)[0]


@functools.cache
def review_vocabulary() -> tuple[str, ...]:
    """The model question's vocabulary by id: ``""`` (padding) at 0, ``"[UNK]"`` at 1, then the
    ``VOCAB - 2`` most frequent training tokens (:func:`tokenize`) in order of decreasing count."""
    counts = collections.Counter(
        token for text in _reviews()["train"]["text"] for token in tokenize(text)
    )
    return ("", "[UNK]", *(word for word, _ in counts.most_common(VOCAB - 2)))


@functools.cache
def review_ids(fast: bool) -> ModelData:
    """Reviews as padded ids: x (N, 40) int32 for training, (N, 48) for the held-out reviews (the
    same first 40 tokens at most, more padding), y (N, 1) float32 labels (1 = fresh).

    Ids index :func:`review_vocabulary`: 0 is padding after the review's end, 1 an unknown word.
    Models train on the training split and are scored on the test split (unseen movies). The
    whole training split is small enough for fast mode.
    """
    reviews = _reviews()
    index = {word: i for i, word in enumerate(review_vocabulary()) if i >= 2}

    def encode(frame, width=STEPS):
        ids = np.zeros((len(frame), width), dtype=np.int32)
        for row, text in enumerate(frame["text"]):
            tokens = [index.get(token, 1) for token in tokenize(text)][:STEPS]
            ids[row, : len(tokens)] = tokens
        return ids, frame["label"].to_numpy(np.float32)[:, None]

    x_train, y_train = encode(reviews["train"])
    x_eval, y_eval = encode(reviews["test"], EVAL_WIDTH)
    return ModelData(x_train, y_train, x_eval, y_eval)


@functools.cache
def review_vectors() -> np.ndarray:
    """GloVe rows of :func:`review_vocabulary`, ``(VOCAB, 100)`` float32, the model question hands
    the builder: row 0 (padding) is zero, a word GloVe lacks (8.4 % of them, and ``[UNK]``) gets a
    random row of the same spread (:func:`seqcourse.data.embeddings.embedding_matrix`)."""
    from seqcourse.data import load_glove
    from seqcourse.data.embeddings import embedding_matrix

    matrix, _ = embedding_matrix(list(review_vocabulary()), *load_glove())
    return matrix


# --- cases ---------------------------------------------------------------------------------

WORDS = ["good", "bad", "film", "plot", "dull", "great", "actor", "the", "a", "script"]


def _oov_case(rng):
    vocabulary = list(rng.choice(WORDS, size=int(rng.integers(1, 8)), replace=False))
    docs = [
        [str(w) for w in rng.choice(WORDS, size=int(rng.integers(0, 9)))]
        for _ in range(int(rng.integers(1, 6)))
    ]
    docs.append(["the", "the", "the", "plot"])  # repeats: a token rate is not a type rate
    return Case((docs, [str(w) for w in vocabulary]))


def _analogy_case(rng):
    n, d = int(rng.integers(8, 40)), int(rng.integers(3, 12))
    # rows of very different lengths: only cosine similarity ignores the length
    vectors = rng.normal(size=(n, d)) * rng.uniform(0.2, 5.0, size=(n, 1))
    a, b, c = (int(i) for i in rng.choice(n, size=3, replace=False))
    return Case((vectors, a, b, c), {"k": int(rng.integers(1, 6))})


def _prf_case(rng):
    n, classes = int(rng.integers(1, 30)), int(rng.integers(2, 4))
    return Case(
        (rng.integers(0, classes, size=n), rng.integers(0, classes, size=n)),
        {"positive": int(rng.integers(0, classes))},
    )


ASSIGNMENT = Assignment(
    "09_sentiment",
    (
        FunctionQuestion(
            "oov_rate",
            3,
            "oov_rate",
            "out-of-vocabulary rate of tokenised documents, overall and per document",
            oov_rate,
            lambda: [
                Case(
                    ([["a", "dull", "dull", "film"], [], ["great"]], ["a", "film", "great"]),
                    label="three documents, one empty",
                ),
                _oov_case(np.random.default_rng(91)),
            ],
            lambda rng: [_oov_case(rng) for _ in range(6)],
            rtol=1e-9,
            atol=1e-12,
            mistakes=(
                Mistake(
                    "count token occurrences, not distinct words: a repeated unknown word counts "
                    "every time",
                    lambda d, v: oov_rate(d, v, by_type=True),
                ),
                Mistake(
                    "the overall rate pools all tokens (micro average); the mean of the "
                    "per-document rates weighs a short document like a long one",
                    lambda d, v: oov_rate(d, v, macro=True),
                ),
            ),
        ),
        FunctionQuestion(
            "precision_recall_f1",
            3,
            "precision_recall_f1",
            "precision, recall and F1 of one class, a zero denominator giving 0",
            precision_recall_f1,
            lambda: [
                Case((np.array([1, 1, 0, 0, 1]), np.array([1, 0, 0, 1, 1])), label="binary"),
                Case(
                    (np.array([1, 1, 0, 0, 1]), np.array([1, 0, 0, 1, 1])),
                    {"positive": 0},
                    label="binary, positive=0",
                ),
                Case((np.array([0, 0, 0]), np.array([0, 0, 0])), label="no positives at all"),
            ],
            lambda rng: [_prf_case(rng) for _ in range(8)],
            rtol=1e-9,
            atol=1e-12,
            mistakes=(
                Mistake(
                    "precision and recall are swapped: precision divides by the predicted "
                    "positives, recall by the true ones",
                    lambda t, p, positive=1: precision_recall_f1(t, p, positive)[[1, 0, 2]],
                ),
                Mistake(
                    "use the `positive` argument: the class scored is not always 1",
                    lambda t, p, positive=1: precision_recall_f1(t, p, 1),
                ),
            ),
        ),
        ValueQuestion(
            "test_oov",
            2,
            "test_oov",
            f"OOV rate of the test tokens against the training words seen >= {MIN_COUNT} times",
            split_oov_rate,
            rtol=1e-9,
            atol=1e-12,
            mistakes=(
                Mistake(
                    "that counts distinct test words: count every test token",
                    lambda: split_oov_rate(by_type=True),
                ),
                Mistake(
                    f"a word seen exactly {MIN_COUNT} times belongs in the vocabulary (>=, not >)",
                    lambda: split_oov_rate(MIN_COUNT + 1),
                ),
                Mistake(
                    "the vocabulary must come from the training split only",
                    lambda: split_oov_rate(parts=("train", "val")),
                ),
            ),
        ),
        ModelQuestion(
            "review_classifier",
            3,
            "build_review_classifier",
            "a recurrent classifier of review ids starting from given GloVe vectors, any length: "
            "its test error must be 3 % below a bag-of-words logistic regression's (and the "
            "majority class's), with partial credit in between",
            review_ids,
            lambda data: {"vocab_size": VOCAB, "vectors": review_vectors()},
            metric="accuracy",
            epochs=4,
            batch_size=32,
            budget=60.0,
            budget_fast=40.0,
            baselines=(
                Baseline("majority class", _baselines.majority_class),
                Baseline("bag of words", _baselines.bag_of_words(VOCAB)),
            ),
            margin=0.03,
            partial=True,
            requires=("SimpleRNN", "LSTM", "GRU"),
            technique="a recurrent layer (SimpleRNN, LSTM or GRU)",
            other_length=True,
        ),
        FunctionQuestion(
            "analogy",
            2,
            "analogy",
            "word analogies by 3CosAdd: the k best rows, excluding the three query rows",
            analogy,
            lambda: [
                Case(
                    (
                        np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [3.0, 0.5], [-1.0, 2.0]]),
                        0,
                        1,
                        3,
                    ),
                    {"k": 2},
                    label="five rows in the plane",
                ),
                _analogy_case(np.random.default_rng(92)),
            ],
            lambda rng: [_analogy_case(rng) for _ in range(6)],
            rtol=0.0,
            atol=0.0,
            mistakes=(
                Mistake(
                    "leave out a, b and c themselves: they score high but answer nothing",
                    lambda v, a, b, c, k=5: analogy(v, a, b, c, k, exclude=False),
                ),
                Mistake(
                    "compare directions, not lengths: divide every row by its norm (cosine "
                    "similarity), or long rows win whatever their direction",
                    lambda v, a, b, c, k=5: analogy(v, a, b, c, k, normalise=False),
                ),
                Mistake(
                    "the offset is b - a: a is subtracted, b and c are added",
                    lambda v, a, b, c, k=5: analogy(v, a, b, c, k, sign=-1.0),
                ),
            ),
        ),
    ),
    cell_timeout=120.0,
    call_timeout=10.0,
)
