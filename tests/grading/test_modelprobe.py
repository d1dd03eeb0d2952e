"""What the sandbox measures of a built model (seqcourse.grading.modelprobe): its layers and
wiring, which layers matter, and the same model without its regularisation."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.slow  # builds Keras models

from seqcourse.grading import modelprobe  # noqa: E402

L = keras.layers


def test_describe_lists_layers_their_insides_and_their_regularisation():
    penalty = keras.regularizers.L2(1e-3)
    model = keras.Sequential(
        [
            keras.Input((None, 4)),
            L.Bidirectional(L.GRU(8, recurrent_dropout=0.2, kernel_regularizer=penalty)),
            L.Dropout(0.3),
            L.Dense(1),
        ]
    )
    described = modelprobe.describe(model)
    assert described["kind"] == "sequential"
    first, dropout, dense = described["layers"]
    assert first["class"] == "Bidirectional" and {"GRU", "GRUCell"} <= set(first["inside"])
    assert "GRUCell.recurrent_dropout=0.2" in first["regularisation"]
    assert "GRUCell.kernel_regularizer" in first["regularisation"]
    assert dropout["regularisation"] == ["Dropout.rate=0.3"] and dense["regularisation"] == []
    assert all(entry["wired"] for entry in described["layers"])


def test_a_functional_model_lists_only_what_its_output_depends_on():
    x = keras.Input((12, 1))
    unused = L.SimpleRNN(4)(x)  # built, never reaches the output
    model = keras.Model(x, L.Dense(1)(L.Flatten()(x)))
    assert [e["class"] for e in modelprobe.describe(model)["layers"]] == ["Flatten", "Dense"]
    # Reaches the output, multiplied by zero: on the path, and ablation shows it does not matter.
    zeroed = L.Lambda(lambda t: 0.0 * t)(L.Dense(1)(unused))
    model = keras.Model(x, L.Add()([L.Dense(1)(L.Flatten()(x)), zeroed]))
    assert "SimpleRNN" in [e["class"] for e in modelprobe.describe(model)["layers"]]
    changes = modelprobe.ablation(model, np.random.default_rng(0).normal(size=(8, 12, 1)))
    rnn = next(name for name in changes if "simple_rnn" in name)
    assert changes[rnn] == 0.0 and max(changes.values()) > 0.1


def test_nested_models_are_expanded_and_subclassed_ones_are_not_trusted():
    inner = keras.Sequential([keras.Input((None, 1)), L.LSTM(3)], name="encoder")
    x = keras.Input((None, 1))
    layers = modelprobe.describe(keras.Model(x, L.Dense(1)(inner(x))))["layers"]
    assert [(e["class"], e["name"]) for e in layers] == [
        ("Sequential", "encoder"),
        ("LSTM", "encoder/lstm"),
        ("Dense", layers[2]["name"]),
    ]
    assert layers[0]["inside"] == ["LSTM", "LSTMCell"]

    class Lazy(keras.Model):
        def __init__(self):
            super().__init__()
            self.rnn, self.flat, self.out = L.GRU(4), L.Flatten(), L.Dense(1)

        def call(self, inputs):
            return self.out(self.flat(inputs))  # self.rnn is never called

    model = Lazy()
    model(np.zeros((2, 5, 1), "float32"))
    described = modelprobe.describe(model)
    assert described["kind"] == "subclassed"
    assert not any(e["wired"] for e in described["layers"])
    assert "gru" not in " ".join(modelprobe.ablation(model, np.ones((3, 5, 1), "float32")))


def test_strip_regularisation_trains_the_same_model_without_it():
    penalty = keras.regularizers.L2(1e-2)

    def build():
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input((6, 2)),
                L.GRU(8, dropout=0.1, recurrent_dropout=0.2, kernel_regularizer=penalty),
                L.GaussianNoise(0.5),
                L.Dropout(0.3),
                L.Dense(1, bias_regularizer=penalty),
            ]
        )
        model.compile(optimizer="adam", loss="mse")
        return model

    model = build()
    removed = modelprobe.strip_regularisation(model)
    assert len(removed) == 6, removed
    assert model.losses == []  # no weight penalty left
    assert all(e["regularisation"] == [] for e in modelprobe.describe(model)["layers"])
    x = np.random.default_rng(1).normal(size=(16, 6, 2)).astype("float32")
    # Without dropout or noise, training-mode outputs are the inference outputs.
    assert np.allclose(model(x, training=True), model(x, training=False), atol=1e-6)
    plain = keras.Sequential([keras.Input((6, 2)), L.GRU(8), L.Dense(1)])
    plain.set_weights(model.get_weights())
    assert np.allclose(plain(x), model(x), atol=1e-6)  # the same function as the plain model
    assert modelprobe.strip_regularisation(plain) == []


def test_required_layers_match_by_class_cell_or_suffix():
    model = keras.Sequential(
        [keras.Input((None, 4)), L.Bidirectional(L.GRU(8)), L.Dense(1, name="head")]
    )
    wrapped, dense = modelprobe.describe(model)["layers"]
    assert modelprobe.matches_required(wrapped, ["GRU"])  # GRU inside Bidirectional
    assert modelprobe.matches_required(wrapped, ["LSTM", "*GRU"])
    assert not modelprobe.matches_required(wrapped, ["LSTM", "SimpleRNN"])
    assert not modelprobe.matches_required(dense, ["GRU"])
    assert modelprobe.matches_required({"class": "BahdanauAttention"}, ["*Attention"])
    assert not modelprobe.matches_required({"class": "BahdanauAttention"}, ["Attention"])
