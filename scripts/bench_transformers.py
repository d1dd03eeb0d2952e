"""Run chapter 13 in full mode (or fast mode) and report what it measures of its Transformers.

Usage: .venv/bin/python scripts/bench_transformers.py [--fast]

The chapter is executed exactly as the book does and the numbers it glues are read back: the
sentiment LSTM against one encoder block (test accuracy, seconds per epoch), the whole
encoder-decoder against chapter 12's GRU with attention on number translation (greedy-decoded
exact match and BLEU, training and decoding seconds, with and without the sqrt(d) on the
embeddings), the causal Transformer language model against chapter 10's GRU (test perplexity,
parameters, seconds) and the transfer-learning run (masked-word and next-word pre-training on
frozen GloVe vectors, then fine-tuning on few labelled reviews, against the same model from
scratch and from GloVe alone, over several labelled samples). Results
print as Markdown for BENCHMARKS.md, with the machine they ran on; the executed page stays in
_build/bench_transformers/.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_attention import _number  # noqa: E402
from bench_build import ROOT, _machine  # noqa: E402

from seqcourse.notebooks import execute_notebook, glued_values  # noqa: E402

CHAPTER = ROOT / "book" / "13_transformers.md"


def _report(page):
    print(
        f"sentiment ({page['n_train']:,.0f} reviews): LSTM {page['lstm_acc']:.3f}, Transformer "
        f"{page['tf_acc']:.3f} test accuracy (majority {page['majority']:.3f}); "
        f"{page['lstm_epoch_s']:.1f} and {page['tf_epoch_s']:.1f} s per epoch"
    )
    print("\n| translation model | exact match (%) | BLEU | train s | parameters |")
    print("|---|---|---|---|---|")
    for key, name in (
        ("gru", "GRU + attention (ch. 12)"),
        ("tf", "Transformer"),
        ("plain", "Transformer, unscaled embeddings"),
    ):
        print(
            f"| {name} | {page[f'em_{key}']:.1f} | {page[f'bleu_{key}']:.1f} "
            f"| {page[f'train_s_{key}']:.0f} | {page[f'params_{key}']:,.0f} |"
        )
    print(
        f"greedy decoding of the test numbers: Transformer {page['decode_s_tf']:.1f} s, GRU "
        f"{page['decode_s_gru']:.1f} s"
    )
    print("\n| language model | test perplexity | train s | parameters |")
    print("|---|---|---|---|")
    for key, name in (("gru", "GRU (ch. 10)"), ("tf", "causal Transformer")):
        print(
            f"| {name} | {page[f'lm_ppl_{key}']:.2f} | {page[f'lm_s_{key}']:.0f} "
            f"| {page[f'lm_params_{key}']:,.0f} |"
        )
    print(
        f"bigram counts {page['lm_ppl_bigram']:.2f}, unigram {page['lm_ppl_unigram']:.2f}; "
        f"GRU over {page['streams']:.0f} streams {page['lm_ppl_streams']:.2f}"
    )
    print(
        f"\ntransfer: {page['n_pieces']:,.0f} pieces ({page['n_pre_tokens']:,.0f} tokens), "
        f"{page['pre_epochs']:.0f} epochs of each objective on frozen GloVe vectors"
    )
    print("\n| objective | predictions per piece | held-out loss | word frequencies | s |")
    print("|---|---|---|---|---|")
    for key, name in (("mlm", "masked words"), ("next", "next word")):
        print(
            f"| {name} | {page[f'{key}_per_piece']:.1f} | {page[f'{key}_loss']:.2f} "
            f"| {page[f'{key}_unigram']:.2f} | {page[f'{key}_s']:.0f} |"
        )
    print(
        f"\n| start ({page['n_labelled']:,.0f} labelled reviews, mean of {page['n_seeds']:.0f} "
        "samples) | test accuracy |"
    )
    print("|---|---|")
    for key, name in (
        ("scratch", "from scratch"),
        ("glove", "GloVe"),
        ("mlm", "GloVe + masked words"),
        ("next", "GloVe + next word"),
    ):
        print(f"| {name} | {page[f'acc_{key}']:.3f} |")
    print(
        f"next word over from scratch: {page['tl_gain']:+.1f} points on average, "
        f"{page['tl_gain_min']:+.1f} at least; over GloVe alone {page['tl_over_glove']:+.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="fast mode, as make test runs it")
    args = parser.parse_args()
    print(f"machine: {_machine()}; load average at start {os.getloadavg()[0]:.1f}")
    kept = ROOT / "_build" / "bench_transformers"
    start, cpu = time.perf_counter(), os.times()
    executed = execute_notebook(
        CHAPTER, kept / f"{CHAPTER.stem}.ipynb", fast=args.fast, timeout=7200
    )
    used = os.times()
    kernel_cpu = (used.children_user - cpu.children_user) + (
        used.children_system - cpu.children_system
    )
    print(
        f"\nchapter 13, {'fast' if args.fast else 'full'} mode, "
        f"{time.perf_counter() - start:.0f} s wall, {kernel_cpu:.0f} CPU-s in child processes, "
        f"load average now {os.getloadavg()[0]:.1f}"
    )
    _report({name: _number(text) for name, text in glued_values(executed).items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
