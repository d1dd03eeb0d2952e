"""Run chapters 11 and 12 in full mode and report what they measure of seq2seq training.

Usage: .venv/bin/python scripts/bench_attention.py [--chapters 11 12]

Each chapter is executed exactly as the book does (full mode) and the numbers it glues are read
back: for chapter 12, Bahdanau's and Luong's decoders on the date-normalisation task (test exact
match, share of output digits that attend most to their own field, output/source position
correlation, training seconds wall and CPU) and the with/without-attention margin on long numbers;
for chapter 11, teacher forcing against scheduled sampling (argmax and sampled guesses: final gap
between teacher-forced and free-running token accuracy, exact match, accuracy after one wrong
input, seconds) and beam search with length normalisation alpha in {0, 0.75, 1} on the model after
an early epoch. Results print as Markdown for BENCHMARKS.md, with the machine they ran on; the
executed pages stay in _build/bench_attention/.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import ROOT, _machine  # noqa: E402

from seqcourse.notebooks import execute_notebook, glued_values  # noqa: E402

CHAPTERS = {11: ROOT / "book" / "11_seq2seq.md", 12: ROOT / "book" / "12_attention.md"}


def _number(text):
    """A glued value as a number when it is one (glue stores text), else the text."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return text.strip("'\"")


def _report_12(page):
    print(
        "| decoder | test exact match (%) | digits aligned (%) | position correlation "
        "| train s (wall) | train s (CPU) | parameters |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in ("bahdanau", "luong"):
        print(
            f"| {name} | {page[f'{name}_exact']:.1f} | {page[f'{name}_aligned']:.1f} "
            f"| {page[f'{name}_corr']:.2f} | {page[f'{name}_seconds']:.0f} "
            f"| {page[f'{name}_cpu']:.0f} | {page[f'{name}_params']:,.0f} |"
        )
    print(
        f"long numbers ({page['long_bucket']} tokens): attention {page['long_att']:.1f} %, "
        f"none {page['long_plain']:.1f} % (margin {page['margin']:.1f} points); "
        f"Nadaraya-Watson MAE h=1/10/100: {page['nw_mae_1']:.2f} / {page['nw_mae_10']:.2f} / "
        f"{page['nw_mae_100']:.2f} °C"
    )


def _report_11(page):
    print(
        "| training | final gap (points) | exact match (%) | after one wrong input (%) "
        "| train s (wall) |"
    )
    print("|---|---|---|---|---|")
    for key, name in (
        ("tf", "teacher forcing"),
        ("argmax", "scheduled sampling, argmax"),
        ("sample", "scheduled sampling, sampled"),
    ):
        print(
            f"| {name} | {page[f'{key}_gap']:.2f} | {page[f'{key}_exact']:.1f} "
            f"| {page[f'{key}_after']:.1f} | {page[f'{key}_seconds']:.0f} |"
        )
    print(
        f"wrong inputs fed in the last epoch: argmax {page['wrong_end_argmax']:.2f} %, "
        f"sampled {page['wrong_end_sample']:.2f} %"
    )
    print(f"beam K = {page['beam']:.0f}, model after epoch {page['early_epoch']:.0f}:")
    print("| alpha | exact match (%) | BLEU | shorter than reference (%) | longer (%) |")
    print("|---|---|---|---|---|")
    for tag, alpha in (("0", "0"), ("75", "0.75"), ("100", "1")):
        print(
            f"| {alpha} | {page[f'early_exact_{tag}']:.2f} | {page[f'early_bleu_{tag}']:.2f} "
            f"| {page[f'short_{tag}']:.2f} | {page[f'long_{tag}']:.2f} |"
        )
    print(f"trained model: alpha = 1 changes the length of {page['n_alpha_changed']:.0f} outputs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", type=int, nargs="+", default=[11, 12], choices=[11, 12])
    args = parser.parse_args()
    print(f"machine: {_machine()}; load average at start {os.getloadavg()[0]:.1f}")
    kept = ROOT / "_build" / "bench_attention"  # the executed pages, to read again
    for number in args.chapters:
        start = time.perf_counter()
        executed = execute_notebook(
            CHAPTERS[number], kept / f"{CHAPTERS[number].stem}.ipynb", fast=False, timeout=3600
        )
        print(
            f"\nchapter {number}, full mode, {time.perf_counter() - start:.0f} s in all, "
            f"load average now {os.getloadavg()[0]:.1f}"
        )
        page = {name: _number(text) for name, text in glued_values(executed).items()}
        (_report_11 if number == 11 else _report_12)(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
