"""The task runner in the status bar: the running job's name and progress, a
Cancel button, and a box when a job fails (failures are shown, never raised)."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QPushButton, QStatusBar, QWidget

from annotator.gui.tasks import TaskRunner


class TaskBar(QObject):
    """Shows what ``runner`` does in ``status_bar``; Cancel stops the running job."""

    message = Signal(str, int)  # text, milliseconds to show it

    def __init__(self, status_bar: QStatusBar, window: QWidget, runner: TaskRunner) -> None:
        super().__init__(window)
        self._window = window
        self.runner = runner
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(180)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        for w in (self.label, self.bar, self.cancel_button):
            status_bar.addPermanentWidget(w)
            w.hide()
        runner.started.connect(self._started)
        runner.progress.connect(self._progress)
        runner.idle.connect(self._idle)
        runner.message.connect(self.message)
        runner.failed.connect(lambda title, msg: QMessageBox.warning(self._window, title, msg))

    def queued(self) -> list[str]:
        """Names of the jobs waiting for the running one."""
        return self.runner.queued()

    @property
    def busy(self) -> bool:
        """True while a job runs."""
        return self.runner.busy

    def cancel(self) -> None:
        """Ask the running job to stop."""
        if self.runner.busy:
            self.runner.cancel()
            self.label.setText("Cancelling…")

    def _started(self, name: str) -> None:
        self.label.setText(name[:1].upper() + name[1:] + "…")
        self.bar.setRange(0, 0)  # busy until the first report
        for w in (self.label, self.bar, self.cancel_button):
            w.show()

    def _progress(self, name: str, done: int, total: int, what: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        # the step named too: a job of two phases (suggesting, then the project memory) counts
        # each, and the second must not read as the first stuck or starting over
        step = f" · {what[:40]}" if what else ""
        self.label.setText(f"{name[:1].upper() + name[1:]}: {done:,} of {total:,}{step}")
        self.label.setToolTip(what)

    def _idle(self) -> None:
        for w in (self.label, self.bar, self.cancel_button):
            w.hide()


class SaveIndicator(QLabel):
    """"✓ Saved 14:32:05" after every stored change, "⚠ Not saved" when the store refused one
    (every change is written at once; this says so where the annotator can see it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saveIndicator")
        self.setText("✓ Every change is saved at once")
        self.setToolTip("Every change is written to the project file as you make it")

    def show_saved(self, ok: bool, detail: str) -> None:
        """A write ended: stored (``ok``) or refused (``detail`` says why)."""
        if ok:
            self.setText(f"✓ Saved {time.strftime('%H:%M:%S')}")
            self.setStyleSheet("")
            self.setToolTip("The last change is in the project file")
        else:
            self.setText("⚠ Not saved")
            self.setStyleSheet("color: #D55E00; font-weight: 600;")
            self.setToolTip(f"The last change was not saved: {detail}")
