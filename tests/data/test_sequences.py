"""make_windows, chronological_split and SeriesScaler: shapes, edge cases and no leakage."""

import numpy as np
import pandas as pd
import pytest

from seqcourse.data import SeriesScaler, chronological_split, make_windows


def test_windows_of_a_1d_series_follow_the_definition():
    series = np.arange(10.0)
    X, y = make_windows(series, window=3, horizon=2)
    # N = (T - W - H) // stride + 1 = (10 - 3 - 2) + 1
    assert X.shape == (6, 3, 1) and y.shape == (6, 2)
    for i in range(6):
        np.testing.assert_array_equal(X[i, :, 0], series[i : i + 3])
        np.testing.assert_array_equal(y[i], series[i + 3 : i + 5])


def test_stride_skips_window_starts_and_drops_incomplete_tail():
    X, y = make_windows(np.arange(12), window=4, horizon=1, stride=3)
    # starts 0, 3, 6 (start 9 would need t = 13 > 11)
    assert X.shape == (3, 4, 1)
    np.testing.assert_array_equal(X[:, 0, 0], [0, 3, 6])
    np.testing.assert_array_equal(y[:, 0], [4, 7, 10])
    assert X.dtype == np.arange(12).dtype


def test_2d_series_targets_all_one_or_several_columns():
    series = np.stack([np.arange(8.0), 100 + np.arange(8.0), -np.arange(8.0)], axis=1)  # (8, 3)
    X, y = make_windows(series, window=3, horizon=2)
    assert X.shape == (4, 3, 3) and y.shape == (4, 2, 3)
    np.testing.assert_array_equal(y[1], series[4:6])
    _, y1 = make_windows(series, window=3, horizon=2, target=1)
    assert y1.shape == (4, 2)
    np.testing.assert_array_equal(y1[0], [103.0, 104.0])
    _, y02 = make_windows(series, window=3, horizon=2, target=[0, 2])
    assert y02.shape == (4, 2, 2)
    np.testing.assert_array_equal(y02[2], series[5:7][:, [0, 2]])


def test_window_exactly_fitting_gives_one_example_and_longer_is_refused():
    X, y = make_windows(np.arange(5), window=4, horizon=1)
    assert X.shape == (1, 4, 1) and y.tolist() == [[4]]
    with pytest.raises(ValueError, match=r"exceeds the series length \(5\)"):
        make_windows(np.arange(5), window=5, horizon=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": 0}, "window must be a positive integer"),
        ({"window": 2, "horizon": 0}, "horizon must be a positive integer"),
        ({"window": 2, "stride": 1.5}, "stride must be a positive integer"),
        ({"window": 2, "target": 3}, "not valid column indices"),
    ],
)
def test_bad_window_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_windows(np.zeros((10, 2)), **kwargs)


def test_windows_are_writable_copies_not_views_of_the_series():
    series = np.arange(10.0)
    X, y = make_windows(series, window=3)
    X[0, 0, 0] = -1.0
    y[0, 0] = -1.0
    assert series[0] == 0.0 and series[3] == 3.0
    with pytest.raises(ValueError, match=r"1-D \(T,\) or 2-D"):
        make_windows(np.zeros((4, 2, 2)), window=2)


def test_chronological_split_is_contiguous_ordered_and_complete():
    data = np.arange(100)
    train, val, test = chronological_split(data, train=0.7, val=0.15)
    assert (len(train), len(val), len(test)) == (70, 15, 15)
    np.testing.assert_array_equal(np.concatenate([train, val, test]), data)
    assert train.max() < val.min() and val.max() < test.min()


def test_chronological_split_of_a_dataframe_keeps_the_time_index():
    frame = pd.DataFrame({"x": np.arange(20.0)}, index=pd.date_range("2020", periods=20, freq="h"))
    train, val, test = chronological_split(frame, train=0.5, val=0.25)
    assert train.index[-1] < val.index[0] and val.index[-1] < test.index[0]
    assert (len(train), len(val), len(test)) == (10, 5, 5)


def test_chronological_split_rejects_bad_fractions_and_tiny_series():
    with pytest.raises(ValueError, match="train \\+ val < 1"):
        chronological_split(np.arange(10), train=0.8, val=0.2)
    with pytest.raises(ValueError, match="too short"):
        chronological_split(np.arange(3), train=0.5, val=0.2)
    train, val, test = chronological_split(np.arange(10), train=0.8, val=0.0)
    assert len(val) == 0 and len(test) == 2


def test_scaler_statistics_are_those_of_the_training_split_only():
    rng = np.random.default_rng(0)
    series = np.cumsum(rng.normal(size=(300, 2)), axis=0) + [0.0, 50.0]  # drifting: splits differ
    train, val, test = chronological_split(series)
    scaler = SeriesScaler().fit(train)
    np.testing.assert_allclose(scaler.mean_, train.mean(axis=0))
    np.testing.assert_allclose(scaler.scale_, train.std(axis=0))
    assert not np.allclose(scaler.mean_, series.mean(axis=0))  # the whole series would leak
    scaled = scaler.transform(train)
    np.testing.assert_allclose(scaled.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(scaled.std(axis=0), 1.0)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(test)), test)


def test_scaler_applies_to_windows_and_single_columns():
    series = np.stack([np.linspace(0, 10, 50), np.linspace(5, 6, 50)], axis=1)
    scaler = SeriesScaler().fit(series[:30])
    X, y = make_windows(series, window=5, target=1)
    # the last input step of window i + 1 is the target of window i
    np.testing.assert_allclose(
        scaler.transform(X)[1:, -1, 1], scaler.transform(y, column=1)[:-1, 0]
    )
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(y, column=1), column=1), y)
    univariate = SeriesScaler().fit(series[:30, 0])
    Xu, yu = make_windows(series[:, 0], window=5, horizon=2)
    np.testing.assert_allclose(univariate.inverse_transform(univariate.transform(Xu)), Xu)
    assert univariate.transform(yu).shape == (44, 2)


def test_scaler_refuses_to_transform_before_fit_and_wrong_width():
    with pytest.raises(RuntimeError, match=r"not fitted yet: call scaler.fit\(train\)"):
        SeriesScaler().transform(np.zeros(3))
    with pytest.raises(RuntimeError, match="not fitted"):
        SeriesScaler().inverse_transform(np.zeros(3))
    scaler = SeriesScaler().fit(np.zeros((5, 2)))
    np.testing.assert_array_equal(scaler.scale_, [1.0, 1.0])  # zero spread: divide by 1
    with pytest.raises(ValueError, match="last axis has the 2 fitted features"):
        scaler.transform(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="NaN"):
        SeriesScaler().fit(np.array([1.0, np.nan]))
