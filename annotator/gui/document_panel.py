"""The document list panel: search, filters, progress and the list itself."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.models import STATE_TEXT, DocumentTableModel
from annotator.store import Project


class DocumentPanel(QWidget):
    """Documents of a project for one annotator, with FTS search and filters
    (status, outlet, suggestions) and the annotator's progress."""

    documentActivated = Signal(int)  # noqa: N815 - the user picked a row
    searchSubmitted = Signal()  # noqa: N815 - Enter in the search box
    filtersApplied = Signal(int, bool, bool)  # noqa: N815 - rows, any filter on, ranked by relevance

    def __init__(self, project: Project, annotator: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        self._showing = False  # selecting the open document's row: not a pick by the user
        lv = QVBoxLayout(self)
        lv.setContentsMargins(8, 8, 4, 8)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title and text (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        lv.addWidget(self.search)

        self.state_filter = QComboBox()
        self.state_filter.addItem("Any status", None)
        for state, text in STATE_TEXT.items():
            self.state_filter.addItem(text.capitalize(), state)
        self.source_filter = QComboBox()
        self.fill_sources()
        self.sugg_filter = QComboBox()
        self.sugg_filter.addItem("With or without suggestions", None)
        self.sugg_filter.addItem("With suggestions", True)
        self.sugg_filter.addItem("Without suggestions", False)
        for w, tip in ((self.state_filter, "Filter by your status"), (self.source_filter, "Filter by outlet"),
                       (self.sugg_filter, "Filter by machine suggestions")):
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(6)
            w.setToolTip(tip)
        filters = QGridLayout()
        filters.setSpacing(4)
        filters.addWidget(self.state_filter, 0, 0)
        filters.addWidget(self.source_filter, 0, 1)
        filters.addWidget(self.sugg_filter, 1, 0, 1, 2)
        self.order = QComboBox()
        self.order.addItem("Reading order", "id")
        self.order.addItem("Most useful first", "uncertain")
        self.order.setToolTip("Most useful first: documents whose suggestions are least certain come first "
                              "(Next follows the list)")
        filters.addWidget(self.order, 2, 0, 1, 2)
        lv.addLayout(filters)

        prow = QHBoxLayout()
        self.progress_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedHeight(8)
        prow.addWidget(self.progress_label)
        prow.addWidget(self.progress_bar, 1)
        lv.addLayout(prow)

        self.model = DocumentTableModel(project, annotator, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 36), (2, 100), (3, 80), (4, 78)):
            self.table.setColumnWidth(col, width)
        self.table.setColumnHidden(3, True)  # the date is in the tooltip and the article header
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lv.addWidget(self.table, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)  # search as one types, not on every key
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._submit)
        for w in (self.state_filter, self.source_filter, self.sugg_filter):
            w.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.order.currentIndexChanged.connect(lambda _i: self.set_order(self.order.currentData()))
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        self.update_progress()

    # -- filters -----------------------------------------------------------------

    def fill_sources(self) -> None:
        """Re-read the outlets for the filter (after an import)."""
        current = self.source_filter.currentData()
        with QSignalBlocker(self.source_filter):
            self.source_filter.clear()
            self.source_filter.addItem("Any outlet", None)
            for src in self.project.sources():
                self.source_filter.addItem(src, src)
            self.source_filter.setCurrentIndex(max(self.source_filter.findData(current), 0))

    def set_order(self, order: str) -> None:
        """List the documents in reading order (``"id"``) or most useful first (``"uncertain"``)."""
        self.model.set_order(order)
        self.filtersApplied.emit(self.model.rowCount(), self.filtered(), self.model.ranked)

    def filtered(self) -> bool:
        """True when a search or a filter narrows the list."""
        return bool(self.search.text().strip()) or any(
            w.currentData() is not None for w in (self.state_filter, self.source_filter, self.sugg_filter))

    def apply_filters(self) -> None:
        """Re-filter the list from the search box and the filter boxes."""
        self._search_timer.stop()
        self.model.set_filter(
            query=self.search.text().strip() or None,
            state=self.state_filter.currentData(),
            source=self.source_filter.currentData(),
            has_suggestions=self.sugg_filter.currentData(),
        )
        self.filtersApplied.emit(self.model.rowCount(), self.filtered(), self.model.ranked)

    def clear_filters(self) -> None:
        """Show every document again."""
        with QSignalBlocker(self.search):
            self.search.clear()
        for w in (self.state_filter, self.source_filter, self.sugg_filter):
            with QSignalBlocker(w):
                w.setCurrentIndex(0)
        self.apply_filters()

    def search_words(self) -> list[str]:
        """The words of the search box (FTS operators left out), for framing hits."""
        words = [w.strip("\"'") for w in self.search.text().split()]
        return [w for w in words if w and w.upper() not in ("AND", "OR", "NOT")]

    def _submit(self) -> None:
        self.apply_filters()
        self.searchSubmitted.emit()

    # -- rows ------------------------------------------------------------------

    def ids(self) -> list[int]:
        """The ids listed, in order."""
        return self.model.ids()

    def show_document(self, doc_id: int) -> None:
        """Select and reveal ``doc_id``'s row without emitting ``documentActivated``."""
        row = self.model.row_of(doc_id)
        if row is None:
            return
        # a flag, not a QSignalBlocker on the selection model: the table must hear that the old row
        # was deselected, or it keeps painting it selected (two rows after "Done and next")
        self._showing = True
        try:
            self.table.selectRow(row)
        finally:
            self._showing = False
        self.table.scrollTo(self.model.index(row, 0))

    def neighbour(self, doc_id: int | None, direction: int) -> int | None:
        """The document ``direction`` rows away from ``doc_id`` (the first when it is not listed)."""
        n = self.model.rowCount()
        if n == 0:
            return None
        row = self.model.row_of(doc_id) if doc_id is not None else None
        if row is not None and row + direction >= n and self.model.canFetchMore():
            self.model.fetchMore()  # past the rows read so far: read the next page
            n = self.model.rowCount()
        row = 0 if row is None else max(0, min(n - 1, row + direction))
        return self.model.doc_id(row)

    def ahead(self, doc_id: int | None, n: int) -> list[int]:
        """Up to ``n`` documents listed after ``doc_id`` (from the top when it is not listed),
        continuing from the top at the end of the list, ``doc_id`` itself left out: those the
        annotator opens next.  Reads only as many rows of the list as that takes."""
        model = self.model
        row = model.row_of(doc_id) if doc_id is not None else None
        out: list[int] = []
        r = 0 if row is None else row + 1
        wrapped = row is None
        while len(out) < n:
            if r >= model.rowCount():
                if model.canFetchMore():
                    model.fetchMore()
                    if r < model.rowCount():
                        continue
                if wrapped:
                    break
                r, wrapped = 0, True
                continue
            if wrapped and row is not None and r >= row:
                break
            out.append(model.doc_id(r))
            r += 1
        return out

    def first_not_done(self, after: int | None = None) -> int | None:
        """The next listed document neither done nor skipped (wrapping around), after ``after``."""
        ids = self.model.ids()
        if not ids:
            return None
        statuses = {d: s for (d, _a), s in self.project.statuses(self.annotator).items()}
        start = ids.index(after) + 1 if after is not None and after in ids else 0
        for d in ids[start:] + ids[:start]:
            if d != after and statuses.get(d, "todo") not in ("done", "skipped"):
                return d
        return None

    def refresh_document(self, doc_id: int) -> None:
        """Re-read one row (its status changed) and the progress."""
        self.model.refresh_document(doc_id)
        self.update_progress()

    def update_progress(self) -> None:
        """"12 of 40 done" for this annotator."""
        done, total = self.project.progress(self.annotator)
        self.progress_label.setText(f"{done} of {total} done")
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    def _on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._showing:
            self.documentActivated.emit(self.model.doc_id(current.row()))
