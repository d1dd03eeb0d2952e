"""Image captioning in Keras 3: a small convolutional encoder and a GRU decoder that reads the image
either once, through its initial state ("show and tell", Vinyals et al. 2015), or at every step,
through additive attention over the grid of convolutional features ("show, attend and tell",
Xu et al. 2015): :class:`seqcourse.models.attention.BahdanauDecoder` with the grid's annotation
vectors in place of a sentence's encoder outputs.

The captions' ids and teacher-forcing arrays come from :func:`seqcourse.data.prepare_captions`.
Imports Keras: import it after ``import seqcourse``.
"""

from dataclasses import dataclass

import keras
import numpy as np
from keras import ops

from seqcourse.models.attention import BahdanauDecoder
from seqcourse.reference.numerics import log_softmax

__all__ = ["Captioner", "build_captioner", "image_features"]


def image_features(images, filters=(32, 64)):
    """The encoder: a Conv2D stack over images ``(B, S, S, 3)`` -> annotation vectors
    ``(B, P, C)``, one per position of the ``S/4 x S/4`` feature grid (``P = (S/4)^2``), in
    row-major order (position ``i`` is grid cell ``(i // (S/4), i % (S/4))``).

    Each ``Conv2D(f, 3, padding="same", relu)`` is followed by ``MaxPooling2D(2)``, so each of the
    ``len(filters)`` blocks halves the grid; ``C`` is ``filters[-1] + 2``: the last block's
    channels and the position's (row, column) coordinates in [-1, 1]. Convolutions see only a
    neighbourhood; the coordinates let a weighted average of annotation vectors (an attention
    context) also say *where* it was read.

    Args:
        images: a Keras tensor ``(B, S, S, 3)``.
        filters: the channels of each block.

    Chapter 16 shows it.
    """
    grid = images
    for index, count in enumerate(filters):
        grid = keras.layers.Conv2D(
            count, 3, padding="same", activation="relu", name=f"conv{index + 1}"
        )(grid)
        grid = keras.layers.MaxPooling2D(2, name=f"pool{index + 1}")(grid)
    rows, columns = grid.shape[1], grid.shape[2]
    # (row, column) of every cell in [-1, 1], the same for every image: (1, rows, columns, 2)
    coordinates = np.stack(
        np.meshgrid(np.linspace(-1, 1, rows), np.linspace(-1, 1, columns), indexing="ij"), -1
    ).astype("float32")[None]
    grid = keras.layers.Lambda(
        lambda g: ops.concatenate(
            [g, ops.broadcast_to(ops.convert_to_tensor(coordinates), (*ops.shape(g)[:3], 2))], -1
        ),
        name="coordinates",
    )(grid)
    return keras.layers.Reshape((rows * columns, filters[-1] + 2), name="annotations")(grid)


@dataclass
class Captioner:
    """The models of one captioner, sharing their layers (training one trains them all).

    - ``train``: ``[images (B, S, S, 3), decoder_input (B, T)]`` -> logits ``(B, T, V)``, the
      teacher-forced model to compile and fit;
    - ``encoder``: ``images`` -> ``[initial_state (B, H), annotations (B, P, C)]``;
    - ``decoder_step``: ``[token (N, 1), state (N, H), annotations (N, P, C)]`` ->
      ``[logits (N, V), state (N, H), weights (N, P)]``, one step of free running (without
      attention only ``[logits, state]``: the annotations are not read);
    - ``attention``: ``[images, decoder_input]`` -> weights ``(B, T, P)``, or None without
      attention.

    No chapter calls it directly; :func:`build_captioner` (chapter 16) uses it.
    """

    train: object
    encoder: object
    decoder_step: object
    attention: object = None
    grid: tuple = (8, 8)

    def initial_states(self, images):
        """The decoder's starting states ``[state (N, H), annotations (N, P, C)]`` for images
        ``(N, S, S, 3)``; the annotations ride along as a state, so beam search reorders them."""
        state, annotations = self.encoder(np.asarray(images, dtype=np.float32), training=False)
        return [np.asarray(state), np.asarray(annotations)]

    def step(self, tokens, states):
        """The step function of :mod:`seqcourse.inference.decoding`: feed ``tokens`` (N,), get the
        next-token log-probabilities (N, V) and the new states."""
        state, annotations = states
        tokens = np.asarray(tokens, dtype=np.int32)[:, None]
        logits, new_state, *_ = self.decoder_step([tokens, state, annotations], training=False)
        return log_softmax(np.asarray(logits, dtype=np.float64)), [
            np.asarray(new_state),
            annotations,
        ]


def build_captioner(
    vocab_size,
    image_size=32,
    embed_dim=32,
    units=128,
    attention=True,
    attention_units=64,
    filters=(32, 64),
):
    """An image captioner: :func:`image_features` -> a GRU decoder of ``units`` states.

    Without attention ("show and tell"): the decoder's initial state is
    ``Dense(H, tanh)(flatten(annotations))``, one vector read from the whole feature grid, and
    then ``GRU(H)`` over the embedded caption and ``Dense(V)`` on each state ``s_t`` give the
    logits: the image enters only through ``s_0``. With attention ("show, attend and tell"): the
    initial state is ``Dense(H, tanh)`` of the mean annotation vector (Xu et al.'s ``f_init``),
    the decoder is :class:`seqcourse.models.attention.BahdanauDecoder` (``s_{t-1}`` queries the
    ``P`` annotation vectors, ``s_t = GRU([x_t; z_t], s_{t-1})``), and ``Dense(V)([s_t; z_t])``
    gives the logits: every step reads the grid again through its context ``z_t``.

    Args:
        vocab_size: V, ids 0 (padding) .. V-1, with ``<s>`` and ``</s>`` among them.
        image_size: S, the images' side in pixels (a multiple of ``2 ** len(filters)``).
        embed_dim: E, the word embedding size.
        units: H.
        attention: True for spatial attention, False for the initial state only.
        attention_units: A (with attention).
        filters: the encoder's channels per block.

    Returns:
        :class:`Captioner`, uncompiled.

    Chapter 16 shows it.
    """
    for name, value in (
        ("vocab_size", vocab_size),
        ("embed_dim", embed_dim),
        ("units", units),
        ("attention_units", attention_units),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}")
    filters = tuple(filters)
    if not filters or image_size % (2 ** len(filters)):
        raise ValueError(
            f"image_size ({image_size}) must be a multiple of 2 ** len(filters) "
            f"(= {2 ** len(filters)}): each block halves the grid"
        )
    side = image_size // 2 ** len(filters)
    images = keras.Input((image_size, image_size, 3), name="images")
    annotations = image_features(images, filters)  # (B, P, C)
    depth = annotations.shape[-1]
    embedding = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")
    project = keras.layers.Dense(vocab_size, name="logits")
    if attention:
        pooled = keras.layers.GlobalAveragePooling1D(name="mean_annotation")(annotations)
        decoder = BahdanauDecoder(units, attention_units, name="decoder")
    else:
        pooled = keras.layers.Flatten(name="flatten")(annotations)
        decoder = keras.layers.GRU(units, return_sequences=True, name="decoder")
    initial = keras.layers.Dense(units, activation="tanh", name="init_state")(pooled)
    encoder = keras.Model(images, [initial, annotations], name="captioner_encoder")

    def decode(tokens, state, grid):
        """-> logits (B, T, V), states (B, T, H), weights (B, T, P) (None without attention)."""
        embedded = embedding(tokens)
        if attention:
            everywhere = ops.ones_like(grid[:, :, 0], dtype="bool")  # every position is image
            states, contexts, weights, _ = decoder(embedded, state, grid, everywhere)
            return project(ops.concatenate([states, contexts], axis=-1)), states, weights
        states = decoder(embedded, initial_state=state)
        return project(states), states, None

    decoder_input = keras.Input((None,), dtype="int32", name="decoder_input")
    logits, _, weights = decode(decoder_input, initial, annotations)
    train = keras.Model([images, decoder_input], logits, name="captioner_train")
    attention_model = None
    if attention:
        attention_model = keras.Model([images, decoder_input], weights, name="captioner_attention")

    token = keras.Input((1,), dtype="int32", name="token")
    state_in = keras.Input((units,), name="state")
    annotations_in = keras.Input((side * side, depth), name="annotations")
    step_logits, step_states, step_weights = decode(token, state_in, annotations_in)
    outputs = [step_logits[:, 0], step_states[:, 0]]
    step = keras.Model(
        [token, state_in, annotations_in],
        outputs if step_weights is None else [*outputs, step_weights[:, 0]],
        name="captioner_step",
    )
    return Captioner(
        train=train,
        encoder=encoder,
        decoder_step=step,
        attention=attention_model,
        grid=(side, side),
    )
