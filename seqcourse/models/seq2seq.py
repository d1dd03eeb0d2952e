"""Encoder-decoder (sequence-to-sequence) models in Keras 3: recurrent, with or without attention,
and the Transformer's.

The token ids and teacher-forcing arrays they read come from :mod:`seqcourse.data.tokens`.
Keras is imported inside the functions, so importing this module stays light; import
``seqcourse`` before it so TensorFlow is quiet.
"""

from dataclasses import dataclass

import numpy as np

from seqcourse.reference.numerics import log_softmax

__all__ = [
    "ATTENTION_KINDS",
    "Seq2Seq",
    "TransformerSeq2Seq",
    "build_bahdanau_seq2seq",
    "build_seq2seq",
    "build_transformer_seq2seq",
]

ATTENTION_KINDS = (None, "dot", "additive")


@dataclass
class Seq2Seq:
    """The models of one encoder-decoder, sharing their layers (training one trains them all).

    - ``train``: ``[source (B, S), decoder_input (B, T)]`` -> logits ``(B, T, V)``, the
      teacher-forced model to compile and fit;
    - ``encoder``: ``source (B, S)`` -> ``[encoder_outputs (B, S, H), state (B, H)]``;
    - ``decoder_step``: ``[token (N, 1), state (N, H), encoder_outputs (N, S, H),
      source_mask (N, S)]`` -> ``[logits (N, V), state (N, H)]``, one step of free running;
    - ``attention``: ``[source, decoder_input]`` -> attention weights ``(B, T, S)``, or None
      without attention.

    No chapter calls it directly; :func:`build_seq2seq` (chapters 11, 12 and 13) and
    :func:`build_bahdanau_seq2seq` (chapter 12) use it.
    """

    train: object
    encoder: object
    decoder_step: object
    attention: object = None

    def initial_states(self, source):
        """The decoder's starting states for a batch of sources ``(N, S)``: ``[state (N, H),
        encoder_outputs (N, S, H), source_mask (N, S)]``."""
        source = np.asarray(source, dtype=np.int32)
        outputs, state = self.encoder(source, training=False)
        return [np.asarray(state), np.asarray(outputs), source != 0]

    def step(self, tokens, states):
        """The step function of :mod:`seqcourse.inference.decoding`: feed ``tokens`` (N,), get the
        next-token log-probabilities (N, V) and the new states."""
        state, outputs, mask = states
        tokens = np.asarray(tokens, dtype=np.int32)[:, None]
        logits, new_state = self.decoder_step([tokens, state, outputs, mask], training=False)
        return log_softmax(np.asarray(logits, dtype=np.float64)), [
            np.asarray(new_state),
            outputs,
            mask,
        ]


def _check_sizes(source_vocab, target_vocab, **sizes):
    for name, value in (("source_vocab", source_vocab), ("target_vocab", target_vocab)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 5:
            raise ValueError(f"{name} must be an int vocabulary size >= 5; got {value!r}")
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}")


def _step_model(decode, units, annotation_units, name):
    """One free-running decoder step: ``[token (N, 1), state (N, H), encoder_outputs (N, S, D),
    source_mask (N, S)] -> [logits (N, V), state (N, H)]`` through ``decode``'s shared layers."""
    import keras

    token = keras.Input((1,), dtype="int32", name="token")
    state_in = keras.Input((units,), name="state")
    outputs_in = keras.Input((None, annotation_units), name="encoder_outputs")
    mask_in = keras.Input((None,), dtype="bool", name="source_mask")
    step_logits, step_state, _ = decode(token, state_in, outputs_in, mask_in)
    return keras.Model(
        [token, state_in, outputs_in, mask_in],
        [keras.ops.squeeze(step_logits, axis=1), step_state],
        name=name,
    )


def build_seq2seq(source_vocab, target_vocab, embed_dim=32, units=128, attention=None):
    """A GRU encoder-decoder over token ids, optionally with attention in Luong's arrangement.

    Encoder: ``Embedding(Vs, E, mask_zero=True)`` -> ``GRU(H, return_sequences, return_state)``:
    outputs ``h_1..h_S`` (B, S, H) and the final state ``h_S`` (B, H), the *context vector*.
    Decoder: ``Embedding(Vt, E, mask_zero=True)`` -> ``GRU(H)`` started from ``h_S``, reading the
    shifted target, states ``s_1..s_T`` (B, T, H). Without attention ``Dense(Vt)`` maps each
    ``s_t`` to logits. With attention (``"dot"``: ``keras.layers.Attention``, score ``s_t . h_j``;
    ``"additive"``: :class:`seqcourse.models.attention.BahdanauAttention` with H hidden units,
    score ``v . tanh(s_t W_q + h_j W_k)``) the decoder RNN runs first and each *current* state
    ``s_t`` queries the encoder outputs for a context ``c_t = sum_j a_tj h_j`` (B, T, H);
    ``Dense(H, tanh)([c_t; s_t])`` -> ``Dense(Vt)`` gives the logits (Luong et al., 2015).
    Padded source positions get attention weight 0.

    Returns:
        :class:`Seq2Seq`, uncompiled.

    Chapter 11 shows it; chapters 12 and 13 use it.
    """
    import keras

    _check_sizes(source_vocab, target_vocab, embed_dim=embed_dim, units=units)
    if attention not in ATTENTION_KINDS:
        raise ValueError(f"attention must be one of {ATTENTION_KINDS}; got {attention!r}")

    source_embedding = keras.layers.Embedding(
        source_vocab, embed_dim, mask_zero=True, name="src_emb"
    )
    encoder_gru = keras.layers.GRU(units, return_sequences=True, return_state=True, name="encoder")
    target_embedding = keras.layers.Embedding(
        target_vocab, embed_dim, mask_zero=True, name="tgt_emb"
    )
    decoder_gru = keras.layers.GRU(units, return_sequences=True, return_state=True, name="decoder")
    if attention is not None:
        if attention == "dot":
            attend = keras.layers.Attention(name="attention")
        else:
            from seqcourse.models.attention import BahdanauAttention

            additive = BahdanauAttention(units, name="attention")

            def attend(inputs, mask, return_attention_scores):
                query, keys = inputs
                return additive(query, keys, keys, key_mask=mask[1])

        combine = keras.layers.Dense(units, activation="tanh", name="combine")
    project = keras.layers.Dense(target_vocab, name="logits")

    def decode(tokens, state, enc_outputs, source_mask, scores=False):
        """Decoder states -> logits, and the attention weights when ``scores``."""
        states, last = decoder_gru(target_embedding(tokens), initial_state=state)
        if attention is None:
            return project(states), last, None
        context, weights = attend(
            [states, enc_outputs], mask=[None, source_mask], return_attention_scores=True
        )
        combined = combine(keras.ops.concatenate([context, states], axis=-1))
        return project(combined), last, weights

    source = keras.Input((None,), dtype="int32", name="source")
    decoder_input = keras.Input((None,), dtype="int32", name="decoder_input")
    enc_outputs, enc_state = encoder_gru(source_embedding(source))
    source_mask = keras.ops.not_equal(source, 0)
    logits, _, weights = decode(decoder_input, enc_state, enc_outputs, source_mask)
    train = keras.Model([source, decoder_input], logits, name="seq2seq_train")
    encoder = keras.Model(source, [enc_outputs, enc_state], name="seq2seq_encoder")
    attention_model = None
    if attention is not None:
        attention_model = keras.Model([source, decoder_input], weights, name="seq2seq_attention")

    step = _step_model(decode, units, units, "seq2seq_step")
    return Seq2Seq(train=train, encoder=encoder, decoder_step=step, attention=attention_model)


def build_bahdanau_seq2seq(
    source_vocab, target_vocab, embed_dim=32, units=128, attention_units=None
):
    """The GRU encoder-decoder of Bahdanau et al. (2015): a bidirectional encoder and a decoder
    that attends with its previous state and feeds the context into its recurrence.

    Encoder: ``Embedding(Vs, E, mask_zero=True)`` -> ``Bidirectional(GRU(H))``: annotations
    ``h_j = [fwd h_j; bwd h_j]`` (B, S, 2H), each describing the words on both sides of position j.
    Initial state: ``s_0 = tanh(bwd h_1 W_s + b_s)`` (B, H), a ``Dense(H, tanh)`` of the backward
    GRU's final state (it has read the source back to the first token). Decoder:
    ``Embedding(Vt, E, mask_zero=True)`` -> :class:`seqcourse.models.attention.BahdanauDecoder`
    (the query is ``s_{t-1}``, score ``v . tanh(s_{t-1} W_q + h_j W_k)``, ``s_t = GRU([e_t; c_t],
    s_{t-1})``). Output: ``Dense(Vt)`` on ``[s_t; c_t; e_t]``, their ``p(y_t | y_{t-1}, s_t,
    c_t)`` with one linear layer in place of their maxout layer. Padded source positions get
    attention weight 0.

    Args:
        source_vocab, target_vocab: vocabulary sizes (ids below them; 0 is padding).
        embed_dim: E. units: H, per encoder direction and for the decoder.
        attention_units: da, the scoring network's width (H if None).

    Returns:
        :class:`Seq2Seq` (uncompiled) whose ``encoder`` returns ``[annotations (B, S, 2H),
        s_0 (B, H)]`` and whose ``attention`` model returns the weights ``alpha`` (B, T, S).

    Chapter 12 uses it.
    """
    import keras

    from seqcourse.models.attention import BahdanauDecoder

    attention_units = units if attention_units is None else attention_units
    _check_sizes(
        source_vocab,
        target_vocab,
        embed_dim=embed_dim,
        units=units,
        attention_units=attention_units,
    )
    source_embedding = keras.layers.Embedding(
        source_vocab, embed_dim, mask_zero=True, name="src_emb"
    )
    encoder_gru = keras.layers.Bidirectional(
        keras.layers.GRU(units, return_sequences=True, return_state=True), name="encoder"
    )
    initial = keras.layers.Dense(units, activation="tanh", name="initial_state")
    target_embedding = keras.layers.Embedding(
        target_vocab, embed_dim, mask_zero=True, name="tgt_emb"
    )
    decoder = BahdanauDecoder(units, attention_units, name="decoder")
    project = keras.layers.Dense(target_vocab, name="logits")

    def decode(tokens, state, annotations, source_mask):
        embedded = target_embedding(tokens)
        states, contexts, weights, last = decoder(embedded, state, annotations, source_mask)
        # p(y_t | y_{t-1}, s_t, c_t): the logits read the state, the context and the input token
        logits = project(keras.ops.concatenate([states, contexts, embedded], axis=-1))
        return logits, last, weights

    source = keras.Input((None,), dtype="int32", name="source")
    decoder_input = keras.Input((None,), dtype="int32", name="decoder_input")
    annotations, _, backward_last = encoder_gru(source_embedding(source))
    first_state = initial(backward_last)  # s_0 = tanh(W_s bwd h_1)
    source_mask = keras.ops.not_equal(source, 0)
    logits, _, weights = decode(decoder_input, first_state, annotations, source_mask)
    train = keras.Model([source, decoder_input], logits, name="bahdanau_train")
    encoder = keras.Model(source, [annotations, first_state], name="bahdanau_encoder")
    attention_model = keras.Model([source, decoder_input], weights, name="bahdanau_attention")

    step = _step_model(decode, units, 2 * units, "bahdanau_step")
    return Seq2Seq(train=train, encoder=encoder, decoder_step=step, attention=attention_model)


@dataclass
class TransformerSeq2Seq:
    """The models of one Transformer encoder-decoder, sharing their layers.

    - ``train``: ``[source (B, S), decoder_input (B, T)]`` -> logits ``(B, T, V)``, teacher-forced
      (the causal mask keeps step t from reading steps after it, so all T steps train at once);
    - ``encoder``: ``source (B, S)`` -> encoder outputs ``(B, S, d)``;
    - ``decoder``: ``[prefix (N, t), encoder_outputs (N, S, d), source_mask (N, S)]`` -> logits
      ``(N, t, V)``;
    - ``cross_attention``: ``[source, decoder_input]`` -> the last decoder block's cross-attention
      weights averaged over its heads, ``(B, T, S)``.

    A Transformer decoder keeps no recurrent state: its state for decoding is the prefix written
    so far, and every step re-reads it (``step`` costs O(t) attention rows at step t; caching the
    keys and values of earlier steps, as production decoders do, would make it O(1) rows).

    Chapter 13 shows it.
    """

    train: object
    encoder: object
    decoder: object
    cross_attention: object

    def initial_states(self, source):
        """``[prefix (N, 0), encoder_outputs (N, S, d), source_mask (N, S)]`` for sources
        ``(N, S)``: the states :func:`seqcourse.inference.decoding.greedy_decode` starts from."""
        source = np.asarray(source, dtype=np.int32)
        outputs = np.asarray(self.encoder(source, training=False))
        return [np.zeros((len(source), 0), np.int32), outputs, source != 0]

    def step(self, tokens, states):
        """The step function of :mod:`seqcourse.inference.decoding`: append ``tokens`` (N,) to the
        prefix, run the decoder over it and return the last step's log-probabilities (N, V)."""
        prefix, outputs, mask = states
        prefix = np.concatenate([prefix, np.asarray(tokens, np.int32)[:, None]], axis=1)
        logits = self.decoder.predict_on_batch([prefix, outputs, mask])[:, -1]
        return log_softmax(np.asarray(logits, dtype=np.float64)), [prefix, outputs, mask]


def build_transformer_seq2seq(
    source_vocab,
    target_vocab,
    depth=64,
    num_heads=4,
    ff_dim=128,
    num_blocks=2,
    dropout=0.1,
    scale_embeddings=True,
):
    """A Transformer encoder-decoder over token ids (Vaswani et al. 2017, post-norm, small).

    Encoder: ``Embedding(Vs, d, mask_zero=True)`` -> :class:`PositionalEncoding` (embeddings
    times ``sqrt(d)`` when ``scale_embeddings``) -> ``num_blocks``
    :class:`seqcourse.models.layers.TransformerEncoder` blocks, outputs ``(B, S, d)`` (padded
    steps masked). Decoder: the same embedding and positions over the shifted target ``(B, T)``,
    ``num_blocks`` :class:`seqcourse.models.layers.TransformerDecoder` blocks (causal
    self-attention, cross-attention over the encoder outputs with the source's padding mask,
    feed-forward), and ``Dense(Vt)`` logits ``(B, T, Vt)``. Each head has ``d / num_heads``
    dimensions. Token ids follow :mod:`seqcourse.data.tokens` (0 padding).

    Returns:
        :class:`TransformerSeq2Seq`, uncompiled.

    Chapter 13 uses it.
    """
    import keras

    from seqcourse.models.layers import (
        PositionalEncoding,
        TransformerDecoder,
        TransformerEncoder,
    )

    for name, value in (("source_vocab", source_vocab), ("target_vocab", target_vocab)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 5:
            raise ValueError(f"{name} must be an int vocabulary size >= 5; got {value!r}")
    for name, value in (
        ("depth", depth),
        ("num_heads", num_heads),
        ("ff_dim", ff_dim),
        ("num_blocks", num_blocks),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}")
    if depth % num_heads:
        raise ValueError(
            f"depth ({depth}) must be divisible by num_heads ({num_heads}): each head gets "
            f"depth / num_heads dimensions"
        )
    key_dim = depth // num_heads
    source_embedding = keras.layers.Embedding(source_vocab, depth, mask_zero=True, name="src_emb")
    target_embedding = keras.layers.Embedding(target_vocab, depth, mask_zero=True, name="tgt_emb")
    source_positions = PositionalEncoding(scale_embeddings, name="src_positions")
    target_positions = PositionalEncoding(scale_embeddings, name="tgt_positions")
    encoders = [
        TransformerEncoder(num_heads, key_dim, ff_dim, dropout, name=f"encoder_{i}")
        for i in range(num_blocks)
    ]
    decoders = [
        TransformerDecoder(num_heads, key_dim, ff_dim, dropout, name=f"decoder_{i}")
        for i in range(num_blocks)
    ]
    project = keras.layers.Dense(target_vocab, name="logits")

    def encode(source):
        hidden = source_positions(source_embedding(source))  # (B, S, d), padding masked
        for block in encoders:
            hidden = block(hidden)
        return hidden

    def decode(tokens, context, source_mask, weights=False):
        hidden = target_positions(target_embedding(tokens))  # (B, T, d)
        for block in decoders[:-1]:
            hidden = block(hidden, context, context_mask=source_mask)
        if weights:  # (B, N, T, S) -> mean over the heads, (B, T, S)
            scores = decoders[-1].cross_attention_weights(hidden, context, source_mask)
            return keras.ops.mean(scores, axis=1)
        return project(decoders[-1](hidden, context, context_mask=source_mask))

    source = keras.Input((None,), dtype="int32", name="source")
    decoder_input = keras.Input((None,), dtype="int32", name="decoder_input")
    source_mask = keras.ops.not_equal(source, 0)
    context = encode(source)
    train = keras.Model(
        [source, decoder_input], decode(decoder_input, context, source_mask), name="transformer"
    )
    encoder = keras.Model(source, context, name="transformer_encoder")
    cross = keras.Model(
        [source, decoder_input],
        decode(decoder_input, context, source_mask, weights=True),
        name="transformer_cross_attention",
    )
    prefix = keras.Input((None,), dtype="int32", name="prefix")
    context_in = keras.Input((None, depth), name="encoder_outputs")
    mask_in = keras.Input((None,), dtype="bool", name="source_mask")
    decoder = keras.Model(
        [prefix, context_in, mask_in],
        decode(prefix, context_in, mask_in),
        name="transformer_decoder",
    )
    return TransformerSeq2Seq(train=train, encoder=encoder, decoder=decoder, cross_attention=cross)
