"""Which input steps a convolutional front end lets one output step see: its receptive field.

A front end is a list of ``(kernel_size, stride)`` pairs, bottom layer first, for layers with
``padding="valid"``: ``Conv1D(filters, K)`` is ``(K, 1)``, ``MaxPooling1D(P)`` and
``AveragePooling1D(P)`` are ``(P, P)`` (their default stride is their size).
"""


def _front_end(layers):
    layers = [tuple(layer) for layer in layers]
    if not layers:
        raise ValueError("layers must list at least one (kernel_size, stride) pair")
    for kernel_size, stride in layers:
        for name, value in (("kernel_size", kernel_size), ("stride", stride)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"each layer is (kernel_size, stride), both ints >= 1; got {name}={value!r}"
                )
    return layers


def output_length(layers, steps: int) -> int:
    """The number of output steps of the front end on ``steps`` input steps (``valid`` padding).

    Each layer maps ``L`` steps to ``(L - kernel_size) // stride + 1``.

    Chapter 6 uses it.
    """
    for kernel_size, stride in _front_end(layers):
        steps = (steps - kernel_size) // stride + 1
    return max(steps, 0)


def receptive_field(layers, index: int) -> tuple[int, int]:
    """The input steps ``[start, stop)`` that output step ``index`` of the front end depends on.

    Walking down from the top, output steps ``[a, b)`` of a layer read its input steps
    ``[a * stride, (b - 1) * stride + kernel_size)``. For ``Conv1D(K)`` then ``MaxPooling1D(P)``
    the field of pooled step ``i`` is ``[P i, P i + P + K - 1)``: ``K + P - 1`` steps.

    Args:
        layers: ``(kernel_size, stride)`` pairs, bottom layer first.
        index: an output step, >= 0.

    Returns:
        ``(start, stop)``, input step indices (``stop`` excluded).

    Chapter 6 shows it.
    """
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"index must be an int >= 0; got {index!r}")
    start, stop = index, index + 1
    for kernel_size, stride in reversed(_front_end(layers)):
        start, stop = start * stride, (stop - 1) * stride + kernel_size
    return start, stop
