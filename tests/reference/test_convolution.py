"""seqcourse.reference.convolution against Keras: output length and receptive field."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqcourse import reference as ref


def _front_end(layers):
    """Linear layers with all-one kernels: every step in the field gets a non-zero gradient."""
    model = [keras.Input((None, 1))]
    for kernel_size, stride in layers:
        if stride == 1:
            model.append(keras.layers.Conv1D(1, kernel_size, kernel_initializer="ones"))
        else:
            assert stride == kernel_size
            model.append(keras.layers.AveragePooling1D(kernel_size))
    return keras.Sequential(model)


@pytest.mark.parametrize(
    "layers",
    [[(9, 1), (4, 4)], [(3, 1)], [(5, 1), (2, 2), (3, 1), (2, 2)], [(4, 4), (4, 4)]],
)
def test_output_length_and_receptive_field_match_keras_gradients(layers):
    steps = 57
    model = _front_end(layers)
    x = tf.Variable(np.random.default_rng(0).normal(size=(1, steps, 1)).astype("float32"))
    with tf.GradientTape(persistent=True) as tape:
        y = model(x)
        indices = (0, 1, y.shape[1] - 1)
        picked = [y[0, index, 0] for index in indices]  # sliced on the tape
    assert y.shape[1] == ref.output_length(layers, steps)
    for index, output in zip(indices, picked, strict=True):
        gradient = tape.gradient(output, x).numpy()[0, :, 0]
        start, stop = ref.receptive_field(layers, index)
        assert np.flatnonzero(gradient).tolist() == list(range(start, stop)), (layers, index)


def test_conv_then_pool_field_is_kernel_plus_pool_minus_one():
    for kernel_size, pool in [(9, 4), (3, 2), (1, 5)]:
        start, stop = ref.receptive_field([(kernel_size, 1), (pool, pool)], 3)
        assert (start, stop - start) == (3 * pool, kernel_size + pool - 1)
    assert ref.output_length([(9, 1), (4, 4)], 400) == (400 - 9 + 1) // 4
    assert ref.output_length([(9, 1)], 5) == 0


@pytest.mark.parametrize(
    ("layers", "index", "message"),
    [
        ([], 0, "at least one"),
        ([(0, 1)], 0, "kernel_size=0"),
        ([(3, 1.5)], 0, "stride=1.5"),
        ([(3, 1)], -1, "index must be an int >= 0"),
    ],
)
def test_receptive_field_rejects_bad_arguments(layers, index, message):
    with pytest.raises(ValueError, match=message):
        ref.receptive_field(layers, index)
