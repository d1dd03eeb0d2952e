"""Forward throughput of the NumPy reference layers against Keras on CPU.

    .venv/bin/python scripts/bench_reference.py [--batch 64 --steps 100 --features 32 --units 128]

For SimpleRNN, LSTM and GRU with the same float32 weights, it times one forward pass over a batch of
(B, T, D) = (64, 100, 32) inputs with H = 128 units, three ways:

* NumPy: ``simple_rnn_forward`` / ``lstm_forward`` / ``gru_forward`` from ``seqcourse.reference``;
* Keras eager: ``layer(x)``, the layer called directly (TensorFlow eager mode);
* Keras compiled: ``model.predict_on_batch(x)``, the same layer in a ``keras.Sequential`` model run
  through Keras's compiled predict function (a ``tf.function`` graph; the model's ``jit_compile``
  setting is printed).

Each is warmed up once, then timed ``--repeats`` times; the best (shortest) time is reported,
since on a shared machine the other runs measure the neighbours' load, with throughput in
sequences per second and the ratio NumPy time / Keras time (above 1: NumPy is slower). The outputs
of the three are checked to agree. This is a benchmark, not a test: the numbers go in BENCHMARKS.md.
"""

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from seqcourse import reference as ref  # noqa: E402

LAYERS = {
    "SimpleRNN": (keras.layers.SimpleRNN, ref.simple_rnn_forward),
    "LSTM": (keras.layers.LSTM, ref.lstm_forward),
    "GRU": (keras.layers.GRU, ref.gru_forward),
}


def best_seconds(function, repeats):
    function()  # warm-up: builds, traces, fills caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def blas_summary():
    """NumPy's OpenBLAS: the kernel it runs (its core name), its threads and its configuration."""
    import ctypes
    import glob

    libraries = glob.glob(
        os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*")
    )
    if not libraries:
        return "not NumPy's bundled OpenBLAS"
    blas = ctypes.CDLL(libraries[0])
    parts = []
    for label, symbol in (
        ("core", "scipy_openblas_get_corename64_"),
        ("config", "scipy_openblas_get_config64_"),
    ):
        function = getattr(blas, symbol, None)
        if function is not None:
            function.restype = ctypes.c_char_p
            parts.append(f"{label} {function().decode().strip()}")
    threads = getattr(blas, "scipy_openblas_get_num_threads64_", None)
    if threads is not None:
        parts.append(f"{threads()} threads")
    return "; ".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    batch, steps, features, units = args.batch, args.steps, args.features, args.units

    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}")
    print(f"numpy {np.__version__}, tensorflow {tf.__version__}, keras {keras.__version__}")
    print(f"BLAS: {blas_summary()}")
    for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        print(f"{variable}={os.environ.get(variable, '(unset)')}")
    print(
        f"(B, T, D, H) = ({batch}, {steps}, {features}, {units}), float32, best of {args.repeats}"
    )
    print(f"load average before the run: {os.getloadavg()[0]:.2f}")
    print()
    header = (
        "| layer | NumPy ms | Keras eager ms | Keras predict_on_batch ms | NumPy seq/s | "
        "NumPy / eager | NumPy / predict_on_batch |"
    )
    print(header)
    print("|" + " --- |" * 7)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, steps, features)).astype(np.float32)
    for name, (layer_class, numpy_forward) in LAYERS.items():
        layer = layer_class(units, return_sequences=True)
        model = keras.Sequential([keras.Input((steps, features)), layer])
        weights = [rng.uniform(-0.1, 0.1, w.shape).astype(np.float32) for w in layer.get_weights()]
        layer.set_weights(weights)

        numpy_outputs = numpy_forward(x, *weights)[0]
        eager_outputs = np.asarray(layer(x))
        compiled_outputs = np.asarray(model.predict_on_batch(x))
        for label, other in (("eager", eager_outputs), ("predict_on_batch", compiled_outputs)):
            error = float(np.max(np.abs(numpy_outputs - other)))
            assert error < 1e-5, f"{name}: NumPy and Keras {label} disagree by {error}"

        numpy_time = best_seconds(lambda f=numpy_forward, w=weights: f(x, *w), args.repeats)
        eager_time = best_seconds(lambda lay=layer: lay(x), args.repeats)
        compiled_time = best_seconds(lambda m=model: m.predict_on_batch(x), args.repeats)
        print(
            f"| {name} | {1e3 * numpy_time:.1f} | {1e3 * eager_time:.1f} | "
            f"{1e3 * compiled_time:.1f} | {batch / numpy_time:.0f} | "
            f"{numpy_time / eager_time:.2f} | {numpy_time / compiled_time:.2f} |"
        )
    print()
    print(f"Keras model.jit_compile = {model.jit_compile}")


if __name__ == "__main__":
    main()
