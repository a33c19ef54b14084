"""Document > Models…: train a model from the project, see the history, pick the one that suggests.

Training runs ``annotator train`` in a **child process** (spaCy training would
hold the interpreter; the window must never freeze), watched by a job of the
dialog's own :class:`~annotator.gui.tasks.TaskRunner` (so the main window's
suggest and memory jobs do not queue behind a run of several minutes).  The
child prints one JSON line per epoch; the dialog shows the progress bar and
each epoch's per-label scores as they come.  Cancel sends the child Ctrl+C
(SIGINT): it stops, keeps the best model so far and records the run.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.jobs import Cancelled
from annotator.gui.tasks import Job, TaskRunner
from annotator.store import Project
from annotator.store.dialect import project_target

EPOCH_PREFIX = "EPOCH "  # as annotator.cli.learn_cmds writes it

#: ``command(project, source, out, layers, stance, epochs) -> argv`` of the training process.
CommandFn = Callable[[Path, str, Path, list[str], bool, int], list[str]]


def train_command(project: Path, source: str, out: Path, layers: list[str], stance: bool, epochs: int) -> list[str]:
    """``annotator train`` in a child interpreter (JSON per epoch on stderr, the report on stdout)."""
    argv = [sys.executable, "-m", "annotator", "train", str(project), "--out", str(out), "--layers", ",".join(layers),
            "--epochs", str(epochs), "--json", "--epoch-json"]
    argv += ["--gold"] if source == "gold" else ["--annotator", source]
    return argv + (["--stance"] if stance else [])


def train_job(argv: list[str]) -> Any:
    """Job: run the training process, report each epoch, Ctrl+C it on cancel."""

    def job(progress: Any, should_cancel: Any) -> Any:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        epochs = int(argv[argv.index("--epochs") + 1])
        errors: list[str] = []
        interrupted = False
        ended = False
        while not ended:
            if should_cancel() and not interrupted:
                interrupted = True
                # Ctrl+C: the child keeps the best model and records the run
                proc.send_signal(signal.SIGINT if os.name == "posix" else signal.SIGTERM)
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                ended = True
            elif line.startswith(EPOCH_PREFIX):
                ep = json.loads(line[len(EPOCH_PREFIX):])
                progress(ep["epoch"], epochs, epoch_text(ep))
            elif line.strip():
                errors.append(line.rstrip())
        out = proc.stdout.read() if proc.stdout is not None else ""
        code = proc.wait()
        report = json.loads(out) if code == 0 and out.strip() else None
        if report is None:
            raise RuntimeError("\n".join(e for e in errors if "Warning" not in e)[-2000:] or f"training ended ({code})")
        if interrupted or report.get("cancelled"):
            raise Cancelled(f"training cancelled; best model (epoch {report['best_epoch']}) kept", report)
        return report

    return job


def epoch_text(ep: dict[str, Any]) -> str:
    """One line per epoch: loss, F1 and per-label F1 on the held-back part."""
    parts = [f"epoch {ep['epoch']}", "loss " + " ".join(f"{k} {v:.0f}" for k, v in sorted(ep["losses"].items()))]
    ents = ep["scores"].get("entities")
    if ents:
        parts.append(f"F1 {ents['f1']:.3f} (" + ", ".join(f"{lab} {v['f1']:.2f}"
                                                     for lab, v in ents["per_label"].items()) + ")")
    if "cues" in ep["scores"]:
        parts.append(f"cues {ep['scores']['cues']['f1']:.3f}")
    if "stance" in ep["scores"]:
        parts.append(f"stance {ep['scores']['stance']['macro_f1']:.3f}")
    return "  ".join(parts) + ("  best" if ep.get("best") else "")


class ModelDialog(QDialog):
    """Train now, the history of runs, and which model suggests."""

    def __init__(self, project_path: str | Path, parent: QWidget | None = None, annotator: str | None = None,
                 main_runner: TaskRunner | None = None, command: CommandFn = train_command,
                 train_runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.project_path = project_target(project_path)
        self.command = command
        self.annotator = annotator
        #: training runs only (the window's, shared with automatic retraining, so two runs never overlap;
        #: else its own): a run must not hold up the window's suggest and memory jobs
        self.runner = train_runner if train_runner is not None else TaskRunner(self)
        self.main_runner = main_runner
        self.task: Job | None = None
        self.last_report: dict[str, Any] | None = None
        self.last_error: str | None = None
        self.setWindowTitle(f"Models of {self.project_path.name}")
        self.setMinimumWidth(640)
        with Project(self.project_path, create=False) as project:
            names = project.annotators()
        form = QFormLayout()
        self.source = QComboBox()
        self.source.addItems(names)
        if annotator in names:
            self.source.setCurrentText(annotator)
        form.addRow("Learn from:", self.source)
        self.entities = QCheckBox("entities (NER)")
        self.entities.setChecked(True)
        self.cues = QCheckBox("cues (span categorizer)")
        self.stance = QCheckBox("stance (text classifier)")
        row = QHBoxLayout()
        for box in (self.entities, self.cues, self.stance):
            row.addWidget(box)
        form.addRow("Components:", row)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 200)
        self.epochs.setValue(30)
        form.addRow("At most epochs:", self.epochs)
        self.out = QLineEdit(str(self.project_path.parent / "models" / self.project_path.stem))
        form.addRow("Model folder:", self.out)
        form.addRow("", self._auto_row())
        self.train_button = QPushButton("&Train now")
        self.train_button.clicked.connect(self.train)
        self.cancel_button = QPushButton("&Cancel training")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.bar = QProgressBar()
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        self.history = QTableWidget(0, 7)
        self.history.setHorizontalHeaderLabels(["id", "when", "from", "docs", "F1", "status", "folder"])
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.use = QComboBox()
        self.use.activated.connect(self._use_changed)
        use_row = QHBoxLayout()
        use_row.addWidget(QLabel("Suggest with:"))
        use_row.addWidget(self.use, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.bar)
        layout.addWidget(self.log, 1)
        layout.addWidget(QLabel("History (newest last):"))
        layout.addWidget(self.history, 1)
        layout.addLayout(use_row)
        self._load_auto()
        # a run started elsewhere on the shared runner (automatic retraining) shows in the history when it ends
        self.runner.idle.connect(self.refresh)
        self.refresh()

    # -- retraining automatically ------------------------------------------------------

    def _auto_row(self) -> QWidget:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        self.auto = QCheckBox("Retrain automatically every")
        self.auto_every = QSpinBox()
        self.auto_every.setRange(1, 10000)
        self.auto_every.setValue(10)
        who = self.annotator or "the annotator"
        self.auto_hint = QLabel(f"documents {who} marks done (from {who}'s work, with the components above)")
        for w in (self.auto, self.auto_every, self.auto_hint):
            box.addWidget(w)
        box.addStretch(1)
        self.auto.setToolTip("Off by default. When on, a training run starts in the background each time "
                             f"{who} has finished that many more documents; it is registered like any run.")
        self.auto.setEnabled(self.annotator is not None)
        self.auto_every.setEnabled(self.annotator is not None)
        self._loading_auto = True
        for changed in (self.auto.toggled, self.auto_every.valueChanged, self.entities.toggled, self.cues.toggled,
                       self.stance.toggled, self.epochs.valueChanged):
            changed.connect(self._save_auto)
        self.out.editingFinished.connect(self._save_auto)
        return row

    def _load_auto(self) -> None:
        from annotator.nlp.auto_train import load_auto_train

        self._loading_auto = True
        try:
            if self.annotator is None:
                return
            with Project(self.project_path, create=False) as project:
                option = load_auto_train(project, self.annotator)
            self._auto_stored_on = option.on
            if option.on:  # the dialog shows what an automatic run trains
                self.auto_every.setValue(option.every)
                self.entities.setChecked("entities" in option.layers)
                self.cues.setChecked("cues" in option.layers)
                self.stance.setChecked(option.stance)
                self.epochs.setValue(option.epochs)
                if option.out:
                    self.out.setText(option.out)
            self.auto.setChecked(option.on)
        finally:
            self._loading_auto = False

    def _save_auto(self, *_: object) -> None:
        """Store the option (per annotator, in the project) as the dialog shows it."""
        from annotator.nlp.auto_train import load_auto_train, set_auto_train

        if self._loading_auto or self.annotator is None:
            return
        if not self.auto.isChecked() and not getattr(self, "_auto_stored_on", True):
            return  # off and staying off: the other boxes are only this dialog's (no project opened)
        with Project(self.project_path, create=False) as project:
            if not self.auto.isChecked() and not load_auto_train(project, self.annotator).on:
                self._auto_stored_on = False
                return
            self._auto_stored_on = self.auto.isChecked()
            set_auto_train(project, self.annotator, every=self.auto_every.value() if self.auto.isChecked() else 0,
                           layers=self.layers() or ["entities"], stance=self.stance.isChecked(),
                           epochs=self.epochs.value(), out=self.out.text().strip())

    # -- history -------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the runs and the active model."""
        from annotator.nlp.train import MODEL_SETTING, registered_models

        with Project(self.project_path, create=False) as project:
            runs = registered_models(project)
            choice = (project.get_setting(MODEL_SETTING) or "").strip()
        self.history.setRowCount(len(runs))
        for r, run in enumerate(runs):
            cells = [str(run["id"]) + (" *" if run["active"] else ""), run["created"][:16].replace("T", " "),
                     run["source"], str(run["documents"]), f"{run['scores'].get('score', 0):.3f}", run["status"],
                     run["path"] + ("" if run["exists"] else " (missing)")]
            for c, text in enumerate(cells):
                self.history.setItem(r, c, QTableWidgetItem(text))
        self.history.resizeColumnsToContents()
        self.use.clear()
        self.use.addItem("the newest model", "newest")
        self.use.addItem("no model (rules and memory)", "none")
        for run in reversed(runs):
            self.use.addItem(f"run {run['id']} ({run['source']}, F1 {run['scores'].get('score', 0):.3f})",
                             str(run["id"]))
        self.use.setCurrentIndex(max(0, self.use.findData(choice or "newest")))

    def _use_changed(self, index: int) -> None:
        from annotator.nlp.train import use_model

        with Project(self.project_path, create=False) as project:
            use_model(project, str(self.use.itemData(index)))
        self.refresh()

    # -- training ----------------------------------------------------------------

    def layers(self) -> list[str]:
        """The span layers ticked."""
        return [name for name, box in (("entities", self.entities), ("cues", self.cues)) if box.isChecked()]

    def train(self) -> Job | None:
        """Start a training run in a child process."""
        if self.task is not None and self.task.is_running:
            return None
        out = Path(self.out.text()).expanduser() / f"{self.source.currentText()}-{time.strftime('%Y%m%d-%H%M%S')}"
        argv = self.command(self.project_path, self.source.currentText(), out, self.layers() or ["entities"],
                            self.stance.isChecked(), self.epochs.value())
        self.log.appendPlainText(f"training from {self.source.currentText()} into {out}")
        self.bar.setRange(0, self.epochs.value())
        self.bar.setValue(0)
        task = self.runner.run(train_job(argv), "training", owner=self, quiet=True)
        if task is None:
            self.log.appendPlainText("a training run is already under way (see the status bar); try when it ends")
            return None
        if self.source.currentText() == self.annotator:
            from annotator.nlp.auto_train import load_auto_train, mark_started

            with Project(self.project_path, create=False) as project:
                if load_auto_train(project, self.annotator).on:  # "every N since the last run": this one
                    mark_started(project, self.annotator)
        task.progress.connect(self._progress)
        task.finished.connect(self._finished)
        task.errored.connect(self._failed)
        task.cancelled.connect(self._cancelled)
        task.ended.connect(self._ended)
        self.task = task
        self.train_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        return task

    def cancel(self) -> None:
        """Stop the run; the best model so far is kept and recorded."""
        if self.task is not None and self.task.is_running:
            self.log.appendPlainText("cancelling: the best model so far is kept")
            self.task.cancel()

    def _progress(self, done: int, total: int, what: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.log.appendPlainText(what)

    def _finished(self, report: dict[str, Any]) -> None:
        self.last_report = report
        self.log.appendPlainText(f"done: best epoch {report['best_epoch']}, F1 {report['score']:.3f}, "
                                 f"{report['documents']} documents, {report['seconds']:.0f} s")

    def _cancelled(self) -> None:
        self.log.appendPlainText("cancelled: the best model so far is kept")

    def _failed(self, message: str, _tb: str) -> None:
        self.last_error = message
        self.log.appendPlainText(f"failed: {message}")

    def _ended(self) -> None:
        self.train_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.refresh()
        if self.main_runner is not None:
            self.main_runner.announce_change(self.project_path)

    def done(self, result: int) -> None:  # noqa: D102 - Qt override: closing cancels a run
        if self.task is not None and self.task.is_running:
            self.task.cancel()
        super().done(result)

