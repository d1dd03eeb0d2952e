"""SimpleRNN, LSTM and GRU (both reset_after) from scratch against Keras, forward and backward.

Forward: outputs and final states equal Keras's within 1e-5 (float32) over a sweep of shapes
(including B = 1 and T = 1), seeds, masks (right and left padding, holes, a fully masked row) and
initial states. Backward: every gradient equals tf.GradientTape's within 1e-5 and passes a float64
centred-difference check with relative error below 1e-7.
"""

import itertools

import numpy as np
import pytest

from seqcourse import reference as ref
from tests.reference.helpers import (
    GRADIENT_CHECK_TOLERANCE,
    RECURRENT,
    assert_close,
    keras_recurrent_call,
    keras_recurrent_gradients,
    keras_recurrent_layer,
    random_mask,
)

# (B, T, D, H): B = 1, T = 1 and D = H = 1 included.
SHAPES = [(1, 1, 1, 1), (1, 5, 3, 2), (3, 1, 2, 4), (2, 6, 4, 3), (4, 9, 3, 5), (5, 4, 6, 8)]
MASK_KINDS = ["none", "right_padded", "left_padded", "holes", "fully_masked_row"]
SEEDS_PER_CASE = 3


def _shape_id(shape):
    return "x".join(map(str, shape))


def _forward_cases_iter():
    for spec in RECURRENT:
        for i, shape in enumerate(SHAPES):
            for j in range(2):
                mask_kind = MASK_KINDS[(2 * i + j) % len(MASK_KINDS)]
                with_initial_state = (i + j) % 2 == 1
                yield pytest.param(
                    spec,
                    shape,
                    mask_kind,
                    with_initial_state,
                    id=f"{spec.name}-{_shape_id(shape)}-{mask_kind}-h0{int(with_initial_state)}",
                )


def _options(spec):
    return dict(spec.options)


def _random_states(rng, spec, batch, units, dtype=np.float32):
    return [rng.normal(0, 0.8, (batch, units)).astype(dtype) for _ in spec.state_names]


@pytest.mark.parametrize(
    ("spec", "shape", "mask_kind", "with_initial_state"), list(_forward_cases_iter())
)
def test_forward_matches_keras(spec, shape, mask_kind, with_initial_state):
    batch, steps, input_dim, units = shape
    layer = keras_recurrent_layer(spec.name, input_dim, units)
    for seed in range(SEEDS_PER_CASE):
        rng = np.random.default_rng([seed, *shape])
        weights = spec.random_weights(rng, input_dim, units)
        layer.set_weights(weights)
        x = rng.normal(0, 1, (batch, steps, input_dim)).astype(np.float32)
        mask = random_mask(rng, mask_kind, batch, steps)
        states = _random_states(rng, spec, batch, units) if with_initial_state else None

        expected = keras_recurrent_call(layer, x, mask, states)
        state_kwargs = dict(zip(spec.state_names, states, strict=True)) if states else {}
        ours = spec.forward(x, *weights, mask=mask, **state_kwargs, **_options(spec))

        assert len(ours) == len(expected)
        for name, a, b in zip(["outputs", "h_T", "c_T"], ours, expected, strict=False):
            assert a.dtype == np.float32, f"{name} should stay float32"
            assert_close(a, b, what=f"{spec.name} {name} (seed {seed})")


@pytest.mark.parametrize("spec", RECURRENT, ids=lambda s: s.name)
def test_fully_masked_row_keeps_initial_state_and_outputs_zeros(spec):
    rng = np.random.default_rng(7)
    batch, steps, input_dim, units = 3, 4, 2, 3
    weights = spec.random_weights(rng, input_dim, units, np.float64)
    x = rng.normal(size=(batch, steps, input_dim))
    mask = np.ones((batch, steps), dtype=bool)
    mask[1] = False
    states = _random_states(rng, spec, batch, units, np.float64)
    outputs, *finals = spec.forward(
        x, *weights, mask=mask, **dict(zip(spec.state_names, states, strict=True)), **spec.options
    )
    assert np.all(outputs[1] == 0.0)  # Keras starts its outputs at zero, not at h0
    for final, state in zip(finals, states, strict=True):
        np.testing.assert_array_equal(final[1], state[1])


@pytest.mark.parametrize("spec", RECURRENT, ids=lambda s: s.name)
def test_step_is_one_unmasked_forward_step(spec):
    rng = np.random.default_rng(3)
    weights = spec.random_weights(rng, 4, 5, np.float64)
    x = rng.normal(size=(2, 1, 4))
    states = _random_states(rng, spec, 2, 5, np.float64)
    forward = spec.forward(
        x, *weights, **dict(zip(spec.state_names, states, strict=True)), **spec.options
    )
    if spec.name.startswith("simple_rnn"):
        stepped = (ref.simple_rnn_step(x[:, 0], states[0], *weights, **spec.options),)
    elif spec.name == "lstm":
        stepped = ref.lstm_step(x[:, 0], states[0], states[1], *weights)
    else:
        stepped = (ref.gru_step(x[:, 0], states[0], *weights, **spec.options),)
    np.testing.assert_allclose(forward[0][:, 0], stepped[0], rtol=0, atol=1e-15)
    for final, step_state in zip(forward[1:], stepped, strict=True):
        np.testing.assert_allclose(final, step_state, rtol=0, atol=1e-15)


def _gradient_cases_iter():
    shapes = [(1, 1, 2, 3), (2, 5, 3, 4), (3, 7, 2, 2)]
    for spec, (i, shape) in itertools.product(RECURRENT, enumerate(shapes)):
        mask_kind = ["none", "fully_masked_row", "left_padded"][i]
        yield pytest.param(
            spec, shape, mask_kind, id=f"{spec.name}-{'x'.join(map(str, shape))}-{mask_kind}"
        )


@pytest.mark.parametrize(("spec", "shape", "mask_kind"), list(_gradient_cases_iter()))
def test_backward_matches_gradient_tape(spec, shape, mask_kind):
    batch, steps, input_dim, units = shape
    layer = keras_recurrent_layer(spec.name, input_dim, units)
    rng = np.random.default_rng([11, *shape])
    weights = spec.random_weights(rng, input_dim, units)
    layer.set_weights(weights)
    x = rng.normal(0, 1, (batch, steps, input_dim)).astype(np.float32)
    mask = random_mask(rng, mask_kind, batch, steps)
    states = _random_states(rng, spec, batch, units)
    d_outputs = rng.normal(size=(batch, steps, units)).astype(np.float32)
    d_finals = [rng.normal(size=(batch, units)).astype(np.float32) for _ in spec.state_names]

    expected = keras_recurrent_gradients(layer, x, mask, states, d_outputs, d_finals)
    final_names = ["d_h_T", "d_c_T"][: len(d_finals)]
    ours = spec.backward(
        x,
        *weights,
        d_outputs,
        mask=mask,
        **dict(zip(spec.state_names, states, strict=True)),
        **dict(zip(final_names, d_finals, strict=True)),
        **spec.options,
    )
    assert sorted(ours) == sorted(expected)
    for name in expected:
        assert ours[name].shape == expected[name].shape, name
        assert_close(ours[name], expected[name], what=f"{spec.name} d{name}")


def _numerical_cases_iter():
    for spec in RECURRENT:
        for mask_kind in ["none", "fully_masked_row", "holes"]:
            yield pytest.param(spec, mask_kind, id=f"{spec.name}-{mask_kind}")


@pytest.mark.parametrize(("spec", "mask_kind"), list(_numerical_cases_iter()))
def test_backward_passes_numerical_gradient_check(spec, mask_kind):
    batch, steps, input_dim, units = 3, 5, 2, 3
    rng = np.random.default_rng(5)
    kernel, recurrent_kernel, bias = spec.random_weights(rng, input_dim, units, np.float64)
    x = rng.normal(size=(batch, steps, input_dim))
    mask = random_mask(rng, mask_kind, batch, steps)
    states = _random_states(rng, spec, batch, units, np.float64)
    d_outputs = rng.normal(size=(batch, steps, units))
    d_finals = [rng.normal(size=(batch, units)) for _ in spec.state_names]
    arrays = {"x": x, "kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias": bias}
    arrays.update(zip(spec.state_names, states, strict=True))

    def loss(_=None):
        weights = (arrays["kernel"], arrays["recurrent_kernel"], arrays["bias"])
        state_kwargs = {name: arrays[name] for name in spec.state_names}
        outputs, *finals = spec.forward(
            arrays["x"], *weights, mask=mask, **state_kwargs, **spec.options
        )
        total = np.sum(outputs * d_outputs)
        for final, d_final in zip(finals, d_finals, strict=True):
            total += np.sum(final * d_final)
        return total

    final_names = ["d_h_T", "d_c_T"][: len(d_finals)]
    analytic = spec.backward(
        arrays["x"],
        arrays["kernel"],
        arrays["recurrent_kernel"],
        arrays["bias"],
        d_outputs,
        mask=mask,
        **{name: arrays[name] for name in spec.state_names},
        **dict(zip(final_names, d_finals, strict=True)),
        **spec.options,
    )
    for name, array in arrays.items():
        numerical = ref.numerical_gradient(loss, array)
        error = ref.rel_error(analytic[name], numerical)
        assert error < GRADIENT_CHECK_TOLERANCE, f"{spec.name} d{name}: rel_error {error:.2e}"


@pytest.mark.parametrize("spec", RECURRENT, ids=lambda s: s.name)
def test_backward_reuses_the_forward_cache(spec):
    rng = np.random.default_rng(9)
    weights = spec.random_weights(rng, 3, 4, np.float64)
    x = rng.normal(size=(2, 6, 3))
    mask = random_mask(rng, "holes", 2, 6)
    *_, cache = spec.forward(x, *weights, mask=mask, return_cache=True, **spec.options)
    d_outputs = rng.normal(size=(2, 6, 4))
    with_cache = spec.backward(x, *weights, d_outputs, mask=mask, cache=cache, **spec.options)
    without = spec.backward(x, *weights, d_outputs, mask=mask, **spec.options)
    for name in without:
        np.testing.assert_array_equal(with_cache[name], without[name])


def test_regression_loss_and_grads_cover_the_output_layer():
    """The BPTT chapter's model: SimpleRNN + Dense, every gradient checked, V and c included."""
    rng = np.random.default_rng(21)
    batch, steps, input_dim, units, outputs_dim = 4, 6, 2, 3, 2
    params = {
        "kernel": rng.normal(0, 0.5, (input_dim, units)),
        "recurrent_kernel": rng.normal(0, 0.5, (units, units)),
        "bias": rng.normal(0, 0.5, units),
        "output_kernel": rng.normal(0, 0.5, (units, outputs_dim)),
        "output_bias": rng.normal(0, 0.5, outputs_dim),
    }
    x = rng.normal(size=(batch, steps, input_dim))
    targets = rng.normal(size=(batch, outputs_dim))
    mask = random_mask(rng, "right_padded", batch, steps)

    def loss(_=None):
        return ref.simple_rnn_regression_loss_and_grads(x, targets, **params, mask=mask)[0]

    value, grads = ref.simple_rnn_regression_loss_and_grads(x, targets, **params, mask=mask)
    assert value == pytest.approx(loss())
    for name, array in params.items():
        error = ref.rel_error(grads[name], ref.numerical_gradient(loss, array))
        assert error < GRADIENT_CHECK_TOLERANCE, f"d{name}: rel_error {error:.2e}"
    error = ref.rel_error(grads["x"], ref.numerical_gradient(loss, x))
    assert error < GRADIENT_CHECK_TOLERANCE


def test_regression_model_matches_keras():
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(4)
    model = keras.Sequential(
        [keras.Input((5, 3)), keras.layers.SimpleRNN(4), keras.layers.Dense(2)]
    )
    weights = [
        rng.normal(0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()
    ]  # kernel, recurrent_kernel, bias, output kernel, output bias
    model.set_weights(weights)
    x = rng.normal(size=(3, 5, 3)).astype(np.float32)
    targets = rng.normal(size=(3, 2)).astype(np.float32)
    with tf.GradientTape() as tape:
        predictions = model(x)
        keras_loss = keras.losses.MeanSquaredError()(targets, predictions)
    keras_grads = tape.gradient(keras_loss, model.trainable_variables)
    loss, grads = ref.simple_rnn_regression_loss_and_grads(x, targets, *weights)
    assert loss == pytest.approx(float(keras_loss), abs=1e-5)
    names = ["kernel", "recurrent_kernel", "bias", "output_kernel", "output_bias"]
    for name, expected in zip(names, keras_grads, strict=True):
        assert_close(grads[name], np.asarray(expected), what=f"d{name}")


def test_gradient_descent_with_bptt_follows_keras_sgd_step_for_step():
    import keras

    rng = np.random.default_rng(5)
    x = rng.normal(size=(16, 6, 2)).astype(np.float32)
    targets = x[:, -3:, :1].sum(axis=1)  # (16, 1): a sum the RNN can learn
    model = keras.Sequential(
        [keras.Input((6, 2)), keras.layers.SimpleRNN(5), keras.layers.Dense(1)]
    )
    start = model.get_weights()
    start_copy = [w.copy() for w in start]
    trained, losses = ref.simple_rnn_gradient_descent(
        x, targets, start, learning_rate=0.05, steps=30
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    history = model.fit(x, targets, batch_size=16, epochs=30, shuffle=False, verbose=0)
    np.testing.assert_allclose(losses, history.history["loss"], rtol=1e-4)
    for ours, keras_weight in zip(trained, model.get_weights(), strict=True):
        np.testing.assert_allclose(ours, keras_weight, atol=1e-5)
    assert losses[-1] < 0.7 * losses[0]
    assert all(np.array_equal(a, b) for a, b in zip(start, start_copy, strict=True))
    with pytest.raises(ValueError, match="five arrays"):
        ref.simple_rnn_gradient_descent(x, targets, start[:3], learning_rate=0.1, steps=1)
