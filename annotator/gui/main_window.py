"""The annotation workspace: document list, article view, label palette,
document panel, span list, menus with every action and its shortcut.

The window is thin: editing goes through :class:`~annotator.gui.session.Session`
(undoable commands writing through the store), long work through
:class:`~annotator.gui.workers.Task`.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.editing import SPAN, SUGGESTION, Item, Key
from annotator.gui import settings as user_settings
from annotator.gui.article_pane import ArticlePane
from annotator.gui.background import SuggestFn, find_suggester, import_job, suggest_job, warm_up_job
from annotator.gui.dialogs import ShortcutsDialog
from annotator.gui.document_panel import DocumentPanel
from annotator.gui.models import SpanListModel
from annotator.gui.panels import AnswerPanel, LabelPalette
from annotator.gui.session import Session
from annotator.gui.task_bar import TaskBar
from annotator.gui.themes import apply_theme, theme
from annotator.gui.workers import Task
from annotator.store import Project

MENUS = ("File", "Edit", "View", "Document", "Review", "Help")


@contextmanager
def busy_cursor() -> Iterator[None]:
    """A wait cursor around a bulk action that runs on the GUI thread (one transaction)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Opening a big article allocates ~100,000 small objects at once; a full
    garbage collection triggered in the middle (with every Qt wrapper alive)
    costs tens of milliseconds and finds nothing, so collect afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()



class MainWindow(QMainWindow):
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
        self._menus: dict[str, QMenu] = {}
        self._actions: dict[str, QAction] = {}
        self._label_actions: list[QAction] = []
        self._answer_from_panel = False
        self._shown_once = False
        #: close the project with the window (a window opened by File > Open owns its project)
        self.owns_project = False
        self.setWindowTitle(f"{project.path.name} — annotator ({annotator})")
        self._build_widgets()
        self._build_actions()
        self._install_extensions()
        self._connect()
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
        return self._menus[name]

    def action(self, name: str) -> QAction:
        """An action by its internal name (tests, scripting)."""
        return self._actions[name]

    def open_document(self, doc_id: int) -> None:
        """Show a document (and select it in the list)."""
        self.answers.commit_all()
        if self.answers.has_unsaved():  # the store refused the note (busy): switching would lose it
            self.statusBar().showMessage("The note is not saved yet (the project is busy); try again", 8000)
            return
        with paused_gc():
            self.session.open_document(doc_id)
        if self.remember:
            user_settings.settings().setValue(self._last_doc_key(), doc_id)
        self.documents.show_document(doc_id)

    # -- construction ------------------------------------------------------------

    def _build_widgets(self) -> None:
        schema = self.project.schema
        self.documents = DocumentPanel(self.project, self.annotator)

        # centre: title, metadata, article, document buttons
        self.article = ArticlePane(schema, self.theme)
        self.view = self.article.view
        self.nav_buttons = self.article.nav_buttons

        # right: palette, document questions, span list
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(4, 8, 8, 8)
        box = QGroupBox("Labels")
        QVBoxLayout(box).addWidget(palette := LabelPalette(schema))
        box.layout().setContentsMargins(2, 2, 2, 2)
        self.palette = palette
        rv.addWidget(box)
        qbox = QGroupBox("Document")
        self.answers = AnswerPanel(schema)
        QVBoxLayout(qbox).addWidget(self.answers)
        qbox.layout().setContentsMargins(2, 2, 2, 2)
        rv.addWidget(qbox)
        sbox = QGroupBox("Spans")
        self.span_box = sbox
        sl = QVBoxLayout(sbox)
        sl.setContentsMargins(2, 2, 2, 2)
        self.span_model = SpanListModel(
            {(lay.name, lab.name): lab.colour for lay in schema.layers for lab in lay.labels}, self)
        self.span_table = QTableView()
        self.span_table.setModel(self.span_model)
        self.span_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.span_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.span_table.verticalHeader().hide()
        self.span_table.verticalHeader().setDefaultSectionSize(22)
        self.span_table.setShowGrid(False)
        self.span_table.setWordWrap(False)
        self.span_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.span_table.setColumnWidth(0, 78)
        self.span_table.setColumnWidth(2, 110)
        self.span_table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        sl.addWidget(self.span_table)
        rv.addWidget(sbox, 1)

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
        self.tasks = TaskBar(sb, self)
        self.annotator_label = QLabel(f"Annotator: <b>{self.annotator}</b>")
        sb.addPermanentWidget(self.annotator_label)

    def _add(self, name: str, text: str, slot: Callable[[], Any], menu: str, keys: Any = (),
             *, checkable: bool = False, tip: str = "") -> QAction:
        act = QAction(text, self)
        seqs = keys if isinstance(keys, (list, tuple)) else [keys]
        seqs = [QKeySequence(k) for k in seqs]
        if seqs:
            act.setShortcuts(seqs)
        act.setCheckable(checkable)
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(tip)
        act.triggered.connect(lambda _checked=False: slot())
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(act)
        self._menus[menu].addAction(act)
        self._actions[name] = act
        return act

    def _build_actions(self) -> None:
        bar = self.menuBar()
        for name in MENUS:
            self._menus[name] = bar.addMenu(f"&{name}")
        SK = QKeySequence.StandardKey  # noqa: N806
        key = Qt.Key
        # File
        self._add("open", "&Open project…", self.open_project_dialog, "File", SK.Open)
        self._add("import", "&Import articles…", self.import_dialog, "File", "Ctrl+I",
                  tip="Import .txt, .jsonl or .csv files in the background")
        self._menus["File"].addSeparator()
        self._add("switch_annotator", "Switch &annotator…", self.switch_annotator, "File")
        self._menus["File"].addSeparator()
        # some platforms (offscreen, bare X11) define no Quit key: fall back to the common one
        self._add("quit", "&Quit", self.close, "File",
                  SK.Quit if QKeySequence.keyBindings(SK.Quit) else "Ctrl+Q")
        # Edit
        undo = self.session.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.keyBindings(SK.Undo))
        redo = self.session.undo_stack.createRedoAction(self, "&Redo")
        redo_keys = QKeySequence.keyBindings(SK.Redo)
        if QKeySequence("Ctrl+Shift+Z") not in redo_keys:  # the standard on Linux, not everywhere
            redo_keys.append(QKeySequence("Ctrl+Shift+Z"))
        redo.setShortcuts(redo_keys)
        for name, act in (("undo", undo), ("redo", redo)):
            self.addAction(act)
            self._menus["Edit"].addAction(act)
            self._actions[name] = act
        self._menus["Edit"].addSeparator()
        self._add("accept", "&Accept suggestion", self.accept_selected, "Edit",
                  [key.Key_Return, key.Key_Enter, key.Key_Space])
        self._add("reject", "Reject suggestion / &delete span", self.reject_selected, "Edit",
                  [QKeySequence(key.Key_X), QKeySequence(SK.Delete), QKeySequence(key.Key_Backspace)])
        self._add("accept_label", "Accept all suggestions of this &label", self.accept_all_label, "Edit", key.Key_A)
        self._add("accept_all", "Accept all suggestions in &document", self.accept_all, "Edit", "Shift+A")
        self._menus["Edit"].addSeparator()
        labels = self._menus["Edit"].addMenu("Apply &label")
        for n in range(1, 10):
            act = QAction(f"Label {n}", self)
            act.setShortcut(QKeySequence(str(n)))
            act.triggered.connect(lambda _c=False, n=n: self.hotkey(str(n)))
            self.addAction(act)
            labels.addAction(act)
            self._label_actions.append(act)
            self._actions[f"label_{n}"] = act
        self._add("layer", "Switch active &layer", self.session.cycle_layer, "Edit", key.Key_L)
        self._menus["Edit"].addSeparator()
        self._add("next_span", "&Next span", lambda: self.step_span(1), "Edit", key.Key_Right)
        self._add("prev_span", "&Previous span", lambda: self.step_span(-1), "Edit", key.Key_Left)
        self._add("next_token", "Token caret to the next token", lambda: self.step_caret(1), "Edit", "Ctrl+Right")
        self._add("prev_token", "Token caret to the previous token", lambda: self.step_caret(-1), "Edit",
                  "Ctrl+Left")
        self._add("end_right", "Move end one token right", lambda: self.move("end", 1), "Edit", "Shift+Right")
        self._add("end_left", "Move end one token left", lambda: self.move("end", -1), "Edit", "Shift+Left")
        self._add("start_left", "Move start one token left", lambda: self.move("start", -1), "Edit",
                  "Ctrl+Shift+Left")
        self._add("start_right", "Move start one token right", lambda: self.move("start", 1), "Edit",
                  "Ctrl+Shift+Right")
        self._add("end_right_char", "Move end one character right", lambda: self.move("end", 1, True), "Edit",
                  "Alt+Shift+Right")
        self._add("end_left_char", "Move end one character left", lambda: self.move("end", -1, True), "Edit",
                  "Alt+Shift+Left")
        self._add("deselect", "Clear selection", self.clear_selection, "Edit", key.Key_Escape)
        # View
        self._add("dark", "&Dark theme", self.toggle_theme, "View", "Ctrl+Shift+D", checkable=True)
        self._actions["dark"].setChecked(self.theme.name == "dark")
        self._add("zoom_in", "Zoom &in", lambda: self.view.zoomIn(1), "View", SK.ZoomIn)
        self._add("zoom_out", "Zoom &out", lambda: self.view.zoomOut(1), "View", SK.ZoomOut)
        self._add("find", "&Search documents", self.focus_search, "View", SK.Find)
        self._add("focus_article", "Focus the &article", self.view.setFocus, "View", "Ctrl+E")
        # Document
        self._add("next_doc", "&Next document", lambda: self.step_document(1), "Document",
                  [key.Key_N, key.Key_PageDown])
        self._add("prev_doc", "&Previous document", lambda: self.step_document(-1), "Document",
                  [key.Key_P, key.Key_PageUp])
        self._add("next_todo", "Next &not done", self.next_not_done, "Document", "Shift+N")
        self._add("goto", "&Go to document…", self.go_to_document, "Document", "Ctrl+L")
        self._menus["Document"].addSeparator()
        self._add("done", "Mark &done", lambda: self.set_status("done"), "Document", key.Key_D)
        self._add("done_next", "Mark done and go to next not done", self.done_and_next, "Document", "Ctrl+Return")
        self._add("skip", "Mark &skipped", lambda: self.set_status("skipped"), "Document", key.Key_S)
        self._add("reopen", "&Reopen (in progress)", lambda: self.set_status("in_progress"), "Document", "Shift+D")
        self._menus["Document"].addSeparator()
        for q in self.project.schema.questions:
            if q.free_text:
                continue
            for i, value in enumerate(q.values[:9]):
                self._add(f"{q.name}_{value}", f"{q.name.capitalize()}: {value}",
                          lambda q=q.name, i=i: self.answers.choose(q, i), "Document", f"Ctrl+{i + 1}")
        self._menus["Document"].addSeparator()
        self._add("suggest_doc", "Suggest for this &document", self.suggest_document, "Document", "Ctrl+G",
                  tip="Run the suggesters on the open document again (in the background)")
        self._add("suggest", "Suggest for the &project", self.suggest_project, "Document", "Ctrl+Shift+G",
                  tip="Run the suggesters on every document that changed (in the background)")
        # Review: the review branch adds its windows here
        self._add("stats", "My &progress…", self.show_stats, "Review")
        # Help
        self._add("shortcuts", "&Keyboard shortcuts", self.show_shortcuts, "Help", SK.HelpContents)
        self._add("about", "&About", self.show_about, "Help")
        self._update_label_actions()

    def _install_extensions(self) -> None:
        """The other parts' windows, one line each (contract: ``menu(name)``):
        File > Export… (formats) and File > Merge…, Review > Agreement… / Assign… (review)."""
        export = QAction("&Export…", self)
        export.setShortcut(QKeySequence("Ctrl+Shift+E"))
        export.setStatusTip("Write training data (spaCy, CoNLL, JSONL, brat, ...) in the background")
        export.triggered.connect(self.export_dialog)
        self._menus["File"].insertAction(self._actions["switch_annotator"], export)
        self.addAction(export)
        self._actions["export"] = export
        from annotator.gui.review.wiring import install_review_actions

        for name, act in install_review_actions(self).items():
            self.addAction(act)
            self._actions[name] = act

    def export_dialog(self) -> None:
        """File > Export…: the formats part's dialog (it runs its own task)."""
        from annotator.gui.export_dialog import ExportDialog

        dialog = ExportDialog(self.project.path, self, annotator=self.annotator)
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
        s.docLabelsChanged.connect(self._on_doc_labels_changed)
        s.caretChanged.connect(self._on_caret_changed)
        self.view.selectionMade.connect(self._on_text_selected)
        self.view.itemClicked.connect(self._on_item_clicked)
        self.view.boundaryDragged.connect(self._on_boundary_dragged)
        self.view.contextMenuRequested.connect(self._item_menu)
        self.palette.labelChosen.connect(self._on_palette_label)
        self.palette.layerChosen.connect(lambda layer: self.session.set_active(layer))
        self.answers.answerChanged.connect(self._on_answer)
        self.documents.documentActivated.connect(self.open_document)
        self.documents.searchSubmitted.connect(self._search_entered)
        self.documents.filtersApplied.connect(self._on_filters_applied)
        self.tasks.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self.nav_buttons["prev"].clicked.connect(lambda: self.step_document(-1))
        self.nav_buttons["next"].clicked.connect(lambda: self.step_document(1))
        self.nav_buttons["skip"].clicked.connect(lambda: self.set_status("skipped"))
        self.nav_buttons["done"].clicked.connect(self.done_and_next)
        self.span_table.clicked.connect(lambda idx: self.session.select(self.span_model.key(idx.row())))
        self.span_table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.session.select(self.span_model.key(cur.row())) if cur.isValid() else None)
        self._entities_timer = QTimer(self)
        self._entities_timer.setSingleShot(True)
        self._entities_timer.setInterval(150)
        self._entities_timer.timeout.connect(lambda: self.answers.set_entities(self.session.entity_texts()))

    # -- documents -------------------------------------------------------------

    def apply_filters(self) -> None:
        """Re-filter the document list (search box and filter boxes)."""
        self.documents.apply_filters()

    def _on_filters_applied(self, n: int, filtered: bool, ranked: bool) -> None:
        if self.session.doc_id is not None:
            self.documents.show_document(self.session.doc_id)
        self._show_search_hits()
        if filtered:
            order = " (best first)" if ranked else ""
            self.statusBar().showMessage(f"{n:,} document{'s' if n != 1 else ''} match{order}", 4000)

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

    def step_document(self, direction: int) -> None:
        """Next or previous document of the list."""
        if self._typing():
            return
        doc_id = self.documents.neighbour(self.session.doc_id, direction)
        if doc_id is not None:
            self.open_document(doc_id)

    def _last_doc_key(self) -> str:
        import hashlib

        digest = hashlib.sha1(str(self.project.path.resolve()).encode()).hexdigest()[:12]
        return f"last_document/{digest}/{self.annotator}"

    def _remembered_document(self) -> int | None:
        """The document this annotator had open when they last closed this project."""
        if not self.remember:
            return None
        value = user_settings.settings().value(self._last_doc_key())
        try:
            doc_id = int(value) if value is not None else None
        except (TypeError, ValueError):
            return None
        return doc_id if doc_id is not None and self.documents.model.row_of(doc_id) is not None else None

    def go_to_document(self) -> None:
        """Ask for a document id and open it."""
        from PySide6.QtWidgets import QInputDialog

        ids = self.project.document_ids()
        if not ids:
            return
        current = self.session.doc_id or ids[0]
        doc_id, ok = QInputDialog.getInt(self, "Go to document", f"Document id ({ids[0]}–{ids[-1]}):", current,
                                         ids[0], ids[-1])
        if not ok:
            return
        if doc_id not in set(ids):
            self.statusBar().showMessage(f"No document {doc_id}", 5000)
            return
        if self.documents.model.row_of(doc_id) is None:  # filtered out: show everything again
            self.documents.clear_filters()
        self.open_document(doc_id)
        self.view.setFocus()

    def next_not_done(self) -> None:
        """Go to the next document in the list not done or skipped (wrapping)."""
        if self._typing():
            return
        nxt = self.documents.first_not_done(self.session.doc_id)
        if nxt is None:
            self.statusBar().showMessage("Every document in the list is done or skipped" if self.documents.model.rowCount()
                                         else "No documents in the list", 6000)
            return
        self.open_document(nxt)

    def set_status(self, state: str) -> None:
        """Mark the open document (undoable)."""
        if self._typing():
            return
        self.session.set_status(state)

    def done_and_next(self) -> None:
        """Mark done, then go to the next document not done."""
        self.answers.commit_all()
        if self.session.set_status("done"):
            self.next_not_done()

    # -- session signals ---------------------------------------------------------

    def _on_document_opened(self, doc_id: int) -> None:
        self._entities_timer.stop()
        doc = self.project.get_document(doc_id)
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
        self._update_legend()

    def _update_legend(self) -> None:
        layer = self.session.active_layer
        self.article.show_active(layer, self.session.active_label[layer])

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
        first_layer = self.project.schema.layers[0].name
        if any(i.layer == first_layer for i in added) or removed:
            self._entities_timer.start()  # stance targets: refreshed after the edit, not during it

    def _on_selection_changed(self, key: Key | None, scroll: bool = True) -> None:
        self.view.set_selected(key, scroll=scroll)
        row = self.span_model.row_of(key) if key else None
        with QSignalBlocker(self.span_table.selectionModel()):
            if row is None:
                self.span_table.clearSelection()
            else:
                self.span_table.selectRow(row)
                self.span_table.scrollTo(self.span_model.index(row, 0))
        if key is not None:
            item = self.session.item_for(key)
            if item is not None:
                what = "suggestion" if item.is_suggestion else "span"
                score = f", score {item.score:.2f}" if item.score is not None else ""
                hint = (" — click again or Enter to accept, X to reject" if item.is_suggestion
                        else " — a number relabels, Shift+←/→ resizes, X deletes")
                self.statusBar().showMessage(
                    f"{item.label} {what} “{self.session.span_text(key)[:60]}” ({item.origin}{score}){hint}", 6000)

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
            self._show_meta(self.project.get_document(doc_id))

    def _on_active_changed(self, layer: str, label: str) -> None:
        self.palette.set_active(layer, label)
        self._update_label_actions()
        self._update_legend()

    def _on_doc_labels_changed(self, doc_id: int) -> None:
        if doc_id == self.session.doc_id and not self._answer_from_panel:  # undo/redo: show the stored answers
            self.answers.load(self.session.answers(), self.session.entity_texts())

    def _update_label_actions(self) -> None:
        lay = self.project.schema.layer(self.session.active_layer)
        by_key = {lab.hotkey: lab.name for lab in lay.labels if lab.hotkey}
        for n, act in enumerate(self._label_actions, start=1):
            name = by_key.get(str(n))
            act.setText(f"{lay.name}: {name}" if name else f"Label {n} (none in {lay.name})")
            act.setEnabled(True)

    # -- editing ---------------------------------------------------------------

    def _typing(self) -> bool:
        """True while the focus is in a text field, where keys are text, not commands."""
        w = QApplication.focusWidget()
        if isinstance(w, QLineEdit):
            return True
        if isinstance(w, QPlainTextEdit) and not w.isReadOnly():
            return True
        return isinstance(w, QComboBox) and w.isEditable()

    def _cp(self, pos16: int) -> int:
        return self.session.map.to_codepoint(pos16)

    def _on_text_selected(self, start16: int, end16: int, exact: bool) -> None:
        s = self.session
        try:
            s.create_span(self._cp(start16), self._cp(end16), exact=exact)
        except AnnotatorError as exc:
            self.statusBar().showMessage(str(exc), 6000)

    def _on_item_clicked(self, key: Key | None) -> None:
        """A click selects; a click on the selected suggestion accepts it."""
        s = self.session
        if key is not None and key == s.selected and key[0] == SUGGESTION:
            s.accept(key)
        else:
            s.select(key)

    def _on_boundary_dragged(self, key: Key, which: str, pos16: int, exact: bool) -> None:
        s = self.session
        item = s.item_for(key)
        if item is None:
            return
        pos = self._cp(pos16)
        from annotator.core.tokens import snap_to_tokens

        if which == "start":
            start, end = min(pos, item.end - 1), item.end
            if not exact:
                snapped = snap_to_tokens(s.text, start, start + 1)
                start = snapped[0] if snapped else start
        else:
            start, end = item.start, max(pos, item.start + 1)
            if not exact:
                snapped = snap_to_tokens(s.text, end - 1, end)
                end = snapped[1] if snapped else end
        s.set_extent(key, start, end)

    def _on_palette_label(self, layer: str, label: str) -> None:
        s = self.session
        item = s.item_for(s.selected) if s.selected else None
        s.set_active(layer, label)
        if item is not None and item.layer == layer:
            s.relabel(s.selected, label)
        self.view.setFocus()

    def hotkey(self, key: str) -> None:
        """A number key: relabel the selected item, or pick the active label."""
        if self._typing():
            return
        s = self.session
        item = s.item_for(s.selected) if s.selected else None
        label = s.label_for_hotkey(key)
        if label is None:
            return
        if item is not None:
            s.relabel(s.selected, label)
        elif s.caret is not None:
            s.create_span(*s.caret, label=label, layer=s.active_layer, exact=True)
        else:
            s.set_active(s.active_layer, label)
            self.statusBar().showMessage(f"New spans: {s.active_layer} / {label}", 3000)

    def _item_menu(self, key: Key | None, global_pos: Any) -> None:
        """Right click on a highlight: the same actions as the keys, for the mouse."""
        if key is None:
            return
        s = self.session
        s.select(key)
        item = s.item_for(key)
        if item is None:
            return
        menu = QMenu(self)
        if item.is_suggestion:
            menu.addAction(f"Accept {item.label}", lambda: s.accept(key))
            menu.addAction("Reject", lambda: s.reject(key))
            menu.addAction(f"Accept all {item.label} suggestions",
                           lambda: s.accept_all(label=item.label, layer=item.layer))
        else:
            menu.addAction("Delete", lambda: s.reject(key))
        sub = menu.addMenu("Label as")
        for lab in self.project.schema.layer(item.layer).labels:
            act = sub.addAction(f"{lab.name}" + (f"\t{lab.hotkey}" if lab.hotkey else ""),
                                lambda name=lab.name: s.relabel(key, name))
            act.setEnabled(lab.name != item.label or item.is_suggestion)
        menu.addSeparator()
        menu.addAction("Extend end by a token\tShift+Right", lambda: s.move_boundary(key, "end", 1))
        menu.addAction("Shrink end by a token\tShift+Left", lambda: s.move_boundary(key, "end", -1))
        menu.addAction("Extend start by a token\tCtrl+Shift+Left", lambda: s.move_boundary(key, "start", -1))
        menu.addAction("Shrink start by a token\tCtrl+Shift+Right", lambda: s.move_boundary(key, "start", 1))
        self._last_menu = menu
        menu.popup(global_pos)

    def accept_selected(self) -> None:
        """Enter/Space: accept the selected suggestion, then select the next one."""
        if self._typing():
            return
        if self.focusWidget() is self.documents.table:  # Enter in the list: go and annotate
            self.view.setFocus()
            return
        s = self.session
        if s.selected is None and s.caret is not None:
            s.create_span(*s.caret, exact=True)
            return
        if s.selected is None:
            s.select_next(1, from_cp=self._cp(self.view.visible_start()))
            return
        if s.selected[0] == SPAN:
            s.select_next(1)
            return
        new = s.accept(s.selected)
        if new is not None:
            nxt = s.neighbour(new)
            if nxt is not None and nxt[0] == SUGGESTION:
                s.select(nxt)

    def reject_selected(self) -> None:
        """X/Delete: reject the selected suggestion or delete the selected span."""
        if self._typing():
            return
        self.session.reject()

    def accept_all_label(self) -> None:
        """Accept every pending suggestion with the selected (or active) label."""
        if self._typing():
            return
        s = self.session
        item = s.item_for(s.selected) if s.selected else None
        layer = item.layer if item else s.active_layer
        label = item.label if item else s.active_label[layer]
        with busy_cursor():
            s.accept_all(label=label, layer=layer)

    def accept_all(self) -> None:
        """Accept every pending suggestion of the document."""
        if self._typing():
            return
        with busy_cursor():
            self.session.accept_all()

    def step_span(self, direction: int) -> None:
        """Arrow keys: select the next or previous span or suggestion."""
        if self._typing():
            return
        self.session.select_next(direction, from_cp=self._cp(self.view.visible_start()))

    def clear_selection(self) -> None:
        """Esc: no selected span, no token caret."""
        self.session.select(None)
        self.session.caret = None
        self.view.set_caret(None)

    def step_caret(self, direction: int) -> None:
        """Ctrl+arrows: move the token caret (then a number key or Enter makes a span there)."""
        if self._typing():
            return
        self.session.move_caret(direction)

    def move(self, which: str, direction: int, exact: bool = False) -> None:
        """Shift+arrows: move a boundary of the selection by a token (or a character)."""
        if self._typing():
            return
        if self.session.selected is None:
            self.statusBar().showMessage("Select a span first (click it, or use ← →)", 4000)
            return
        self.session.move_boundary(self.session.selected, which, direction, exact=exact)

    def _on_answer(self, question: str, value: str | None, target: str | None) -> None:
        self._answer_from_panel = True  # the panel shows it already: no reload (it would reset a note being typed)
        saved = False
        try:
            saved = self.session.set_answer(question, value, target)
        except AnnotatorError as exc:
            self.statusBar().showMessage(str(exc), 6000)
        finally:
            self._answer_from_panel = False
        if not saved and self.project.schema.question(question).free_text:
            # the failed write re-read the document (the note went back to what is stored): keep the text typed
            self.answers.keep_unsaved(question, value)

    # -- background work -----------------------------------------------------------

    def run_task(self, fn: Callable[..., Any], name: str, on_done: Callable[[Any], None]) -> Task | None:
        """Run ``fn(report, should_cancel)`` off the GUI thread with progress and cancel."""
        return self.tasks.run(fn, name, on_done)


    def suggest_document(self) -> Task | None:
        """Run the suggesters on the open document only (forced)."""
        if self.session.doc_id is None:
            return None
        return self.suggest_project(doc_ids=[self.session.doc_id], force=True)

    def suggest_project(self, **options: Any) -> Task | None:
        """Run the suggesters over the project in the background."""
        fn = self.suggest_function or find_suggester()
        return self.run_task(suggest_job(self.project.path, fn, **options), "suggesting", self._suggest_done)

    def _suggest_done(self, report: Any) -> None:
        self.apply_filters()
        self.session.reload()
        n = getattr(report, "suggestions", None)
        docs = getattr(report, "documents", None)
        self.statusBar().showMessage(f"Suggestions ready: {n} on {docs} documents" if n is not None
                                     else "Suggestions ready", 8000)

    def import_dialog(self) -> None:
        """Ask for files and import them in the background."""
        paths, _ = QFileDialog.getOpenFileNames(self, "Import articles", str(Path.home()),
                                                "Articles (*.txt *.jsonl *.csv);;All files (*)")
        if paths:
            self.import_files(paths)

    def import_files(self, paths: list[str]) -> Task | None:
        """Import ``paths`` in the background; the list refreshes when done."""
        return self.run_task(import_job(self.project.path, paths, self.annotator), "importing", self._import_done)

    def _import_done(self, report: Any) -> None:
        self.documents.fill_sources()
        self.apply_filters()
        self.documents.update_progress()
        totals = report.totals()
        msg = f"Imported {totals['new_documents']} new documents from {totals['files']} files"
        if report.failed:
            msg += f"; {len(report.failed)} failed"
            QMessageBox.warning(self, "Some files were not imported",
                                "\n".join(str(f.error) for f in report.failed[:20]))
        self.statusBar().showMessage(msg, 10000)
        if self.session.doc_id is None and self.documents.model.rowCount():
            self.open_document(self.documents.model.doc_id(0))

    def warm_up_nlp(self) -> Task | None:
        """Import spaCy in the background so suggesting starts fast; the window is already up."""
        job = warm_up_job()
        if job is None:
            return None
        return self.run_task(job, "loading spaCy", lambda msg: self.statusBar().showMessage(msg, 3000))

    # -- other actions ---------------------------------------------------------

    def focus_search(self) -> None:
        """Ctrl+F."""
        self.documents.search.setFocus()
        self.documents.search.selectAll()

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
        if self.session.doc_id is not None:
            self._show_meta(self.project.get_document(self.session.doc_id))

    def open_project_dialog(self) -> None:
        """Open another project file in a new window."""
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(self.project.path.parent),
                                              "Projects (*.db);;All files (*)")
        if path:
            try:
                win = MainWindow(Project(path), self.annotator, theme_name=self.theme.name)
            except AnnotatorError as exc:
                QMessageBox.warning(self, "Cannot open project", str(exc))
                return
            win.owns_project = True
            win.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            win.show()

    def switch_annotator(self) -> None:
        """Ask for another name; reopen the project as that annotator."""
        from annotator.gui.annotator_dialog import ask_annotator

        name = ask_annotator(self.project, self, current=self.annotator)
        if name and name != self.annotator:
            user_settings.remember_annotator(name)
            win = MainWindow(self.project, name, theme_name=self.theme.name)
            win.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            win.show()
            self.session.close()
            self.hide()

    def show_stats(self) -> None:
        """The annotator's counts."""
        done, total = self.project.progress(self.annotator)
        st = self.project.stats()
        mine = st["status"].get(self.annotator, {})
        QMessageBox.information(
            self, "My progress",
            f"{self.annotator}: {done} of {total} documents done, {mine.get('skipped', 0)} skipped, "
            f"{mine.get('in_progress', 0)} in progress.\nProject: {st['spans']} spans, "
            f"{st['suggestions']} suggestions, annotators: {', '.join(st['annotators'])}.")

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """``(menu, action, shortcuts)`` for every menu action (the Help table)."""
        rows = []
        for name, menu in self._menus.items():
            for act in menu.actions():
                sub = act.menu()
                acts = sub.actions() if isinstance(sub, QMenu) else [act]
                for a in acts:
                    if a.isSeparator() or not a.text() or "(none in" in a.text():
                        continue
                    keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts())
                    rows.append((name, a.text().replace("&", ""), keys))
        return rows

    def show_shortcuts(self) -> None:
        """A table of every action and its keys."""
        ShortcutsDialog(self.shortcut_rows(), self).exec()

    def show_about(self) -> None:
        """About box."""
        from annotator import __version__

        QMessageBox.about(self, "About annotator",
                          f"annotator {__version__}\nLabel Indonesian news: entities, stance cues, document stance.\n"
                          f"Project: {self.project.path}")

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
        self.answers.commit_all()
        if self.answers.has_unsaved() and QMessageBox.question(
                self, "Note not saved",
                "The note on this document could not be saved (the project is busy). Close anyway and lose it?",
        ) != QMessageBox.StandardButton.Yes:
            event.ignore()
            return
        self.session.close()
        self.tasks.shutdown()
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
