"""Highlighting: formats per layer and kind, incremental updates, hit tests."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCharFormat, QTextDocument

from annotator.core.schema import LabelSchema
from annotator.editing import SPAN, SUGGESTION, Item
from annotator.gui.highlight import SpanHighlighter, item_tooltip
from annotator.gui.themes import DARK, LIGHT

pytestmark = pytest.mark.gui

TEXT = "Jokowi bertemu Shoigu.\nShoigu mengatakan Rusia siap.\nParagraf ketiga."


def make(qapp) -> tuple[QTextDocument, SpanHighlighter]:
    doc = QTextDocument()
    doc.setPlainText(TEXT)
    return doc, SpanHighlighter(doc, LabelSchema.load("news"), LIGHT)


def item(kind: str, ident: int, needle: str, label: str, layer: str = "entities", after: int = 0) -> Item:
    s = TEXT.index(needle, after)
    return Item((kind, ident), s, s + len(needle), s, s + len(needle), layer, label, "human", 0.5)


def formats(doc: QTextDocument, block: int) -> list[tuple[int, int, QTextCharFormat]]:
    out = []
    for r in doc.findBlockByNumber(block).layout().formats():
        out.append((r.start, r.length, QTextCharFormat(r.format)))  # copy: the range is a temporary
    return out


def test_highlight_spans_suggestions_and_cues_look_different(qapp):
    doc, hl = make(qapp)
    hl.set_items([item(SPAN, 1, "Jokowi", "PER"), item(SUGGESTION, 2, "Shoigu", "PER"),
                  item(SPAN, 3, "mengatakan", "REPORT", "cues"), item(SUGGESTION, 4, "Rusia", "LOC")])
    span, sugg = hl.char_format("entities", "PER", SPAN), hl.char_format("entities", "PER", SUGGESTION)
    assert span.background().color().alpha() > sugg.background().color().alpha()
    assert sugg.underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline
    assert span.background().color().name() == "#56b4e9"  # Okabe-Ito sky blue from the schema
    cue = hl.char_format("cues", "REPORT", SPAN)
    assert cue.fontUnderline() and cue.background().style().name == "NoBrush"
    assert hl.char_format("cues", "REPORT", SUGGESTION).underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine
    assert [(s, n) for s, n, _ in formats(doc, 0)] == [(15, 6), (0, 6)]  # suggestion drawn under spans
    assert len(formats(doc, 1)) == 2 and formats(doc, 2) == []


def test_highlight_update_touches_only_affected_blocks(qapp):
    doc, hl = make(qapp)
    hl.set_items([item(SPAN, 1, "Jokowi", "PER"), item(SUGGESTION, 4, "Rusia", "LOC")])
    before0 = formats(doc, 0)
    hl.update(removed=[(SUGGESTION, 4)], added=[item(SPAN, 5, "Rusia", "LOC")])
    assert formats(doc, 0)[0][:2] == before0[0][:2]
    assert [(f[2].background().color().alpha()) for f in formats(doc, 1)] == [LIGHT.span_alpha]
    hl.update(removed=[(SPAN, 5)])
    assert formats(doc, 1) == []
    assert hl.item((SPAN, 5)) is None


def test_highlight_item_spanning_blocks_is_drawn_in_each(qapp):
    doc, hl = make(qapp)
    s = TEXT.index("Shoigu.")
    e = TEXT.index("mengatakan")
    hl.set_items([Item((SPAN, 1), s, e, s, e, "cues", "QUOTE", "human")])
    assert len(formats(doc, 0)) == 1 and len(formats(doc, 1)) == 1


def test_highlight_items_at_and_tooltip(qapp):
    doc, hl = make(qapp)
    hl.set_items([item(SUGGESTION, 2, "Shoigu mengatakan", "PER"), item(SPAN, 3, "Shoigu", "ORG", after=20)])
    pos = TEXT.index("Shoigu mengatakan") + 2
    hits = hl.items_at(pos)
    assert [h.key for h in hits] == [(SPAN, 3), (SUGGESTION, 2)]
    assert hl.items_at(0) == []
    tip = item_tooltip(hits[1])
    assert "PER" in tip and "suggestion" in tip and "0.50" in tip and "human" in tip


def test_highlight_theme_change_reformats(qapp):
    doc, hl = make(qapp)
    hl.set_items([item(SPAN, 1, "Jokowi", "PER")])
    hl.set_theme(DARK)
    assert formats(doc, 0)[0][2].background().color().alpha() == DARK.span_alpha
