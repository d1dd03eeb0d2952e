"""Course datasets (offline, pinned, verified) and the sequence utilities the chapters share.

Fill the cache once with ``seqcourse data fetch`` (``make data``); every loader then reads from it
offline and checks the file's sha256. Importing this package loads NumPy only: pandas is imported by
the loaders and Keras by :func:`pad_batch` when they are called.
"""

from seqcourse.data.padding import length_buckets, pad_batch, padded_batches, sequence_mask
from seqcourse.data.sequences import SeriesScaler, chronological_split, make_windows
from seqcourse.data.store import DataError, cache_dir
from seqcourse.data.timeseries import load_seattle_weather, load_sf_temperatures

__all__ = [
    "DataError",
    "SeriesScaler",
    "cache_dir",
    "chronological_split",
    "length_buckets",
    "load_seattle_weather",
    "load_sf_temperatures",
    "make_windows",
    "pad_batch",
    "padded_batches",
    "sequence_mask",
]
