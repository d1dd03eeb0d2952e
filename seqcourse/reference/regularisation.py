"""Regularisation and training-practice rules from scratch, each as its Keras twin computes it.

* :func:`dropout_mask`: inverted dropout, as ``keras.layers.Dropout`` and the ``dropout=`` /
  ``recurrent_dropout=`` arguments of the recurrent layers apply it in training;
* :func:`weight_penalty`: the L1/L2 penalty of ``keras.regularizers.L1L2`` and its gradient;
* :func:`soft_threshold`, :func:`l1_linear_regression`: why the subgradient steps Keras takes on an
  L1 penalty leave weights near zero but not at it, and the proximal step that sets them to 0;
* :func:`global_norm`, :func:`clip_by_global_norm`, :func:`clip_by_norm`, :func:`clip_by_value`: the
  ``global_clipnorm=``, ``clipnorm=`` and ``clipvalue=`` options of every Keras optimizer;
* :func:`early_stopping`: when ``keras.callbacks.EarlyStopping`` stops training, and which epoch it
  keeps.

NumPy only. A list of gradients or weights is a list of arrays of any shapes (one per variable, as
``model.trainable_weights``).
"""

import numpy as np


def _number(name, value):
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ValueError(f"{name} must be a number; got {value!r}")
    return float(value)


def _rate(name, value):
    value = _number(name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must lie in [0, 1); got {value}")
    return value


def _non_negative(name, value):
    value = _number(name, value)
    if not value >= 0:
        raise ValueError(f"{name} must be >= 0; got {value}")
    return value


def _positive(name, value):
    value = _number(name, value)
    if not value > 0:
        raise ValueError(f"{name} must be > 0; got {value}")
    return value


def _arrays(name, values):
    if isinstance(values, np.ndarray) or not isinstance(values, list | tuple):
        raise ValueError(
            f"{name} must be a list of arrays, one per variable (e.g. [kernel, bias]); got "
            f"{type(values).__name__}: wrap a single array as [array]"
        )
    return [np.asarray(value, dtype=np.result_type(value, np.float32)) for value in values]


def dropout_mask(shape, rate, rng):
    """An inverted-dropout mask: each entry is 0 with probability ``rate``, else 1 / (1 - rate).

    Multiplying activations by it during training drops a random fraction ``rate`` of them and
    scales the survivors up, so the expected value of every activation is unchanged and nothing
    needs rescaling at inference time, when no mask is applied (Keras's ``Dropout``). For
    recurrent dropout draw ONE mask of shape (B, H) per sequence and multiply h_{t-1} by it at
    every step t (Gal & Ghahramani's variational dropout, as Keras's ``recurrent_dropout`` does).

    Args:
        shape: the shape of the activations to mask, e.g. (B, D) for one step's inputs.
        rate: the fraction to drop, in [0, 1).
        rng: a ``numpy.random.Generator`` (e.g. ``np.random.default_rng(0)``).

    Returns:
        A float32 array of ``shape`` with values 0 and 1 / (1 - rate).

    Chapter 7 shows it.
    """
    rate = _rate("rate", rate)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    keep = rng.random(shape) >= rate  # P(keep) = 1 - rate
    return (keep / (1.0 - rate)).astype(np.float32)


def weight_penalty(weights, l1=0.0, l2=0.0):
    """The L1/L2 penalty added to the loss, and its gradient with respect to each weight array.

    penalty = sum over arrays w of  l1 * sum |w| + l2 * sum w^2, exactly what
    ``keras.regularizers.L1L2(l1, l2)`` adds per regularised array (note: no factor 1/2 on the L2
    term). Its gradient is  l1 * sign(w) + 2 * l2 * w: plain gradient descent on the L2 term shrinks
    every weight by a factor (1 - 2 * eta * l2) per step, hence the name "weight decay".

    Args:
        weights: a list of arrays, e.g. ``[kernel, recurrent_kernel]`` (biases usually left out).
        l1, l2: the coefficients, >= 0.

    Returns:
        ``(penalty, grads)``: a float and a list of arrays shaped like ``weights``.

    Chapter 7 shows it.
    """
    weights = _arrays("weights", weights)
    l1 = _non_negative("l1", l1)
    l2 = _non_negative("l2", l2)
    penalty = sum(l1 * np.abs(w).sum() + l2 * np.square(w).sum() for w in weights)
    grads = [l1 * np.sign(w) + 2.0 * l2 * w for w in weights]
    return float(penalty), grads


def soft_threshold(weights, threshold):
    """The proximal operator of ``threshold * |w|``: ``sign(w) * max(|w| - threshold, 0)``.

    It is the exact minimiser of ``threshold * |v| + (v - w)^2 / 2`` for every entry: weights
    within ``threshold`` of zero become exactly 0, the others move ``threshold`` towards it.

    Args:
        weights: an array of any shape; threshold: a number >= 0.

    Returns:
        An array shaped like ``weights``.

    Chapter 7 shows it.
    """
    (weights,) = _arrays("weights", [weights])
    threshold = _non_negative("threshold", threshold)
    return np.sign(weights) * np.maximum(np.abs(weights) - threshold, 0.0)


def l1_linear_regression(x, y, *, l1, learning_rate, steps, proximal):
    """Fit ``y ~ x @ w + b`` by full-batch descent on ``mean((x w + b - y)^2) + l1 * sum |w|``.

    The objective is the MSE loss Keras computes plus what ``keras.regularizers.L1(l1)`` adds for
    the kernel ``w`` (the bias is not penalised). Two ways to handle the non-differentiable L1
    term:

    * ``proximal=False``: the subgradient step Keras's optimizers take,
      ``w <- w - eta * (dL_data/dw + l1 * sign(w))``; a weight near zero overshoots it back and
      forth and almost never lands on exactly 0;
    * ``proximal=True``: proximal gradient descent (ISTA), a gradient step on the data term only,
      then :func:`soft_threshold` by ``eta * l1``, which sets small weights to exactly 0.

    Args:
        x: inputs, shape (N, F); y: targets, shape (N,) or (N, 1).
        l1: the penalty coefficient (>= 0); learning_rate: eta (> 0); steps: number of updates.
        proximal: which of the two updates to apply.

    Returns:
        ``(w, b, objectives)``: the weights (F,), the bias (a float), and the objective before
        each step, shape (steps,).

    Chapter 7 shows it.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.ndim != 2 or len(y) != len(x):
        raise ValueError(f"x must be (N, F) and y (N,); got {x.shape} and {y.shape}")
    l1 = _non_negative("l1", l1)
    learning_rate = _positive("learning_rate", learning_rate)
    w, b = np.zeros(x.shape[1]), float(y.mean())
    objectives = np.empty(steps)
    for step in range(steps):
        residual = x @ w + b - y
        objectives[step] = np.mean(residual**2) + l1 * np.abs(w).sum()
        grad_w = 2.0 * x.T @ residual / len(y)  # d mean(r^2) / dw
        b -= learning_rate * 2.0 * residual.mean()
        if proximal:
            w = soft_threshold(w - learning_rate * grad_w, learning_rate * l1)
        else:
            w = w - learning_rate * (grad_w + l1 * np.sign(w))
    return w, b, objectives


def global_norm(grads):
    """The Euclidean norm of all gradients together: sqrt(sum over arrays of sum g^2).

    Chapter 3 uses it; exercise 3 uses it.
    """
    grads = _arrays("grads", grads)
    return float(np.sqrt(sum(np.square(g.astype(np.float64)).sum() for g in grads)))


def clip_by_global_norm(grads, clip_norm):
    """Rescale all gradients together so that their global norm is at most ``clip_norm``.

    g <- g * clip_norm / max(||g||, clip_norm), with ||g|| the norm of all arrays together
    (:func:`global_norm`). Below the threshold nothing changes; above it every array is scaled by
    the same factor, so the direction of the update is kept. This is Keras's ``global_clipnorm=``.

    Args:
        grads: a list of arrays, one per variable.
        clip_norm: the threshold, > 0.

    Returns:
        ``(clipped, norm)``: the list of clipped arrays and the global norm before clipping.

    Chapter 3 shows it; exercise 3 uses it.
    """
    grads = _arrays("grads", grads)
    clip_norm = _positive("clip_norm", clip_norm)
    norm = global_norm(grads)
    scale = clip_norm / max(norm, clip_norm)
    return [g * np.asarray(scale, dtype=g.dtype) for g in grads], norm


def clip_by_norm(grads, clip_norm):
    """Rescale each gradient array separately so that its own norm is at most ``clip_norm``.

    Keras's ``clipnorm=``: g_k <- g_k * clip_norm / max(||g_k||, clip_norm) for each variable k. The
    arrays are scaled by different factors, so the overall direction can change.

    Args:
        grads: a list of arrays, one per variable.
        clip_norm: the threshold, > 0.

    Returns:
        The list of clipped arrays.

    Chapter 3 uses it.
    """
    grads = _arrays("grads", grads)
    clip_norm = _positive("clip_norm", clip_norm)
    return [g * np.asarray(clip_norm / max(global_norm([g]), clip_norm), g.dtype) for g in grads]


def clip_by_value(grads, clip_value):
    """Clip every gradient entry into [-clip_value, clip_value] (Keras's ``clipvalue=``).

    Args:
        grads: a list of arrays, one per variable.
        clip_value: the threshold, > 0.

    Returns:
        The list of clipped arrays.

    Chapter 3 uses it.
    """
    grads = _arrays("grads", grads)
    clip_value = _positive("clip_value", clip_value)
    return [np.clip(g, -clip_value, clip_value) for g in grads]


def early_stopping(val_losses, patience, min_delta=0.0):
    """When ``keras.callbacks.EarlyStopping(monitor="val_loss", patience, min_delta)`` stops.

    After each epoch the validation loss is compared with the best so far; it counts as an
    improvement only if it is lower by more than ``min_delta``. Training stops at the end of the
    first epoch (after the first) that is ``patience`` epochs past the last improvement. With
    ``restore_best_weights=True`` the model then gets back the weights of the best epoch.

    Args:
        val_losses: the validation loss after each epoch, a 1-D sequence (``history["val_loss"]``).
        patience: how many epochs without improvement to tolerate, an int >= 0.
        min_delta: the smallest decrease that counts as an improvement, >= 0.

    Returns:
        ``(stopped_epoch, best_epoch)``, 0-based epoch indices: ``stopped_epoch`` is the epoch after
        which training stops (``None`` if it runs to the end of ``val_losses``), ``best_epoch`` the
        epoch with the best loss seen by then.

    Chapter 7 shows it.
    """
    losses = np.asarray(val_losses, dtype=np.float64)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(
            f"val_losses must be a non-empty 1-D sequence of per-epoch losses; got shape "
            f"{losses.shape}"
        )
    if isinstance(patience, bool) or not isinstance(patience, int | np.integer) or patience < 0:
        raise ValueError(f"patience must be an int >= 0; got {patience!r}")
    min_delta = _non_negative("min_delta", min_delta)
    best, best_epoch, wait = None, 0, 0
    for epoch, loss in enumerate(losses):
        wait += 1
        if best is None or loss + min_delta < best:  # an improvement: remember it, reset the wait
            best, best_epoch, wait = loss, epoch, 0
            continue
        if wait >= patience and epoch > 0:
            return epoch, best_epoch
    return None, best_epoch
