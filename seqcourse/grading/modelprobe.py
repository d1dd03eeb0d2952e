"""What the grader measures of a built Keras model besides its predictions: its structure as plain
data, how much each layer matters, free-running greedy decoding, and the same model without its
regularisation.

This module is copied beside ``child.py`` into every sandbox (it imports NumPy, and Keras inside
its functions, never anything from the package) and imported by :func:`seqcourse.grading.check`
for the public checks. It only *measures*: whether a structure, a decoded sequence or a score is
good enough is decided by the trusted parent (:mod:`seqcourse.grading.verdicts`), from the plain
JSON and arrays these functions return.

- :func:`describe`: the model's layers (class, name, the classes of the layers inside it, the
  settings that say how it regularises) and whether they are all on a path from an input to an
  output (true of every layer of a Sequential or Functional model; a subclassed model's wiring
  cannot be read, so :func:`ablation` is the evidence there);
- :func:`ablation`: how much the predictions change when one layer's weights are set to zero, for
  every layer that has weights (a bypassed layer changes nothing);
- :func:`greedy_decode`: decoding of a conditional sequence model ``[condition..., tokens (B, T)]
  -> scores (B, T, V)`` from ``<s>``, each step fed only the model's own previous outputs;
- :func:`strip_regularisation`: dropout rates, noise and weight penalties of a freshly built model
  set to zero, in place, so that it trains as the same model unregularised.
"""

import numpy as np

# Layer attributes that hold a weight penalty (Keras's names across its layers).
REGULARIZER_ATTRIBUTES = (
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "embeddings_regularizer",
    "depthwise_regularizer",
    "pointwise_regularizer",
    "beta_regularizer",
    "gamma_regularizer",
)
# Attributes that switch on randomness during training: RNN cells' dropout and recurrent_dropout,
# the Dropout family's rate, GaussianNoise's stddev.
RATE_ATTRIBUTES = ("dropout", "recurrent_dropout", "rate", "stddev")
MAX_ABLATED = 16  # layers ablated at most (each costs one prediction of a small batch)


def matches_required(entry, requires) -> bool:
    """Whether a layer of :func:`describe` (its class or a class inside it) is one ``requires``
    names: an exact class name (``"GRU"`` also matches ``"GRUCell"``) or ``"*Suffix"`` for any class
    whose name ends so. The parent's verdict uses this rule; the child uses it only to skip
    training a model that has no such layer at all (the verdict is 0 whatever it would learn)."""
    classes = {str(entry.get("class", ""))} | {str(c) for c in entry.get("inside", [])}
    for wanted in requires:
        if wanted.startswith("*"):
            if any(c.endswith(wanted[1:]) for c in classes):
                return True
        elif wanted in classes or f"{wanted}Cell" in classes:
            return True
    return False


def _sublayers(layer) -> list:
    flatten = getattr(layer, "_flatten_layers", None)
    if flatten is None:
        return []
    try:
        return [sub for sub in flatten(include_self=False, recursive=True)]
    except Exception:  # a layer with an unusual tracking: describe it alone
        return []


def _settable(layer, attribute: str) -> bool:
    """False for a read-only property (a recurrent layer's ``dropout`` reads its cell's)."""
    found = getattr(type(layer), attribute, None)
    return not (isinstance(found, property) and found.fset is None)


def _own_regularisation(layer) -> list[str]:
    """What ``layer`` itself (not the layers inside it) does to regularise, e.g.
    ``["GRUCell.recurrent_dropout=0.2", "GRUCell.kernel_regularizer"]``."""
    name = type(layer).__name__
    found = []
    rates = {
        "dropout": hasattr(layer, "recurrent_dropout"),  # recurrent cells
        "recurrent_dropout": True,
        "rate": "Dropout" in name,  # Dropout, SpatialDropout1D, GaussianDropout, AlphaDropout
        "stddev": "Noise" in name,  # GaussianNoise
    }
    for attribute, applies in rates.items():
        value = getattr(layer, attribute, None) if applies else None
        if type(value) in (int, float) and value > 0 and _settable(layer, attribute):
            found.append(f"{name}.{attribute}={float(value):g}")
    for attribute in REGULARIZER_ATTRIBUTES:
        if getattr(layer, attribute, None) is not None and _settable(layer, attribute):
            found.append(f"{name}.{attribute}")
    return found


def _regularisation(layer) -> list[str]:
    """What ``layer`` and the layers inside it do to regularise (:func:`_own_regularisation`)."""
    items = [layer, *_sublayers(layer)]
    return sorted({what for item in items for what in _own_regularisation(item)})


def _entry(layer, prefix: str, wired: bool) -> dict:
    return {
        "class": type(layer).__name__,
        "name": prefix + str(getattr(layer, "name", "?")),
        "inside": sorted({type(sub).__name__ for sub in _sublayers(layer)} - {"InputLayer"}),
        "regularisation": _regularisation(layer),
        "weights": len(getattr(layer, "weights", []) or []),
        "wired": wired,
    }


def _path_layers(model):
    """``(layers, wired)``: the model's layers, and whether each is known to lie on a path from
    an input to an output (Sequential: a chain; Functional: Keras keeps only the operations the
    outputs depend on, and refuses a graph whose outputs do not reach its inputs)."""
    import keras

    if isinstance(model, keras.Sequential):
        return list(model.layers), True
    operations = getattr(model, "_operations", None)
    if isinstance(operations, list) and hasattr(model, "_nodes_by_depth"):
        return [op for op in operations if isinstance(op, keras.layers.Layer)], True
    return list(model.layers), False  # subclassed: the layers it tracks, used or not


def describe(model) -> dict:
    """The model's structure as JSON-able data.

    Returns ``{"kind": "sequential" | "functional" | "subclassed", "layers": [...]}``; each layer is
    ``{"class", "name", "inside" (classes of the layers it contains, e.g. a Bidirectional's GRU and
    GRUCell), "regularisation" (e.g. ``"GRU.recurrent_dropout=0.2"``), "weights" (how many
    arrays), "wired" (True when it lies on a path from an input to an output)}``. The layers of a
    Sequential or Functional model nested inside are listed too, named ``outer/inner``.
    """
    import keras

    kind = (
        "sequential"
        if isinstance(model, keras.Sequential)
        else "functional"
        if hasattr(model, "_nodes_by_depth")
        else "subclassed"
    )
    entries: list[dict] = []

    def visit(container, prefix: str, wired_above: bool, depth: int) -> None:
        layers, wired = _path_layers(container)
        for layer in layers:
            if type(layer).__name__ == "InputLayer":
                continue
            entries.append(_entry(layer, prefix, wired and wired_above))
            if isinstance(layer, keras.Model) and depth < 4:
                visit(layer, f"{prefix}{layer.name}/", wired and wired_above, depth + 1)

    visit(model, "", True, 0)
    return {"kind": kind, "layers": entries[:200]}


def _predict(model, x, batch_size: int = 256) -> np.ndarray:
    out = model.predict(x, verbose=0, batch_size=batch_size)
    if isinstance(out, (list, tuple)):
        out = out[0]
    if isinstance(out, dict):
        out = next(iter(out.values()))
    return np.asarray(out, dtype=np.float64)


def ablation(model, x) -> dict[str, float]:
    """For each layer with weights (the first :data:`MAX_ABLATED`): the largest change of the
    predictions on inputs ``x`` when that layer's weights are all zero, relative to the largest
    prediction (0.0: the output does not depend on the layer). The weights are restored."""
    import keras

    layers = [layer for layer in _path_layers(model)[0] if getattr(layer, "weights", None)][
        :MAX_ABLATED
    ]
    if not layers:
        return {}
    base = _predict(model, x)
    scale = float(np.max(np.abs(base))) + 1e-12
    changes = {}
    for layer in layers:
        saved = layer.get_weights()
        try:
            layer.set_weights([np.zeros_like(w) for w in saved])
            changed = _predict(model, x)
            diff = np.abs(changed - base)
            change = float(np.max(np.where(np.isfinite(diff), diff, np.inf))) / scale
        finally:
            layer.set_weights(saved)
        changes[str(layer.name)] = change if np.isfinite(change) else 1e6
    del keras
    return changes


def greedy_decode(model, inputs, slot, start_id: int, end_id: int, max_len: int) -> np.ndarray:
    """Free-running greedy decoding of ``model``: ``[condition..., tokens (B, T)] -> (B, T, V)``.

    ``inputs`` is the list (or dict) of the model's input arrays, all with B rows; the one at
    ``slot`` (an index into the list, a key of the dict) is the decoder's token input and is
    replaced here: it holds ``<s>`` (``start_id``) and then only tokens the model produced itself
    (``y_t = argmax`` of the scores at step ``t``), 0 (padding) after them, always ``max_len``
    wide, so a causal decoder sees exactly its own past. A row ends at its first ``</s>``
    (``end_id``) or padding (0). Returns the decoded ids, int64 ``(B, max_len)``, with the end and
    everything after it set to 0 (the form :func:`seqcourse.grading.verdicts.sequences` reads).
    """
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else dict(inputs)
    key = int(slot) if isinstance(inputs, list) else slot
    rows = len(inputs[key])
    tokens = np.zeros((rows, max_len), dtype=np.int32)
    tokens[:, 0] = start_id
    decoded = np.zeros((rows, max_len), dtype=np.int64)
    done = np.zeros(rows, dtype=bool)
    for t in range(max_len):
        inputs[key] = tokens
        scores = _predict(model, inputs)
        if scores.ndim != 3 or scores.shape[:2] != (rows, max_len):
            raise ValueError(
                f"decoding needs scores for every decoder position, shape ({rows}, {max_len}, V); "
                f"the model returned {scores.shape}"
            )
        chosen = scores[:, t].argmax(axis=-1)  # y_t = argmax_v p(v | y_<t, condition)
        done |= (chosen == end_id) | (chosen == 0)
        decoded[:, t] = np.where(done, 0, chosen)
        if done.all() or t + 1 == max_len:
            break
        tokens[:, t + 1] = np.where(done, 0, chosen)
    return decoded


def strip_regularisation(model) -> list[str]:
    """Set every dropout rate, noise level and weight penalty of ``model``'s layers to zero, in
    place; return what was removed (e.g. ``["gru_cell: GRUCell.recurrent_dropout=0.2"]``).

    Call it on a freshly built model before it trains: it then trains as the same architecture,
    optimiser and initial weights without regularisation.
    """
    removed = []
    for layer in _sublayers(model):
        found = _own_regularisation(layer)
        removed += [f"{layer.name}: {what}" for what in found]
        for what in found:
            attribute = what.split(".", 1)[1].split("=")[0]
            setattr(layer, attribute, 0.0 if "=" in what else None)
        for variable in getattr(layer, "weights", []) or []:
            if getattr(variable, "regularizer", None) is not None:
                variable.regularizer = None
    return removed
