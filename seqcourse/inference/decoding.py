"""Decoding for sequence-to-sequence models: greedy search, beam search and the teacher-forcing
schedules of scheduled sampling (the teacher-forcing arrays are
:func:`seqcourse.data.tokens.decoder_io`).

Everything here is NumPy and knows nothing about Keras. A decoder is seen through a *step function*

    step(tokens, states) -> (log_probs, new_states)

where ``tokens`` is an int array ``(N,)`` (the token each row fed in last), ``states`` a list of
arrays whose first axis is ``N`` (hidden states, and anything else a row needs, such as its encoder
outputs), and ``log_probs`` ``(N, V)`` the log-probabilities of the next token. Beam search
reorders every state array by beam, so per-row constants (encoder outputs, source masks) can ride
along as states.

Token ids follow the course's convention: 0 is padding, and the caller names the start and end ids.
"""

import numpy as np

from seqcourse.data.tokens import PAD, check_token_id

__all__ = [
    "beam_search",
    "beam_search_step",
    "greedy_decode",
    "strip_end",
    "teacher_forcing_probability",
]


def _check_positive(name, value):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


def strip_end(ids, end_id):
    """Token-id rows ``(N, T)`` -> a list of N lists, each cut before its first ``end_id`` (or
    padding 0), the form :mod:`seqcourse.inference.metrics` compares.

    Chapters 11, 12, 13 and 16 use it.
    """
    ids = np.asarray(ids)
    if ids.ndim != 2:
        raise ValueError(f"ids must have shape (N, T); got {ids.shape}")
    rows = []
    for row in ids.tolist():
        stops = [i for i, token in enumerate(row) if token in (end_id, PAD)]
        rows.append(row[: stops[0]] if stops else row)
    return rows


def _check_states(states, rows):
    states = [np.asarray(state) for state in states]
    for index, state in enumerate(states):
        if state.ndim < 1 or state.shape[0] != rows:
            raise ValueError(
                f"states[{index}] must have the batch ({rows}) on its first axis; got {state.shape}"
            )
    return states


def _call_step(step, tokens, states, vocab=None):
    log_probs, states = step(tokens, states)
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if log_probs.ndim != 2 or log_probs.shape[0] != len(tokens):
        raise ValueError(
            f"step must return log-probabilities of shape (N, V) = ({len(tokens)}, V); "
            f"got {log_probs.shape}"
        )
    if vocab is not None and log_probs.shape[1] != vocab:
        raise ValueError(f"step changed the vocabulary size from {vocab} to {log_probs.shape[1]}")
    return log_probs, list(states)


def greedy_decode(step, states, start_id, end_id, max_len):
    """Free-running greedy decoding: feed ``<s>``, then at every step the most probable token.

    Args:
        step: ``step(tokens (N,), states) -> (log_probs (N, V), new_states)``.
        states: list of arrays with N rows, the decoder's initial states (e.g. the encoder's).
        start_id, end_id: ids of ``<s>`` and ``</s>``.
        max_len: the most tokens to produce per row (``</s>`` included).

    Returns:
        ``(ids, log_prob)``: int64 ``(N, max_len)`` (after a row's ``</s>``, zeros) and the
        float64 ``(N,)`` log-probability of each row's output, ``</s>`` included.

    Chapter 11 shows it; chapters 12, 13 and 16 use it.
    """
    start_id, end_id = check_token_id("start_id", start_id), check_token_id("end_id", end_id)
    max_len = _check_positive("max_len", max_len)
    rows = len(states[0]) if states else 0
    if rows == 0:
        raise ValueError("states must hold at least one array with at least one row")
    states = _check_states(states, rows)
    tokens = np.full(rows, start_id, dtype=np.int64)
    ids = np.zeros((rows, max_len), dtype=np.int64)
    total = np.zeros(rows)
    done = np.zeros(rows, dtype=bool)
    for t in range(max_len):
        log_probs, states = _call_step(step, tokens, states)
        tokens = log_probs.argmax(axis=1)  # y_t = argmax_v p(v | y_<t, x)
        total += np.where(done, 0.0, log_probs[np.arange(rows), tokens])
        ids[:, t] = np.where(done, PAD, tokens)
        done |= tokens == end_id
        if done.all():
            break
    return ids, total


def beam_search_step(scores, finished, log_probs, end_id):
    """One step of beam search for B examples with K beams each, over a vocabulary of V tokens.

    Every unfinished beam k of example b proposes every token v, with the score
    ``scores[b, k] + log_probs[b, k, v]`` (the log-probability of the whole prefix); a finished beam
    proposes only itself, unchanged (as the token ``end_id``). The K best of the K * V proposals
    survive.

    Args:
        scores: float ``(B, K)``, the log-probability of each beam so far (``-inf`` for an empty
            slot, e.g. beams 1..K-1 before the first step).
        finished: bool ``(B, K)``, True for beams that have produced ``end_id``.
        log_probs: float ``(B, K, V)``, the next-token log-probabilities of each beam.
        end_id: the id of ``</s>``.

    Returns:
        ``(new_scores, parents, tokens)``, each ``(B, K)``: the surviving scores (best first), the
        beam each one extends, and the token it appended.

    Chapter 11 shows it.
    """
    scores = np.asarray(scores, dtype=np.float64)
    finished = np.asarray(finished, dtype=bool)
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if scores.ndim != 2 or finished.shape != scores.shape:
        raise ValueError(
            f"scores and finished must both have shape (B, K); got {scores.shape} and "
            f"{finished.shape}"
        )
    batch, width = scores.shape
    if log_probs.ndim != 3 or log_probs.shape[:2] != (batch, width):
        raise ValueError(
            f"log_probs must have shape (B, K, V) = ({batch}, {width}, V); got {log_probs.shape}"
        )
    vocab = log_probs.shape[2]
    end_id = int(end_id)
    if not 0 <= end_id < vocab:
        raise ValueError(f"end_id {end_id} is outside the vocabulary of {vocab} tokens")
    # A finished beam keeps its score through the single proposal end_id.
    frozen = np.full(vocab, -np.inf)
    frozen[end_id] = 0.0
    step_scores = np.where(finished[:, :, None], frozen, log_probs)
    candidates = (scores[:, :, None] + step_scores).reshape(batch, width * vocab)  # (B, K*V)
    # The K best candidates, best first (a stable sort keeps ties in beam order).
    best = np.argsort(-candidates, axis=1, kind="stable")[:, :width]
    new_scores = np.take_along_axis(candidates, best, axis=1)
    return new_scores, best // vocab, best % vocab


def beam_search(step, states, start_id, end_id, max_len, width, alpha=0.0):
    """Beam-search decoding: keep the ``width`` most probable prefixes at every step.

    Each example's initial states are repeated ``width`` times; the step function is called on all
    ``N * width`` beams at once. Finished hypotheses are ranked by their log-probability divided by
    ``length ** alpha`` (``alpha = 0``: the raw log-probability, which favours short outputs;
    ``alpha = 1``: the mean log-probability per token).

    Args:
        step: ``step(tokens (N * width,), states) -> (log_probs (N * width, V), new_states)``.
        states: list of arrays with N rows, the initial decoder states.
        start_id, end_id: ids of ``<s>`` and ``</s>``.
        max_len: the most tokens per output (``</s>`` included).
        width: the beam width K (1 is greedy decoding).
        alpha: the length-normalisation exponent, >= 0.

    Returns:
        ``(ids, log_prob)``: the best hypothesis of each example, int64 ``(N, max_len)`` padded
        with 0 after ``</s>``, and its float64 log-probability ``(N,)`` (unnormalised).

    Chapters 11 and 16 use it.
    """
    start_id, end_id = check_token_id("start_id", start_id), check_token_id("end_id", end_id)
    max_len = _check_positive("max_len", max_len)
    width = _check_positive("width", width)
    if not alpha >= 0:
        raise ValueError(f"alpha must be >= 0; got {alpha!r}")
    rows = len(states[0]) if states else 0
    if rows == 0:
        raise ValueError("states must hold at least one array with at least one row")
    states = [np.repeat(state, width, axis=0) for state in _check_states(states, rows)]
    scores = np.full((rows, width), -np.inf)
    scores[:, 0] = 0.0  # one live beam per example at the start
    finished = np.zeros((rows, width), dtype=bool)
    lengths = np.zeros((rows, width), dtype=np.int64)
    history = np.zeros((rows, width, 0), dtype=np.int64)
    tokens = np.full(rows * width, start_id, dtype=np.int64)
    vocab = None
    for _ in range(max_len):
        log_probs, states = _call_step(step, tokens, states, vocab)
        vocab = log_probs.shape[1]
        scores, parents, new_tokens = beam_search_step(
            scores, finished, log_probs.reshape(rows, width, vocab), end_id
        )
        # Reorder everything by the beam each survivor extends.
        flat = (np.arange(rows)[:, None] * width + parents).ravel()
        states = [state[flat] for state in states]
        history = np.take_along_axis(history, parents[:, :, None], axis=1)
        was_finished = np.take_along_axis(finished, parents, axis=1)
        lengths = np.take_along_axis(lengths, parents, axis=1) + ~was_finished
        appended = np.where(was_finished, PAD, new_tokens)
        history = np.concatenate([history, appended[:, :, None]], axis=2)
        finished = was_finished | (new_tokens == end_id)
        tokens = new_tokens.ravel()
        if finished.all():
            break
    ranking = scores / np.maximum(lengths, 1) ** alpha
    best = ranking.argmax(axis=1)
    ids = np.zeros((rows, max_len), dtype=np.int64)
    ids[:, : history.shape[2]] = history[np.arange(rows), best]
    return ids, scores[np.arange(rows), best]


SCHEDULES = ("linear", "exponential", "inverse_sigmoid")


def teacher_forcing_probability(step, schedule="inverse_sigmoid", k=None, floor=0.0, slope=None):
    """The probability of feeding the *true* previous token at training step ``step`` in scheduled
    sampling (Bengio et al., 2015); otherwise the model's own prediction is fed.

    The three decays of the paper, each starting near 1 (pure teacher forcing):

    - ``"linear"``: ``max(floor, 1 - slope * step)`` (``slope`` required);
    - ``"exponential"``: ``k ** step`` with ``0 < k < 1``;
    - ``"inverse_sigmoid"``: ``k / (k + exp(step / k))`` with ``k >= 1``.

    Args:
        step: int or int array of training steps (>= 0).
        schedule: one of :data:`SCHEDULES`.
        k: the decay parameter of the exponential and inverse-sigmoid schedules.
        floor: the lowest probability the linear schedule reaches.
        slope: the linear schedule's decrease per step.

    Returns:
        float64 array of the shape of ``step``, values in [0, 1].

    Chapter 11 uses it.
    """
    step = np.asarray(step, dtype=np.float64)
    if np.any(step < 0):
        raise ValueError("step must be >= 0")
    if schedule == "linear":
        if slope is None or slope <= 0:
            raise ValueError(f"the linear schedule needs slope > 0; got {slope!r}")
        return np.maximum(floor, 1.0 - slope * step)
    if schedule == "exponential":
        if k is None or not 0 < k < 1:
            raise ValueError(f"the exponential schedule needs 0 < k < 1; got k={k!r}")
        return k**step
    if schedule == "inverse_sigmoid":
        if k is None or k < 1:
            raise ValueError(f"the inverse-sigmoid schedule needs k >= 1; got k={k!r}")
        return k / (k + np.exp(step / k))
    raise ValueError(f"schedule must be one of {SCHEDULES}; got {schedule!r}")
