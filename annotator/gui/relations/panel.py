"""The relation list beside the span list: one row per relation of the open document,
suggested ones in italics with their score.  Selecting a row selects the relation (its arc
is drawn thicker); Delete/X deletes it (rejects a suggestion), Return accepts a suggestion,
a relation key relabels it; the context menu does the same by mouse."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QPersistentModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QListView, QMenu, QWidget

from annotator.editing import REL_SUGGESTION, RelKey

_KEY_ROLE = Qt.ItemDataRole.UserRole + 1
_PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 2

#: one row: (key, colour, suggested); its text comes from the list's ``describe(key)``
Row = tuple[Any, ...]
Describe = Callable[[RelKey], tuple[str, str]]


class RelationRows(QAbstractListModel):
    """The rows as a model: the view asks only for the rows it shows (5,000 list items cost a
    fifth of a second to make when an article opened)."""

    def __init__(self, describe: Describe, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.describe = describe
        self.order: list[RelKey] = []
        self.rows: dict[RelKey, Row] = {}
        self._text: dict[RelKey, tuple[str, str]] = {}  # describe's answers for the rows shown so far
        self._index: dict[RelKey, int] | None = None
        self._fonts: dict[tuple[bool, bool], QFont] = {}
        self._brushes: dict[str, QBrush] = {}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.order)

    def row_of(self, key: RelKey) -> int:
        """The row of ``key`` (-1: not listed)."""
        if self._index is None:
            self._index = {k: i for i, k in enumerate(self.order)}
        return self._index.get(key, -1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.order):
            return None
        key = self.order[index.row()]
        if role == _KEY_ROLE:
            return key
        row = self.rows[key]
        text, problem = self.text(key)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == _PROBLEM_ROLE:
            return problem
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = "#C00000" if problem else row[1]
            brush = self._brushes.get(colour)
            if brush is None:
                brush = self._brushes[colour] = QBrush(QColor(colour) if problem else QColor(colour).darker(140))
            return brush
        if role == Qt.ItemDataRole.FontRole:
            style = (bool(row[2]), bool(problem))
            font = self._fonts.get(style)
            if font is None:
                font = self._fonts[style] = QFont()
                font.setItalic(style[0])
                font.setStrikeOut(style[1])
            return font
        if role == Qt.ItemDataRole.ToolTipRole and problem:
            return f"No longer fits the schema: {problem}. Delete removes it."
        return None

    def text(self, key: RelKey) -> tuple[str, str]:
        """A row's text and why it no longer fits the schema (asked once, then kept)."""
        got = self._text.get(key)
        if got is None:
            got = self._text[key] = self.describe(key)
        return got

    def reset(self, rows: list[Row]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self.order = [r[0] for r in rows]
        self.rows = {r[0]: r for r in rows}
        self._text = {}
        self._index = None
        self.endResetModel()

    def change(self, removed: list[RelKey], added: list[Row]) -> None:
        """Remove some rows, change or append others."""
        for key in removed:
            self._text.pop(key, None)
            i = self.row_of(key)
            if i < 0:
                continue
            self.beginRemoveRows(QModelIndex(), i, i)
            del self.order[i]
            del self.rows[key]
            self._index = None
            self.endRemoveRows()
        for row in added:
            key = row[0]
            self._text.pop(key, None)
            i = self.row_of(key)
            if i >= 0:
                self.rows[key] = row
                self.dataChanged.emit(self.index(i), self.index(i))
                continue
            n = len(self.order)
            self.beginInsertRows(QModelIndex(), n, n)
            self.order.append(key)
            self.rows[key] = row
            if self._index is not None:
                self._index[key] = n
            self.endInsertRows()


class RelationList(QListView):
    """Rows of relations; emits what the user asks for, the controller does it."""

    relationSelected = Signal(object)  # noqa: N815 - RelKey or None
    deleteRequested = Signal(object)  # noqa: N815 - RelKey
    acceptRequested = Signal(object)  # noqa: N815 - RelKey
    relabelRequested = Signal(object, str)  # noqa: N815 - RelKey, label

    def __init__(self, labels: list[tuple[str, str, str]], describe: Describe, parent: QWidget | None = None) -> None:
        """``labels``: (name, colour, hotkey) of each relation type of the schema; ``describe(key)``:
        a row's text and why its relation no longer fits the schema ("" when it fits)."""
        super().__init__(parent)
        self.setObjectName("relationList")
        self.labels = labels
        self._hotkeys = {QKeySequence(h).toString(): name for name, _c, h in labels if h}
        self.rows_model = RelationRows(describe, self)
        self.setModel(self.rows_model)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(lambda pos: self.menu_for(pos).popup(self.mapToGlobal(pos)))
        self._quiet = False
        self.selectionModel().currentChanged.connect(self._current_changed)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._quiet:
            self.relationSelected.emit(self.key_of(current))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(220, 110)

    # -- rows --------------------------------------------------------------------------

    def set_rows(self, rows: list[Row]) -> None:
        """Replace every row: (key, colour, suggested)."""
        self._quiet = True
        self.rows_model.reset(rows)
        self._quiet = False

    def update_rows(self, removed: list[RelKey], added: list[Row]) -> None:
        """Remove and add or change rows (only those)."""
        self._quiet = True
        self.rows_model.change(removed, added)
        self._quiet = False

    def count(self) -> int:
        """How many rows."""
        return self.rows_model.rowCount()

    def text_of(self, key: RelKey) -> str:
        """A row's text ("" when not listed)."""
        return self.rows_model.text(key)[0] if key in self.rows_model.rows else ""

    def problem_of(self, key: RelKey) -> str:
        """Why a listed relation no longer fits the schema ("" when it fits)."""
        return self.rows_model.text(key)[1] if key in self.rows_model.rows else ""

    def key_of(self, index: QModelIndex | None) -> RelKey | None:
        """The relation of a row."""
        return index.data(_KEY_ROLE) if index is not None and index.isValid() else None

    def keys(self) -> list[RelKey]:
        """Every row's relation, in order (tests)."""
        return list(self.rows_model.order)

    def select_key(self, key: RelKey | None) -> None:
        """Make ``key``'s row current (None: none)."""
        row = self.rows_model.row_of(key) if key is not None else -1
        self._quiet = True
        if row < 0:
            self.selectionModel().clearCurrentIndex()
            self.clearSelection()
        else:
            index = self.rows_model.index(row)
            self.selectionModel().setCurrentIndex(index, self.selectionModel().SelectionFlag.ClearAndSelect)
            self.scrollTo(index)
        self._quiet = False

    def row_rect_centre(self, key: RelKey) -> QPoint:
        """The centre of a row in this widget's viewport (tests click it)."""
        index = self.rows_model.index(self.rows_model.row_of(key))
        self.scrollTo(index)
        return self.visualRect(index).center()

    # -- keyboard and mouse ------------------------------------------------------------------

    def _current(self) -> RelKey | None:
        return self.key_of(self.currentIndex())

    def event(self, event: QEvent) -> bool:  # noqa: D401 - Qt override
        # the window's shortcuts (Delete rejects a span, Return accepts one) must not take
        # these keys while the list has the focus
        if event.type() == QEvent.Type.ShortcutOverride and self._command(event) is not None:  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    def _command(self, event: QKeyEvent) -> Callable[[RelKey], None] | None:
        key = self._current()
        if key is None:
            return None
        k = event.key()
        if k in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_X):
            return self.deleteRequested.emit
        if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and key[0] == REL_SUGGESTION:
            return self.acceptRequested.emit
        combo = QKeySequence(event.keyCombination()).toString()
        if combo in self._hotkeys:
            label = self._hotkeys[combo]
            return lambda rk: self.relabelRequested.emit(rk, label)
        return None

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        command = self._command(event)
        key = self._current()
        if command is not None and key is not None:
            command(key)
            event.accept()
            return
        super().keyPressEvent(event)

    def menu_for(self, pos: QPoint) -> QMenu:
        """The context menu of the row at ``pos``: accept, relabel, delete (built, not shown)."""
        index = self.indexAt(pos)
        key = self.key_of(index)
        menu = QMenu(self)
        if key is None:
            return menu
        self.setCurrentIndex(index)
        if key[0] == REL_SUGGESTION:
            menu.addAction("Accept").triggered.connect(lambda: self.acceptRequested.emit(key))
        relabel = menu.addMenu("Relabel as")
        for name, _colour, hotkey in self.labels:
            act = QAction(name + (f"\t{hotkey}" if hotkey else ""), relabel)
            act.triggered.connect(lambda _c=False, n=name: self.relabelRequested.emit(key, n))
            relabel.addAction(act)
        menu.addAction("Reject" if key[0] == REL_SUGGESTION else "Delete").triggered.connect(
            lambda: self.deleteRequested.emit(key))
        return menu
