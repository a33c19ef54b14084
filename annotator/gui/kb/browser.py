"""The knowledge-base browser: every entry with its counts of mentions and articles,
searchable; merge two entries, split mentions off an entry, delete entries (each an
undoable edit: Ctrl+Z works here as in the main window), go to a mention."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.editing import NoEdit, Plan
from annotator.editing.kb_plans import plan_delete_entries, plan_merge, plan_split
from annotator.kb.names import normalise

if TYPE_CHECKING:
    from annotator.store import Project

COLUMNS = ("Name", "Label", "Mentions", "Articles", "Also known as", "Id")


class _Num(QTableWidgetItem):
    """A cell that sorts by number."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return int(self.text() or 0) < int(other.text() or 0)


class KBBrowser(QWidget):
    """A window listing the project's knowledge base."""

    goTo = Signal(int, int, int)  # noqa: N815 - Qt signal naming

    def __init__(self, project: Project, run: Callable[[Plan], bool], parent: QWidget | None = None) -> None:
        """``run`` applies a planned edit as one undo step (the session's ``run_project_edit``)."""
        super().__init__(parent)
        self.project = project
        self.run = run
        self.setWindowTitle(f"Knowledge base — {project.path.name}")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names and aliases…")
        self.search.setClearButtonEnabled(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setSortingEnabled(True)
        self.table.setAccessibleName("knowledge-base entries")
        self.mentions = QListWidget()
        self.mentions.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.mentions.setAccessibleName("mentions of the selected entry")
        self.summary = QLabel()
        self.merge_button = QPushButton("Merge selected")
        self.merge_button.setToolTip("Merge the selected entries into the first one selected")
        self.split_button = QPushButton("Split mentions off…")
        self.split_button.setToolTip("Move the mentions selected below to a new entry")
        self.delete_button = QPushButton("Delete entry")
        buttons = QHBoxLayout()
        for b in (self.merge_button, self.split_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.mentions)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.search.textChanged.connect(self.apply_search)
        self.table.itemSelectionChanged.connect(self._show_mentions)
        self.mentions.itemActivated.connect(self._activated)
        self.merge_button.clicked.connect(self.merge_selected)
        self.split_button.clicked.connect(self._ask_split)
        self.delete_button.clicked.connect(self.delete_selected)
        self.resize(900, 600)
        self.reload()

    def reload(self) -> None:
        """Read the entries and counts again."""
        counts = self.project.kb_counts()
        entries = self.project.kb_entries()
        self.table.setSortingEnabled(False)
        self.table.clearSelection()  # rows change: a kept selection would point at other entries
        self.table.setRowCount(len(entries))
        for r, e in enumerate(entries):
            n, docs = counts.get(e.id, (0, 0))
            cells = [QTableWidgetItem(e.name), QTableWidgetItem(e.label), _Num(str(n)), _Num(str(docs)),
                     QTableWidgetItem(", ".join(e.aliases)), QTableWidgetItem(e.id)]
            cells[0].setData(Qt.ItemDataRole.UserRole, e.id)
            # what the search matches: name, aliases and id, folded
            cells[0].setData(Qt.ItemDataRole.UserRole + 1, " | ".join(normalise(x) for x in (*e.names(), e.id)))
            for c, cell in enumerate(cells):
                self.table.setItem(r, c, cell)
        self.table.setSortingEnabled(True)
        self.table.sortItems(2, Qt.SortOrder.DescendingOrder)
        self.summary.setText(f"{len(entries)} entries, {sum(n for n, _ in counts.values())} linked mentions")
        self.apply_search(self.search.text())

    def apply_search(self, text: str) -> None:
        """Show only the entries whose name, alias or id contains ``text`` (case and accents ignored)."""
        needle = normalise(text)
        for r in range(self.table.rowCount()):
            hay = self.table.item(r, 0).data(Qt.ItemDataRole.UserRole + 1) or ""
            self.table.setRowHidden(r, bool(needle) and needle not in hay)

    def visible_ids(self) -> list[str]:
        """Entry ids of the rows shown, top to bottom."""
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.table.rowCount())
                if not self.table.isRowHidden(r)]

    def select_entry(self, entry_id: str) -> None:
        """Select the row of ``entry_id`` (adding to the selection)."""
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == entry_id:
                self.table.selectionModel().select(
                    self.table.model().index(r, 0),
                    self.table.selectionModel().SelectionFlag.Select | self.table.selectionModel().SelectionFlag.Rows)
                self.table.setCurrentCell(r, 0, self.table.selectionModel().SelectionFlag.NoUpdate)

    def selected_ids(self) -> list[str]:
        """Selected entry ids, in the order they were selected."""
        rows = [i.row() for i in self.table.selectionModel().selectedRows()]
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]

    def _show_mentions(self) -> None:
        self.mentions.clear()
        ids = self.selected_ids()
        if len(ids) != 1:
            return
        for m in self.project.kb_mentions(entry_id=ids[0]):
            item = QListWidgetItem(f"document {m.document_id} · {m.start}-{m.end} · “{m.text}” · {m.annotator}, "
                                   f"{m.status}")
            item.setData(Qt.ItemDataRole.UserRole, (m.document_id, m.start, m.end, m.span_id))
            self.mentions.addItem(item)

    def _activated(self, item: QListWidgetItem) -> None:
        doc, start, end, _span = item.data(Qt.ItemDataRole.UserRole)
        self.goTo.emit(doc, start, end)

    def _edit(self, plan: Callable[[], Plan]) -> bool:
        """Plan an edit and run it as one undo step; the session's kbChanged reloads the table."""
        try:
            planned = plan()
        except (AnnotatorError, ValueError) as exc:
            self.summary.setText(f"Not done: {exc}")
            return False
        if isinstance(planned, NoEdit):
            if planned.message:
                self.summary.setText(planned.message)
            return False
        return self.run(planned)

    def merge_selected(self) -> bool:
        """Merge every other selected entry into the first selected."""
        ids = self.selected_ids()
        return self._edit(lambda: plan_merge(self.project, ids))

    def _ask_split(self) -> None:
        name, ok = QInputDialog.getText(self, "Split mentions off", "Name of the new entry:")
        if ok and name.strip():
            self.split_selected(name.strip())

    def split_selected(self, name: str) -> bool:
        """Move the mentions selected in the lower list to a new entry called ``name``."""
        ids = self.selected_ids()
        spans = [i.data(Qt.ItemDataRole.UserRole)[3] for i in self.mentions.selectedItems()]
        if len(ids) != 1 or not spans:
            self.summary.setText("Select one entry and some of its mentions to split off")
            return False
        return self._edit(lambda: plan_split(self.project, ids[0], spans, name))

    def delete_selected(self) -> bool:
        """Delete the selected entries (their links go with them)."""
        ids = self.selected_ids()
        return self._edit(lambda: plan_delete_entries(self.project, ids))
