"""Tokens, vocabularies and teacher-forcing arrays of the translation tasks (chapters 11-12),
of image captions (chapter 16) and the corrupted inputs of masked-language-model pre-training
(chapter 13).

Token ids: 0 padding, 1 ``[UNK]`` (a word not seen in training), 2 ``<s>`` (start), 3 ``</s>``
(end), then the training vocabulary in sorted order. Lookups are ``keras.layers.StringLookup``
layers; Keras is imported inside :func:`prepare_translation` only, so importing this module loads
NumPy alone.
"""

import re
from dataclasses import dataclass

import numpy as np

from seqcourse.data.padding import pad_batch

__all__ = [
    "END",
    "PAD",
    "START",
    "UNK",
    "CaptionArrays",
    "TranslationArrays",
    "check_token_id",
    "decoder_io",
    "detokenize",
    "mask_tokens",
    "prepare_captions",
    "prepare_translation",
    "tokenize",
]

PAD = 0
UNK, START, END = 1, 2, 3
START_TOKEN, END_TOKEN = "<s>", "</s>"
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")  # a run of letters/digits, or one punctuation mark


def tokenize(text):
    """Split a text into words and punctuation marks: ``"vingt-deux"`` -> ``vingt - deux``.

    Hyphens and commas become tokens of their own, so ``quatre-vingt-dix`` shares its parts with
    ``quatre`` and ``vingt`` and the vocabulary stays small.

    Chapters 1, 11 and 12 use it; exercise 9 uses it.
    """
    if not isinstance(text, str):
        raise ValueError(f"tokenize needs a string; got {type(text).__name__}")
    return _TOKEN.findall(text)


def detokenize(tokens):
    """The inverse of :func:`tokenize` for this course's texts: no spaces around hyphens, none
    before commas.

    No chapter calls it; the inverse of :func:`tokenize`, tested with it.
    """
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


def _words(vocab, ids):
    """The tokens of ``ids`` up to the first ``</s>`` or padding."""
    words = []
    for token in ids:
        if token in (PAD, END):
            break
        words.append(vocab[token])
    return words


@dataclass
class TranslationArrays:
    """Padded id arrays of a translation task and the vocabularies that made them.

    ``source`` (N, S), ``decoder_input`` and ``decoder_output`` (N, T) are int32, padded with 0;
    ``targets`` are the unpadded target id lists (no ``<s>``/``</s>``); ``splits`` (N,) names
    each row's split. ``source_vocab`` and ``target_vocab`` list the tokens by id.

    No chapter calls it directly; :func:`prepare_translation` (chapters 11, 12 and 13) uses it.
    """

    source: np.ndarray
    decoder_input: np.ndarray
    decoder_output: np.ndarray
    targets: list
    splits: np.ndarray
    source_vocab: list
    target_vocab: list
    target_characters: bool = False

    def rows(self, split):
        """Boolean mask (N,) of the rows in ``split``."""
        mask = self.splits == split
        if not mask.any():
            raise ValueError(f"no rows in split {split!r}; splits are {sorted(set(self.splits))}")
        return mask

    def target_text(self, ids):
        """Target ids (up to ``</s>`` or padding) -> text, e.g. ``"quatre-vingt-dix"``."""
        words = _words(self.target_vocab, ids)
        return "".join(words) if self.target_characters else detokenize(words)


def prepare_translation(sources, targets, splits, train_split="train", *, target_characters=False):
    """Tokenise source and target texts and turn them into padded teacher-forcing arrays.

    The vocabularies are built from the ``train_split`` rows only: a held-out word never seen in
    training becomes ``[UNK]`` (id 1), as it would for a deployed model.

    Args:
        sources, targets: sequences of N strings.
        splits: N split names, e.g. the ``split`` column of
            :func:`seqcourse.data.number_translation`.
        target_characters: if True, the targets are split into single characters instead of
            words (``"2019-07-14"`` -> ``2 0 1 9 - 0 7 - 1 4``), so that a decoder spells them out;
            the sources are split into words either way.

    Returns:
        :class:`TranslationArrays`.

    Chapters 11, 12 and 13 use it.
    """
    sources, targets, splits = list(sources), list(targets), np.asarray(splits)
    if not len(sources) == len(targets) == len(splits) or not sources:
        raise ValueError(
            f"sources, targets and splits must have the same non-zero length; got "
            f"{len(sources)}, {len(targets)}, {len(splits)}"
        )
    source_tokens = [tokenize(text) for text in sources]
    target_tokens = [_characters(text) if target_characters else tokenize(text) for text in targets]
    train = splits == train_split
    if not train.any():
        raise ValueError(f"no rows in the training split {train_split!r}")
    source_lookup = _lookup([t for t, keep in zip(source_tokens, train, strict=True) if keep])
    target_lookup = _lookup([t for t, keep in zip(target_tokens, train, strict=True) if keep])
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
        target_characters=bool(target_characters),
    )


@dataclass
class CaptionArrays:
    """Padded id arrays of a captioning task and the vocabulary that made them.

    ``decoder_input`` and ``decoder_output`` (N, T) are int32, padded with 0; ``targets`` are the
    unpadded caption id lists (no ``<s>``/``</s>``); ``splits`` (N,) names each row's split;
    ``vocab`` lists the tokens by id (0 padding, 1 ``[UNK]``, 2 ``<s>``, 3 ``</s>``).

    No chapter calls it directly; :func:`prepare_captions` (chapter 16) uses it.
    """

    decoder_input: np.ndarray
    decoder_output: np.ndarray
    targets: list
    splits: np.ndarray
    vocab: list

    def words(self, ids):
        """Caption ids (up to ``</s>`` or padding) -> their words: ``["a", "red", "circle"]``."""
        return _words(self.vocab, ids)


def prepare_captions(captions, splits, train_split="train"):
    """Tokenise captions and turn them into padded teacher-forcing arrays, as
    :func:`prepare_translation` does for the target side of a translation task (the vocabulary
    from the ``train_split`` rows only).

    Args:
        captions: N strings.
        splits: N split names, e.g. :attr:`seqcourse.data.CaptionedImages.splits`.

    Returns:
        :class:`CaptionArrays`.

    Chapter 16 uses it.
    """
    captions, splits = list(captions), np.asarray(splits)
    if len(captions) != len(splits) or not captions:
        raise ValueError(
            f"captions and splits must have the same non-zero length; got {len(captions)} and "
            f"{len(splits)}"
        )
    tokens = [tokenize(text) for text in captions]
    train = splits == train_split
    if not train.any():
        raise ValueError(f"no rows in the training split {train_split!r}")
    lookup = _lookup([t for t, keep in zip(tokens, train, strict=True) if keep])
    ids = _encode(lookup, tokens)
    decoder_input, decoder_output = decoder_io(ids, START, END)
    return CaptionArrays(
        decoder_input=decoder_input,
        decoder_output=decoder_output,
        targets=ids,
        splits=splits,
        vocab=lookup.get_vocabulary(),
    )


def _characters(text):
    if not isinstance(text, str):
        raise ValueError(f"targets must be strings; got {type(text).__name__}")
    return [character for character in text if not character.isspace()]


def check_token_id(name, value):
    """``value`` as an int if it is a token id a decoder may emit (>= 1: 0 is padding).

    No chapter calls it directly; :func:`beam_search` (chapters 11 and 16), :func:`decoder_io`
    (chapter 11) and :func:`greedy_decode` (chapters 11, 12, 13 and 16) use it.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive int token id (0 is padding); got {value!r}")
    return int(value)


def decoder_io(targets, start_id, end_id):
    """Teacher-forcing arrays from target token-id lists: the decoder input is the target shifted
    right by one behind a start token, the decoder output the target followed by an end token.

    For a target ``y_1 .. y_n`` the decoder reads ``<s> y_1 .. y_n`` and must predict
    ``y_1 .. y_n </s>``: at step t it sees the true previous token ``y_{t-1}`` and predicts ``y_t``.
    (Feeding ``y_1 .. y_n`` as both input and output would teach the decoder to copy its input.)

    Args:
        targets: a list of B token-id lists (ids >= 1, no start or end token), lengths n_b >= 0.
        start_id: the id of ``<s>``.
        end_id: the id of ``</s>``.

    Returns:
        ``(decoder_input, decoder_output)``, two int32 arrays ``(B, T)`` with ``T = max n_b + 1``,
        post-padded with 0. ``decoder_output != 0`` is the mask of the steps the loss counts.

    Chapter 11 shows it.
    """
    start_id, end_id = check_token_id("start_id", start_id), check_token_id("end_id", end_id)
    targets = [list(map(int, target)) for target in targets]
    if not targets:
        raise ValueError("decoder_io needs at least one target sequence")
    bad = [target for target in targets if any(t < 1 for t in target)]
    if bad:
        raise ValueError(f"target ids must be >= 1 (0 is padding); got {bad[0]}")
    steps = max(len(target) for target in targets) + 1
    decoder_input = np.zeros((len(targets), steps), dtype=np.int32)
    decoder_output = np.zeros((len(targets), steps), dtype=np.int32)
    for row, target in enumerate(targets):
        decoder_input[row, : len(target) + 1] = [start_id, *target]  # <s> y_1 .. y_n
        decoder_output[row, : len(target) + 1] = [*target, end_id]  # y_1 .. y_n </s>
    return decoder_input, decoder_output


def mask_tokens(ids, rng, mask_id, vocab_size, rate=0.15, max_predictions=8, first_word_id=2):
    """BERT's masked-language-model corruption (Devlin et al. 2019) of a batch of token ids.

    In each row, ``n = min(max_predictions, max(1, round(rate * length)))`` of its real tokens
    (id != 0) are chosen at random; the model must predict them. Of the chosen tokens 80 % are
    replaced by ``mask_id``, 10 % by a word drawn uniformly from ``first_word_id .. vocab_size -
    1`` and 10 % are left as they are: a model that met ``[MASK]`` at every step it is scored on
    could ignore the other steps, and fine-tuning inputs hold no ``[MASK]`` at all.

    Args:
        ids: int array ``(B, T)``, post-padded with 0.
        rng: ``numpy.random.Generator`` for every draw.
        mask_id: the id of ``[MASK]`` (usually one past the vocabulary).
        vocab_size: ids below it are words a random replacement may be drawn from.
        rate: the fraction of each row's real tokens to choose, in (0, 1].
        max_predictions: K, the most tokens chosen per row (the width of the outputs below).
        first_word_id: the first id a random replacement may take (``TextVectorization``: 0 is
            padding and 1 ``[UNK]``).

    Returns:
        ``(inputs, positions, targets, weights)``: the corrupted ids int32 ``(B, T)``; the chosen
        steps int32 ``(B, K)``, in increasing order, padded with 0; the original ids at those
        steps int32 ``(B, K)``; and float32 ``(B, K)`` weights, 1 for a chosen step and 0 for
        padding (the ``sample_weight`` of the loss). A row without real tokens gets none.

    Chapter 13 shows it.
    """
    ids = np.asarray(ids)
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be an int array (B, T); got {ids.dtype} {ids.shape}")
    if not 0 < rate <= 1:
        raise ValueError(f"rate must be in (0, 1]; got {rate!r}")
    if (
        isinstance(max_predictions, bool)
        or not isinstance(max_predictions, int)
        or max_predictions < 1
    ):
        raise ValueError(f"max_predictions must be a positive int; got {max_predictions!r}")
    if not 0 <= first_word_id < vocab_size:
        raise ValueError(f"need 0 <= first_word_id < vocab_size; got {first_word_id}, {vocab_size}")
    rows = len(ids)
    inputs = ids.astype(np.int32).copy()
    positions = np.zeros((rows, max_predictions), np.int32)
    targets = np.zeros((rows, max_predictions), np.int32)
    weights = np.zeros((rows, max_predictions), np.float32)
    for row in range(rows):
        real = np.flatnonzero(ids[row] != PAD)
        if real.size == 0:
            continue
        count = min(max_predictions, max(1, round(rate * real.size)))
        chosen = np.sort(rng.choice(real, size=count, replace=False))
        action = rng.random(count)  # < 0.8: [MASK]; 0.8 .. 0.9: a random word; else unchanged
        replaced = np.where(
            action < 0.8, mask_id, rng.integers(first_word_id, vocab_size, size=count)
        )
        keep = action >= 0.9
        inputs[row, chosen] = np.where(keep, ids[row, chosen], replaced)
        positions[row, :count] = chosen
        targets[row, :count] = ids[row, chosen]
        weights[row, :count] = 1.0
    return inputs, positions, targets, weights
