"""Fixtures for the data tests: a verified cache, and throw-away caches to break."""

import shutil
from pathlib import Path

import pytest

from seqcourse.data import store


@pytest.fixture(scope="session")
def data_cache() -> Path:
    """The real cache, filled once (``make test`` ran ``make data`` before, so this is quick)."""
    store.fetch(log=lambda message: None)
    return store.cache_dir()


class ScratchCache:
    """An empty cache directory that ``SEQCOURSE_DATA`` points to during one test."""

    def __init__(self, root: Path, source: Path):
        self.root = root
        self._source = source

    def copy(self, name: str) -> Path:
        """Put a verified copy of dataset ``name`` into this cache; return its path."""
        dataset = store.entry(name)
        target = self.root / dataset.name / dataset.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._source / dataset.name / dataset.filename, target)
        return target


@pytest.fixture
def scratch_cache(tmp_path, monkeypatch, data_cache) -> ScratchCache:
    root = tmp_path / "cache"
    monkeypatch.setenv(store.DATA_ENV, str(root))
    return ScratchCache(root, data_cache)
