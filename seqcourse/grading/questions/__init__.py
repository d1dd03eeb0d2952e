"""One module per graded notebook, each defining ``ASSIGNMENT`` (see ``registry``)."""
