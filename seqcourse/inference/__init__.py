"""Using trained sequence models: decoding, generation, serving, monitoring and their metrics.

Layer 2 of the package beside :mod:`seqcourse.models` (see CONTRIBUTING.md): it may import
``runtime``, ``errors``, ``data`` and ``reference``, never ``models`` or ``grading``. Everything
here is NumPy and sees a model only through the callables it is given (a step function, a predict
function), so importing it never loads Keras.

- :mod:`seqcourse.inference.decoding`: greedy and beam search, teacher-forcing schedules;
- :mod:`seqcourse.inference.generation`: sampling text from a language model;
- :mod:`seqcourse.inference.serving`: padded-batch prediction, latency and throughput;
- :mod:`seqcourse.inference.monitoring`: drift (OOV share, PSI, KS) and selective accuracy;
- :mod:`seqcourse.inference.metrics`: exact match, accuracy by position, BLEU.
"""
