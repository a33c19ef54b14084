"""The QPainter charts: colour scale, cell geometry, painting without errors."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF

from annotator.gui.review.charts import BarChart, HeatMap, scale_colour

pytestmark = pytest.mark.gui


def test_review_charts_scale_is_monotone_in_lightness_and_clamps():
    values = [0.0, 0.25, 0.5, 0.75, 1.0]
    def luminance(c):
        return 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF()

    light = [luminance(scale_colour(v)) for v in values]
    assert light == sorted(light)
    assert scale_colour(-0.4) == scale_colour(0.0)
    assert scale_colour(2.0) == scale_colour(1.0)


def test_review_charts_heatmap_cells_and_render(qtbot):
    hm = HeatMap()
    qtbot.addWidget(hm)
    hm.resize(400, 300)
    hm.set_data(["alice", "bob", "cici"], {"alice|bob": 0.8, "alice|cici": None, "bob|cici": 0.1}, "F1")
    assert hm.value("bob", "alice") == 0.8 and hm.value("cici", "alice") is None
    centre = hm.cell_rect(2, 1).center()
    assert hm.cell_at(QPointF(centre)) == ("cici", "bob")
    image = hm.grab().toImage()
    corner = hm.cell_rect(2, 1).topLeft().toPoint() + QPoint(4, 4)
    got, want = image.pixelColor(corner), scale_colour(0.1)  # the cell is painted in its colour
    assert max(abs(got.red() - want.red()), abs(got.green() - want.green()), abs(got.blue() - want.blue())) <= 2
    bars = BarChart()
    qtbot.addWidget(bars)
    bars.set_data([("PER", 0.5, "#56B4E9"), ("LOC", None, "#009E73")], "per label")
    bars.resize(300, 120)
    assert not bars.grab().isNull() and bars.rows() == [("PER", 0.5), ("LOC", None)]


def test_review_charts_heatmap_keyboard_picks_a_pair(qtbot):
    from PySide6.QtCore import Qt

    hm = HeatMap()
    qtbot.addWidget(hm)
    hm.set_data(["alice", "bob", "cici"], {"alice|bob": 0.8, "alice|cici": 0.5, "bob|cici": 0.1})
    hm.show()
    hm.setFocus()
    with qtbot.waitSignal(hm.cellClicked) as first:
        qtbot.keyClick(hm, Qt.Key.Key_Return)
    assert first.args == ["alice", "bob"]
    qtbot.keyClick(hm, Qt.Key.Key_Down)  # (1, 1) is the diagonal: skipped to (2, 1)
    with qtbot.waitSignal(hm.cellClicked) as second:
        qtbot.keyClick(hm, Qt.Key.Key_Space)
    assert second.args == ["cici", "bob"]
