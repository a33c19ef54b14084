"""The annotation workspace: document list, article view, label palette,
document panel, span list, menus with every action and its shortcut.

The window keeps the layout and routes signals: the actions are a table
(:mod:`annotator.gui.actions`), what keys and clicks do lives in
:mod:`annotator.gui.commands`, editing goes through
:class:`~annotator.gui.session.Session` (undoable commands writing through the
store), reads through :class:`~annotator.gui.project_info.ProjectInfo`, and
long work through the :class:`~annotator.gui.tasks.TaskRunner`, whose
``projectChanged`` refreshes the window after any job that wrote the project.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMenu, QMessageBox, QSplitter, QWidget

from annotator.core.errors import AnnotatorError
from annotator.core.jobs import Job as JobFn
from annotator.editing import Item, Key
from annotator.gui import settings as user_settings
from annotator.gui.actions import MENUS, ActionSpec, action_table, build_actions, shortcut_rows
from annotator.gui.article_pane import MAX_OPEN_CHARS, ArticlePane, paused_gc
from annotator.gui.background import SuggestFn, warm_up_job
from annotator.gui.commands import Commands, TypingGuard
from annotator.gui.document_panel import DocumentPanel
from annotator.gui.memory_refresh import AHEAD, MemoryRefresher
from annotator.gui.project_info import ProjectInfo
from annotator.gui.session import Session
from annotator.gui.side_panel import SidePanel
from annotator.gui.task_bar import SaveIndicator, TaskBar
from annotator.gui.tasks import Job, TaskRunner
from annotator.gui.themes import apply_theme, theme
from annotator.gui.window_jobs import WindowJobs
from annotator.store import Project

__all__ = ["MENUS", "MainWindow"]


class MainWindow(WindowJobs, QMainWindow):
    """The main window for one project and one annotator."""

    def __init__(self, project: Project, annotator: str, *, theme_name: str = "light", remember: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: read and write user settings (last document, layout); off for screenshots
        self.remember = remember
        self.project = project
        self.annotator = annotator
        self.session = Session(project, annotator, self)
        self.theme = theme(theme_name)
        #: replaces ``annotator.nlp.suggest.suggest_project`` (tests, other suggesters)
        self.suggest_function: SuggestFn | None = None
        self.info = ProjectInfo(project)
        #: runs background work for this window and the windows it opens
        self.runner = TaskRunner(self)
        #: refreshes this annotator's project memory of the unstarted documents next in the list
        #: after each change and each document opened
        self.memory = MemoryRefresher(project.path, annotator, self.runner, self,
                                      documents=lambda: self.documents.ahead(self.current_document, AHEAD))
        self.session.itemsChanged.connect(self.memory.schedule)
        self.session.documentOpened.connect(self.memory.schedule)
        self.commands = Commands(self)
        self._typing_guard = TypingGuard(self)  # removed from the app when the window is deleted
        QApplication.instance().installEventFilter(self._typing_guard)
        self.menus: dict[str, QMenu] = {}
        self.action_table = action_table(project.schema)
        self._answer_from_panel = False
        self._shown_once = False
        #: a document too long to open here, shown as such (nothing of it is open for editing)
        self.refused_doc: int | None = None
        #: close the project with the window (a window opened by File > Open owns its project)
        self.owns_project = False
        self.setWindowTitle(f"{project.path.name} — annotator ({annotator})")
        self._build_widgets()
        self._actions = build_actions(self, self.action_table)
        self._actions["dark"].setChecked(self.theme.name == "dark")
        self._actions["label_tags"].setChecked(remember and user_settings.label_tags())
        self.view.set_label_tags(self._actions["label_tags"].isChecked())
        self._label_actions = [self._actions[f"label_{n}"] for n in range(1, 10)]
        self._update_label_actions()
        self._install_extensions()
        self._connect()
        self._update_legend()
        self.resize(1400, 860)
        # nothing to answer or annotate until a document is open (an empty project)
        self.answers.setEnabled(False)
        self.view.setPlaceholderText("No document open. Import articles with File ▸ Import articles… (Ctrl+I).")
        if self.documents.model.rowCount() > 0:
            last = self._remembered_document()
            self.open_document(last or self.documents.first_not_done() or self.documents.model.doc_id(0))

    # -- public API ------------------------------------------------------------

    def menu(self, name: str) -> QMenu:
        """The menu called ``name`` (File, Edit, View, Document, Review, Help),
        so other parts can add their actions with one line."""
        return self.menus[name]

    def action(self, name: str) -> QAction:
        """An action by its internal name (tests, scripting)."""
        return self._actions[name]

    def open_document(self, doc_id: int) -> None:
        """Show a document (and select it in the list)."""
        self.answers.commit_all()
        if self.answers.has_unsaved():  # the store refused the note (busy): switching would lose it
            self.statusBar().showMessage("The note is not saved yet (the project is busy); try again", 8000)
            return
        length = self.info.length(doc_id)
        if length > MAX_OPEN_CHARS:
            self._refuse_long(doc_id)
            return
        self.refused_doc = None
        with paused_gc():
            self.session.open_document(doc_id)
        if self.remember:
            user_settings.remember_document(self.project.path, self.annotator, doc_id)
        self.documents.show_document(doc_id)

    @property
    def current_document(self) -> int | None:
        """The document shown: open for editing, or shown as too long to open."""
        return self.session.doc_id if self.session.doc_id is not None else self.refused_doc

    def _refuse_long(self, doc_id: int) -> None:
        """A document over :data:`MAX_OPEN_CHARS`: say so instead of laying out millions of characters."""
        self.session.close_document()
        self.refused_doc = doc_id
        self.view.set_article("", [])
        self.span_model.set_items("", [], presorted=True)
        self.answers.setEnabled(False)
        self.article.language_box.setEnabled(False)
        message = self.article.show_too_long(self.info.summary(doc_id), MAX_OPEN_CHARS)
        self.view.setPlaceholderText(message)
        self.statusBar().showMessage(message, 10000)
        self.documents.show_document(doc_id)

    # -- construction ------------------------------------------------------------

    def _build_widgets(self) -> None:
        schema = self.info.schema
        self.documents = DocumentPanel(self.project, self.annotator)

        # centre: title, metadata, article, document buttons
        self.article = ArticlePane(schema, self.theme)
        self.view = self.article.view
        self.nav_buttons = self.article.nav_buttons

        # right: palette, document questions, span list
        right = SidePanel(schema)
        self.palette, self.answers, self.span_box = right.palette, right.answers, right.span_box
        self.span_model, self.span_table = right.span_model, right.span_table
        self.palette.set_theme(self.theme)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.documents)
        split.addWidget(self.article)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([380, 700, 360])
        split.setChildrenCollapsible(False)
        self.splitter = split
        self.setCentralWidget(split)

        # status bar: messages, background task progress and cancel
        sb = self.statusBar()
        self.tasks = TaskBar(sb, self, self.runner)
        self.annotator_label = QLabel(f"Annotator: <b>{self.annotator}</b>")
        sb.addPermanentWidget(self.annotator_label)
        self.save_indicator = SaveIndicator()
        sb.addPermanentWidget(self.save_indicator)

    def _install_extensions(self) -> None:
        """Relations, the knowledge base and the review windows (File > Merge…, Review > Agreement… / Assign…)."""
        from annotator.gui.auto_train import install_auto_train
        from annotator.gui.kb.wiring import install_kb
        from annotator.gui.live import install_live
        from annotator.gui.relations.controller import install_relations
        from annotator.gui.review.wiring import install_review_actions
        self.relations = install_relations(self)  # arcs over the article, the relation list, relation keys
        self.kb = install_kb(self)  # the knowledge base: side-panel box, linking, browser, stories
        self.auto_train = install_auto_train(self)  # training runs, and retraining every N finished documents
        self.session.documentOpened.connect(lambda d: self.answers.set_suggestions(self.info.answer_suggestions(d)))
        self.live = install_live(self)  # a server project: other sessions' changes show here (gui/live.py)
        for name, act in {**install_review_actions(self), **self.kb.actions}.items():
            self.addAction(act)
            self._actions[name] = act
            menu = next(m for m in MENUS if act in self.menus[m].actions())
            keys = tuple(act.shortcuts())
            self.action_table.append(ActionSpec(name, act.text(), menu, keys))

    def export_dialog(self) -> None:
        """File > Export…: the formats part's dialog (it runs its own task)."""
        from annotator.gui.export_dialog import ExportDialog

        dialog = ExportDialog(self.project.path, self, annotator=self.annotator, runner=self.runner)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self._export_dialog = dialog  # alive while shown
        dialog.show()

    def _connect(self) -> None:
        s = self.session
        s.documentOpened.connect(self._on_document_opened)
        s.itemsChanged.connect(self._on_items_changed)
        s.selectionChanged.connect(self._on_selection_changed)
        s.statusChanged.connect(self._on_status_changed)
        s.activeChanged.connect(self._on_active_changed)
        s.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        s.answersChanged.connect(self._on_answers_changed)
        s.caretChanged.connect(self._on_caret_changed)
        s.saved.connect(self.save_indicator.show_saved)
        self.article.languageChosen.connect(self.commands.set_language)
        c = self.commands
        self.view.selectionMade.connect(c.text_selected)
        self.view.itemClicked.connect(c.item_clicked)
        self.view.boundaryDragged.connect(c.boundary_dragged)
        self.view.contextMenuRequested.connect(c.item_menu)
        self.palette.labelChosen.connect(c.palette_label)
        self.palette.layerChosen.connect(lambda layer: self.session.set_active(layer))
        self.answers.answerChanged.connect(self._on_answer)
        self.documents.documentActivated.connect(self.open_document)
        self.documents.searchSubmitted.connect(self._search_entered)
        self.documents.filtersApplied.connect(self._on_filters_applied)
        self.tasks.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self.runner.projectChanged.connect(self._on_project_changed)
        self.nav_buttons["prev"].clicked.connect(lambda: c.step_document(-1))
        self.nav_buttons["next"].clicked.connect(lambda: c.step_document(1))
        self.nav_buttons["skip"].clicked.connect(lambda: c.set_status("skipped"))
        self.nav_buttons["done"].clicked.connect(c.done_and_next)
        self.span_table.clicked.connect(lambda idx: self.session.select(self.span_model.key(idx.row())))
        self.span_table.selectionModel().currentRowChanged.connect(self._on_span_row)
        self._entities_timer = QTimer(self)
        self._entities_timer.setSingleShot(True)
        self._entities_timer.setInterval(150)
        self._entities_timer.timeout.connect(lambda: self.answers.set_entities(self.session.entity_texts()))

    # -- documents -------------------------------------------------------------

    def apply_filters(self) -> None:
        """Re-filter the document list (search box and filter boxes)."""
        self.documents.apply_filters()

    def _on_filters_applied(self, n: int, filtered: bool, ranked: bool) -> None:
        if self.current_document is not None:
            self.documents.show_document(self.current_document)
        self._show_search_hits()
        if filtered:
            order = " (best first)" if ranked else ""
            more = "" if self.documents.model.complete else " or more"  # the rest are read as the list scrolls
            self.statusBar().showMessage(f"{n:,}{more} document{'s' * (n != 1)} match{order}", 4000)

    def _show_search_hits(self) -> None:
        """Frame the search box's words in the open article (whole words, any case)."""
        words = self.documents.search_words()
        if not words or self.session.doc_id is None:
            self.view.set_search_hits([])
            return
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
        to16 = self.session.map.to_utf16
        self.view.set_search_hits([(to16(m.start()), to16(m.end())) for m in pattern.finditer(self.session.text)])

    def _search_entered(self) -> None:
        if self.documents.model.rowCount():
            self.open_document(self.documents.model.doc_id(0))
            self.view.setFocus()

    def _remembered_document(self) -> int | None:
        """The document this annotator had open last time, if it is still in the list."""
        doc_id = user_settings.last_document(self.project.path, self.annotator) if self.remember else None
        return doc_id if doc_id is not None and self.documents.model.row_of(doc_id) is not None else None

    # -- session signals ---------------------------------------------------------

    def _on_document_opened(self, doc_id: int) -> None:
        self._entities_timer.stop()
        doc = self.info.document(doc_id)
        items = self.session.items()
        self.view.set_article(doc.text, items)
        self.span_model.set_items(doc.text, items, presorted=True)
        self._show_meta(doc)
        self.answers.load(self.session.answers(), self.session.entity_texts())
        self.answers.setEnabled(True)
        self._show_search_hits()
        self._update_span_box()
        self.statusBar().showMessage(
            f"Document {doc_id}: {len(self.session.spans)} spans, {len(self.session.suggestions)} suggestions", 4000)
        self.documents.show_document(doc_id)

    def _show_meta(self, doc: Any) -> None:
        self.article.show_header(doc, self.session.status())
        self.article.show_language(doc.language or "id")
        self._update_legend()

    def _update_legend(self) -> None:
        layer = self.session.active_layer
        label = self.session.active_label[layer]
        self.article.show_active(layer, label, self.info.schema.layer(layer).label(label).colour)

    def _update_span_box(self) -> None:
        n_spans, n_sugg = len(self.session.spans), len(self.session.suggestions)
        self.span_box.setTitle(f"Spans ({n_spans:,} · {n_sugg:,} suggested)" if n_sugg else f"Spans ({n_spans:,})")

    def _on_items_changed(self, removed: list[Key], added: list[Item]) -> None:
        self._update_span_box()
        self.view.update_items(removed, added)
        if len(removed) + len(added) > 300:  # accept-all: one reset beats thousands of row signals
            self.span_model.set_items(self.session.text, self.session.items(), presorted=True)
        else:
            self.span_model.update_items(removed, added)
        if self.session.selected:
            self._on_selection_changed(self.session.selected, scroll=False)
        first_layer = self.info.schema.layers[0].name
        if any(i.layer == first_layer for i in added) or removed:
            self._entities_timer.start()  # stance targets: refreshed after the edit, not during it

    def _on_selection_changed(self, key: Key | None, scroll: bool = True) -> None:
        self.view.set_selected(key, scroll=scroll)
        row = self.span_model.row_of(key) if key else None
        # a flag, not a QSignalBlocker: the table must hear the change to repaint the row left behind
        self._syncing_spans = True
        try:
            if row is None:
                self.span_table.clearSelection()
                self.span_table.setCurrentIndex(self.span_model.index(-1, 0))
            else:
                self.span_table.selectRow(row)
                self.span_table.scrollTo(self.span_model.index(row, 0))
        finally:
            self._syncing_spans = False
        if key is not None:
            item = self.session.item_for(key)
            if item is not None:
                what = "suggestion" if item.is_suggestion else "span"
                score = f", score {item.score:.2f}" if item.score is not None else ""
                hint = (" — click again or Enter to accept, X to reject" if item.is_suggestion
                        else " — a number relabels, Shift+←/→ resizes, X deletes")
                self.statusBar().showMessage(
                    f"{item.label} {what} “{self.session.span_text(key)[:60]}” ({item.origin}{score}){hint}", 6000)

    def _on_span_row(self, current: Any, _previous: Any) -> None:
        if current.isValid() and not getattr(self, "_syncing_spans", False):
            self.session.select(self.span_model.key(current.row()))

    def _on_caret_changed(self, caret: tuple[int, int] | None) -> None:
        to16 = self.session.map.to_utf16
        self.view.set_caret((to16(caret[0]), to16(caret[1])) if caret else None)
        if caret is not None:
            self.statusBar().showMessage(
                f"“{self.session.text[caret[0]:caret[1]]}”: a number key makes a span here, Enter one of "
                f"{self.session.active_label[self.session.active_layer]}", 4000)

    def _on_status_changed(self, doc_id: int, _state: str) -> None:
        self.documents.refresh_document(doc_id)
        if doc_id == self.session.doc_id:
            self._show_meta(self.info.document(doc_id))

    def _on_active_changed(self, layer: str, label: str) -> None:
        self.palette.set_active(layer, label)
        self._update_label_actions()
        self._update_legend()

    def _on_answers_changed(self, doc_id: int) -> None:
        if doc_id == self.session.doc_id and not self._answer_from_panel:  # undo/redo: show the stored answers
            self.answers.load(self.session.answers(), self.session.entity_texts())

    def _update_label_actions(self) -> None:
        lay = self.info.schema.layer(self.session.active_layer)
        by_key = {lab.hotkey: lab.name for lab in lay.labels if lab.hotkey}
        for n, act in enumerate(self._label_actions, start=1):
            name = by_key.get(str(n))
            act.setText(f"{lay.name}: {name}" if name else f"Label {n} (none in {lay.name})")
            act.setEnabled(True)

    # -- editing -----------------------------------------------------------------

    def _on_answer(self, question: str, value: str | None, target: str | None) -> None:
        self._answer_from_panel = True  # the panel shows it already: no reload (it would reset a note being typed)
        saved = False
        try:
            saved = self.session.set_answer(question, value, target)
        except AnnotatorError as exc:
            self.statusBar().showMessage(str(exc), 6000)
        finally:
            self._answer_from_panel = False
        if not saved and self.info.schema.question(question).free_text:
            # the failed write re-read the document (the note went back to what is stored): keep the text typed
            self.answers.keep_unsaved(question, value)

    # -- background work -----------------------------------------------------------

    def run_task(self, fn: JobFn, name: str, on_done: Callable[[Any], None], *,
                 writes: bool = False) -> Job | None:
        """Queue ``fn(progress, should_cancel)`` on the window's runner (progress and cancel in the
        status bar); ``writes``: the job changes this project, every view refreshes after it."""
        return self.runner.run(fn, name, on_done=on_done, writes=[self.project.path] if writes else ())

    def _on_project_changed(self, path: str) -> None:
        """A background job wrote a project file: if it is this one, show what is stored now."""
        if path != str(self.project.path.resolve()):
            return
        self.documents.fill_sources()
        self.apply_filters()
        self.documents.update_progress()
        self.session.reload()

    def warm_up_nlp(self) -> Job | None:
        """Import spaCy in the background so suggesting starts fast; the window is already up."""
        job = warm_up_job()
        if job is None:
            return None
        return self.run_task(job, "loading spaCy", lambda msg: self.statusBar().showMessage(msg, 3000))

    # -- other actions ---------------------------------------------------------

    def toggle_theme(self) -> None:
        """Switch between light and dark."""
        name = "dark" if self.theme.name == "light" else "light"
        self.set_theme(name)
        user_settings.set_theme_name(name)

    def set_theme(self, name: str) -> None:
        """Apply a theme to the app and the highlights."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self.theme = apply_theme(app, name)
        else:  # pragma: no cover - a window needs an app
            self.theme = theme(name)
        self._actions["dark"].setChecked(name == "dark")
        self.article.set_theme(self.theme)
        self.palette.set_theme(self.theme)
        if self.session.doc_id is not None:
            self._show_meta(self.info.document(self.session.doc_id))

    def toggle_label_tags(self) -> None:
        """Label tags on the highlights on or off (remembered)."""
        on = self._actions["label_tags"].isChecked()
        self.view.set_label_tags(on)
        if self.remember:
            user_settings.set_label_tags(on)

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """``(menu, action, shortcuts)`` for every action of the table (the Help table, F1)."""
        return shortcut_rows(self.action_table, self._actions)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """The article takes the keyboard when the window first shows."""
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.view.setFocus()
            if not (self.remember and user_settings.settings().contains("window/splitter")):
                # first start: side panels take about a quarter each, the article the rest
                w = max(self.splitter.width(), 900)
                left, right = max(240, int(w * 0.24)), max(280, int(w * 0.24))
                self.splitter.setSizes([left, w - left - right, right])

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Nothing to save (every change is stored at once); record time, stop work."""
        if getattr(self, "_closed", False):  # a second close: the project may be closed by now
            event.accept()
            return
        self.answers.commit_all()
        if self.answers.has_unsaved() and QMessageBox.question(
                self, "Note not saved",
                "The note on this document could not be saved (the project is busy). Close anyway and lose it?",
        ) != QMessageBox.StandardButton.Yes:
            event.ignore()
            return
        self._closed = True
        self.session.close()
        self.memory.shutdown()
        self.auto_train.shutdown()
        self.runner.shutdown()
        if self.remember:
            s = user_settings.settings()
            s.setValue("window/geometry", self.saveGeometry())
            s.setValue("window/splitter", self.splitter.saveState())
        super().closeEvent(event)
        if self.owns_project:
            self.project.close()

    def restore_layout(self) -> None:
        """Restore geometry and splitter sizes remembered from last time."""
        s = user_settings.settings()
        geo = s.value("window/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        split = s.value("window/splitter")
        if split is not None:
            self.splitter.restoreState(split)
