"""The review window compares and adjudicates relations like spans: each annotator's relations
side by side (agreements and open disagreements marked), Return accepts one into gold (its end
spans made there), Delete takes it out, undo and redo, all by keyboard; opening a document
merges the relations everyone has."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.core.model import GOLD, Document
from annotator.gui.review import ReviewWindow
from annotator.store import Project
from tests.gui.review_helpers import merged
from tests.relations.two_quotes import TEXT
from tests.relations.two_quotes import at as _at
from tests.relations.two_quotes import work as _work

pytestmark = pytest.mark.gui


def _key(quote: str, child: str, nth: int = 0) -> tuple:
    return (_at(quote), _at(child, nth), "SPEAKER")


@pytest.fixture
def window(qtbot, tmp_path):
    with Project(tmp_path / "review.db") as p:
        doc, _ = p.add_document(Document(TEXT))
        _work(p, doc, "ana", "Putin")
        _work(p, doc, "bob", "Shoigu")
    w = ReviewWindow(tmp_path / "review.db")
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.agreement.computed, timeout=10000):
        pass
    yield w
    w.close()


def gold(w: ReviewWindow) -> set[tuple]:
    return {r.key for r in w.project.relations(1, GOLD)}


def test_relations_side_by_side_accept_reject_undo_by_keyboard(window: ReviewWindow, qtbot):
    window.open_document(1, "entities")
    merged(qtbot, window)
    view = window.compare
    rel = view.relations
    assert rel is not None
    # opening merged the relation both gave (with its ends); the disputed ones are open
    assert gold(window) == {_key("Kami siap,", "Shoigu")}
    t = rel.table
    assert t.rowCount() == 3 and [t.horizontalHeaderItem(c).text() for c in range(5)] == [
        "relation", "ana", "bob", GOLD, "state"]
    states = {row.key: t.item(r, 4).text() for r, row in enumerate(rel.rows)}
    assert states == {_key("Kami siap,", "Shoigu"): "agreed", _key("Tidak,", "Putin"): "open",
                      _key("Tidak,", "Shoigu", 1): "open"}
    putin = next(r for r, row in enumerate(rel.rows) if row.key == _key("Tidak,", "Putin"))
    assert [t.item(putin, c).text() for c in (1, 2, 3)] == ["✓", "—", "—"]
    assert "1 agreed, 2 disagreement(s)" in rel.summary.text()
    # R: to the first open disagreement; Return: into gold
    qtbot.keyClick(view.units, Qt.Key.Key_R)
    assert t.hasFocus() and rel.current() == _key("Tidak,", "Putin")
    assert view.article.textCursor().selectedText() == TEXT[_at("Tidak,")[0]:_at("Putin")[1]]
    qtbot.keyClick(t, Qt.Key.Key_Return)
    assert gold(window) == {_key("Kami siap,", "Shoigu"), _key("Tidak,", "Putin")}
    assert ("PER", _at("Putin")) in {(s.label, (s.start, s.end)) for s in window.project.spans(1, GOLD)}
    assert rel.current() == _key("Tidak,", "Putin") and "in gold" == t.item(t.currentRow(), 4).text()
    window.undo_action.trigger()  # the relation and the Putin span it made leave gold
    assert gold(window) == {_key("Kami siap,", "Shoigu")}
    assert ("PER", _at("Putin")) not in {(s.label, (s.start, s.end)) for s in window.project.spans(1, GOLD)}
    window.redo_action.trigger()
    assert _key("Tidak,", "Putin") in gold(window)
    # Delete takes the agreed one out of gold; undo puts it back
    t.setFocus()
    t.setCurrentCell(next(r for r, row in enumerate(rel.rows) if row.key == _key("Kami siap,", "Shoigu")), 0)
    qtbot.keyClick(t, Qt.Key.Key_Delete)
    assert gold(window) == {_key("Tidak,", "Putin")}
    window.undo_action.trigger()
    assert gold(window) == {_key("Kami siap,", "Shoigu"), _key("Tidak,", "Putin")}
    qtbot.keyClick(t, Qt.Key.Key_Escape)
    assert view.units.hasFocus()


def test_removing_a_gold_span_in_the_units_takes_its_relation_and_undo_restores_it(window: ReviewWindow, qtbot):
    window.open_document(1, "cues")
    merged(qtbot, window)
    view = window.compare
    assert gold(window) == {_key("Kami siap,", "Shoigu")}
    row = next(r for r in range(view.units.model().rowCount())
               if view.units.units_model.unit(r).start == _at("Kami siap,")[0])
    view.units.setCurrentCell(row, 1)
    view.units.setFocus()
    qtbot.keyClick(view.units, Qt.Key.Key_Delete)
    assert gold(window) == set() and view.relations.rows[0].gold is None
    window.undo_action.trigger()
    assert gold(window) == {_key("Kami siap,", "Shoigu")}
