"""The relation list beside the span list: one row per relation of the open document,
suggested ones in italics with their score.  Selecting a row selects the relation (its arc
is drawn thicker); Delete/X deletes it (rejects a suggestion), Return accepts a suggestion,
a relation key relabels it; the context menu does the same by mouse."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QMenu, QWidget

from annotator.editing import REL_SUGGESTION, RelKey

_KEY_ROLE = Qt.ItemDataRole.UserRole + 1
_PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 2


class RelationList(QListWidget):
    """Rows of relations; emits what the user asks for, the controller does it."""

    relationSelected = Signal(object)  # noqa: N815 - RelKey or None
    deleteRequested = Signal(object)  # noqa: N815 - RelKey
    acceptRequested = Signal(object)  # noqa: N815 - RelKey
    relabelRequested = Signal(object, str)  # noqa: N815 - RelKey, label

    def __init__(self, labels: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        """``labels``: (name, colour, hotkey) of each relation type of the schema."""
        super().__init__(parent)
        self.setObjectName("relationList")
        self.labels = labels
        self._hotkeys = {QKeySequence(h).toString(): name for name, _c, h in labels if h}
        self._rows: dict[RelKey, QListWidgetItem] = {}
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(lambda pos: self.menu_for(pos).popup(self.mapToGlobal(pos)))
        self.currentItemChanged.connect(lambda cur, _prev: self.relationSelected.emit(self.key_of(cur)))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(220, 110)

    # -- rows --------------------------------------------------------------------------

    def set_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Replace every row: (key, text, colour, suggested[, why it no longer fits the schema])."""
        self.blockSignals(True)
        self.clear()
        self._rows.clear()
        for row in rows:
            self._add(*row)
        self.blockSignals(False)

    def update_rows(self, removed: list[RelKey], added: list[tuple[Any, ...]]) -> None:
        """Remove and add or change rows (only those)."""
        self.blockSignals(True)
        for key in removed:
            item = self._rows.pop(key, None)
            if item is not None:
                self.takeItem(self.row(item))
        for row in added:
            item = self._rows.get(row[0])
            if item is not None:
                self._style(item, *row)
            else:
                self._add(*row)
        self.blockSignals(False)

    def _add(self, key: RelKey, text: str, colour: str, suggested: bool, problem: str = "") -> None:
        item = QListWidgetItem()
        self._style(item, key, text, colour, suggested, problem)
        self.addItem(item)
        self._rows[key] = item

    def _style(self, item: QListWidgetItem, key: RelKey, text: str, colour: str, suggested: bool,
               problem: str = "") -> None:
        item.setText(text)
        item.setData(_KEY_ROLE, key)
        item.setData(_PROBLEM_ROLE, problem)
        item.setForeground(QBrush(QColor("#C00000") if problem else QColor(colour).darker(140)))
        item.setToolTip(f"No longer fits the schema: {problem}. Delete removes it." if problem else "")
        font = QFont(self.font())
        font.setItalic(suggested)
        font.setStrikeOut(bool(problem))
        item.setFont(font)

    def problem_of(self, key: RelKey) -> str:
        """Why a listed relation no longer fits the schema ("" when it fits)."""
        item = self._rows.get(key)
        return str(item.data(_PROBLEM_ROLE) or "") if item is not None else ""

    def key_of(self, item: QListWidgetItem | None) -> RelKey | None:
        """The relation of a row."""
        return item.data(_KEY_ROLE) if item is not None else None

    def keys(self) -> list[RelKey]:
        """Every row's relation, in order (tests)."""
        return [self.key_of(self.item(i)) for i in range(self.count())]

    def select_key(self, key: RelKey | None) -> None:
        """Make ``key``'s row current (None: none)."""
        item = self._rows.get(key) if key is not None else None
        self.blockSignals(True)
        self.setCurrentItem(item)
        if item is None:
            self.clearSelection()
        self.blockSignals(False)

    def row_rect_centre(self, key: RelKey) -> QPoint:
        """The centre of a row in this widget's viewport (tests click it)."""
        return self.visualItemRect(self._rows[key]).center()

    # -- keyboard and mouse ------------------------------------------------------------------

    def _current(self) -> RelKey | None:
        return self.key_of(self.currentItem())

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
        item = self.itemAt(pos)
        key = self.key_of(item)
        menu = QMenu(self)
        if key is None:
            return menu
        self.setCurrentItem(item)
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
