"""Training helpers the chapters share. Imports Keras: import it after ``import seqcourse``."""

import time

import keras
import numpy as np

__all__ = ["EpochTimer"]


class EpochTimer(keras.callbacks.Callback):
    """Record the wall-clock seconds that ``model.fit`` spends *training* in each epoch.

    The time runs from the start of an epoch to the end of its last training batch; the
    validation pass that ``fit(validation_data=...)`` runs afterwards is left out, so models with
    and without validation compare fairly. Use one timer per ``fit`` call, first in ``callbacks``
    (callbacks run in list order, so one listed earlier could add its own work to the count).

    Attributes:
        seconds: list of float, one entry per finished epoch.
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
