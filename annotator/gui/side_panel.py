"""The right-hand column of the main window: the label palette, the document
questions and the list of the open document's spans and suggestions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QGroupBox, QHeaderView, QTableView, QVBoxLayout, QWidget

from annotator.core.schema import LabelSchema
from annotator.gui.models import SpanListModel
from annotator.gui.panels import AnswerPanel, LabelPalette


def _boxed(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(2, 2, 2, 2)
    layout.addWidget(widget)
    return box


class SidePanel(QWidget):
    """``palette``, ``answers``, ``span_box`` (its title counts the spans), ``span_model`` and ``span_table``."""

    def __init__(self, schema: LabelSchema, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.palette = LabelPalette(schema)
        self.answers = AnswerPanel(schema)
        self.span_model = SpanListModel(
            {(lay.name, lab.name): lab.colour for lay in schema.layers for lab in lay.labels}, self)
        table = QTableView()
        table.setModel(self.span_model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(22)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.setColumnWidth(0, 78)
        table.setColumnWidth(2, 110)
        table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.span_table = table
        self.span_box = _boxed("Spans", table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 8, 8)
        layout.addWidget(_boxed("Labels", self.palette))
        layout.addWidget(_boxed("Document", self.answers))
        layout.addWidget(self.span_box, 1)
