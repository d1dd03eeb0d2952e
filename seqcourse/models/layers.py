"""Keras 3 layers the chapters share: sinusoidal positions, an encoder block, a decoder block
(causal self-attention and cross-attention), a pre-trained embedding with a trained correction.

Imports Keras: import it after ``import seqcourse``. The layers are registered as serializable
(package ``seqcourse``), so a model that uses them saves to and loads from a ``.keras`` file, and
they pass Keras masks through (or make one, for ``PretrainedEmbedding``), so padding stays masked.
"""

import keras
from keras import ops

__all__ = [
    "PositionalEncoding",
    "PretrainedEmbedding",
    "TransformerDecoder",
    "TransformerEncoder",
]


def _check_block_sizes(num_heads, key_dim, ff_dim, dropout):
    for name, value in (("num_heads", num_heads), ("key_dim", key_dim), ("ff_dim", ff_dim)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1); got {dropout!r}")


@keras.saving.register_keras_serializable(package="seqcourse")
class PositionalEncoding(keras.layers.Layer):
    """Add the sinusoidal positional encoding of Vaswani et al. (2017) to embeddings.

    ``PE[pos, 2i] = sin(pos / 10000^(2i/d))`` and ``PE[pos, 2i+1] = cos(pos / 10000^(2i/d))``,
    the same table as :func:`seqcourse.reference.positional_encoding`. Input and output have shape
    ``(B, T, d)``; any ``T`` works (the table is computed for the length it is given). No weights.
    The input's mask, if any, is passed on unchanged.

    With ``scale_inputs=True`` the embeddings are first multiplied by ``sqrt(d)``
    (Vaswani et al. 2017, section 3.4): ``x * sqrt(d) + PE``. Keras's ``Embedding`` starts its rows
    uniform in [-0.05, 0.05] (a row norm of about ``0.03 sqrt(d)``), while a row of ``PE`` has norm
    ``sqrt(d / 2)``: unscaled, the positions outweigh the tokens about 25 to 1 at the start.

    Chapters 13 and 15 use it; exercise 13 uses it.
    """

    def __init__(self, scale_inputs=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(scale_inputs, bool):
            raise ValueError(f"scale_inputs must be True or False; got {scale_inputs!r}")
        self.scale_inputs = scale_inputs
        self.supports_masking = True

    def call(self, inputs):
        steps, depth = ops.shape(inputs)[1], inputs.shape[-1]
        if depth is None:
            raise ValueError("PositionalEncoding needs a known last dimension d; got None")
        positions = ops.cast(ops.arange(steps), self.compute_dtype)[:, None]  # (T, 1)
        pair_index = ops.cast(ops.arange(depth) // 2, self.compute_dtype)[None, :]  # i, (1, d)
        angles = positions / ops.power(10000.0, 2.0 * pair_index / depth)  # pos / 10000^(2i/d)
        is_even = ops.equal(ops.arange(depth) % 2, 0)
        table = ops.where(is_even, ops.sin(angles), ops.cos(angles))  # (T, d)
        if self.scale_inputs:  # E[x] sqrt(d): token and position vectors of comparable size
            inputs = inputs * ops.cast(ops.sqrt(float(depth)), inputs.dtype)
        return inputs + ops.cast(table, inputs.dtype)[None]  # broadcast over the batch

    def get_config(self):
        config = super().get_config()
        config.update(scale_inputs=self.scale_inputs)
        return config


@keras.saving.register_keras_serializable(package="seqcourse")
class TransformerEncoder(keras.layers.Layer):
    """One post-norm Transformer encoder block (Vaswani et al. 2017), ``(B, T, d) -> (B, T, d)``.

    ``a = LayerNorm(x + Dropout(MultiHeadAttention(x, x)))`` then
    ``y = LayerNorm(a + Dropout(Dense(d)(Dense(ff_dim, relu)(a))))``: self-attention lets every step
    read every other step; the position-wise feed-forward network transforms each step alone;
    residual connections and layer normalisation keep deep stacks trainable.

    With a Keras mask ``(B, T)`` on the input (True at real tokens), padded steps get no attention:
    the attention mask is ``mask[:, None, :]``, broadcast to ``(B, T, T)``. The mask is passed on.

    Args:
        num_heads: N, the number of attention heads.
        key_dim: dk, the size of each head's queries and keys (and values).
        ff_dim: the width of the feed-forward network's hidden layer.
        dropout: the dropout rate after attention and after the feed-forward network.
        causal: if True, step t attends to steps <= t only (a decoder's mask).

    Chapters 13 and 15 show it; exercise 13 uses it.
    """

    def __init__(self, num_heads, key_dim, ff_dim, dropout=0.1, causal=False, **kwargs):
        super().__init__(**kwargs)
        _check_block_sizes(num_heads, key_dim, ff_dim, dropout)
        self.num_heads, self.key_dim, self.ff_dim = num_heads, key_dim, ff_dim
        self.dropout, self.causal = dropout, causal
        self.supports_masking = True
        self.attention = keras.layers.MultiHeadAttention(num_heads, key_dim, name="attention")
        self.hidden = keras.layers.Dense(ff_dim, activation="relu", name="ff_hidden")
        self.attention_norm = keras.layers.LayerNormalization(epsilon=1e-6, name="attention_norm")
        self.ff_norm = keras.layers.LayerNormalization(epsilon=1e-6, name="ff_norm")
        self.attention_dropout = keras.layers.Dropout(dropout)
        self.ff_dropout = keras.layers.Dropout(dropout)

    def build(self, input_shape):
        depth = input_shape[-1]
        self.attention.build(input_shape, input_shape)
        self.attention_norm.build(input_shape)
        self.hidden.build(input_shape)
        self.project = keras.layers.Dense(depth, name="ff_output")
        self.project.build((*input_shape[:-1], self.ff_dim))
        self.ff_norm.build(input_shape)

    def _attention_mask(self, mask):
        # (B, T) -> (B, 1, T): no query may attend to a padded key
        return None if mask is None else ops.expand_dims(ops.cast(mask, "bool"), 1)

    def attention_weights(self, inputs, mask=None):
        """The attention weights of every head, ``(B, N, T, T)``, for inputs ``(B, T, d)``."""
        _, weights = self.attention(
            inputs,
            inputs,
            attention_mask=self._attention_mask(mask),
            use_causal_mask=self.causal,
            return_attention_scores=True,
        )
        return weights

    def call(self, inputs, mask=None, training=None):
        attended = self.attention(
            inputs,
            inputs,
            attention_mask=self._attention_mask(mask),
            use_causal_mask=self.causal,
            training=training,
        )
        # residual + layer norm around attention, then around the feed-forward network
        hidden = self.attention_norm(inputs + self.attention_dropout(attended, training=training))
        transformed = self.project(self.hidden(hidden))
        return self.ff_norm(hidden + self.ff_dropout(transformed, training=training))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            num_heads=self.num_heads,
            key_dim=self.key_dim,
            ff_dim=self.ff_dim,
            dropout=self.dropout,
            causal=self.causal,
        )
        return config


@keras.saving.register_keras_serializable(package="seqcourse")
class TransformerDecoder(keras.layers.Layer):
    """One post-norm Transformer decoder block (Vaswani et al. 2017): ``(B, T, d)`` decoder states
    and ``(B, S, d_c)`` encoder outputs -> ``(B, T, d)``.

    Three sublayers, each with dropout, a residual connection and layer normalisation:

    - causal self-attention ``a = LayerNorm(y + MultiHeadAttention(y, y, causal))``: step t reads
      the target steps ``<= t`` only, so a teacher-forced step cannot see the token it predicts;
    - cross-attention ``c = LayerNorm(a + MultiHeadAttention(a, context))``: the queries come from
      the decoder, the keys and values from the encoder outputs ``context`` (every source step);
    - the position-wise feed-forward network ``LayerNorm(c + Dense(d)(Dense(ff_dim, relu)(c)))``.

    ``context_mask`` ``(B, S)``, True at real source steps, keeps the queries off the source's
    padding (attention mask ``(B, 1, S)``); the decoder's own padding needs no mask of its own
    here: it comes after every real step, where the causal mask already hides it from them. The
    mask of ``inputs`` is passed on.

    Args:
        num_heads: N, the number of heads of both attentions.
        key_dim: dk, the size of each head's queries and keys.
        ff_dim: the width of the feed-forward network's hidden layer.
        dropout: the dropout rate after each sublayer.

    Chapter 13 shows it.
    """

    def __init__(self, num_heads, key_dim, ff_dim, dropout=0.1, **kwargs):
        super().__init__(**kwargs)
        _check_block_sizes(num_heads, key_dim, ff_dim, dropout)
        self.num_heads, self.key_dim, self.ff_dim, self.dropout = (
            num_heads,
            key_dim,
            ff_dim,
            dropout,
        )
        self.supports_masking = True
        self.self_attention = keras.layers.MultiHeadAttention(
            num_heads, key_dim, name="self_attention"
        )
        self.cross_attention = keras.layers.MultiHeadAttention(
            num_heads, key_dim, name="cross_attention"
        )
        self.hidden = keras.layers.Dense(ff_dim, activation="relu", name="ff_hidden")
        self.norms = [
            keras.layers.LayerNormalization(epsilon=1e-6, name=name)
            for name in ("self_norm", "cross_norm", "ff_norm")
        ]
        self.drops = [keras.layers.Dropout(dropout) for _ in range(3)]

    def build(self, inputs_shape, context_shape):
        depth = inputs_shape[-1]
        self.self_attention.build(inputs_shape, inputs_shape)
        self.cross_attention.build(inputs_shape, context_shape)
        self.hidden.build(inputs_shape)
        self.project = keras.layers.Dense(depth, name="ff_output")
        self.project.build((*inputs_shape[:-1], self.ff_dim))
        for norm in self.norms:
            norm.build(inputs_shape)

    def _cross(self, queries, context, context_mask, training=None, scores=False):
        mask = None
        if context_mask is not None:  # (B, S) -> (B, 1, S): no query reads a padded source step
            mask = ops.expand_dims(ops.cast(context_mask, "bool"), 1)
        return self.cross_attention(
            queries,
            context,
            attention_mask=mask,
            return_attention_scores=scores,
            training=training,
        )

    def call(self, inputs, context, context_mask=None, training=None):
        attended = self.self_attention(inputs, inputs, use_causal_mask=True, training=training)
        hidden = self.norms[0](inputs + self.drops[0](attended, training=training))
        read = self._cross(hidden, context, context_mask, training)
        hidden = self.norms[1](hidden + self.drops[1](read, training=training))
        transformed = self.project(self.hidden(hidden))
        return self.norms[2](hidden + self.drops[2](transformed, training=training))

    def cross_attention_weights(self, inputs, context, context_mask=None):
        """The cross-attention weights of every head, ``(B, N, T, S)``: how much decoder step t
        takes from source step s."""
        attended = self.self_attention(inputs, inputs, use_causal_mask=True)
        hidden = self.norms[0](inputs + attended)
        _, weights = self._cross(hidden, context, context_mask, scores=True)
        return weights

    def compute_mask(self, inputs, context=None, context_mask=None, mask=None):
        return mask

    def compute_output_shape(self, inputs_shape, context_shape):
        return inputs_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            num_heads=self.num_heads,
            key_dim=self.key_dim,
            ff_dim=self.ff_dim,
            dropout=self.dropout,
        )
        return config


@keras.saving.register_keras_serializable(package="seqcourse")
class PretrainedEmbedding(keras.layers.Layer):
    """Frozen pre-trained rows for a large vocabulary plus a trained correction for the first rows.

    ``(B, T)`` int ids ``->`` ``(B, T, d)``: row ``i`` is ``base[i] + delta[i]`` for
    ``i < tuned_rows`` and ``base[i]`` otherwise. ``base`` ``(V, d)`` is not trained; ``delta``
    ``(tuned_rows, d)`` starts at zero and is trained. Put the words the training text contains
    first (the ``TextVectorization`` vocabulary adapted on it) and every other pre-trained word
    after them: the training words move towards what the task needs, as with a fine-tuned
    ``Embedding``, while a word met only in new text keeps its pre-trained vector instead of
    becoming ``[UNK]``. A fine-tuned ``Embedding`` over the whole table would leave those rows
    where they started too, but would pay for an optimizer update of all ``V`` rows at every step.
    Id 0 is padding: the layer returns the mask ``ids != 0``, like ``Embedding(mask_zero=True)``.

    Args:
        input_dim: V, the number of rows.
        output_dim: d, the width of a row.
        tuned_rows: how many leading rows get a trained correction (``1 <= tuned_rows <= V``).
        initial: ``(V, d)`` array of pre-trained rows (zeros if None, e.g. before loading
            saved weights).

    Chapter 9 uses it.
    """

    def __init__(self, input_dim, output_dim, tuned_rows, initial=None, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {value!r}")
        if isinstance(tuned_rows, bool) or not isinstance(tuned_rows, int):
            raise ValueError(f"tuned_rows must be an int; got {tuned_rows!r}")
        if not 1 <= tuned_rows <= input_dim:
            raise ValueError(f"tuned_rows must be in [1, input_dim={input_dim}]; got {tuned_rows}")
        if initial is not None and tuple(initial.shape) != (input_dim, output_dim):
            raise ValueError(
                f"initial must have shape (input_dim, output_dim) = ({input_dim}, {output_dim}); "
                f"got {tuple(initial.shape)}"
            )
        self.input_dim, self.output_dim, self.tuned_rows = input_dim, output_dim, tuned_rows
        self.initial = initial
        self.supports_masking = True

    def build(self, input_shape):
        initializer = "zeros" if self.initial is None else keras.initializers.Constant(self.initial)
        self.base = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=initializer,
            trainable=False,
            name="base",
        )
        self.delta = self.add_weight(
            shape=(self.tuned_rows, self.output_dim), initializer="zeros", name="delta"
        )
        self.initial = None  # the weights hold it now; do not keep a second copy

    def call(self, ids):
        ids = ops.cast(ids, "int32")
        tuned = ops.less(ids, self.tuned_rows)  # (B, T): rows with a correction
        correction = ops.take(self.delta, ops.where(tuned, ids, 0), axis=0)  # (B, T, d)
        correction = correction * ops.cast(tuned, correction.dtype)[..., None]
        return ops.take(self.base, ids, axis=0) + correction

    def compute_mask(self, ids, mask=None):
        return ops.not_equal(ids, 0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def rows(self):
        """The ``(V, d)`` rows the layer looks up now: ``base`` plus the correction."""
        table = ops.convert_to_numpy(self.base).copy()
        table[: self.tuned_rows] += ops.convert_to_numpy(self.delta)
        return table

    def get_config(self):
        config = super().get_config()
        config.update(
            input_dim=self.input_dim, output_dim=self.output_dim, tuned_rows=self.tuned_rows
        )
        return config
