"""Serve MathJax from the book itself, so equations render without a network connection.

Sphinx points pages at a MathJax CDN by default; a reader of the built book offline (or behind a
firewall) would then see raw TeX. This extension copies MathJax 3 from the pinned PyPI package
``django-static-mathjax`` (import name ``mathjax``; Apache-2.0) into ``_static/mathjax`` of the HTML
output and points ``mathjax_path`` at it. Only the files that ``tex-chtml.js`` loads are copied:
the component itself, its CommonHTML fonts and the TeX extensions it may autoload.
"""

import shutil
from pathlib import Path

COMPONENT = "tex-chtml.js"
NEEDED = (COMPONENT, "output/chtml", "input/tex/extensions", "LICENSE")


def _mathjax_root() -> Path:
    import mathjax

    return Path(mathjax.__file__).parent / "static" / "mathjax"


def _use_local_copy(app, config) -> None:
    config.mathjax_path = f"mathjax/{COMPONENT}"


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source, target = _mathjax_root(), Path(app.outdir) / "_static" / "mathjax"
    for relative in NEEDED:
        origin = source / relative if relative == "LICENSE" else source / "es5" / relative
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        else:
            shutil.copy2(origin, destination)


def setup(app):
    app.connect("config-inited", _use_local_copy)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
