"""The centre of the window: the article's title and metadata, the article
view, a hint line and the document buttons for the mouse."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Iterator

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from annotator.core.schema import LabelSchema
from annotator.gui.article_view import ArticleView
from annotator.gui.models import STATE_TEXT
from annotator.gui.themes import Theme

#: longer titles are cut (about three lines of the title font at the usual width)
TITLE_CHARS = 160


class ArticlePane(QWidget):
    """Title, metadata line, :class:`ArticleView`, hint line, document buttons."""

    def __init__(self, schema: LabelSchema, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        cv = QVBoxLayout(self)
        cv.setContentsMargins(4, 8, 4, 8)
        self.title_label = QLabel()
        f = QFont(self.title_label.font())
        f.setPointSizeF(f.pointSizeF() * 1.45)
        f.setBold(True)
        self.title_label.setFont(f)
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta_label = QLabel()
        self.meta_label.setWordWrap(True)
        self.meta_label.setTextFormat(Qt.TextFormat.RichText)
        cv.addWidget(self.title_label)
        cv.addWidget(self.meta_label)
        self.view = ArticleView(schema, theme)
        cv.addWidget(self.view, 1)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(False)
        # a hint line: may be clipped, must never widen the article's column
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bottom = QHBoxLayout()
        bottom.addWidget(self.legend, 1)
        # the document actions for the mouse (each also has a key and a menu entry)
        self.nav_buttons: dict[str, QPushButton] = {}
        for name, text, tip in (("prev", "◀", "Previous document (P, PageUp)"),
                                ("skip", "Skip", "Mark skipped (S)"),
                                ("done", "Done ✓ and next", "Mark done and go to the next not done (Ctrl+Return)"),
                                ("next", "▶", "Next document (N, PageDown)")):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.nav_buttons[name] = b
            bottom.addWidget(b)
        cv.addLayout(bottom)

    def set_theme(self, theme: Theme) -> None:
        """Colours of the highlights and the muted text."""
        self.theme = theme
        self.view.set_theme(theme)

    def show_header(self, doc: Any, state: str) -> None:
        """Title and "outlet · date · author · city · wire · length · status"."""
        title = doc.title or "(untitled)"
        # a scraped "title" can be a whole paragraph: keep the article in view, the full title in the tooltip
        shown = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"
        self.title_label.setText(shown)
        self.title_label.setToolTip(title if shown != title else "")
        bits: list[str] = []
        for value in (doc.source, doc.published[:10] if doc.published else "",
                      *(str(doc.meta.get(k, "")) for k in ("author", "city", "wire"))):
            if value and value not in bits:
                bits.append(value)
        bits.append(f"{len(doc.text):,} characters")
        bits.append(f"<b>{STATE_TEXT.get(state, state)}</b>")
        self.meta_label.setText(f"<span style='color:{self.theme.muted}'>{' · '.join(bits)}</span>")

    def show_active(self, layer: str, label: str) -> None:
        """The hint line: what a selection will become."""
        self.legend.setText(
            f"<span style='color:{self.theme.muted}'>New spans: <b>{layer} / {label}</b> · F1: every key</span>")


@contextmanager
def paused_gc() -> Iterator[None]:
    """Opening a big article allocates ~100,000 small objects at once; a full
    garbage collection triggered in the middle (with every Qt wrapper alive)
    costs tens of milliseconds and finds nothing, so collect afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
