"""Puts the knowledge base into the main window: the entity box of the side panel,
Document ▸ Link entities (in the background, also after suggestions), Review ▸
Knowledge base… and Review ▸ Stories….

Contract with the window (as for the review part): ``menu(name)``, ``action(name)``
(undo, redo), ``project``, ``runner``, ``session`` (``selectionChanged``,
``documentOpened``, ``kbChanged``, ``item_for``, ``items``, ``select``, ``run_edit``,
``run_project_edit``, ``editor.aliases``), ``open_document``, ``statusBar()`` and
``splitter`` (its third widget is the side panel).  Link actions are undoable edits
(:mod:`annotator.editing.kb_plans`) on the session's undo stack.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QGroupBox, QScrollArea, QVBoxLayout

from annotator.core.jobs import Progress, ShouldCancel
from annotator.core.model import DEFAULT_LAYER
from annotator.gui.kb.browser import KBBrowser
from annotator.gui.kb.entity_panel import EntityPanel
from annotator.gui.kb.story_view import StoryView


def link_job(path: Path, annotator: str | None) -> Any:
    """Suggest knowledge-base links for the annotator's entity spans."""

    def job(progress: Progress, should_cancel: ShouldCancel) -> Any:
        from annotator.kb.service import link_project
        from annotator.store import Project

        with Project(path, create=False) as p:
            if annotator is not None and annotator not in p.annotators():
                return None  # no span of theirs yet: nothing to link
            return link_project(p, annotator, progress=progress, should_cancel=should_cancel)

    return job


class KBExtension(QObject):
    """The knowledge-base parts of one main window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.panel = EntityPanel(window.project, window.session.run_edit)
        self.box = QGroupBox("Knowledge base")
        box_layout = QVBoxLayout(self.box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        # scrolled, so the box never makes the window taller than before (it shares the column)
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumHeight(16)
        box_layout.addWidget(scroll)
        window.splitter.widget(2).layout().addWidget(self.box, 1)
        self.browser: KBBrowser | None = None
        self.story_view: StoryView | None = None
        self.actions: dict[str, QAction] = {}
        for key, menu, text, slot, shortcut, tip in (
            ("link_entities", "Document", "&Link entities to the knowledge base", self.link_in_background,
             "Ctrl+Shift+L", "Suggest a knowledge-base entry for every entity span (in the background)"),
            ("kb_browser", "Review", "&Knowledge base…", self.open_browser, "Ctrl+Shift+K",
             "Every entry with its mentions and articles: search, merge, split"),
            ("stories", "Review", "S&tories…", self.open_stories, "Ctrl+Shift+T",
             "Articles on the same event side by side: who each names, quotes and favours"),
        ):
            act = QAction(text, window)
            act.setShortcut(QKeySequence(shortcut))
            act.setStatusTip(tip)
            act.setToolTip(tip)
            act.triggered.connect(lambda _checked=False, fn=slot: fn())
            window.menu(menu).addAction(act)
            self.actions[key] = act
        s = window.session
        s.selectionChanged.connect(self.show_selection)
        s.documentOpened.connect(lambda _doc: self.panel.show_span(None))
        s.itemsChanged.connect(lambda *_: self.show_selection(s.selected))
        # every link action is an undoable edit: after it, its undo and its redo, both views redraw
        s.kbChanged.connect(self._kb_changed)
        self.panel.goTo.connect(self.go_to)
        window.runner.projectChanged.connect(self._project_changed)

    # -- the side panel -------------------------------------------------------------

    def show_selection(self, key: Any) -> None:
        """Show the knowledge-base entry of the selected item (an entity span)."""
        s = self.window.session
        item = s.item_for(key) if key is not None else None
        if item is None:
            self.panel.show_span(None)
        elif item.is_suggestion:
            self.panel.show_span(None, "A suggestion: accept it to link it to the knowledge base.")
        elif item.layer != DEFAULT_LAYER:
            self.panel.show_span(None, f"A {item.layer} span: only entities link to the knowledge base.")
        else:
            self.panel.show_span(s.editor.aliases.real(key[1]))

    def go_to(self, document_id: int, start: int, end: int) -> None:
        """Open a document and select the span at ``start``-``end`` when it is this annotator's."""
        w = self.window
        w.open_document(document_id)
        w.raise_()
        for item in w.session.items():
            if item.kind == "span" and item.start == start and item.end == end:
                w.session.select(item.key)
                return

    def _kb_changed(self) -> None:
        if self.browser is not None:
            self.browser.reload()
        self.show_selection(self.window.session.selected)

    def _project_changed(self, path: str) -> None:
        if path != str(self.window.project.path.resolve()):
            return
        self._kb_changed()

    # -- actions --------------------------------------------------------------------

    def link_in_background(self) -> Any:
        """Run the linker over this annotator's entity spans on the window's runner."""
        w = self.window
        return w.runner.run(link_job(w.project.path, w.annotator), "linking entities", on_done=self._linked,
                            writes=[w.project.path], owner=w)

    def _linked(self, report: Any) -> None:
        if report is None:
            return
        self.window.statusBar().showMessage(
            f"Linked {len(report.links)} entity span(s); {report.new_entries} new knowledge-base entries", 8000)

    def open_browser(self) -> KBBrowser:
        """Review ▸ Knowledge base…"""
        if self.browser is None:
            self.browser = KBBrowser(self.window.project, self.window.session.run_project_edit, self.window)
            self.browser.setWindowFlag(Qt.WindowType.Window, True)
            self.browser.goTo.connect(self.go_to)
            # the browser is a window of its own: Undo and Redo (Ctrl+Z, Ctrl+Shift+Z) work there too
            self.browser.addActions([self.window.action("undo"), self.window.action("redo")])
        self.browser.reload()
        self.browser.show()
        self.browser.raise_()
        return self.browser

    def open_stories(self) -> StoryView:
        """Review ▸ Stories…: finds the stories in the background."""
        if self.story_view is None:
            self.story_view = StoryView(self.window.project.path, self.window.runner, self.window)
            self.story_view.setWindowFlag(Qt.WindowType.Window, True)
            self.story_view.goTo.connect(self.go_to)
        self.story_view.show()
        self.story_view.raise_()
        self.story_view.find_stories()
        return self.story_view


def install_kb(window: Any) -> KBExtension:
    """Add the knowledge base to ``window``; returns the extension (its ``actions`` join the F1 list)."""
    return KBExtension(window)
