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
    """
    import pandas as pd

    frame = pd.read_csv(require("seattle_weather"))
    frame["date"] = pd.to_datetime(frame["date"], format="%Y/%m/%d")
    frame["weather"] = frame["weather"].astype("category")
    return frame.set_index("date")


def load_co2(interpolate: bool = False):
    """Weekly atmospheric CO2 at Mauna Loa, 1958-03-29 to 2001-12-29 (2,284 weeks).

    Returns a DataFrame indexed by ``date`` (every Saturday) with one float column ``co2`` in ppm
    (about 313-373): a rising trend with a yearly cycle. 59 weeks have no measurement and are NaN;
    ``interpolate=True`` fills them linearly in time. Source: ``statsmodels`` 0.15.0 ``co2.csv``
    (Keeling & Whorf, Scripps).
    """
    import pandas as pd

    frame = pd.read_csv(require("co2"), dtype={"date": str})
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    frame = frame.set_index("date")[["co2"]].astype("float64")
    return frame.interpolate(method="time") if interpolate else frame


def load_sunspots(frequency: str = "monthly"):
    """Sunspot numbers, a noisy cycle of about 11 years.

    ``frequency="monthly"``: 2,820 monthly means, 1749-01 to 1983-12 (R's ``sunspots``, from
    ``pmdarima`` 2.1.1), indexed by ``month`` (first day of the month). ``frequency="yearly"``: 309
    yearly means, 1700 to 2008 (from ``statsmodels`` 0.15.0), indexed by ``year`` (1 January).
    Either way one float column ``sunspots`` (>= 0).
    """
    import numpy as np
    import pandas as pd

    if frequency == "monthly":
        values = np.loadtxt(require("sunspots_monthly")).ravel()  # 235 rows of 12 months
        index = pd.date_range("1749-01-01", periods=len(values), freq="MS", name="month")
        return pd.DataFrame({"sunspots": values}, index=index)
    if frequency == "yearly":
        frame = pd.read_csv(require("sunspots_yearly"))
        index = pd.to_datetime(frame["YEAR"].astype(int).astype(str), format="%Y").rename("year")
        return pd.DataFrame({"sunspots": frame["SUNACTIVITY"].to_numpy(float)}, index=index)
    raise ValueError(f"frequency must be 'monthly' or 'yearly'; got {frequency!r}")


def load_electricity_demand():
    """Half-hourly electricity demand in England and Wales, 5 June to 27 August 2000.

    Returns a DataFrame of 4,032 rows (12 weeks x 7 days x 48 half-hours) indexed by ``time``
    (every 30 minutes from Monday 2000-06-05 00:00) with one float column ``demand`` in megawatts:
    a daily and a weekly cycle. Source: Taylor (2003), bundled by ``pmdarima`` 2.1.1 as a NumPy
    literal in ``taylor.py``, which is parsed here (never imported or executed).
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
