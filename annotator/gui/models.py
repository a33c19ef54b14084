"""Item models: the document list (row ids, rows fetched lazily, Anki style)
and the span list of the open document."""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from annotator.core.model import DocumentInfo
from annotator.editing import SUGGESTION, Item, Key
from annotator.gui.doc_query import PagedIds, document_ids
from annotator.store import Project

Index = QModelIndex | QPersistentModelIndex

STATE_TEXT = {"todo": "to do", "in_progress": "in progress", "done": "done", "skipped": "skipped"}
STATE_COLOUR = {"todo": "#8a8a8a", "in_progress": "#E69F00", "done": "#009E73", "skipped": "#CC79A7"}


class DocumentTableModel(QAbstractTableModel):
    """Documents of a project for one annotator: id, title, outlet, date, status.

    Holds only the ids of the current filter; rows are read from the store in
    pages of :attr:`PAGE` when first shown and kept in a bounded cache, so a
    project of 100,000 documents opens as fast as one of 10.
    """

    COLUMNS = ("#", "Title", "Outlet", "Date", "Status")
    PAGE = 200
    CACHE_PAGES = 50

    def __init__(self, project: Project, annotator: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        self._ids: Sequence[int] = []  # a range for an unfiltered list without gaps
        self._row_of: dict[int, int] | None = None
        self._pages: OrderedDict[int, list[DocumentInfo]] = OrderedDict()
        self.filters: dict[str, Any] = {}
        #: True when the rows are in order of relevance to the search
        self.ranked = False
        #: "id" (reading order) or "uncertain" (most useful first)
        self.order = "id"
        self.refresh()

    # -- filtering -------------------------------------------------------------

    def set_filter(self, *, query: str | None = None, state: str | None = None, source: str | None = None,
                   has_suggestions: bool | None = None) -> None:
        """Show only documents matching every given filter (FTS ``query`` ranks)."""
        self.filters = {"query": query or None, "state": state or None, "source": source or None,
                        "has_suggestions": has_suggestions}
        self.refresh()

    def set_order(self, order: str) -> None:
        """``"id"`` (reading order) or ``"uncertain"`` (most useful first: least certain suggestions,
        ``annotator.nlp.active``; a search keeps its relevance order)."""
        self.order = order
        self.refresh()

    def refresh(self) -> None:
        """Re-read the ids of the current filter."""
        self.beginResetModel()
        try:
            self._ids, self.ranked = document_ids(self.project, self.annotator, **self.filters)
            if self.order == "uncertain" and not self.ranked:
                from annotator.nlp.active import most_useful_first, uncertainty_by_document  # no spaCy

                if isinstance(self._ids, PagedIds):
                    self._ids = self._read_all(self._ids)
                self._ids = most_useful_first(self._ids, uncertainty_by_document(self.project, self.annotator))
        except Exception:  # noqa: BLE001 - a malformed FTS query shows no rows, not a crash
            self._ids, self.ranked = [], False
        self._row_of = None
        self._pages.clear()
        self.endResetModel()

    @property
    def complete(self) -> bool:
        """False while more matching rows are left to read (the list reads them as it scrolls)."""
        return not isinstance(self._ids, PagedIds) or self._ids.complete

    @staticmethod
    def _read_all(ids: PagedIds) -> list[int]:
        while page := ids.next_page():
            ids.extend(page)
        return list(ids)

    def _load_more(self, until: int | None = None) -> None:
        """Read the next page of ids (up to ``until`` when given) and insert their rows."""
        ids = self._ids
        while isinstance(ids, PagedIds) and not ids.complete:
            page = ids.next_page()
            if page:
                n = len(ids)
                self.beginInsertRows(QModelIndex(), n, n + len(page) - 1)
                ids.extend(page)
                self.endInsertRows()
            if until is None or ids.last() >= until:
                return

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008 - Qt API
        return not parent.isValid() and not self.complete

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008 - Qt API
        if not parent.isValid():
            self._load_more()

    def ids(self) -> list[int]:
        """The ids shown, in order (every match: rows not read yet are read)."""
        if isinstance(self._ids, PagedIds) and not self._ids.complete:
            self._load_more(until=2**62)
        return list(self._ids)

    def row_of(self, doc_id: int) -> int | None:
        """The row showing ``doc_id`` (None when filtered out)."""
        if isinstance(self._ids, range):  # no dict of a million rows: arithmetic
            return self._ids.index(doc_id) if doc_id in self._ids else None
        if isinstance(self._ids, PagedIds):  # ascending: read up to it, then a binary search
            if doc_id > self._ids.last():
                self._load_more(until=doc_id)
            return self._ids.index_of(doc_id)
        if self._row_of is None:
            self._row_of = {d: i for i, d in enumerate(self._ids)}
        return self._row_of.get(doc_id)

    def doc_id(self, row: int) -> int:
        """The document id on ``row`` (reading more rows when it is past those read)."""
        while row >= len(self._ids) and not self.complete:
            self._load_more()
        return self._ids[row]

    def info(self, row: int) -> DocumentInfo:
        """The row's light document record (fetched with its page)."""
        page = row // self.PAGE
        rows = self._pages.get(page)
        if rows is None:
            ids = self._ids[page * self.PAGE : (page + 1) * self.PAGE]
            rows = self.project.document_infos(ids, self.annotator)
            self._pages[page] = rows
            if len(self._pages) > self.CACHE_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        return rows[row - page * self.PAGE]

    def refresh_document(self, doc_id: int) -> None:
        """Re-read one document's row (after its status changed)."""
        row = self.row_of(doc_id)
        if row is None:
            return
        self._pages.pop(row // self.PAGE, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    # -- Qt model API ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.COLUMNS):
                return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        col = index.column()
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole):
            return None
        info = self.info(index.row())
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 4:
                return QBrush(QColor(STATE_COLOUR.get(info.state, "#8a8a8a")))
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{info.title}\n{info.source} {info.published}\n{info.length:,} characters, "
                    f"{info.n_spans} spans, {info.n_suggestions} suggestions")
        if col == 0:
            return str(info.id)
        if col == 1:
            return info.title or "(untitled)"
        if col == 2:
            return info.source
        if col == 3:
            return info.published[:10]
        return STATE_TEXT.get(info.state, info.state)


class SpanListModel(QAbstractTableModel):
    """The open document's spans and pending suggestions: label, text, origin."""

    COLUMNS = ("Label", "Text", "Origin")

    def __init__(self, colours: dict[tuple[str, str], str] | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        #: (layer, label) -> colour, for the swatch beside each label
        self.colours = dict(colours or {})
        self._items: list[Item] = []
        self._sort_keys: list[tuple[int, int, bool, str, int]] = []
        self._by_key: dict[Key, Item] = {}
        self._text = ""

    @staticmethod
    def _order(item: Item) -> tuple[int, int, bool, str, int]:
        return (item.start, -item.end, item.key[0] == SUGGESTION, item.key[0], item.key[1])

    def set_items(self, text: str, items: list[Item], *, presorted: bool = False) -> None:
        """Show ``items`` of ``text`` in reading order (``presorted``: they already are)."""
        self.beginResetModel()
        self._text = text
        self._items = list(items) if presorted else sorted(items, key=self._order)
        # inline _order(): 20,000 function calls would be a tenth of opening a big article
        self._sort_keys = [(i.start, -i.end, i.key[0] == SUGGESTION, i.key[0], i.key[1]) for i in self._items]
        self._by_key = {i.key: i for i in self._items}
        self.endResetModel()

    def update_items(self, removed: list[Key], added: list[Item]) -> None:
        """Apply an edit: rows are removed and inserted in place (binary search),
        so a document with 20,000 spans does not re-sort on every keystroke."""
        for key in list(removed) + [i.key for i in added]:
            old = self._by_key.pop(key, None)
            if old is None:
                continue
            row = bisect_left(self._sort_keys, self._order(old))
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._items[row]
            del self._sort_keys[row]
            self.endRemoveRows()
        for item in added:
            k = self._order(item)
            row = bisect_left(self._sort_keys, k)
            self.beginInsertRows(QModelIndex(), row, row)
            self._items.insert(row, item)
            self._sort_keys.insert(row, k)
            self._by_key[item.key] = item
            self.endInsertRows()

    def key(self, row: int) -> Key:
        """The key of ``row``."""
        return self._items[row].key

    def row_of(self, key: Key) -> int | None:
        """The row of ``key``."""
        item = self._by_key.get(key)
        if item is None:
            return None
        return bisect_left(self._sort_keys, self._order(item))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.COLUMNS):
                return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._items)):
            return None
        item = self._items[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return item.label
            if col == 1:
                return self._text[item.start : item.end].replace("\n", " ")
            return item.origin + (f" {item.score:.2f}" if item.score is not None else "")
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            colour = self.colours.get((item.layer, item.label))
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            what = "suggestion (italic)" if item.is_suggestion else "span"
            return f"{what} · {item.layer} · {item.label} · {item.origin} · [{item.start}, {item.end})"
        if role == Qt.ItemDataRole.FontRole and item.key[0] == SUGGESTION:
            from PySide6.QtGui import QFont

            f = QFont()
            f.setItalic(True)
            return f
        if role == Qt.ItemDataRole.UserRole:
            return item.key
        return None
