"""seqcourse.models.training.GradientNormModel and StepRecorder: the reported norm is the true
global gradient norm, and clipping in the step equals the optimizer's global_clipnorm."""

import numpy as np
import pytest

import seqcourse
from seqcourse.reference.regularisation import global_norm

pytestmark = pytest.mark.slow  # imports Keras and fits small models


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 6, 3)).astype("float32")
    y = (x[:, 0, :1] - x[:, -1, 1:2]).astype("float32")  # depends on the first and last step
    return x, y


def _build(kind, clip_norm=None, l2=0.0):
    import keras

    from seqcourse.models.training import GradientNormModel

    seqcourse.seed_everything(0)
    inputs = keras.Input((6, 3))
    penalty = keras.regularizers.L2(l2) if l2 else None
    hidden = keras.layers.GRU(5, kernel_regularizer=penalty)(inputs)
    outputs = keras.layers.Dense(1)(hidden)
    if kind == "monitored":
        model = GradientNormModel(inputs, outputs, clip_norm=clip_norm)
        optimizer = keras.optimizers.SGD(0.5)
    else:
        model = keras.Model(inputs, outputs)
        optimizer = keras.optimizers.SGD(0.5, global_clipnorm=clip_norm)
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


def test_reported_norm_is_the_global_norm_of_the_loss_gradient():
    import tensorflow as tf

    from seqcourse.models.training import StepRecorder

    x, y = _data()
    model = _build("monitored", l2=0.01)
    with tf.GradientTape() as tape:  # the first step's gradient, penalty included
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y)) + tf.add_n(model.losses)
    expected = global_norm([g.numpy() for g in tape.gradient(loss, model.trainable_weights)])
    recorder = StepRecorder("grad_norm")
    history = model.fit(x, y, batch_size=40, epochs=3, verbose=0, callbacks=[recorder])
    assert len(recorder.values) == 3  # one full batch per epoch
    assert abs(recorder.values[0] - expected) < 1e-4 * expected
    assert set(history.history) == {"loss", "mae", "grad_norm"}


def test_clipping_in_the_step_equals_the_optimizer_option():
    x, y = _data()
    monitored = _build("monitored", clip_norm=0.05)
    plain = _build("plain", clip_norm=0.05)
    h_monitored = monitored.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    h_plain = plain.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    for a, b in zip(monitored.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    # The loss the two report (a sample-weighted mean over the epoch) agrees too.
    np.testing.assert_allclose(h_monitored.history["loss"], h_plain.history["loss"], rtol=1e-5)
    unclipped = _build("monitored")
    unclipped.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    moved = max(
        np.abs(a - b).max()
        for a, b in zip(unclipped.get_weights(), plain.get_weights(), strict=True)
    )
    assert moved > 1e-3  # the threshold was low enough to change the training


def test_bad_clip_norm_and_missing_log_key_are_explained():
    from seqcourse.models.training import StepRecorder

    with pytest.raises(ValueError, match="clip_norm must be a positive number or None"):
        _build("monitored", clip_norm=0.0)
    x, y = _data()
    model = _build("plain")
    with pytest.raises(KeyError, match="GradientNormModel"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[StepRecorder("grad_norm")])
