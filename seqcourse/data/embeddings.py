"""Pre-trained word vectors in a Keras text model: GloVe's tokenisation and the embedding matrix.

A pre-trained embedding only helps if the text is cut into the tokens the vectors were trained on.
GloVe's corpus was tokenised Penn-Treebank style: punctuation is a token of its own and clitics are
split off (``don't`` -> ``do n't``). Keras's default ``TextVectorization`` standardisation instead
deletes punctuation and glues ``don't`` into ``dont``, a word GloVe never saw.
"""

from __future__ import annotations

import numpy as np


def glove_standardize(text):
    """The ``standardize`` callable for ``TextVectorization`` that matches GloVe's tokens.

    ``text``: a string tensor of any shape; returns the same shape, lower-cased, with
    punctuation and clitics separated by spaces (the layer then splits on whitespace).

    Chapter 9 shows it; chapter 13 uses it.
    """
    import tensorflow as tf

    rules = (  # RE2 patterns for tf.strings.regex_replace, applied in this order
        ("[’‘`]", "'"),  # typographic apostrophes -> '
        ("n't\\b", " not"),  # "doesn't" -> "does not" (this GloVe copy has no "n't" token)
        ("'(s|re|ll|ve|m|d)\\b", " '\\1"),  # other clitics become tokens of their own
        ('([.,!?;:()"]|--)', " \\1 "),  # punctuation is a token: "great!" -> "great !"
    )
    text = tf.strings.lower(text)
    for pattern, replacement in rules:
        text = tf.strings.regex_replace(text, pattern, replacement)
    return text


def embedding_matrix(
    vocabulary: list[str], words: list[str], vectors: np.ndarray, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of pre-trained ``vectors`` ``(N, D)`` for a ``TextVectorization`` vocabulary.

    ``vocabulary``: the layer's ``get_vocabulary()`` (``""`` padding at 0, ``"[UNK]"`` at 1).
    Returns ``(matrix, found)``: ``matrix`` ``(V, D)`` float32, to pass to
    ``Embedding(V, D, embeddings_initializer=keras.initializers.Constant(matrix))``, and
    ``found`` ``(V,)`` bool, which rows came from ``vectors``. Row 0 (padding, masked) is zero;
    every other word without a vector gets a random row with the pre-trained rows' own spread,
    so that it starts neither at the origin nor larger than the rest.

    Chapter 9 shows it; chapters 10 and 13 use it; exercise 9 uses it.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(words) != len(vectors):
        raise ValueError(
            f"words and vectors must pair up: got {len(words)} words and vectors of shape "
            f"{vectors.shape}; pass the two values load_glove() returns"
        )
    if len(vocabulary) < 2 or vocabulary[0] != "":
        raise ValueError(
            "vocabulary must be a TextVectorization vocabulary (padding '' first); "
            "pass vectorizer.get_vocabulary()"
        )
    row_of = {word: row for row, word in enumerate(words)}
    rows = np.array([row_of.get(token, -1) for token in vocabulary])
    found = rows >= 0
    found[0] = False
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0.0, vectors.std(), size=(len(vocabulary), vectors.shape[1]))
    matrix = matrix.astype(np.float32)
    matrix[found] = vectors[rows[found]]
    matrix[0] = 0.0
    return matrix, found
