"""The assignments the grader knows: every ``ASSIGNMENT`` in ``seqcourse.grading.questions``.

Each module of :mod:`seqcourse.grading.questions` defines one
:class:`~seqcourse.grading.spec.Assignment` named after its notebook's file stem. Tests may
:func:`register` more.
"""

from __future__ import annotations

import importlib
import pkgutil

from seqcourse.grading.spec import Assignment, Question

_ASSIGNMENTS: dict[str, Assignment] = {}
_DISCOVERED = False


def register(assignment: Assignment) -> Assignment:
    """Add (or replace) ``assignment`` in the registry and return it."""
    _ASSIGNMENTS[assignment.name] = assignment
    return assignment


def _discover() -> None:
    global _DISCOVERED
    if _DISCOVERED:
        return
    from seqcourse.grading import questions

    for module_info in pkgutil.iter_modules(questions.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{questions.__name__}.{module_info.name}")
        assignment = getattr(module, "ASSIGNMENT", None)
        if isinstance(assignment, Assignment):
            _ASSIGNMENTS.setdefault(assignment.name, assignment)
    _DISCOVERED = True


def assignments() -> dict[str, Assignment]:
    """All known assignments by name."""
    _discover()
    return dict(sorted(_ASSIGNMENTS.items()))


def get_assignment(name: str) -> Assignment:
    """The assignment called ``name``; ``KeyError`` naming the known ones otherwise."""
    known = assignments()
    if name not in known:
        raise KeyError(f"unknown assignment {name!r}; known: {', '.join(known) or 'none'}")
    return known[name]


def find_question(name: str) -> tuple[Assignment, Question]:
    """The assignment and question called ``name`` (question names are unique overall)."""
    matches = [(a, q) for a in assignments().values() for q in a.questions if q.name == name]
    if not matches:
        every = sorted(q.name for a in assignments().values() for q in a.questions)
        raise KeyError(f"no question called {name!r}; questions: {', '.join(every)}")
    if len(matches) > 1:
        raise KeyError(f"question {name!r} exists in {[a.name for a, _ in matches]}")
    return matches[0]
