"""Merging one document's agreements into gold off the GUI thread.

Opening a document in the comparison view (and Ctrl+M) merges what every annotator
who marked it done agrees on into gold.  On an article with hundreds of relations that
takes a noticeable time (the relations' end spans and the relations are stored one by
one), so it runs as a job of the window's :class:`~annotator.gui.tasks.TaskRunner`
(queued behind any other job on the project, never two writers at once).  While a
document's merge is pending the view shows the document but takes no adjudication step
on it: a step taken meanwhile would land in gold before the merge's step lands on the
undo stack, and undo would then take them back in the wrong order.  When the merge
ends its change becomes one undoable step, already done.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import shiboken6
from PySide6.QtCore import QObject, Signal

from annotator.gui.review.gold_commands import GoldCommand
from annotator.gui.tasks import Job, TaskRunner
from annotator.review import adjudicate as adj

if TYPE_CHECKING:
    from annotator.gui.review.compare_view import CompareView


def merge_document_job(project_path: Path, document_id: int, annotators: Sequence[str]) -> Any:
    """A job function: :func:`~annotator.review.adjudicate.auto_merge` on one document, in its own
    connection; returns the :class:`~annotator.review.gold.GoldChange`."""
    names = list(annotators)

    def run(_report: Any, _should_cancel: Any) -> adj.GoldChange:
        from annotator.store import Project

        with Project(project_path, create=False) as project:
            return adj.auto_merge(project, document_id, annotators=names)

    return run


class DocumentMerges(QObject):
    """The comparison view's merges in the background: :attr:`pending` documents, one
    undo step each when it ends (``merged(document_id)`` then, whatever the outcome)."""

    merged = Signal(int)

    def __init__(self, view: CompareView, runner: TaskRunner, project_path: Path) -> None:
        super().__init__(view)
        self.view = view
        self.runner = runner
        self.project_path = project_path
        self.pending: set[int] = set()
        self._jobs: dict[int, Job] = {}
        self._failures: dict[int, str] = {}
        self._closed = False

    def start(self, document_id: int, annotators: Sequence[str]) -> bool:
        """Queue the merge of ``document_id``'s agreements among ``annotators``; False when none
        was queued (one for it is under way, or the window is closing)."""
        if document_id in self.pending:
            return False
        job = self.runner.run(merge_document_job(self.project_path, document_id, annotators),
                              f"merge agreements (document {document_id})", owner=self, quiet=True)
        if job is None:
            return False
        self.pending.add(document_id)
        self._jobs[document_id] = job
        job.finished.connect(lambda change, d=document_id: self._finished(d, change))
        job.errored.connect(lambda message, _tb, d=document_id: self._failed(d, message))
        job.ended.connect(lambda d=document_id: self._ended(d))
        return True

    def waiting_for(self) -> str | None:
        """The job the pending merges wait behind, if they are queued (for the status line)."""
        current = self.runner.current
        return current.name if current is not None and current not in self._jobs.values() else None

    def show_state(self, document_id: int) -> None:
        """Lock the view's adjudication steps while the shown document's merge is pending
        (no step until the merge's own is on the undo stack), and say so on its status line."""
        merging = document_id in self.pending
        for control in self.view.edit_controls():
            control.setEnabled(not merging)
        if merging:
            self.view.accept_version_button.setEnabled(False)  # the view enables it when there are versions
            after = self.waiting_for()
            self.view.status.setText(self.view.status.text() + "\nMerging agreements into gold"
                                     + (f" after {after}" if after else "") + "…")

    def _finished(self, document_id: int, change: adj.GoldChange) -> None:
        if not change.empty and not self._closed:
            self.view.undo_stack.push(GoldCommand(self.view, document_id, "Merge agreements", done=change))

    def _failed(self, document_id: int, message: str) -> None:
        self._failures[document_id] = message

    def _ended(self, document_id: int) -> None:
        if self._closed:  # the window (and its connection) went while the job ran
            return
        self.pending.discard(document_id)
        self._jobs.pop(document_id, None)
        failure = self._failures.pop(document_id, None)
        if document_id == self.view.document_id:
            self.view.refresh_after_change(document_id)
            if failure is not None:
                self.view.status.setText(f"Merging agreements into gold failed: {failure}")
        self.merged.emit(document_id)

    def shutdown(self) -> None:
        """The window is closing: cancel the queued merges, let a running one finish (what it
        merged stays in gold; the window's undo stack goes with it)."""
        self._closed = True
        for job in list(self._jobs.values()):
            if shiboken6.isValid(job):
                job.cancel()
                job.wait()
