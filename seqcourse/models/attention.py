"""Bahdanau's attention as Bahdanau et al. (2015) wrote it, as Keras 3 layers.

``BahdanauAttention`` scores a query against every key with a small network whose weights it
learns: ``e_ij = v . tanh(q_i W_q + k_j W_k)``. (``keras.layers.AdditiveAttention`` computes
``v . tanh(q_i + k_j)`` and leaves ``W_q`` and ``W_k`` to Dense layers placed before it.)
``BahdanauDecoder`` is their decoder: at step t the *previous* state ``s_{t-1}`` queries the
encoder's annotations, and the context ``c_t`` enters the recurrent cell beside the embedded
previous token, ``s_t = GRU([e_{y_{t-1}}; c_t], s_{t-1})``. Because the query depends on the
previous step, the decoder runs step by step (``keras.ops.scan``) even under teacher forcing.

Imports Keras: import it after ``import seqcourse``. The NumPy reference of both is
:func:`seqcourse.reference.bahdanau_decoder_forward` (with its backward pass), tested against them.
"""

import keras
from keras import ops

__all__ = ["MASKED_SCORE_OFFSET", "BahdanauAttention", "BahdanauDecoder"]

MASKED_SCORE_OFFSET = 1e9  # subtracted from a masked score before the softmax, as Keras does


@keras.saving.register_keras_serializable(package="seqcourse")
class BahdanauAttention(keras.layers.Layer):
    """Additive attention with learned projections: ``e_ij = v . tanh(q_i W_q + k_j W_k)``.

    Weights (in ``get_weights()`` order): ``query_kernel`` W_q ``(dq, da)``, ``key_kernel`` W_k
    ``(dk, da)`` and ``score_vector`` v ``(da,)``, no biases, as in Bahdanau et al. (2015, appendix
    A.1.2). Called as ``layer(query (B, Tq, dq), keys (B, Tk, dk), values (B, Tk, dv),
    key_mask=(B, Tk))`` it returns ``(context (B, Tq, dv), weights (B, Tq, Tk))``; the weights of
    each query are a softmax over the keys, and keys where ``key_mask`` is False get weight 0.
    ``project_keys`` and ``attend`` split the call so that a decoder projects its keys once and
    queries them at every step.

    Args:
        units: da, the width of the scoring network's hidden layer.

    Chapter 12 uses it.
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"units must be a positive int; got {units!r}")
        self.units = units
        self.supports_masking = True  # a query's Keras mask passes on to context and weights

    def build(self, query_shape, keys_shape, values_shape=None):
        self.query_kernel = self.add_weight(
            shape=(query_shape[-1], self.units), initializer="glorot_uniform", name="query_kernel"
        )
        self.key_kernel = self.add_weight(
            shape=(keys_shape[-1], self.units), initializer="glorot_uniform", name="key_kernel"
        )
        self.score_vector = self.add_weight(
            shape=(self.units,), initializer="glorot_uniform", name="score_vector"
        )

    def project_keys(self, keys):
        """``k_j W_k`` for every key, ``(B, Tk, dk) -> (B, Tk, da)``: computed once per source."""
        return ops.matmul(keys, self.key_kernel)

    def attend(self, query, projected_keys, values, key_mask=None):
        """Context and weights for queries ``(B, Tq, dq)`` against keys already projected."""
        projected_query = ops.matmul(query, self.query_kernel)  # q_i W_q, (B, Tq, da)
        # e_ij = v . tanh(q_i W_q + k_j W_k): every query against every key, (B, Tq, Tk)
        hidden = ops.tanh(projected_query[:, :, None, :] + projected_keys[:, None, :, :])
        scores = ops.tensordot(hidden, self.score_vector, axes=1)
        if key_mask is not None:
            allowed = ops.cast(key_mask, "bool")[:, None, :]  # (B, 1, Tk)
            scores = ops.where(allowed, scores, scores - MASKED_SCORE_OFFSET)
        weights = ops.softmax(scores, axis=-1)  # alpha_ij, each row sums to 1
        return ops.matmul(weights, values), weights  # c_i = sum_j alpha_ij v_j

    def call(self, query, keys, values=None, key_mask=None):
        values = keys if values is None else values
        return self.attend(query, self.project_keys(keys), values, key_mask)

    def compute_mask(self, inputs, previous_mask=None):
        return [previous_mask, previous_mask]

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units)
        return config


@keras.saving.register_keras_serializable(package="seqcourse")
class BahdanauDecoder(keras.layers.Layer):
    """The attention decoder of Bahdanau et al. (2015), one GRU step per output token.

    For t = 1..T, with annotations ``h_j`` (the encoder outputs) as keys and values::

        alpha_t = softmax_j(v . tanh(s_{t-1} W_q + h_j W_k))     # the query is s_{t-1}
        c_t     = sum_j alpha_tj h_j
        s_t     = GRU([e_t; c_t], s_{t-1})                        # c_t enters the recurrence

    Called as ``layer(embedded (B, T, E), initial_state (B, H), encoder_outputs (B, S, D),
    source_mask=(B, S))``; returns ``[states (B, T, H), contexts (B, T, D), weights (B, T, S),
    last_state (B, H)]``. A Keras mask on ``embedded`` (``Embedding(mask_zero=True)``) skips padded
    target steps as Keras's recurrent layers do: the state is carried over unchanged. Weights:
    ``cell`` is a ``keras.layers.GRUCell(H)`` (kernel ``(E + D, 3H)``, recurrent kernel
    ``(H, 3H)``, bias ``(2, 3H)``), ``attention`` a :class:`BahdanauAttention` with
    ``W_q (H, da)``, ``W_k (D, da)``, ``v (da,)``.

    Args:
        units: H, the decoder's state size.
        attention_units: da, the scoring network's width (H if None).

    Chapters 12 and 16 show it (in chapter 16 its annotations are an image's grid of feature
    vectors).
    """

    def __init__(self, units, attention_units=None, **kwargs):
        super().__init__(**kwargs)
        attention_units = units if attention_units is None else attention_units
        for name, value in (("units", units), ("attention_units", attention_units)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {value!r}")
        self.units, self.attention_units = units, attention_units
        self.supports_masking = True
        self.cell = keras.layers.GRUCell(units, name="cell")
        self.attention = BahdanauAttention(attention_units, name="attention")

    def build(self, embedded_shape, initial_state_shape, encoder_outputs_shape, source_mask_shape):
        annotation = encoder_outputs_shape[-1]
        self.cell.build((None, embedded_shape[-1] + annotation))
        self.attention.build((None, None, self.units), (None, None, annotation))

    def call(self, embedded, initial_state, encoder_outputs, source_mask, mask=None):
        keys = self.attention.project_keys(encoder_outputs)  # h_j W_k once, (B, S, da)
        steps_first = ops.transpose(embedded, (1, 0, 2))  # scan runs over the first axis
        if mask is None:
            mask = ops.ones(ops.shape(embedded)[:2], dtype="bool")
        keep = ops.transpose(ops.cast(mask, "bool"), (1, 0))[:, :, None]  # (T, B, 1)

        def step(carry, inputs):
            state = carry[0]
            embedded_t, keep_t = inputs
            # the previous state s_{t-1} is the query: (B, 1, H) -> context (B, 1, D)
            context, weights = self.attention.attend(
                state[:, None, :], keys, encoder_outputs, source_mask
            )
            context, weights = context[:, 0], weights[:, 0]
            new_state, _ = self.cell(ops.concatenate([embedded_t, context], axis=-1), state)
            new_state = ops.where(keep_t, new_state, state)  # a padded step keeps s_{t-1}
            carry = (new_state, context, weights)
            return carry, carry  # Keras's scan emits outputs shaped like its carry

        # The carry holds this step's context and weights too, so that scan stacks them.
        batch, source_steps = ops.shape(encoder_outputs)[0], ops.shape(encoder_outputs)[1]
        start = (
            initial_state,
            ops.zeros((batch, encoder_outputs.shape[-1]), dtype=initial_state.dtype),
            ops.zeros((batch, source_steps), dtype=initial_state.dtype),
        )
        (last, _, _), (states, contexts, weights) = ops.scan(step, start, (steps_first, keep))
        batch_first = [ops.transpose(x, (1, 0, 2)) for x in (states, contexts, weights)]
        return [*batch_first, last]

    def compute_mask(self, inputs, previous_mask=None):
        # the target mask passes on to states, contexts and weights; the last state has none
        return [previous_mask, previous_mask, previous_mask, None]

    def compute_output_shape(
        self, embedded_shape, initial_state_shape, encoder_outputs_shape, source_mask_shape
    ):
        batch, steps = embedded_shape[:2]
        return [
            (batch, steps, self.units),
            (batch, steps, encoder_outputs_shape[-1]),
            (batch, steps, encoder_outputs_shape[1]),
            (batch, self.units),
        ]

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, attention_units=self.attention_units)
        return config
