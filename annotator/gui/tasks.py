"""One task runner for every window (Anki's CollectionOp/QueryOp are the model).

A window hands :meth:`TaskRunner.run` a plain job ``job(progress, should_cancel)``
(the contract of :mod:`annotator.core.jobs`; the job opens its own ``Project``,
an SQLite connection belongs to one thread) and gets a :class:`Job` handle back
at once.  The runner:

- queues jobs, so two jobs never run against the project at the same time
  (a merge and an import, a suggest during the spaCy warm-up);
- runs the job on a :class:`~annotator.gui.workers.Task` thread and reports its
  progress through the handle and through its own signals (the task bar shows them);
- cancels on request: a running job through ``should_cancel``, a queued one at once;
- when a job that ``writes`` a project file has ended (finished, failed or
  cancelled: a cancelled merge keeps the files merged before), emits
  :attr:`TaskRunner.projectChanged` with that file's path, before the handle's
  ``finished``; every window showing that file refreshes on it.

Windows of one project share one runner (the main window's; dialogs take it as
``runner``).  A dialog opened alone makes its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import shiboken6
from PySide6.QtCore import QObject, Signal

from annotator.core.jobs import Job as JobFn
from annotator.gui.workers import Task
from annotator.store.dialect import project_target


def _key(path: str | Path) -> str:
    # a server project's key is its URL without the password, as ``Project.path`` shows it
    return str(project_target(path).resolve())


class Job(QObject):
    """The handle of one queued or running job.  Signals arrive on the GUI thread.

    ``progress(done, total, what)``, then exactly one of ``finished(result)``,
    ``errored(message, traceback)`` or ``cancelled()``, then ``ended()``.  The
    handle is a child of the window that asked for the job (``owner``): when the
    window goes, its handle and connections go with it and the job is cancelled.
    """

    progress = Signal(int, int, str)
    finished = Signal(object)
    errored = Signal(str, str)
    cancelled = Signal()
    ended = Signal()

    def __init__(self, entry: _Entry, owner: QObject | None) -> None:
        super().__init__(owner)
        self._entry = entry
        self.name = entry.name

    def cancel(self) -> None:
        """Ask the job to stop (a queued job ends at once with ``cancelled``)."""
        self._entry.runner.cancel_entry(self._entry)

    @property
    def is_running(self) -> bool:
        """True while the job is queued or running."""
        return not self._entry.ended

    @property
    def is_queued(self) -> bool:
        """True while the job waits for another one to end."""
        return self._entry.task is None and not self._entry.ended

    def wait(self, ms: int = 30000) -> bool:
        """Block until the job's thread ends (tests and shutdown only); a queued job has no thread."""
        task = self._entry.task
        if task is None or not shiboken6.isValid(task):
            return self._entry.ended
        return task.wait(ms)


@dataclass(eq=False)
class _Entry:
    """What the runner keeps of a job (plain Python: it outlives a deleted handle)."""

    runner: TaskRunner
    fn: JobFn
    name: str
    writes: tuple[str, ...]
    quiet: bool
    job: Job | None = None
    task: Task | None = None
    cancel_asked: bool = False
    ended: bool = False
    callbacks: list[Callable[[Any], None]] = field(default_factory=list)

    def emit(self, signal: str, *args: Any) -> None:
        """Emit on the handle when it (and so its owner) is still alive."""
        if self.job is not None and shiboken6.isValid(self.job):
            getattr(self.job, signal).emit(*args)


class TaskRunner(QObject):
    """Runs jobs one at a time off the GUI thread; see the module docstring."""

    #: a job started (its name)
    started = Signal(str)
    #: the running job's progress: name, done, total, what
    progress = Signal(str, int, int, str)
    #: no job runs and none waits
    idle = Signal()
    #: a short text for a status bar, and how long to show it (ms)
    message = Signal(str, int)
    #: a job that is not ``quiet`` failed: title, message (the task bar shows a box)
    failed = Signal(str, str)
    #: a job wrote this project file (resolved path): every view of it refreshes
    projectChanged = Signal(str)  # noqa: N815 - Qt signal naming

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: _Entry | None = None
        self._queue: list[_Entry] = []
        self.closing = False

    # -- asking -------------------------------------------------------------------

    def run(self, fn: JobFn, name: str, *, on_done: Callable[[Any], None] | None = None,
            writes: Iterable[str | Path] = (), owner: QObject | None = None, quiet: bool = False) -> Job | None:
        """Queue ``fn(progress, should_cancel)`` as job ``name``; returns its handle.

        ``on_done(result)`` runs on the GUI thread after a success; ``writes`` are
        the project files the job changes; ``owner`` is the window asking (the
        job is cancelled when it goes); ``quiet`` jobs report failure only through
        their handle (a dialog showing it itself).  ``None`` when the window is
        closing or a job of that name is already queued or running.
        """
        if self.closing:
            return None
        title = name[:1].upper() + name[1:]
        if any(e.name == name and not e.cancel_asked for e in self._active()):
            self.message.emit(f"{title} is already under way", 5000)
            return None
        entry = _Entry(self, fn, name, tuple(_key(p) for p in writes), quiet)
        entry.job = Job(entry, owner if owner is not None else self)
        if on_done is not None:
            entry.job.finished.connect(on_done)
        if owner is not None:
            owner.destroyed.connect(lambda *_: self.cancel_entry(entry) if shiboken6.isValid(self) else None)
        if self._running is not None:
            self._queue.append(entry)
            self.message.emit(f"{title} starts when {self._running.name} has finished", 6000)
        else:
            self._start(entry)
        return entry.job

    def announce_change(self, path: str | Path) -> None:
        """Tell every view of ``path`` that it changed (a write made outside a job)."""
        self.projectChanged.emit(_key(path))

    # -- state --------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a job runs."""
        return self._running is not None

    @property
    def current(self) -> Job | None:
        """The running job's handle (``None`` when idle or when its window is gone)."""
        job = self._running.job if self._running is not None else None
        return job if job is not None and shiboken6.isValid(job) else None

    def queued(self) -> list[str]:
        """Names of the jobs waiting for the running one."""
        return [e.name for e in self._queue]

    def cancel(self) -> None:
        """Ask the running job to stop."""
        if self._running is not None:
            self.cancel_entry(self._running)

    def cancel_entry(self, entry: _Entry) -> None:
        """Cancel one job: a running one is asked to stop, a queued one ends now."""
        if entry.ended:
            return
        entry.cancel_asked = True
        if entry.task is not None:
            entry.task.cancel()
        elif entry in self._queue:
            self._queue.remove(entry)
            self._finish(entry, "cancelled")

    def shutdown(self, ms: int = 60000) -> None:
        """The application is closing: refuse new work, drop the queue, stop the running job."""
        self.closing = True
        for entry in list(self._queue):
            self.cancel_entry(entry)
        if self._running is not None and self._running.task is not None:
            # a job checks should_cancel between steps; an import of spaCy cannot be interrupted
            self._running.task.shutdown(ms)
            self._running.ended = True  # its queued result is never handled: the window is going
            self._running = None

    # -- running ------------------------------------------------------------------

    def _active(self) -> list[_Entry]:
        return ([self._running] if self._running is not None else []) + self._queue

    def _start(self, entry: _Entry) -> None:
        task = Task(entry.fn, entry.name, self)
        entry.task = task
        self._running = entry
        task.progress.connect(lambda d, t, w: self._on_progress(entry, d, t, w))
        task.finished.connect(lambda result: self._finish(entry, "finished", result))
        task.errored.connect(lambda msg, tb: self._finish(entry, "errored", msg, tb))
        task.cancelled.connect(lambda: self._finish(entry, "cancelled"))
        task.ended.connect(lambda: self._next(entry))
        self.started.emit(entry.name)
        task.start()

    def _on_progress(self, entry: _Entry, done: int, total: int, what: str) -> None:
        self.progress.emit(entry.name, done, total, what)
        entry.emit("progress", done, total, what)

    def _finish(self, entry: _Entry, how: str, *args: Any) -> None:
        entry.ended = True
        title = entry.name[:1].upper() + entry.name[1:]
        if entry.task is not None:  # it ran: what it wrote (even partly) is in the file
            for path in entry.writes:
                self.projectChanged.emit(path)
        if how == "cancelled":
            self.message.emit(f"{title} cancelled", 6000)
        elif how == "errored":
            self.message.emit(f"{title} failed: {args[0]}", 10000)
            if not entry.quiet:
                self.failed.emit(f"{title} failed", args[0])
        entry.emit(how, *args)
        entry.emit("ended")

    def _next(self, entry: _Entry) -> None:
        if self._running is entry:
            self._running = None
        if entry.task is not None:
            entry.task.deleteLater()  # its thread has ended (Task.ended comes after the wait)
        if self._queue and not self.closing:
            self._start(self._queue.pop(0))
        elif self._running is None:
            self.idle.emit()
