"""Run chapter 9 in full mode with several training seeds: how robust are its accuracies?

Usage: .venv/bin/python scripts/bench_sentiment.py [--seeds 0 1 2 3 4]

Each run executes book/09_sentiment.md exactly as the book does (full mode), with the page's
`SEED` parameter changed, and reads the numbers the page glues: test accuracy of the bag of
words, NBSVM, the GRU from scratch, the GRU + GloVe and the combination of the GRU + GloVe with
NBSVM (log-odds weighted, the weight chosen on validation), the CPU seconds and epochs of
training, and the weight.
The data split is the same in every run; only the initialisation, dropout and batch order change.
Results print as Markdown table rows for BENCHMARKS.md, with the machine they ran on.
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import ROOT, _machine  # noqa: E402

from seqcourse.notebooks import execute_notebook, glued_values  # noqa: E402

CHAPTER = ROOT / "book" / "09_sentiment.md"
COLUMNS = (
    "acc_bow",
    "acc_nbsvm",
    "acc_plain",
    "acc_glove",
    "acc_combo",
    "cpu_plain",
    "cpu_glove",
    "epochs_glove",
    "w_gru",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    print(f"machine: {_machine()}")
    print(
        "| seed | bag of words (%) | NBSVM (%) | GRU (%) | GRU + GloVe (%) "
        "| GRU + GloVe & NBSVM (%) | CPU s GRU | CPU s GloVe | epochs GloVe | weight of GRU |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    glove, combo = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for seed in args.seeds:
            executed = execute_notebook(
                CHAPTER,
                Path(scratch) / f"09_seed{seed}.ipynb",
                fast=False,
                parameters={"SEED": seed},
                timeout=1800,
            )
            page = glued_values(executed)
            values = {name: float(page[name]) for name in COLUMNS}
            glove.append(values["acc_glove"])
            combo.append(values["acc_combo"])
            cells = " | ".join(f"{values[name]:.1f}" for name in COLUMNS[:-2])
            print(
                f"| {seed} | {cells} | {values['epochs_glove']:.0f} | {values['w_gru']:.2f} |",
                flush=True,
            )
    for name, accuracies in (("GRU + GloVe", glove), ("GRU + GloVe & NBSVM", combo)):
        print(
            f"{name} over {len(accuracies)} seeds: mean {statistics.mean(accuracies):.1f} %, "
            f"min {min(accuracies):.1f} %, max {max(accuracies):.1f} %"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
