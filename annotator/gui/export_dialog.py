"""File > Export: the choices of ``annotator export`` in a dialog.

The export runs in a job of the :class:`~annotator.gui.tasks.TaskRunner` (it opens its own
``Project`` in the worker thread), with a progress bar and Cancel; the report
(misaligned spans, what the format could not carry) is shown when it ends.
The GUI thread only reads the annotator and layer names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.tasks import Job, TaskRunner
from annotator.store.dialect import project_target

GOLD_CHOICE = "__gold__"
ALL_CHOICE = "__all__"
#: Issues listed in the dialog (all of them are in the report object).
SHOWN_ISSUES = 200


class ExportDialog(QDialog):
    """Ask the export choices and run the export in the background.

    ``exported(report)`` is emitted when an export finished.
    """

    exported = Signal(object)

    def __init__(self, project_path: str | Path, parent: QWidget | None = None, annotator: str | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        from annotator.formats.export import annotators_with_work, writers
        from annotator.store import Project

        self.project_path = project_target(project_path)
        #: the main window's runner (the export waits for its other work), or the dialog's own
        self.runner = runner if runner is not None else TaskRunner(self)
        self.task: Job | None = None
        self.last_report: Any = None
        self.last_error: str | None = None
        self._out_edited = False
        self._close_when_done = False
        self._last_default = ""
        self._writers = writers()
        with Project(self.project_path, create=False) as project:
            self._annotators = project.annotators()
            working = annotators_with_work(project)
            self._layers = list(project.schema.layer_names)
        self.setWindowTitle(f"Export {self.project_path.name}")
        self.setMinimumWidth(560)

        form = QFormLayout()
        self.format_box = QComboBox()
        for name, info in sorted(self._writers.items()):
            self.format_box.addItem(f"{name} - {info.description}", name)
        self.format_box.setCurrentIndex(max(0, self.format_box.findData("spacy")))
        form.addRow("&Format:", self.format_box)

        out_row = QHBoxLayout()
        self.out_edit = QLineEdit()
        self.out_edit.textEdited.connect(self._mark_out_edited)
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.clicked.connect(self._browse)
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(self.browse_button)
        out_label = QLabel("&Output:")  # a row holding a layout gets no buddy: the "&" would show as text
        out_label.setBuddy(self.out_edit)
        form.addRow(out_label, out_row)

        self.who_box = QComboBox()
        self.who_box.addItem("Adjudicated (gold)", GOLD_CHOICE)
        self.who_box.addItem("Every annotator, separately", ALL_CHOICE)
        for name in self._annotators:
            if name != "gold":
                self.who_box.addItem(name, name)
        if "gold" in working:
            default = GOLD_CHOICE
        elif annotator and annotator in self._annotators:
            default = annotator
        elif len(working) == 1:
            default = working[0]
        else:
            default = ALL_CHOICE
        self.who_box.setCurrentIndex(max(0, self.who_box.findData(default)))
        form.addRow("&Annotations:", self.who_box)

        self.layer_box = QComboBox()
        self.layer_box.addItem("All layers (entities as tags)", None)
        for layer in self._layers:
            self.layer_box.addItem(layer, layer)
        form.addRow("&Layer:", self.layer_box)

        split_row = QHBoxLayout()
        self.split_check = QCheckBox("&Split into train/dev")
        self.split_spin = QDoubleSpinBox()
        self.split_spin.setRange(0.05, 0.95)
        self.split_spin.setSingleStep(0.05)
        self.split_spin.setValue(0.8)
        self.split_spin.setPrefix("train ")  # was in the check box's text, which the spin boxes covered
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setPrefix("seed ")
        split_row.addWidget(self.split_check)
        split_row.addWidget(self.split_spin)
        split_row.addWidget(self.seed_spin)
        split_row.addStretch(1)
        form.addRow("", split_row)
        self.split_check.toggled.connect(self._format_changed)

        self.only_done_check = QCheckBox("Only documents marked &done")
        self.suggestions_check = QCheckBox("Include machine su&ggestions")
        form.addRow("", self.only_done_check)
        form.addRow("", self.suggestions_check)

        self.scheme_box = QComboBox()
        for scheme in ("iob2", "iob1", "biluo"):
            self.scheme_box.addItem(scheme, scheme)
        form.addRow("Tag &scheme:", self.scheme_box)
        self.misaligned_box = QComboBox()
        for policy, text in (("expand", "expand to whole tokens"), ("contract", "contract to whole tokens"),
                             ("skip", "leave out"), ("fail", "stop the export")):
            self.misaligned_box.addItem(text, policy)
        form.addRow("Spans off token &boundaries:", self.misaligned_box)

        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.report_view.setPlaceholderText("The export report appears here: spans moved or left out, warnings.")

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start_export)
        self.close_button.clicked.connect(self._close_or_cancel)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.report_view, 1)
        layout.addWidget(self.buttons)

        self.format_box.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    # -- choices --------------------------------------------------------------------------------

    @property
    def format(self) -> str:
        """The chosen format name."""
        return str(self.format_box.currentData())

    def _default_out(self) -> Path:
        info = self._writers[self.format]
        ext = "" if info.directory or self.split_check.isChecked() else info.extension
        suffix = "-split" if self.split_check.isChecked() else ""
        return self.project_path.with_name(f"{self.project_path.stem}-{self.format}{suffix}{ext}")

    def _mark_out_edited(self, _text: str) -> None:
        self._out_edited = True

    def _format_changed(self, *_args: Any) -> None:
        self._update_enabled()
        self._update_out()

    def _update_out(self) -> None:
        """Follow the format and split with the default name until the user picks one."""
        current = self.out_edit.text()
        if current and current != self._last_default:
            self._out_edited = True
        if not self._out_edited:
            self._last_default = str(self._default_out())
            self.out_edit.setText(self._last_default)
        elif current:  # a name the user chose: keep it, with the new format's extension
            self.out_edit.setText(str(self._with_extension(Path(current))))

    def _with_extension(self, path: Path) -> Path:
        """``path`` with the chosen format's extension in place of another format's (none for a folder);
        an extension no format writes is the user's and stays."""
        info = self._writers[self.format]
        known = {w.extension for w in self._writers.values() if w.extension}
        if path.suffix not in known:
            return path
        folder = info.directory or self.split_check.isChecked()
        return path.with_suffix("" if folder else info.extension)

    def _update_enabled(self, *_args: Any) -> None:
        info = self._writers[self.format]
        self.split_spin.setEnabled(self.split_check.isChecked())
        self.seed_spin.setEnabled(self.split_check.isChecked())
        self.scheme_box.setEnabled(self.format in ("conll", "conllu"))
        self.misaligned_box.setEnabled(info.token_based)

    def _browse(self) -> None:
        info = self._writers[self.format]
        if info.directory or self.split_check.isChecked():
            chosen = QFileDialog.getExistingDirectory(self, "Export to folder", str(self.project_path.parent))
        else:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export to file", self.out_edit.text(),
                                                    f"{self.format} (*{info.extension})")
        if chosen:
            self.out_edit.setText(chosen)
            self._out_edited = True

    def options(self) -> dict[str, Any]:
        """The keyword arguments for :func:`annotator.formats.export.export_project`."""
        who = self.who_box.currentData()
        return {
            "fmt": self.format,
            "out": self.out_edit.text().strip(),
            "annotator": who if who not in (GOLD_CHOICE, ALL_CHOICE) else None,
            "gold": who == GOLD_CHOICE,
            "all_annotators": who == ALL_CHOICE,
            "layer": self.layer_box.currentData(),
            "split": self.split_spin.value() if self.split_check.isChecked() else None,
            "seed": self.seed_spin.value(),
            "only_done": self.only_done_check.isChecked(),
            "include_suggestions": self.suggestions_check.isChecked(),
            "scheme": self.scheme_box.currentData(),
            "misaligned": self.misaligned_box.currentData(),
        }

    def confirm_overwrite(self, path: Path) -> bool:
        """Ask before replacing an existing output (tests replace this method)."""
        answer = QMessageBox.question(self, "Replace export?", f"{path} exists. Replace it?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    # -- running ---------------------------------------------------------------------------------

    def start_export(self) -> Job | None:
        """Start the export in the background; returns the task (None if not started)."""
        if self.task is not None and self.task.is_running:
            return self.task
        opts = self.options()
        if not opts["out"]:
            self._show_error("Choose where to write the export.")
            return None
        out = Path(opts["out"])
        force = False
        if out.exists():
            if not self.confirm_overwrite(out):
                return None
            force = True
        path = self.project_path

        def run(report: Any, should_cancel: Any) -> Any:
            from annotator.formats.export import export_project
            from annotator.store import Project

            with Project(path, create=False) as project:  # this thread's own connection
                return export_project(project, force=force, progress=report, should_cancel=should_cancel, **opts)

        self.last_report = None
        self.last_error = None
        self.report_view.clear()
        self.progress_bar.setRange(0, 0)  # busy until the first report
        self.status_label.setText(f"Exporting to {out}…")
        self._set_running(True)
        self.task = self.runner.run(run, "export", owner=self, quiet=True)
        if self.task is None:
            self._on_errored("another export is under way; try again when it has finished", "")
            return None
        self.task.progress.connect(self._on_progress)
        self.task.finished.connect(self._on_finished)
        self.task.errored.connect(self._on_errored)
        self.task.cancelled.connect(self._on_cancelled)
        return self.task

    def _set_running(self, running: bool) -> None:
        for w in (self.format_box, self.out_edit, self.browse_button, self.who_box, self.layer_box, self.split_check,
                  self.only_done_check, self.suggestions_check, self.export_button):
            w.setEnabled(not running)
        if running:
            self.split_spin.setEnabled(False)
            self.seed_spin.setEnabled(False)
            self.scheme_box.setEnabled(False)
            self.misaligned_box.setEnabled(False)
        else:
            self._update_enabled()
        self.close_button.setText("Cancel" if running else "Close")

    def _on_progress(self, done: int, total: int, what: str) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.status_label.setText(f"Exporting {done} of {total} documents… {what[:60]}")

    def _on_finished(self, report: Any) -> None:
        self._set_running(False)
        self.last_report = report
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1)
        self.status_label.setText(report.summary())
        lines = [f"warning: {w}" for w in report.warnings]
        if report.issues:
            lines.append(f"{len(report.issues)} span(s) not on token boundaries or left out:")
            lines += ["  " + i.describe() for i in report.issues[:SHOWN_ISSUES]]
            if len(report.issues) > SHOWN_ISSUES:
                lines.append(f"  … and {len(report.issues) - SHOWN_ISSUES} more")
        if not lines:
            lines.append("Every span was written as it is.")
        self.report_view.setPlainText("\n".join(lines))
        self.exported.emit(report)
        self._maybe_close()

    def _show_error(self, message: str) -> None:
        self.last_error = message
        self.status_label.setText(f"Export failed: {message}")

    def _on_errored(self, message: str, _traceback: str) -> None:
        self._set_running(False)
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self._show_error(message)
        self.report_view.setPlainText(message)
        self._maybe_close()

    def _on_cancelled(self) -> None:
        self._set_running(False)
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.status_label.setText("Export cancelled; nothing was written.")
        self._maybe_close()

    @property
    def running(self) -> bool:
        """True while an export runs."""
        return self.task is not None and self.task.is_running

    def _close_or_cancel(self) -> None:
        if self.running:
            self.cancel_export()
        else:
            self.reject()

    def cancel_export(self) -> None:
        """Ask the running export to stop (it writes nothing)."""
        if self.task is not None and self.task.is_running:
            self.status_label.setText("Cancelling…")
            self.task.cancel()

    def reject(self) -> None:
        """Esc cancels a running export (the dialog stays to say so); otherwise closes."""
        if self.running:
            self.cancel_export()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Closing the window while exporting cancels first and closes when the worker stopped."""
        if self.running:
            self._close_when_done = True
            self.cancel_export()
            event.ignore()
            return
        super().closeEvent(event)

    def _maybe_close(self) -> None:
        if self._close_when_done:
            self._close_when_done = False
            super().reject()
