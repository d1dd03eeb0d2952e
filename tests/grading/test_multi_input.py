"""Model questions with several named inputs: ``ModelData`` holding a tuple or a dict of arrays,
sent to the sandbox without labels, fed to Keras as a list or a dict, scored in the parent."""

import numpy as np
import pytest

from seqcourse.grading import runner
from seqcourse.grading.check import message
from seqcourse.grading.registry import register
from seqcourse.grading.spec import (
    Assignment,
    ModelData,
    ModelQuestion,
    input_rows,
    input_shapes,
)
from seqcourse.grading.verdicts import model_metric
from tests.grading.helpers import grade_sources, results, scores


def _pairs(fast: bool, as_dict: bool) -> ModelData:
    """y = left @ w + right @ v: a model that ignores either input cannot fit it."""
    rng = np.random.default_rng(7)
    n = 600 if fast else 1200
    left, right = rng.normal(size=(n, 6)), rng.normal(size=(n, 4))
    y = (left @ rng.normal(size=6) + right @ rng.normal(size=4))[:, None]
    x = {"left": left, "right": right} if as_dict else (left, right)
    cut = n * 3 // 4
    return ModelData(input_rows(x, slice(0, cut)), y[:cut], input_rows(x, slice(cut, n)), y[cut:])


def _question(name: str, target: str, as_dict: bool) -> ModelQuestion:
    return ModelQuestion(
        name,
        1,
        target,
        "a linear model of two inputs",
        lambda fast: _pairs(fast, as_dict),
        lambda data: {"left_dim": 6, "right_dim": 4},
        metric="mse",
        threshold=0.05,
        epochs=40,
        batch_size=32,
        budget=10.0,
        budget_fast=6.0,
    )


TOY_PAIRS = register(
    Assignment(
        "toy_pairs",
        (
            _question("toy_pair_list", "build_list", False),
            _question("toy_pair_dict", "build_dict", True),
        ),
        cell_timeout=30.0,
    )
)

HONEST = """\
import keras


def build_list(left_dim, right_dim):
    left, right = keras.Input((left_dim,)), keras.Input((right_dim,))
    joined = keras.layers.Concatenate()([left, right])
    model = keras.Model([left, right], keras.layers.Dense(1)(joined))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    return model


def build_dict(left_dim, right_dim):
    left = keras.Input((left_dim,), name="left")
    right = keras.Input((right_dim,), name="right")
    joined = keras.layers.Concatenate()([left, right])
    model = keras.Model({"left": left, "right": right}, keras.layers.Dense(1)(joined))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    return model
"""

# Takes both inputs but reads only the first: it trains fine and cannot fit the target.
ONE_INPUT = HONEST.replace("Concatenate()([left, right])", "Identity()(left)")


def test_model_data_refuses_mismatched_inputs_with_a_clear_message():
    a, b = np.zeros((5, 3)), np.zeros((4, 3))
    with pytest.raises(ValueError, match="same number of rows"):
        ModelData((a, b), np.zeros(5), (a, a), np.zeros(5))
    with pytest.raises(ValueError, match="same structure"):
        ModelData((a, a), np.zeros(5), {"x": a, "y": a}, np.zeros(5))
    with pytest.raises(ValueError, match="numeric numpy.ndarray"):
        ModelData((a, [[0]] * 5), np.zeros(5), (a, a), np.zeros(5))
    with pytest.raises(TypeError, match="tuple of ndarrays"):
        ModelData([a, a], np.zeros(5), [a, a], np.zeros(5))


def test_the_task_carries_every_input_and_no_label():
    prepared = runner.Prepared(TOY_PAIRS, fast=True)
    task, arrays = prepared.task(list(TOY_PAIRS.questions), ["x = 1"], set())
    data = prepared.model_data["toy_pair_dict"]
    entry = task["questions"][1]["data"]
    assert sorted(entry) == ["x_eval", "x_train", "y_train"]
    assert sorted(entry["x_eval"]) == ["left", "right"]
    assert "__tuple__" in task["questions"][0]["data"]["x_eval"]
    for label in (data.y_eval, prepared.model_data["toy_pair_list"].y_eval):
        assert not any(a.shape == label.shape and np.array_equal(a, label) for a in arrays.values())


@pytest.mark.slow  # imports Keras
def test_check_describes_several_inputs():
    namespace: dict = {}
    exec(HONEST, namespace)
    text = message(TOY_PAIRS.question("toy_pair_dict"), namespace)
    assert "public checks passed" in text and "{left: (4, 6), right: (4, 4)}" in text
    text = message(TOY_PAIRS.question("toy_pair_list"), namespace)
    assert "[(4, 6), (4, 4)]" in text
    assert input_shapes(np.zeros((2, 3))) == "(2, 3)"


def test_masked_accuracy_ignores_padding_and_needs_class_scores():
    labels = np.array([[3, 1, 0, 0], [2, 0, 0, 0]])
    scores_ = np.eye(4)[[[3, 2, 1, 1], [2, 1, 1, 1]]]  # right on 2 of the 3 real tokens
    value, problem = model_metric("masked_accuracy", labels, scores_)
    assert problem == "" and value == pytest.approx(2 / 3)
    _, problem = model_metric("masked_accuracy", labels, labels.astype(float))
    assert "class scores" in problem


@pytest.mark.slow
def test_two_input_models_grade_honest_to_full_marks_and_one_input_to_zero(tmp_path):
    out = grade_sources(tmp_path, TOY_PAIRS, honest=HONEST, lazy=ONE_INPUT)
    honest = scores(out, "honest")
    assert honest == {"toy_pair_list": 1.0, "toy_pair_dict": 1.0}, results(out, "honest")
    assert scores(out, "lazy") == {"toy_pair_list": 0.0, "toy_pair_dict": 0.0}
    assert "needed: at most 0.05" in results(out, "lazy")["tests"][0]["output"]
