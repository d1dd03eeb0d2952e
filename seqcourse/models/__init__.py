"""Keras 3 models of the course: builders, layers, training helpers and encoder-decoders.

Layer 2 of the package (see CONTRIBUTING.md): it may import ``runtime``, ``errors``, ``data`` and
``reference``, and nothing above. The builders are re-exported here, so
``from seqcourse import models; models.many_to_one(...)`` works; importing this package does not
load Keras (the builders import it when called). The other modules import Keras at the top:

- :mod:`seqcourse.models.builders`: input/output-shape builders and parameter counts;
- :mod:`seqcourse.models.layers`: ``PositionalEncoding``, ``TransformerEncoder``;
- :mod:`seqcourse.models.attention`: ``BahdanauAttention``, ``BahdanauDecoder``;
- :mod:`seqcourse.models.training`: ``EpochTimer``, ``GradientNormModel``, ``ScheduledSampling``,
  ``StepRecorder``;
- :mod:`seqcourse.models.seq2seq`: encoder-decoders with or without attention, in Luong's or
  Bahdanau's arrangement.
"""

from seqcourse.models import builders
from seqcourse.models.builders import *  # noqa: F403 (the builders' own __all__)

__all__ = builders.__all__
