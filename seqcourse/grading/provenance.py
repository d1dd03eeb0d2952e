"""Did the student write it? Catch calls to, and pasted copies of, ``seqcourse.reference``.

The sandbox's ``seqcourse`` has no ``reference`` module, so calling it fails there anyway; this
check runs in the parent on the submission's source and gives the question 0 with a clear reason
when the graded function (or any function of the notebook it calls, by name) imports or uses
``seqcourse.reference``, or is a copy of one of its functions. Copies are compared on a normalised
AST: names renamed in order of first use, docstrings, annotations and comments dropped, so renaming
variables or reformatting does not hide a paste.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import textwrap

FORBIDDEN_PACKAGE = "seqcourse.reference"


class _Normalise(ast.NodeTransformer):
    def __init__(self):
        self.names: dict[str, str] = {}

    def _canon(self, name: str) -> str:
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        node.id = self._canon(node.id)
        return node

    def visit_arg(self, node):
        node.arg = self._canon(node.arg)
        node.annotation = None
        return node

    def visit_FunctionDef(self, node):
        node.name = self._canon(node.name)
        node.returns = None
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        node.body = body or [ast.Pass()]
        self.generic_visit(node)
        return node

    def visit_Expr(self, node):  # bare string statements (comments in disguise)
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return None
        self.generic_visit(node)
        return node

    def visit_AnnAssign(self, node):
        node.annotation = ast.Name("annotation")
        self.generic_visit(node)
        return node


def fingerprint(function_node: ast.FunctionDef) -> str:
    """A string equal for two functions that differ only in names, docstrings and annotations."""
    copy = ast.parse(ast.unparse(function_node)).body[0]
    return ast.dump(_Normalise().visit(copy), annotate_fields=False, include_attributes=False)


@functools.cache
def reference_fingerprints() -> dict[str, str]:
    """``fingerprint -> qualified name`` of every function in ``seqcourse.reference``."""
    try:
        package = importlib.import_module(FORBIDDEN_PACKAGE)
    except ImportError:
        return {}
    modules = [package]
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), f"{FORBIDDEN_PACKAGE}."):
        try:
            modules.append(importlib.import_module(info.name))
        except Exception:  # a broken reference module is that module's tests' business
            continue
    prints: dict[str, str] = {}
    for module in modules:
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and obj.__module__ == module.__name__:
                try:
                    node = ast.parse(textwrap.dedent(inspect.getsource(obj))).body[0]
                except (OSError, TypeError, SyntaxError, IndexError):
                    continue
                if isinstance(node, ast.FunctionDef) and len(node.body) > 1:
                    prints.setdefault(fingerprint(node), f"{module.__name__}.{name}")
    return prints


def _parse_cells(cells: list[str]) -> list[ast.Module]:
    from IPython.core.inputtransformer2 import TransformerManager

    manager = TransformerManager()
    modules = []
    for cell in cells:
        try:
            modules.append(ast.parse(manager.transform_cell(cell)))
        except (SyntaxError, ValueError):
            continue  # the child reports the syntax error; nothing to inspect here
    return modules


def _is_forbidden_module(name: str | None) -> bool:
    return bool(name) and (name == FORBIDDEN_PACKAGE or name.startswith(FORBIDDEN_PACKAGE + "."))


def _aliases(modules: list[ast.Module]) -> set[str]:
    """Names a notebook binds to ``seqcourse.reference`` or to anything imported from it."""
    names: set[str] = set()
    for module in modules:
        for node in ast.walk(module):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _is_forbidden_module(alias.name):
                        names.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom):
                if _is_forbidden_module(node.module):
                    names.update(a.asname or a.name for a in node.names)
                elif node.module == "seqcourse":
                    names.update(a.asname or a.name for a in node.names if a.name == "reference")
    return names


def _uses_reference(function: ast.FunctionDef, aliases: set[str]) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and node.attr == "reference":
            return True
        if isinstance(node, ast.Name) and node.id in aliases and node.id != "seqcourse":
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if FORBIDDEN_PACKAGE in node.value:
                return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and _aliases([ast.Module([node], [])]):
            return True
    return False


def forbidden_use(cells: list[str], target: str) -> str | None:
    """Why ``target`` (or a notebook function it calls) is not the student's own work, or None."""
    modules = _parse_cells(cells)
    functions: dict[str, ast.FunctionDef] = {}
    for module in modules:
        for node in module.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions[node.name] = node  # the last definition wins, as when the notebook runs
    if target not in functions:
        return None
    aliases = _aliases(modules)
    prints = reference_fingerprints()
    seen: set[str] = set()
    todo = [target]
    while todo:
        name = todo.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        function = functions[name]
        if _uses_reference(function, aliases):
            return (
                f"`{name}` uses {FORBIDDEN_PACKAGE}: this question asks you to write it yourself "
                "(score 0)"
            )
        copied = prints.get(fingerprint(function))
        if copied:
            return f"`{name}` is a copy of the course's {copied} (score 0): write your own version"
        todo.extend(n.id for n in ast.walk(function) if isinstance(n, ast.Name))
    return None
