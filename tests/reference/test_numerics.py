"""softmax, cross-entropy, MSE, the dense layer and the gradient-check helpers, against Keras and
against centred differences."""

import subprocess
import sys

import keras
import numpy as np
import pytest

from seqcourse import reference as ref
from tests.conftest import ROOT
from tests.reference.helpers import GRADIENT_CHECK_TOLERANCE, assert_close


def test_importing_reference_does_not_import_tensorflow_or_keras():
    code = (
        "import sys\n"
        "import seqcourse.reference\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'tensorflow', 'keras'})\n"
        "print(heavy)\n"
        "sys.exit(1 if heavy else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"seqcourse.reference imported {result.stdout}{result.stderr}"


def test_no_module_mentions_tensorflow_or_keras_imports():
    for path in (ROOT / "seqcourse" / "reference").glob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            assert not stripped.startswith(("import tensorflow", "import keras")), path.name
            assert not stripped.startswith(("from tensorflow", "from keras")), path.name


def test_softmax_matches_keras_and_survives_large_logits():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (4, 5, 7)).astype(np.float32)
    assert_close(ref.softmax(logits), np.asarray(keras.ops.softmax(logits, axis=-1)))
    assert_close(ref.softmax(logits, axis=1), np.asarray(keras.ops.softmax(logits, axis=1)))
    huge = np.array([[1000.0, 1001.0, -1000.0]])
    probabilities = ref.softmax(huge)
    assert np.all(np.isfinite(probabilities))
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0)
    np.testing.assert_allclose(np.exp(ref.log_softmax(huge)), probabilities)


def test_sigmoid_is_stable_and_matches_keras():
    z = np.linspace(-800, 800, 101)
    with np.errstate(all="raise"):
        values = ref.sigmoid(z)
    assert values[0] == 0.0 and values[-1] == 1.0
    small = np.linspace(-8, 8, 33).astype(np.float32)
    assert_close(ref.sigmoid(small), np.asarray(keras.ops.sigmoid(small)))


@pytest.mark.parametrize("shape", [(6, 4), (3, 5, 4)])
def test_cross_entropy_matches_keras_and_its_gradient_checks(shape):
    rng = np.random.default_rng(1)
    logits = rng.normal(size=shape)
    labels = rng.integers(0, shape[-1], shape[:-1])
    keras_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    assert ref.cross_entropy(logits, labels) == pytest.approx(float(keras_loss), rel=1e-6)

    numerical = ref.numerical_gradient(lambda z: ref.cross_entropy(z, labels), logits)
    error = ref.rel_error(ref.cross_entropy_backward(logits, labels), numerical)
    assert error < GRADIENT_CHECK_TOLERANCE


def test_mean_squared_error_matches_keras_and_its_gradient_checks():
    rng = np.random.default_rng(2)
    predictions = rng.normal(size=(5, 3))
    targets = rng.normal(size=(5, 3))
    keras_loss = keras.losses.MeanSquaredError()(targets, predictions)
    assert ref.mean_squared_error(predictions, targets) == pytest.approx(float(keras_loss))
    numerical = ref.numerical_gradient(lambda p: ref.mean_squared_error(p, targets), predictions)
    error = ref.rel_error(ref.mean_squared_error_backward(predictions, targets), numerical)
    assert error < GRADIENT_CHECK_TOLERANCE


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "linear"])
def test_activation_derivatives(name):
    z = np.linspace(-3, 3, 13) + 0.01  # away from relu's kink at 0
    function = {"tanh": np.tanh, "sigmoid": ref.sigmoid, "relu": ref.relu, "linear": ref.linear}
    numerical = ref.numerical_gradient(lambda v: np.sum(function[name](v)), z.copy())
    np.testing.assert_allclose(ref.activation_derivative(name, z), numerical, atol=1e-8)


@pytest.mark.parametrize("leading", [(4,), (3, 5)])
def test_dense_matches_keras_and_its_gradient_checks(leading):
    rng = np.random.default_rng(3)
    layer = keras.layers.Dense(2)
    inputs = rng.normal(size=(*leading, 3)).astype(np.float32)
    layer.build(inputs.shape)
    kernel = rng.normal(size=(3, 2)).astype(np.float32)
    bias = rng.normal(size=2).astype(np.float32)
    layer.set_weights([kernel, bias])
    assert_close(ref.dense_forward(inputs, kernel, bias), np.asarray(layer(inputs)))

    inputs64, kernel64, bias64 = (a.astype(np.float64) for a in (inputs, kernel, bias))
    d_outputs = rng.normal(size=(*leading, 2))
    grads = ref.dense_backward(inputs64, kernel64, d_outputs)
    for name, array in {"inputs": inputs64, "kernel": kernel64, "bias": bias64}.items():
        numerical = ref.numerical_gradient(
            lambda _: np.sum(ref.dense_forward(inputs64, kernel64, bias64) * d_outputs), array
        )
        assert ref.rel_error(grads[name], numerical) < GRADIENT_CHECK_TOLERANCE, name


def test_numerical_gradient_of_a_known_function_and_restores_x():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    original = x.copy()
    gradient = ref.numerical_gradient(lambda v: np.sum(v**3), x)
    np.testing.assert_allclose(gradient, 3 * original**2, atol=1e-9)  # error eps^2 f'''/6
    np.testing.assert_array_equal(x, original)


def test_numerical_gradient_refuses_float32():
    with pytest.raises(ValueError, match="x must be a float64 NumPy array"):
        ref.numerical_gradient(lambda v: np.sum(v), np.ones(3, dtype=np.float32))


def test_rel_error():
    a = np.array([1.0, 2.0, 3.0])
    assert ref.rel_error(a, a) == 0.0
    assert ref.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert ref.rel_error(a, -a) == pytest.approx(1.0)
    assert ref.rel_error(a, a * (1 + 1e-9)) < 1e-9
    with pytest.raises(ValueError, match="b must have the shape of a"):
        ref.rel_error(a, a[:2])
