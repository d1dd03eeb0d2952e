"""Every loader, run with the network cut off: shapes, values, label balance."""

import pytest

from tests.data.offline import offline_json

LOADER_SUMMARIES = """
import numpy as np
import seqcourse.data as d

result = {}
sf = d.load_sf_temperatures()
result["sf_temps"] = {
    "shape": list(sf.shape), "columns": list(sf.columns),
    "monotonic": sf.index.is_monotonic_increasing,
    "first": str(sf.index[0]), "last": str(sf.index[-1]), "min": sf.temperature.min(),
    "max": sf.temperature.max(), "steps": sf.index.to_series().diff().value_counts().to_dict(),
    "dtype": str(sf.temperature.dtype),
}
result["sf_temps"]["steps"] = {str(k): v for k, v in result["sf_temps"]["steps"].items()}
sea = d.load_seattle_weather()
result["seattle_weather"] = {
    "shape": list(sea.shape), "labels": sea.weather.value_counts().to_dict(),
    "nans": int(sea.isna().sum().sum()), "days": int((sea.index[-1] - sea.index[0]).days) + 1,
    "tmax_ge_tmin": bool((sea.temp_max >= sea.temp_min).all()),
}
"""


@pytest.fixture(scope="module")
def summaries(data_cache):
    return offline_json(LOADER_SUMMARIES, {"SEQCOURSE_DATA": str(data_cache)})


def test_sf_temperatures_hourly_2010_in_fahrenheit(summaries):
    sf = summaries["sf_temps"]
    assert sf["shape"] == [8759, 1] and sf["columns"] == ["temperature"]
    assert sf["monotonic"] and sf["dtype"] == "float64"
    assert sf["first"] == "2010-01-01 00:00:00" and sf["last"] == "2010-12-31 23:00:00"
    assert 40 < sf["min"] < sf["max"] < 80  # °F, a mild coastal climate
    # every step is one hour except the hour skipped when daylight saving time began
    assert sf["steps"] == {"0 days 01:00:00": 8757, "0 days 02:00:00": 1}


def test_seattle_weather_daily_with_five_labels(summaries):
    sea = summaries["seattle_weather"]
    assert sea["shape"] == [1461, 5] and sea["days"] == 1461 and sea["nans"] == 0
    assert sea["labels"] == {"sun": 714, "fog": 411, "rain": 259, "drizzle": 54, "snow": 23}
    assert sea["tmax_ge_tmin"]
