"""The comparison and adjudication view.

The article on top with gold highlighted and unsettled disagreements marked
(red wavy underline); below it one row per *unit* (overlapping spans) with
each annotator's spans stacked side by side and gold in the last column.
Opening a document merges what every annotator agrees on into gold (one
undoable step).  The reviewer then accepts a span (Enter on an annotator's
cell), a whole version (toolbar), removes gold (Delete), marks text and adds
it to gold with a label (A, or the label's number key), and settles the
document answers in the panel on the right.  Relations are compared and
adjudicated under the units (``relations_compare.py``; R goes there).  Every change is a command on
the window's ``QUndoStack`` (Ctrl+Z / Ctrl+Shift+Z) and is saved at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QTextCursor, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTextEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import GOLD, Span
from annotator.core.offsets import Utf16Map
from annotator.gui.review.answers_panel import fill_answers
from annotator.gui.review.document_merges import DocumentMerges
from annotator.gui.review.gold_commands import GoldCommand, GoldStatusCommand
from annotator.gui.review.relations_compare import RelationsCompare
from annotator.gui.review.units_model import UnitsTable
from annotator.gui.review.util import link_disagreement_text, unit_selections
from annotator.review import adjudicate as adj

if TYPE_CHECKING:
    from annotator.gui.tasks import TaskRunner
    from annotator.store import Project


class CompareView(QWidget):
    """Compare annotators on one document and settle the gold version.

    ``project`` is the GUI thread's open :class:`~annotator.store.Project`;
    ``annotators`` the names the viewer may see (blind mode already applied).
    With a ``runner`` (and the ``project_path`` its jobs open), merging a document's
    agreements runs as its job (:mod:`~annotator.gui.review.document_merges`).
    """

    documentShown = Signal(int)

    def __init__(
        self, project: Project, undo_stack: QUndoStack, annotators: list[str] | None = None, parent: QWidget | None = None,
        *, runner: TaskRunner | None = None, project_path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.merges = DocumentMerges(self, runner, project_path) if runner and project_path else None
        self.project = project
        self.undo_stack = undo_stack
        self._allowed = annotators
        self.document_id: int | None = None
        self.layer = project.schema.layer_names[0]
        self.comparison: adj.Comparison | None = None
        self._text = ""
        self._u16 = Utf16Map("")
        self._auto_merged: set[int] = set()

        self.documents = QComboBox()
        self.documents.setAccessibleName("document")
        self.documents.setMinimumContentsLength(30)
        self.layers = QComboBox()
        self.layers.setAccessibleName("layer")
        for name in project.schema.layer_names:
            self.layers.addItem(name)
        self.auto = QCheckBox("Merge agreements on open")
        self.auto.setChecked(True)
        self.only_disagreements = QCheckBox("Only &disagreements")
        self.only_disagreements.setToolTip("List only the units where the annotators differ")
        self._rows: list[int] = []  # table row -> index into comparison.units
        self.version_of = QComboBox()
        self.version_of.setAccessibleName("accept whose version")
        self.accept_version_button = QPushButton("Accept version")
        self.label = QComboBox()
        self.label.setAccessibleName("label for new gold span")

        self.article = QTextEdit()
        self.article.setReadOnly(True)
        self.article.setUndoRedoEnabled(False)
        self.article.document().setUndoRedoEnabled(False)
        self.article.setAccessibleName("article")
        self.units = UnitsTable()
        self.units.setAccessibleName("units: each annotator's spans side by side")
        self.answers_box = QGroupBox("Document answers")
        self.answers_form = QFormLayout(self.answers_box)
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.toolbar = QToolBar("Adjudication")
        self.act_accept = self._action("Accept span", "Return", self.accept_selected,
                                       "Copy the selected annotator's span(s) in this unit into gold")
        self.act_remove = self._action("Remove from gold", QKeySequence.StandardKey.Delete, self.remove_selected_gold,
                                       "Remove gold's spans in the selected unit")
        self.act_add = self._action("Add selection to gold", "A", self.add_selection_to_gold,
                                    "Add the text selected in the article to gold with the chosen label")
        self.act_auto = self._action("Merge agreements", "Ctrl+M", self.auto_merge_current,
                                     "Copy what every annotator who marked the document done agrees on into gold")
        self.act_next = self._action("Next disagreement", "J", lambda: self.select_disagreement(+1),
                                     "Select the next unsettled disagreement")
        self.act_prev = self._action("Previous disagreement", "K", lambda: self.select_disagreement(-1),
                                     "Select the previous unsettled disagreement")
        self.act_majority = self._action("Accept majority", "M", self.accept_majority,
                                         "Take the version more than half of the annotators gave in this unit")
        self.act_done = self._action("Mark gold done", "Ctrl+D", self.mark_done,
                                     "Mark the document adjudicated (gold status: done)")
        self.act_next_doc = self._action("Next document", "N", lambda: self.step_document(+1),
                                         "Open the next document of the list")
        self.act_prev_doc = self._action("Previous document", "P", lambda: self.step_document(-1),
                                         "Open the previous document of the list")
        self._label_actions: list[QAction] = []

        bar = QHBoxLayout()
        for w in (QLabel("Document:"), self.documents, QLabel("Layer:"), self.layers, self.auto,
                  self.only_disagreements):
            bar.addWidget(w)
        bar.addStretch(1)
        bar2 = QHBoxLayout()
        for w in (QLabel("Version of:"), self.version_of, self.accept_version_button, QLabel("New gold label:"),
                  self.label):
            bar2.addWidget(w)
        bar2.addStretch(1)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.article)
        left.addWidget(self.units)
        self.relations = RelationsCompare(self) if project.schema.relations else None
        if self.relations is not None:
            left.addWidget(self.relations)
            self._action("Relations", "R", self.relations.focus_first_open,
                         "Go to the relations: Return accepts one into gold, Delete takes it out, Esc comes back")
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.answers_box)
        right_layout.addWidget(self.status)
        self.link_notes = QLabel()  # knowledge-base links the annotators disagree on (docs/kb.md)
        self.link_notes.setWordWrap(True)
        self.link_notes.setAccessibleName("link disagreements")
        right_layout.addWidget(self.link_notes)
        right_layout.addStretch(1)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(left)
        main.addWidget(right)
        main.setStretchFactor(0, 4)
        main.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.toolbar)
        layout.addLayout(bar2)
        layout.addWidget(main, 1)

        self.documents.activated.connect(lambda i: self.show_document(int(self.documents.itemData(i))))
        self.layers.currentTextChanged.connect(self._layer_changed)
        self.accept_version_button.clicked.connect(self.accept_version)
        self.only_disagreements.toggled.connect(lambda _on: self._refresh())
        self.units.currentCellChanged.connect(lambda r, _c: self._select_unit(r))
        self._fill_labels()
        self.reload_documents()

    # -- setup ---------------------------------------------------------------

    def _action(self, text: str, key: Any, slot: Callable[[], Any], tip: str) -> QAction:
        act = QAction(text, self)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.setToolTip(f"{tip} ({QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)})")
        act.triggered.connect(slot)
        self.addAction(act)
        self.toolbar.addAction(act)
        return act

    def _fill_labels(self) -> None:
        self.label.clear()
        for act in self._label_actions:
            self.removeAction(act)
        self._label_actions = []
        layer = self.project.schema.layer(self.layer)
        for lab in layer.labels:
            self.label.addItem(f"{lab.hotkey} {lab.name}".strip(), lab.name)
            if lab.hotkey:
                act = QAction(f"Add selection as {lab.name}", self)
                act.setShortcut(QKeySequence(lab.hotkey))
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                act.triggered.connect(lambda _=False, name=lab.name: self.add_selection_to_gold(name))
                self.addAction(act)
                self._label_actions.append(act)

    def _names(self, document_id: int) -> list[str]:
        names = adj.document_annotators(self.project, document_id)
        if self._allowed is not None:
            names = [n for n in names if n in self._allowed]
        return names

    def reload_documents(self) -> None:
        """Fill the document box with documents that have annotators' work."""
        current = self.document_id
        self.documents.blockSignals(True)
        self.documents.clear()
        rows = self.project.documents_with_annotator_work()
        for doc_id, title in rows:
            self.documents.addItem(f"{doc_id}: {title}", doc_id)
        self.documents.blockSignals(False)
        if current is not None:
            idx = self.documents.findData(current)
            if idx >= 0:
                self.documents.setCurrentIndex(idx)

    def show_first_document(self) -> None:
        """Open the first listed document unless one is shown (the tab was just opened)."""
        if self.document_id is None and self.documents.count():
            self.show_document(int(self.documents.itemData(0)))

    # -- showing -------------------------------------------------------------

    def show_document(self, document_id: int, layer: str | None = None) -> None:
        """Open a document (optionally switching layer); merges agreements first when enabled."""
        if layer is not None and layer != self.layer:
            self.layers.blockSignals(True)
            self.layers.setCurrentText(layer)
            self.layers.blockSignals(False)
            self.layer = layer
            self._fill_labels()
        first_time = document_id != self.document_id
        self.document_id = document_id
        idx = self.documents.findData(document_id)
        if idx >= 0:
            self.documents.setCurrentIndex(idx)
        self._text = self.project.get_text(document_id)
        self._u16 = Utf16Map(self._text)
        self.article.setPlainText(self._text)
        if first_time and self.auto.isChecked() and document_id not in self._auto_merged:
            self._auto_merged.add(document_id)
            self.auto_merge_current()  # refreshes
        else:
            self._refresh()
        self.documentShown.emit(document_id)

    def refresh_after_change(self, document_id: int) -> None:
        """Called by undo commands: show the changed document, redrawn."""
        if document_id != self.document_id:
            self._auto_merged.add(document_id)
            self.show_document(document_id)
        else:
            self._refresh()

    def _layer_changed(self, layer: str) -> None:
        self.layer = layer
        self._fill_labels()
        self._refresh()

    def _refresh(self) -> None:
        if self.document_id is None:
            return
        doc = self.document_id
        names = self._names(doc)
        self.comparison = adj.compare_document(self.project, doc, self.layer, names)
        row_before = self.units.currentRow()
        col_before = self.units.currentColumn()
        only = self.only_disagreements.isChecked()
        self._rows = [i for i, u in enumerate(self.comparison.units) if not (only and u.agreed)]
        self.units.blockSignals(True)
        self.units.selectionModel().blockSignals(True)
        self.units.units_model.set_units(self._text, names, [self.comparison.units[i] for i in self._rows])
        self.units.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if self._rows:
            r = min(max(row_before, 0), len(self._rows) - 1)
            c = col_before if 0 <= col_before < self.units.columnCount() else 1
            self.units.setCurrentCell(r, c)
        self.units.selectionModel().blockSignals(False)
        self.units.blockSignals(False)
        self._paint_article()
        self._fill_versions(names)
        self._fill_answers(names)
        open_units = [u for u in self.comparison.units if not u.agreed and not u.resolved]
        state = self.project.status(doc, GOLD)
        self.status.setText(
            f"{len(names)} annotator(s): {', '.join(names) or 'none'}.\n"
            f"{len(self.comparison.units)} unit(s), {len(self.comparison.disagreements)} disagreement(s), "
            f"{len(open_units)} not settled in gold.\nGold status: {state}."
        )
        self.link_notes.setText(link_disagreement_text(self.project, doc, names) if self.layer == "entities" else "")
        if self.relations is not None:
            self.relations.refresh(doc, names)
        if self.merges is not None:
            self.merges.show_state(doc)

    def edit_controls(self) -> list[QAction | QWidget]:
        """What takes an adjudication step (locked while the document's merge is pending)."""
        return [self.act_accept, self.act_remove, self.act_add, self.act_auto, self.act_majority, self.act_done,
                *self._label_actions, self.answers_box, *filter(None, [self.relations])]

    def _fill_versions(self, names: list[str]) -> None:
        current = self.version_of.currentText()
        self.version_of.clear()
        self.version_of.addItems(names)
        if current in names:
            self.version_of.setCurrentText(current)
        self.accept_version_button.setEnabled(bool(names))

    def _paint_article(self) -> None:
        assert self.comparison is not None
        colours = {lab.name: lab.colour for lab in self.project.schema.layer(self.layer).labels}
        self.article.setExtraSelections(unit_selections(self.article, self._u16, self.comparison, colours))

    def _select_unit(self, row: int) -> None:
        if self.comparison is None or not (0 <= row < len(self._rows)):
            return
        unit = self.comparison.units[self._rows[row]]
        self.show_range(unit.start, unit.end)

    def show_range(self, start: int, end: int) -> None:
        """Select ``start``-``end`` (code points) in the article and scroll it into view."""
        cursor = self.article.textCursor()
        cursor.setPosition(self._u16.to_utf16(start))
        cursor.setPosition(self._u16.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.article.setTextCursor(cursor)
        self.article.ensureCursorVisible()

    def _fill_answers(self, names: list[str]) -> None:
        assert self.document_id is not None
        fill_answers(self.answers_form, self.project, self.document_id, names, self.set_answer)

    # -- actions -------------------------------------------------------------

    def _push(self, text: str, action: Callable[[], adj.GoldChange]) -> None:
        if self.document_id is None:
            return
        self.undo_stack.push(GoldCommand(self, self.document_id, text, action))

    def _current_unit(self) -> adj.Unit | None:
        row = self.units.currentRow()
        if self.comparison is None or not (0 <= row < len(self._rows)):
            return None
        return self.comparison.units[self._rows[row]]

    def accept_selected(self) -> None:
        """Copy the selected cell's annotator spans (this unit) into gold."""
        unit = self._current_unit()
        if unit is None:
            return
        name = self.units.units_model.annotator(self.units.currentColumn())
        if not name or name == GOLD:
            return
        spans = list(unit.spans.get(name, []))
        if not spans:
            # the annotator marked nothing here: accepting their version means gold has nothing here either
            ids = [g.id for g in unit.gold if g.id is not None]
            self._push(f"Accept {name}: nothing here", lambda: adj.remove_gold_spans(self.project, ids))
            return

        def run() -> adj.GoldChange:
            total = adj.GoldChange()
            with self.project.transaction():
                keep = {(s.start, s.end, s.label) for s in spans}
                # a unit follows the chosen annotator: other gold spans in it go
                others = [g.id for g in unit.gold if (g.start, g.end, g.label) not in keep and g.id is not None]
                total.extend(adj.remove_gold_spans(self.project, others))
                for s in spans:
                    total.extend(adj.accept_span(self.project, s))
            return total

        self._push(f"Accept {name}'s span(s)", run)

    def accept_majority(self) -> None:
        """Accept the version more than half of the annotators gave in the selected unit."""
        unit = self._current_unit()
        if unit is None or self.comparison is None:
            return
        majority = unit.majority(self.comparison.annotators)
        if majority is None:
            self.status.setText("No version here was given by more than half of the annotators.")
            return
        holder = next(n for n in self.comparison.annotators if frozenset(unit.keys(n)) == majority)
        column = self.comparison.annotators.index(holder) + 1
        self.units.setCurrentCell(self.units.currentRow(), column)
        self.accept_selected()

    def remove_selected_gold(self) -> None:
        """Remove gold's spans in the selected unit."""
        unit = self._current_unit()
        if unit is None or not unit.gold:
            return
        ids = [g.id for g in unit.gold if g.id is not None]
        self._push("Remove from gold", lambda: adj.remove_gold_spans(self.project, ids))

    def add_selection_to_gold(self, label: str | None = None) -> None:
        """Add the article's selected text to gold with ``label`` (default: the label box)."""
        cursor = self.article.textCursor()
        if not cursor.hasSelection() or self.document_id is None:
            self.status.setText("Select text in the article first, then press A or a label's number key.")
            return
        start = self._u16.to_codepoint(cursor.selectionStart())
        end = self._u16.to_codepoint(cursor.selectionEnd())
        # trim surrounding whitespace: a span never starts or ends with a space
        while start < end and self._text[start].isspace():
            start += 1
        while end > start and self._text[end - 1].isspace():
            end -= 1
        if start >= end:
            return
        name = label or self.label.currentData()
        span = Span(start, end, name, layer=self.layer)
        doc = self.document_id
        self._push(f"Add {name} to gold", lambda: adj.add_gold_span(self.project, doc, span))

    def accept_version(self) -> None:
        """Replace gold's spans in this layer by the chosen annotator's."""
        name = self.version_of.currentText()
        if not name or self.document_id is None:
            return
        doc, layer = self.document_id, self.layer
        self._push(f"Accept {name}'s version", lambda: adj.accept_version(self.project, doc, name, layer))

    def auto_merge_current(self) -> None:
        """Merge agreements of this document into gold (one undoable step)."""
        if self.document_id is None:
            return
        doc = self.document_id
        allowed = self._names(doc)
        done = [n for n in adj.document_annotators(self.project, doc, done_only=True) if n in allowed]
        if self.merges is not None:  # off the GUI thread: an article with many relations takes a while
            self.merges.start(doc, done)
            self._refresh()
        else:
            self._push("Merge agreements", lambda: adj.auto_merge(self.project, doc, annotators=done))

    def set_answer(self, question: str, data: tuple[str, str | None] | None) -> None:
        """Set gold's answer (None clears it)."""
        if self.document_id is None:
            return
        doc = self.document_id
        value, target = data if data else (None, None)
        self._push(f"Gold answer {question}", lambda: adj.set_gold_answer(self.project, doc, question, value, target))

    def mark_done(self) -> None:
        """Mark the document adjudicated."""
        if self.document_id is not None and self.project.status(self.document_id, GOLD) != "done":
            self.undo_stack.push(GoldStatusCommand(self, self.document_id, "done"))

    def step_document(self, step: int) -> None:
        """Open the next (+1) or previous (-1) document of the list."""
        if not self.documents.count():
            return
        idx = self.documents.findData(self.document_id) if self.document_id is not None else -1
        new = min(max(idx + step, 0), self.documents.count() - 1)
        if new != idx:
            self.show_document(int(self.documents.itemData(new)))

    def select_disagreement(self, step: int) -> None:
        """Move the selection to the next (+1) or previous (-1) unsettled disagreement."""
        if self.comparison is None or not self._rows:
            return
        n = len(self._rows)
        row = self.units.currentRow()
        for k in range(1, n + 1):
            r = (row + step * k) % n
            u = self.comparison.units[self._rows[r]]
            if not u.agreed and not u.resolved:
                self.units.setCurrentCell(r, max(1, self.units.currentColumn()))
                return
        self.status.setText("Every disagreement in this layer is settled in gold.")
