"""Shared machinery for the reference-layer tests: random cases, Keras layers built once per shape,
Keras forward passes and tf.GradientTape gradients with given weights."""

import functools
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from seqcourse import reference as ref

TOLERANCE = 1e-5  # float32 agreement with Keras, relative to the size of the compared values
GRADIENT_CHECK_TOLERANCE = 1e-7  # float64 rel_error against centred differences


def assert_close(actual, expected, tolerance=TOLERANCE, what=""):
    """max |actual - expected| <= tolerance * max(1, max |expected|)."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    error = float(np.max(np.abs(actual - expected), initial=0.0))
    assert error <= tolerance * scale, (
        f"{what}: max abs error {error:.3g} > {tolerance * scale:.3g}"
    )


@dataclass(frozen=True)
class Recurrent:
    """One recurrent layer under test: its Keras class and options, and our functions."""

    name: str
    keras_class: type
    forward: object
    backward: object
    gates: int
    options: dict = field(default_factory=dict)  # passed to Keras and to our functions alike

    @property
    def state_names(self):
        return ("h0", "c0") if self.keras_class is keras.layers.LSTM else ("h0",)

    def bias_shape(self, units):
        if self.keras_class is keras.layers.GRU and self.options.get("reset_after", True):
            return (2, 3 * units)
        return (self.gates * units,)

    def random_weights(self, rng, input_dim, units, dtype=np.float32):
        scale = 0.6
        return (
            rng.uniform(-scale, scale, (input_dim, self.gates * units)).astype(dtype),
            rng.uniform(-scale, scale, (units, self.gates * units)).astype(dtype),
            rng.uniform(-scale, scale, self.bias_shape(units)).astype(dtype),
        )


RECURRENT = [
    Recurrent(
        "simple_rnn", keras.layers.SimpleRNN, ref.simple_rnn_forward, ref.simple_rnn_backward, 1
    ),
    Recurrent(
        "simple_rnn_relu",
        keras.layers.SimpleRNN,
        ref.simple_rnn_forward,
        ref.simple_rnn_backward,
        1,
        {"activation": "relu"},
    ),
    Recurrent("lstm", keras.layers.LSTM, ref.lstm_forward, ref.lstm_backward, 4),
    Recurrent(
        "gru_reset_after",
        keras.layers.GRU,
        ref.gru_forward,
        ref.gru_backward,
        3,
        {"reset_after": True},
    ),
    Recurrent(
        "gru_reset_before",
        keras.layers.GRU,
        ref.gru_forward,
        ref.gru_backward,
        3,
        {"reset_after": False},
    ),
]
RECURRENT_BY_NAME = {spec.name: spec for spec in RECURRENT}


@functools.cache
def keras_recurrent_layer(name, input_dim, units):
    """A built Keras layer (return_sequences and return_state), one per (layer, D, H): weights are
    set per test with set_weights, so nothing is rebuilt or retraced in a loop."""
    spec = RECURRENT_BY_NAME[name]
    layer = spec.keras_class(units, return_sequences=True, return_state=True, **spec.options)
    layer.build((None, None, input_dim))
    return layer


def random_mask(rng, kind, batch, steps):
    """A (B, T) boolean mask of the given kind, or None for kind "none"."""
    if kind == "none":
        return None
    if kind == "right_padded":  # real steps first, padding after (the usual case)
        lengths = rng.integers(1, steps + 1, batch)
        return np.arange(steps)[None, :] < lengths[:, None]
    if kind == "left_padded":  # padding first: outputs before the first real step are zeros
        lengths = rng.integers(1, steps + 1, batch)
        return np.arange(steps)[None, :] >= (steps - lengths)[:, None]
    if kind == "holes":  # arbitrary steps missing
        return rng.random((batch, steps)) < 0.6
    if kind == "fully_masked_row":  # row 0 has no real step at all
        mask = rng.random((batch, steps)) < 0.7
        mask[0] = False
        return mask
    raise ValueError(kind)


def keras_recurrent_call(layer, x, mask=None, initial_states=None):
    """Keras's (outputs, *final_states) as NumPy arrays."""
    kwargs = {}
    if mask is not None:
        kwargs["mask"] = tf.constant(mask)
    if initial_states is not None:
        kwargs["initial_state"] = [tf.constant(s) for s in initial_states]
    return [np.asarray(r) for r in layer(tf.constant(x), **kwargs)]


def keras_recurrent_gradients(layer, x, mask, initial_states, d_outputs, d_final_states):
    """tf.GradientTape gradients of L = sum(outputs * d_outputs) + sum_s sum(final_s * d_final_s).

    Returns a dict keyed like our backward functions: x, kernel, recurrent_kernel, bias, h0 (, c0).
    """
    x_tensor = tf.constant(x)
    state_tensors = [tf.constant(s) for s in initial_states]
    with tf.GradientTape() as tape:
        tape.watch(x_tensor)
        for state in state_tensors:
            tape.watch(state)
        kwargs = {"initial_state": state_tensors}
        if mask is not None:
            kwargs["mask"] = tf.constant(mask)
        outputs, *finals = layer(x_tensor, **kwargs)
        loss = tf.reduce_sum(outputs * d_outputs)
        for final, d_final in zip(finals, d_final_states, strict=True):
            loss += tf.reduce_sum(final * d_final)
    weights = list(layer.trainable_variables)
    gradients = tape.gradient(loss, [x_tensor, *state_tensors, *weights])
    names = ["x", *(["h0", "c0"][: len(state_tensors)]), "kernel", "recurrent_kernel", "bias"]
    return {
        name: np.asarray(tf.convert_to_tensor(g)) for name, g in zip(names, gradients, strict=True)
    }
