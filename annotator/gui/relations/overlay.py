"""Relation arcs: a transparent layer over the article view that draws each relation as a
labelled arc from its head span to its child span, above the lines (as brat and INCEpTION do).

The arcs are computed from the text layout's line rectangles (``ArticleView.range_rects``)
only for relations whose ends are in the visible part of the article, so an article with
thousands of relations paints as fast as one with a few; a change repaints only the
rectangles of the arcs it touched.  Suggested relations are dashed and drawn only at the
selected span or relation (all of them at once would bury the text: the rules suggest
holders and targets for every stance cue); the selected relation is drawn thicker.  The
layer lets every mouse event through to the view below.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from typing import TYPE_CHECKING, Iterable, NamedTuple

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from annotator.editing import RelKey

if TYPE_CHECKING:
    from annotator.gui.article_view import ArticleView

#: How far above its line an arc may rise (into the gap above the line and the line before).
LIFT = 14.0


class Arc(NamedTuple):
    """One relation as drawn: its key, both ends in UTF-16 offsets, label, colour, kind
    (a tuple: 5,000 of them are made when an article opens)."""

    key: RelKey
    head16: tuple[int, int]
    child16: tuple[int, int]
    label: str
    colour: str
    suggested: bool = False

    def bounds(self) -> tuple[int, int, RelKey]:
        """``(lo, hi, key)``: where the arc's text begins and ends (the index's entry)."""
        h, c = self.head16, self.child16
        return (h[0] if h[0] < c[0] else c[0], h[1] if h[1] > c[1] else c[1], self.key)


class RelationOverlay(QWidget):
    """Draws :class:`Arc` objects over ``view``'s viewport (``set_arcs``, ``update_arcs``)."""

    def __init__(self, view: ArticleView) -> None:
        super().__init__(view.viewport())
        self.view = view
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setGeometry(view.viewport().rect())
        self.arcs: dict[RelKey, Arc] = {}
        self._order: list[tuple[int, int, RelKey]] = []  # (lo, hi, key) sorted: the visible ones by bisect
        self._max_span = 0
        self.selected: RelKey | None = None
        #: suggested relations drawn now (those at the selected span); the others are listed only
        self.focus: set[RelKey] = set()
        #: a relation being dragged with the mouse: (from, to) in viewport coordinates
        self.drag_line: tuple[QPointF, QPointF] | None = None
        self._font = QFont(view.font())
        self._font.setPointSizeF(max(7.5, self._font.pointSizeF() * 0.68))
        self._font.setBold(True)
        self.painted = 0  # arcs drawn by the last paint (tests, benchmark)
        #: pixels of room above each line's text (LineGap): the arcs stay in it
        self.gap = 0.0
        self.show()

    # -- content -------------------------------------------------------------------

    def set_arcs(self, arcs: Iterable[Arc]) -> None:
        """Replace every arc (a document opened)."""
        self.arcs = {a.key: a for a in arcs}
        self._order = sorted(a.bounds() for a in self.arcs.values())
        self._max_span = max((hi - lo for lo, hi, _k in self._order), default=0)
        self.update()

    def order(self) -> list[tuple[int, int, RelKey]]:
        """``(lo, hi, key)`` of every arc in reading order (the index the painter bisects)."""
        return self._order

    def update_arcs(self, removed: Iterable[RelKey], added: Iterable[Arc]) -> None:
        """Take some arcs away and add or change others; repaints only where they are (the
        index is kept in order entry by entry: re-sorting 5,000 arcs per edit cost 30 ms)."""
        dirty = QRect()
        for key in removed:
            old = self.arcs.pop(key, None)
            if old is not None:
                dirty = dirty.united(self.arc_rect(old))
                self._unindex(old)
        for arc in added:
            old = self.arcs.get(arc.key)
            if old is not None:
                dirty = dirty.united(self.arc_rect(old))
                self._unindex(old)
            self.arcs[arc.key] = arc
            entry = arc.bounds()
            insort(self._order, entry)
            self._max_span = max(self._max_span, entry[1] - entry[0])  # an upper bound is enough
            dirty = dirty.united(self.arc_rect(arc))
        if not dirty.isEmpty():
            self.update(dirty.adjusted(-4, -4, 4, 4))

    def _unindex(self, arc: Arc) -> None:
        entry = arc.bounds()
        i = bisect_left(self._order, entry)
        if i < len(self._order) and self._order[i] == entry:
            del self._order[i]

    def set_selected(self, key: RelKey | None) -> None:
        """Draw ``key``'s arc thicker (None: no relation selected)."""
        before, self.selected = self.selected, key
        for k in (before, key):
            if k in self.arcs:
                self.update(self.arc_rect(self.arcs[k]).adjusted(-4, -4, 4, 4))

    def set_focus(self, keys: set[RelKey]) -> None:
        """Draw these suggested relations (those at the selected span) and no other."""
        if keys == self.focus:
            return
        dirty = QRect()
        for k in self.focus ^ keys:
            if k in self.arcs:
                dirty = dirty.united(self.arc_rect(self.arcs[k]))
        self.focus = set(keys)
        if not dirty.isEmpty():
            self.update(dirty.adjusted(-4, -4, 4, 4))

    def shown(self, arc: Arc) -> bool:
        """Human relations always; a suggested one at the selection, or selected itself."""
        return not arc.suggested or arc.key in self.focus or arc.key == self.selected

    def visible(self) -> list[Arc]:
        """The arcs with an end in the visible text."""
        view = self.view
        first = view.firstVisibleBlock().position()
        last_block = view.cursorForPosition(QPoint(0, self.height())).block()
        last = last_block.position() + last_block.length()
        # an arc starting up to the longest arc's length before the view may still reach into it
        i = bisect_left(self._order, (first - self._max_span,))
        out = []
        while i < len(self._order) and self._order[i][0] < last:
            lo, hi, key = self._order[i]
            if hi > first:
                out.append(self.arcs[key])
            i += 1
        return out

    # -- geometry -------------------------------------------------------------------

    def anchors(self, arc: Arc) -> tuple[QPointF, QPointF] | None:
        """Top-middle points of the head's and the child's first line rectangle."""
        hr = self.view.range_rects(*arc.head16)
        cr = self.view.range_rects(*arc.child16)
        if not hr or not cr:
            return None
        h, c = hr[0], cr[0]
        # the top of the text: below the room the lines have for arcs
        return QPointF(h.center().x(), h.top() + self.gap), QPointF(c.center().x(), c.top() + self.gap)

    def _lift(self, a: QPointF, b: QPointF) -> float:
        lift = min(LIFT, 7.0 + abs(b.x() - a.x()) * 0.05) if abs(a.y() - b.y()) < 1 else LIFT
        if self.gap:
            # the label sits on the crest (three quarters of the lift up on one line, all of it from
            # one line to another): all of it inside the room above the line
            room = self.gap - QFontMetricsF(self._font).height() / 2 - 1
            lift = min(lift, max(4.0, room / 0.75 if abs(a.y() - b.y()) < 1 else room))
        return lift

    def _edges(self) -> tuple[float, float]:
        """The x of the text's left and right edges in the viewport."""
        margin = self.view.document().documentMargin()
        return margin - 2, self.width() - margin + 2

    def route(self, arc: Arc, a: QPointF, b: QPointF) -> tuple[QPainterPath, QPointF]:
        """The arc's path and where its label goes.  Two ends on one line: a curve over the line.
        On different lines (as brat draws them): out of the upper end along its line's room to
        the right edge, and into the lower end along its line's room from the left edge, so the
        arc never crosses the text between them."""
        lift = self._lift(a, b)
        if abs(a.y() - b.y()) < 1:
            path = QPainterPath(a)
            path.cubicTo(QPointF(a.x(), a.y() - lift), QPointF(b.x(), b.y() - lift), b)
            return path, path.pointAtPercent(0.5)
        upper, lower = (a, b) if a.y() < b.y() else (b, a)
        left, right = self._edges()
        y1, y2 = upper.y() - lift, lower.y() - lift
        path = QPainterPath(upper)
        path.quadTo(QPointF(upper.x(), y1), QPointF(upper.x() + 6, y1))
        path.lineTo(max(right, upper.x() + 6), y1)
        path.moveTo(min(left, lower.x() - 6), y2)
        path.lineTo(lower.x() - 6, y2)
        path.quadTo(QPointF(lower.x(), y2), lower)
        # the label beside the head (many quotations of one speaker: their labels apart)
        w = QFontMetricsF(self._font).horizontalAdvance(arc.label) + 6
        if upper is a:
            return path, QPointF(min(a.x() + 10 + w / 2, right - w / 2), y1)
        return path, QPointF(max(a.x() - 10 - w / 2, left + w / 2), y2)

    def arc_rect(self, arc: Arc) -> QRect:
        """The viewport rectangle an arc's drawing (label included) covers."""
        ends = self.anchors(arc)
        if ends is None:
            return QRect()
        a, b = ends
        lift = self._lift(a, b)
        width = QFontMetricsF(self._font).horizontalAdvance(arc.label) + 8
        if abs(a.y() - b.y()) < 1:
            left, right = min(a.x(), b.x()) - 6, max(a.x(), b.x()) + 6
            mid = (a.x() + b.x()) / 2
            left, right = min(left, mid - width / 2), max(right, mid + width / 2)
        else:
            left, right = self._edges()
            left, right = min(left, a.x(), b.x()) - 8, max(right, a.x(), b.x()) + 8
        top = min(a.y(), b.y()) - lift - 10
        return QRectF(left, top, right - left, max(a.y(), b.y()) - top + 2).toAlignedRect()

    # -- painting -------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._font)
        clip = QRectF(event.rect())
        n = 0
        for arc in self.visible():
            if not self.shown(arc):
                continue
            ends = self.anchors(arc)
            if ends is None:
                continue
            if not clip.intersects(QRectF(self.arc_rect(arc))):
                continue
            self._draw(painter, arc, *ends)
            n += 1
        if self.drag_line is not None:
            pen = QPen(QColor("#555555"))
            pen.setWidthF(1.5)
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(*self.drag_line)
        self.painted = n
        painter.end()

    def _draw(self, painter: QPainter, arc: Arc, a: QPointF, b: QPointF) -> None:
        colour = QColor(arc.colour)
        # a lighter line keeps the text under it legible; opaque, because a translucent
        # antialiased curve costs four times as much to draw
        line = colour if arc.key == self.selected else QColor(
            (colour.red() * 3 + 255) // 4, (colour.green() * 3 + 255) // 4, (colour.blue() * 3 + 255) // 4)
        pen = QPen(line)
        pen.setWidthF(2.6 if arc.key == self.selected else 1.4)
        if arc.suggested:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path, top = self.route(arc, a, b)
        painter.drawPath(path)
        # the arrow head at the child
        painter.setBrush(colour)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawPolygon(QPolygonF([b, QPointF(b.x() - 3.5, b.y() - 6), QPointF(b.x() + 3.5, b.y() - 6)]))
        # the label on the arc's crest, on a pale ground so the text below stays readable
        fm = QFontMetricsF(self._font)
        w = fm.horizontalAdvance(arc.label) + 6
        box = QRectF(top.x() - w / 2, top.y() - fm.height() / 2 - 1, w, fm.height())
        painter.setBrush(QColor(255, 255, 255, 215))
        painter.drawRoundedRect(box, 3, 3)
        painter.setPen(colour.darker(130))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, arc.label)
