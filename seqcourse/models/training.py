"""Training helpers the chapters share. Imports Keras: import it after ``import seqcourse``."""

import time
import warnings

import keras
import numpy as np

__all__ = [
    "AdversarialEmbeddingModel",
    "EpochTimer",
    "GradientNormModel",
    "ScheduledSampling",
    "StepRecorder",
]


def _step_logs(model, loss, batch_size, x, y, y_pred, sample_weight=None):
    """The logs a custom ``train_step`` returns, as the built-in step makes them: the loss
    tracker updated with the batch's loss (averaged over samples: weighted by ``batch_size``),
    then the compiled metrics on ``y_pred``."""
    for metric in model.metrics:
        if metric.name == "loss":
            metric.update_state(loss, sample_weight=batch_size)
    return model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)


class EpochTimer(keras.callbacks.Callback):
    """Record the wall-clock seconds that ``model.fit`` spends *training* in each epoch.

    The time runs from the start of an epoch to the end of its last training batch; the
    validation pass that ``fit(validation_data=...)`` runs afterwards is left out, so models with
    and without validation compare fairly. Use one timer per ``fit`` call, first in ``callbacks``
    (callbacks run in list order, so one listed earlier could add its own work to the count).

    Attributes:
        seconds: list of float, one entry per finished epoch.

    Chapters 5, 6, 7, 8, 10, 13 and 14 use it.
    """

    def __init__(self):
        super().__init__()
        self.seconds = []
        self._start = None
        self._train_end = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        self._train_end = None

    def on_test_begin(self, logs=None):
        # fit() validates after the epoch's training batches: stop the clock there.
        if self._start is not None and self._train_end is None:
            self._train_end = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        end = self._train_end if self._train_end is not None else time.perf_counter()
        self.seconds.append(end - self._start)
        self._start = None

    @property
    def steady_seconds(self) -> float:
        """Median seconds per epoch after the first (which also traces and compiles the graph)."""
        if len(self.seconds) < 2:
            raise ValueError(
                f"steady_seconds needs at least 2 timed epochs (the first includes compiling); "
                f"got {len(self.seconds)}: fit for more epochs with this timer in callbacks"
            )
        return float(np.median(self.seconds[1:]))


class GradientNormModel(keras.Model):
    """A functional ``keras.Model`` whose training step reports, and can clip, the gradient norm.

    Build it like any functional model, ``GradientNormModel(inputs, outputs, clip_norm=...)``, then
    ``compile`` and ``fit`` as usual. Each training step computes the gradients of the loss
    (regularisation penalties included) for all trainable weights, measures their global norm
    ``||g|| = sqrt(sum_k ||g_k||^2)``, and, if ``clip_norm`` is set, rescales them by
    ``clip_norm / max(||g||, clip_norm)`` before the optimizer applies them: the same update as
    an optimizer built with ``global_clipnorm=clip_norm``. The norm *before* clipping is returned
    in the step's logs as ``"grad_norm"``; record it per step with :class:`StepRecorder`.

    TensorFlow backend only (it uses ``tf.GradientTape``), like the course.

    Chapter 7 shows it.
    """

    def __init__(self, *args, clip_norm=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clip_norm is not None and (
            isinstance(clip_norm, bool) or not isinstance(clip_norm, int | float) or clip_norm <= 0
        ):
            raise ValueError(f"clip_norm must be a positive number or None; got {clip_norm!r}")
        self.clip_norm = clip_norm

    def train_step(self, data):
        import tensorflow as tf

        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)  # training=True: dropout is active
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
        grads = tape.gradient(loss, self.trainable_weights)
        norm = tf.linalg.global_norm(grads)  # sqrt of the sum of every squared entry
        if self.clip_norm is not None:
            # g <- g * c / max(||g||, c): unchanged below c, rescaled to norm c above it
            scale = self.clip_norm / tf.maximum(norm, self.clip_norm)
            grads = [g * scale for g in grads]
        self.optimizer.apply(grads, self.trainable_weights)
        logs = _step_logs(self, loss, tf.shape(x)[0], x, y, y_pred)  # e.g. "loss", "mse"
        logs["grad_norm"] = norm
        return logs


FEEDS = ("argmax", "sample")


class ScheduledSampling(keras.Model):
    """Train a teacher-forced encoder-decoder with scheduled sampling, in two passes per batch.

    ``ScheduledSampling(model, probabilities)`` wraps a model ``[source (B, S), decoder_input
    (B, T)] -> logits (B, T, V)`` (e.g. :attr:`seqcourse.models.seq2seq.Seq2Seq.train`; the two
    share their weights). Compile and ``fit`` it on the same arrays as the model. Each training
    step (Bengio et al., 2015, run in parallel as Mihaylova and Martins, 2019, and Duckworth et al.,
    2019 do):

    1. a teacher-forced pass, without gradient, gives the model's guess ``g_t`` at every step
       (``feed="argmax"``: its most probable token; ``"sample"``: a token drawn from its softmax;
       never the padding id 0);
    2. the decoder input is rebuilt: step t >= 1 reads the true ``y_t`` with probability
       ``p_i = probabilities[i]`` (i the optimizer's step count; the last entry once i runs past
       the end) and the guess for ``y_t``, made at step t - 1, otherwise; step 0 keeps ``<s>``
       and padding stays 0;
    3. a second pass on that input computes the loss against the true targets and the gradient.

    The guesses come from the teacher-forced prefix, not from the mixed one that a step-by-step
    decoder would have read: the price of keeping both passes parallel over the steps. The step's
    logs add ``"teacher_probability"``, the ``p_i`` it used, and ``"wrong_inputs"``, the share of
    the real steps after ``<s>`` that read a token other than the true one.

    Args:
        model: the Keras model to train (two inputs, logits out).
        probabilities: 1-D array of teacher-forcing probabilities, one per training step, e.g.
            :func:`seqcourse.inference.decoding.teacher_forcing_probability` of ``arange(steps)``.
        feed: ``"argmax"`` or ``"sample"``, how a guess is made.
        seed: seed of the draws (and of the sampled guesses).

    TensorFlow backend only (it uses ``tf.GradientTape``), like the course.

    Chapter 11 shows it.
    """

    def __init__(self, model, probabilities, feed="argmax", seed=0, **kwargs):
        super().__init__(**kwargs)
        probabilities = np.asarray(probabilities, dtype="float32")
        if probabilities.ndim != 1 or probabilities.size == 0:
            raise ValueError(
                f"probabilities must be a non-empty 1-D array (one per training step); got shape "
                f"{probabilities.shape}"
            )
        if not np.all((probabilities >= 0) & (probabilities <= 1)):
            raise ValueError("probabilities must lie in [0, 1]")
        if feed not in FEEDS:
            raise ValueError(f"feed must be one of {FEEDS}; got {feed!r}")
        self.inner, self.feed = model, feed
        self.probabilities = probabilities
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        return self.inner(inputs, training=training)

    def teacher_probability(self):
        """p_i for the optimizer's current step i (a scalar tensor)."""
        last = len(self.probabilities) - 1
        step = keras.ops.minimum(keras.ops.cast(self.optimizer.iterations, "int32"), last)
        return keras.ops.take(keras.ops.convert_to_tensor(self.probabilities), step)

    def mixed_inputs(self, source, decoder_input, probability):
        """Steps 1 and 2: the decoder input of the second pass, ``(B, T)``."""
        ops = keras.ops
        logits = ops.stop_gradient(self.inner([source, decoder_input], training=False))
        # never guess the padding id 0: fed back, it would mask the step out
        vocab = ops.shape(logits)[-1]
        logits = ops.where(ops.arange(vocab) == 0, -1e9, logits)
        if self.feed == "argmax":
            guesses = ops.argmax(logits, axis=-1)  # g_t = argmax_v p(v | y_<t, x)
        else:
            flat = ops.reshape(logits, (-1, ops.shape(logits)[-1]))
            drawn = keras.random.categorical(flat, 1, seed=self.seed_generator)
            guesses = ops.reshape(drawn, ops.shape(decoder_input))
        guesses = ops.cast(guesses, decoder_input.dtype)
        # the guess for y_t was made at step t - 1: shift right by one, <s> in front
        shifted = ops.concatenate([decoder_input[:, :1], guesses[:, :-1]], axis=1)
        draws = keras.random.uniform(ops.shape(decoder_input), seed=self.seed_generator)
        # true y_t with probability p (step 0 reads <s> either way)
        mixed = ops.where(draws < probability, decoder_input, shifted)
        return ops.where(ops.not_equal(decoder_input, 0), mixed, ops.zeros_like(mixed))

    def train_step(self, data):
        import tensorflow as tf

        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        source, decoder_input = x
        probability = self.teacher_probability()
        mixed = self.mixed_inputs(source, decoder_input, probability)
        with tf.GradientTape() as tape:
            y_pred = self.inner([source, mixed], training=True)
            loss = self.compute_loss(
                x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True
            )
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply(grads, self.trainable_weights)
        logs = _step_logs(self, loss, tf.shape(source)[0], x, y, y_pred, sample_weight)
        logs["teacher_probability"] = probability
        # the share of the real steps after <s> whose input was a wrong guess
        later = keras.ops.not_equal(decoder_input[:, 1:], 0)
        wrong = keras.ops.logical_and(later, keras.ops.not_equal(mixed, decoder_input)[:, 1:])
        logs["wrong_inputs"] = keras.ops.sum(keras.ops.cast(wrong, "float32")) / keras.ops.maximum(
            keras.ops.sum(keras.ops.cast(later, "float32")), 1.0
        )
        return logs


class AdversarialEmbeddingModel(keras.Model):
    """A classifier trained on its embedded inputs and on their adversarial perturbation.

    ``AdversarialEmbeddingModel(embedding, head, epsilon)`` computes
    ``head(embedding(ids), mask=embedding.compute_mask(ids))``: ``embedding`` maps ``(B, T)`` ids
    to ``(B, T, d)`` vectors with a mask (e.g. :class:`seqcourse.models.layers.PretrainedEmbedding`
    or ``Embedding(mask_zero=True)``), ``head`` maps them to the predictions (e.g. a
    ``keras.Sequential`` of dropout, a recurrent layer and a ``Dense``). Each training step
    (Miyato, Dai and Goodfellow, 2017, "Adversarial training methods for semi-supervised text
    classification"):

    1. the loss ``L(e)`` on the embedded batch ``e = embedding(ids)``, and in the same backward
       pass its gradient ``g = dL/de`` ``(B, T, d)`` besides the weights' gradients;
    2. the perturbation ``r = epsilon * g / ||g||_2``, one norm per example over its real (masked)
       steps and all ``d`` features: the direction, to first order, in which a change of norm
       ``epsilon`` raises that example's loss most;
    3. the loss ``L(e + r)`` on the perturbed vectors (``r`` held constant), and the weights move
       along the gradient of ``L(e) + weight * L(e + r)``.

    A step runs two forward and backward passes instead of one. Dropout layers in ``head`` draw
    new masks for the second pass. The step's logs add ``"adversarial_loss"``, ``L(e + r)``. With
    ``epsilon=0`` the step is the ordinary one (no second pass).

    Args:
        embedding: the layer ``(B, T)`` ids ``->`` ``(B, T, d)``, with ``compute_mask``.
        head: the layer or model ``(B, T, d)`` ``->`` predictions, called with ``mask=``.
        epsilon: the norm of each example's perturbation (``>= 0``), in the units of the
            embedding's rows (GloVe's 100-dimensional rows have norms of about 5).
        weight: the weight of the adversarial loss (``> 0``).

    TensorFlow backend only (it uses ``tf.GradientTape``), like the course.

    Chapter 9 shows it.
    """

    def __init__(self, embedding, head, epsilon, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        for name, value, positive in (("epsilon", epsilon, False), ("weight", weight, True)):
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or value < 0 or (positive and value == 0):
                bound = "> 0" if positive else ">= 0"
                raise ValueError(f"{name} must be a number {bound}; got {value!r}")
        self.embedding, self.head = embedding, head
        self.epsilon, self.weight = float(epsilon), float(weight)

    def call(self, ids, training=False):
        return self.read(self.embedding(ids), self.embedding.compute_mask(ids), training)

    def read(self, vectors, mask, training):
        """``head(vectors, mask=mask)``: (B, T, d) vectors, (B, T) mask -> predictions."""
        with warnings.catch_warnings():
            # a head such as keras.Sequential applies the mask to its layers but does not return
            # one, and Keras warns that the mask stops there: it should, the output is (B, 1)
            warnings.filterwarnings("ignore", message=".*does not support masking")
            return self.head(vectors, mask=mask, training=training)

    def perturbation(self, gradient, mask):
        """Step 2: ``r = epsilon * g / ||g||_2`` per example, ``(B, T, d)``, zero where masked."""
        ops = keras.ops
        gradient = ops.stop_gradient(gradient) * ops.cast(mask, gradient.dtype)[..., None]
        norm = ops.sqrt(ops.sum(ops.square(gradient), axis=(1, 2), keepdims=True))
        return self.epsilon * gradient / ops.maximum(norm, 1e-12)

    def train_step(self, data):
        import tensorflow as tf

        ids, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        mask = self.embedding.compute_mask(ids)
        with tf.GradientTape() as tape:
            vectors = self.embedding(ids)
            y_pred = self.read(vectors, mask, True)
            loss = self.compute_loss(
                x=ids, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True
            )
        weights = self.trainable_weights  # after the first call, which creates them
        logs = {}
        if self.epsilon > 0:
            *grads, gradient = tape.gradient(loss, [*weights, vectors])  # step 1, one pass
            r = self.perturbation(gradient, mask)
            with tf.GradientTape() as tape:  # step 3: r is a constant
                perturbed = self.read(self.embedding(ids) + r, mask, True)
                adversarial = self.compute_loss(
                    x=ids, y=y, y_pred=perturbed, sample_weight=sample_weight, training=True
                )
                weighted = self.weight * adversarial  # inside the tape, which records it
            more = tape.gradient(weighted, weights)
            grads = [_add_gradients(a, b) for a, b in zip(grads, more, strict=True)]
            logs["adversarial_loss"] = adversarial
        else:
            grads = tape.gradient(loss, weights)
        self.optimizer.apply(grads, weights)
        logs = {**_step_logs(self, loss, tf.shape(ids)[0], ids, y, y_pred, sample_weight), **logs}
        return logs


def _add_gradients(a, b):
    """a + b for two gradients of one variable, dense or sparse (``tf.IndexedSlices``)."""
    import tensorflow as tf

    if a is None or b is None:
        return b if a is None else a
    if isinstance(a, tf.IndexedSlices) and isinstance(b, tf.IndexedSlices):
        # an embedding's rows: keep the update sparse, one gradient holding both sets of rows
        return tf.IndexedSlices(
            tf.concat([a.values, b.values], 0), tf.concat([a.indices, b.indices], 0), a.dense_shape
        )
    return tf.convert_to_tensor(a) + tf.convert_to_tensor(b)


class StepRecorder(keras.callbacks.Callback):
    """Record one value of the training logs after every batch, e.g. ``StepRecorder("grad_norm")``.

    Attributes:
        values: list of float, one per training step (batch) of every epoch, in order.

    Chapters 7 and 11 use it.
    """

    def __init__(self, key):
        super().__init__()
        self.key = key
        self.values = []

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        if self.key not in logs:
            raise KeyError(
                f"StepRecorder({self.key!r}): the training logs have no {self.key!r}; they have "
                f"{sorted(logs)}. Use a model whose train_step returns it (e.g. GradientNormModel)"
            )
        self.values.append(float(logs[self.key]))
