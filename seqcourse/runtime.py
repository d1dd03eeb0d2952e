"""Run-time switches shared by every notebook: fast mode and seeding."""

import os
import random
import sys

import numpy as np

FAST_ENV = "SEQCOURSE_FAST"


def fast_mode() -> bool:
    """True when notebooks should run at test scale (``SEQCOURSE_FAST=1``, as ``make test`` sets).

    Notebooks read this in their papermill ``parameters`` cell
    (``FAST = seqcourse.fast_mode()``), so papermill can also override it with ``-p FAST True``.

    Chapters 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 and 16 use it; exercises 1, 2, 3, 4,
    5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 and 16 use it.
    """
    return os.environ.get(FAST_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def seed_everything(seed: int = 0, keras: bool | None = None) -> np.random.Generator:
    """Seed Python, NumPy and Keras/TensorFlow; return a NumPy ``Generator`` seeded with ``seed``.

    ``keras=None`` (the default) seeds Keras only if it is already imported, so a NumPy-only
    notebook (and the grader's sandbox running it) never pays TensorFlow's import time; import
    ``keras`` first, or pass ``keras=True``, to seed TensorFlow's generators as well.

    Chapters 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 and 16 use it; exercises 1, 3, 4, 5,
    6, 7, 8, 9, 10, 11, 12, 13, 14, 15 and 16 use it.
    """
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the legacy global RNG, for libraries that still draw from it
    if keras or (keras is None and "keras" in sys.modules):
        import keras as keras_module

        keras_module.utils.set_random_seed(seed)
    return np.random.default_rng(seed)
