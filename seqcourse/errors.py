"""The user-facing error of every ``seqcourse`` layer (imports nothing from the package).

A :class:`SeqcourseError` is a mistake in what the user asked for or a state the user can repair
(an unknown dataset, a missing cache file, a malformed solution marker, a folder with no
submissions). Its message names what is wrong and what to do; the command line prints it as one
line, without a traceback, and exits with status 2. Each layer derives its own errors from it:
:class:`seqcourse.data.store.DataError`, :class:`seqcourse.grading.assign.AssignError`,
:class:`seqcourse.grading.batch.GradeError`.
"""


class SeqcourseError(Exception):
    """A user-repairable problem: the message says what is wrong and what to do.

    No chapter raises it; the CLI prints its message and exits with status 2.
    """
