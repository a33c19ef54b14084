"""Keep the project memory in step while the annotator works.

Every change in the workspace (a span created, a suggestion accepted or
rejected, an undo) schedules, after a short pause, a background refresh of
the annotator's memory view of the documents they have not started
(:func:`annotator.nlp.memory.refresh_memory` with ``untouched_only``): the
next article opens with suggestions that know what was just decided, and no
document anyone is working on changes under them.  The refresh is pure
Python (no spaCy) and runs as a quiet job of the window's
:class:`~annotator.gui.tasks.TaskRunner`, one at a time; changes made while
it runs schedule one more.  It announces no project change: it writes only
the annotator's view of documents nobody has open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.gui.tasks import Job, TaskRunner
from annotator.store import Project
from annotator.store.dialect import project_target

#: Milliseconds of quiet after a change before the refresh starts (a burst of
#: accepts makes one refresh; the whole cycle stays well under a second).
DELAY_MS = 150


def refresh_job(project_path: Path, annotator: str) -> Any:
    """Task function: refresh ``annotator``'s memory view of the documents they have not started."""

    def job(report: Any, should_cancel: Any) -> Any:
        from annotator.nlp.memory import refresh_memory

        with Project(project_path) as p:
            return refresh_memory(p, annotators=[annotator], untouched_only=True, should_cancel=should_cancel)

    return job


class MemoryRefresher(QObject):
    """Schedules memory refreshes for one annotator of one project."""

    refreshed = Signal(object)  # the MemoryReport
    failed = Signal(str)

    def __init__(self, project_path: Path, annotator: str, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project_path = project_target(project_path)
        self.annotator = annotator
        self.runner = runner
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
        task = self.runner.run(refresh_job(self.project_path, self.annotator), "memory", owner=self, quiet=True)
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
