"""Background work off the GUI thread (napari-style workers).

A :class:`Task` runs a job ``fn(progress, should_cancel) -> result`` (the
contract of :mod:`annotator.core.jobs`) on a :class:`QThread`;
``progress(done, total, what)`` and the result come back to the GUI thread
through queued signals.  The function must not touch widgets, and opens its
own ``Project`` (SQLite connections are per thread).  Windows do not make
Tasks themselves: they ask the :class:`~annotator.gui.tasks.TaskRunner`,
which queues them.
"""

from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QObject, QThread, Signal

from annotator.core.jobs import Cancelled
from annotator.core.jobs import Job as TaskFn


class _Runner(QObject):
    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()

    def __init__(self, fn: TaskFn, cancel_event: threading.Event) -> None:
        super().__init__()
        self._fn = fn
        self._cancel = cancel_event

    def run(self) -> None:
        try:
            result = self._fn(lambda d, t, w="": self.progress.emit(int(d), int(t), str(w)), self._cancel.is_set)
        except Cancelled:
            self.cancelled.emit()
            return
        except Exception as exc:  # noqa: BLE001 - reported to the GUI, which shows it
            self.failed.emit(str(exc), traceback.format_exc())
            return
        if self._cancel.is_set():
            self.cancelled.emit()
        else:
            self.done.emit(result)


class Task(QObject):
    """One background job.  Signals arrive on the thread that created the Task.

    ``progress(done, total, what)``, ``finished(result)``, ``errored(message, traceback)``,
    ``cancelled()``; exactly one of the last three is emitted, then ``ended()``.
    """

    progress = Signal(int, int, str)
    finished = Signal(object)
    errored = Signal(str, str)
    cancelled = Signal()
    ended = Signal()

    def __init__(self, fn: TaskFn, name: str = "task", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._cancel = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName(f"annotator-{name}")
        self._runner = _Runner(fn, self._cancel)
        self._runner.moveToThread(self._thread)
        self._thread.started.connect(self._runner.run)
        self._runner.progress.connect(self.progress)
        self._runner.done.connect(self._on_done)
        self._runner.failed.connect(self._on_failed)
        self._runner.cancelled.connect(self._on_cancelled)
        self._running = False

    def start(self) -> Task:
        """Start the job; returns self for chaining."""
        self._running = True
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the job to stop; it ends with ``cancelled``."""
        self._cancel.set()

    @property
    def is_running(self) -> bool:
        """True until one of finished/errored/cancelled was emitted."""
        return self._running

    def wait(self, ms: int = 30000) -> bool:
        """Block until the function has returned and the thread ended (tests and shutdown only).
        The thread's event loop is told to stop after the function: otherwise only ``_end``,
        run by the GUI thread blocked here, would stop it.  The result still arrives."""
        self._thread.quit()
        return self._thread.wait(ms)

    def shutdown(self, ms: int = 30000) -> bool:
        """Cancel, let the function return, stop the thread and wait for it
        (a window closing: the queued ``finished`` would never be handled)."""
        self._cancel.set()
        self._thread.quit()  # leaves the thread's event loop once the function returns
        ended = self._thread.wait(ms)
        self._running = False
        return ended

    def _end(self) -> None:
        self._running = False
        self._thread.quit()
        self._thread.wait()
        self.ended.emit()

    def _on_done(self, result: object) -> None:
        self.finished.emit(result)
        self._end()

    def _on_failed(self, message: str, tb: str) -> None:
        self.errored.emit(message, tb)
        self._end()

    def _on_cancelled(self) -> None:
        self.cancelled.emit()
        self._end()
