"""Errors with codes, split (as qutebrowser does) into the user's input, the
environment, and bugs.  A bug is any other exception."""

from __future__ import annotations

from pathlib import Path


class AnnotatorError(Exception):
    """Base of every error this package raises on purpose."""

    code = "E000"

    def __str__(self) -> str:  # the code makes errors searchable in docs and logs
        return f"[{self.code}] {super().__str__()}"


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

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0] if self.args else ''}"
