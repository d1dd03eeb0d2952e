"""The trivial models the model questions measure students' models against, fitted by the grader.

Each function takes a question's :class:`~seqcourse.grading.spec.ModelData` (training data and
evaluation inputs; the hidden targets are never read here) and returns its predictions for
``x_eval`` in the form the question's metric reads: values ``(N, 1)`` for a forecast, class
scores for a classifier or a tagger (one-hot rows), a probability ``(N, 1)`` for a binary label,
decoded token ids ``(N, L)`` (0-padded, no ``</s>``) for a question graded by decoding.
Everything is closed form or a few NumPy passes, run in the trusted parent
(:class:`~seqcourse.grading.spec.Baseline`); where a baseline depends on a window length it uses
the last steps of the evaluation windows, so it works when they are longer than the training ones.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from seqcourse.grading.spec import ModelData


def persistence(data: ModelData) -> np.ndarray:
    """The next value is the last one: ``x[:, -1, 0]`` as ``(N, 1)``."""
    return data.x_eval[:, -1, :1].astype(np.float64)


def seasonal_naive(season: int):
    """The next value is the one ``season`` steps before it: ``x[:, -season, 0]`` as ``(N, 1)``."""

    def predict(data: ModelData) -> np.ndarray:
        return data.x_eval[:, -season, :1].astype(np.float64)

    return predict


def training_mean(data: ModelData) -> np.ndarray:
    """Every forecast is the mean training target."""
    return np.full((len(data.x_eval), 1), float(np.mean(data.y_train)))


def least_squares(lags: int | None = None):
    """Least squares on the last ``lags`` steps (all features, flattened) and an intercept, fitted
    on the training windows (``lags=None``: as many steps as both the training and the evaluation
    windows hold)."""

    def predict(data: ModelData) -> np.ndarray:
        steps = lags or min(data.x_train.shape[1], data.x_eval.shape[1])

        def design(x):
            flat = np.asarray(x[:, -steps:], dtype=np.float64).reshape(len(x), -1)
            return np.concatenate([flat, np.ones((len(x), 1))], axis=1)

        x = design(data.x_train)
        y = np.asarray(data.y_train, np.float64).reshape(len(x), -1)
        coef, *_ = np.linalg.lstsq(x, y, rcond=None)
        return design(data.x_eval) @ coef

    return predict


def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    return np.eye(classes)[np.asarray(labels, dtype=np.int64)]


def majority_class(data: ModelData) -> np.ndarray:
    """Every example gets the most frequent training label (a probability (N, 1) for 0/1 labels
    of shape (N, 1), one-hot class scores otherwise)."""
    labels = np.asarray(data.y_train).astype(np.int64)
    if labels.ndim == 2 and labels.shape[1] == 1:
        return np.full((len(data.x_eval), 1), float(np.mean(labels) >= 0.5))
    classes = int(labels.max()) + 1
    best = int(np.bincount(labels.ravel(), minlength=classes).argmax())
    return one_hot(np.full(len(data.x_eval), best), classes)


def _token_bags(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, columns)`` of a sparse 0/1 document-term matrix: each distinct nonzero id once."""
    rows, columns = [], []
    for row, tokens in enumerate(np.asarray(ids)):
        present = np.unique(tokens[tokens > 0])
        rows.append(np.full(len(present), row))
        columns.append(present)
    return np.concatenate(rows), np.concatenate(columns)


def bag_of_words(vocab: int, l2: float = 1e-4, steps: int = 500, learning_rate: float = 1.0):
    """Logistic regression on which token ids a sequence holds (order ignored), by full-batch
    gradient descent on the mean log loss plus ``l2 * |w|^2 / 2``; for 0/1 labels ``(N, 1)``."""

    def predict(data: ModelData) -> np.ndarray:
        labels = np.asarray(data.y_train, dtype=np.float64).ravel()
        rows, columns = _token_bags(data.x_train)
        count = len(labels)
        weights, bias = np.zeros(vocab), 0.0
        for _ in range(steps):
            logits = np.bincount(rows, weights=weights[columns], minlength=count) + bias
            residual = 1.0 / (1.0 + np.exp(-logits)) - labels  # d loss / d logit
            gradient = np.bincount(columns, weights=residual[rows], minlength=vocab) / count
            weights -= learning_rate * (gradient + l2 * weights)
            bias -= learning_rate * float(np.mean(residual))
        rows, columns = _token_bags(data.x_eval)
        logits = np.bincount(rows, weights=weights[columns], minlength=len(data.x_eval)) + bias
        return (1.0 / (1.0 + np.exp(-logits)))[:, None]

    return predict


def bag_of_tokens(vocab: int, classes: int = 2):
    """:func:`bag_of_words` for integer labels ``(N,)`` 0/1, as one-hot class scores ``(N, 2)``."""
    fitted = bag_of_words(vocab)

    def predict(data: ModelData) -> np.ndarray:
        labels = np.asarray(data.y_train).reshape(-1, 1).astype(np.float64)
        probability = fitted(ModelData(data.x_train, labels, data.x_eval, data.y_eval))
        return one_hot((probability[:, 0] > 0.5).astype(np.int64), classes)

    return predict


def mean_frame_centroid(data: ModelData) -> np.ndarray:
    """Nearest class centroid of the mean frame (the average over an utterance's real frames,
    padding frames of all zeros left out): order ignored. One-hot class scores."""

    def mean_frames(x):
        real = np.any(x != 0, axis=-1)
        return x.sum(axis=1) / np.maximum(real.sum(axis=1, keepdims=True), 1)

    train, held = mean_frames(data.x_train), mean_frames(data.x_eval)
    labels = np.asarray(data.y_train, dtype=np.int64)
    classes = int(labels.max()) + 1
    centroids = np.stack([train[labels == k].mean(axis=0) for k in range(classes)])
    distances = ((held[:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    return one_hot(distances.argmin(axis=1), classes)


def _tag_table(keys: list, tags: list) -> dict:
    """The most frequent tag of each key (ties: the smallest tag id)."""
    counts: dict = {}
    for key, tag in zip(keys, tags, strict=True):
        counts.setdefault(key, {}).setdefault(tag, 0)
        counts[key][tag] += 1
    return {key: min(c, key=lambda tag: (-c[tag], tag)) for key, c in counts.items()}


def tag_by_context(previous: int):
    """Tag each token with the most frequent training tag of (the ``previous`` tokens before it,
    the token): a left-to-right tagger that sees no later word. Unseen contexts back off to the
    token alone, then to the most frequent tag. One-hot tag scores ``(N, T, K)``."""

    def contexts(ids):
        ids = np.asarray(ids)
        padded = np.pad(ids, ((0, 0), (previous, 0)))
        return [
            [tuple(padded[r, t : t + previous + 1]) for t in range(ids.shape[1])]
            for r in range(len(ids))
        ]

    def predict(data: ModelData) -> np.ndarray:
        tokens, tags = np.asarray(data.x_train), np.asarray(data.y_train)
        real = tokens != 0
        keys = [k for row, mask in zip(contexts(tokens), real, strict=True) for k, m in
                zip(row, mask, strict=True) if m]  # fmt: skip
        table = _tag_table(keys, tags[real].tolist())
        alone = _tag_table(tokens[real].tolist(), tags[real].tolist())
        classes = int(tags.max()) + 1
        fallback = int(np.bincount(tags[real], minlength=classes).argmax())
        held = np.asarray(data.x_eval)
        guesses = [
            [table.get(k, alone.get(int(t), fallback)) for k, t in zip(row, ids, strict=True)]
            for row, ids in zip(contexts(held), held, strict=True)
        ]
        return one_hot(np.array(guesses), classes)

    return predict


def next_token_ngram(order: int, vocab: int):
    """The most probable next id under an ``order``-gram count model of the training ids (the
    ``order - 1`` ids before it; at the start of a window, the shorter context available, then
    the unigram). One-hot scores ``(N, T, V)`` for next-id labels ``(N, T)``."""

    def predict(data: ModelData) -> np.ndarray:
        stream = np.concatenate([data.x_train[:, :1].ravel()[:1], np.asarray(data.y_train).ravel()])
        best_after: list[dict] = []
        for n in range(1, order + 1):  # the argmax next id of every context of n - 1 ids
            table: dict = {}
            if n == 1:
                table[()] = int(np.bincount(stream, minlength=vocab).argmax())
            else:
                windows = np.lib.stride_tricks.sliding_window_view(stream, n)
                codes = np.zeros(len(windows), dtype=np.int64)
                for k in range(n - 1):
                    codes = codes * vocab + windows[:, k]
                pairs = codes * vocab + windows[:, -1]
                values, counts = np.unique(pairs, return_counts=True)
                order_idx = np.lexsort((-counts, values // vocab))  # by context, most counts first
                contexts = values[order_idx] // vocab
                first = np.r_[True, contexts[1:] != contexts[:-1]]
                for code, pair in zip(contexts[first], values[order_idx][first], strict=True):
                    table[int(code)] = int(pair % vocab)
            best_after.append(table)
        held = np.asarray(data.x_eval, dtype=np.int64)
        guesses = np.zeros_like(held)
        for r in range(held.shape[0]):
            for t in range(held.shape[1]):
                guess = best_after[0][()]
                for n in range(min(order, t + 2), 1, -1):  # longest context first
                    code = 0
                    for token in held[r, t - n + 2 : t + 1]:
                        code = code * vocab + int(token)
                    if code in best_after[n - 1]:
                        guess = best_after[n - 1][code]
                        break
                guesses[r, t] = guess
        return one_hot(guesses, vocab)

    return predict


# --- decoded sequences (questions graded by greedy decoding: seq2seq, attention, captioning) ---


def token_ids(texts, vocabulary: list, width: int) -> np.ndarray:
    """Texts as token ids of ``vocabulary`` (a StringLookup's, id = position; unknown -> 1),
    padded with 0 to ``width``: held-out references in the form decoded ids are scored in."""
    from seqcourse.data.tokens import UNK, tokenize

    index = {token: i for i, token in enumerate(vocabulary)}
    out = np.zeros((len(texts), width), dtype=np.int32)
    for row, text in enumerate(texts):
        ids = [index.get(token, UNK) for token in tokenize(text)]
        if len(ids) > width:
            raise ValueError(f"a held-out text of {len(ids)} tokens is wider than {width}")
        out[row, : len(ids)] = ids
    return out


def training_sequences(data: ModelData) -> list[tuple[int, ...]]:
    """The training targets ``y_train`` (decoder outputs) as id tuples, cut at ``</s>``."""
    from seqcourse.data.tokens import END

    targets = []
    for row in data.y_train.tolist():
        cut = row[: row.index(END)] if END in row else row
        targets.append(tuple(token for token in cut if token != 0))
    return targets


def as_decoded(sequences, width: int) -> np.ndarray:
    """Id sequences as decoded rows ``(N, width)``, 0-padded (cut at ``width``)."""
    out = np.zeros((len(sequences), width), dtype=np.int64)
    for row, sequence in enumerate(sequences):
        out[row, : len(sequence)] = sequence[:width]
    return out


def most_frequent_sequence(data: ModelData) -> np.ndarray:
    """Every input gets the most frequent training target (ties: the smallest id tuple): a
    decoder that never reads its input."""
    counts = Counter(training_sequences(data))
    best = min(counts, key=lambda sequence: (-counts[sequence], sequence))
    return as_decoded([best] * len(data.y_eval), data.y_eval.shape[1])
