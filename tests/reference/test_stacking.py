"""Bidirectional and stacked recurrent networks from scratch against keras.layers.Bidirectional and
against Keras layers stacked with return_sequences=True."""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqcourse import reference as ref
from tests.reference.helpers import (
    RECURRENT,
    RECURRENT_BY_NAME,
    assert_close,
    keras_recurrent_call,
    keras_recurrent_layer,
    random_mask,
)

MERGE_MODES = ["concat", "sum", "mul", "ave", None]
MASK_KINDS = ["none", "right_padded", "left_padded", "holes", "fully_masked_row"]


@functools.cache
def keras_bidirectional(name, input_dim, units, merge_mode, return_sequences):
    spec = RECURRENT_BY_NAME[name]
    inner = spec.keras_class(
        units, return_sequences=return_sequences, return_state=True, **spec.options
    )
    layer = keras.layers.Bidirectional(inner, merge_mode=merge_mode)
    layer.build((None, None, input_dim))
    return layer


def _bidirectional_cases():
    cases = []
    for i, spec in enumerate(RECURRENT):
        for j, merge_mode in enumerate(MERGE_MODES):
            mask_kind = MASK_KINDS[(i + j) % len(MASK_KINDS)]
            with_initial_state = (i + j) % 2 == 0
            return_sequences = j != 1  # one many-to-one case per layer
            case_id = (
                f"{spec.name}-{merge_mode}-{mask_kind}-h0{int(with_initial_state)}"
                f"-seq{int(return_sequences)}"
            )
            cases.append(
                pytest.param(
                    spec, merge_mode, mask_kind, with_initial_state, return_sequences, id=case_id
                )
            )
    return cases


@pytest.mark.parametrize(
    ("spec", "merge_mode", "mask_kind", "with_initial_state", "return_sequences"),
    _bidirectional_cases(),
)
def test_bidirectional_matches_keras(
    spec, merge_mode, mask_kind, with_initial_state, return_sequences
):
    input_dim, units = 3, 4
    layer = keras_bidirectional(spec.name, input_dim, units, merge_mode, return_sequences)
    for batch, steps in [(1, 1), (3, 6)]:
        rng = np.random.default_rng([batch, steps, len(spec.name)])
        forward_weights = spec.random_weights(rng, input_dim, units)
        backward_weights = spec.random_weights(rng, input_dim, units)
        layer.set_weights([*forward_weights, *backward_weights])
        x = rng.normal(size=(batch, steps, input_dim)).astype(np.float32)
        mask = random_mask(rng, mask_kind, batch, steps)
        states = None
        if with_initial_state:
            states = [
                rng.normal(size=(batch, units)).astype(np.float32)
                for _ in range(2 * len(spec.state_names))
            ]

        kwargs = {}
        if mask is not None:
            kwargs["mask"] = tf.constant(mask)
        if states is not None:
            kwargs["initial_state"] = [tf.constant(s) for s in states]
        expected = [np.asarray(r) for r in layer(tf.constant(x), **kwargs)]

        ours = ref.bidirectional_forward(
            x,
            spec.forward,
            forward_weights,
            backward_weights,
            mask=mask,
            merge_mode=merge_mode,
            initial_state=states,
            return_sequences=return_sequences,
            **spec.options,
        )
        if merge_mode is None:  # Keras returns the pair flattened: forward, backward, states...
            ours = [*ours[0], *ours[1:]]
        assert len(ours) == len(expected)
        for index, (a, b) in enumerate(zip(ours, expected, strict=True)):
            assert_close(a, b, what=f"{spec.name} {merge_mode} result {index} (B={batch})")


@pytest.mark.parametrize("spec", RECURRENT, ids=lambda s: s.name)
def test_stacked_matches_keras_layers_in_sequence(spec):
    widths = [3, 5, 2, 4]  # D, then H of each of three layers
    layers = [
        keras_recurrent_layer(spec.name, d_in, d_out)
        for d_in, d_out in zip(widths[:-1], widths[1:], strict=True)
    ]
    rng = np.random.default_rng(len(spec.name))
    layer_weights = []
    for layer, d_in, d_out in zip(layers, widths[:-1], widths[1:], strict=True):
        weights = spec.random_weights(rng, d_in, d_out)
        layer.set_weights(weights)
        layer_weights.append(weights)
    x = rng.normal(size=(4, 7, widths[0])).astype(np.float32)
    mask = random_mask(rng, "right_padded", 4, 7)

    outputs = x
    expected_states = []
    for layer in layers:  # what a Sequential of these layers does with a mask
        outputs, *states = keras_recurrent_call(layer, outputs, mask)
        expected_states.append(states)

    ours, our_states = ref.stacked_forward(
        x, spec.forward, layer_weights, mask=mask, **spec.options
    )
    assert_close(ours, outputs, what="top layer outputs")
    assert len(our_states) == len(layers)
    for depth, (states, expected) in enumerate(zip(our_states, expected_states, strict=True)):
        for a, b in zip(states, expected, strict=True):
            assert_close(a, b, what=f"layer {depth} final state")


def test_stacked_layers_may_mix_widths_and_need_no_mask():
    rng = np.random.default_rng(0)
    spec = RECURRENT_BY_NAME["lstm"]
    weights = [
        spec.random_weights(rng, 2, 6, np.float64),
        spec.random_weights(rng, 6, 3, np.float64),
    ]
    x = rng.normal(size=(2, 4, 2))
    outputs, states = ref.stacked_forward(x, ref.lstm_forward, weights)
    assert outputs.shape == (2, 4, 3)
    first, _, _ = ref.lstm_forward(x, *weights[0])
    np.testing.assert_array_equal(outputs, ref.lstm_forward(first, *weights[1])[0])
    assert [len(s) for s in states] == [2, 2]
