"""seqcourse.training.EpochTimer times the training part of each epoch."""

import numpy as np
import pytest

import seqcourse
from seqcourse.training import EpochTimer


class _Pause:
    """A callback that sleeps during validation, so a timer that counted it would notice."""

    def __new__(cls, seconds):
        import keras

        class Pause(keras.callbacks.Callback):
            def on_test_begin(self, logs=None):
                import time

                time.sleep(seconds)

        return Pause()


@pytest.mark.slow  # imports Keras and fits a model
def test_timer_records_one_positive_time_per_epoch_without_validation():
    import keras

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
        callbacks=[timer, _Pause(0.3)],  # the timer stops before the pause
    )
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds)
    # the 0.3 s sleep during each validation pass is not counted
    assert timer.steady_seconds < 0.3
    assert timer.steady_seconds == pytest.approx(np.median(timer.seconds[1:]))


def test_steady_seconds_needs_two_epochs():
    timer = EpochTimer()
    timer.seconds = [1.0]
    with pytest.raises(ValueError, match="at least 2 timed epochs"):
        _ = timer.steady_seconds
