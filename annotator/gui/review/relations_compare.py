"""Relations in the comparison view: one row per relation any annotator (or gold) has on the
document, each annotator's column ticked where they have it, gold's last, agreements in
green and open disagreements in orange.  A relation matches another when its label and both
ends' offsets match.  Return (or double-click) accepts the selected relation into gold,
making its end spans there when gold lacks them; Delete takes it out of gold; both are
steps of the review window's undo stack.  ``R`` in the comparison view comes here; Esc goes
back to the units."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QBrush, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import GOLD
from annotator.gui.review.gold_commands import GoldCommand
from annotator.gui.review.units_model import AGREED_BG, DISAGREED_BG, DISAGREED_LINE
from annotator.review.adjudicate_relations import RelationRow, accept_relation, compare_relations, reject_relation

if TYPE_CHECKING:
    from annotator.gui.review.compare_view import CompareView


def _short(text: str, n: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


class RelationsTable(QTableWidget):
    """The rows; Return/Delete/Esc are taken here, not by the view's span shortcuts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.on_key: dict[int, Callable[[], None]] = {}

    def _command(self, event: QKeyEvent) -> Callable[[], None] | None:
        return self.on_key.get(event.key()) if self.currentRow() >= 0 or event.key() == Qt.Key.Key_Escape else None

    def event(self, event: QEvent) -> bool:  # noqa: D401 - Qt override
        if event.type() == QEvent.Type.ShortcutOverride and self._command(event) is not None:  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        command = self._command(event)
        if command is not None:
            command()
            event.accept()
            return
        super().keyPressEvent(event)


class RelationsCompare(QWidget):
    """The relation rows of one :class:`CompareView`; it refreshes them with the view."""

    def __init__(self, view: CompareView) -> None:
        super().__init__(view)
        self.view = view
        self.rows: list[RelationRow] = []
        self.names: list[str] = []
        self.table = RelationsTable()
        self.table.setAccessibleName("relations: each annotator's side by side")
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.table.on_key = {Qt.Key.Key_Return: self.accept_current, Qt.Key.Key_Enter: self.accept_current,
                             Qt.Key.Key_Delete: self.reject_current, Qt.Key.Key_Backspace: self.reject_current,
                             Qt.Key.Key_Escape: lambda: self.view.units.setFocus()}
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.accept_current())
        self.table.currentCellChanged.connect(lambda r, _c, _pr, _pc: self._show(r))

    # -- rows ----------------------------------------------------------------------------

    def refresh(self, document_id: int, names: list[str]) -> None:
        """Compare the document's relations of ``names`` and gold again (the selection stays on its row)."""
        before = self.current()
        self.names = names
        self.rows = compare_relations(self.view.project, document_id, names)
        text = self.view.project.get_text(document_id)
        t = self.table
        t.blockSignals(True)
        t.clear()
        t.setColumnCount(len(names) + 3)
        t.setHorizontalHeaderLabels(["relation", *names, GOLD, "state"])
        t.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            state = "agreed" if row.agreed else ("open" if row.open else "in gold")
            cells = [f"{row.label}: “{_short(text[row.head.start:row.head.end])}” → "
                     f"“{_short(text[row.child.start:row.child.end], 20)}”",
                     *("✓" if n in row.by else "—" for n in names), "✓" if row.resolved else "—", state]
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if row.agreed:
                    item.setBackground(QBrush(AGREED_BG))
                elif row.open:
                    item.setBackground(QBrush(DISAGREED_BG))
                    item.setForeground(QBrush(DISAGREED_LINE) if c == len(cells) - 1 else item.foreground())
                if c == 0:
                    item.setToolTip(f"{row.head.layer} {row.head.label} {row.head.start}–{row.head.end} → "
                                    f"{row.child.layer} {row.child.label} {row.child.start}–{row.child.end}")
                t.setItem(r, c, item)
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        keys = [row.key for row in self.rows]
        if keys:
            t.setCurrentCell(keys.index(before) if before in keys else 0, 0)
        t.blockSignals(False)
        open_ = self.open_count()
        self.summary.setText(f"Relations: {len(self.rows)}, {sum(r.agreed for r in self.rows)} agreed, "
                             f"{open_} disagreement(s) not in gold — R here, Return accepts into gold, "
                             "Delete takes out of gold")

    def current(self) -> tuple | None:
        """The key of the selected row's relation (None: none)."""
        r = self.table.currentRow()
        return self.rows[r].key if 0 <= r < len(self.rows) else None

    def open_count(self) -> int:
        """Rows where the annotators differ and gold lacks the relation."""
        return sum(1 for row in self.rows if row.open)

    def _show(self, r: int) -> None:
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            self.view.show_range(min(row.head.start, row.child.start), max(row.head.end, row.child.end))

    def focus_first_open(self) -> None:
        """Give the table the focus on the first open disagreement (else the first row)."""
        r = next((i for i, row in enumerate(self.rows) if row.open), 0)
        if self.rows:
            self.table.setCurrentCell(r, 0)
        self.table.setFocus()

    # -- adjudication -----------------------------------------------------------------------

    def accept_current(self) -> None:
        """Put the selected relation into gold (its ends too)."""
        r = self.table.currentRow()
        doc = self.view.document_id
        if doc is None or not (0 <= r < len(self.rows)):
            return
        row = self.rows[r]
        if row.resolved:
            self.view.status.setText("That relation is in gold already.")
            return
        project = self.view.project
        self.view.undo_stack.push(GoldCommand(self.view, doc, f"Accept {row.label} relation into gold",
                                              lambda: accept_relation(project, doc, row)))

    def reject_current(self) -> None:
        """Take the selected relation out of gold."""
        r = self.table.currentRow()
        doc = self.view.document_id
        if doc is None or not (0 <= r < len(self.rows)):
            return
        row = self.rows[r]
        if not row.resolved:
            self.view.status.setText("That relation is not in gold: nothing to take out.")
            return
        project = self.view.project
        self.view.undo_stack.push(GoldCommand(self.view, doc, f"Remove {row.label} relation from gold",
                                              lambda: reject_relation(project, row)))
