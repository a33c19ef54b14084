"""The review window: agreement (tab 1) and comparison/adjudication (tab 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget, QWidget

from annotator.core.model import GOLD
from annotator.gui.review.agreement_view import AgreementView
from annotator.gui.review.assign_dialog import AssignDialog
from annotator.gui.review.compare_view import CompareView
from annotator.gui.review.merge_dialog import MergeDialog
from annotator.gui.tasks import Job, TaskRunner
from annotator.review import adjudicate as adj
from annotator.review import blind
from annotator.store.dialect import project_target


class BulkGoldCommand(QUndoCommand):
    """Gold changes already made in the background on many documents (first
    redo does nothing); undo reverts them all."""

    def __init__(self, window: ReviewWindow, changes: dict[int, adj.GoldChange], text: str) -> None:
        super().__init__(text)
        self._window = window
        self._changes = changes
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._swap()

    def undo(self) -> None:
        self._swap()

    def _swap(self) -> None:
        project = self._window.project
        with project.transaction():
            self._changes = {d: adj.undo_change(project, d, c) for d, c in self._changes.items()}
        compare = self._window.compare
        if compare is not None and compare.document_id is not None:
            compare.refresh_after_change(compare.document_id)


def auto_merge_job(project_path: Path) -> Any:
    """A Task function merging agreements into gold over the whole project."""

    def run(report: Any, should_cancel: Any) -> dict[int, adj.GoldChange]:
        from annotator.store import Project

        changes: dict[int, adj.GoldChange] = {}
        with Project(project_path, create=False) as project:
            adj.auto_merge_project(project, progress=report, should_cancel=should_cancel, changes=changes)
        return changes

    return run


class ReviewWindow(QMainWindow):
    """Agreement and adjudication for ``project_path``.

    ``reviewer`` is who is looking: ``gold`` (the default) or a name with the
    reviewer role may compare annotators; in blind mode anyone else sees a
    notice instead of other annotators' work.  Adjudication writes to the
    ``gold`` set.
    """

    def __init__(self, project_path: str | Path, reviewer: str = GOLD, parent: QWidget | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        from annotator.store import Project

        self.project_path = project_target(project_path)
        self.project = Project(self.project_path, create=False)
        self.reviewer = reviewer
        self.allowed = blind.may_see_others(self.project, reviewer)
        self.setWindowTitle(f"Review — {self.project_path.name}")
        self.undo_stack = QUndoStack(self)
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        #: the main window's runner (its jobs and ours queue, each hears the other's writes), or our own
        self.runner = runner if runner is not None else TaskRunner(self)
        self.runner.projectChanged.connect(self._on_project_changed)
        self.bulk_task: Job | None = None
        self.agreement: AgreementView | None = None
        self.compare: CompareView | None = None
        if self.allowed:
            self.agreement = AgreementView(self.project_path, runner=self.runner)
            self.compare = CompareView(self.project, self.undo_stack, runner=self.runner,
                                       project_path=self.project_path)
            self.tabs.addTab(self.agreement, "&Agreement")
            self.tabs.addTab(self.compare, "&Compare and adjudicate")
            self.agreement.openDocument.connect(self.open_document)
            # a document opens (and its agreements merge into gold) only when the tab is looked at
            self.tabs.currentChanged.connect(
                lambda _i: self.compare.show_first_document() if self.tabs.currentWidget() is self.compare else None)
        else:
            notice = QLabel(
                f"<h3>Blind mode</h3><p>This project is in blind mode and <b>{reviewer}</b> is an annotator, "
                "so other annotators' work is not shown here. A reviewer (role <i>reviewer</i>, or <i>gold</i>) "
                "can compare and adjudicate; the project owner can turn blind mode off with "
                "<code>annotator blind PROJECT off</code>.</p>")
            notice.setWordWrap(True)
            notice.setAlignment(Qt.AlignmentFlag.AlignTop)
            self.tabs.addTab(notice, "Blind mode")
        self._build_menus()
        self.statusBar().showMessage(f"Reviewing as {reviewer}; adjudication writes to '{GOLD}'.")
        self.resize(1200, 800)
        if self.agreement is not None:
            QTimer.singleShot(0, self.agreement.compute)
            from annotator.gui.live import install_live_review

            self.live = install_live_review(self)  # a server project: teammates' edits recompute it

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        merge = QAction("&Merge annotators' projects…", self)
        merge.triggered.connect(self.open_merge_dialog)
        merge.setEnabled(self.allowed)
        file_menu.addAction(merge)
        close = QAction("&Close", self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        file_menu.addAction(close)
        # Quit as in the main window (Ctrl+Q where the platform defines no Quit key): every window closes,
        # each through its own closeEvent (a running job is cancelled first)
        quit_ = QAction("&Quit", self)
        quit_.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or [QKeySequence("Ctrl+Q")])
        quit_.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        quit_.triggered.connect(lambda _checked=False: QApplication.closeAllWindows())
        file_menu.addSeparator()
        file_menu.addAction(quit_)
        self.quit_action = quit_
        edit = self.menuBar().addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo])
        edit.addAction(undo)
        edit.addAction(redo)
        self.undo_action, self.redo_action = undo, redo
        review = self.menuBar().addMenu("&Review")
        recompute = QAction("&Recompute agreement", self)
        recompute.setShortcut(QKeySequence.StandardKey.Refresh)
        recompute.triggered.connect(lambda: self.agreement.compute() if self.agreement else None)
        recompute.setEnabled(self.allowed)
        review.addAction(recompute)
        self.merge_all_action = QAction("Merge agreements into gold in &every document", self)
        self.merge_all_action.triggered.connect(self.auto_merge_all)
        self.merge_all_action.setEnabled(self.allowed)
        review.addAction(self.merge_all_action)
        assign = QAction("&Assign documents and export packages…", self)
        assign.triggered.connect(self.open_assign_dialog)
        assign.setEnabled(self.allowed)
        review.addAction(assign)
        if self.compare is not None:
            review.addSeparator()
            for act in self.compare.toolbar.actions():
                review.addAction(act)
        view = self.menuBar().addMenu("&View")
        for i in range(self.tabs.count()):
            act = QAction(self.tabs.tabText(i).replace("&", ""), self)
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _=False, k=i: self.tabs.setCurrentIndex(k))
            view.addAction(act)

    def open_document(self, document_id: int, layer: str | None = None) -> None:
        """Show a document in the comparison tab."""
        if self.compare is None:
            return
        # shown before the tab switch, which would otherwise open (and merge) the first document too
        self.compare.show_document(document_id, layer or None)
        self.tabs.setCurrentWidget(self.compare)
        self.compare.units.setFocus()

    def open_merge_dialog(self) -> MergeDialog:
        """File > Merge into this project; refreshes when done."""
        dialog = MergeDialog(self.project_path, self, runner=self.runner)  # projectChanged refreshes us
        dialog.show()
        return dialog

    def open_assign_dialog(self) -> AssignDialog:
        """Review > Assign documents."""
        dialog = AssignDialog(self.project_path, self.project.annotators(), self, runner=self.runner)
        dialog.show()
        return dialog

    def after_merge(self) -> None:
        """New work arrived: reload lists and recompute agreement."""
        if self.compare is not None:
            self.compare.reload_documents()
        if self.agreement is not None:
            self.agreement.compute()

    def _on_project_changed(self, path: str) -> None:
        if path == str(self.project_path.resolve()):
            self.after_merge()

    def auto_merge_all(self) -> Job | None:
        """Merge agreements into gold everywhere, in the background; one undo step."""
        task = self.runner.run(auto_merge_job(self.project_path), "auto-merge", writes=[self.project_path],
                               owner=self, quiet=True)
        if task is None:
            return None
        task.progress.connect(lambda d, t, w: self.statusBar().showMessage(f"Merging agreements: {d}/{t} {w}"))
        task.finished.connect(self._bulk_done)
        task.errored.connect(lambda m, _tb: self.statusBar().showMessage(f"Merging agreements failed: {m}"))
        self.bulk_task = task
        return task

    def _bulk_done(self, changes: dict[int, adj.GoldChange]) -> None:
        n = sum(len(c.added) + len(c.answers_before) for c in changes.values())
        if changes:
            self.undo_stack.push(BulkGoldCommand(self, changes, f"Merge agreements in {len(changes)} document(s)"))
        self.statusBar().showMessage(f"Merged {n} agreed span(s)/answer(s) into gold on {len(changes)} document(s).")
        if self.compare is not None and self.compare.document_id is not None:
            self.compare.refresh_after_change(self.compare.document_id)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.agreement is not None:
            self.agreement.shutdown()
        if self.compare is not None and self.compare.merges is not None:
            self.compare.merges.shutdown()
        if self.bulk_task is not None and self.bulk_task.is_running:
            self.bulk_task.cancel()
            self.bulk_task.wait()
        self.project.close()
        super().closeEvent(event)
