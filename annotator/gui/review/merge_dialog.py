"""File > Merge: bring annotators' project files into a review project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.tasks import Job, TaskRunner


def merge_job(review: Path, sources: list[Path]) -> Any:
    """A Task function running :func:`annotator.review.merge.merge_projects`."""

    def run(report: Any, should_cancel: Any) -> Any:
        from annotator.review.merge import merge_projects

        return merge_projects(review, sources, progress=report, should_cancel=should_cancel)

    return run


class MergeDialog(QDialog):
    """Pick the review project and the annotators' files, merge in the
    background with progress and cancel, and show what happened (conflicts
    are listed, never overwritten).  ``merged(report)`` after a merge."""

    merged = Signal(object)

    def __init__(self, review_path: str | Path | None = None, parent: QWidget | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge annotators' projects")
        #: the main window's runner (the merge waits for its other work), or the dialog's own
        self.runner = runner if runner is not None else TaskRunner(self)
        self.task: Job | None = None
        self.report: Any = None
        self.review = QLineEdit(str(review_path) if review_path else "")
        self.review.setPlaceholderText("review project (.db); created when it does not exist")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_review)
        self.sources = QListWidget()
        self.sources.setAccessibleName("files to merge")
        add = QPushButton("&Add files…")
        add.clicked.connect(self._add_sources)
        remove = QPushButton("&Remove")
        remove.clicked.connect(lambda: [self.sources.takeItem(self.sources.row(i)) for i in self.sources.selectedItems()])
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setPlaceholderText("Documents are matched by their text; re-running a merge adds nothing twice.")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.merge_button = self.buttons.addButton("&Merge", QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton("Cancel merge", QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button.setEnabled(False)
        self.merge_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(lambda: self.task.cancel() if self.task else None)
        self.buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.review, 1)
        row.addWidget(browse)
        src_buttons = QHBoxLayout()
        src_buttons.addWidget(add)
        src_buttons.addWidget(remove)
        src_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Review project:"))
        layout.addLayout(row)
        layout.addWidget(QLabel("Annotators' project files:"))
        layout.addWidget(self.sources)
        layout.addLayout(src_buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.log)
        layout.addWidget(self.buttons)
        self.resize(620, 480)

    def add_sources(self, paths: list[str | Path]) -> None:
        """Add files to merge (skipping ones already listed)."""
        have = {self.sources.item(i).text() for i in range(self.sources.count())}
        for p in paths:
            if str(p) not in have:
                have.add(str(p))
                self.sources.addItem(str(p))

    def source_paths(self) -> list[Path]:
        """The listed files."""
        return [Path(self.sources.item(i).text()) for i in range(self.sources.count())]

    def _browse_review(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Review project", self.review.text(), "Projects (*.db)",
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.review.setText(path)

    def _add_sources(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Annotators' projects", "", "Projects (*.db)")
        self.add_sources(paths)

    def start(self) -> Job | None:
        """Run the merge in the background."""
        review = self.review.text().strip()
        sources = self.source_paths()
        if not review or not sources:
            self.log.setPlainText("Choose the review project and at least one file to merge.")
            return None
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.merge_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.log.setPlainText("Merging…")
        # the runner tells every window showing the review file that it changed
        task = self.runner.run(merge_job(Path(review), sources), "merge", writes=[review], owner=self, quiet=True)
        if task is None:
            self._end("A merge is already under way.")
            return None
        task.progress.connect(self._on_progress)
        task.finished.connect(self._on_finished)
        task.errored.connect(lambda msg, _tb: self._end(f"Merge failed: {msg}"))
        task.cancelled.connect(lambda: self._end("Cancelled; files merged before stay merged, the one in progress "
                                                 "was rolled back."))
        self.task = task
        return task

    def _on_progress(self, done: int, total: int, what: str) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.progress.setFormat(f"%p%  {what}")

    def _end(self, text: str) -> None:
        self.progress.setVisible(False)
        self.merge_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.log.setPlainText(text)

    def _on_finished(self, report: Any) -> None:
        self.report = report
        lines = [report.summary(), ""]
        for s in report.sources:
            lines.append(f"{s.path}: {s.documents} document(s) ({s.new_documents} new), spans +{s.spans_added} "
                         f"~{s.spans_updated} -{s.spans_removed}, {s.answers} answer(s), {s.statuses} status(es)")
        if report.conflicts:
            lines += ["", "Conflicts (the review kept what it had):"] + [f"  {c}" for c in report.conflicts]
        if report.problems:
            lines += ["", "Not merged:"] + [f"  {p}" for p in report.problems]
        self._end("\n".join(lines))
        self.merged.emit(report)
