"""seqcourse.models.training.AdversarialEmbeddingModel: the perturbation has norm epsilon per
example, is zero on padding and raises the loss; one step moves the weights along the gradient of
L(e) + weight * L(e + r) (checked with tf.GradientTape); epsilon = 0 is the ordinary step."""

import numpy as np
import pytest

import seqcourse

pytestmark = pytest.mark.slow  # imports Keras and fits small models

V, TUNED, D = 30, 20, 8


def _data():
    rng = np.random.default_rng(0)
    ids = rng.integers(1, V, size=(16, 7)).astype("int32")
    ids[:, 5:][rng.random((16, 2)) < 0.5] = 0  # some post-padding
    ids[ids[:, 5] == 0, 6] = 0
    y = (ids[:, 0] < V // 2).astype("float32")[:, None]  # depends on the first token
    return ids, y


def _build(epsilon, weight=1.0, dropout=0.0):
    import keras

    from seqcourse.models.layers import PretrainedEmbedding
    from seqcourse.models.training import AdversarialEmbeddingModel

    seqcourse.seed_everything(0)
    table = np.random.default_rng(1).normal(size=(V, D)).astype("float32")
    embedding = PretrainedEmbedding(V, D, TUNED, table, name="embedding")
    head = keras.Sequential(
        [
            keras.layers.SpatialDropout1D(dropout),
            keras.layers.GRU(6),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model = AdversarialEmbeddingModel(embedding, head, epsilon, weight)
    model.compile(keras.optimizers.SGD(0.5), "binary_crossentropy", metrics=["accuracy"])
    model(_data()[0][:2])  # build
    return model


def _loss_and_gradient(model, ids, y, r=None):
    import tensorflow as tf

    mask = model.embedding.compute_mask(ids)
    with tf.GradientTape() as tape:
        vectors = model.embedding(ids)
        tape.watch(vectors)
        inputs = vectors if r is None else vectors + r
        p = model.head(inputs, mask=mask, training=True)
        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, p))
    return loss, tape.gradient(loss, [*model.trainable_weights, vectors])


def test_perturbation_has_norm_epsilon_is_zero_on_padding_and_raises_the_loss():
    ids, y = _data()
    model = _build(epsilon=0.5)
    loss, (*_, gradient) = _loss_and_gradient(model, ids, y)
    mask = np.asarray(model.embedding.compute_mask(ids))
    r = np.asarray(model.perturbation(gradient, mask))  # (B, T, D)
    np.testing.assert_allclose(np.sqrt((r**2).sum(axis=(1, 2))), 0.5, rtol=1e-5)
    assert np.all(r[~mask] == 0)
    adversarial, _ = _loss_and_gradient(model, ids, y, r)
    random = np.random.default_rng(2).normal(size=r.shape).astype("float32") * mask[..., None]
    random *= 0.5 / np.sqrt((random**2).sum(axis=(1, 2), keepdims=True))
    by_chance, _ = _loss_and_gradient(model, ids, y, random)
    assert float(adversarial) > float(by_chance) and float(adversarial) > float(loss) + 1e-3


def test_one_step_follows_the_gradient_of_both_losses():
    import tensorflow as tf

    ids, y = _data()
    model = _build(epsilon=0.5, weight=0.7)
    before = [w.numpy() for w in model.trainable_weights]
    _, (*clean, gradient) = _loss_and_gradient(model, ids, y)
    r = model.perturbation(gradient, model.embedding.compute_mask(ids))
    _, (*perturbed, _) = _loss_and_gradient(model, ids, y, r)
    logs = model.train_on_batch(ids, y, return_dict=True)
    assert "adversarial_loss" in logs
    for w0, w1, a, b in zip(before, model.trainable_weights, clean, perturbed, strict=True):
        step = tf.convert_to_tensor(a) + 0.7 * tf.convert_to_tensor(b)
        np.testing.assert_allclose(w1.numpy(), w0 - 0.5 * step.numpy(), atol=1e-5)
    # the correction of the frozen table moved on the tuned rows the batch uses, nowhere else
    delta = model.embedding.delta.numpy()
    used = np.unique(ids[(ids > 0) & (ids < TUNED)])
    assert np.abs(delta[used]).max() > 0
    assert np.all(delta[np.setdiff1d(np.arange(TUNED), used)] == 0)


def test_epsilon_zero_is_the_ordinary_step_and_padding_is_masked():
    import keras

    ids, y = _data()
    model = _build(epsilon=0.0)
    twin = _build(epsilon=0.0)  # the same layers, applied by a functional model
    inputs = keras.Input((None,), dtype="int32")
    x = twin.embedding(inputs)
    for layer in twin.head.layers:
        x = layer(x)
    plain = keras.Model(inputs, x)
    plain.compile(keras.optimizers.SGD(0.5), "binary_crossentropy")
    model.fit(ids, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    plain.fit(ids, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    # the head reads the embedding's mask: more padding leaves the predictions unchanged
    padded = np.pad(ids, ((0, 0), (0, 4)))
    np.testing.assert_allclose(
        model.predict(padded, verbose=0), model.predict(ids, verbose=0), atol=1e-6
    )


def test_an_unbuilt_model_trains_with_adam_and_logs_the_adversarial_loss():
    import keras

    from seqcourse.models.layers import PretrainedEmbedding
    from seqcourse.models.training import AdversarialEmbeddingModel

    ids, y = _data()
    seqcourse.seed_everything(0)
    table = np.random.default_rng(1).normal(size=(V, D)).astype("float32")
    head = keras.Sequential([keras.layers.GRU(6), keras.layers.Dense(1, activation="sigmoid")])
    model = AdversarialEmbeddingModel(PretrainedEmbedding(V, D, TUNED, table), head, 0.5)
    model.compile(keras.optimizers.Adam(1e-2), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ids, y, batch_size=8, epochs=3, verbose=0).history
    assert set(history) == {"loss", "accuracy", "adversarial_loss"}
    assert all(a > c for a, c in zip(history["adversarial_loss"], history["loss"], strict=True))
    assert history["loss"][-1] < history["loss"][0]


def test_bad_epsilon_and_weight_are_explained():
    with pytest.raises(ValueError, match="epsilon must be a number >= 0"):
        _build(epsilon=-1.0)
    with pytest.raises(ValueError, match="weight must be a number > 0"):
        _build(epsilon=1.0, weight=0)
