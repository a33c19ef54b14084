"""Small Qt helpers of the review package."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QComboBox, QTextEdit

from annotator.core.offsets import Utf16Map
from annotator.gui.review.units_model import DISAGREED_BG, DISAGREED_LINE, span_text

if TYPE_CHECKING:
    from annotator.review.adjudicate import Comparison


def find_data(combo: QComboBox, value: Any) -> int:
    """Index of the item whose data equals ``value`` (Python equality), or -1.

    ``QComboBox.findData`` compares QVariants and does not match Python tuples."""
    for i in range(combo.count()):
        if combo.itemData(i) == value:
            return i
    return -1


def link_disagreement_text(project: Any, document_id: int, names: list[str]) -> str:
    """The comparison view's note on knowledge-base links the annotators disagree on."""
    from annotator.review.links import document_link_disagreements

    found = document_link_disagreements(project, document_id, names)
    if not found:
        return ""
    lines = [f"Links differ on {len(found)} mention(s):"]
    for d in found[:12]:
        who = "; ".join(f"{n}: {e or 'not linked'}" for n, e in d.entries.items())
        lines.append(f"  “{d.text}” ({d.start}-{d.end}): {who}")
    if len(found) > 12:
        lines.append(f"  … and {len(found) - 12} more")
    return "\n".join(lines)


def unit_selections(article: QTextEdit, u16: Utf16Map, comparison: Comparison,
                    colours: dict[str, str]) -> list[QTextEdit.ExtraSelection]:
    """The comparison view's article marks: gold spans in their label colours, unsettled
    disagreements with a wavy underline (tooltips say whose version is what)."""

    def selection(start: int, end: int, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(article.document())
        cursor.setPosition(u16.to_utf16(start))
        cursor.setPosition(u16.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor
        sel.format = fmt
        return sel

    selections = []
    for unit in comparison.units:
        for g in unit.gold:
            fmt = QTextCharFormat()
            c = QColor(colours.get(g.label, "#999999"))
            c.setAlpha(120)
            fmt.setBackground(c)
            fmt.setToolTip(f"gold: {g.label} ({g.note or 'reviewer'})")
            selections.append(selection(g.start, g.end, fmt))
        if not unit.agreed and not unit.resolved:
            fmt = QTextCharFormat()
            fmt.setBackground(DISAGREED_BG)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(DISAGREED_LINE)
            fmt.setToolTip("disagreement: " + " | ".join(
                f"{n}: {span_text(unit.spans.get(n, []))}" for n in comparison.annotators))
            selections.append(selection(unit.start, unit.end, fmt))
    return selections
