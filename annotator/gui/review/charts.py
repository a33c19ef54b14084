"""Small charts painted with QPainter: the annotator-by-annotator heat map and
per-label bars.  No plotting library: they are a few rectangles, and painting
them ourselves keeps them crisp, themable and cheap to redraw."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

#: Colour-blind-safe sequential scale (viridis stops) from 0 (poor) to 1 (perfect agreement).
_VIRIDIS = ["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725"]
_MISSING = QColor("#bdbdbd")


def scale_colour(value: float | None, low: float = 0.0) -> QColor:
    """The scale colour for ``value`` in [low, 1] (values below ``low`` clamp; None is grey)."""
    if value is None:
        return QColor(_MISSING)
    t = 0.0 if value <= low else min(1.0, (value - low) / (1.0 - low)) if low < 1.0 else 1.0
    pos = t * (len(_VIRIDIS) - 1)
    i = min(int(pos), len(_VIRIDIS) - 2)
    f = pos - i
    a, b = QColor(_VIRIDIS[i]), QColor(_VIRIDIS[i + 1])
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * f, a.greenF() + (b.greenF() - a.greenF()) * f,
                           a.blueF() + (b.blueF() - a.blueF()) * f)


def _text_colour(bg: QColor) -> QColor:
    return QColor("black") if bg.lightnessF() > 0.55 else QColor("white")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


class HeatMap(QWidget):
    """An annotator x annotator matrix of a pairwise figure, one coloured cell per pair.

    ``cellClicked(row_name, column_name)`` when a cell is clicked.  Kappa-like
    figures can be negative: the scale starts at ``low`` (0 by default) and
    anything below shows as the bottom colour, with the number printed.
    """

    cellClicked = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names: list[str] = []
        self._values: dict[tuple[str, str], float | None] = {}
        self._title = ""
        self._low = 0.0
        self._focus = (0, 1)  # the keyboard's cell (row, column)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(220, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("agreement heat map")

    def set_data(self, names: Sequence[str], pairs: dict[str, float | None], title: str = "", low: float = 0.0) -> None:
        """``pairs`` maps ``"a|b"`` (sorted names) to a value or None."""
        self._names = list(names)
        self._values = {}
        for key, value in pairs.items():
            a, b = key.split("|", 1)
            self._values[(a, b)] = value
            self._values[(b, a)] = value
        self._title = title
        self._low = low
        self.update()

    def value(self, a: str, b: str) -> float | None:
        """The figure of a pair as shown (diagonal: None)."""
        return self._values.get((a, b))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(360, 300)

    def _geometry(self) -> tuple[QRectF, float, float]:
        fm = QFontMetrics(self.font())
        label_w = max([fm.horizontalAdvance(n) for n in self._names] + [20]) + 10
        top = fm.height() * 2 + 6
        n = max(1, len(self._names))
        side = max(10.0, min((self.width() - label_w - 8) / n, (self.height() - top - 8) / n))
        return QRectF(label_w, top, side * n, side * n), side, label_w

    def cell_at(self, pos: QPointF) -> tuple[str, str] | None:
        """The (row, column) names under a widget position."""
        grid, side, _ = self._geometry()
        if not self._names or not grid.contains(pos):
            return None
        col = int((pos.x() - grid.left()) // side)
        row = int((pos.y() - grid.top()) // side)
        if 0 <= row < len(self._names) and 0 <= col < len(self._names):
            return self._names[row], self._names[col]
        return None

    def cell_rect(self, row: int, col: int) -> QRectF:
        """Where a cell is painted (for tests and tooltips)."""
        grid, side, _ = self._geometry()
        return QRectF(grid.left() + col * side, grid.top() + row * side, side, side)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        fm = QFontMetrics(self.font())
        p.setPen(pal.windowText().color())
        p.drawText(QRectF(0, 0, self.width(), fm.height() + 4), Qt.AlignmentFlag.AlignLeft, self._title)
        if len(self._names) < 2:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Agreement needs two annotators")
            p.end()
            return
        grid, side, label_w = self._geometry()
        for i, name in enumerate(self._names):
            r = self.cell_rect(i, 0)
            p.setPen(pal.windowText().color())
            p.drawText(QRectF(0, r.top(), label_w - 6, side), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(name, Qt.TextElideMode.ElideRight, int(label_w - 6)))
            c = self.cell_rect(0, i)
            p.drawText(QRectF(c.left(), fm.height() + 4, side, fm.height()), Qt.AlignmentFlag.AlignHCenter,
                       fm.elidedText(name, Qt.TextElideMode.ElideRight, int(side)))
            for j, other in enumerate(self._names):
                cell = self.cell_rect(i, j).adjusted(1, 1, -1, -1)
                if i == j:
                    p.fillRect(cell, pal.alternateBase())
                    continue
                value = self._values.get((name, other))
                bg = scale_colour(value, self._low)
                p.fillRect(cell, bg)
                if side >= fm.horizontalAdvance("0.00") + 4:
                    p.setPen(_text_colour(bg))
                    p.drawText(cell, Qt.AlignmentFlag.AlignCenter, _fmt(value))
        p.setPen(QPen(pal.mid().color()))
        p.drawRect(grid)
        if self.hasFocus() and max(self._focus) < len(self._names):
            p.setPen(QPen(pal.highlight().color(), 3))
            p.drawRect(self.cell_rect(*self._focus).adjusted(2, 2, -2, -2))
        self._paint_legend(p, grid, fm)
        p.end()

    def _paint_legend(self, p: QPainter, grid: QRectF, fm: QFontMetrics) -> None:
        """A colour bar right of the grid: the scale from ``low`` to 1, and grey for n/a."""
        x = grid.right() + 12
        width = 14.0
        if x + width + fm.horizontalAdvance("n/a") + 8 > self.width():
            return
        steps = 24
        h = grid.height() - fm.height() - 6
        for k in range(steps):
            value = self._low + (1.0 - self._low) * (1 - k / (steps - 1))
            p.fillRect(QRectF(x, grid.top() + k * h / steps, width, h / steps + 1), scale_colour(value))
        p.setPen(self.palette().windowText().color())
        p.drawText(QPointF(x + width + 4, grid.top() + fm.ascent()), "1")
        p.drawText(QPointF(x + width + 4, grid.top() + h), f"{self._low:g}")
        p.fillRect(QRectF(x, grid.bottom() - fm.height(), width, fm.height()), _MISSING)
        p.drawText(QPointF(x + width + 4, grid.bottom() - 2), "n/a")

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        cell = self.cell_at(event.position())
        if cell and cell[0] != cell[1]:
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{cell[0]} vs {cell[1]}: {_fmt(self._values.get(cell))}", self)
        else:
            QToolTip.hideText()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Arrows move the focused cell, Enter/Space acts like a click on it."""
        n = len(self._names)
        row, col = self._focus
        moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
        if n >= 2 and event.key() in moves:
            dr, dc = moves[Qt.Key(event.key())]
            row, col = min(max(row + dr, 0), n - 1), min(max(col + dc, 0), n - 1)
            if row == col:  # skip the diagonal
                row, col = min(max(row + dr, 0), n - 1), min(max(col + dc, 0), n - 1)
            if row != col:
                self._focus = (row, col)
                self.update()
            return
        if n >= 2 and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and row != col:
            self.cellClicked.emit(self._names[row], self._names[col])
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        cell = self.cell_at(event.position())
        if cell and cell[0] != cell[1] and event.button() == Qt.MouseButton.LeftButton:
            self.cellClicked.emit(*cell)


class BarChart(QWidget):
    """Horizontal bars, one per label, value in [0, 1] (None drawn as 'n/a')."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, float | None, QColor]] = []
        self._title = ""
        self.setMinimumSize(220, 120)
        self.setAccessibleName("per-label agreement bars")

    def set_data(self, rows: Sequence[tuple[str, float | None, str]], title: str = "") -> None:
        """``rows`` of (label, value, colour)."""
        self._rows = [(n, v, QColor(c)) for n, v, c in rows]
        self._title = title
        self.updateGeometry()
        self.update()

    def rows(self) -> list[tuple[str, float | None]]:
        """What is shown (for tests and accessibility)."""
        return [(n, v) for n, v, _ in self._rows]

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        fm = QFontMetrics(self.font())
        return QSize(320, (len(self._rows) + 1) * (fm.height() + 8) + 8)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        pal = self.palette()
        fm = QFontMetrics(self.font())
        row_h = fm.height() + 8
        p.setPen(pal.windowText().color())
        p.drawText(QRectF(0, 0, self.width(), row_h), Qt.AlignmentFlag.AlignLeft, self._title)
        label_w = max([fm.horizontalAdvance(n) for n, _, _ in self._rows] + [20]) + 10
        value_w = fm.horizontalAdvance("0.000") + 10
        bar_w = max(10, self.width() - label_w - value_w)
        for i, (name, value, colour) in enumerate(self._rows):
            y = (i + 1) * row_h
            p.setPen(pal.windowText().color())
            p.drawText(QRectF(0, y, label_w - 6, row_h), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       name)
            track = QRectF(label_w, y + 3, bar_w, row_h - 6)
            p.fillRect(track, pal.alternateBase())
            if value is not None:
                p.fillRect(QRectF(track.left(), track.top(), bar_w * max(0.0, min(1.0, value)), track.height()), colour)
            p.drawText(QRectF(label_w + bar_w + 4, y, value_w, row_h), Qt.AlignmentFlag.AlignVCenter,
                       "n/a" if value is None else f"{value:.3f}")
        p.end()
