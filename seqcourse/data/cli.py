"""``seqcourse data {list,fetch,verify}``: the command-line face of the dataset cache."""

import time

from seqcourse.data import store
from seqcourse.data.registry import REGISTRY


def _list() -> int:
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


def _fetch(names: list[str]) -> int:
    start = time.perf_counter()
    fetched = store.fetch(names or None)
    wanted = names or sorted(REGISTRY)
    seconds = time.perf_counter() - start
    if fetched:
        print(f"fetched {len(fetched)} dataset(s) in {seconds:.1f} s into {store.cache_dir()}")
    else:
        print(f"all {len(wanted)} dataset(s) present and verified in {store.cache_dir()}")
    return 0


def _verify() -> int:
    states = {name: store.status(name) for name in sorted(REGISTRY)}
    bad = [f"{name} ({state})" for name, state in states.items() if state != "ok"]
    if bad:
        raise store.DataError(
            f"{len(bad)} of {len(states)} dataset(s) not usable: {', '.join(bad)}; "
            "repair with `seqcourse data fetch` (or `make data`)"
        )
    print(f"all {len(states)} dataset(s) verified in {store.cache_dir()}")
    return 0


def run(args) -> int:
    """Entry point used by ``seqcourse.cli``; user errors raise ``CommandError`` (exit status 2)."""
    if args.data_command == "list":
        return _list()
    if args.data_command == "fetch":
        return _fetch(list(args.names))
    if args.data_command == "verify":
        return _verify()
    raise AssertionError(f"unhandled data command {args.data_command!r}")
