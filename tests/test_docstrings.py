"""Every public object of the chapter-facing modules names the chapters that show or use it.

The package is the source and the book its reader: ``Chapter 2 shows it; chapter 3 uses it.`` in a
docstring must be true (chapter 2 includes it with ``:pyobject:``, chapter 3's code calls it) and
complete (no other chapter's code calls it). An object no chapter calls says so ("No chapter ...")
and, when it says which function of the package uses it, that function must use it and be used by
the chapters named.
"""

import ast
import re

import pytest

from tests.conftest import ROOT

SCOPE = ("data", "reference", "models", "inference", "plotting.py", "runtime.py", "notebooks.py")
SCOPE += ("errors.py",)
CELL = re.compile(r"^```\{(?:code-cell|literalinclude)\}[^\n]*\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"`(seqcourse\.[\w.]+)")  # prose that names a package object
CLAIM = re.compile(r"\b(chapter|exercise)s? ((?:\d+(?:, | and ))*\d+) (?:shows?|uses?) it\b", re.I)
CALLER = re.compile(r":(?:func|class):`(\w+)` \(chapters? ((?:\d+(?:, | and ))*\d+)\)")


def _code(path):
    text = path.read_text(encoding="utf-8")
    return "\n".join(CELL.findall(text) + INLINE.findall(text))


PAGES = {("chapter", int(p.stem[:2])): _code(p) for p in ROOT.glob("book/[0-9][0-9]_*.md")}
PAGES |= {("exercise", int(p.stem[:2])): _code(p) for p in ROOT.glob("solutions/[0-9][0-9]_*.md")}


def _public_objects():
    found = {}
    for entry in SCOPE:
        path = ROOT / "seqcourse" / entry
        for module in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            if module.name.startswith("_"):
                continue
            for node in ast.parse(module.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name[0] != "_":
                    found[node.name] = (module.relative_to(ROOT), node)
    return found


OBJECTS = _public_objects()


def _numbers(listing: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", listing)}


def _pages_using(name: str) -> dict[str, set[int]]:
    shown = {n for (kind, n), code in PAGES.items() if re.search(rf":pyobject: {name}\b", code)}
    used = {"chapter": set(), "exercise": set()}
    for (kind, n), code in PAGES.items():
        # `name=` is a keyword argument or an assignment, not a use of the package's object.
        if re.search(rf"\b{name}\b(?!\s*=[^=])", code) and not (kind == "chapter" and n in shown):
            used[kind].add(n)
    return {"shows": shown, "chapter": used["chapter"], "exercise": used["exercise"]}


def _refers_to(node, name: str) -> bool:
    return any(
        (isinstance(x, ast.Name) and x.id == name)
        or (isinstance(x, ast.Attribute) and x.attr == name)
        for x in ast.walk(node)
    )


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_docstring_names_the_chapters_that_show_or_use_it(name):
    module, node = OBJECTS[name]
    doc = " ".join((ast.get_docstring(node) or "").split())
    where = f"{module}:{node.lineno} {name}"
    pages = _pages_using(name)
    claimed = {"shows": set(), "chapter": set(), "exercise": set()}
    for match in CLAIM.finditer(doc):
        kind = match.group(1).lower()
        key = "shows" if kind == "chapter" and " show" in match.group(0) else kind
        claimed[key] |= _numbers(match.group(2))
    if not any(claimed.values()):
        assert "No chapter" in doc, f"{where}: say which chapters show or use it, e.g. {pages}"
    assert claimed == pages, f"{where}: the docstring claims {claimed}, the pages say {pages}"
    for caller, listing in CALLER.findall(doc):
        assert caller in OBJECTS, f"{where}: {caller} is not a public object of the package"
        assert _refers_to(OBJECTS[caller][1], name), f"{where}: {caller} does not use {name}"
        used = _pages_using(caller)
        assert _numbers(listing) == used["shows"] | used["chapter"], f"{where}: {caller} {used}"


def test_the_rules_catch_a_wrong_claim():
    """A claim about a chapter that does not use the object is found (the test can fail)."""
    assert _pages_using("simple_rnn_forward")["shows"] == {2}
    assert 14 not in _pages_using("simple_rnn_forward")["chapter"]
    assert _numbers("2, 5 and 6") == {2, 5, 6}
    assert not _refers_to(OBJECTS["simple_rnn_step"][1], "lstm_step")
