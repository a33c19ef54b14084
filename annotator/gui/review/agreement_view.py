"""The agreement view: heat map of a pairwise figure, per-label bars, and the
documents ranked by disagreement.  The figures are computed by
:func:`annotator.review.agreement.compute_agreement` in a background
job of the :class:`~annotator.gui.tasks.TaskRunner` (its own ``Project`` connection)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.jobs import Progress, ShouldCancel
from annotator.gui.review.charts import BarChart, HeatMap
from annotator.gui.review.util import find_data
from annotator.gui.tasks import Job, TaskRunner
from annotator.store.dialect import project_target

#: Pairwise figures the heat map can show: (report section, key, title, scale low end).
LAYER_MEASURES = [
    ("pairwise_f1", "Exact span F1", 0.0),
    ("overlap_f1", "Overlap span F1", 0.0),
    ("token_kappa", "Token kappa (IOB)", 0.0),
    ("unitizing_alpha", "Unitizing alpha (uα)", 0.0),
]
QUESTION_MEASURES = [("cohen_kappa", "Cohen's kappa", 0.0)]


def agreement_job(
    project_path: Path, annotators: list[str] | None, include_unfinished: bool
) -> Callable[[Progress, ShouldCancel], dict[str, Any]]:
    """A Task function computing the report on its own connection."""

    def run(report: Progress, should_cancel: ShouldCancel) -> dict[str, Any]:
        from annotator.review.agreement import compute_agreement
        from annotator.store import Project

        with Project(project_path, create=False) as project:
            titles = project.document_titles()
            result = compute_agreement(project, annotators=annotators, include_unfinished=include_unfinished,
                                       progress=report, should_cancel=should_cancel)
        result["_titles"] = titles
        return result

    return run


class RankedDocumentsModel(QAbstractTableModel):
    """Documents of one layer, worst agreement first: id, title, F1, differing spans."""

    HEADERS = ("Document", "Title", "F1", "Differing spans", "Incomplete")
    QUESTION_HEADERS = ("Document", "Title", "Agreement", "Answers")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []
        self._titles: dict[int, str] = {}
        self._headers = self.HEADERS

    def set_rows(self, rows: list[dict[str, Any]], titles: dict[int, str], questions: bool = False) -> None:
        """Replace the rows (already ranked): span-layer rows, or with ``questions`` answer rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self._titles = dict(titles)
        self._headers = self.QUESTION_HEADERS if questions else self.HEADERS
        self.endResetModel()

    def document_at(self, row: int) -> int:
        """The document id shown in ``row``."""
        return int(self._rows[row]["document"])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self._headers)):
            return self._headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if "question" in r:
            return self._question_data(r, col, role)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(r["document"])
            if col == 1:
                return self._titles.get(r["document"], "")
            if col == 2:
                return "n/a" if r["f1"] is None else f"{r['f1']:.3f}"
            if col == 3:
                return str(r.get("disagreements", 0))
            if col == 4:
                return str(r.get("incomplete", 0))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 2, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{r.get('pairs', 0)} annotator pair(s) on this document; double-click to compare"
        return None

    def _question_data(self, r: dict[str, Any], col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(r["document"])
            if col == 1:
                return self._titles.get(r["document"], "")
            if col == 2:
                return f"{r['agreement']:.2f}"
            if col == 3:
                return ", ".join(f"{a}: {v}" for a, v in r["answers"].items())
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "share of annotator pairs giving the same answer; double-click to compare"
        return None


class AgreementView(QWidget):
    """Heat map, per-label bars and ranked documents; ``openDocument(id, layer)``
    when a document is activated."""

    openDocument = Signal(int, str)
    computed = Signal(object)

    def __init__(self, project_path: Path, annotators: list[str] | None = None, parent: QWidget | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.project_path = project_target(project_path)
        self._annotators = annotators
        self.report: dict[str, Any] | None = None
        #: the review window's runner (shared with the main window), or the view's own
        self.runner = runner if runner is not None else TaskRunner(self)
        self.task: Job | None = None
        self._shut = False
        self._colours: dict[tuple[str, str], str] = {}

        self.target = QComboBox()
        self.target.setAccessibleName("layer or question")
        self.target.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.measure = QComboBox()
        self.measure.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.measure.setAccessibleName("figure")
        self.unfinished = QCheckBox("Include &unfinished documents")
        self.refresh = QPushButton("&Recompute")
        self.cancel = QPushButton("Cancel")
        self.cancel.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.pair_filter: str | None = None
        self.show_all = QPushButton("Show all pairs")
        self.show_all.setVisible(False)
        self.table_title = QLabel("Documents, least agreement first (Enter or double-click to compare):")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heatmap = HeatMap()
        self.bars = BarChart()
        self.model = RankedDocumentsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)

        top = QHBoxLayout()
        for w in (QLabel("Show:"), self.target, self.measure, self.unfinished, self.refresh, self.progress, self.cancel):
            top.addWidget(w)
        top.addStretch(1)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.heatmap)
        charts.addWidget(self.bars)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(charts)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.table_title, 1)
        title_row.addWidget(self.show_all)
        lower_layout.addLayout(title_row)
        lower_layout.addWidget(self.table)
        split.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

        self.refresh.clicked.connect(self.compute)
        self.cancel.clicked.connect(self._cancel)
        self.unfinished.toggled.connect(lambda _on: self.compute())
        self.target.currentIndexChanged.connect(self._target_changed)
        self.measure.currentIndexChanged.connect(lambda _i: self._show())
        self.table.activated.connect(self._activated)
        self.heatmap.cellClicked.connect(self.filter_pair)
        self.show_all.clicked.connect(lambda: self.filter_pair(None, None))
        self.table.doubleClicked.connect(self._activated)

    # -- computing -------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop any computation and start none again (the window is closing)."""
        self._shut = True
        if self.task is not None and self.task.is_running:
            self.task.cancel()
            self.task.wait()

    def compute(self) -> Job | None:
        """Start (or restart) the computation in the background."""
        if self._shut:
            return None
        old = self.task
        if old is not None and old.is_running:
            self.task = None  # what the stopped one reports no longer reaches the view
            old.cancel()  # the new computation waits for it to stop
        task = self.runner.run(agreement_job(self.project_path, self._annotators, self.unfinished.isChecked()),
                               "agreement", owner=self, quiet=True)
        if task is None:
            return None
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.cancel.setEnabled(True)
        self.refresh.setEnabled(False)
        self.summary.setText("Computing agreement…")
        def mine(slot: Callable[..., None]) -> Callable[..., None]:
            return lambda *args: slot(*args) if self.task is task else None

        task.progress.connect(mine(self._on_progress))
        task.finished.connect(mine(self._on_finished))
        task.errored.connect(mine(self._on_error))
        task.cancelled.connect(mine(lambda: self._done("Cancelled.")))
        self.task = task
        return task

    def _cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _on_progress(self, done: int, total: int, what: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(what)

    def _done(self, message: str | None = None) -> None:
        self.progress.setVisible(False)
        self.cancel.setEnabled(False)
        self.refresh.setEnabled(True)
        if message is not None:
            self.summary.setText(message)

    def _on_error(self, message: str, _tb: str) -> None:
        self._done(f"Could not compute agreement: {message}")

    def _on_finished(self, report: dict[str, Any]) -> None:
        self._done()
        self.report = report
        self._load_colours()
        current = self.target.currentData()
        self.target.blockSignals(True)
        self.target.clear()
        for layer in report["layers"]:
            self.target.addItem(f"Layer: {layer}", ("layer", layer))
        for q in report["questions"]:
            self.target.addItem(f"Question: {q}", ("question", q))
        idx = find_data(self.target, current) if current is not None else -1
        self.target.setCurrentIndex(max(0, idx))
        self.target.blockSignals(False)
        self._target_changed()
        self.computed.emit(report)

    def _load_colours(self) -> None:
        from annotator.store import Project

        with Project(self.project_path, create=False) as project:
            self._colours = {(lay.name, lab.name): lab.colour for lay in project.schema.layers for lab in lay.labels}

    # -- showing ---------------------------------------------------------------

    def _target_changed(self, *_: Any) -> None:
        data = self.target.currentData()
        self.measure.blockSignals(True)
        self.measure.clear()
        for key, title, low in LAYER_MEASURES if data and data[0] == "layer" else QUESTION_MEASURES:
            self.measure.addItem(title, (key, low))
        self.measure.blockSignals(False)
        self._show()

    def _show(self) -> None:
        report = self.report
        data = self.target.currentData()
        if report is None or data is None:
            return
        kind, name = data
        key, low = self.measure.currentData() or ("pairwise_f1", 0.0)
        names = report["annotators"]
        section = report["layers" if kind == "layer" else "questions"][name]
        self.heatmap.set_data(names, section.get(key, {}), f"{self.measure.currentText()} — {name}", low)
        lines = [f"{report['documents']} document(s) counted; annotators: {', '.join(names) or 'none'}."]
        if kind == "layer":
            per_label = section["per_label"]
            bar_key = key if key in ("pairwise_f1", "overlap_f1", "unitizing_alpha") else "pairwise_f1"
            rows = []
            for label, figures in per_label.items():
                values = [v for v in figures[bar_key].values() if v is not None]
                rows.append((label, sum(values) / len(values) if values else None,
                             self._colours.get((name, label), "#888888")))
            what = {"pairwise_f1": "exact F1", "overlap_f1": "overlap F1", "unitizing_alpha": "unitizing alpha"}
            self.bars.set_data(rows, f"Per label: mean {what[bar_key]} over pairs")
            alpha = section["token_alpha"]
            lines.append(f"Token alpha {'n/a' if alpha is None else f'{alpha:.3f}'}; "
                         f"{section['incomplete']} incomplete unit(s) (marked by one annotator, not the other).")
            from annotator.review.agreement import rank_documents

            self.model.set_rows(rank_documents(report, name, self.pair_filter), report.get("_titles", {}))
            if self.pair_filter:
                self.table_title.setText(f"Documents {self.pair_filter.replace('|', ' and ')} share, least agreement "
                                         "first (Enter or double-click to compare):")
            else:
                self.table_title.setText("Documents, least agreement first (Enter or double-click to compare); "
                                         "click a cell of the matrix for one pair:")
            self.show_all.setVisible(self.pair_filter is not None)
        else:
            fk, ka, pa = section["fleiss_kappa"], section["krippendorff_alpha"], section["percent_agreement"]
            self.bars.set_data([("agreement", pa, "#0072B2"), ("Fleiss κ", fk, "#009E73"), ("Krippendorff α", ka,
                                                                                           "#E69F00")],
                               f"Question {name}")
            from annotator.review.agreement import rank_question_documents

            self.model.set_rows(rank_question_documents(report, name), report.get("_titles", {}), questions=True)
            self.table_title.setText(f"Documents by agreement on {name}, least first (Enter or double-click to "
                                     "compare):")
            self.show_all.setVisible(False)
        # notes about this layer/question, and the general ones (no "name:" prefix)
        prefixes = tuple(f"{n}:" for n in list(report["layers"]) + list(report["questions"]))
        notes = [n for n in report.get("notes", []) if n.startswith(f"{name}:") or not n.startswith(prefixes)]
        lines += [f"Note: {n}" for n in notes[:6]]
        if len(notes) > 6:
            lines.append(f"… and {len(notes) - 6} more note(s) (annotator agreement PROJECT shows them all)")
        self.summary.setText("\n".join(lines))

    def filter_pair(self, a: str | None, b: str | None) -> None:
        """Rank only the documents annotators ``a`` and ``b`` share (None: every pair)."""
        if a is None or b is None:
            self.pair_filter = None
        else:
            x, y = sorted((a, b))
            self.pair_filter = f"{x}|{y}"
        self._show()

    def _activated(self, index: QModelIndex) -> None:
        data = self.target.currentData()
        if index.isValid() and data:
            layer = data[1] if data[0] == "layer" else ""
            self.openDocument.emit(self.model.document_at(index.row()), layer)
