"""Assignment ``06_deep_bidirectional``: a bidirectional sequence encoder for padded batches, the
parameter count of a stack of bidirectional GRUs with two merge modes, and a Keras tagger that
needs future context.

The trusted references build on :mod:`seqcourse.reference`; the grader checks that submissions do
not call or copy it.
"""

from __future__ import annotations

import functools

import numpy as np

from seqcourse.grading.questions import _baselines
from seqcourse.grading.spec import (
    Assignment,
    Baseline,
    Case,
    FunctionQuestion,
    Mistake,
    ModelData,
    ModelQuestion,
    ValueQuestion,
    random_sizes,
)

# --- trusted references (the answer key, held by the grader) -------------------------------


def bidirectional_encode(
    x, lengths, forward_weights, backward_weights, *, masked=True, forward_first=True
):
    """One vector per post-padded sequence: [forward state after x_L, backward state after x_1].

    x (B, T, D) holds sequences of ``lengths`` (B,) real steps, padded at the end. Each direction is
    a tanh SimpleRNN with Keras-layout weights ``(kernel (D, H), recurrent_kernel (H, H),
    bias (H,))``; the forward one reads x_1 .. x_L, the backward one x_L .. x_1, both from zero
    states. Returns (B, 2H), forward half first. ``masked`` and ``forward_first`` switched off
    give typical mistakes (padding read as data; halves swapped).
    """
    from seqcourse.data import sequence_mask
    from seqcourse.reference import bidirectional_forward, simple_rnn_forward

    x = np.asarray(x, dtype=np.float64)
    mask = sequence_mask(np.asarray(lengths), maxlen=x.shape[1]) if masked else None
    pair, *_states = bidirectional_forward(
        x,
        simple_rnn_forward,
        forward_weights,
        backward_weights,
        mask=mask,
        merge_mode=None,
        return_sequences=False,
    )
    forward, backward = pair
    return np.concatenate([forward, backward] if forward_first else [backward, forward], axis=-1)


def gru_parameters(inputs: int, units: int, bias_rows: int = 2) -> int:
    """GRU(units) on ``inputs`` features: three blocks; reset_after=True keeps two bias rows."""
    return 3 * units * (inputs + units + bias_rows)


def stack_parameters(directions=2, first_width=32, bias_rows=2) -> int:
    """Embedding(1000, 24, mask_zero) -> Bidirectional(GRU(32, seq), merge_mode="sum") ->
    Bidirectional(GRU(16)) (concat) -> Dense(5)."""
    embedding = 1000 * 24
    first = directions * gru_parameters(24, 32, bias_rows)
    second = directions * gru_parameters(first_width, 16, bias_rows)
    head = (directions * 16) * 5 + 5
    return embedding + first + second + head


@functools.cache
def tagging_data(fast: bool) -> ModelData:
    """The entity-sense task: padded training sentences; 1,000 evaluation sentences of 9 tokens.

    The evaluation sentences all have 9 real tokens, so no padding is scored. About 7 % of their
    tokens are ambiguous entity words whose tag only a later word decides.
    """
    from seqcourse.data.tagging import entity_sense_tagging

    train = entity_sense_tagging(1500 if fast else 3000, seed=61)
    pool = entity_sense_tagging(6000, seed=62)
    keep = np.flatnonzero(pool.lengths == 9)[:1000]
    return ModelData(train.tokens, train.tags, pool.tokens[keep, :9], pool.tags[keep, :9])


def _tagger_kwargs(data: ModelData) -> dict:
    from seqcourse.data.tagging import TAGS, VOCABULARY

    return {"vocabulary_size": len(VOCABULARY), "tags": len(TAGS)}


# --- cases ---------------------------------------------------------------------------------


def _weights(rng, features, units):
    return (
        rng.normal(size=(features, units)) * 0.6,
        rng.normal(size=(units, units)) * 0.5,
        rng.normal(size=units) * 0.2,
    )


def _encode_case(rng, batch, steps, features, units):
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = steps  # one full-length sequence in every batch
    x = rng.normal(size=(batch, steps, features))
    x[np.arange(steps)[None, :] >= lengths[:, None]] = 0.0  # padding, as pad_sequences writes it
    return Case(
        (x, lengths, _weights(rng, features, units), _weights(rng, features, units)),
    )


ASSIGNMENT = Assignment(
    "06_deep_bidirectional",
    (
        FunctionQuestion(
            "bidirectional_encoder",
            3,
            "bidirectional_encode",
            "[forward state after x_L, backward state after x_1] for post-padded sequences",
            bidirectional_encode,
            lambda: [_encode_case(np.random.default_rng(61), 3, 5, 2, 4)],
            lambda rng: [
                _encode_case(rng, *s) for s in random_sizes(rng, 4, (2, 5), (2, 8), (1, 4), (1, 5))
            ],
            rtol=1e-7,
            atol=1e-9,
            mistakes=(
                Mistake(
                    "the padding was read as data: stop the forward pass at step L of each "
                    "sequence, and start the backward pass there",
                    lambda *a: bidirectional_encode(*a, masked=False),
                ),
                Mistake(
                    "the halves are swapped: the forward state comes first, as Keras concatenates",
                    lambda *a: bidirectional_encode(*a, forward_first=False),
                ),
            ),
        ),
        ValueQuestion(
            "bigru_stack_parameters",
            2,
            "n_bigru_parameters",
            "parameters of Embedding -> BiGRU(32, sum) -> BiGRU(16) -> Dense(5)",
            stack_parameters,
            rtol=0,
            atol=0,
            mistakes=(
                Mistake(
                    "that counts one direction: a Bidirectional layer holds two GRUs",
                    lambda: stack_parameters(directions=1),
                ),
                Mistake(
                    'merge_mode="sum" adds the two directions: the second layer reads 32 '
                    "features, not 64",
                    lambda: stack_parameters(first_width=64),
                ),
                Mistake(
                    "Keras's GRU has reset_after=True by default: two bias vectors per block",
                    lambda: stack_parameters(bias_rows=1),
                ),
            ),
        ),
        ModelQuestion(
            "future_context_tagger",
            3,
            "build_tagger",
            "a recurrent tagger for the entity-sense task: its token error must be 60 % below the "
            "best baseline's (each word's most frequent tag; the most frequent tag after the two "
            "words before it, as a left-to-right tagger sees)",
            tagging_data,
            _tagger_kwargs,
            metric="accuracy",
            epochs=10,
            batch_size=32,
            budget=90.0,
            budget_fast=45.0,
            baselines=(
                Baseline("each word's most frequent tag", _baselines.tag_by_context(0)),
                Baseline(
                    "most frequent tag after the two previous words", _baselines.tag_by_context(2)
                ),
            ),
            margin=0.6,
            requires=("SimpleRNN", "LSTM", "GRU"),
            technique="a recurrent layer (SimpleRNN, LSTM or GRU)",
            other_length=True,
        ),
    ),
    cell_timeout=120.0,
    call_timeout=10.0,
)
