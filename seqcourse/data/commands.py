"""``seqcourse data {list,fetch,verify}``: the dataset cache as commands returning exit statuses.

User errors raise :class:`~seqcourse.data.store.DataError` (exit status 2 from the command line).
"""

import time

from seqcourse.data import store
from seqcourse.data.registry import REGISTRY


def list_datasets() -> int:
    """``seqcourse data list``: each registered dataset, its state in the cache, size and source.

    No chapter calls it; ``seqcourse data`` runs it.
    """
    print(f"cache: {store.cache_dir()}  (set ${store.DATA_ENV} to move it)")
    rows = [("name", "state", "size", "source", "licence")]
    for name, dataset in sorted(REGISTRY.items()):
        source = f"{dataset.source.requirement()}:{dataset.member}"
        size = f"{dataset.size / 1e3:,.0f} kB"
        rows.append((name, store.status(name), size, source, dataset.licence))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def fetch(names: list[str]) -> int:
    """``seqcourse data fetch [NAME ...]``: download and verify ``names`` (all when empty).

    No chapter calls it; ``seqcourse data`` runs it.
    """
    start = time.perf_counter()
    fetched = store.fetch(names or None)
    wanted = names or sorted(REGISTRY)
    seconds = time.perf_counter() - start
    if fetched:
        print(f"fetched {len(fetched)} dataset(s) in {seconds:.1f} s into {store.cache_dir()}")
    else:
        print(f"all {len(wanted)} dataset(s) present and verified in {store.cache_dir()}")
    return 0


def verify() -> int:
    """``seqcourse data verify``: check every cached file against its sha256.

    No chapter calls it; ``seqcourse data`` runs it.
    """
    states = {name: store.status(name) for name in sorted(REGISTRY)}
    bad = [f"{name} ({state})" for name, state in states.items() if state != "ok"]
    if bad:
        raise store.DataError(
            f"{len(bad)} of {len(states)} dataset(s) not usable: {', '.join(bad)}; "
            "repair with `seqcourse data fetch` (or `make data`)"
        )
    print(f"all {len(states)} dataset(s) verified in {store.cache_dir()}")
    return 0
