"""Repeat the book's timing measurements: do the speed claims of chapters 6 and 15 hold?

Usage: .venv/bin/python scripts/bench_timing.py [--repeats 5] [--modes fast full]

The pages measure seconds but assert only what the clock does not decide (steps read, positions
computed), because a clock on a shared machine also times other jobs. This script executes
book/06_deep_bidirectional.md and book/15_practice.md as the tests (fast mode) and the book
(full mode) do, several times, and reads the timings each page glues:

- chapter 6: seconds per epoch of a GRU and of a Conv1D + pooling + GRU hybrid;
- chapter 15: serving the same requests with batches padded to the maximum length and by bucket
  (and the positions each computes), throughput in batches of 128 against one at a time, and how
  one request's latency grows from 8 to 256 tokens for the GRU and the Transformer.

It prints Markdown table rows for BENCHMARKS.md with the machine they ran on, and how often each
claim held. A claim that fails here is a claim the page's prose must not make.
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import ROOT, _machine  # noqa: E402

from seqcourse.notebooks import execute_notebook, glued_values  # noqa: E402

CHAPTERS = {
    "hybrid": ROOT / "book" / "06_deep_bidirectional.md",
    "serving": ROOT / "book" / "15_practice.md",
}


def measurements(hybrid: dict[str, str], serving: dict[str, str]) -> dict[str, float]:
    """The timing ratios of one execution of both pages, from their glued values."""
    value = {**hybrid, **serving}.get

    def ratio(numerator: str, denominator: str) -> float:
        return float(value(numerator)) / float(value(denominator))

    return {
        "epoch GRU / hybrid": ratio("pure_seconds", "hybrid_seconds"),
        "positions max / bucket": float(value("work_ratio")),
        "seconds max / bucket": ratio("seconds_max", "seconds_bucket"),
        "LSTM rate 128 / 1": ratio("lstm_rate128", "lstm_rate1"),
        "GRU rate 128 / 1": ratio("gru_rate128", "gru_rate1"),
        "Transformer rate 128 / 1": ratio("tf_rate128", "tf_rate1"),
        "GRU latency 256 / 8": float(value("growth_gru")),
        "Transformer latency 256 / 8": float(value("growth_tf")),
    }


# What the pages say of these ratios (chapter 6's figure caption: shorter epochs; chapter 15:
# batching raises throughput, GRU latency grows faster) or a reader would read into them.
CLAIMS = {
    "the hybrid's epochs are shorter": lambda m: m["epoch GRU / hybrid"] > 1,
    "buckets serve faster than maximum padding": lambda m: m["seconds max / bucket"] > 1,
    "batches of 128 at least double throughput": lambda m: (
        min(m[f"{name} rate 128 / 1"] for name in ("LSTM", "GRU", "Transformer")) > 2
    ),
    "GRU latency grows more with length than the Transformer's": lambda m: (
        m["GRU latency 256 / 8"] > m["Transformer latency 256 / 8"]
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="executions per mode")
    parser.add_argument("--modes", nargs="+", choices=("fast", "full"), default=["fast", "full"])
    args = parser.parse_args()
    print(f"machine: {_machine()}")
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        for mode in args.modes:
            for repeat in range(args.repeats):
                pages = {
                    key: glued_values(
                        execute_notebook(
                            path,
                            Path(scratch) / f"{key}_{mode}_{repeat}.ipynb",
                            fast=mode == "fast",
                            timeout=3600,
                        )
                    )
                    for key, path in CHAPTERS.items()
                }
                runs.append((mode, measurements(pages["hybrid"], pages["serving"])))
                if repeat == 0 and mode == args.modes[0]:
                    print("| mode | " + " | ".join(runs[0][1]) + " |")
                    print("|---" * (len(runs[0][1]) + 1) + "|")
                cells = " | ".join(f"{v:.2f}" for v in runs[-1][1].values())
                print(f"| {mode} | {cells} |", flush=True)
    for mode in args.modes:
        of_mode = [m for run_mode, m in runs if run_mode == mode]
        medians = {k: statistics.median(m[k] for m in of_mode) for k in of_mode[0]}
        summary = ", ".join(f"{k} {v:.2f}" for k, v in medians.items())
        print(f"{mode}, median of {len(of_mode)}: {summary}")
        for claim, holds in CLAIMS.items():
            print(f"  {claim}: held in {sum(holds(m) for m in of_mode)} of {len(of_mode)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
