"""Numerical building blocks of the reference layers: activations, softmax, losses, gradient checks.

Every function works elementwise or along the last axis, so it accepts arrays of any leading shape.
"""

import numpy as np

from seqcourse.reference import _validate


def sigmoid(z):
    """The logistic function, elementwise: sigma(z) = 1 / (1 + exp(-z)).

    Args:
        z: array of any shape.

    Returns:
        Array of the same shape and dtype as ``z``, with values in (0, 1).

    Chapters 4, 5, 9, 11, 13 and 15 use it; exercise 9 uses it.
    """
    # sigma(z) = (1 + tanh(z / 2)) / 2 is the same function, and never overflows for large |z|
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def relu(z):
    """The rectified linear unit, elementwise: relu(z) = max(z, 0). Same shape as ``z``.

    Chapter 6 uses it.
    """
    return np.maximum(z, 0)


def linear(z):
    """The identity: linear(z) = z (Keras's ``activation=None``). Same shape as ``z``.

    Chapters 3, 7, 8, 11 and 13 use it; exercise 1 uses it.
    """
    return z


# The activations a SimpleRNN may use, by their Keras names.
ACTIVATIONS = {"tanh": np.tanh, "sigmoid": sigmoid, "relu": relu, "linear": linear}


def activation_derivative(name, z):
    """The derivative f'(z) of the activation called ``name``, elementwise.

    Args:
        name: ``"tanh"``, ``"sigmoid"``, ``"relu"`` or ``"linear"``.
        z: the pre-activation, array of any shape.

    Returns:
        Array of the same shape as ``z``.

    No chapter calls it directly; :func:`simple_rnn_backward` (chapter 3) uses it.
    """
    _validate.activation_name(name)
    if name == "tanh":
        # tanh'(z) = 1 - tanh(z)^2
        return 1.0 - np.tanh(z) ** 2
    if name == "sigmoid":
        # sigma'(z) = sigma(z) (1 - sigma(z))
        s = sigmoid(z)
        return s * (1.0 - s)
    if name == "relu":
        # relu'(z) = 1 if z > 0 else 0
        return (z > 0).astype(np.result_type(z, np.float32))
    # linear'(z) = 1
    return np.ones_like(z)


def softmax(logits, axis=-1):
    """The softmax along ``axis``: softmax(z)_j = exp(z_j) / sum_k exp(z_k).

    Args:
        logits: array of any shape.
        axis: the axis that sums to one (default: the last).

    Returns:
        Array of the same shape as ``logits``; its entries along ``axis`` are positive and sum to 1.

    Chapters 6, 11 and 13 use it; exercise 12 uses it.
    """
    logits = np.asarray(logits)
    # Subtracting the maximum changes nothing mathematically and keeps exp() from overflowing.
    shifted = logits - np.max(logits, axis=axis, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=axis, keepdims=True)


def log_softmax(logits, axis=-1):
    """log(softmax(logits)) along ``axis``, computed without taking the log of a tiny number.

    Args:
        logits: array of any shape.
        axis: the class axis (default: the last).

    Returns:
        Array of the same shape as ``logits``.

    Chapters 10 and 11 use it.
    """
    logits = np.asarray(logits)
    shifted = logits - np.max(logits, axis=axis, keepdims=True)
    # log softmax(z)_j = z_j - log sum_k exp(z_k)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    """Mean cross-entropy of integer class labels under softmax(logits).

    L = -(1/N) sum_n log softmax(logits_n)[labels_n], the mean over all N positions; this is
    ``keras.losses.SparseCategoricalCrossentropy(from_logits=True)``.

    Args:
        logits: unnormalised scores, shape (..., C) for C classes, e.g. (B, C) or (B, T, C).
        labels: integer class indices in [0, C), shape (...) (the shape of ``logits`` without C).

    Returns:
        The loss, a Python float.

    No chapter calls it directly; :func:`perplexity_from_logits` (chapter 10) uses it.
    """
    logits, labels = _validate.logits_and_labels(logits, labels)
    log_probabilities = log_softmax(logits)
    # Pick log p(correct class) at every position.
    picked = np.take_along_axis(log_probabilities, labels[..., None], axis=-1)
    return float(-np.mean(picked))


def cross_entropy_backward(logits, labels):
    """Gradient of ``cross_entropy(logits, labels)`` with respect to ``logits``.

    dL/dz = (softmax(z) - onehot(labels)) / N, with N the number of positions.

    Args:
        logits: shape (..., C).
        labels: integer class indices, shape (...).

    Returns:
        dL/dlogits, shape (..., C).

    No chapter calls it; ``tests/reference`` proves it against ``tf.GradientTape`` and numerical
    gradients, as chapter 3 does for the SimpleRNN.
    """
    logits, labels = _validate.logits_and_labels(logits, labels)
    classes = logits.shape[-1]
    one_hot = np.eye(classes, dtype=logits.dtype)[labels]
    positions = labels.size
    return (softmax(logits) - one_hot) / positions


def mean_squared_error(predictions, targets):
    """Mean squared error over every entry: L = mean((predictions - targets)^2).

    This is ``keras.losses.MeanSquaredError()``.

    Args:
        predictions: array of any shape, e.g. (B, K).
        targets: array of the same shape.

    Returns:
        The loss, a Python float.

    No chapter calls it directly; :func:`simple_rnn_regression_loss_and_grads` (chapter 3) uses it.
    """
    predictions, targets = _validate.same_shape("predictions", predictions, "targets", targets)
    return float(np.mean((predictions - targets) ** 2))


def mean_squared_error_backward(predictions, targets):
    """Gradient of ``mean_squared_error`` with respect to ``predictions``: 2 (y_hat - y) / N.

    Args:
        predictions: array of any shape; N is its number of entries.
        targets: array of the same shape.

    Returns:
        dL/dpredictions, the shape of ``predictions``.

    No chapter calls it directly; :func:`simple_rnn_regression_loss_and_grads` (chapter 3) uses it.
    """
    predictions, targets = _validate.same_shape("predictions", predictions, "targets", targets)
    return 2.0 * (predictions - targets) / predictions.size


def numerical_gradient(f, x, eps=1e-5):
    """Estimate the gradient of a scalar function by centred differences.

    df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), one entry i at a time. The error is of
    order eps^2, so with float64 and eps = 1e-5 it agrees with a correct analytic gradient to about
    1e-9.

    Args:
        f: a function of no array but ``x`` that returns a number; it is called as ``f(x)``, and may
            also read ``x`` through a closure, since ``x`` is changed in place.
        x: a float64 array of any shape. Each entry is nudged in place and restored, so on return
            ``x`` holds its original values.
        eps: the step.

    Returns:
        An array of the shape of ``x``: the estimated gradient.

    Chapter 3 uses it.
    """
    _validate.float64_array("x", x)
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = float(f(x))
        x[index] = original - eps
        f_minus = float(f(x))
        x[index] = original
        # centred difference
        gradient[index] = (f_plus - f_minus) / (2.0 * eps)
    return gradient


def rel_error(a, b):
    """Relative error between two arrays: ||a - b|| / (||a|| + ||b||), with Frobenius norms.

    0 means equal; a correct float64 gradient against ``numerical_gradient`` gives about 1e-9 or
    less, a mistake in a backward pass 1e-2 or more. Norms, not entrywise ratios, so that entries
    that are zero (e.g. at masked steps) do not turn round-off into large ratios. Two zero arrays
    give 0.

    Args:
        a, b: arrays of the same shape.

    Returns:
        A Python float in [0, 1].

    Chapters 3, 8 and 10 use it.
    """
    a, b = _validate.same_shape("a", a, "b", b)
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / denominator)
