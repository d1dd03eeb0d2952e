"""Text generation with a Keras 3 language model: a stateful copy and a sampling loop.

A next-token model maps token ids ``(B, T)`` to logits ``(B, T, V)``. Generating with it one token
at a time by re-reading the whole text at every step costs O(T) per token; a *stateful* copy of the
same model keeps each row's hidden state between calls, so every new token costs one step. Imports
Keras: import it after ``import seqcourse``.
"""

import numpy as np

from seqcourse.reference.language import sample_next

__all__ = ["generate", "stateful_copy"]


def _recurrent_layers(model):
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]


def stateful_copy(model, batch_size):
    """The same network with ``stateful=True`` recurrent layers and a fixed batch, same weights.

    Args:
        model: a ``keras.Sequential`` language model, ids ``(B, T)`` -> logits ``(B, T, V)``,
            with at least one recurrent layer (``SimpleRNN``, ``LSTM``, ``GRU``) that returns
            sequences.
        batch_size: the number of rows the copy will generate in parallel (a stateful layer needs
            a fixed batch size because it stores one state per row).

    Returns:
        A new ``keras.Sequential`` whose input is ``(batch_size, None)``; call
        ``reset_states()`` on its recurrent layers (``generate`` does) before a new text.

    Chapter 10 shows it.
    """
    import keras

    if not isinstance(model, keras.Sequential):
        raise ValueError(
            f"model must be a keras.Sequential language model; got {type(model).__name__}: "
            f"rebuild it as Sequential([Input((None,), dtype='int32'), Embedding, GRU, Dense])"
        )
    if not _recurrent_layers(model):
        raise ValueError("model has no recurrent layer (SimpleRNN, LSTM or GRU): nothing to carry")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}")
    layers = []
    for layer in model.layers:
        config = layer.get_config()
        if isinstance(layer, keras.layers.RNN):
            config["stateful"] = True
        layers.append(layer.__class__.from_config(config))
    dtype = model.inputs[0].dtype
    copy = keras.Sequential([keras.Input(batch_shape=(batch_size, None), dtype=dtype), *layers])
    copy.set_weights(model.get_weights())
    return copy


def _per_row(name, value, rows):
    """A scalar setting repeated for every row, or a list with one entry per row."""
    if isinstance(value, list | tuple):
        if len(value) != rows:
            raise ValueError(
                f"{name} must be one value or a list of {rows} (one per row); "
                f"got a list of {len(value)}"
            )
        return list(value)
    return [value] * rows


def generate(step_model, seed_ids, steps, *, rng, temperature=1.0, top_k=None):
    """Continue each row of ``seed_ids`` by ``steps`` sampled tokens.

    The loop: reset the states, read the whole seed once (the state now summarises it), then
    repeatedly draw a token from the last step's logits and feed that single token back. Row ``b``
    is sampled with ``temperature[b]`` and ``top_k[b]`` (or the same scalar for every row), so
    several decoding settings run side by side in one batch.

    Args:
        step_model: a model made by :func:`stateful_copy`, batch size B.
        seed_ids: int array ``(B, S)``, S >= 1: the ids of each row's seed text.
        steps: number of tokens to generate, >= 0.
        rng: ``numpy.random.Generator`` for the draws.
        temperature: float >= 0 (0 = greedy) or a list of B of them.
        top_k: None, an int, or a list of B of them.

    Returns:
        int64 array ``(B, steps)``: the generated ids (the seed is not repeated).

    Chapter 10 shows it.
    """
    recurrent = _recurrent_layers(step_model)
    if not recurrent or not all(layer.stateful for layer in recurrent):
        raise ValueError(
            "step_model must have stateful recurrent layers: make it with stateful_copy(model, B)"
        )
    seed_ids = np.asarray(seed_ids)
    batch = step_model.inputs[0].shape[0]
    if seed_ids.ndim != 2 or seed_ids.shape[0] != batch or seed_ids.shape[1] < 1:
        raise ValueError(
            f"seed_ids must have shape (B, S) = ({batch}, S >= 1), one seed per row of the "
            f"stateful model; got {seed_ids.shape}"
        )
    if not np.issubdtype(seed_ids.dtype, np.integer):
        raise ValueError(f"seed_ids must be integer token ids; got dtype {seed_ids.dtype}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an int >= 0; got {steps!r}")
    temperatures = _per_row("temperature", temperature, batch)
    top_ks = _per_row("top_k", top_k, batch)
    for layer in recurrent:
        layer.reset_states()
    # One call reads the whole seed; only the logits after its last token matter.
    logits = np.asarray(step_model.predict_on_batch(seed_ids.astype("int32")))[:, -1]
    generated = np.zeros((batch, steps), dtype=np.int64)
    for t in range(steps):
        for row in range(batch):
            generated[row, t] = sample_next(
                logits[row : row + 1], rng, temperatures[row], top_ks[row]
            )[0]
        # Feed the new tokens back: the stateful layers continue from where they stopped.
        logits = np.asarray(step_model.predict_on_batch(generated[:, t : t + 1].astype("int32")))
        logits = logits[:, -1]
    return generated
