"""Training helpers the chapters share. Imports Keras: import it after ``import seqcourse``."""

import time

import keras
import numpy as np

__all__ = ["EpochTimer", "GradientNormModel", "StepRecorder"]


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
        # The loss tracker averages over samples, as the built-in step does.
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss, sample_weight=tf.shape(x)[0])
        logs = self.compute_metrics(x, y, y_pred)  # the compiled metrics, e.g. "mse"
        logs["grad_norm"] = norm
        return logs


class StepRecorder(keras.callbacks.Callback):
    """Record one value of the training logs after every batch, e.g. ``StepRecorder("grad_norm")``.

    Attributes:
        values: list of float, one per training step (batch) of every epoch, in order.

    Chapter 7 uses it.
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
