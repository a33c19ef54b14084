"""Keep the project memory in step while the annotator works.

Every change in the workspace (a span created, a suggestion accepted or
rejected, an undo) and every document opened schedules, after a short pause,
a background refresh of the annotator's memory view of the documents they
will open next: the :data:`AHEAD` documents after the open one in the list
(going on from the top at its end), those they have not started
(:func:`annotator.nlp.memory.refresh_memory` with ``doc_ids`` and
``untouched_only``).  The next article opens with suggestions that know what
was just decided.  The open document is left out: nothing changes under the
annotator (its suggestions stay the view it opened with).

Only those documents: a change makes every view stale, and redoing every
untouched document after each accept took 105 s and added 156 MB in a project
of a million articles.  A list of up to :data:`AHEAD` documents is redone
whole, as before; in a longer one, a document opened far from the last one
shows the view it was last given (by a refresh near it or ``annotator
suggest``), and those after it are redone as it opens.  The refresh is pure
Python (no spaCy) and runs as a quiet job of the window's
:class:`~annotator.gui.tasks.TaskRunner`, one at a time; changes made while
it runs schedule one more.  It announces no project change: it writes only
the annotator's view of documents nobody has open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.gui.tasks import Job, TaskRunner
from annotator.store import Project
from annotator.store.dialect import project_target

#: Milliseconds of quiet after a change before the refresh starts (a burst of
#: accepts makes one refresh; the whole cycle stays well under a second).
DELAY_MS = 150
#: Documents after the open one whose views a refresh redoes (1-2 ms each when redone).
AHEAD = 200


def refresh_job(project_path: Path, annotator: str, documents: Sequence[int] | None = None) -> Any:
    """Task function: refresh ``annotator``'s memory view of the ``documents`` (default: all)
    they have not started."""
    wanted = None if documents is None else list(documents)

    def job(report: Any, should_cancel: Any) -> Any:
        from annotator.nlp.memory import refresh_memory

        # not checked again: the window's project checked the file when it opened it
        with Project(project_path, check=False) as p:
            # on a server the memory's fingerprint stays in this process: a setting written
            # would make every open window of the team read its document list again
            return refresh_memory(p, annotators=[annotator], doc_ids=wanted, untouched_only=True,
                                  should_cancel=should_cancel, remember=not p.is_server)

    return job


class MemoryRefresher(QObject):
    """Schedules memory refreshes for one annotator of one project."""

    refreshed = Signal(object)  # the MemoryReport
    failed = Signal(str)

    def __init__(self, project_path: Path, annotator: str, runner: TaskRunner, parent: QObject | None = None,
                 documents: Callable[[], Sequence[int] | None] | None = None) -> None:
        super().__init__(parent)
        self.project_path = project_target(project_path)
        self.annotator = annotator
        self.runner = runner
        #: the documents a refresh redoes, asked for when it starts (None: every one)
        self.documents = documents
        self.enabled = True
        self._task: Job | None = None
        self._again = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self._start)

    def schedule(self, *_: Any) -> None:
        """Note a change: refresh after a short pause (slot for ``Session.itemsChanged``)."""
        if not self.enabled:
            return
        if self._task is not None and self._task.is_running:
            self._again = True
            return
        self._timer.start()

    @property
    def busy(self) -> bool:
        """True while a refresh is scheduled or running."""
        return self._timer.isActive() or (self._task is not None and self._task.is_running)

    def _start(self) -> None:
        if not self.enabled:
            return
        documents = self.documents() if self.documents is not None else None
        if documents is not None and not documents:
            return  # nothing after the open document
        task = self.runner.run(refresh_job(self.project_path, self.annotator, documents), "memory",
                               owner=self, quiet=True)
        if task is None:  # the window is closing, or a refresh is still queued
            return
        task.finished.connect(self.refreshed)
        task.errored.connect(lambda message, _tb: self.failed.emit(message))
        task.ended.connect(self._ended)
        self._task = task

    def _ended(self) -> None:
        if self._again:
            self._again = False
            self._timer.start()

    def shutdown(self) -> None:
        """Stop a pending or running refresh (the window closes)."""
        self.enabled = False
        self._timer.stop()
        if self._task is not None and self._task.is_running:
            self._task.cancel()
