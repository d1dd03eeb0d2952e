"""Model questions against their baselines: the solution's score, every trivial submission's, the
baselines the grader fits and the pass mark, per question, mode and training seed.

Each model question is graded exactly as ``seqcourse grade`` does (bubblewrap sandbox, the
question's epochs and CPU budget), with the solution's builder cell (``solutions/NAME.md``) and
the trivial submissions of ``tests/grading/trivial.py`` in one sandbox run per seed; the training
seed is varied with :class:`seqcourse.grading.runner.Prepared`'s ``seed`` (grading uses 0).

Usage: ``python scripts/bench_grading_baselines.py [--full] [--seeds 0 1 2] [--only 04_lstm ...]``.
Prints a Markdown table for BENCHMARKS.md ("Grading against baselines").
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the trivial submissions live with the tests

from seqcourse.grading import registry, sandbox  # noqa: E402
from seqcourse.grading.spec import ModelQuestion  # noqa: E402
from tests.grading.trivial import grade_contenders  # noqa: E402


def _with_models() -> list[str]:
    return sorted(
        name
        for name, assignment in registry.assignments().items()
        if name[:2].isdigit() and any(isinstance(q, ModelQuestion) for q in assignment.questions)
    )


def _number(value) -> str:
    return "-" if value is None else f"{value:.4g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="full (not fast) data and budgets")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--only", nargs="+", help="assignments to measure (default: all)")
    args = parser.parse_args()
    os.environ.setdefault("SEQCOURSE_GRADING_SALT", "0")
    mode = "full" if args.full else "fast"
    print(
        f"{platform.node()}, {platform.processor() or platform.machine()}, {os.cpu_count()} "
        f"cores, load average {os.getloadavg()[0]:.1f} at the start; {mode} mode",
        flush=True,
    )
    print(
        "\n| question | mode | seed | submission | metric | value | best baseline | needed "
        "| score | CPU s |\n|---|---|---|---|---|---|---|---|---|---|",
        flush=True,
    )
    baselines_seen = {}
    for name in args.only or _with_models():
        assignment = registry.get_assignment(name)
        for seed in args.seeds:
            started = time.monotonic()
            limits = sandbox.Limits(timeout=3600)  # the load of a shared machine sets wall time
            verdicts, _ = grade_contenders(
                assignment, ["0"], fast=not args.full, seed=seed, limits=limits
            )
            for label, verdict in verdicts["0"].items():
                numbers = verdict.numbers
                question = verdict.name.split(" [")[0]
                metric = next(q.metric for q in assignment.questions if q.name == question)
                if numbers.get("baselines"):
                    baselines_seen[question] = numbers["baselines"]
                best = numbers.get("best")
                best_text = f"{best} {_number(numbers['baselines'].get(best))}" if best else "-"
                reason = "" if numbers else f" ({verdict.lines[0][:60]})" if verdict.lines else ""
                training = next((line for line in verdict.lines if "cpu_seconds" in line), "")
                cpu = training.split('"cpu_seconds": ')[-1].rstrip("}") if training else "-"
                print(
                    f"| {question} | {mode} | {seed} | {label}{reason} | {metric} "
                    f"| {_number(numbers.get('value'))} | {best_text} "
                    f"| {_number(numbers.get('needed'))} | {verdict.score:g}/{verdict.max_score:g} "
                    f"| {cpu} |",
                    flush=True,
                )
            wall = time.monotonic() - started
            print(f"<!-- {name} seed {seed}: {wall:.0f} s wall -->", flush=True)
    print("\nBaselines on the hidden data (salt 0):\n")
    for question, scores in baselines_seen.items():
        listed = "; ".join(f"{k} {_number(v)}" for k, v in scores.items())
        print(f"- {question}: {listed}")


if __name__ == "__main__":
    main()
