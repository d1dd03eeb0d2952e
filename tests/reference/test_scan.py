"""The shared masked loop agrees with the loop chapter 2 writes out in full."""

import numpy as np

from seqcourse.reference import simple_rnn_forward, simple_rnn_step
from seqcourse.reference.scan import masked_scan


def test_masked_scan_matches_the_explicit_simple_rnn_loop():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 6, 2))
    kernel, recurrent, bias = rng.normal(size=(2, 4)), rng.normal(size=(4, 4)), rng.normal(size=4)
    h0 = rng.normal(size=(3, 4))
    mask = np.array([[1, 1, 0, 1, 0, 0], [0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]], dtype=bool)

    def step(x_t, h):
        return (simple_rnn_step(x_t, h, kernel, recurrent, bias),)

    outputs, (h_final,), (h_read,) = masked_scan(step, x, (h0,), mask)
    want_outputs, want_h, cache = simple_rnn_forward(
        x, kernel, recurrent, bias, h0=h0, mask=mask, return_cache=True
    )
    np.testing.assert_allclose(outputs, want_outputs, rtol=1e-12)
    np.testing.assert_allclose(h_final, want_h, rtol=1e-12)
    np.testing.assert_allclose(h_read, cache["h_prev"], rtol=1e-12)
    # sequence 1 starts masked: its outputs are zeros there, though h0 is not
    assert np.all(outputs[1, :2] == 0) and np.all(h_read[1, :3] == h0[1])
