"""The story view: one event across outlets (docs/kb.md, "The story view").

One column per article: the linked entities each names, on rows by entry so the
same person lines up across columns; an entry only one article names is
highlighted.  Under the table, per article: who it quotes and what, its stance
toward the chosen target, and what only it has.  Stories and the table are computed
by background jobs on the window's TaskRunner; the view only draws.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from annotator.core.jobs import Progress, ShouldCancel
from annotator.kb.story_table import StoryTable
from annotator.store.dialect import project_target

#: The background of an entry only one article names.
UNIQUE_BG = QColor("#FFF176")
LABEL_COLOURS = {"PER": "#56B4E9", "ORG": "#E69F00", "LOC": "#009E73", "MISC": "#CC79A7"}


def stories_job(path: Path, link_first: bool) -> Callable[[Progress, ShouldCancel], Any]:
    """Find the project's stories (linking the entity spans first when asked)."""

    def job(progress: Progress, should_cancel: ShouldCancel) -> Any:
        from annotator.kb.service import find_stories, link_project
        from annotator.store import Project

        with Project(path, create=False) as p:
            if link_first:
                link_project(p, progress=progress, should_cancel=should_cancel)
            stories = find_stories(p, progress=progress, should_cancel=should_cancel)
            titles = {i.id: i.title for i in p.document_infos(with_counts=False)}
            return [(s, [titles.get(d, "") for d in s.documents]) for s in stories]

    return job


def table_job(path: Path, documents: list[int], target: str | None) -> Callable[[Progress, ShouldCancel], Any]:
    """The story table of some articles."""

    def job(progress: Progress, should_cancel: ShouldCancel) -> StoryTable:
        from annotator.kb.story_table import story_table
        from annotator.store import Project

        with Project(path, create=False) as p:
            return story_table(p, documents, target)

    return job


class StoryView(QWidget):
    """A window: choose a story and a target; see the articles side by side."""

    #: open a document in the main window: document, start, end
    goTo = Signal(int, int, int)  # noqa: N815 - Qt signal naming
    #: the table on screen changed (tests wait for it)
    shown = Signal()

    def __init__(self, path: Path, runner: Any, parent: QWidget | None = None, *, link_first: bool = False) -> None:
        super().__init__(parent)
        self.path = project_target(path)
        self.runner = runner
        self.link_first = link_first
        self.stories: list[Any] = []
        self.table_data: StoryTable | None = None
        self.setWindowTitle(f"Stories — {self.path.name}")
        self.story = QComboBox()
        self.story.setAccessibleName("story")
        self.story.setMinimumContentsLength(40)
        self.target = QComboBox()
        self.target.setAccessibleName("stance target")
        self.target.setMinimumContentsLength(20)
        self.refresh_button = QPushButton("Find stories again")
        self.status = QLabel("Finding stories…")
        self.table = QTableWidget()
        self.table.setAccessibleName("entities by article")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.notes_row = QWidget()
        self.notes_layout = QHBoxLayout(self.notes_row)
        self.notes_layout.setContentsMargins(0, 0, 0, 0)
        self.notes: list[QTextBrowser] = []
        bar = QHBoxLayout()
        for w in (QLabel("Story:"), self.story, QLabel("Stance toward:"), self.target, self.refresh_button):
            bar.addWidget(w)
        bar.addStretch(1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.notes_row)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([520, 300])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        self.story.activated.connect(lambda _i: self.show_story(self.story.currentIndex(), None))
        self.target.activated.connect(lambda _i: self.show_story(self.story.currentIndex(),
                                                                 self.target.currentData()))
        self.refresh_button.clicked.connect(self.find_stories)
        self.table.cellDoubleClicked.connect(self._cell_activated)
        self.resize(1300, 820)

    # -- background -------------------------------------------------------------

    def find_stories(self) -> None:
        """Find the stories in the background; the first is shown when they arrive."""
        self.status.setText("Finding stories…")
        self.runner.run(stories_job(self.path, self.link_first), "finding stories", on_done=self._stories_found,
                        writes=[self.path] if self.link_first else (), owner=self)
        self.link_first = False

    def _stories_found(self, found: list[Any]) -> None:
        self.stories = found
        self.story.clear()
        for story, titles in found:
            self.story.addItem(f"{story.id}: {len(story.documents)} articles — {', '.join(story.outlets)} — "
                               f"{(titles[0] or '')[:50]}", story.documents)
        if not found:
            self.status.setText("No story of two or more articles yet: link the entity spans "
                                "(Document ▸ Link entities) so articles share entries.")
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.shown.emit()
            return
        self.show_story(0, None)

    def show_story(self, index: int, target: str | None) -> None:
        """Compute the table of story ``index`` (stance toward entry ``target``) in the background."""
        if not (0 <= index < len(self.stories)):
            return
        story = self.stories[index][0]
        self.status.setText(f"Reading {len(story.documents)} articles…")
        self.runner.run(table_job(self.path, list(story.documents), target), "story table",
                        on_done=lambda t, keep=target: self._show_table(t, keep), owner=self)

    # -- drawing ----------------------------------------------------------------

    def _show_table(self, data: StoryTable, target: str | None) -> None:
        self.table_data = data
        arts = data.articles
        self.table.clear()
        self.table.setColumnCount(len(arts))
        self.table.setRowCount(len(data.rows))
        self.table.setHorizontalHeaderLabels([f"{a.outlet}\n{_when(a.published)}" for a in arts])
        self.table.setVerticalHeaderLabels([f"{r.name} ({r.label})" for r in data.rows])
        for r, row in enumerate(data.rows):
            colour = QColor(LABEL_COLOURS.get(row.label, "#999999"))
            for c, art in enumerate(arts):
                surfaces = row.cells.get(art.document_id, [])
                text = ""
                if surfaces:
                    forms = dict.fromkeys(surfaces)
                    text = " / ".join(forms) + (f"  ×{len(surfaces)}" if len(surfaces) > 1 else "")
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, art.document_id)
                if surfaces and row.only_in == art.document_id and len(arts) > 1:
                    item.setBackground(QBrush(UNIQUE_BG))
                    bold = item.font()
                    bold.setBold(True)
                    item.setFont(bold)
                    item.setToolTip(f"Only {art.outlet} names {row.name}")
                elif surfaces:
                    soft = QColor(colour)
                    soft.setAlpha(45)
                    item.setBackground(QBrush(soft))
                self.table.setItem(r, c, item)
        self._fill_target(data, target)
        self._fill_notes(data)
        unique = sum(1 for r in data.rows if r.only_in is not None)
        self.status.setText(f"{len(arts)} articles, {len(data.rows)} entities "
                            f"({len(data.rows) - unique} named by more than one, {unique} by one only: highlighted)")
        self.shown.emit()

    def _fill_target(self, data: StoryTable, target: str | None) -> None:
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem("(choose a target)", None)
        for row in data.rows:
            if len(row.cells) > 1:
                self.target.addItem(f"{row.name} ({row.label})", row.entry_id)
        i = self.target.findData(target) if target else 0
        self.target.setCurrentIndex(max(i, 0))
        self.target.blockSignals(False)

    def _fill_notes(self, data: StoryTable) -> None:
        for w in self.notes:
            w.deleteLater()
        self.notes = []
        for art in data.articles:
            box = QTextBrowser()
            box.setAccessibleName(f"article {art.document_id}")
            box.setHtml(_article_html(data, art))
            self.notes_layout.addWidget(box)
            self.notes.append(box)

    def _cell_activated(self, row: int, column: int) -> None:
        if self.table_data is None or not (0 <= row < len(self.table_data.rows)):
            return
        doc = self.table_data.articles[column].document_id
        self.goTo.emit(doc, -1, -1)


def _when(published: str) -> str:
    if not published:
        return "date unknown"
    return published if "(" in published else published.replace("T", " ")[:16]


def _quote_marks(q: Any) -> list[str]:
    """What the reader should know about a quote: a speaker not drawn by a person is marked."""
    marks = []
    if q.speaker_source == "nearest person":
        marks.append("speaker guessed: nearest person")
    elif q.suggested:
        marks.append(f"speaker suggested: {q.speaker_source}")
    if q.source == "quotation marks":
        marks.append("quotation marks")
    return marks


def _article_html(data: StoryTable, art: Any) -> str:
    e = html.escape
    parts = [f"<b>{e(art.outlet)}</b> · document {art.document_id}<br><i>{e(art.title[:120])}</i>"]
    if data.target:
        name = next((r.name for r in data.rows if r.entry_id == data.target), data.target)
        parts.append(f"<p><b>Stance toward {e(name)}:</b> {e(art.stance)}</p>")
    if art.quotes:
        items = "".join(
            f"<li><b>{e(q.speaker or 'unattributed')}</b>: “{e(q.text[:160])}”"
            + "".join(f" <small>({e(x)})</small>" for x in _quote_marks(q)) + "</li>"
            for q in art.quotes)
        parts.append(f"<p><b>Quotes ({len(art.quotes)}):</b></p><ul>{items}</ul>")
    else:
        parts.append("<p>No quotes.</p>")
    only = data.unique_to(art.document_id)
    if only and len(data.articles) > 1:
        names = ", ".join(f"<span style='background:{UNIQUE_BG.name()}'>{e(r.name)}</span>" for r in only)
        parts.append(f"<p><b>Only here:</b> {names}</p>")
    return "".join(parts)
