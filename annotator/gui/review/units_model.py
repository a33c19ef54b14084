"""The units table of the comparison view as an item model (rows fetched lazily,
so a long article with thousands of units redraws only what is visible)."""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from annotator.core.model import GOLD, Span
from annotator.review.adjudicate import Unit

AGREED_BG = QColor(0, 158, 115, 40)  # Okabe-Ito bluish green, faint
MAJORITY_BG = QColor(240, 228, 66, 90)  # Okabe-Ito yellow: the version most annotators gave
DISAGREED_BG = QColor(213, 94, 0, 50)  # Okabe-Ito vermillion, faint
DISAGREED_LINE = QColor("#D55E00")  # the same, full strength: underlines and text

#: Role holding the annotator name of a column (``gold`` for the last one, None for the text).
ANNOTATOR_ROLE = Qt.ItemDataRole.UserRole + 1


def span_text(spans: Sequence[Span]) -> str:
    """``PER 29–38; LOC 47–53`` or an em dash for nothing."""
    return "; ".join(f"{s.label} {s.start}–{s.end}" for s in spans) if spans else "—"


class UnitsModel(QAbstractTableModel):
    """Rows are units (overlapping spans); columns the text, each annotator, gold."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._names: list[str] = []
        self._units: list[Unit] = []
        self._majority: list[frozenset[tuple[int, int, str]] | None] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_units(self, text: str, names: Sequence[str], units: Sequence[Unit]) -> None:
        """Show ``units`` of ``text`` for ``names``."""
        self.beginResetModel()
        self._text = text
        self._names = list(names)
        self._units = list(units)
        three = len(self._names) >= 3
        self._majority = [u.majority(self._names) if three and not u.agreed else None for u in self._units]
        self.endResetModel()

    def unit(self, row: int) -> Unit:
        """The unit shown in ``row``."""
        return self._units[row]

    def annotator(self, column: int) -> str | None:
        """Whose column it is (None for the text column)."""
        if column == 0:
            return None
        return self._names[column - 1] if column <= len(self._names) else GOLD

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._units)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._names) + 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return "Text"
        if 0 < section <= len(self._names):
            return self._names[section - 1]
        if section == len(self._names) + 1:
            return "Gold"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._units)):
            return None
        unit = self._units[index.row()]
        col = index.column()
        name = self.annotator(col)
        if role == ANNOTATOR_ROLE:
            return name
        if col == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._text[unit.start : unit.end].replace("\n", " ")[:60]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"characters {unit.start}–{unit.end}"
            return None
        if name == GOLD:
            if role == Qt.ItemDataRole.DisplayRole:
                return span_text(unit.gold)
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.ToolTipRole:
                return "gold: " + (", ".join(g.note or "reviewer" for g in unit.gold) or "nothing here")
            return None
        spans = unit.spans.get(name or "", [])
        if role == Qt.ItemDataRole.DisplayRole:
            return span_text(spans)
        mine = frozenset((s.start, s.end, s.label) for s in spans)
        majority = self._majority[index.row()]
        if role == Qt.ItemDataRole.BackgroundRole:
            if unit.agreed:
                return QBrush(AGREED_BG)
            if majority is not None and mine == majority:
                return QBrush(MAJORITY_BG)
            gold = {(g.start, g.end, g.label) for g in unit.gold}
            return QBrush(DISAGREED_BG) if mine != gold or not unit.gold else None
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{name}: Enter copies this into gold"
            if majority is not None and mine == majority:
                tip += "; the majority's version (M accepts it)"
            return tip
        return None


class UnitsTable(QTableView):
    """A table view over :class:`UnitsModel` with cell-style helpers."""

    currentCellChanged = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.units_model = UnitsModel(self)
        self.setModel(self.units_model)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.verticalHeader().setVisible(False)
        self.selectionModel().currentChanged.connect(
            lambda cur, _prev: self.currentCellChanged.emit(cur.row(), cur.column()))

    def rowCount(self) -> int:  # noqa: N802 - mirrors QTableWidget
        """Number of rows."""
        return self.units_model.rowCount()

    def columnCount(self) -> int:  # noqa: N802 - mirrors QTableWidget
        """Number of columns."""
        return self.units_model.columnCount()

    def currentRow(self) -> int:  # noqa: N802 - mirrors QTableWidget
        """The current row or -1."""
        return self.currentIndex().row()

    def currentColumn(self) -> int:  # noqa: N802 - mirrors QTableWidget
        """The current column or -1."""
        return self.currentIndex().column()

    def setCurrentCell(self, row: int, column: int) -> None:  # noqa: N802 - mirrors QTableWidget
        """Make a cell current (and selected)."""
        self.setCurrentIndex(self.units_model.index(row, column))

    def cell_text(self, row: int, column: int) -> str:
        """What a cell shows."""
        return str(self.units_model.data(self.units_model.index(row, column)) or "")

    def cell_background(self, row: int, column: int) -> QColor | None:
        """A cell's background colour (None: the default)."""
        brush = self.units_model.data(self.units_model.index(row, column), Qt.ItemDataRole.BackgroundRole)
        return brush.color() if brush is not None else None

    def header_text(self, column: int) -> str:
        """A column's title."""
        return str(self.units_model.headerData(column, Qt.Orientation.Horizontal))
