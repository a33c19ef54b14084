"""The contract of a long operation (import, export, suggest, merge, agreement,
assignment packages, adjudicate-all): how it reports progress, how it learns
that it should stop, and the one exception it raises when it stops.

Every long operation takes two optional keyword arguments::

    progress: Progress | None        # progress(done, total, what)
    should_cancel: ShouldCancel | None  # polled between steps (documents, files)

and raises :class:`Cancelled` when ``should_cancel()`` turned true.  What was
done before the stop is described by the operation's docstring (a merged file
stays merged, an export writes nothing) and, where the operation builds a
report as it goes, that partial report travels on ``Cancelled.partial``.

The GUI's task runner (``annotator.gui.tasks``) passes its own reporter and
cancel flag; the command line passes none.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from annotator.core.errors import AnnotatorError


class Progress(Protocol):
    """``progress(done, total, what)``: ``done`` of ``total`` steps, ``what`` names the current one."""

    def __call__(self, done: int, total: int, what: str = "", /) -> None:
        """Report one step."""


#: ``should_cancel() -> bool``: true once the user asked the operation to stop.
ShouldCancel = Callable[[], bool]

#: What a background job is: ``job(progress, should_cancel) -> result`` (it opens its own Project).
Job = Callable[[Progress, ShouldCancel], Any]


class Cancelled(AnnotatorError):
    """A long operation stopped because ``should_cancel()`` returned true.

    ``partial`` is the report of the work done before the stop (``None`` when
    the operation keeps nothing, e.g. an export, which writes nothing)."""

    code = "E009"

    def __init__(self, message: str = "cancelled", partial: Any = None) -> None:
        super().__init__(message)
        self.partial = partial


def check_cancel(should_cancel: ShouldCancel | None, message: str = "cancelled", partial: Any = None) -> None:
    """Raise :class:`Cancelled` when ``should_cancel`` is given and returns true (called between steps)."""
    if should_cancel is not None and should_cancel():
        raise Cancelled(message, partial)


def report(progress: Progress | None, done: int, total: int, what: str = "") -> None:
    """Call ``progress`` when there is one (the command line passes none)."""
    if progress is not None:
        progress(done, total, what)
