"""Image captioning in Keras 3: a small convolutional encoder and a GRU decoder that reads the image
either once, through its initial state ("show and tell", Vinyals et al. 2015), or at every step,
through additive attention over the grid of convolutional features ("show, attend and tell",
Xu et al. 2015).

The captions' ids and teacher-forcing arrays come from :func:`seqcourse.data.prepare_captions`.
Imports Keras: import it after ``import seqcourse``.
"""

from dataclasses import dataclass

import keras
import numpy as np
from keras import ops

from seqcourse.reference.numerics import log_softmax

__all__ = ["Captioner", "SpatialAttentionDecoder", "build_captioner", "image_features"]


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


@keras.saving.register_keras_serializable(package="seqcourse")
class SpatialAttentionDecoder(keras.layers.Layer):
    """A GRU decoder that attends over image positions at every step (Xu et al., 2015).

    At step t, with ``s_{t-1}`` the previous state (``s_0`` the initial state), annotation
    vectors ``a_1..a_P`` ``(B, P, C)`` and the embedded previous word ``x_t`` ``(B, E)``:

    - scores ``e_ti = v . tanh(a_i W_a + s_{t-1} W_s)`` (additive attention; ``W_a (C, A)``,
      ``W_s (H, A)``, ``v (A,)``, no biases);
    - weights ``alpha_t = softmax_i(e_t)`` ``(B, P)``, context ``z_t = sum_i alpha_ti a_i``
      ``(B, C)``;
    - ``s_t = GRUCell([x_t; z_t], s_{t-1})``, Keras's cell (``reset_after=True``).

    ``call([embedded (B, T, E), annotations (B, P, C), initial_state (B, H)])`` returns
    ``[states (B, T, H), contexts (B, T, C), weights (B, T, P)]``. The steps run in a Python loop
    unrolled when the model is built, so ``T`` must be known (``keras.Input((T,))``); ``T = 1``
    is one step of free-running decoding.

    Args:
        units: H, the GRU's state size.
        attention_units: A, the width of the attention's hidden layer.

    Chapter 16 shows it.
    """

    def __init__(self, units, attention_units, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("units", units), ("attention_units", attention_units)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {value!r}")
        self.units, self.attention_units = units, attention_units
        self.cell = keras.layers.GRUCell(units, name="cell")
        self.project_annotations = keras.layers.Dense(attention_units, use_bias=False, name="W_a")
        self.project_state = keras.layers.Dense(attention_units, use_bias=False, name="W_s")

    def build(self, input_shape):
        embedded, annotations, _ = input_shape
        if embedded[1] is None:
            raise ValueError(
                "SpatialAttentionDecoder unrolls its steps: give the caption input a fixed "
                "length, keras.Input((T,))"
            )
        self.project_annotations.build(annotations)
        self.project_state.build((None, self.units))
        self.v = self.add_weight(
            shape=(self.attention_units,), initializer="glorot_uniform", name="v"
        )
        self.cell.build((None, embedded[-1] + annotations[-1]))

    def attend(self, keys, annotations, state):
        """One step's attention: ``(context (B, C), weights (B, P))`` for projected keys
        ``a_i W_a`` ``(B, P, A)``, annotations ``(B, P, C)`` and the previous state ``(B, H)``."""
        query = self.project_state(state)[:, None, :]  # s_{t-1} W_s, (B, 1, A)
        scores = ops.sum(self.v * ops.tanh(keys + query), axis=-1)  # e_ti, (B, P)
        weights = ops.softmax(scores, axis=-1)  # alpha_ti: each row sums to 1
        return ops.einsum("bp,bpc->bc", weights, annotations), weights  # z_t = sum_i alpha_ti a_i

    def call(self, inputs, training=None):
        embedded, annotations, state = inputs
        keys = self.project_annotations(annotations)  # a_i W_a, once for all steps: (B, P, A)
        states, contexts, weights = [], [], []
        for t in range(embedded.shape[1]):  # T is known: build() checked it
            context, alpha = self.attend(keys, annotations, state)  # queried with s_{t-1}
            state, _ = self.cell(
                ops.concatenate([embedded[:, t], context], axis=-1), [state], training=training
            )
            if isinstance(state, list | tuple):
                state = state[0]
            states.append(state)
            contexts.append(context)
            weights.append(alpha)
        return [ops.stack(states, axis=1), ops.stack(contexts, axis=1), ops.stack(weights, axis=1)]

    def compute_output_shape(self, input_shape):
        embedded, annotations, _ = input_shape
        batch, steps = embedded[0], embedded[1]
        return [
            (batch, steps, self.units),
            (batch, steps, annotations[-1]),
            (batch, steps, annotations[1]),
        ]

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, attention_units=self.attention_units)
        return config


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
    caption_steps,
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
    the decoder is :class:`SpatialAttentionDecoder`, and ``Dense(V)([s_t; z_t])`` gives the
    logits: every step reads the grid again through its context ``z_t``.

    Args:
        vocab_size: V, ids 0 (padding) .. V-1, with ``<s>`` and ``</s>`` among them.
        caption_steps: T, the length of the teacher-forced decoder input (padded captions + 1).
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
        ("caption_steps", caption_steps),
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
        decoder = SpatialAttentionDecoder(units, attention_units, name="decoder")
    else:
        pooled = keras.layers.Flatten(name="flatten")(annotations)
        decoder = keras.layers.GRU(units, return_sequences=True, name="decoder")
    initial = keras.layers.Dense(units, activation="tanh", name="init_state")(pooled)
    encoder = keras.Model(images, [initial, annotations], name="captioner_encoder")

    def decode(tokens, state, grid):
        """-> logits (B, T, V), states (B, T, H), weights (B, T, P) (None without attention)."""
        embedded = embedding(tokens)
        if attention:
            states, contexts, weights = decoder([embedded, grid, state])
            return project(ops.concatenate([states, contexts], axis=-1)), states, weights
        states = decoder(embedded, initial_state=state)
        return project(states), states, None

    decoder_input = keras.Input((caption_steps,), dtype="int32", name="decoder_input")
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
