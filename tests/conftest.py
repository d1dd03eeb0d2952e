"""Shared test configuration: quiet TensorFlow, headless plots, paths of the repository."""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.md"))
# Fast-mode executions of the chapters: written by test_notebooks.py, read by test_book.py.
EXECUTED_CHAPTERS = ROOT / "_build" / "fast" / "executed" / "book"
