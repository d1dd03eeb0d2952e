"""Keras 3 layers the Transformer chapters share: sinusoidal positions and one encoder block.

Imports Keras: import it after ``import seqcourse``. Both layers are registered as serializable
(package ``seqcourse``), so a model that uses them saves to and loads from a ``.keras`` file, and
both pass Keras masks through, so ``Embedding(mask_zero=True)`` in front of them masks padding.
"""

import keras
from keras import ops

__all__ = ["PositionalEncoding", "TransformerEncoder"]


@keras.saving.register_keras_serializable(package="seqcourse")
class PositionalEncoding(keras.layers.Layer):
    """Add the sinusoidal positional encoding of Vaswani et al. (2017) to embeddings.

    ``PE[pos, 2i] = sin(pos / 10000^(2i/d))`` and ``PE[pos, 2i+1] = cos(pos / 10000^(2i/d))``,
    the same table as :func:`seqcourse.reference.positional_encoding`. Input and output have shape
    ``(B, T, d)``; any ``T`` works (the table is computed for the length it is given). No weights.
    The input's mask, if any, is passed on unchanged.

    Chapters 13 and 15 use it; exercise 13 uses it.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
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
        return inputs + ops.cast(table, inputs.dtype)[None]  # broadcast over the batch


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
        for name, value in (("num_heads", num_heads), ("key_dim", key_dim), ("ff_dim", ff_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {value!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1); got {dropout!r}")
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
