"""The read-only article view: highlighted text, selection to create spans,
clicking to select, dragging a selected span's boundary, tooltips.

All offsets that leave this widget are UTF-16 (Qt's); the window converts
them with the session's ``Utf16Map``.
"""

from __future__ import annotations

from bisect import bisect_left

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTextCursor,
    QTextOption,
)
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from annotator.core.schema import LabelSchema
from annotator.editing import Item, Key
from annotator.gui.highlight import SpanHighlighter, item_tooltip
from annotator.gui.themes import LIGHT, Theme

#: Pixels either side of a boundary that start a drag.
GRAB = 5
#: Qt lays out a whole paragraph at once (a 4,000,000-character paragraph took 3 s): longer paragraphs
#: are shown broken at a space about every this many characters (a space becomes a line break, so no
#: offset moves)
DISPLAY_BLOCK = 5000


def display_text(text: str) -> str:
    """``text`` as the view shows it, same length and offsets: a carriage return as a space (Qt folds
    "\r\n" into one paragraph break) and overlong paragraphs broken at spaces."""
    if "\r" in text:
        text = text.replace("\r", " ")
    if len(text) <= 2 * DISPLAY_BLOCK:
        return text
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if len(line) <= 2 * DISPLAY_BLOCK:
            continue
        pieces, pos = [], 0
        while len(line) - pos > 2 * DISPLAY_BLOCK:
            cut = line.find(" ", pos + DISPLAY_BLOCK)
            if cut < 0:
                break
            pieces.append(line[pos:cut])
            pos = cut + 1
        pieces.append(line[pos:])
        lines[n] = "\n".join(pieces)
    return "\n".join(lines)


def _exact_modifier(mods: Qt.KeyboardModifier) -> bool:
    """Alt (or Ctrl, which window managers do not grab) keeps exact characters."""
    return bool(mods & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ControlModifier))


class ArticleView(QPlainTextEdit):
    """Shows one article with its spans and suggestions."""

    selectionMade = Signal(int, int, bool)  # noqa: N815 - start16, end16, exact
    itemClicked = Signal(object)  # noqa: N815 - Key or None
    boundaryDragged = Signal(object, str, int, bool)  # noqa: N815 - key, "start"/"end", pos16, exact
    contextMenuRequested = Signal(object, QPoint)  # noqa: N815 - key under the mouse, global position
    relationDragged = Signal(object, object)  # noqa: N815 - head key, child key (a drag from the selected span)

    def __init__(self, schema: LabelSchema, theme: Theme = LIGHT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleView")
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)  # the session's QUndoStack is the only undo
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setMouseTracking(True)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 11.5))
        self.setFont(font)
        self.document().setDocumentMargin(14)
        self.highlighter = SpanHighlighter(self.document(), schema, theme)
        self.theme = theme
        self.selected: Key | None = None
        self.caret16: tuple[int, int] | None = None
        self._search_hits: list[tuple[int, int]] = []  # UTF-16, sorted: the list's search words in this text
        #: a small label tag on each highlight (View > Label tags): labels not told by colour alone
        self.label_tags = False
        self._drag: tuple[Key, str] | None = None
        self._drag_pos: int | None = None
        #: a drag from the selected span toward another: (head key, press point)
        self._rel_drag: tuple[Key, QPointF] | None = None
        #: the relation arcs' layer (gui.relations), kept over the viewport as it scrolls and resizes
        self.relation_overlay: QWidget | None = None

    # -- content ---------------------------------------------------------------

    def set_article(self, text: str, items: list[Item]) -> None:
        """Show ``text`` with ``items`` highlighted."""
        self.selected = None
        self._drag = None
        self.caret16 = None
        self._search_hits = []
        self.setPlainText(display_text(text))
        self.highlighter.set_items(items)

    def update_items(self, removed: list[Key], added: list[Item]) -> None:
        """Apply an edit: re-formats only the blocks it touches."""
        self.highlighter.update(removed, added)
        self.viewport().update()

    def set_theme(self, theme: Theme) -> None:
        """Switch the highlight colours."""
        self.theme = theme
        self.highlighter.set_theme(theme)
        self.viewport().update()

    def set_label_tags(self, on: bool) -> None:
        """Draw (or stop drawing) each highlight's label next to it."""
        self.label_tags = on
        self.viewport().update()

    def set_search_hits(self, hits: list[tuple[int, int]]) -> None:
        """Frame these UTF-16 ranges (the document list's search words)."""
        self._search_hits = sorted(hits)
        self.viewport().update()

    def search_hits(self) -> list[tuple[int, int]]:
        """The framed search hits (tests)."""
        return list(self._search_hits)

    def set_caret(self, span16: tuple[int, int] | None) -> None:
        """Show the keyboard's token caret (a dotted frame) and scroll to it."""
        self.caret16 = span16
        if span16 is not None:
            cur = self.textCursor()
            cur.clearSelection()
            cur.setPosition(span16[0])
            self.setTextCursor(cur)
            self.ensureCursorVisible()
        self.viewport().update()

    def set_selected(self, key: Key | None, *, scroll: bool = True) -> None:
        """Frame the selected item and bring it into view."""
        self.selected = key
        item = self.highlighter.item(key) if key else None
        if item is not None and scroll:
            cur = self.textCursor()
            cur.clearSelection()
            cur.setPosition(item.start16)
            self.setTextCursor(cur)
            self.ensureCursorVisible()
        self.viewport().update()

    # -- geometry --------------------------------------------------------------

    def range_rects(self, start16: int, end16: int) -> list[QRectF]:
        """Viewport rectangles covering ``[start16, end16)``, one per line."""
        doc = self.document()
        rects: list[QRectF] = []
        block = doc.findBlock(start16)
        offset = self.contentOffset()
        while block.isValid() and block.position() < end16:
            layout = block.layout()
            origin = self.blockBoundingGeometry(block).translated(offset).topLeft()
            bpos = block.position()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                ls = bpos + line.textStart()
                le = ls + line.textLength()
                a, b = max(start16, ls), min(end16, le)
                if a >= b:
                    continue
                x1 = _cursor_x(line, a - bpos)
                x2 = _cursor_x(line, b - bpos)
                rects.append(QRectF(origin.x() + x1, origin.y() + line.y(), x2 - x1, line.height()))
            block = block.next()
        return rects

    def position_at(self, point: QPointF) -> int:
        """UTF-16 position under a viewport point."""
        return self.cursorForPosition(point.toPoint()).position()

    def _boundary_at(self, point: QPointF) -> str | None:
        item = self.highlighter.item(self.selected) if self.selected else None
        if item is None:
            return None
        rects = self.range_rects(item.start16, item.end16)
        if not rects:
            return None
        first, last = rects[0], rects[-1]
        if first.top() <= point.y() <= first.bottom() and abs(point.x() - first.left()) <= GRAB:
            return "start"
        if last.top() <= point.y() <= last.bottom() and abs(point.x() - last.right()) <= GRAB:
            return "end"
        return None

    # -- mouse -----------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            which = self._boundary_at(event.position())
            if which and self.selected:
                self._drag = (self.selected, which)
                self._drag_pos = None
                event.accept()
                return
            if self.relation_overlay is not None and self.selected is not None and self._inside_selected(event):
                self._rel_drag = (self.selected, event.position())
                event.accept()
                return
        super().mousePressEvent(event)

    def _inside_selected(self, event: QMouseEvent) -> bool:
        item = self.highlighter.item(self.selected) if self.selected else None
        return item is not None and any(r.contains(event.position()) for r in self.range_rects(item.start16, item.end16))

    def _relation_drag_line(self, to: QPointF | None) -> None:
        overlay = self.relation_overlay
        if overlay is not None and self._rel_drag is not None:
            overlay.drag_line = (self._rel_drag[1], to) if to is not None else None  # type: ignore[attr-defined]
            overlay.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._rel_drag is not None:
            self._relation_drag_line(event.position())
            event.accept()
            return
        if self._drag is not None:
            self._drag_pos = self.position_at(event.position())
            self.viewport().update()
            event.accept()
            return
        near = self._boundary_at(event.position()) if not event.buttons() else None
        self.viewport().setCursor(Qt.CursorShape.SizeHorCursor if near else Qt.CursorShape.IBeamCursor)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._rel_drag is not None and event.button() == Qt.MouseButton.LeftButton:
            head = self._rel_drag[0]
            self._relation_drag_line(None)
            self._rel_drag = None
            hits = self.highlighter.items_at(self.position_at(event.position()))
            child = next((h.key for h in hits if h.key != head), None)
            if child is not None:
                self.relationDragged.emit(head, child)
            else:  # a click on the selected span
                self.itemClicked.emit(hits[0].key if hits else None)
            event.accept()
            return
        if self._drag is not None and event.button() == Qt.MouseButton.LeftButton:
            key, which = self._drag
            pos = self.position_at(event.position())
            self._drag = None
            self._drag_pos = None
            self.boundaryDragged.emit(key, which, pos, _exact_modifier(event.modifiers()))
            self.viewport().update()
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        cur = self.textCursor()
        if cur.hasSelection():
            start, end = cur.selectionStart(), cur.selectionEnd()
            cur.clearSelection()
            self.setTextCursor(cur)
            self.selectionMade.emit(start, end, _exact_modifier(event.modifiers()))
        else:
            hits = self.highlighter.items_at(self.position_at(event.position()))
            self.itemClicked.emit(hits[0].key if hits else None)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        # on a suggestion: the first click selected it, this one accepts it (as its own label, whatever
        # label new spans get); elsewhere a double click selects a word and makes a span of it
        hits = [h for h in self.highlighter.items_at(self.position_at(event.position())) if h.is_suggestion]
        if hits and event.button() == Qt.MouseButton.LeftButton:
            key = self.selected if any(h.key == self.selected for h in hits) else hits[0].key
            self.itemClicked.emit(key)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)
        cur = self.textCursor()
        if cur.hasSelection():
            start, end = cur.selectionStart(), cur.selectionEnd()
            cur.clearSelection()
            self.setTextCursor(cur)
            self.selectionMade.emit(start, end, False)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        hits = self.highlighter.items_at(self.position_at(QPointF(self.viewport().mapFrom(self, event.pos()))))
        self.contextMenuRequested.emit(hits[0].key if hits else None, event.globalPos())
        event.accept()

    def event(self, event: QEvent) -> bool:  # noqa: D401 - Qt override
        if event.type() == QEvent.Type.ToolTip:
            pos = self.viewport().mapFromGlobal(event.globalPos())
            hits = self.highlighter.items_at(self.position_at(QPointF(pos)))
            if hits:
                QToolTip.showText(event.globalPos(), "<hr>".join(item_tooltip(h) for h in hits), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def resizeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.relation_overlay is not None:
            self.relation_overlay.setGeometry(self.viewport().rect())

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        super().scrollContentsBy(dx, dy)
        if self.relation_overlay is not None:  # scrolling moved the viewport's children with the text
            self.relation_overlay.setGeometry(self.viewport().rect())
            self.relation_overlay.update()

    # -- painting --------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_cues(painter, event.rect().bottom())
        if self.label_tags:
            self._paint_tags(painter, event.rect().bottom())
        if self._search_hits:
            self._paint_search_hits(painter, event.rect().bottom())
        item = self.highlighter.item(self.selected) if self.selected else None
        if item is None and self.caret16 is not None:
            pen = QPen(QColor(self.theme.highlight))
            pen.setWidthF(1.6)
            pen.setStyle(Qt.PenStyle.DotLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for r in self.range_rects(*self.caret16):
                painter.drawRoundedRect(r.adjusted(-1.5, 0.5, 1.5, -0.5), 3, 3)
        if item is not None:
            start, end = item.start16, item.end16
            if self._drag is not None and self._drag_pos is not None and self._drag[0] == self.selected:
                if self._drag[1] == "start":
                    start = min(self._drag_pos, end - 1)
                else:
                    end = max(self._drag_pos, start + 1)
            pen = QPen(QColor(self.theme.frame))
            pen.setWidthF(1.6)
            if item.is_suggestion:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for r in self.range_rects(start, end):
                painter.drawRoundedRect(r.adjusted(-1.5, 0.5, 1.5, -0.5), 3, 3)
        painter.end()

    def _paint_search_hits(self, painter: QPainter, bottom: int) -> None:
        first = self.firstVisibleBlock().position()
        last_block = self.cursorForPosition(QPoint(0, bottom)).block()
        last = last_block.position() + last_block.length()
        pen = QPen(QColor("#E69F00"))
        pen.setWidthF(2.0)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        i = bisect_left(self._search_hits, (first,))
        while i < len(self._search_hits) and self._search_hits[i][0] < last:
            for r in self.range_rects(*self._search_hits[i]):
                painter.drawRoundedRect(r.adjusted(-1, -1, 1, 1), 2, 2)
            i += 1

    def _paint_cues(self, painter: QPainter, bottom: int) -> None:
        """Accepted cue spans get a 2 px underline in their colour, drawn here
        because a char format's underline is one hairline."""
        hl = self.highlighter
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        while block.isValid():
            geo = self.blockBoundingGeometry(block).translated(offset)
            if geo.top() > bottom:
                break
            for it in hl.block_items(block.blockNumber()):
                if it.is_suggestion or not hl.underline_layer(it.layer):
                    continue
                colour = QColor(hl.char_format(it.layer, it.label, "span").underlineColor())
                pen = QPen(colour)
                pen.setWidthF(2.2)
                painter.setPen(pen)
                s = max(it.start16, block.position())
                e = min(it.end16, block.position() + block.length() - 1)
                for r in self.range_rects(s, e):
                    y = r.bottom() - 1.2
                    painter.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
            block = block.next()

    def tag_rects(self, bottom: int | None = None) -> list[tuple[QRectF, str, str]]:
        """``(rect, label, colour)`` of the label tags on the visible highlights: one at the end of each
        entity (cues are told apart by their underline and the span list; tags there crowd the lines)."""
        hl = self.highlighter
        bottom = self.viewport().height() if bottom is None else bottom
        metrics = QFontMetricsF(self._tag_font())
        out: list[tuple[QRectF, str, str]] = []
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        while block.isValid():
            if self.blockBoundingGeometry(block).translated(offset).top() > bottom:
                break
            for it in hl.block_items(block.blockNumber()):
                if hl.underline_layer(it.layer) or it.end16 > block.position() + block.length():
                    continue  # a span over several paragraphs gets its tag once, where it ends
                rects = self.range_rects(it.start16, it.end16)
                if not rects:
                    continue
                w, h = metrics.horizontalAdvance(it.label) + 6, metrics.height()
                r = rects[-1]
                out.append((QRectF(r.right() - w * 0.5, r.top() - h * 0.6, w, h), it.label,
                            self._label_colour(it.layer, it.label)))
            block = block.next()
        return out

    def _tag_font(self) -> QFont:
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.62))
        small.setBold(True)
        return small

    def _label_colour(self, layer: str, label: str) -> str:
        try:
            return self.highlighter.schema.layer(layer).label(label).colour
        except Exception:  # noqa: BLE001 - a label the schema lost
            return "#999999"

    def _paint_tags(self, painter: QPainter, bottom: int) -> None:
        painter.setFont(self._tag_font())
        for rect, label, colour in self.tag_rects(bottom):
            c = QColor(colour)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c)
            painter.drawRoundedRect(rect, 3, 3)
            painter.setPen(QColor("#111111" if c.lightnessF() > 0.55 else "#ffffff"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)

    def cursor_position(self) -> int:
        """The UTF-16 position of the text cursor (where navigation starts)."""
        return self.textCursor().position()

    def visible_start(self) -> int:
        """UTF-16 position of the first visible character."""
        return self.firstVisibleBlock().position()

    def text_cursor_at(self, pos16: int) -> QTextCursor:
        """A cursor at ``pos16`` (tests)."""
        cur = QTextCursor(self.document())
        cur.setPosition(pos16)
        return cur


def _cursor_x(line, pos: int) -> float:  # noqa: ANN001 - QTextLine
    x = line.cursorToX(pos)
    return float(x[0] if isinstance(x, tuple) else x)
