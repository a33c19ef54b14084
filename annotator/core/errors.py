"""Errors with codes, split (as qutebrowser does) into the user's input, the
environment, and bugs.  A bug is any other exception.

The code is data on the exception (``exc.code``), as spaCy's ``Errors`` gives each
message a code: every subclass of :class:`AnnotatorError` has its own code, listed in
docs/architecture.md ("Errors").  ``str(exc)`` prints ``[E003] the message`` so a user
can search for the code; code that wraps one error's text in another message reads
``exc.detail`` (the text without the code), never parses ``str(exc)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar


class AnnotatorError(Exception):
    """Base of every error this package raises on purpose."""

    #: The searchable code of this kind of error ("E" and three digits, unique per class).
    code: ClassVar[str] = "E000"

    @property
    def detail(self) -> str:
        """The message without the code: what to quote inside another message."""
        return super().__str__()

    def __str__(self) -> str:  # the code makes errors searchable in docs and logs
        return f"[{self.code}] {self.detail}"


def detail(exc: BaseException) -> str:
    """The message of ``exc`` without an :class:`AnnotatorError` code (any exception)."""
    return exc.detail if isinstance(exc, AnnotatorError) else str(exc)


class OffsetError(AnnotatorError, ValueError):
    """A span's offsets do not fit the document's text."""

    code = "E001"


class SchemaError(AnnotatorError, ValueError):
    """A schema file is malformed, or a label/layer/question is not in the schema."""

    code = "E002"


class InputError(AnnotatorError, ValueError):
    """Bad input data: names the file and (where known) the line."""

    code = "E003"

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.message = message
        where = ""
        if self.path is not None:
            where = self.path if line is None else f"{self.path}:{line}"
            where += ": "
        super().__init__(where + message)


class ProjectError(AnnotatorError):
    """The project file cannot be used (locked, newer schema, not a project).

    This is "the environment's fault", not a bug: the message says what to do.
    """

    code = "E004"


class NotFoundError(AnnotatorError, KeyError):
    """A document, span or suggestion id that the project does not hold."""

    code = "E005"

    @property
    def detail(self) -> str:
        # KeyError's own str() would quote the message
        return str(self.args[0]) if self.args else ""
