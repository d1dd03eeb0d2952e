"""The package's layers (CONTRIBUTING.md, "Where a module goes"): every import points downwards.

Every ``import`` of every module under ``seqcourse/`` is read with :mod:`ast` (imports inside
functions included), resolved to the module it loads (``from seqcourse.grading import wire`` is
``seqcourse.grading.wire``) and checked against the layer table below; the import graph must also
be free of cycles.
"""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "seqcourse"

# (layer, module prefixes), lowest first. A module may import its own layer's modules only where
# ALLOWED_SIDEWAYS says so, and any lower layer's.
# ``seqcourse`` itself (``__init__``) is matched exactly, never as a prefix: it re-exports layer 0.
LAYERS = [
    (0, ("seqcourse.runtime", "seqcourse.errors", "seqcourse.notebooks")),
    (1, ("seqcourse", "seqcourse.data", "seqcourse.reference")),
    (2, ("seqcourse.models", "seqcourse.inference", "seqcourse.plotting")),
    (3, ("seqcourse.grading",)),
    (4, ("seqcourse.cli",)),
]
# Pairs that never import each other, whatever their layers: data and reference; models and
# inference; the grader and everything Keras-side (it grades models it never builds itself).
SEPARATE = [
    ("seqcourse.grading", "seqcourse.models"),
    ("seqcourse.grading", "seqcourse.inference"),
    ("seqcourse.grading", "seqcourse.plotting"),
    ("seqcourse.data", "seqcourse.reference"),
    ("seqcourse.models", "seqcourse.inference"),
    ("seqcourse.plotting", "seqcourse.models"),
    ("seqcourse.plotting", "seqcourse.inference"),
]
# The one crossing of a SEPARATE pair: the grader scores decoded sequences with the course's own
# exact match and BLEU (pure NumPy, no Keras), so a page's BLEU and a grade's are one computation.
CROSSINGS = {("seqcourse.grading.verdicts", "seqcourse.inference.metrics")}
# Copied alone into the sandbox: they may import nothing from the package. The one exception is
# the child's guarded ``import seqcourse`` of the *sandbox's* copy of the package, to replace its
# ``grading`` by a stub; the child does not depend on it (a failing import is ignored).
STANDALONE = ("seqcourse.grading.child", "seqcourse.grading.wire", "seqcourse.grading.modelprobe")
STANDALONE_EXCEPTION = ("seqcourse.grading.child", "seqcourse")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """The package modules that module ``name`` imports, resolved to modules (not names)."""
    found = set()
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("seqcourse")}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level:  # relative imports are not used in this package; keep it that way
                raise AssertionError(f"{name}: relative import of {node.module}")
            if not node.module.startswith("seqcourse"):
                continue
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return found


def layer_of(name: str) -> tuple[int, str]:
    """``(layer, prefix)`` of the longest prefix in LAYERS that names ``name`` or its package."""
    best = None
    for layer, prefixes in LAYERS:
        for prefix in prefixes:
            if name == prefix or (prefix != "seqcourse" and name.startswith(prefix + ".")):
                if best is None or len(prefix) > len(best[1]):
                    best = (layer, prefix)
    assert best is not None, f"{name} is in no layer: add it to LAYERS and CONTRIBUTING.md"
    return best


def parents(name: str) -> set[str]:
    """The packages Python runs before ``name`` (``a.b.c`` -> ``a``, ``a.b``): not a choice."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


GRAPH = {name: imports_of(name) - parents(name) - {name} for name in MODULES}


def test_every_module_is_in_a_layer():
    for name in MODULES:
        layer_of(name)


def violations(name: str, targets: set[str]) -> list[str]:
    """Why each import of ``targets`` by module ``name`` breaks the layer rules (empty: none)."""
    layer, prefix = layer_of(name)
    problems = []
    for target in sorted(targets):
        target_layer, target_prefix = layer_of(target)
        if target_layer >= layer and target_prefix != prefix:
            problems.append(
                f"{name} (layer {layer}) imports {target} (layer {target_layer}): only lower "
                "layers, or modules of its own package, may be imported"
            )
        for a, b in SEPARATE:
            if {prefix, target_prefix} == {a, b} and (name, target) not in CROSSINGS:
                problems.append(f"{name} imports {target}: {a} and {b} stay apart")
    return problems


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_downwards(name):
    assert violations(name, GRAPH[name]) == []


def test_the_rules_catch_upward_and_sideways_imports():
    assert violations("seqcourse.data.store", {"seqcourse.cli"})  # the old cycle
    assert violations("seqcourse.grading.batch", {"seqcourse.models.builders"})
    assert violations("seqcourse.models.seq2seq", {"seqcourse.inference.decoding"})
    assert violations("seqcourse.data.tokens", {"seqcourse.reference.numerics"})
    assert violations("seqcourse.runtime", {"seqcourse.data"})
    assert not violations("seqcourse.grading.questions.seq2seq", {"seqcourse.data.tokens"})
    assert not violations("seqcourse.grading.verdicts", {"seqcourse.inference.metrics"})
    assert violations("seqcourse.grading.verdicts", {"seqcourse.inference.decoding"})
    assert violations("seqcourse.grading.runner", {"seqcourse.inference.metrics"})
    assert "seqcourse.grading.wire" in imports_of("seqcourse.grading.check")  # submodules resolve


@pytest.mark.parametrize("name", STANDALONE)
def test_sandbox_files_import_nothing_from_the_package(name):
    allowed = {STANDALONE_EXCEPTION[1]} if name == STANDALONE_EXCEPTION[0] else set()
    assert imports_of(name) <= allowed


def test_nothing_imports_the_cli():
    users = [name for name, targets in GRAPH.items() if "seqcourse.cli" in targets]
    assert users == []


def test_argparse_only_in_the_cli():
    users = [name for name in MODULES if "argparse" in MODULES[name].read_text(encoding="utf-8")]
    assert users == ["seqcourse.cli"]


def test_import_graph_has_no_cycle():
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(GRAPH.get(name, ())):
            if state.get(target) == "open":
                cycle = path[path.index(target) :] + [target] if target in path else [name, target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
