"""Run chapter 16 in full mode with several training seeds: does attention beat the initial-state
captioner on held-out images, and how long does each training take?

Usage: .venv/bin/python scripts/bench_captioning.py [--seeds 0 1 2]

Each run executes book/16_image_captioning.md exactly as the book does (full mode), with the page's
`SEED` parameter changed, and reads the numbers the page glues: greedy and beam BLEU and greedy
exact match of both captioners on the test images, the BLEU their captions get against another
image's reference (what ignoring the image earns), how often the attention model looked most at
the object whose shape word it wrote, and the seconds each training took. The images
and splits are the same in every run; only the initialisation and batch order change.
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

CHAPTER = ROOT / "book" / "16_image_captioning.md"
COLUMNS = (
    "bleu_init_greedy",
    "bleu_init_beam",
    "em_init_greedy",
    "blind_init",
    "bleu_att_greedy",
    "bleu_att_beam",
    "em_att_greedy",
    "blind_att",
    "looks_right",
    "sec_init",
    "sec_att",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    print(f"machine: {_machine()}")
    print(
        "| seed | initial state: BLEU greedy | beam | exact (%) | other image's BLEU "
        "| attention: BLEU greedy | beam | exact (%) | other image's BLEU "
        "| named object most attended (%) | s initial state | s attention |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    margins = []
    with tempfile.TemporaryDirectory() as scratch:
        for seed in args.seeds:
            executed = execute_notebook(
                CHAPTER,
                Path(scratch) / f"16_seed{seed}.ipynb",
                fast=False,
                parameters={"SEED": seed},
                timeout=1800,
            )
            page = glued_values(executed)
            values = {name: float(page[name]) for name in COLUMNS}
            margins.append(values["bleu_att_greedy"] - values["bleu_init_greedy"])
            cells = " | ".join(f"{values[name]:.1f}" for name in COLUMNS[:-2])
            seconds = " | ".join(f"{values[name]:.0f}" for name in COLUMNS[-2:])
            print(f"| {seed} | {cells} | {seconds} |", flush=True)
    print(
        f"attention - initial state, greedy BLEU, over {len(margins)} seeds: "
        f"mean {statistics.mean(margins):.1f}, min {min(margins):.1f}, max {max(margins):.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
