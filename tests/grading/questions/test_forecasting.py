"""The answer key of ``08_forecasting`` is right: the MASE against a hand computation, the
recursive forecast continuing an exact autoregression, every typical mistake distinguishable, and
the model question's data split by time with a threshold that is attainable but beats the
baselines."""

import numpy as np
import pytest

from seqcourse.grading.questions import forecasting as q


def test_mase_by_hand_and_its_mistakes_differ():
    history = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 4.0])  # season-2 errors 1, 2, 2, 1: scale 1.5
    got = q.mase(np.array([10.0, 12.0, 11.0]), np.array([11.0, 12.0, 9.0]), history, 2)
    assert got == pytest.approx(1.0 / 1.5, rel=1e-12)
    for case in q.ASSIGNMENT.question("mase").cases():
        if case.args[3] == 1:  # season 1: the naive scale is the seasonal one
            continue
        right = q.mase(*case.args)
        for mistake in q.ASSIGNMENT.question("mase").mistakes:
            assert abs(mistake.produce(*case.args) - right) > 1e-6 * abs(right), mistake.hint


def test_recursive_forecast_continues_a_sine_and_an_explicit_loop():
    w = 2 * np.pi / 24
    wave = np.sin(w * np.arange(96))
    continued = q.recursive_ar_forecast(wave[None, :24], np.array([2 * np.cos(w), -1.0]), 0.0, 72)
    np.testing.assert_allclose(continued[0], wave[24:], atol=1e-9)
    # p = 1 with coefficient 1 and no intercept is persistence at every lead time
    x = np.random.default_rng(0).normal(size=(3, 5))
    np.testing.assert_array_equal(
        q.recursive_ar_forecast(x, [1.0], 0.0, 4), np.repeat(x[:, -1:], 4, 1)
    )
    # one explicit step by hand: 1 + 0.5 * 3 + 0.25 * 2 = 3, then 1 + 0.5 * 3 + 0.25 * 3 = 3.25
    got = q.recursive_ar_forecast(np.array([[1.0, 2.0, 3.0]]), [0.5, 0.25], 1.0, 2)
    np.testing.assert_allclose(got, [[3.0, 3.25]])


def test_every_recursive_mistake_differs_from_the_answer():
    rng = np.random.default_rng(3)
    args = (np.array([[1.0, 2.0, 3.0]]), np.array([0.5, 0.25]), 1.0, 3)
    drawn = (rng.normal(size=(4, 6)), rng.uniform(-0.6, 0.6, size=3), 0.3, 5)
    for arguments in (args, drawn):
        right = q.recursive_ar_forecast(*arguments)
        for mistake in q.ASSIGNMENT.question("recursive_ar").mistakes:
            assert np.abs(mistake.produce(*arguments) - right).max() > 1e-6, mistake.hint


def test_persistence_mase_matches_a_direct_computation_and_differs_from_its_mistakes():
    y = q.demand_series()
    n_train, n_val = 2822, 604  # 70 % and 15 % of 4,032 half-hours, rounded down
    assert q.split_lengths() == (n_train, n_val)
    start = n_train + n_val
    error = np.mean(np.abs(np.diff(y[start - 1 :])))
    scale = np.mean(np.abs(y[q.WEEK : n_train] - y[: n_train - q.WEEK]))
    assert q.persistence_mase() == pytest.approx(error / scale, rel=1e-12)
    for mistake in q.ASSIGNMENT.question("persistence_mase").mistakes:
        assert abs(mistake.produce() - q.persistence_mase()) > 1e-3, mistake.hint


def test_day_ahead_data_split_by_time_and_the_baselines_computed_directly():
    from seqcourse.grading.questions import _series
    from seqcourse.grading.runner import baseline_scores
    from seqcourse.grading.verdicts import pass_mark

    question = q.ASSIGNMENT.question("demand_forecaster")
    data = question.data(True)
    day = _series.DAY
    assert data.x_train.shape[1:] == (day, 1) and data.y_train.shape[1:] == (1,)
    assert data.x_eval.shape[1:] == (2 * day, 1)  # scored on two days of history
    n_train, n_val = q.split_lengths()
    y = q.demand_series()
    z = (y - y[:n_train].mean()) / y[:n_train].std()
    assert len(data.x_eval) == len(y) - n_train - n_val
    # Row i's target is test half-hour i; the window ends a day before it (horizon 48).
    test_start = n_train + n_val
    assert np.allclose(data.y_eval[:, 0], z[test_start:], atol=1e-5)
    assert np.allclose(data.x_eval[:, -1, 0], z[test_start - day : len(z) - day], atol=1e-5)
    assert np.allclose(data.y_train[:, 0], z[2 * day - 1 : n_train], atol=1e-5)
    mae = lambda p, t: float(np.mean(np.abs(p - t)))  # noqa: E731
    same_as_today = mae(data.x_eval[:, -1], data.y_eval)
    design = lambda x: np.column_stack([x[:, -day:, 0], np.ones(len(x))])  # noqa: E731
    coef, *_ = np.linalg.lstsq(design(data.x_train), data.y_train, rcond=None)
    linear = mae(design(data.x_eval) @ coef, data.y_eval)
    scores = {name: (value, bar) for name, value, bar in baseline_scores(question, data, True)}
    assert scores == {
        "the same half-hour today (daily seasonal naive)": (pytest.approx(same_as_today), True),
        "least squares on the last day": (pytest.approx(linear, rel=1e-4), True),
    }
    # A day ahead every baseline sets the bar, and the mark sits below the best of them.
    needed = pass_mark("mae", min(same_as_today, linear), question.margin)
    assert needed < same_as_today < linear and question.partial


def test_next_half_hour_mark_is_least_squares_itself():
    from seqcourse.grading.questions import sequence_data
    from seqcourse.grading.runner import baseline_scores

    question = sequence_data.ASSIGNMENT.question("linear_forecaster")
    data = question.data(True)
    assert data.y_train.shape[1:] == (1,)
    # The next half-hour: row i's window ends right before its target.
    n_train, n_val = q.split_lengths()
    y = q.demand_series()
    z = (y - y[:n_train].mean()) / y[:n_train].std()
    assert np.allclose(data.x_eval[:, -1, 0], z[n_train + n_val - 1 : -1], atol=1e-5)
    margins = {b.name: b.margin for b in question.baselines}
    scores = {name: value for name, value, _ in baseline_scores(question, data, True)}
    assert margins["least squares on the last day"] == 0.0
    assert all(b.bar for b in question.baselines)
    # Least squares' own error is the mark: stricter than half the persistence error.
    linear, persistence = scores["least squares on the last day"], scores["persistence"]
    assert linear < persistence * (1 - question.margin) < persistence
