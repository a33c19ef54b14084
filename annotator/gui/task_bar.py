"""Background work in the status bar: one :class:`Task` at a time, with a
progress bar and a Cancel button; failures are shown, never raised."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QPushButton, QStatusBar, QWidget

from annotator.gui.workers import ReportFn, Task


class TaskBar(QObject):
    """Runs ``fn(report, should_cancel)`` off the GUI thread and shows its progress."""

    message = Signal(str, int)  # text, milliseconds to show it

    def __init__(self, status_bar: QStatusBar, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(180)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        for w in (self.label, self.bar, self.cancel_button):
            status_bar.addPermanentWidget(w)
            w.hide()
        self.task: Task | None = None
        self.closing = False
        # work asked for while another task runs starts when that one ends (e.g. "suggest" during warm-up)
        self._queue: list[tuple[Callable[[ReportFn, Callable[[], bool]], Any], str, Callable[[Any], None]]] = []

    def queued(self) -> list[str]:
        """Names of the tasks waiting for the running one."""
        return [q[1] for q in self._queue]

    @property
    def busy(self) -> bool:
        """True while a task runs."""
        return self.task is not None and self.task.is_running

    def run(self, fn: Callable[[ReportFn, Callable[[], bool]], Any], name: str,
            on_done: Callable[[Any], None]) -> Task | None:
        """Start ``fn`` as task ``name``; ``on_done(result)`` runs on the GUI thread."""
        if self.closing:
            return None
        if self.busy:
            assert self.task is not None
            if any(q[1] == name for q in self._queue) or self.task.name == name:
                self.message.emit(f"{name[:1].upper() + name[1:]} is already under way", 5000)
                return None
            self._queue.append((fn, name, on_done))
            self.message.emit(f"{name[:1].upper() + name[1:]} starts when {self.task.name} has finished", 6000)
            return None
        task = Task(fn, name, self)
        self.task = task
        title = name[:1].upper() + name[1:]
        self.label.setText(title + "…")
        self.bar.setRange(0, 0)  # busy until the first report
        for w in (self.label, self.bar, self.cancel_button):
            w.show()

        def progress(done: int, total: int, _what: str) -> None:
            self.bar.setRange(0, max(total, 1))
            self.bar.setValue(done)
            self.label.setText(f"{title}: {done:,} of {total:,}")

        def ended() -> None:
            for w in (self.label, self.bar, self.cancel_button):
                w.hide()
            if self._queue and not self.closing:
                self.run(*self._queue.pop(0))

        def failed(msg: str, _tb: str) -> None:
            self.message.emit(f"{title} failed: {msg}", 10000)
            QMessageBox.warning(self._window, f"{title} failed", msg)

        task.progress.connect(progress)
        task.finished.connect(on_done)
        task.errored.connect(failed)
        task.cancelled.connect(lambda: self.message.emit(f"{title} cancelled", 6000))
        task.ended.connect(ended)
        task.start()
        return task

    def cancel(self) -> None:
        """Ask the running task to stop."""
        if self.busy:
            assert self.task is not None
            self.task.cancel()
            self.label.setText("Cancelling…")

    def shutdown(self, ms: int = 60000) -> None:
        """The window is closing: refuse new work and stop the running task."""
        self.closing = True
        self._queue.clear()
        if self.busy:
            assert self.task is not None
            # work checks should_cancel between steps; an import of spaCy cannot be interrupted
            self.task.shutdown(ms)
