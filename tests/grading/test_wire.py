"""The sandbox boundary carries plain numbers and arrays only."""

import numpy as np
import pytest

from seqcourse.grading import wire


def _round_trip(value):
    arrays = {}
    tree = wire.encode(value, arrays)
    return wire.decode(tree, wire.unpack_arrays(wire.pack_arrays(arrays)))


def test_round_trip_keeps_structure_dtype_and_values():
    value = (np.arange(6.0).reshape(2, 3), [1, 2.5, True, None, "x"], {"h": np.float32(0.5)})
    back = _round_trip(value)
    assert isinstance(back, tuple) and back[0].dtype == np.float64
    np.testing.assert_array_equal(back[0], value[0])
    assert back[1] == [1, 2.5, True, None, "x"]
    assert back[2]["h"] == np.float32(0.5)


class Sub(np.ndarray):
    pass


class Number(float):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    "value, words",
    [
        (np.zeros(3).view(Sub), "Sub"),
        (Number(1.0), "Number"),
        (np.array([object()]), "dtype object"),
        (np.zeros(2, dtype=[("a", "f8")]), "dtype"),
        ({1: 2}, "keys"),
        (object(), "object"),
    ],
)
def test_what_cannot_cross_is_refused_by_type(value, words):
    with pytest.raises(wire.WireError, match=words):
        wire.encode(value, {})


def test_pickled_arrays_are_refused():
    import base64
    import io

    buffer = io.BytesIO()
    np.savez(buffer, a=np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        wire.unpack_arrays(base64.b64encode(buffer.getvalue()).decode())
