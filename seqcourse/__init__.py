"""seqcourse: an executable course on sequence modelling.

Importing the package quiets TensorFlow's C++ logging before TensorFlow is ever imported, so
every notebook that starts with ``import seqcourse`` renders without log noise. Nothing heavy is
imported here: ``seqcourse.reference`` is NumPy only and TensorFlow loads only where needed.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from seqcourse.runtime import fast_mode, seed_everything  # noqa: E402

__version__ = "0.1.0"
__all__ = ["fast_mode", "seed_everything", "__version__"]
