"""Real time series, read offline from the verified cache (fill it with ``seqcourse data fetch``).

Each loader returns a pandas DataFrame indexed by time, in time order, with no split applied: split
it with :func:`seqcourse.data.chronological_split` (train on the past, test on the future).
"""

from seqcourse.data.store import require


def load_sf_temperatures():
    """Hourly air temperature in San Francisco for 2010, in °F.

    Returns a DataFrame of 8,759 rows indexed by ``time`` (naive local clock time, hourly, from
    2010-01-01 00:00 to 2010-12-31 23:00) with one float column ``temperature`` (°F, about 45-72).
    The file has no row for 02:00 on 2010-03-14, the hour skipped when daylight saving time began;
    every other step is exactly one hour. Source: ``vega_datasets`` 0.9.0 ``sf-temps.csv`` (NOAA).

    Chapters 1, 2 and 3 use it; exercise 1 uses it.
    """
    import pandas as pd

    frame = pd.read_csv(require("sf_temps"))
    frame["time"] = pd.to_datetime(frame.pop("date"), format="%Y/%m/%d %H:%M:%S")
    return frame.rename(columns={"temp": "temperature"}).set_index("time")[["temperature"]]


def load_seattle_weather():
    """Daily weather in Seattle, 2012-01-01 to 2015-12-31 (1,461 days, no gaps).

    Returns a DataFrame indexed by ``date`` with float columns ``precipitation`` (mm),
    ``temp_max`` and ``temp_min`` (°C), ``wind`` (m/s) and a categorical ``weather`` label, one of
    ``drizzle``, ``fog``, ``rain``, ``snow``, ``sun`` (sun 714, fog 411, rain 259, drizzle 54,
    snow 23 days). Source: ``vega_datasets`` 0.9.0 ``seattle-weather.csv`` (NOAA).

    Chapters 7 and 12 use it; exercise 7 uses it.
    """
    import pandas as pd

    frame = pd.read_csv(require("seattle_weather"))
    frame["date"] = pd.to_datetime(frame["date"], format="%Y/%m/%d")
    frame["weather"] = frame["weather"].astype("category")
    return frame.set_index("date")


def load_electricity_demand():
    """Half-hourly electricity demand in England and Wales, 5 June to 27 August 2000.

    Returns a DataFrame of 4,032 rows (12 weeks x 7 days x 48 half-hours) indexed by ``time``
    (every 30 minutes from Monday 2000-06-05 00:00) with one float column ``demand`` in megawatts:
    a daily and a weekly cycle. Source: Taylor (2003), bundled by ``pmdarima`` 2.1.1 as a NumPy
    literal in ``taylor.py``, which is parsed here (never imported or executed).

    Chapter 8 uses it; exercise 8 uses it.
    """
    import pandas as pd

    values = _array_literal(require("electricity_demand").read_text(encoding="utf-8"))
    index = pd.date_range("2000-06-05 00:00", periods=len(values), freq="30min", name="time")
    return pd.DataFrame({"demand": values}, index=index)


def _array_literal(source: str):
    """The numbers of the one ``np.array([...])`` list literal in a Python source text."""
    import ast

    import numpy as np

    lists = [
        node.args[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", None) == "array"
        and node.args
        and isinstance(node.args[0], ast.List)
    ]
    if len(lists) != 1:
        raise ValueError(f"expected one np.array([...]) literal, found {len(lists)}")
    return np.asarray(ast.literal_eval(lists[0]), dtype=np.float64)
