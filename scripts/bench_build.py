"""Time the two commands a newcomer runs: `make test` and a full-mode `make book` from a cold cache.

Usage: .venv/bin/python scripts/bench_build.py [--skip-test] [--skip-book]

The book is built into a temporary --path-output so the jupyter-cache of `_build/` is not
used: a cold build executes every chapter in full mode. Results print as Markdown table rows
for README.md and BENCHMARKS.md, together with the machine they ran on.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return time.perf_counter() - start


def _machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-test", action="store_true")
    parser.add_argument("--skip-book", action="store_true")
    args = parser.parse_args()
    env = dict(os.environ)
    print(f"machine: {_machine()}")
    if not args.skip_test:
        seconds = _timed(["make", "test"], env)
        print(f"| `make test` | {seconds / 60:.1f} min |")
    if not args.skip_book:
        jupyter_book = str(Path(sys.executable).with_name("jupyter-book"))
        with tempfile.TemporaryDirectory() as out:
            build = [jupyter_book, "build", "-W", "-n", "--keep-going", ".", "--path-output", out]
            seconds = _timed(build, env)
        print(f"| full-mode book build, cold cache | {seconds / 60:.1f} min |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
