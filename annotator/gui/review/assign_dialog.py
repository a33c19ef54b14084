"""Review > Assign documents: deal documents to annotators with overlap and
write one package (project file) per annotator, both in the background."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.core.jobs import check_cancel
from annotator.core.model import GOLD
from annotator.gui.tasks import Job, TaskRunner
from annotator.store.dialect import project_target


def assign_job(project_path: Path, names: list[str], overlap: int, replace: bool, seed: int | None) -> Any:
    """A Task function running :func:`annotator.review.assign.assign_documents`."""

    def run(report: Any, should_cancel: Any) -> Any:
        from annotator.review.assign import assign_documents
        from annotator.store import Project

        with Project(project_path, create=False) as project:
            return assign_documents(project, names, overlap=overlap, replace=replace, seed=seed)

    return run


def packages_job(project_path: Path, folder: Path) -> Any:
    """A Task function writing ``folder/NAME.db`` for every annotator with assignments."""

    def run(report: Any, should_cancel: Any) -> list[Any]:
        from annotator.review.assign import assignments, export_package
        from annotator.store import Project

        out = []
        with Project(project_path, create=False) as project:
            names = sorted({a for anns in assignments(project).values() for a in anns})
            for i, name in enumerate(names):
                check_cancel(should_cancel, "writing packages cancelled; the packages written stay")
                report(i, len(names), name)
                out.append(export_package(project, name, folder / f"{name}.db"))
            report(len(names), len(names), "done")
        return out

    return run


class AssignDialog(QDialog):
    """Assign documents with overlap k and export per-annotator packages."""

    assigned = Signal(object)

    def __init__(self, project_path: str | Path, annotators: list[str], parent: QWidget | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Assign documents")
        self.project_path = project_target(project_path)
        #: the main window's runner (queued behind its other work), or the dialog's own
        self.runner = runner if runner is not None else TaskRunner(self)
        self.task: Job | None = None
        self.names = QLineEdit(", ".join(a for a in annotators if a != GOLD))
        self.names.setPlaceholderText("alice, bob, cici")
        self.overlap = QSpinBox()
        self.overlap.setRange(1, 20)
        self.overlap.setValue(2)
        self.overlap.setToolTip("How many annotators label each document (2 or more to measure agreement)")
        self.replace = QCheckBox("Replace existing assignments (otherwise top them up)")
        self.seed = QSpinBox()
        self.seed.setRange(-1, 1_000_000)
        self.seed.setValue(-1)
        self.seed.setSpecialValueText("in document order")
        self.seed.setToolTip("Shuffle the documents with this seed before dealing them out")
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.assign_button = self.buttons.addButton("&Assign", QDialogButtonBox.ButtonRole.ActionRole)
        self.package_button = self.buttons.addButton("Export &packages…", QDialogButtonBox.ButtonRole.ActionRole)
        self.assign_button.clicked.connect(self.assign)
        self.package_button.clicked.connect(lambda: self.export_packages(None))
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Annotators:", self.names)
        form.addRow("Annotators per document:", self.overlap)
        form.addRow("Order:", self.seed)
        form.addRow("", self.replace)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.log)
        layout.addWidget(self.buttons)
        self.resize(520, 420)

    def _names(self) -> list[str]:
        return [n.strip() for n in self.names.text().replace(";", ",").split(",") if n.strip()]

    def _run(self, fn: Any, name: str, on_done: Any, writes: bool) -> Job | None:
        task = self.runner.run(fn, name, on_done=on_done, writes=[self.project_path] if writes else (), owner=self,
                               quiet=True)
        if task is None:
            return None
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.assign_button.setEnabled(False)
        self.package_button.setEnabled(False)
        task.progress.connect(lambda d, t, w: (self.progress.setRange(0, max(t, 1)), self.progress.setValue(d)))
        task.errored.connect(lambda msg, _tb: self._end(f"Failed: {msg}"))
        task.cancelled.connect(lambda: self._end("Cancelled."))
        self.task = task
        return task

    def _end(self, text: str) -> None:
        self.progress.setVisible(False)
        self.assign_button.setEnabled(True)
        self.package_button.setEnabled(True)
        self.log.setPlainText(text)

    def assign(self) -> Job | None:
        """Assign in the background; the log shows each annotator's load and the shared pairs."""
        seed = self.seed.value()
        job = assign_job(self.project_path, self._names(), self.overlap.value(), self.replace.isChecked(),
                         None if seed < 0 else seed)
        return self._run(job, "assign", self._assigned, writes=True)

    def _assigned(self, report: Any) -> None:
        lines = [f"Assigned {report.added} document slot(s) over {report.documents} document(s)."]
        lines += [f"  {name}: {n} document(s)" for name, n in report.load.items()]
        if report.pairs:
            lines.append("Documents each pair shares (for agreement):")
            lines += [f"  {pair.replace('|', ' & ')}: {n}" for pair, n in report.pairs.items()]
        self._end("\n".join(lines))
        self.assigned.emit(report)

    def export_packages(self, folder: str | Path | None) -> Job | None:
        """Write one project file per assigned annotator into ``folder`` (asked when None)."""
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "Folder for the packages")
            if not folder:
                return None
        return self._run(packages_job(self.project_path, Path(folder)), "packages", lambda reports: self._end("\n".join(
            [f"{r.path}: {r.documents} document(s), {r.spans} span(s) of {r.annotator}" for r in reports]
            or ["No assignments yet: assign documents first."])), writes=False)
