"""Language models from scratch: count-based n-grams, perplexity, temperature and top-k sampling.

Token sequences are 1-D integer arrays of ids in ``[0, V)``; logits are ``(..., V)``. NumPy only.
"""

import numpy as np

from seqcourse.reference import _validate
from seqcourse.reference.numerics import cross_entropy, softmax


def _token_ids(name, ids, vocab_size):
    """``ids`` as a 1-D int64 array of ids in [0, vocab_size), else a ValueError naming ``name``."""
    array = _validate.rank(name, ids, ("N",), hint="; pass one long sequence of token ids")
    if array.size == 0:
        return array.astype(np.int64)  # an empty context, e.g. np.asarray([]) of dtype float64
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integer token ids; got dtype {array.dtype}")
    if array.size and (array.min() < 0 or array.max() >= vocab_size):
        raise ValueError(
            f"{name} must hold ids in [0, {vocab_size}) (vocab_size = {vocab_size}); "
            f"got {array.min()}..{array.max()}: map unknown tokens to an id first"
        )
    return array.astype(np.int64)


class NGramModel:
    """An add-alpha (Laplace / Lidstone) smoothed n-gram model over token ids.

    ``order = 1`` is the unigram model p(w), ``order = 2`` the bigram model p(w | previous token),
    and so on. With N(c, w) the number of times token w followed the context c (the previous
    ``order - 1`` tokens) in the training ids and N(c) = sum_w N(c, w),

        p(w | c) = (N(c, w) + alpha) / (N(c) + alpha V).

    ``alpha > 0`` gives every token a non-zero probability (a context never seen gets the uniform
    1 / V), so the perplexity of new text is finite. Counts are kept sparse: only the (context,
    token) pairs that occur are stored.

    Args:
        order: n >= 1, the number of tokens in an n-gram (the context is n - 1 tokens).
        vocab_size: V, the number of distinct token ids.
        alpha: the pseudo-count added to every (context, token) pair, > 0.

    Chapter 10 shows it; chapter 13 uses it.
    """

    def __init__(self, order, vocab_size, alpha=1.0):
        if isinstance(order, bool) or not isinstance(order, int | np.integer) or order < 1:
            raise ValueError(f"order must be an int >= 1 (1 = unigram, 2 = bigram); got {order!r}")
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int | np.integer):
            raise ValueError(f"vocab_size must be an int >= 1; got {vocab_size!r}")
        if vocab_size < 1:
            raise ValueError(f"vocab_size must be an int >= 1; got {vocab_size!r}")
        if not np.isfinite(alpha) or alpha <= 0:
            raise ValueError(f"alpha must be a positive number (e.g. 1.0 or 0.1); got {alpha!r}")
        if float(vocab_size) ** order >= 2**62:
            raise ValueError(
                f"vocab_size ** order = {vocab_size}**{order} is too large to index n-grams; "
                f"use a smaller order or vocabulary"
            )
        self.order, self.vocab_size, self.alpha = int(order), int(vocab_size), float(alpha)
        self._pairs = self._pair_counts = self._contexts = self._context_counts = None

    def _codes(self, ids):
        """Integer codes of every (context, token) pair: context c_t, then (c_t * V + w_t).

        Position t >= order - 1 has context ids[t - order + 1 : t]; returns two (N - n + 1,)
        arrays.
        """
        n, vocab = self.order, self.vocab_size
        context = np.zeros(len(ids) - n + 1, dtype=np.int64)
        for k in range(n - 1):  # base-V number whose digits are the context tokens
            context = context * vocab + ids[k : len(ids) - n + 1 + k]
        return context, context * vocab + ids[n - 1 :]

    def fit(self, ids):
        """Count the n-grams of the training ids (1-D, length >= order); returns ``self``."""
        ids = _token_ids("ids", ids, self.vocab_size)
        if len(ids) < self.order:
            raise ValueError(f"ids must hold at least order = {self.order} tokens; got {len(ids)}")
        contexts, pairs = self._codes(ids)
        self._pairs, self._pair_counts = np.unique(pairs, return_counts=True)
        self._contexts, self._context_counts = np.unique(contexts, return_counts=True)
        return self

    @staticmethod
    def _lookup(keys, counts, queries):
        """counts[keys == q] for each query, 0 where the key was never seen (keys sorted)."""
        where = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
        return np.where(keys[where] == queries, counts[where], 0)

    def log_prob(self, ids):
        """log p(ids[t] | ids[t - n + 1 : t]) for t = n - 1 .. N - 1, shape (N - n + 1,).

        The first n - 1 tokens have no full context and get no score; compare models of different
        orders on the same positions (e.g. drop the first few of each).
        """
        if self._pairs is None:
            raise ValueError("this NGramModel has not been fitted: call .fit(train_ids) first")
        ids = _token_ids("ids", ids, self.vocab_size)
        if len(ids) < self.order:
            raise ValueError(f"ids must hold at least order = {self.order} tokens; got {len(ids)}")
        contexts, pairs = self._codes(ids)
        pair_count = self._lookup(self._pairs, self._pair_counts, pairs)
        context_count = self._lookup(self._contexts, self._context_counts, contexts)
        # p(w | c) = (N(c, w) + alpha) / (N(c) + alpha V)
        return np.log(pair_count + self.alpha) - np.log(
            context_count + self.alpha * self.vocab_size
        )

    def probabilities(self, context):
        """The whole next-token distribution after ``context`` (its last n - 1 ids), shape (V,)."""
        context = _token_ids("context", context, self.vocab_size)
        if len(context) < self.order - 1:
            raise ValueError(
                f"context must hold at least order - 1 = {self.order - 1} ids; got {len(context)}"
            )
        code = 0
        for token in context[len(context) - (self.order - 1) :] if self.order > 1 else []:
            code = code * self.vocab_size + int(token)  # the base-V code of _codes()
        pairs = code * self.vocab_size + np.arange(self.vocab_size, dtype=np.int64)
        pair_count = self._lookup(self._pairs, self._pair_counts, pairs)
        context_count = self._lookup(self._contexts, self._context_counts, np.array([code]))
        return (pair_count + self.alpha) / (context_count + self.alpha * self.vocab_size)


def perplexity(log_probs):
    """Perplexity of a text from the log-probabilities (natural log) of its tokens.

    PPL = exp(-(1/N) sum_t log p(x_t | x_<t)): the exponential of the mean negative log-likelihood
    (cross-entropy in nats). A model that spreads its bets evenly over k tokens at every step has
    perplexity k; the uniform model over V tokens has perplexity V.

    Args:
        log_probs: log p of each scored token, any shape (all entries are averaged), finite, <= 0.

    Returns:
        The perplexity, a Python float >= 1.

    Chapter 10 shows it; chapter 13 uses it.
    """
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if log_probs.size == 0:
        raise ValueError("log_probs is empty: score at least one token")
    if not np.all(np.isfinite(log_probs)) or np.any(log_probs > 1e-9):
        raise ValueError(
            "log_probs must be finite natural-log probabilities (<= 0); got values in "
            f"[{np.nanmin(log_probs):.3g}, {np.nanmax(log_probs):.3g}]: pass log p, not p or -log p"
        )
    return float(np.exp(-np.mean(log_probs)))


def perplexity_from_logits(logits, labels):
    """Perplexity of integer ``labels`` (...,) under softmax(``logits``) (..., V).

    exp(cross-entropy): the same number as ``exp`` of Keras's
    ``SparseCategoricalCrossentropy(from_logits=True)`` on these logits and labels.

    Chapter 10 shows it.
    """
    return float(np.exp(cross_entropy(logits, labels)))


def _check_temperature(temperature):
    if not np.isfinite(temperature) or temperature < 0:
        raise ValueError(
            f"temperature must be a finite number >= 0 (0 = greedy, 1 = the model's own "
            f"distribution); got {temperature!r}"
        )


def top_k_logits(logits, k):
    """Keep the ``k`` largest logits of each row and set the others to -inf, shape (..., V).

    Ties at the k-th value are all kept. ``k = None`` keeps every logit.

    Chapter 10 shows it.
    """
    logits = np.asarray(logits, dtype=np.result_type(logits, np.float32))
    if logits.ndim < 1 or logits.shape[-1] < 1:
        raise ValueError(f"logits must have shape (..., V) with V >= 1; got {logits.shape}")
    if k is None:
        return logits
    vocab = logits.shape[-1]
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= vocab:
        raise ValueError(f"top_k must be None or an int in [1, V = {vocab}]; got {k!r}")
    # the k-th largest value of each row: everything below it is cut
    kth = np.partition(logits, vocab - k, axis=-1)[..., vocab - k : vocab - k + 1]
    return np.where(logits >= kth, logits, -np.inf)


def sampling_distribution(logits, temperature=1.0, top_k=None):
    """The distribution a sampler draws from: softmax(top_k(logits) / temperature), (..., V).

    Dividing logits by T > 1 flattens the distribution (more surprising choices), T < 1 sharpens it
    and T -> 0 puts all the mass on the arg max (greedy decoding, returned for T = 0). Top-k first
    removes all but the k most likely tokens, so no unlikely token is ever drawn.

    Chapter 10 shows it.
    """
    _check_temperature(temperature)
    filtered = top_k_logits(logits, top_k)
    if temperature == 0:
        # the limit T -> 0: one-hot on the arg max (the first one, if tied)
        return np.eye(filtered.shape[-1], dtype=filtered.dtype)[np.argmax(filtered, axis=-1)]
    return softmax(filtered / temperature)


def sample_next(logits, rng, temperature=1.0, top_k=None):
    """Draw one token id per row of ``logits`` (B, V) from ``sampling_distribution``, shape (B,).

    Args:
        logits: next-token scores, shape (B, V) (e.g. the model's output at the last step).
        rng: a ``numpy.random.Generator``, so the draw is reproducible.
        temperature: >= 0; 0 returns the arg max of each row (greedy).
        top_k: None, or sample only among the k largest logits of each row.

    Chapter 10 shows it.
    """
    logits = _validate.rank("logits", logits, ("B", "V"), hint="; for one row use logits[None]")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); "
            f"got {type(rng).__name__}"
        )
    probs = sampling_distribution(logits.astype(np.float64), temperature, top_k)
    # inverse-CDF sampling, one uniform number per row
    cumulative = np.cumsum(probs, axis=-1)
    draws = rng.random((len(probs), 1)) * cumulative[:, -1:]
    return np.minimum((cumulative <= draws).sum(axis=-1), probs.shape[-1] - 1)
