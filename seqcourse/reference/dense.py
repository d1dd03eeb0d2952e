"""A fully connected (dense) layer, forward and backward: the output layer y = h V + c of an RNN.

The weights are in Keras's layout, so ``keras.layers.Dense(K).get_weights()`` plugs straight in:
``kernel`` (D, K) and ``bias`` (K,). Inputs may have any leading shape: (B, D) for one output per
sequence, (B, T, D) for one output per step (Keras applies Dense to the last axis in both cases).
"""

from seqcourse.reference import _validate


def dense_forward(inputs, kernel, bias):
    """A dense layer without activation: y = x V + c.

    Args:
        inputs: x, shape (..., D), e.g. (B, D) or (B, T, D).
        kernel: V, shape (D, K).
        bias: c, shape (K,).

    Returns:
        y, shape (..., K).

    Chapter 8 shows it; chapters 2, 9, 10 and 11 use it.
    """
    inputs, kernel, bias = _validate.dense_inputs(inputs, kernel, bias)
    # y = x V + c
    return inputs @ kernel + bias


def dense_backward(inputs, kernel, d_outputs):
    """Gradients of a loss L through ``dense_forward``, given dL/dy.

    Args:
        inputs: x, shape (..., D), as passed to ``dense_forward``.
        kernel: V, shape (D, K).
        d_outputs: dL/dy, shape (..., K).

    Returns:
        A dict: ``"inputs"`` dL/dx (..., D), ``"kernel"`` dL/dV (D, K) and ``"bias"`` dL/dc (K,).
        The weight gradients are summed over every leading axis (batch and, if present, time).

    No chapter calls it directly; :func:`simple_rnn_regression_loss_and_grads` (chapter 3) uses it.
    """
    inputs, kernel, d_outputs = _validate.dense_backward_inputs(inputs, kernel, d_outputs)
    input_dim, output_dim = kernel.shape
    flat_inputs = inputs.reshape(-1, input_dim)  # (N, D), N = all leading positions
    flat_d_outputs = d_outputs.reshape(-1, output_dim)  # (N, K)
    return {
        "inputs": d_outputs @ kernel.T,  # dL/dx = dL/dy V^T
        "kernel": flat_inputs.T @ flat_d_outputs,  # dL/dV = sum_n x_n^T dL/dy_n
        "bias": flat_d_outputs.sum(axis=0),  # dL/dc = sum_n dL/dy_n
    }
