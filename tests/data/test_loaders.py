"""Every loader, run in one subprocess with the network cut off: shapes, values, label balance."""

import pytest

from tests.data.offline import offline_json

# One worker runs all of these, so the offline subprocess that loads every dataset runs once.
pytestmark = pytest.mark.xdist_group("data_loaders")

LOADER_SUMMARIES = """
import numpy as np
import seqcourse.data as d

def steps(index):
    return {str(k): int(v) for k, v in index.to_series().diff().value_counts().items()}

def splits(frame):
    return {k: int(v) for k, v in frame["split"].value_counts().items()}

result = {}
sf = d.load_sf_temperatures()
result["sf_temps"] = {
    "shape": list(sf.shape), "columns": list(sf.columns),
    "monotonic": sf.index.is_monotonic_increasing, "first": str(sf.index[0]),
    "last": str(sf.index[-1]), "min": sf.temperature.min(), "max": sf.temperature.max(),
    "steps": steps(sf.index), "dtype": str(sf.temperature.dtype),
}
sea = d.load_seattle_weather()
result["seattle_weather"] = {
    "shape": list(sea.shape), "labels": sea.weather.value_counts().to_dict(),
    "nans": int(sea.isna().sum().sum()), "days": int((sea.index[-1] - sea.index[0]).days) + 1,
    "tmax_ge_tmin": bool((sea.temp_max >= sea.temp_min).all()),
}
power = d.load_electricity_demand()
day = power.demand.to_numpy().reshape(-1, 48)
week = day.reshape(12, 7, 48)
result["electricity"] = {
    "shape": list(power.shape), "first": str(power.index[0]), "last": str(power.index[-1]),
    "min": power.demand.min(), "max": power.demand.max(), "steps": steps(power.index),
    "night_below_noon": bool((day[:, 8] < day[:, 24]).mean() > 0.95),
    # weeks start on Monday: days 5 and 6 are the weekend
    "weekend_lower": bool(week[:, 5:].mean() < week[:, :5].mean()),
}
rt = d.load_rotten_tomatoes()
result["rotten_tomatoes"] = {
    "shape": list(rt.shape), "fresh": float(rt.label.mean()), "splits": splits(rt),
    "movies": int(rt.movie.nunique()), "duplicates": int(rt.text.duplicated().sum()),
    "movies_in_two_splits": int((rt.groupby("movie").split.nunique() > 1).sum()),
    "split_fresh": rt.groupby("split").label.mean().to_dict(),
    "same_again": bool(d.load_rotten_tomatoes().split.equals(rt.split)),
}
plots = d.load_rotten_tomatoes_plots()
split_of = dict(zip(rt.movie, rt.split))
result["rt_plots"] = {
    "rows": len(plots), "columns": list(plots.columns), "splits": splits(plots),
    "duplicates": int(plots.text.duplicated().sum()), "empty": int((plots.text == "").sum()),
    "split_matches": all(
        split_of.get(m, "unreviewed") == s for m, s in zip(plots.movie, plots.split)
    ),
    "no_snippet_inside": int(plots.text.isin(set(rt.text)).sum()),
    "median_words": float(plots.text.str.split().str.len().median()),
}
result["vader"] = {}
for corpus in ("movies", "tweets", "amazon", "nyt"):
    v = d.load_vader_snippets(corpus)
    result["vader"][corpus] = {
        "rows": len(v), "min": v.sentiment.min(), "max": v.sentiment.max(),
        "positive": float((v.sentiment > 0).mean()), "empty": int((v.text == "").sum()),
        "splits": splits(v),
    }
lexicon = d.load_vader_lexicon()
result["vader_lexicon"] = {
    "count": len(lexicon),
    "ratings": [lexicon[w] for w in ("excellent", "good", "okay", "bad", "worst")],
    "range": [min(lexicon.values()), max(lexicon.values())], "smiley": ":)" in lexicon,
}
words, vectors = d.load_glove()
row = {w: i for i, w in enumerate(words)}

def cosine(a, b):
    u, v = vectors[row[a]], vectors[row[b]]
    return float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))

result["glove"] = {
    "count": len(words), "shape": list(vectors.shape), "dtype": str(vectors.dtype),
    "distinct": len(row), "first": words[:4], "finite": bool(np.isfinite(vectors).all()),
    "has": {w: w in row for w in ("film", "great", "!", "?", "not", "a", "i", "'s")},
    "king_queen": cosine("king", "queen"), "king_film": cosine("king", "film"),
    "analogy": words[int(np.argmax(
        (vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        @ (vectors[row["king"]] - vectors[row["man"]] + vectors[row["woman"]])
        * ~np.isin(np.arange(len(words)), [row["king"], row["man"], row["woman"]])
    ))],
}
plays = d.load_shakespeare_plays()
text = d.load_shakespeare()
result["shakespeare"] = {
    "plays": sorted(plays), "chars": sum(map(len, plays.values())),
    "split_chars": {k: len(v) for k, v in text.items()},
    "hamlet_line": "To be, or not to be" in plays["hamlet"],
    "test_is_macbeth": "MACBETH" in text["test"][:200].upper(),
    "ascii": all(t.isascii() for t in plays.values()),
}
events = d.load_stage_events("hamlet")
hamlet_lines = plays["hamlet"].splitlines()
result["stage_events"] = {
    "columns": list(events.columns), "count": len(events),
    "kinds": {k: int(v) for k, v in events["kind"].value_counts().items()},
    "first": [int(events["line"][0]), events["kind"][0], events["direction"][0],
              int(events["gap"][0])],
    "gaps_add_up": int(events["gap"].sum()) == int(events["line"].iloc[-1]),
    "lines_match": all(
        hamlet_lines[n].strip() == text for n, text in zip(events["line"], events["direction"])
    ),
    "bad_play": str(__import__("pytest").raises(ValueError, d.load_stage_events, "hamlett").value),
}
vowels = d.load_japanese_vowels()
result["japanese_vowels"] = {
    split: {
        "count": len(X), "dims": sorted({x.shape[1] for x in X}),
        "lengths": [min(map(len, X)), max(map(len, X))], "dtype": str(X[0].dtype),
        "per_speaker": np.bincount(y).tolist(),
        "finite": bool(all(np.isfinite(x).all() for x in X)),
    }
    for split, (X, y) in vowels.items()
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


def test_electricity_demand_half_hourly_with_daily_and_weekly_cycles(summaries):
    power = summaries["electricity"]
    assert power["shape"] == [4032, 1] and power["steps"] == {"0 days 00:30:00": 4031}
    assert power["first"] == "2000-06-05 00:00:00" and power["last"] == "2000-08-27 23:30:00"
    assert 15_000 < power["min"] < power["max"] < 45_000  # MW
    assert power["night_below_noon"] and power["weekend_lower"]


def test_rotten_tomatoes_balanced_enough_and_split_by_movie(summaries):
    rt = summaries["rotten_tomatoes"]
    assert rt["shape"] == [12752, 4] and rt["movies"] == 507 and rt["duplicates"] == 0
    assert 0.55 < rt["fresh"] < 0.6
    assert rt["movies_in_two_splits"] == 0 and rt["same_again"]
    assert sum(rt["splits"].values()) == 12752 and 0.75 < rt["splits"]["train"] / 12752 < 0.85
    assert all(0.5 < share < 0.65 for share in rt["split_fresh"].values())


def test_rotten_tomatoes_plots_are_unlabelled_and_carry_their_movies_split(summaries):
    plots = summaries["rt_plots"]
    assert plots["columns"] == ["text", "movie", "split"] and plots["rows"] == 1083
    assert plots["duplicates"] == 0 and plots["empty"] == 0 and plots["no_snippet_inside"] == 0
    # the split of each movie's snippets; most summaries are of films without snippets
    assert plots["split_matches"] and set(plots["splits"]) == {"train", "val", "test", "unreviewed"}
    assert plots["splits"]["unreviewed"] > 900 and plots["median_words"] > 50


def test_vader_snippets_have_human_ratings_on_minus_four_to_four(summaries):
    counts = {"movies": 10605, "tweets": 4200, "amazon": 3708, "nyt": 5190}
    for corpus, expected in counts.items():
        v = summaries["vader"][corpus]
        assert v["rows"] == expected and v["empty"] == 0
        assert -4 <= v["min"] < -2.5 and 2.5 < v["max"] <= 4
        assert 0.35 < v["positive"] < 0.75
        assert sum(v["splits"].values()) == expected


def test_vader_lexicon_rates_words_from_minus_four_to_four(summaries):
    lexicon = summaries["vader_lexicon"]
    assert 7000 < lexicon["count"] < 8000 and lexicon["smiley"]
    assert -4 <= lexicon["range"][0] < -3 and 3 < lexicon["range"][1] <= 4
    excellent, good, okay, bad, worst = lexicon["ratings"]
    assert excellent > good > okay > 0 > bad > worst


def test_glove_vectors_are_the_frequent_words_and_carry_meaning(summaries):
    glove = summaries["glove"]
    assert glove["count"] == glove["distinct"] == 100_000 and glove["shape"] == [100_000, 100]
    assert glove["dtype"] == "float32" and glove["finite"]
    assert glove["first"] == ["the", ",", ".", "of"]  # GloVe's order: most frequent first
    # punctuation has vectors; this copy leaves out one-letter words and apostrophe forms
    assert glove["has"] == {
        "film": True,
        "great": True,
        "!": True,
        "?": True,
        "not": True,
        "a": False,
        "i": False,
        "'s": False,
    }
    assert glove["king_queen"] > 0.7 and glove["king_queen"] - glove["king_film"] > 0.3
    assert glove["analogy"] == "queen"  # king - man + woman


def test_shakespeare_is_over_a_million_characters_split_by_play(summaries):
    text = summaries["shakespeare"]
    assert text["chars"] == 1_158_218 and len(text["plays"]) == 8 and text["ascii"]
    assert text["split_chars"]["train"] > 900_000 and text["split_chars"]["val"] == 116_216
    assert text["hamlet_line"] and text["test_is_macbeth"]


def test_stage_events_are_hamlets_entrances_and_exits_with_their_gaps(summaries):
    events = summaries["stage_events"]
    assert events["columns"] == ["line", "kind", "direction", "gap"]
    assert events["count"] == 141 and events["kinds"] == {"enter": 67, "exit": 74}
    assert events["first"] == [87, "enter", "[Enter Horatio and Marcellus.]", 87]
    assert events["gaps_add_up"] and events["lines_match"]
    assert "no play 'hamlett'" in events["bad_play"] and "macbeth" in events["bad_play"]


def test_japanese_vowels_original_split_nine_speakers(summaries):
    train, test = summaries["japanese_vowels"]["train"], summaries["japanese_vowels"]["test"]
    assert train["count"] == 270 and train["per_speaker"] == [30] * 9
    assert test["count"] == 370 and test["per_speaker"] == [31, 35, 88, 44, 29, 24, 40, 50, 29]
    for split in (train, test):
        assert split["dims"] == [12] and split["dtype"] == "float32" and split["finite"]
        assert 7 <= split["lengths"][0] < split["lengths"][1] <= 29
