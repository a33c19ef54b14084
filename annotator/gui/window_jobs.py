"""The main window's background work: suggesting (the open document, the project, the
documents no suggester has seen yet) and importing, each a job on the window's
:class:`~annotator.gui.tasks.TaskRunner`; a mixin of
:class:`~annotator.gui.main_window.MainWindow`, which provides ``run_task``,
``project``, ``session``, ``info``, ``documents`` and ``open_document``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from annotator.gui.article_pane import MAX_OPEN_CHARS
from annotator.gui.background import find_suggester, import_job, suggest_job
from annotator.gui.tasks import Job

#: The documents, from the open one on in the list, that suggesting on the way keeps suggested:
#: a project of a million articles is not suggested whole when it opens (half an hour of spaCy).
SUGGEST_AHEAD = 500


class WindowJobs:
    """Suggest and import for the main window (mixed into it)."""

    #: the job suggesting the documents on the way (:meth:`suggest_missing`), while it runs
    _missing_job: Job | None = None
    #: set by :meth:`start_background_work`: each document opened then keeps those after it suggested
    _suggest_on_the_way = False

    def suggest_document(self) -> Job | None:
        """Run the suggesters on the open document only (forced)."""
        if self.session.doc_id is None:
            return None
        return self.suggest_project(doc_ids=[self.session.doc_id], force=True)

    def suggest_project(self, **options: Any) -> Job | None:
        """Run the suggesters over the project in the background."""
        fn = self.suggest_function or find_suggester()
        return self.run_task(suggest_job(self.project.path, fn, **options), "suggesting", self._suggest_done,
                             writes=True)

    def _suggest_done(self, report: Any) -> None:
        n = getattr(report, "suggestions", None)
        docs = getattr(report, "documents", None)
        self.statusBar().showMessage(f"Suggestions ready: {n} on {docs} documents" if n is not None
                                     else "Suggestions ready", 8000)
        kb = getattr(self, "kb", None)
        if kb is not None:  # then the knowledge-base links (docs/kb.md), once suggesting has ended
            QTimer.singleShot(0, kb.link_in_background)

    def import_dialog(self) -> None:
        """Ask for files and import them in the background."""
        paths, _ = QFileDialog.getOpenFileNames(self, "Import articles", str(Path.home()),
                                                "Articles (*.txt *.jsonl *.csv);;All files (*)")
        if paths:
            self.import_files(paths)

    def import_files(self, paths: list[str]) -> Job | None:
        """Import ``paths`` in the background; the list refreshes when done."""
        return self.run_task(import_job(self.project.path, paths, self.annotator), "importing", self._import_done,
                             writes=True)

    def _import_done(self, report: Any) -> None:
        totals = report.totals()
        msg = f"Imported {totals['new_documents']} new documents from {totals['files']} files"
        if report.failed:
            msg += f"; {len(report.failed)} failed"
            QMessageBox.warning(self, "Some files were not imported",
                                "\n".join(str(f.error) for f in report.failed[:20]))
        self.statusBar().showMessage(msg, 10000)
        if self.session.doc_id is None and self.documents.model.rowCount():
            self.open_document(self.documents.model.doc_id(0))

    def start_background_work(self) -> None:
        """After the window is up: load spaCy, then suggest the documents no suggester has seen
        (a new project, the sample one, articles imported since) among the open one and the
        :data:`SUGGEST_AHEAD` after it in the list, without asking; from then on, each document
        opened does the same for those after it."""
        self.warm_up_nlp()
        self.suggest_missing()
        if not self._suggest_on_the_way:
            self._suggest_on_the_way = True
            self.session.documentOpened.connect(self._suggest_on_open)

    def _suggest_on_open(self, _doc_id: int) -> None:
        # after the event that opened it (a key held on "next" opens many: one query each, no job)
        QTimer.singleShot(0, self._suggest_missing_unless_closed)

    def _suggest_missing_unless_closed(self) -> None:
        if not getattr(self, "_closed", False) and not self.runner.closing:
            # stepping through the list uncovers one new document each time: a job (and the
            # reload of the open document when it ends) every step would be noise
            self.suggest_missing(at_least=max(1, SUGGEST_AHEAD // 2))

    def suggest_missing(self, at_least: int = 1) -> Job | None:
        """Suggest, in the background, the documents no suggester has run on yet among the open
        one and the :data:`SUGGEST_AHEAD` after it in the list (all of a shorter list; the open
        one first): at once when the open one is among them, else when they are ``at_least``.
        None when there are none (or too few), or while the last such job is still at work."""
        job = self._missing_job
        if job is not None and (job.is_running or job.is_queued):
            return None
        current = self.current_document
        near = ([current] if current is not None else []) + self.documents.ahead(current, SUGGEST_AHEAD)
        unsuggested = set(self.info.unsuggested_ids(near))
        # a document too long to open here would hold the queue (and a quit) for minutes: left to the CLI
        long = {i.id for i in self.info.summaries(sorted(unsuggested)) if i.length > MAX_OPEN_CHARS}
        ids = [d for d in dict.fromkeys(near) if d in unsuggested and d not in long]
        if not ids or (current not in ids and len(ids) < at_least):
            return None
        self._missing_job = self.suggest_project(doc_ids=ids)
        return self._missing_job
