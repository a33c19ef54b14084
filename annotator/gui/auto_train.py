"""Retrain automatically every N finished documents (Document > Models…, off by default).

When the annotator marks a document done, :class:`AutoTrainer` asks
:func:`annotator.nlp.auto_train.due`; when N documents have been finished since
the last run, it starts ``annotator train`` in a child process (as the Models
dialog's "Train now" does: the window never freezes) on the window's
**training runner**, which the dialog uses too, so two training runs never
overlap.  The status bar shows the run's epochs and a Cancel button (Ctrl+C to
the child: the best model so far is kept); a failed run leaves a warning in the
status bar whose tooltip says why (no modal box: nobody asked for this run).
The run is registered like any other; when the model it made is the active one
(the usual rule: ``annotator.nlp.train.active_model``), the documents the
annotator has not started are suggested again with it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QMainWindow

from annotator.gui.model_dialog import CommandFn, train_command, train_job
from annotator.gui.task_bar import TaskBar
from annotator.gui.tasks import Job, TaskRunner
from annotator.nlp.auto_train import AutoTrain, due, load_auto_train, mark_started


def default_models_folder(project_path: Path) -> Path:
    """``models/<project name>`` beside the project file (the Models dialog's default too)."""
    return project_path.parent / "models" / project_path.stem


class AutoTrainer(QObject):
    """Watches the annotator's finished documents and retrains when the option says so."""

    #: a run started automatically (its Job)
    started = Signal(object)
    #: a run ended: its report (dict), or None when it failed or was cancelled
    ended = Signal(object)

    def __init__(self, window: QMainWindow, command: CommandFn = train_command) -> None:
        super().__init__(window)
        self.window = window
        self.project = window.project
        self.annotator: str = window.annotator
        self.command = command
        #: training runs only (the dialog's too): a run of minutes must not hold up suggest and memory jobs
        self.runner = TaskRunner(self)
        self.bar = TaskBar(window.statusBar(), window, self.runner)
        self.bar.message.connect(lambda text, ms: window.statusBar().showMessage(text, ms))
        self.warning = QLabel()
        self.warning.setStyleSheet("color: #D55E00; font-weight: 600;")
        window.statusBar().addPermanentWidget(self.warning)
        self.warning.hide()
        self.task: Job | None = None
        self.last_report: dict[str, Any] | None = None
        self.last_error: str | None = None
        window.session.statusChanged.connect(self._on_status)

    def option(self) -> AutoTrain:
        """The annotator's stored option."""
        return load_auto_train(self.project, self.annotator)

    def _on_status(self, _doc_id: int, state: str) -> None:
        if state == "done":
            self.check()

    def check(self) -> Job | None:
        """Start a run when one is due and none is under way (the count waits for the next done)."""
        if self.runner.busy or self.runner.closing:
            return None
        option = due(self.project, self.annotator)
        return self.start(option) if option is not None else None

    def start(self, option: AutoTrain) -> Job | None:
        """Train from the annotator's work with the option's components, in a child process."""
        folder = Path(option.out).expanduser() if option.out else default_models_folder(self.project.path)
        out = folder / f"{self.annotator}-{time.strftime('%Y%m%d-%H%M%S')}"
        argv = self.command(self.project.path, self.annotator, out, option.layers, option.stance, option.epochs)
        task = self.runner.run(train_job(argv), "training", owner=self, quiet=True)
        if task is None:
            return None
        mark_started(self.project, self.annotator)
        self.warning.hide()
        task.finished.connect(self._finished)
        task.errored.connect(self._failed)
        task.cancelled.connect(lambda: self.ended.emit(None))
        self.task = task
        self.window.statusBar().showMessage(
            f"Retraining from {self.annotator}'s work ({option.every} more documents done) in the background", 8000)
        self.started.emit(task)
        return task

    def _finished(self, report: dict[str, Any]) -> None:
        from annotator.nlp.train import active_model

        self.last_report = report
        active = active_model(self.project)
        now_active = active is not None and report.get("run_id") is not None and active["id"] == report["run_id"]
        how = "it suggests now" if now_active else "the model that suggests is unchanged (Document ▸ Models…)"
        self.window.statusBar().showMessage(
            f"Retrained (run {report.get('run_id')}): F1 {report.get('score', 0):.3f} on "
            f"{report.get('eval_documents', '?')} held-back documents; {how}", 15000)
        if now_active:  # the articles not started yet get the new model's suggestions
            ids = self.project.untouched_documents(self.annotator)
            if ids:
                self.window.suggest_project(doc_ids=ids)
        self.ended.emit(report)

    def _failed(self, message: str, _tb: str) -> None:
        self.last_error = message
        first = message.strip().splitlines()[-1] if message.strip() else "unknown error"
        self.warning.setText("⚠ Retraining failed")
        self.warning.setToolTip(message)
        self.warning.show()
        self.window.statusBar().showMessage(f"Retraining failed: {first[:200]}", 20000)
        self.ended.emit(None)

    def shutdown(self) -> None:
        """The window closes: stop a run (the child keeps its best model and records it)."""
        self.runner.shutdown()


def install_auto_train(window: QMainWindow) -> AutoTrainer:
    """Give ``window`` its automatic retraining (``window.auto_train``)."""
    return AutoTrainer(window)
