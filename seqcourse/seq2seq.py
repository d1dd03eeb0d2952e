"""Encoder-decoder (sequence-to-sequence) models in Keras 3, with or without attention, and the
token handling they need.

Token ids: 0 padding, 1 ``[UNK]`` (a word not seen in training), 2 ``<s>`` (start), 3 ``</s>``
(end), then the training vocabulary in sorted order. Lookups are ``keras.layers.StringLookup``
layers. Keras is imported inside the functions, so importing this module stays light; import
``seqcourse`` before it so TensorFlow is quiet.
"""

import re
from dataclasses import dataclass

import numpy as np

from seqcourse.decoding import decoder_io
from seqcourse.reference.numerics import log_softmax

__all__ = [
    "END",
    "START",
    "UNK",
    "Seq2Seq",
    "TranslationArrays",
    "build_seq2seq",
    "detokenize",
    "prepare_translation",
    "tokenize",
]

UNK, START, END = 1, 2, 3
START_TOKEN, END_TOKEN = "<s>", "</s>"
ATTENTION_KINDS = (None, "dot", "additive")
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")  # a run of letters/digits, or one punctuation mark


def tokenize(text):
    """Split a text into words and punctuation marks: ``"vingt-deux"`` -> ``vingt - deux``.

    Hyphens and commas become tokens of their own, so ``quatre-vingt-dix`` shares its parts with
    ``quatre`` and ``vingt`` and the vocabulary stays small.
    """
    if not isinstance(text, str):
        raise ValueError(f"tokenize needs a string; got {type(text).__name__}")
    return _TOKEN.findall(text)


def detokenize(tokens):
    """The inverse of :func:`tokenize` for this course's texts: no spaces around hyphens, none
    before commas."""
    text = " ".join(tokens)
    return text.replace(" - ", "-").replace(" ,", ",")


def _lookup(token_lists):
    import keras

    vocabulary = sorted({token for tokens in token_lists for token in tokens})
    return keras.layers.StringLookup(
        vocabulary=[START_TOKEN, END_TOKEN, *vocabulary], mask_token="", num_oov_indices=1
    )


def _encode(lookup, token_lists):
    """Token lists -> id lists with one StringLookup call on all tokens at once."""
    flat = [token for tokens in token_lists for token in tokens]
    ids = np.asarray(lookup(np.array(flat, dtype=object))) if flat else np.zeros(0, np.int64)
    bounds = np.cumsum([0, *(len(tokens) for tokens in token_lists)])
    return [ids[a:b].tolist() for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


@dataclass
class TranslationArrays:
    """Padded id arrays of a translation task and the vocabularies that made them.

    ``source`` (N, S), ``decoder_input`` and ``decoder_output`` (N, T) are int32, padded with 0;
    ``targets`` are the unpadded target id lists (no ``<s>``/``</s>``); ``splits`` (N,) names
    each row's split. ``source_vocab`` and ``target_vocab`` list the tokens by id.
    """

    source: np.ndarray
    decoder_input: np.ndarray
    decoder_output: np.ndarray
    targets: list
    splits: np.ndarray
    source_vocab: list
    target_vocab: list

    def rows(self, split):
        """Boolean mask (N,) of the rows in ``split``."""
        mask = self.splits == split
        if not mask.any():
            raise ValueError(f"no rows in split {split!r}; splits are {sorted(set(self.splits))}")
        return mask

    def target_text(self, ids):
        """Target ids (up to ``</s>`` or padding) -> text, e.g. ``"quatre-vingt-dix"``."""
        words = []
        for token in ids:
            if token in (0, END):
                break
            words.append(self.target_vocab[token])
        return detokenize(words)


def prepare_translation(sources, targets, splits, train_split="train"):
    """Tokenise source and target texts and turn them into padded teacher-forcing arrays.

    The vocabularies are built from the ``train_split`` rows only: a held-out word never seen in
    training becomes ``[UNK]`` (id 1), as it would for a deployed model.

    Args:
        sources, targets: sequences of N strings.
        splits: N split names, e.g. the ``split`` column of
            :func:`seqcourse.data.number_translation`.

    Returns:
        :class:`TranslationArrays`.
    """
    sources, targets, splits = list(sources), list(targets), np.asarray(splits)
    if not len(sources) == len(targets) == len(splits) or not sources:
        raise ValueError(
            f"sources, targets and splits must have the same non-zero length; got "
            f"{len(sources)}, {len(targets)}, {len(splits)}"
        )
    source_tokens = [tokenize(text) for text in sources]
    target_tokens = [tokenize(text) for text in targets]
    train = splits == train_split
    if not train.any():
        raise ValueError(f"no rows in the training split {train_split!r}")
    source_lookup = _lookup([t for t, keep in zip(source_tokens, train, strict=True) if keep])
    target_lookup = _lookup([t for t, keep in zip(target_tokens, train, strict=True) if keep])
    from seqcourse.data.padding import pad_batch

    target_ids = _encode(target_lookup, target_tokens)
    decoder_input, decoder_output = decoder_io(target_ids, START, END)
    return TranslationArrays(
        source=pad_batch(_encode(source_lookup, source_tokens)),
        decoder_input=decoder_input,
        decoder_output=decoder_output,
        targets=target_ids,
        splits=splits,
        source_vocab=source_lookup.get_vocabulary(),
        target_vocab=target_lookup.get_vocabulary(),
    )


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
        """The step function of :mod:`seqcourse.decoding`: feed ``tokens`` (N,), get the
        next-token log-probabilities (N, V) and the new states."""
        state, outputs, mask = states
        tokens = np.asarray(tokens, dtype=np.int32)[:, None]
        logits, new_state = self.decoder_step([tokens, state, outputs, mask], training=False)
        return log_softmax(np.asarray(logits, dtype=np.float64)), [
            np.asarray(new_state),
            outputs,
            mask,
        ]


def build_seq2seq(source_vocab, target_vocab, embed_dim=32, units=128, attention=None):
    """A GRU encoder-decoder over token ids, optionally with Luong-style attention.

    Encoder: ``Embedding(Vs, E, mask_zero=True)`` -> ``GRU(H, return_sequences, return_state)``:
    outputs ``h_1..h_S`` (B, S, H) and the final state ``h_S`` (B, H), the *context vector*.
    Decoder: ``Embedding(Vt, E, mask_zero=True)`` -> ``GRU(H)`` started from ``h_S``, reading the
    shifted target, states ``s_1..s_T`` (B, T, H). Without attention ``Dense(Vt)`` maps each
    ``s_t`` to logits. With attention (``"dot"``: ``keras.layers.Attention``, score ``s_t . h_j``;
    ``"additive"``: ``keras.layers.AdditiveAttention``, score ``v . tanh(s_t + h_j)``) each
    ``s_t`` queries the encoder outputs for a context ``c_t = sum_j a_tj h_j`` (B, T, H), and
    ``Dense(H, tanh)([c_t; s_t])`` -> ``Dense(Vt)`` gives the logits (Luong et al., 2015).
    Padded source positions get attention weight 0.

    Returns:
        :class:`Seq2Seq`, uncompiled.
    """
    import keras

    for name, value in (("source_vocab", source_vocab), ("target_vocab", target_vocab)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 5:
            raise ValueError(f"{name} must be an int vocabulary size >= 5; got {value!r}")
    for name, value in (("embed_dim", embed_dim), ("units", units)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}")
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
        kind = keras.layers.Attention if attention == "dot" else keras.layers.AdditiveAttention
        attend = kind(name="attention")
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

    token = keras.Input((1,), dtype="int32", name="token")
    state_in = keras.Input((units,), name="state")
    outputs_in = keras.Input((None, units), name="encoder_outputs")
    mask_in = keras.Input((None,), dtype="bool", name="source_mask")
    step_logits, step_state, _ = decode(token, state_in, outputs_in, mask_in)
    step = keras.Model(
        [token, state_in, outputs_in, mask_in],
        [keras.ops.squeeze(step_logits, axis=1), step_state],
        name="seq2seq_step",
    )
    return Seq2Seq(train=train, encoder=encoder, decoder_step=step, attention=attention_model)
