"""GloVe's tokenisation inside TextVectorization, and the embedding matrix built from vectors."""

import keras
import numpy as np
import pytest

from seqcourse.data.embeddings import embedding_matrix, glove_standardize


def _tokens(texts):
    return [row.decode().split() for row in glove_standardize(np.array(texts)).numpy()]


def test_glove_standardize_splits_punctuation_and_clitics_like_glove():
    assert _tokens(["It doesn't WORK -- it’s dull, isn't it? (Really!)"]) == [
        ["it", "does", "not", "work", "--", "it", "'s", "dull", ",", "is", "not", "it", "?",
         "(", "really", "!", ")"],
    ]  # fmt: skip
    assert _tokens(["We'll see; you're 'right': \"no\"."]) == [
        ["we", "'ll", "see", ";", "you", "'re", "'right'", ":", '"', "no", '"', "."],
    ]
    # keeps inner hyphens and numbers, which GloVe has as whole tokens
    assert _tokens(["A well-made 1970s B-movie"]) == [["a", "well-made", "1970s", "b-movie"]]


def test_glove_standardize_inside_text_vectorization_keeps_the_verdict_tokens():
    layer = keras.layers.TextVectorization(standardize=glove_standardize)
    layer.adapt(["Great!", "not great.", "Isn't great?"])
    vocabulary = layer.get_vocabulary()
    assert {"great", "!", "not", "is", "?", "."} <= set(vocabulary)
    assert "isnt" not in vocabulary and "great!" not in vocabulary
    ids = layer(["isn't great!"]).numpy()[0]
    assert [vocabulary[i] for i in ids] == ["is", "not", "great", "!"]


def test_embedding_matrix_copies_known_rows_and_fills_the_rest():
    words = ["the", "good", "bad"]
    vectors = np.arange(12, dtype=np.float32).reshape(3, 4)
    vocabulary = ["", "[UNK]", "bad", "zzz", "the"]
    matrix, found = embedding_matrix(vocabulary, words, vectors, seed=3)
    assert matrix.shape == (5, 4) and matrix.dtype == np.float32
    assert found.tolist() == [False, False, True, False, True]
    np.testing.assert_array_equal(matrix[2], vectors[2])
    np.testing.assert_array_equal(matrix[4], vectors[0])
    np.testing.assert_array_equal(matrix[0], 0.0)  # padding row
    assert np.all(matrix[[1, 3]] != 0)  # [UNK] and unknown words: random rows
    again, _ = embedding_matrix(vocabulary, words, vectors, seed=3)
    np.testing.assert_array_equal(matrix, again)


def test_embedding_matrix_random_rows_have_the_pretrained_spread():
    rng = np.random.default_rng(0)
    vectors = rng.normal(0, 0.4, size=(50, 100)).astype(np.float32)
    words = [f"w{i}" for i in range(50)]
    vocabulary = ["", "[UNK]"] + [f"new{i}" for i in range(2000)]
    matrix, found = embedding_matrix(vocabulary, words, vectors)
    assert not found.any()
    assert matrix[1:].std() == pytest.approx(vectors.std(), rel=0.05)


def test_embedding_matrix_in_a_keras_embedding_starts_from_the_vectors():
    words, vectors = ["good", "bad"], np.eye(2, 3, dtype=np.float32)
    matrix, _ = embedding_matrix(["", "[UNK]", "good", "bad"], words, vectors)
    layer = keras.layers.Embedding(
        4, 3, mask_zero=True, embeddings_initializer=keras.initializers.Constant(matrix)
    )
    out = keras.ops.convert_to_numpy(layer(np.array([[2, 3, 0]])))
    np.testing.assert_array_equal(out[0], [[1, 0, 0], [0, 1, 0], [0, 0, 0]])


@pytest.mark.parametrize(
    ("vocabulary", "words", "vectors", "message"),
    [
        (["", "[UNK]", "a"], ["a", "b"], np.zeros((3, 4)), "must pair up: got 2 words"),
        (["", "[UNK]", "a"], ["a"], np.zeros(4), "must pair up"),
        (["[UNK]", "a"], ["a"], np.zeros((1, 4)), r"padding '' first.*get_vocabulary\(\)"),
        ([""], ["a"], np.zeros((1, 4)), "TextVectorization vocabulary"),
    ],
)
def test_embedding_matrix_bad_input_says_what_to_pass(vocabulary, words, vectors, message):
    with pytest.raises(ValueError, match=message):
        embedding_matrix(vocabulary, words, vectors)
