"""Seeded train/validation/test assignment for unordered data (texts, names, utterances).

Time series are split with :func:`seqcourse.data.chronological_split` instead.
"""

import numpy as np

SPLITS = ("train", "val", "test")


def grouped_split(groups, val: float = 0.1, test: float = 0.1, seed: int = 0) -> np.ndarray:
    """A ``"train"``/``"val"``/``"test"`` label per item, keeping each group in one split.

    ``groups`` is a 1-D sequence with one group key per item (a movie, a name, a date): all items of
    a group land in the same split, so nothing seen in training reappears in evaluation. The
    distinct groups (in sorted order) are shuffled with ``seed``; the first ``1 - val - test`` of
    them are training groups, then validation, then test. Returns an object array of labels, the
    same length as ``groups``; the same inputs always give the same labels.

    No chapter calls it directly; :func:`load_rotten_tomatoes` (chapters 1, 9, 13 and 15),
    :func:`load_vader_snippets` (chapters 9 and 15) and :func:`number_translation` (chapters 11,
    12 and 13) use it.
    """
    if not 0 <= val < 1 or not 0 <= test < 1 or val + test >= 1:
        raise ValueError(f"need 0 <= val, test and val + test < 1; got val={val}, test={test}")
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) == 0:
        raise ValueError(f"groups must be a non-empty 1-D sequence; got shape {groups.shape}")
    keys, index = np.unique(groups, return_inverse=True)
    order = np.random.default_rng(seed).permutation(len(keys))
    n_val = int(round(val * len(keys)))
    n_test = int(round(test * len(keys)))
    n_train = len(keys) - n_val - n_test
    if n_train < 1:
        raise ValueError(f"{len(keys)} group(s) are too few for val={val}, test={test}")
    label_of_key = np.empty(len(keys), dtype=object)
    label_of_key[order[:n_train]] = "train"
    label_of_key[order[n_train : n_train + n_val]] = "val"
    label_of_key[order[n_train + n_val :]] = "test"
    return label_of_key[index]
