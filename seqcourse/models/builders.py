"""Small Keras 3 model builders for the input/output shapes of recurrent networks.

Every builder returns an *uncompiled* ``keras.Model`` so a chapter can show ``compile`` and ``fit``
itself. Keras is imported inside the functions: ``import seqcourse.models`` stays light and
``import seqcourse`` never loads TensorFlow.

Shapes are batch-major throughout: a batch of sequences is ``(B, T, D)`` (batch, time steps,
features per step); a single vector per example is ``(B, D)``. ``T`` may be ``None`` for models
that accept sequences of any length.

The parameter-count helpers state the formulas the chapters check against ``model.count_params()``.
A ``keras.layers.SimpleRNN(H)`` on inputs of width ``D`` holds ``kernel (D, H)``,
``recurrent_kernel (H, H)`` and ``bias (H,)``.
"""

from __future__ import annotations

__all__ = [
    "RECURRENT_CELLS",
    "dense_param_count",
    "encoder_decoder",
    "gru_param_count",
    "lstm_param_count",
    "many_to_many",
    "many_to_one",
    "one_to_many",
    "one_to_one",
    "recurrent_language_model",
    "recurrent_regressor",
    "recurrent_sequence_classifier",
    "recurrent_text_classifier",
    "simple_rnn_param_count",
    "transformer_language_model",
    "transformer_masked_lm",
    "transformer_text_classifier",
]


def _positive_int(name: str, value, *, allow_none: bool = False) -> int | None:
    """Return ``value`` if it is a positive int (or ``None`` if allowed); else raise ValueError."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        allowed = "a positive int or None" if allow_none else "a positive int"
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


def simple_rnn_param_count(input_dim: int, units: int) -> int:
    """Trainable parameters of ``SimpleRNN(units)`` on inputs of width ``input_dim``.

    ``kernel (D, H)`` + ``recurrent_kernel (H, H)`` + ``bias (H,)`` = ``H * (D + H + 1)``.
    The count does not depend on the sequence length: the same weights serve every time step.

    Chapters 2, 5 and 6 use it.
    """
    d = _positive_int("input_dim", input_dim)
    h = _positive_int("units", units)
    return d * h + h * h + h


def dense_param_count(input_dim: int, units: int) -> int:
    """Trainable parameters of ``Dense(units)`` on inputs of width ``input_dim``: ``kernel (D, K)``
    + ``bias (K,)`` = ``K * (D + 1)``. On a ``(B, T, D)`` input Dense acts on the last axis, so
    the count is the same for every time step.

    Chapters 2, 4, 5 and 6 use it.
    """
    d = _positive_int("input_dim", input_dim)
    k = _positive_int("units", units)
    return d * k + k


def lstm_param_count(input_dim: int, units: int) -> int:
    """Trainable parameters of ``LSTM(units)`` on inputs of width ``input_dim``.

    Four blocks (input gate i, forget gate f, candidate c~, output gate o), each with its own
    ``(D, H)`` input weights, ``(H, H)`` recurrent weights and ``(H,)`` bias, stored side by side as
    ``kernel (D, 4H)``, ``recurrent_kernel (H, 4H)`` and ``bias (4H,)``:
    ``4 * H * (D + H + 1)``, four times a ``SimpleRNN`` of the same size.

    Chapters 4 and 5 use it.
    """
    return 4 * simple_rnn_param_count(input_dim, units)


def gru_param_count(input_dim: int, units: int, *, reset_after: bool = True) -> int:
    """Trainable parameters of ``GRU(units, reset_after=...)`` on inputs of width ``input_dim``.

    Three blocks (update gate z, reset gate r, candidate h~) side by side: ``kernel (D, 3H)`` and
    ``recurrent_kernel (H, 3H)``. The bias is ``(3H,)`` with ``reset_after=False`` and ``(2, 3H)``
    with ``reset_after=True`` (Keras's default: one bias on the input side, one on the recurrent
    side), so the count is ``3 * H * (D + H + 1)`` or ``3 * H * (D + H + 2)``.

    Chapter 5 uses it.
    """
    if not isinstance(reset_after, bool):
        raise ValueError(f"reset_after must be True or False, got {reset_after!r}")
    bias_rows = 2 if reset_after else 1
    d = _positive_int("input_dim", input_dim)
    h = _positive_int("units", units)
    return 3 * h * (d + h + bias_rows)


def recurrent_regressor(
    steps: int | None,
    features: int,
    units: int = 32,
    *,
    cell: str = "GRU",
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    l2: float = 0.0,
    l1: float = 0.0,
    name: str = "recurrent_regressor",
):
    """A many-to-one forecaster ``(B, steps, features)`` -> ``(B, 1)``, with optional regularisers.

    ``cell(units)`` (``"SimpleRNN"``, ``"LSTM"`` or ``"GRU"``) reads the window and keeps its last
    state ``(B, H)``; ``Dense(1)`` maps it to the prediction. Regularisation, all off by default:

    * ``dropout``: the fraction of the *inputs* ``x_t`` the recurrent layer drops in training;
    * ``recurrent_dropout``: the fraction of the state ``h_{t-1}`` fed back that it drops (one mask
      per sequence, reused at every step);
    * ``l2``: the coefficient of an L2 penalty ``l2 * sum(w^2)`` on the recurrent layer's ``kernel``
      and ``recurrent_kernel`` and on the Dense ``kernel`` (biases are not penalised);
    * ``l1``: the coefficient of an L1 penalty ``l1 * sum |w|`` on the same weights (with ``l2``:
      ``keras.regularizers.L1L2(l1, l2)``).

    Chapter 7 uses it.
    """
    import keras

    steps = _positive_int("steps", steps, allow_none=True)
    features = _positive_int("features", features)
    units = _positive_int("units", units)
    if cell not in RECURRENT_CELLS:
        raise ValueError(f"cell must be one of {RECURRENT_CELLS}; got {cell!r}")
    for label, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
            raise ValueError(f"{label} must be a fraction in [0, 1); got {rate!r}")
    for label, coefficient in (("l2", l2), ("l1", l1)):
        if (
            isinstance(coefficient, bool)
            or not isinstance(coefficient, int | float)
            or coefficient < 0
        ):
            raise ValueError(f"{label} must be a number >= 0; got {coefficient!r}")
    if l1 > 0:
        penalty = keras.regularizers.L1L2(l1=l1, l2=l2)
    else:
        penalty = keras.regularizers.L2(l2) if l2 > 0 else None
    recurrent = getattr(keras.layers, cell)(
        units,
        dropout=dropout,
        recurrent_dropout=recurrent_dropout,
        kernel_regularizer=penalty,
        recurrent_regularizer=penalty,
        name="recurrent",
    )
    return keras.Sequential(
        [
            keras.Input(shape=(steps, features), name="window"),
            recurrent,
            keras.layers.Dense(1, kernel_regularizer=penalty, name="forecast"),
        ],
        name=name,
    )


def one_to_one(input_dim: int, output_dim: int = 1, units: int = 16, *, name: str = "one_to_one"):
    """A plain feed-forward network: one input vector ``(B, D)`` -> one output ``(B, K)``.

    There is no time axis here, so there is nothing to recur over: a "one-to-one RNN" is just a
    dense network (an RNN run for a single step with ``h_0 = 0`` computes
    ``tanh(x W + b)``, which is a Dense layer with a tanh). The builder makes that explicit.

    Layers: ``Dense(units, tanh)`` -> ``Dense(output_dim)``.

    Chapter 2 uses it.
    """
    import keras

    input_dim = _positive_int("input_dim", input_dim)
    output_dim = _positive_int("output_dim", output_dim)
    units = _positive_int("units", units)
    return keras.Sequential(
        [
            keras.Input(shape=(input_dim,), name="x"),
            keras.layers.Dense(units, activation="tanh", name="hidden"),
            keras.layers.Dense(output_dim, name="head"),
        ],
        name=name,
    )


def one_to_many(
    input_dim: int,
    steps: int,
    output_dim: int = 1,
    units: int = 16,
    *,
    name: str = "one_to_many",
):
    """One input vector ``(B, D)`` -> a sequence ``(B, steps, K)``.

    ``RepeatVector(steps)`` hands the same vector to the recurrent layer at every step
    (``(B, D)`` -> ``(B, steps, D)``); ``SimpleRNN(units, return_sequences=True)`` returns every
    hidden state ``(B, steps, H)``; ``Dense(output_dim)`` maps each one, ``y_t = h_t V + c``.
    Image captioning and music generation from a seed have this shape.

    Chapter 2 shows it.
    """
    import keras

    input_dim = _positive_int("input_dim", input_dim)
    steps = _positive_int("steps", steps)
    output_dim = _positive_int("output_dim", output_dim)
    units = _positive_int("units", units)
    return keras.Sequential(
        [
            keras.Input(shape=(input_dim,), name="x"),
            keras.layers.RepeatVector(steps, name="repeat"),
            keras.layers.SimpleRNN(units, return_sequences=True, name="rnn"),
            keras.layers.Dense(output_dim, name="head"),
        ],
        name=name,
    )


def _sequence_reader(steps, features, output_dim, units, *, return_sequences, mask_value, name):
    """``[Masking] -> SimpleRNN(units, return_sequences) -> Dense(output_dim)`` on ``(B, T, F)``."""
    import keras

    steps = _positive_int("steps", steps, allow_none=True)
    features = _positive_int("features", features)
    output_dim = _positive_int("output_dim", output_dim)
    units = _positive_int("units", units)
    layers = [keras.Input(shape=(steps, features), name="x")]
    if mask_value is not None:
        layers.append(keras.layers.Masking(mask_value=float(mask_value), name="mask"))
    layers += [
        keras.layers.SimpleRNN(units, return_sequences=return_sequences, name="rnn"),
        keras.layers.Dense(output_dim, name="head"),
    ]
    return keras.Sequential(layers, name=name)


def many_to_one(
    steps: int | None,
    features: int,
    output_dim: int = 1,
    units: int = 16,
    *,
    mask_value: float | None = None,
    name: str = "many_to_one",
):
    """A sequence ``(B, steps, features)`` -> one output ``(B, K)``.

    ``SimpleRNN(units)`` (``return_sequences=False``) keeps only the last hidden state ``h_T``
    ``(B, H)``, and ``Dense(output_dim)`` reads the prediction from it: ``y = h_T V + c``.
    Forecasting the next value from a window, or the sentiment of a sentence, has this shape.

    ``steps=None`` accepts sequences of any length. With ``mask_value`` set, a ``Masking`` layer
    marks every time step whose features all equal it as padding, and the recurrent layer carries
    its state over those steps unchanged.

    Chapter 2 uses it.
    """
    return _sequence_reader(
        steps, features, output_dim, units, return_sequences=False, mask_value=mask_value, name=name
    )


def many_to_many(
    steps: int | None,
    features: int,
    output_dim: int = 1,
    units: int = 16,
    *,
    mask_value: float | None = None,
    name: str = "many_to_many",
):
    """A sequence ``(B, T, features)`` -> a sequence of the same length ``(B, T, K)``.

    ``return_sequences=True`` makes the recurrent layer return ``h_1 .. h_T`` ``(B, T, H)``, and the
    ``Dense`` layer is applied to each step with the same ``V, c``. Tagging every word of a sentence
    or labelling every frame of a signal has this shape. Output ``t`` depends on inputs ``1..t``
    only: the layer reads left to right. ``mask_value`` works as in :func:`many_to_one`.

    Chapter 2 uses it; exercise 2 uses it.
    """
    return _sequence_reader(
        steps, features, output_dim, units, return_sequences=True, mask_value=mask_value, name=name
    )


def encoder_decoder(
    in_steps: int | None,
    features: int,
    out_steps: int,
    output_dim: int = 1,
    units: int = 16,
    *,
    name: str = "encoder_decoder",
):
    """A sequence ``(B, in_steps, features)`` -> a sequence of another length ``(B, out_steps, K)``.

    The encoder ``SimpleRNN(units, return_state=True)`` reads the whole input and hands over its
    final state ``h_T`` ``(B, H)``. The decoder ``SimpleRNN(units, return_sequences=True)`` starts
    from that state (``initial_state=h_T``) and runs ``out_steps`` steps, reading ``h_T`` again at
    each step through ``RepeatVector``; ``Dense(output_dim)`` maps each decoder state to an output.
    Translation and multi-step forecasting have this shape (chapter 11 adds teacher forcing).

    Chapter 2 shows it.
    """
    import keras

    in_steps = _positive_int("in_steps", in_steps, allow_none=True)
    features = _positive_int("features", features)
    out_steps = _positive_int("out_steps", out_steps)
    output_dim = _positive_int("output_dim", output_dim)
    units = _positive_int("units", units)
    x = keras.Input(shape=(in_steps, features), name="x")
    # return_state=True: the layer returns (last output, last state); for SimpleRNN they are equal.
    _, state = keras.layers.SimpleRNN(units, return_state=True, name="encoder")(x)
    repeated = keras.layers.RepeatVector(out_steps, name="repeat")(state)
    decoded = keras.layers.SimpleRNN(units, return_sequences=True, name="decoder")(
        repeated, initial_state=state
    )
    y = keras.layers.Dense(output_dim, name="head")(decoded)
    return keras.Model(x, y, name=name)


RECURRENT_CELLS = ("SimpleRNN", "LSTM", "GRU")


def recurrent_language_model(
    vocab_size: int,
    embed_dim: int = 32,
    units: int = 256,
    *,
    cell: str = "GRU",
    name: str = "language_model",
):
    """A next-token model: token ids ``(B, T)`` -> logits ``(B, T, V)`` over the next token.

    ``Embedding(V, E)`` turns each id into a vector ``(B, T, E)``; a recurrent layer (``cell`` is
    ``"SimpleRNN"``, ``"LSTM"`` or ``"GRU"``, ``return_sequences=True``) reads them left to right,
    ``(B, T, H)``; ``Dense(V)`` maps every state to *logits* (no softmax: train with
    ``SparseCategoricalCrossentropy(from_logits=True)``, which is more stable). Output ``t`` scores
    token ``t + 1`` from tokens ``1..t``, so the targets are the inputs shifted left by one.
    ``T`` is ``None``: the model reads texts of any length. Sequential, so
    :func:`seqcourse.inference.generation.stateful_copy` can make a generator from it.

    Chapter 10 shows it; chapter 13 uses it.
    """
    import keras

    vocab_size = _positive_int("vocab_size", vocab_size)
    embed_dim = _positive_int("embed_dim", embed_dim)
    units = _positive_int("units", units)
    if cell not in RECURRENT_CELLS:
        raise ValueError(f"cell must be one of {RECURRENT_CELLS}; got {cell!r}")
    return keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int32", name="token_ids"),
            keras.layers.Embedding(vocab_size, embed_dim, name="embedding"),
            getattr(keras.layers, cell)(units, return_sequences=True, name="recurrent"),
            keras.layers.Dense(vocab_size, name="next_token_logits"),
        ],
        name=name,
    )


def recurrent_text_classifier(
    vocab_size: int,
    output_dim: int = 1,
    embed_dim: int = 64,
    units: int = 64,
    *,
    cell: str = "LSTM",
    bidirectional: bool = False,
    name: str = "recurrent_text_classifier",
):
    """Token ids ``(B, T)`` -> logits ``(B, K)``: the recurrent text classifier of chapter 9.

    ``Embedding(V, E, mask_zero=True)`` ``(B, T, E)`` (id 0 is padding and is masked); a recurrent
    layer (``cell`` ``"SimpleRNN"``, ``"LSTM"`` or ``"GRU"``, optionally ``Bidirectional`` with
    concatenated directions) keeps its last state ``(B, H)`` or ``(B, 2H)``; ``Dense(K)`` gives
    logits (no activation: train with ``from_logits=True``). ``T`` is ``None``: any length.

    Chapters 13 and 15 use it.
    """
    import keras

    vocab_size = _positive_int("vocab_size", vocab_size)
    output_dim = _positive_int("output_dim", output_dim)
    embed_dim = _positive_int("embed_dim", embed_dim)
    units = _positive_int("units", units)
    if cell not in RECURRENT_CELLS:
        raise ValueError(f"cell must be one of {RECURRENT_CELLS}; got {cell!r}")
    recurrent = getattr(keras.layers, cell)(units, name="recurrent")
    if bidirectional:
        recurrent = keras.layers.Bidirectional(recurrent, name="bidirectional")
    return keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int32", name="token_ids"),
            keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True, name="embedding"),
            recurrent,
            keras.layers.Dense(output_dim, name="logits"),
        ],
        name=name,
    )


def _transformer_encoder_layers(
    vocab_size,
    embed_dim,
    num_heads,
    ff_dim,
    num_blocks,
    dropout,
    positional,
    scale,
    mask_zero,
    causal=False,
):
    """``[Input, Embedding, PositionalEncoding, TransformerEncoder x num_blocks]``, named
    ``embedding``, ``positions``, ``encoder_0`` ... so that models built from them share weights
    by name."""
    import keras

    from seqcourse.models.layers import PositionalEncoding, TransformerEncoder

    vocab_size = _positive_int("vocab_size", vocab_size)
    embed_dim = _positive_int("embed_dim", embed_dim)
    num_heads = _positive_int("num_heads", num_heads)
    num_blocks = _positive_int("num_blocks", num_blocks)
    if embed_dim % num_heads:
        raise ValueError(
            f"embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads}): each head "
            f"gets embed_dim / num_heads dimensions"
        )
    layers = [
        keras.Input(shape=(None,), dtype="int32", name="token_ids"),
        keras.layers.Embedding(vocab_size, embed_dim, mask_zero=mask_zero, name="embedding"),
    ]
    if positional:
        layers.append(PositionalEncoding(scale, name="positions"))
    layers += [
        TransformerEncoder(
            num_heads, embed_dim // num_heads, ff_dim, dropout, causal=causal, name=f"encoder_{i}"
        )
        for i in range(num_blocks)
    ]
    return layers


def transformer_text_classifier(
    vocab_size: int,
    output_dim: int = 1,
    embed_dim: int = 64,
    num_heads: int = 4,
    ff_dim: int = 128,
    num_blocks: int = 1,
    *,
    dropout: float = 0.1,
    positional: bool = True,
    scale_embeddings: bool = False,
    causal: bool = False,
    name: str = "transformer_text_classifier",
):
    """Token ids ``(B, T)`` -> logits ``(B, K)`` through a small Transformer encoder.

    ``Embedding(V, d, mask_zero=True)`` ``(B, T, d)``; the sinusoidal
    :class:`seqcourse.models.layers.PositionalEncoding` added (unless ``positional=False``, which
    makes the model blind to word order), after multiplying the embeddings by ``sqrt(d)`` when
    ``scale_embeddings``; ``num_blocks`` :class:`seqcourse.models.layers.TransformerEncoder`
    blocks of ``num_heads`` heads of size ``d / num_heads``, ``(B, T, d)``; the mean over the real
    (unmasked) steps, ``(B, d)``; dropout and ``Dense(K)`` logits. ``embed_dim`` must be divisible
    by ``num_heads``. ``T`` is ``None``: any length. Its layers ``embedding``, ``positions`` and
    ``encoder_i`` have the names (and shapes) of :func:`transformer_masked_lm`'s and
    :func:`transformer_language_model`'s, so pre-trained weights copy over by name. With
    ``causal=True`` step t attends to steps ``<= t`` only, the mask a next-word model was
    pre-trained with (GPT fine-tunes that way); the mean still runs over every real step.

    Chapters 13 and 15 use it.
    """
    import keras

    output_dim = _positive_int("output_dim", output_dim)
    layers = _transformer_encoder_layers(
        vocab_size,
        embed_dim,
        num_heads,
        ff_dim,
        num_blocks,
        dropout,
        positional,
        scale_embeddings,
        mask_zero=True,
        causal=causal,
    )
    layers += [
        keras.layers.GlobalAveragePooling1D(name="mean_over_steps"),  # masked mean
        keras.layers.Dropout(dropout, name="dropout"),
        keras.layers.Dense(output_dim, name="logits"),
    ]
    return keras.Sequential(layers, name=name)


def transformer_masked_lm(
    vocab_size: int,
    embed_dim: int = 64,
    num_heads: int = 4,
    ff_dim: int = 128,
    num_blocks: int = 1,
    *,
    dropout: float = 0.1,
    scale_embeddings: bool = False,
    name: str = "transformer_masked_lm",
):
    """A BERT-style masked language model (Devlin et al. 2019) for pre-training an encoder:
    ``[token_ids (B, T), masked_positions (B, K)]`` -> logits ``(B, K, V)``, one distribution
    over the vocabulary for each of the K chosen steps.

    The encoder is :func:`transformer_text_classifier`'s, with the same layer names
    (``embedding``, ``positions``, ``encoder_0`` ...; no causal mask: every step reads both
    sides), so its weights copy into the classifier by name. The hidden states of the chosen
    steps are gathered, ``(B, K, d)``, and ``Dense(V)`` (named ``token_logits``) scores them: only
    K of the T steps pay for the V-wide output layer, as in BERT. Train it on the arrays of
    :func:`seqcourse.data.tokens.mask_tokens` (targets ``(B, K)``, ``sample_weight`` its weights).
    ``vocab_size`` counts every id the inputs may hold, the ``[MASK]`` id included.

    Chapter 13 uses it.
    """
    import keras

    layers = _transformer_encoder_layers(
        vocab_size,
        embed_dim,
        num_heads,
        ff_dim,
        num_blocks,
        dropout,
        True,
        scale_embeddings,
        mask_zero=True,
    )
    token_ids, hidden = layers[0], layers[0]
    for layer in layers[1:]:
        hidden = layer(hidden)  # (B, T, d)
    positions = keras.Input(shape=(None,), dtype="int32", name="masked_positions")  # (B, K)
    # h[b, positions[b, k]] for every chosen step: (B, K, d)
    chosen = keras.ops.take_along_axis(hidden, keras.ops.expand_dims(positions, -1), axis=1)
    logits = keras.layers.Dense(vocab_size, name="token_logits")(chosen)
    return keras.Model([token_ids, positions], logits, name=name)


def transformer_language_model(
    vocab_size: int,
    embed_dim: int = 64,
    num_heads: int = 4,
    ff_dim: int = 256,
    num_blocks: int = 2,
    *,
    dropout: float = 0.1,
    scale_embeddings: bool = True,
    mask_zero: bool = False,
    output_dim: int | None = None,
    name: str = "transformer_language_model",
):
    """A causal Transformer next-token model: ids ``(B, T)`` -> logits ``(B, T, K)``.

    ``Embedding(V, d)`` (by default no padding mask: id 0 is a real token, as in
    :func:`recurrent_language_model`; ``mask_zero=True`` makes 0 padding that no step attends
    to, for post-padded word ids), embeddings times ``sqrt(d)`` when ``scale_embeddings``,
    plus the sinusoidal positions, then ``num_blocks`` causal
    :class:`seqcourse.models.layers.TransformerEncoder` blocks (step t attends to steps ``<= t``
    only) and ``Dense(K)``: output ``t`` scores token ``t + 1`` from tokens ``1..t``, like the
    recurrent model, but its context is the window it is given, not a carried state. ``K`` is
    ``output_dim``, by default ``V``; a smaller ``K`` scores only the ``K`` most frequent ids
    (``TextVectorization`` sorts its vocabulary by frequency: map the targets ``>= K`` to
    ``[UNK]``), which makes the ``(d, K)`` output layer, the costliest part of a step, cheaper. The
    layers ``embedding``, ``positions`` and ``encoder_i`` have the names and shapes of
    :func:`transformer_text_classifier`'s, so a pre-trained encoder copies into it by name.

    Chapter 13 shows it.
    """
    import keras

    output_dim = vocab_size if output_dim is None else _positive_int("output_dim", output_dim)

    layers = _transformer_encoder_layers(
        vocab_size,
        embed_dim,
        num_heads,
        ff_dim,
        num_blocks,
        dropout,
        True,
        scale_embeddings,
        mask_zero=mask_zero,
        causal=True,
    )
    layers.append(keras.layers.Dense(output_dim, name="next_token_logits"))
    return keras.Sequential(layers, name=name)


def recurrent_sequence_classifier(
    features: int,
    num_classes: int,
    units: int = 64,
    *,
    cell: str = "GRU",
    mask_value: float | None = 0.0,
    name: str = "recurrent_sequence_classifier",
):
    """Frame sequences ``(B, T, F)`` -> class logits ``(B, K)``, e.g. speaker from audio frames.

    ``Masking(mask_value)`` marks the frames whose features all equal ``mask_value`` as padding
    (``None``: no masking); a recurrent layer (``cell``) keeps the last real state ``(B, H)``;
    ``Dense(K)`` gives logits (train with ``from_logits=True``). ``T`` is ``None``: any length.

    Chapter 14 uses it.
    """
    import keras

    features = _positive_int("features", features)
    num_classes = _positive_int("num_classes", num_classes)
    units = _positive_int("units", units)
    if cell not in RECURRENT_CELLS:
        raise ValueError(f"cell must be one of {RECURRENT_CELLS}; got {cell!r}")
    layers = [keras.Input(shape=(None, features), name="frames")]
    if mask_value is not None:
        layers.append(keras.layers.Masking(mask_value=float(mask_value), name="mask"))
    layers += [
        getattr(keras.layers, cell)(units, name="recurrent"),
        keras.layers.Dense(num_classes, name="logits"),
    ]
    return keras.Sequential(layers, name=name)
