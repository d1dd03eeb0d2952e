"""The answer key of ``09_sentiment`` is right: OOV rates and per-class scores by hand, the zero
division convention, every typical mistake distinguishable, the model data vectorised from the
training split only, its pass mark beyond the bag of words, and the GloVe rows handed to the
builder."""

import collections

import numpy as np
import pytest

from seqcourse.grading.questions import sentiment as q
from seqcourse.grading.runner import baseline_scores
from seqcourse.grading.verdicts import pass_mark


def test_oov_rate_by_hand_and_mistakes_differ():
    docs = [["a", "dull", "dull", "film"], [], ["great"]]
    rate, per_doc = q.oov_rate(docs, ["a", "film", "great"])
    assert rate == pytest.approx(2 / 5)
    np.testing.assert_allclose(per_doc, [0.5, 0.0, 0.0])
    for case in q.ASSIGNMENT.question("oov_rate").cases():
        right = q.oov_rate(*case.args)[0]
        wrong = [m.produce(*case.args)[0] for m in q.ASSIGNMENT.question("oov_rate").mistakes]
        if case.label.startswith("three"):
            assert all(abs(w - right) > 1e-6 for w in wrong)
    assert q.oov_rate([[]], ["a"])[0] == 0.0


@pytest.mark.parametrize("positive", [0, 1, 2])
def test_precision_recall_f1_against_counts(positive):
    rng = np.random.default_rng(positive)
    y_true, y_pred = rng.integers(0, 3, 200), rng.integers(0, 3, 200)
    tp = np.sum((y_true == positive) & (y_pred == positive))
    p, r = tp / np.sum(y_pred == positive), tp / np.sum(y_true == positive)
    got = q.precision_recall_f1(y_true, y_pred, positive)
    np.testing.assert_allclose(got, [p, r, 2 * p * r / (p + r)], rtol=1e-12)


def test_zero_division_gives_zero_and_mistakes_differ():
    np.testing.assert_array_equal(q.precision_recall_f1([0, 0], [0, 0]), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(q.precision_recall_f1([1, 0], [0, 0]), [0.0, 0.0, 0.0])
    y_true, y_pred = np.array([1, 1, 0, 0, 1]), np.array([1, 0, 0, 1, 1])
    np.testing.assert_allclose(q.precision_recall_f1(y_true, y_pred, 0), [0.5, 0.5, 0.5])
    y_pred = np.array([1, 0, 0, 0, 0])  # positive 1: P = 1, R = 1/3
    right = q.precision_recall_f1(y_true, y_pred)
    np.testing.assert_allclose(right, [1.0, 1 / 3, 0.5])
    swapped, _ = q.ASSIGNMENT.question("precision_recall_f1").mistakes
    assert np.abs(swapped.produce(y_true, y_pred) - right).max() > 0.5


def test_split_oov_is_plausible_and_differs_from_its_mistakes():
    value = q.split_oov_rate()
    assert 0.05 < value < 0.25
    for mistake in q.ASSIGNMENT.question("test_oov").mistakes:
        assert abs(mistake.produce() - value) > 1e-3, mistake.hint


def test_review_ids_use_the_training_vocabulary_and_the_pass_mark_beats_bag_of_words():
    data = q.review_ids(True)
    assert data.x_train.shape[1:] == (q.STEPS,) and data.x_train.dtype == np.int32
    assert data.x_eval.shape[1:] == (q.EVAL_WIDTH,) and not data.x_eval[:, q.STEPS :].any()
    assert data.x_train.max() < q.VOCAB and data.x_eval.max() < q.VOCAB
    assert np.all(data.x_train[:, 0] > 0)  # every review has a first token: padding comes after
    assert np.any(data.x_eval == 1)  # unseen movies bring unknown words
    majority = max(data.y_eval.mean(), 1 - data.y_eval.mean())
    question = q.ASSIGNMENT.question("review_classifier")
    scores = {name: value for name, value, _ in baseline_scores(question, data, True)}
    assert scores["majority class"] == pytest.approx(majority)
    assert 0.72 < scores["bag of words"] < 0.8  # order ignored, yet a strong baseline
    # the bag of words sets the mark: 3 % of its error removed, beyond the majority's mark
    needed = pass_mark("accuracy", scores["bag of words"], question.margin)
    assert needed > max(scores["bag of words"], pass_mark("accuracy", majority, question.margin))
    assert needed == pytest.approx(1 - (1 - scores["bag of words"]) * 0.97)


def test_review_vectors_are_glove_rows_of_the_question_vocabulary():
    from seqcourse.data import load_glove

    vocabulary, vectors = q.review_vocabulary(), q.review_vectors()
    assert len(vocabulary) == q.VOCAB and vocabulary[:2] == ("", "[UNK]")
    assert vectors.shape == (q.VOCAB, 100) and vectors.dtype == np.float32
    assert not vectors[0].any()  # padding
    words, glove = load_glove()
    row = {word: i for i, word in enumerate(words)}
    for word in ("film", "dull", "great"):
        np.testing.assert_allclose(vectors[vocabulary.index(word)], glove[row[word]], rtol=1e-6)
    data = q.review_ids(True)
    # ids index the vocabulary: the most frequent training token is id 2 and the data uses it
    assert (
        vocabulary[2]
        == collections.Counter(
            t for text in q._reviews()["train"]["text"] for t in q.tokenize(text)
        ).most_common(1)[0][0]
    )
    assert (data.x_train == 2).any()
    found = np.mean([word in row for word in vocabulary[2:]])
    assert 0.85 < found < 0.97  # most words have a GloVe vector; the rest start at random rows


def test_analogy_ranks_by_3cosadd_and_each_mistake_changes_the_answer():
    vectors = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [3.0, 0.5], [-1.0, 2.0]])
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = unit @ (unit[1] - unit[0] + unit[3])  # a=0, b=1, c=3
    assert q.analogy(vectors, 0, 1, 3, k=2).tolist() == [2, 4]
    assert scores[2] > scores[4]  # by hand: rows 2 and 4 are the only candidates
    rng = np.random.default_rng(5)
    wrong = {"exclude": 0, "normalise": 0, "sign": 0}
    for _ in range(50):
        case = q._analogy_case(rng)
        right = q.analogy(*case.args, **case.kwargs)
        assert len(right) == case.kwargs["k"] and not set(right) & set(case.args[1:])
        for keyword, value in (("exclude", False), ("normalise", False), ("sign", -1.0)):
            mistaken = q.analogy(*case.args, **case.kwargs, **{keyword: value})
            wrong[keyword] += not np.array_equal(mistaken, right)
    assert min(wrong.values()) >= 35  # each mistake changes most answers


def test_analogy_finds_queen_in_glove():
    from seqcourse.data import load_glove

    words, vectors = load_glove()
    row = {w: i for i, w in enumerate(words)}
    best = q.analogy(vectors, row["man"], row["king"], row["woman"], k=1)
    assert words[best[0]] == "queen"
