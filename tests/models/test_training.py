"""seqcourse.models.training.EpochTimer times the training part of each epoch."""

import numpy as np
import pytest

import seqcourse
from seqcourse.models import training
from seqcourse.models.training import EpochTimer


class _FakeClock:
    """perf_counter for EpochTimer: each reading advances one tick; ``pause`` jumps far ahead."""

    PAUSE = 1000.0

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        self.now += 1.0
        return self.now

    def pause(self):
        self.now += self.PAUSE


@pytest.mark.slow  # imports Keras and fits a model
def test_timer_records_one_time_per_epoch_without_validation(monkeypatch):
    import keras

    clock = _FakeClock()
    monkeypatch.setattr(training.time, "perf_counter", clock.perf_counter)

    class PauseDuringValidation(keras.callbacks.Callback):
        def on_test_begin(self, logs=None):
            clock.pause()  # a timer that counted validation would include this jump

    seqcourse.seed_everything(0)
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.GRU(3), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    x = np.zeros((8, 5, 2), "float32")
    y = np.zeros((8, 1), "float32")
    timer = EpochTimer()
    model.fit(
        x,
        y,
        validation_data=(x, y),
        epochs=3,
        verbose=0,
        callbacks=[timer, PauseDuringValidation()],
    )
    assert len(timer.seconds) == 3
    assert all(0 < s < _FakeClock.PAUSE for s in timer.seconds), timer.seconds
    assert timer.steady_seconds == pytest.approx(np.median(timer.seconds[1:]))


def test_steady_seconds_needs_two_epochs():
    timer = EpochTimer()
    timer.seconds = [1.0]
    with pytest.raises(ValueError, match="at least 2 timed epochs"):
        _ = timer.steady_seconds
