"""Turning a time series into supervised examples: sliding windows, chronological splits, scaling.

All functions are NumPy only. Shapes: ``T`` time steps, ``F`` features, ``N`` windows.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _as_2d(series, name: str = "series") -> tuple[np.ndarray, bool]:
    """``series`` as a ``(T, F)`` array, and whether it was 1-D."""
    array = np.asarray(series)
    if array.ndim == 1:
        return array[:, None], True
    if array.ndim == 2:
        return array, False
    raise ValueError(
        f"{name} must be 1-D (T,) or 2-D (T, F) with time on axis 0; got shape {array.shape}"
    )


def make_windows(series, window: int, horizon: int = 1, stride: int = 1, target=None):
    """Cut a series into (input window, following values) pairs for forecasting.

    Window ``i`` starts at time ``s = i * stride``; its input is ``series[s : s + window]`` and its
    target is the next ``horizon`` steps, ``series[s + window : s + window + horizon]``. Only
    windows whose target lies wholly inside the series are made, so
    ``N = (T - window - horizon) // stride + 1``.

    Args:
        series: ``(T,)`` or ``(T, F)`` array-like (a pandas Series/DataFrame works), time on axis 0.
        window: input length (>= 1).
        horizon: number of future steps to predict (>= 1).
        stride: step between the starts of consecutive windows (>= 1).
        target: ``None`` for every feature, an ``int`` column index for one feature, or a list of
            column indices.

    Returns:
        ``(X, y)``: ``X`` has shape ``(N, window, F)`` (``F = 1`` for a 1-D series). ``y`` has shape
        ``(N, horizon)`` for a 1-D series or an ``int`` target, and ``(N, horizon, F)`` (or
        ``(N, horizon, len(target))``) otherwise. Both are fresh contiguous copies with the dtype of
        ``series``, safe to modify and to feed to Keras.

    Chapter 1 shows it; chapters 2, 3, 7, 8, 10 and 13 use it; exercises 1, 7 and 8 use it.
    """
    data, one_d = _as_2d(series)
    for label, value in (("window", window), ("horizon", horizon), ("stride", stride)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{label} must be a positive integer; got {value!r}")
    steps = data.shape[0]
    if window + horizon > steps:
        raise ValueError(
            f"window ({window}) + horizon ({horizon}) = {window + horizon} exceeds the series "
            f"length ({steps}): use a shorter window or a longer series"
        )
    # (T - W - H + 1, F, W + H): every block of W + H consecutive steps, then keep every stride-th.
    blocks = sliding_window_view(data, window + horizon, axis=0)[::stride]
    blocks = blocks.transpose(0, 2, 1)  # (N, W + H, F)
    inputs = blocks[:, :window, :].copy()  # copy(): C-contiguous and writable
    future = blocks[:, window:, :]
    if target is None:
        outputs = future[..., 0] if one_d else future
    elif isinstance(target, int | np.integer):
        _check_columns([target], data.shape[1])
        outputs = future[..., target]
    else:
        columns = list(target)
        _check_columns(columns, data.shape[1])
        outputs = future[..., columns]
    return inputs, outputs.copy()


def _check_columns(columns: list, features: int) -> None:
    bad = [
        c for c in columns if not isinstance(c, int | np.integer) or not -features <= c < features
    ]
    if bad or not columns:
        raise ValueError(
            f"target columns {columns} are not valid column indices of a series with {features} "
            "feature(s)"
        )


def chronological_split(data, train: float = 0.7, val: float = 0.15):
    """Split along time into contiguous ``(train, val, test)`` parts, in that order, no shuffling.

    The first ``floor(train * T)`` steps are training data, the next ``floor(val * T)`` validation,
    and the rest (about ``1 - train - val``) test, so the model is always evaluated on the future of
    what it was fitted on. Works on NumPy arrays (axis 0) and pandas objects (by position). Window
    each part separately afterwards, so that no window straddles two parts.

    Chapter 1 shows it; chapters 2, 3, 7 and 8 use it; exercises 1, 7 and 8 use it.
    """
    if not 0 < train < 1 or not 0 <= val < 1 or train + val >= 1:
        raise ValueError(
            f"need 0 < train < 1, 0 <= val < 1 and train + val < 1 (the rest is test); "
            f"got train={train}, val={val}"
        )
    steps = len(data)
    n_train = int(np.floor(train * steps))
    n_val = int(np.floor(val * steps))
    if n_train < 1 or steps - n_train - n_val < 1 or (val > 0 and n_val < 1):
        raise ValueError(
            f"a series of {steps} steps is too short for train={train}, val={val}: every part "
            "needs at least one step"
        )
    rows = data.iloc if hasattr(data, "iloc") else data
    return rows[:n_train], rows[n_train : n_train + n_val], rows[n_train + n_val :]


class SeriesScaler:
    """Standardise each feature with the mean and standard deviation of the training split only.

    ``fit(train)`` takes a ``(T,)`` or ``(T, F)`` array; ``transform`` and ``inverse_transform``
    take any array whose last axis has the ``F`` features (for a 1-D fit: any shape, e.g. the
    ``(N, window, 1)`` inputs and ``(N, horizon)`` targets of :func:`make_windows`). A feature with
    zero spread is divided by 1, not 0. Fitting on the training split alone keeps validation and
    test statistics from leaking into the model.

    Attributes (after ``fit``): ``mean_`` and ``scale_``, each of shape ``(F,)``.

    Chapter 1 shows it; chapters 2, 3, 7 and 8 use it; exercise 7 uses it.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self._one_d = False

    def fit(self, train) -> "SeriesScaler":
        data, self._one_d = _as_2d(train, "train")
        if data.shape[0] < 1:
            raise ValueError("cannot fit a SeriesScaler on an empty training split")
        data = data.astype(np.float64)
        if not np.all(np.isfinite(data)):
            raise ValueError("the training split contains NaN or infinite values; clean them first")
        self.mean_ = data.mean(axis=0)
        spread = data.std(axis=0)
        self.scale_ = np.where(spread > 0, spread, 1.0)
        return self

    def _stats(self, values, column) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self.mean_ is None:
            raise RuntimeError(
                "SeriesScaler is not fitted yet: call scaler.fit(train) on the training split "
                "before transform or inverse_transform"
            )
        array = np.asarray(values, dtype=np.float64)
        if column is not None:
            return array, self.mean_[column], self.scale_[column]
        if self._one_d:
            return array, self.mean_[0], self.scale_[0]
        features = self.mean_.shape[0]
        if array.ndim == 0 or array.shape[-1] != features:
            raise ValueError(
                f"expected an array whose last axis has the {features} fitted features; got shape "
                f"{array.shape} (pass column=i to scale a single feature)"
            )
        return array, self.mean_, self.scale_

    def transform(self, values, column: int | None = None) -> np.ndarray:
        """``(values - mean) / scale``; ``column=i`` uses feature ``i``'s statistics only."""
        array, mean, scale = self._stats(values, column)
        return (array - mean) / scale

    def inverse_transform(self, values, column: int | None = None) -> np.ndarray:
        """``values * scale + mean``: back to the original units (e.g. predictions in °F)."""
        array, mean, scale = self._stats(values, column)
        return array * scale + mean
