"""The side panel's knowledge-base box: the entry of the selected entity span, its
other mentions across the project (a click goes there), and the link actions
(accept, reject, unlink, link to another entry, new entry, split this mention off),
each an undoable edit (:mod:`annotator.editing.kb_plans`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError
from annotator.core.kb import KBEntry, KBMention
from annotator.editing import NoEdit, Plan
from annotator.editing.kb_plans import plan_decide, plan_link, plan_new_entry, plan_split, plan_unlink

if TYPE_CHECKING:
    from annotator.store import Project

#: Other mentions listed at most (an entry like "Indonesia" has thousands).
MAX_MENTIONS = 200


class EntityPanel(QWidget):
    """Shows and edits the link of one span (``show_span``)."""

    #: go to a mention: document id, start, end
    goTo = Signal(int, int, int)  # noqa: N815 - Qt signal naming

    def __init__(self, project: Project, run: Callable[[Plan], bool], parent: QWidget | None = None) -> None:
        """``run`` applies a planned edit as one undo step (the session's ``run_edit``)."""
        super().__init__(parent)
        self.project = project
        self.run = run
        self.span_id: int | None = None
        self.mention: KBMention | None = None
        self.title = QLabel("Select an entity span to see its knowledge-base entry.")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.mentions = QListWidget()
        self.mentions.setAccessibleName("other mentions of the entry")
        self.mentions.setToolTip("Other mentions across the project: click to go there")
        self.chooser = QComboBox()
        self.chooser.setEditable(True)
        self.chooser.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.chooser.setAccessibleName("entry to link to")
        self.accept_button = QPushButton("Accept")
        self.reject_button = QPushButton("Reject")
        self.link_button = QPushButton("Link to")
        self.new_button = QPushButton("New entry")
        self.split_button = QPushButton("Split off")
        self.unlink_button = QPushButton("Unlink")
        self.unlink_button.setToolTip("Remove this mention's link (the linker may suggest one again)")
        self.accept_button.setToolTip("Accept the suggested entry for this mention")
        self.reject_button.setToolTip("This mention is not that entry (the linker will not suggest it again)")
        self.link_button.setToolTip("Link this mention to the entry chosen beside")
        self.new_button.setToolTip("Make a new entry named after this mention and link it")
        self.split_button.setToolTip("Move this mention from its entry to a new entry of its own")
        grid = QGridLayout()
        grid.addWidget(self.accept_button, 0, 0)
        grid.addWidget(self.reject_button, 0, 1)
        grid.addWidget(self.new_button, 0, 2)
        grid.addWidget(self.chooser, 1, 0, 1, 2)
        grid.addWidget(self.link_button, 1, 2)
        grid.addWidget(self.unlink_button, 2, 1)
        grid.addWidget(self.split_button, 2, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addWidget(self.mentions, 1)
        layout.addLayout(grid)
        self.mentions.itemClicked.connect(self._activated)  # one click goes there
        self.mentions.itemActivated.connect(self._activated)
        self.accept_button.clicked.connect(self.accept)
        self.reject_button.clicked.connect(self.reject)
        self.link_button.clicked.connect(lambda: self.link_to(self.chooser.currentData() or ""))
        self.new_button.clicked.connect(self.new_entry)
        self.split_button.clicked.connect(self.split_off)
        self.unlink_button.clicked.connect(self.unlink)
        self._set_enabled(False)

    # -- showing ----------------------------------------------------------------

    def _set_enabled(self, on: bool) -> None:
        linked = on and self.mention is not None and self.mention.entry_id is not None
        self.accept_button.setEnabled(linked and self.mention is not None and self.mention.status != "accepted")
        self.reject_button.setEnabled(linked)
        self.split_button.setEnabled(linked)
        self.unlink_button.setEnabled(linked)
        for w in (self.chooser, self.link_button, self.new_button):
            w.setEnabled(on)

    def show_span(self, span_id: int | None, hint: str = "") -> None:
        """Show the entry of span ``span_id`` (None: nothing selected, ``hint`` says why)."""
        self.span_id = span_id
        self.mention = None
        self.mentions.clear()
        self.details.clear()
        if span_id is None:
            self.title.setText(hint or "Select an entity span to see its knowledge-base entry.")
            self._set_enabled(False)
            return
        try:
            self.mention = self.project.kb_link_of(span_id)
        except AnnotatorError as exc:
            self.title.setText(exc.detail)
            self._set_enabled(False)
            return
        m = self.mention
        self._fill_chooser(m.label)
        if m.entry_id is None:
            self.title.setText(f"<b>{_esc(m.text)}</b> is not linked to the knowledge base.")
            self.details.setText("Link it to an entry, make a new one, or run Document ▸ Link entities.")
            self._set_enabled(True)
            return
        entry = self.project.kb_entry(m.entry_id)
        self.title.setText(f"<b>{_esc(entry.name)}</b> · {entry.label} · <i>{m.status}</i>"
                           + (f" ({m.origin}, {m.score:.2f})" if m.score is not None else f" ({m.origin})"))
        self.details.setText(_details(entry))
        self._fill_mentions(entry.id)
        self._set_enabled(True)

    def _fill_chooser(self, label: str) -> None:
        self.chooser.clear()
        entries = self.project.kb_entries()
        # same label first: the entry sought is nearly always of the span's label
        for e in sorted(entries, key=lambda e: (e.label != label, e.name.casefold())):
            self.chooser.addItem(f"{e.name} ({e.label})", e.id)
        if self.mention is not None and self.mention.entry_id:
            i = self.chooser.findData(self.mention.entry_id)
            self.chooser.setCurrentIndex(max(i, 0))

    def _fill_mentions(self, entry_id: str) -> None:
        others = [x for x in self.project.kb_mentions(entry_id=entry_id) if x.span_id != self.span_id]
        titles = {i.id: (i.title, i.source) for i in self.project.document_infos(
            sorted({x.document_id for x in others}), with_counts=False)}
        docs = {x.document_id for x in others}
        self.mentions.addItem(f"{len(others)} other mention(s) in {len(docs)} article(s):")
        self.mentions.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        for x in others[:MAX_MENTIONS]:
            title, source = titles.get(x.document_id, ("", ""))
            item = QListWidgetItem(f"{x.document_id} · {source or '?'} · “{x.text}” — {title[:60]}")
            item.setData(Qt.ItemDataRole.UserRole, (x.document_id, x.start, x.end))
            item.setToolTip(f"{x.annotator}, {x.status}: click to go there")
            self.mentions.addItem(item)

    def _activated(self, item: QListWidgetItem) -> None:
        where = item.data(Qt.ItemDataRole.UserRole)
        if where:
            self.goTo.emit(*where)

    # -- editing --------------------------------------------------------------------
    # every action is an undoable edit run through the session (``run``); the session's
    # kbChanged makes the window redraw this box and the browser, after undo and redo too

    def _edit(self, plan: Callable[[], Plan]) -> bool:
        try:
            planned = plan()
        except (AnnotatorError, ValueError) as exc:
            self.details.setText(f"Not saved: {exc}")
            return False
        if isinstance(planned, NoEdit):
            if planned.message:
                self.details.setText(planned.message)
            return False
        return self.run(planned)

    def accept(self) -> bool:
        """Accept the span's current entry."""
        span_id = self.span_id
        return span_id is not None and self._edit(lambda: plan_decide(self.project, span_id, "accepted"))

    def reject(self) -> bool:
        """Turn the span's entry down for this mention (the linker will not propose it again)."""
        span_id = self.span_id
        return span_id is not None and self._edit(lambda: plan_decide(self.project, span_id, "rejected"))

    def unlink(self) -> bool:
        """Remove the span's link."""
        span_id = self.span_id
        return span_id is not None and self._edit(lambda: plan_unlink(self.project, span_id))

    def link_to(self, entry_id: str) -> bool:
        """Link the span to ``entry_id`` (accepted)."""
        span_id = self.span_id
        return span_id is not None and bool(entry_id) and self._edit(lambda: plan_link(self.project, span_id,
                                                                                        entry_id))

    def new_entry(self) -> bool:
        """A new entry named after the span, linked to it."""
        span_id = self.span_id
        return span_id is not None and self._edit(lambda: plan_new_entry(self.project, span_id))

    def split_off(self) -> bool:
        """Move this mention from its entry to a new entry named after it."""
        m, span_id = self.mention, self.span_id
        if span_id is None or m is None or not m.entry_id:
            return False
        entry_id = m.entry_id
        return self._edit(lambda: plan_split(self.project, entry_id, [span_id], m.text))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _details(entry: KBEntry) -> str:
    parts = []
    if entry.aliases:
        parts.append("Also: " + ", ".join(entry.aliases))
    if entry.description:
        parts.append(entry.description)
    if entry.external_ids:
        parts.append(" ".join(f"{k}:{v}" for k, v in entry.external_ids.items()))
    parts.append(f"id: {entry.id}")
    return "\n".join(parts)
