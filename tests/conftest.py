"""Shared test configuration: quiet TensorFlow, headless plots, paths of the repository."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.md"))
# Fast-mode executions of the chapters and solutions: written by test_notebooks.py, read by
# tests/book_build.py.
EXECUTED_CHAPTERS = ROOT / "_build" / "fast" / "executed" / "book"
EXECUTED_SOLUTIONS = ROOT / "_build" / "fast" / "executed" / "solutions"


@pytest.fixture(scope="session")
def fast_book() -> Path:
    """The ``html`` folder of the book built once per session from the fast executions."""
    from tests.book_build import build_fast_book

    return build_fast_book()


@pytest.fixture(scope="session")
def fast_book_with_solutions() -> Path:
    """The same book built with the solutions released (``make book SOLUTIONS=1``)."""
    from tests.book_build import build_fast_book

    return build_fast_book(with_solutions=True)
