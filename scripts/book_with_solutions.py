"""Write the configuration and table of contents of the book *with* the solutions.

Instructors release the solutions after the deadline with ``make book SOLUTIONS=1``, which runs
this script and builds with its output; the default book never includes them. The solutions come
as a last part, "Solutions", one page per exercise; ``solutions/`` stops being excluded.

    python scripts/book_with_solutions.py OUT_DIR   # writes OUT_DIR/_config.yml, OUT_DIR/_toc.yml
"""

import copy
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_with_solutions(toc: dict, solutions: list[Path]) -> dict:
    """``toc`` plus a last part listing ``solutions`` (paths relative to the book root)."""
    toc = copy.deepcopy(toc)
    files = [{"file": path.with_suffix("").as_posix()} for path in solutions]
    toc["parts"].append({"caption": "Solutions", "chapters": files})
    return toc


def config_with_solutions(config: dict, root: Path) -> dict:
    """``config`` that builds ``solutions/`` too, usable from any folder (absolute paths)."""
    config = copy.deepcopy(config)
    config["exclude_patterns"] = [p for p in config["exclude_patterns"] if p != "solutions"]
    extensions = config["sphinx"]["local_extensions"]
    config["sphinx"]["local_extensions"] = {
        name: str((root / path).resolve()) for name, path in extensions.items()
    }
    config["bibtex_bibfiles"] = [str((root / p).resolve()) for p in config["bibtex_bibfiles"]]
    favicon = config.get("html", {}).get("favicon")
    if favicon:
        config["html"]["favicon"] = str((root / favicon).resolve())
    return config


def write(out: Path, root: Path = ROOT) -> tuple[Path, Path]:
    """Write both files into ``out``; returns ``(config_path, toc_path)``."""
    out.mkdir(parents=True, exist_ok=True)
    solutions = sorted(p.relative_to(root) for p in (root / "solutions").glob("[0-9][0-9]_*.md"))
    toc = toc_with_solutions(yaml.safe_load((root / "_toc.yml").read_text()), solutions)
    config = config_with_solutions(yaml.safe_load((root / "_config.yml").read_text()), root)
    config_path, toc_path = out / "_config.yml", out / "_toc.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False))
    return config_path, toc_path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for path in write(Path(sys.argv[1])):
        print(path)
