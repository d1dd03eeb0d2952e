"""Shape checks for the reference layers.

NumPy broadcasts silently: a bias of the wrong length, or a (B, D) input where (B, T, D) was
meant, can still produce an array, just a wrong one. Every public function of
``seqcourse.reference`` therefore checks its arguments here first, and a bad one raises a
``ValueError`` that names the argument, the shape it must have (with the numbers filled in) and the
shape it got.
"""

import numpy as np

# Number of gate blocks side by side in kernel, recurrent_kernel and bias, and their Keras order.
GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
GATE_ORDER = {
    "SimpleRNN": "",
    "LSTM": ", gates in Keras order i, f, c, o",
    "GRU": ", gates z, r, h",
}
ACTIVATION_NAMES = ("tanh", "sigmoid", "relu", "linear")
MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _array(name, value):
    """``value`` as a NumPy array of numbers (or booleans), else a ValueError naming ``name``."""
    array = np.asarray(value)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise ValueError(f"{name} must be a numeric array; got dtype {array.dtype}")
    return array


def _dims(numbers):
    """(2, 3) as "2, 3, ", to start a shape whose last axes are symbols."""
    return "".join(f"{n}, " for n in numbers)


def _shape_text(symbols):
    return "(" + ", ".join(symbols) + ("," if len(symbols) == 1 else "") + ")"


def rank(name, value, symbols, hint="", why=""):
    """``value`` as an array with one axis per symbol; the symbols name them, e.g. ("B", "T")."""
    array = _array(name, value)
    if array.ndim != len(symbols):
        raise ValueError(
            f"{name} must be a {len(symbols)}-D array of shape {_shape_text(symbols)}{why}; "
            f"got shape {array.shape}{hint}"
        )
    return array


def shape(name, value, symbols, expected, why=""):
    """``value`` as an array of exactly the shape ``expected``; ``symbols`` name its axes."""
    array = rank(name, value, symbols, why=why)
    expected = tuple(int(n) for n in expected)
    if array.shape != expected:
        raise ValueError(
            f"{name} must have shape {_shape_text(symbols)} = {expected}{why}; got {array.shape}"
        )
    return array


def float_dtype(*arrays):
    """The floating dtype results should have: float32 if every input is float32, else float64."""
    return np.result_type(*arrays, np.float32)


def activation_name(name):
    if name not in ACTIVATION_NAMES:
        raise ValueError(f"activation must be one of {ACTIVATION_NAMES}; got {name!r}")
    return name


def merge_mode(mode):
    if mode not in MERGE_MODES:
        raise ValueError(f"merge_mode must be one of {MERGE_MODES}; got {mode!r}")
    return mode


def same_shape(name_a, a, name_b, b):
    a = _array(name_a, a)
    b = _array(name_b, b)
    if a.shape != b.shape:
        raise ValueError(f"{name_b} must have the shape of {name_a}, {a.shape}; got {b.shape}")
    return a, b


def float64_array(name, value):
    if not isinstance(value, np.ndarray) or value.dtype != np.float64:
        got = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
        raise ValueError(
            f"{name} must be a float64 NumPy array (it is changed in place, and float32 is too "
            f"coarse for a centred difference); got {got}"
        )
    return value


def logits_and_labels(logits, labels):
    logits = _array("logits", logits)
    labels = _array("labels", labels)
    if logits.ndim < 1:
        raise ValueError(f"logits must have shape (..., C) with C classes; got {logits.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integer class indices; got dtype {labels.dtype}")
    if labels.shape != logits.shape[:-1]:
        raise ValueError(
            f"labels must have shape {logits.shape[:-1]} (the shape of logits without its last "
            f"axis of C = {logits.shape[-1]} classes); got {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[-1]):
        raise ValueError(
            f"labels must lie in [0, {logits.shape[-1]}); got {labels.min()}..{labels.max()}"
        )
    return logits.astype(float_dtype(logits)), labels


# --- recurrent layers ---------------------------------------------------------------------------


def sequence(name, value):
    """A batch of sequences, shape (B, T, D) with B, T, D >= 1."""
    hint = "; for one sequence add a batch axis, e.g. x[None]" if np.ndim(value) == 2 else ""
    array = rank(name, value, ("B", "T", "D"), hint)
    if 0 in array.shape:
        raise ValueError(f"{name} must have B, T, D >= 1 in its shape (B, T, D); got {array.shape}")
    return array


def recurrent_weights(layer, kernel, recurrent_kernel, bias, input_dim, reset_after=True):
    """Check the Keras-layout weights of a "SimpleRNN", "LSTM" or "GRU"; return them and H."""
    gates = GATES[layer]
    block = "H" if gates == 1 else f"{gates}*H"
    order = GATE_ORDER[layer]
    recurrent_kernel = rank("recurrent_kernel", recurrent_kernel, ("H", block))
    units = recurrent_kernel.shape[0]
    if units == 0 or recurrent_kernel.shape[1] != gates * units:
        raise ValueError(
            f"recurrent_kernel must have shape (H, {block}){order}; got {recurrent_kernel.shape}"
        )
    kernel = shape(
        "kernel",
        kernel,
        ("D", block),
        (input_dim, gates * units),
        f" (D = {input_dim} features of the input, H = {units} units from recurrent_kernel{order})",
    )
    if layer == "GRU" and reset_after:
        bias = shape(
            "bias",
            bias,
            ("2", "3*H"),
            (2, 3 * units),
            " for reset_after=True (row 0 the input bias, row 1 the recurrent bias; "
            "a (3*H,) bias is the reset_after=False layout)",
        )
    else:
        why = " for reset_after=False (a (2, 3*H) bias is the reset_after=True layout)"
        bias = shape(
            "bias",
            bias,
            (block,),
            (gates * units,),
            why if layer == "GRU" else f" ({layer}{order})",
        )
    return kernel, recurrent_kernel, bias, units


def mask(value, batch, steps):
    """A (B, T) mask as booleans (nonzero = keep, as in Keras); all True if ``value`` is None."""
    if value is None:
        return np.ones((batch, steps), dtype=bool)
    return shape("mask", value, ("B", "T"), (batch, steps)).astype(bool)


def state(name, value, batch, units, dtype):
    """An initial state of shape (B, H), cast to ``dtype``; zeros when ``value`` is None."""
    if value is None:
        return np.zeros((batch, units), dtype=dtype)
    return shape(name, value, ("B", "H"), (batch, units)).astype(dtype)


def recurrent_inputs(layer, x, kernel, recurrent_kernel, bias, mask_value=None, reset_after=True):
    """Check a whole-sequence call; return x, kernel, recurrent_kernel, bias, mask (B, T) and H."""
    x = sequence("x", x)
    batch, steps, input_dim = x.shape
    kernel, recurrent_kernel, bias, units = recurrent_weights(
        layer, kernel, recurrent_kernel, bias, input_dim, reset_after
    )
    return x, kernel, recurrent_kernel, bias, mask(mask_value, batch, steps), units


def recurrent_step_inputs(layer, x_t, h_prev, kernel, recurrent_kernel, bias, reset_after=True):
    """Check a one-step call: x_t (B, D) and h_prev (B, H); returns x_t, h_prev and the weights."""
    hint = "; a step takes one time step x[:, t], not a whole sequence" if np.ndim(x_t) == 3 else ""
    x_t = rank("x_t", x_t, ("B", "D"), hint)
    batch, input_dim = x_t.shape
    kernel, recurrent_kernel, bias, units = recurrent_weights(
        layer, kernel, recurrent_kernel, bias, input_dim, reset_after
    )
    h_prev = shape("h_prev", h_prev, ("B", "H"), (batch, units))
    return x_t, h_prev, kernel, recurrent_kernel, bias


def upstream_gradient(name, value, symbols, expected, dtype):
    """A gradient flowing into a backward pass; zeros of shape ``expected`` if ``value`` is None."""
    if value is None:
        return np.zeros(expected, dtype=dtype)
    return shape(name, value, symbols, expected).astype(dtype)


def dense_inputs(inputs, kernel, bias):
    inputs = _array("inputs", inputs)
    if inputs.ndim < 1:
        raise ValueError(f"inputs must have shape (..., D); got {inputs.shape}")
    input_dim = inputs.shape[-1]
    kernel = rank("kernel", kernel, ("D", "K"))
    if kernel.shape[0] != input_dim:
        raise ValueError(
            f"kernel must have shape (D, K) with D = {input_dim} (the last axis of inputs); "
            f"got {kernel.shape}"
        )
    bias = shape("bias", bias, ("K",), (kernel.shape[1],))
    return inputs, kernel, bias


def dense_backward_inputs(inputs, kernel, d_outputs):
    kernel = rank("kernel", kernel, ("D", "K"))
    inputs, kernel, _ = dense_inputs(inputs, kernel, np.zeros(kernel.shape[1]))
    d_outputs = _array("d_outputs", d_outputs)
    expected = inputs.shape[:-1] + (kernel.shape[1],)
    if d_outputs.shape != expected:
        raise ValueError(
            f"d_outputs must have shape (..., K) = {expected}, the shape of the layer's output; "
            f"got {d_outputs.shape}"
        )
    return inputs, kernel, d_outputs


# --- attention ----------------------------------------------------------------------------------


def attention_inputs(query, key, value, same_depth=True):
    """query (B, Tq, d), key (B, Tk, d) and value (B, Tk, dv) with matching B and Tk."""
    query = rank("query", query, ("B", "Tq", "d"))
    batch, _, depth = query.shape
    key = rank("key", key, ("B", "Tk", "d"))
    if key.shape[0] != batch or (same_depth and key.shape[2] != depth):
        expected = f"({batch}, Tk, {depth})" if same_depth else f"({batch}, Tk, d_k)"
        raise ValueError(
            f"key must have shape (B, Tk, d) = {expected}, B and d as in query; got {key.shape}"
        )
    value = rank("value", value, ("B", "Tk", "dv"))
    if value.shape[:2] != key.shape[:2]:
        raise ValueError(
            f"value must have shape (B, Tk, dv) = ({batch}, {key.shape[1]}, dv), B and Tk as in "
            f"key; got {value.shape}"
        )
    return query, key, value


def attention_mask(value, scores_shape, key_mask=False):
    """A boolean mask (True where a query may attend to a key), broadcast to ``scores_shape``.

    The mask broadcasts from the right as NumPy does, e.g. (Tq, Tk) or (B, 1, Tk) for scores
    (B, Tq, Tk). With ``key_mask=True`` (the Keras ``Attention`` layers), a 2-D mask is instead
    Keras's value mask and must be (B, Tk).
    """
    if value is None:
        return None
    array = _array("mask", value)
    scores_shape = tuple(scores_shape)
    if key_mask and array.ndim == 2:
        expected = (scores_shape[0], scores_shape[-1])
        if array.shape != expected:
            raise ValueError(
                f"mask must have shape (B, Tk) = {expected} or (B, Tq, Tk) = "
                f"{scores_shape}; got {array.shape}"
            )
        array = array[:, None, :]
    elif array.ndim > len(scores_shape) or any(
        m not in (1, s) for m, s in zip(array.shape[::-1], scores_shape[::-1], strict=False)
    ):
        raise ValueError(
            f"mask must broadcast to the scores' shape (..., Tq, Tk) = {scores_shape} (an axis may "
            f"be 1 or left out on the left); got {array.shape}"
        )
    return np.broadcast_to(array.astype(bool), scores_shape)


def attention_stack(query, key, value):
    """scaled_dot_product_attention's q (..., Tq, dk), k (..., Tk, dk), v (..., Tk, dv)."""
    query = _array("q", query)
    key = _array("k", key)
    value = _array("v", value)
    if query.ndim < 2:
        raise ValueError(f"q must have shape (..., Tq, dk); got {query.shape}")
    leading, depth = query.shape[:-2], query.shape[-1]
    if key.shape[:-2] != leading or key.ndim != query.ndim or key.shape[-1] != depth:
        raise ValueError(
            f"k must have shape (..., Tk, dk) = ({_dims(leading)}Tk, {depth}), leading axes and dk "
            f"as in q; got {key.shape}"
        )
    if value.ndim != key.ndim or value.shape[:-1] != key.shape[:-1]:
        raise ValueError(
            f"v must have shape (..., Tk, dv) = ({_dims(key.shape[:-1])}dv), leading axes and Tk "
            f"as in k; got {value.shape}"
        )
    return query, key, value


def projection(name, kernel, input_name, input_dim, output_dim=None):
    """A projection kernel (d_in, d_out) applied to ``input_name``, whose last axis is d_in."""
    kernel = rank(name, kernel, ("d_in", "d_out"))
    if kernel.shape[0] != input_dim or (output_dim is not None and kernel.shape[1] != output_dim):
        expected_out = "da" if output_dim is None else str(output_dim)
        raise ValueError(
            f"{name} must have shape (d_in, da) = ({input_dim}, {expected_out}), d_in the last "
            f"axis of {input_name}, da the depth of the projected query; got {kernel.shape}"
        )
    return kernel


def head_weights(name, kernel, bias, input_dim, heads=None, head_dim=None):
    """A MultiHeadAttention projection: kernel (d, N, h) and bias (N, h)."""
    kernel = rank(f"{name}_kernel", kernel, ("d", "N", "h"))
    if kernel.shape[0] != input_dim:
        raise ValueError(
            f"{name}_kernel must have shape (d, N, h) with d = {input_dim} (the last axis of "
            f"{name}); got {kernel.shape}"
        )
    if heads is not None and kernel.shape[1] != heads:
        raise ValueError(
            f"{name}_kernel must have shape (d, N, h) with N = {heads} heads as query_kernel; "
            f"got {kernel.shape}"
        )
    if head_dim is not None and kernel.shape[2] != head_dim:
        raise ValueError(
            f"{name}_kernel must have shape (d, N, h) with h = {head_dim} (the key_dim of "
            f"query_kernel); got {kernel.shape}"
        )
    bias = shape(f"{name}_bias", bias, ("N", "h"), kernel.shape[1:])
    return kernel, bias
