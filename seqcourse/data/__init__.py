"""Course datasets (offline, pinned, verified) and the sequence utilities the chapters share.

Fill the cache once with ``seqcourse data fetch`` (``make data``); every loader then reads from it
offline and checks the file's sha256. Importing this package loads NumPy only: pandas is imported by
the loaders and Keras by :func:`pad_batch` when they are called.

- Time series (DataFrames indexed by time; split with :func:`chronological_split`):
  :func:`load_sf_temperatures`, :func:`load_seattle_weather`, :func:`load_electricity_demand`.
- Text (DataFrames with a ``split`` column, or ``{split: text}``): :func:`load_rotten_tomatoes`,
  :func:`load_rotten_tomatoes_plots`, :func:`load_vader_snippets`, :func:`load_shakespeare`,
  :func:`load_shakespeare_plays`; word resources: :func:`load_vader_lexicon`, :func:`load_glove`.
- Signals: :func:`load_japanese_vowels`.
- Generated (no cache needed): :func:`number_translation`, :func:`date_translation`,
  :func:`adding_problem`, :func:`noisy_sines`; captioned images: :func:`shape_scenes`.
"""

from seqcourse.data.padding import length_buckets, pad_batch, padded_batches, sequence_mask
from seqcourse.data.scenes import CaptionedImages, shape_scenes
from seqcourse.data.sequences import SeriesScaler, chronological_split, make_windows
from seqcourse.data.signals import load_japanese_vowels
from seqcourse.data.splits import grouped_split
from seqcourse.data.store import DataError, cache_dir
from seqcourse.data.synthetic import adding_problem, noisy_sines
from seqcourse.data.text import (
    load_glove,
    load_rotten_tomatoes,
    load_rotten_tomatoes_plots,
    load_shakespeare,
    load_shakespeare_plays,
    load_stage_events,
    load_vader_lexicon,
    load_vader_snippets,
)
from seqcourse.data.timeseries import (
    load_electricity_demand,
    load_seattle_weather,
    load_sf_temperatures,
)
from seqcourse.data.translation import date_translation, number_translation

__all__ = [
    "CaptionedImages",
    "DataError",
    "SeriesScaler",
    "adding_problem",
    "cache_dir",
    "chronological_split",
    "date_translation",
    "grouped_split",
    "length_buckets",
    "load_electricity_demand",
    "load_glove",
    "load_japanese_vowels",
    "load_rotten_tomatoes",
    "load_rotten_tomatoes_plots",
    "load_seattle_weather",
    "load_sf_temperatures",
    "load_shakespeare",
    "load_shakespeare_plays",
    "load_stage_events",
    "load_vader_lexicon",
    "load_vader_snippets",
    "make_windows",
    "noisy_sines",
    "number_translation",
    "pad_batch",
    "padded_batches",
    "sequence_mask",
    "shape_scenes",
]
