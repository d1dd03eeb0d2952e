"""Grading throughput: submissions per minute with --jobs 1 and --jobs 2.

Two workloads, both graded in the bubblewrap sandbox exactly as ``seqcourse grade`` does:

* NumPy-only: the function and value questions of ``02_rnn_from_scratch`` (five questions, no
  TensorFlow in the sandbox), on copies of the solution notebook;
* Keras model: the whole ``01_sequence_data`` (three NumPy questions and a Keras model the sandbox
  trains within its time budget), on copies of the solution notebook.

Usage: ``python scripts/bench_grading.py [--numpy 16] [--keras 4] [--full]`` (fast-mode training
budgets unless ``--full``). Prints a Markdown table for BENCHMARKS.md.
"""

import argparse
import dataclasses
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from seqcourse.grading import batch, registry, sandbox

ROOT = Path(__file__).resolve().parent.parent


def _numpy_only(name: str):
    full = registry.get_assignment(name)
    questions = tuple(q for q in full.questions if q.kind != "model")
    return dataclasses.replace(full, name=f"{name} (NumPy questions)", questions=questions)


def _bench(assignment, source: Path, copies: int, jobs: int, fast: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as directory:
        folder = Path(directory) / "submissions"
        folder.mkdir()
        for i in range(copies):
            shutil.copy(source, folder / f"student{i:03d}.md")
        submissions = batch.find_submissions(folder)
        started = time.perf_counter()
        results = batch.grade_batch(
            submissions, assignment, Path(directory) / "out", jobs=jobs, fast=fast, progress=False
        )
        seconds = time.perf_counter() - started
    full = sum(r.total == r.max_total for r in results.values())
    per_submission = sorted(r.seconds for r in results.values())
    return {
        "seconds": seconds,
        "per_minute": 60.0 * copies / seconds,
        "median_submission": per_submission[len(per_submission) // 2],
        "full_marks": f"{full}/{copies}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numpy", type=int, default=16, help="NumPy-only submissions")
    parser.add_argument("--keras", type=int, default=4, help="Keras-model submissions")
    parser.add_argument("--full", action="store_true", help="full (not fast) training budgets")
    args = parser.parse_args()
    fast = not args.full
    workloads = [
        (
            "NumPy-only (02, 5 questions)",
            _numpy_only("02_rnn_from_scratch"),
            ROOT / "solutions" / "02_rnn_from_scratch.md",
            args.numpy,
        ),
        (
            "Keras model (01, 3 NumPy + 1 model)",
            registry.get_assignment("01_sequence_data"),
            ROOT / "solutions" / "01_sequence_data.md",
            args.keras,
        ),
    ]
    # Warm-up: the parent's one-off costs (cases, references, the dataset copy for the sandbox).
    _bench(workloads[0][1], workloads[0][2], 1, 1, fast)
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"isolation: {sandbox.isolation()}; training budgets: {'fast' if fast else 'full'}")
    print()
    print(
        "| workload | jobs | submissions | wall (s) | submissions/min | median per submission (s) |"
    )
    print("|---|---|---|---|---|---|")
    for label, assignment, source, copies in workloads:
        for jobs in (1, 2):
            row = _bench(assignment, source, copies, jobs, fast)
            print(
                f"| {label} | {jobs} | {copies} ({row['full_marks']} full marks) | "
                f"{row['seconds']:.1f} | {row['per_minute']:.1f} | {row['median_submission']:.2f} |"
            )


if __name__ == "__main__":
    main()
