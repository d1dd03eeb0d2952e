"""From-scratch NumPy reference layers for the course, each proven equal to its Keras layer.

Everything public is importable from here, e.g. ``from seqcourse.reference import lstm_forward``.
NumPy is the only dependency: importing this package never imports TensorFlow or Keras.

Conventions shared by every layer:

* weights in Keras's layout and gate order, so ``layer.get_weights()`` plugs straight in;
* batch-major inputs, ``x`` of shape (B, T, D); states of shape (B, H);
* masks of shape (B, T), True for real steps, with Keras's semantics;
* ``*_forward(..., return_cache=True)`` also returns a cache that ``*_backward(..., cache=cache)``
  reuses; without it the backward pass reruns the forward pass;
* ``*_backward`` takes the forward's arguments plus dL/d outputs (and optionally dL/d final states)
  and returns a dict of gradients keyed by argument name (``"kernel"``, ..., ``"x"``, ``"h0"``);
* a bad shape raises ``ValueError`` naming the argument and the shape it must have.
"""

from seqcourse.reference.attention import (
    additive_attention,
    additive_attention_backward,
    bahdanau_decoder_backward,
    bahdanau_decoder_forward,
    causal_mask,
    dot_attention,
    general_attention,
    multi_head_attention,
    nadaraya_watson,
    positional_encoding,
    scaled_dot_product_attention,
)
from seqcourse.reference.convolution import output_length, receptive_field
from seqcourse.reference.dense import dense_backward, dense_forward
from seqcourse.reference.gru import gru_backward, gru_forward, gru_step
from seqcourse.reference.language import (
    NGramModel,
    perplexity,
    perplexity_from_logits,
    sample_next,
    sampling_distribution,
    top_k_logits,
)
from seqcourse.reference.lstm import lstm_backward, lstm_forward, lstm_step
from seqcourse.reference.numerics import (
    activation_derivative,
    cross_entropy,
    cross_entropy_backward,
    linear,
    log_softmax,
    mean_squared_error,
    mean_squared_error_backward,
    numerical_gradient,
    rel_error,
    relu,
    sigmoid,
    softmax,
)
from seqcourse.reference.rnn import (
    simple_rnn_backward,
    simple_rnn_forward,
    simple_rnn_gradient_descent,
    simple_rnn_regression_loss_and_grads,
    simple_rnn_step,
)
from seqcourse.reference.stacking import bidirectional_forward, stacked_forward

__all__ = [
    "NGramModel",
    "activation_derivative",
    "additive_attention",
    "additive_attention_backward",
    "bahdanau_decoder_backward",
    "bahdanau_decoder_forward",
    "bidirectional_forward",
    "causal_mask",
    "cross_entropy",
    "cross_entropy_backward",
    "dense_backward",
    "dense_forward",
    "dot_attention",
    "general_attention",
    "gru_backward",
    "gru_forward",
    "gru_step",
    "linear",
    "log_softmax",
    "lstm_backward",
    "lstm_forward",
    "lstm_step",
    "mean_squared_error",
    "mean_squared_error_backward",
    "multi_head_attention",
    "nadaraya_watson",
    "numerical_gradient",
    "perplexity",
    "perplexity_from_logits",
    "positional_encoding",
    "rel_error",
    "relu",
    "sample_next",
    "sampling_distribution",
    "scaled_dot_product_attention",
    "sigmoid",
    "simple_rnn_backward",
    "simple_rnn_forward",
    "simple_rnn_gradient_descent",
    "simple_rnn_regression_loss_and_grads",
    "simple_rnn_step",
    "softmax",
    "stacked_forward",
    "top_k_logits",
    "output_length",
    "receptive_field",
]
