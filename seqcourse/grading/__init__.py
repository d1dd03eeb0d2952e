"""Exercises, instant checks and a sandboxed batch autograder.

- Students: ``from seqcourse.grading import check`` and ``check("question")`` after answering.
- Authors: solutions in ``solutions/`` are the source; ``seqcourse assign`` writes ``exercises/``.
- Instructors: ``seqcourse grade SUBMISSIONS --assignment NAME --out OUT``.

Questions are registered per assignment in :mod:`seqcourse.grading.questions`.
"""

from seqcourse.grading.check import check

__all__ = ["check"]
