"""The centre of the window: the article's title and metadata, the article
view, a hint line and the document buttons for the mouse."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Iterator

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from annotator.core.schema import LabelSchema
from annotator.gui.article_view import ArticleView
from annotator.gui.models import STATE_TEXT
from annotator.gui.themes import Theme

#: longer titles are cut (about three lines of the title font at the usual width)
TITLE_CHARS = 160
#: documents longer than this many characters are not opened in the workspace (a message says so): laying
#: out tens of millions of characters takes minutes and gigabytes; ten million is ~2,000 ordinary articles
MAX_OPEN_CHARS = 10_000_000
#: the languages the suggesters have a cue lexicon and rules for (others are shown as their code)
LANGUAGES = {"id": "Indonesian", "en": "English"}


class ArticlePane(QWidget):
    """Title, metadata line, the label for new spans and the document's language,
    :class:`ArticleView`, hint line, document buttons."""

    languageChosen = Signal(str)  # noqa: N815 - the user picked another language for the open document

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
        # what a selection becomes, always in sight next to the article (not only in the hint line)
        self.active_chip = QLabel()
        self.active_chip.setObjectName("activeLabel")
        self.active_chip.setTextFormat(Qt.TextFormat.RichText)
        self.active_chip.setToolTip("The label new spans get: pick it in the palette or with a number key; "
                                    "L switches the layer")
        self.language_box = QComboBox()
        self.language_box.setObjectName("languageBox")
        self.language_box.setToolTip("The article's language: it picks the cue words and rules of the "
                                     "suggestions (changing it suggests the article again)")
        self.language_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.language_box.activated.connect(
            lambda i: self.languageChosen.emit(str(self.language_box.itemData(i))))
        active_row = QHBoxLayout()
        active_row.addWidget(self.active_chip)
        active_row.addStretch(1)
        active_row.addWidget(QLabel("Language"))
        active_row.addWidget(self.language_box)
        cv.addLayout(active_row)
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

    def show_too_long(self, info: Any, limit: int) -> str:
        """The header of a document too long to open; returns the message that says what to do."""
        self.title_label.setText(info.title or "(untitled)")
        self.title_label.setToolTip("")
        bits = [b for b in (info.source, info.published[:10] if info.published else "") if b]
        bits.append(f"<b>{info.length:,} characters: too long to open here</b>")
        self.meta_label.setText(f"<span style='color:{self.theme.muted}'>{' · '.join(bits)}</span>")
        return (f"Document {info.id} has {info.length:,} characters; the workspace opens documents of up to "
                f"{limit:,}. Split it into articles and import those, or work on it with the commands "
                f"(annotator show, suggest, export).")

    def show_active(self, layer: str, label: str, colour: str) -> None:
        """What a selection will become: a chip in the label's colour above the article, and the hint line."""
        fg = "#111111" if QColor(colour).lightnessF() > 0.55 else "#ffffff"
        self.active_chip.setText(
            f"New spans: <span style='background:{colour}; color:{fg}; font-weight:600'>&nbsp;{label}&nbsp;</span>"
            f" <span style='color:{self.theme.muted}'>({layer})</span>")
        self.legend.setText(
            f"<span style='color:{self.theme.muted}'>New spans: <b>{layer} / {label}</b> · F1: every key</span>")

    def show_language(self, code: str) -> None:
        """The open document's language in the language box."""
        self.language_box.setEnabled(True)
        with QSignalBlocker(self.language_box):
            self.language_box.clear()
            names = dict(LANGUAGES)
            names.setdefault(code, code)
            for c, name in names.items():
                self.language_box.addItem(f"{name} ({c})", c)
            self.language_box.setCurrentIndex(self.language_box.findData(code))


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
