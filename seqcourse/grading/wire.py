"""The data format between the grader and its sandboxed child: JSON plus ``.npz``, never pickle.

This module is copied next to ``child.py`` into every sandbox, so it imports only the standard
library and NumPy, and it must never call a method of an object it did not create: the child uses
:func:`encode` on whatever a submission returned, so every check is on ``type(value)`` exactly (an
``ndarray`` subclass, an ``int`` subclass or an object with a clever ``__eq__`` is refused, not
converted).

A value is encoded as a JSON tree in which every array is replaced by ``{"__array__": key}`` and the
arrays themselves go to one ``.npz`` blob (``np.savez``; read back with ``allow_pickle=False``).
"""

import base64
import io

import numpy as np

# dtype kinds that may cross the boundary: bool, signed/unsigned int, float, complex.
NUMERIC_KINDS = frozenset("biufc")
MAX_DEPTH = 8


class WireError(ValueError):
    """A value that cannot be sent across the sandbox boundary (the message says why)."""


def describe_type(value) -> str:
    """``module.qualname`` of ``type(value)``, computed without calling into the value."""
    kind = type(value)
    module = getattr(kind, "__module__", "?")
    return f"{module}.{kind.__qualname__}" if module != "builtins" else kind.__qualname__


def encode(value, arrays: dict[str, np.ndarray], depth: int = 0):
    """Return a JSON-able tree for ``value``, storing its arrays in ``arrays`` (mutated).

    Accepted: exact ``numpy.ndarray`` of a numeric or bool dtype, NumPy numeric scalars, Python
    ``bool``/``int``/``float``/``str``/``None``, and ``list``/``tuple``/``dict`` (string keys) of
    those.
    Anything else raises :class:`WireError` naming the type.
    """
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    kind = type(value)
    if kind is np.ndarray:
        if value.dtype.kind not in NUMERIC_KINDS or value.dtype.fields is not None:
            raise WireError(f"an array of dtype {value.dtype} (expected numbers)")
        key = f"a{len(arrays)}"
        arrays[key] = np.array(value, copy=True, order="C")
        return {"__array__": key}
    if kind in (bool, int, float, str) or value is None:
        if kind is int and abs(value) > 2**62:
            raise WireError("an integer too large to send")
        return value
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        if value.dtype.kind not in NUMERIC_KINDS:
            raise WireError(f"a NumPy scalar of dtype {value.dtype}")
        key = f"a{len(arrays)}"
        arrays[key] = np.array(value)
        return {"__array__": key, "scalar": True}
    if kind in (list, tuple):
        items = [encode(item, arrays, depth + 1) for item in value]
        return {"__tuple__": items} if kind is tuple else items
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise WireError("a dict whose keys are not all strings")
        if "__array__" in value or "__tuple__" in value:
            raise WireError("a dict with a reserved key")
        return {k: encode(v, arrays, depth + 1) for k, v in value.items()}
    raise WireError(f"an object of type {describe_type(value)}")


def decode(tree, arrays, depth: int = 0):
    """Inverse of :func:`encode`: rebuild the value from the JSON tree and the loaded arrays."""
    if depth > MAX_DEPTH + 1:
        raise WireError("value nested too deeply")
    if isinstance(tree, dict):
        if "__array__" in tree:
            key = tree["__array__"]
            if not isinstance(key, str) or key not in arrays:
                raise WireError(f"missing array {key!r}")
            array = np.asarray(arrays[key])
            if array.dtype.kind not in NUMERIC_KINDS:
                raise WireError(f"array of dtype {array.dtype}")
            return array[()] if tree.get("scalar") else array
        if "__tuple__" in tree:
            return tuple(decode(item, arrays, depth + 1) for item in tree["__tuple__"])
        return {k: decode(v, arrays, depth + 1) for k, v in tree.items()}
    if isinstance(tree, list):
        return [decode(item, arrays, depth + 1) for item in tree]
    return tree


def pack_arrays(arrays: dict[str, np.ndarray]) -> str:
    """The arrays as one base64 ``.npz`` string (empty string for no arrays)."""
    if not arrays:
        return ""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def unpack_arrays(blob: str, max_bytes: int = 256 * 2**20) -> dict[str, np.ndarray]:
    """Inverse of :func:`pack_arrays`; refuses pickled objects and oversized blobs."""
    if not blob:
        return {}
    if len(blob) > max_bytes * 4 // 3 + 4:
        raise WireError("result arrays larger than the grader accepts")
    raw = base64.b64decode(blob.encode("ascii"), validate=True)
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}
