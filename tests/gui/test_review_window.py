"""The review window: agreement view in the background, heat map and bars,
ranked documents opening the comparison view, adjudication with undo, blind mode."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QTextCursor

from annotator.core.model import GOLD
from annotator.gui.review import ReviewWindow
from annotator.gui.review.charts import scale_colour
from annotator.gui.review.util import find_data
from annotator.review import blind
from annotator.store import Project
from tests.gui.review_helpers import merged
from tests.review.factory import build

pytestmark = pytest.mark.gui

TEXT = "Presiden Joko Widodo bertemu Vladimir Putin di Moskow pada Juni. 🇮🇩 Jakarta menyambut."
JOKO, PUTIN, MOSKOW = (9, 20, "PER"), (29, 43, "PER"), (47, 53, "LOC")
EASY = "Prabowo berkunjung ke Paris."


@pytest.fixture
def review_path(tmp_path):
    work = {
        "alice": {0: {"spans": [JOKO, PUTIN, MOSKOW], "answers": {"stance": "NEUTRAL"}, "state": "done"},
                  1: {"spans": [(0, 7, "PER"), (22, 27, "LOC")], "state": "done"}},
        "bob": {0: {"spans": [JOKO, (29, 38, "PER"), (47, 53, "ORG")], "answers": {"stance": "FAVOR"},
                    "state": "done"},
                1: {"spans": [(0, 7, "PER"), (22, 27, "LOC")], "state": "done"}},
    }
    p, ids = build(tmp_path / "review.db", [TEXT, EASY], work)
    p.add_annotator("rina", "reviewer")
    p.close()
    return tmp_path / "review.db"


@pytest.fixture
def window(qtbot, review_path):
    w = ReviewWindow(review_path)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.agreement.computed, timeout=10000):
        pass
    yield w
    w.close()


def test_review_window_agreement_view_shows_matrix_bars_and_ranking(window, qtmodeltester):
    view = window.agreement
    assert view.report["annotators"] == ["alice", "bob"]
    assert view.heatmap.value("alice", "bob") == pytest.approx(view.report["layers"]["entities"]["pairwise_f1"]["alice|bob"])
    assert view.heatmap.value("alice", "bob") == pytest.approx(2 * 3 / 10)
    labels = dict(view.bars.rows())
    assert labels["PER"] == pytest.approx(2 * 2 / 6) and labels["ORG"] == 0.0 and labels["MISC"] is None
    assert [view.model.document_at(r) for r in range(view.model.rowCount())] == [1, 2]
    assert view.model.data(view.model.index(0, 2)) == "0.333"
    qtmodeltester.check(view.model)
    # switch the heat map to the stance question: NEUTRAL vs FAVOR on the one shared item
    view.target.setCurrentIndex(find_data(view.target, ("question", "stance")))
    assert view.measure.currentText() == "Cohen's kappa"
    assert view.heatmap.value("alice", "bob") == 0.0
    assert dict(view.bars.rows())["agreement"] == 0.0
    assert view.model.headerData(2, Qt.Orientation.Horizontal) == "Agreement"
    assert [view.model.document_at(r) for r in range(view.model.rowCount())] == [1]
    assert view.model.data(view.model.index(0, 3)) == "alice: NEUTRAL, bob: FAVOR"
    qtmodeltester.check(view.model)
    assert scale_colour(None).name() == "#bdbdbd"


def test_review_window_heatmap_click_and_document_activation_open_compare(window, qtbot):
    view = window.agreement
    rect = view.heatmap.cell_rect(0, 1)
    with qtbot.waitSignal(view.heatmap.cellClicked) as blocker:
        qtbot.mouseClick(view.heatmap, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert blocker.args == ["alice", "bob"]
    assert view.heatmap.cell_at(QPointF(1, 1)) is None
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert window.tabs.currentWidget() is window.compare
    assert window.compare.document_id == 1


def test_review_window_compare_merges_agreements_and_accepts_with_undo(window, qtbot, qtmodeltester):
    assert window.compare.document_id is None and window.project.spans(1, GOLD) == []  # nothing before a look
    window.tabs.setCurrentWidget(window.compare)
    assert window.compare.document_id == 1
    merged(qtbot, window)  # the merge runs as a job of the window's runner
    c = window.compare
    p = window.project
    gold = lambda: sorted((s.start, s.end, s.label) for s in p.spans(1, GOLD))  # noqa: E731
    assert gold() == [JOKO]  # agreement merged on open
    assert [u.agreed for u in c.comparison.units] == [True, False, False]
    assert c.units.columnCount() == 4 and c.units.header_text(3) == "Gold"
    assert len(c.article.extraSelections()) == 3  # gold JOKO + two unsettled disagreements
    qtmodeltester.check(c.units.units_model)
    # Putin: take bob's shorter span, then alice's instead (replaces it), with Enter on the cell
    c.units.setFocus()
    c.units.setCurrentCell(1, 2)
    qtbot.keyClick(c.units, Qt.Key.Key_Return)
    assert (29, 38, "PER") in gold()
    c.units.setCurrentCell(1, 1)
    qtbot.keyClick(c.units, Qt.Key.Key_Return)
    assert gold() == [JOKO, PUTIN]
    window.undo_action.trigger()
    assert gold() == [JOKO, (29, 38, "PER")]
    window.redo_action.trigger()
    assert gold() == [JOKO, PUTIN]
    # accept bob's whole version, then undo it
    c.version_of.setCurrentText("bob")
    c.accept_version_button.click()
    assert gold() == [JOKO, (29, 38, "PER"), (47, 53, "ORG")]
    window.undo_action.trigger()
    assert gold() == [JOKO, PUTIN]
    # only disagreements listed; J jumps between the unsettled ones
    c.only_disagreements.setChecked(True)
    assert [c.units.cell_text(r, 0) for r in range(c.units.rowCount())] == ["Vladimir Putin", "Moskow"]
    c.only_disagreements.setChecked(False)
    c.units.setCurrentCell(0, 1)
    qtbot.keyClick(c.units, Qt.Key.Key_J)
    assert c.units.currentRow() == 2
    # mark gold done, undoably
    qtbot.keyClick(c.units, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert p.status(1, GOLD) == "done" and "Gold status: done" in c.status.text()
    window.undo_action.trigger()
    assert p.status(1, GOLD) == "todo"
    # undo everything back to the state before the auto-merge
    while window.undo_stack.canUndo():
        window.undo_action.trigger()
    assert gold() == []


def test_review_window_compare_edit_gold_directly_after_emoji(window, qtbot):
    window.open_document(1, "entities")
    merged(qtbot, window)
    c = window.compare
    start = TEXT.index("Jakarta")
    # select "Jakarta" by UTF-16 positions (the flag before it is two code points, four UTF-16 units)
    cursor = c.article.textCursor()
    cursor.setPosition(c._u16.to_utf16(start))
    cursor.setPosition(c._u16.to_utf16(start + len("Jakarta ")), QTextCursor.MoveMode.KeepAnchor)
    c.article.setTextCursor(cursor)
    c.article.setFocus()
    qtbot.keyClick(c.article, Qt.Key.Key_3)  # LOC's hotkey
    spans = [s for s in window.project.spans(1, GOLD) if s.label == "LOC"]
    assert [(s.start, s.end) for s in spans] == [(start, start + len("Jakarta"))]
    assert TEXT[spans[0].start:spans[0].end] == "Jakarta"
    c.units.setCurrentCell([u.start for u in c.comparison.units].index(start), 3)
    c.units.setFocus()
    qtbot.keyClick(c.units, Qt.Key.Key_Delete)
    assert not [s for s in window.project.spans(1, GOLD) if s.label == "LOC"]


def test_review_window_compare_next_and_previous_document_keys(window, qtbot):
    window.open_document(1, "entities")
    c = window.compare
    qtbot.keyClick(c.units, Qt.Key.Key_N)
    assert c.document_id == 2 and c.documents.currentData() == 2
    qtbot.keyClick(c.units, Qt.Key.Key_N)  # stays on the last
    assert c.document_id == 2
    qtbot.keyClick(c.units, Qt.Key.Key_P)
    assert c.document_id == 1
    merged(qtbot, window)


def test_review_window_compare_document_answers(window, qtbot):
    window.open_document(1, "entities")
    merged(qtbot, window)
    c = window.compare
    combo = c.answers_form.itemAt(0, c.answers_form.ItemRole.FieldRole).widget().findChildren(
        type(c.documents))[0]
    assert window.project.answers(1, GOLD) == []  # NEUTRAL vs FAVOR: nothing merged
    combo.setCurrentIndex(find_data(combo, ("FAVOR", None)))
    combo.activated.emit(combo.currentIndex())
    assert [d.value for d in window.project.answers(1, GOLD)] == ["FAVOR"]
    window.undo_action.trigger()
    assert window.project.answers(1, GOLD) == []


def test_review_window_merge_all_in_background_is_one_undo_step(window, qtbot):
    with qtbot.waitSignal(window.auto_merge_all().ended, timeout=10000):
        pass
    with Project(window.project_path) as p:
        assert len(p.spans(2, GOLD)) == 2
    window.undo_action.trigger()
    assert window.project.spans(2, GOLD) == []


def test_review_window_blind_mode_hides_other_annotators(qtbot, review_path):
    with Project(review_path) as p:
        assert blind.is_blind(p)
    w = ReviewWindow(review_path, reviewer="alice")
    qtbot.addWidget(w)
    assert w.agreement is None and w.tabs.count() == 1
    assert "Blind mode" in w.tabs.tabText(0)
    w.open_document(1)
    assert w.compare is None
    with Project(review_path) as p:
        assert p.spans(1, GOLD) == []  # nothing was merged behind the annotator's back
    w.close()
    reviewer = ReviewWindow(review_path, reviewer="rina")
    qtbot.addWidget(reviewer)
    assert reviewer.agreement is not None
    with qtbot.waitSignal(reviewer.agreement.computed, timeout=10000):
        pass
    reviewer.close()


def test_review_window_heatmap_cell_filters_ranking_to_that_pair(qtbot, tmp_path):
    work = {
        "alice": {0: {"spans": [JOKO], "state": "done"}, 1: {"spans": [(0, 7, "PER")], "state": "done"}},
        "bob": {0: {"spans": [JOKO], "state": "done"}},
        "cici": {1: {"spans": [(0, 7, "LOC")], "state": "done"}},
    }
    p, ids = build(tmp_path / "r.db", [TEXT, EASY], work)
    p.close()
    w = ReviewWindow(tmp_path / "r.db")
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.agreement.computed, timeout=10000):
        pass
    view = w.agreement
    assert view.model.rowCount() == 2
    rect = view.heatmap.cell_rect(0, 2)  # alice vs cici
    qtbot.mouseClick(view.heatmap, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert view.pair_filter == "alice|cici"
    assert [view.model.document_at(r) for r in range(view.model.rowCount())] == [ids[1]]
    assert view.model.data(view.model.index(0, 2)) == "0.000" and view.show_all.isVisibleTo(view)
    view.show_all.click()
    assert view.model.rowCount() == 2 and view.pair_filter is None
    w.close()


def test_review_window_accept_majority_of_three(qtbot, tmp_path):
    work = {
        "alice": {0: {"spans": [MOSKOW], "state": "done"}},
        "bob": {0: {"spans": [MOSKOW], "state": "done"}},
        "cici": {0: {"spans": [(47, 53, "ORG")], "state": "done"}},
    }
    p, ids = build(tmp_path / "r.db", [TEXT], work)
    p.close()
    w = ReviewWindow(tmp_path / "r.db")
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.agreement.computed, timeout=10000):
        pass
    w.open_document(ids[0], "entities")
    merged(qtbot, w)
    c = w.compare
    assert w.project.spans(ids[0], GOLD) == []
    assert c.units.cell_background(0, 1) == c.units.cell_background(0, 2) != c.units.cell_background(0, 3)
    assert "majority" in c.units.units_model.data(c.units.units_model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    c.units.setCurrentCell(0, 3)  # on cici's cell, M still takes the majority
    c.units.setFocus()
    qtbot.keyClick(c.units, Qt.Key.Key_M)
    assert [(s.start, s.end, s.label) for s in w.project.spans(ids[0], GOLD)] == [MOSKOW]
    w.close()


def test_review_window_closed_before_agreement_starts_leaves_no_thread(qtbot, review_path):
    w = ReviewWindow(review_path)
    qtbot.addWidget(w)
    w.close()  # before the queued first computation ran
    qtbot.wait(50)
    assert w.agreement.task is None
    assert w.agreement.compute() is None


def test_review_window_merges_a_document_off_the_gui_thread_as_one_undo_step(window, qtbot, monkeypatch):
    """Opening a document merges its agreements as a job of the window's runner (not on the GUI
    thread: an article with many relations takes a while); until it ends the view takes no step."""
    import threading

    from annotator.review import adjudicate as adj

    threads: list[int] = []
    real = adj.auto_merge
    release = threading.Event()

    def slow_merge(*args, **kwargs):
        threads.append(threading.get_ident())
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(adj, "auto_merge", slow_merge)
    c = window.compare
    window.open_document(1, "entities")
    assert c.document_id == 1 and c.merges.pending == {1}
    assert not c.act_accept.isEnabled() and not c.act_done.isEnabled() and not c.answers_box.isEnabled()
    assert "Merging agreements into gold" in c.status.text()
    release.set()
    merged(qtbot, window)
    assert threads and threads[0] != threading.get_ident()
    assert sorted((s.start, s.end, s.label) for s in window.project.spans(1, GOLD)) == [JOKO]
    assert c.act_accept.isEnabled() and "Merging" not in c.status.text()
    assert [u.resolved for u in c.comparison.units] == [True, False, False]  # the view shows the merged gold
    assert window.undo_stack.count() == 1 and window.undo_stack.text(0) == "Merge agreements"
    window.undo_action.trigger()
    assert window.project.spans(1, GOLD) == []
    window.redo_action.trigger()
    assert [s.label for s in window.project.spans(1, GOLD)] == ["PER"]


def test_review_window_closed_while_a_document_merges_stays_quiet(qtbot, review_path):
    w = ReviewWindow(review_path)
    qtbot.addWidget(w)
    w.show()
    w.tabs.setCurrentWidget(w.compare)  # opens document 1: its merge starts
    assert w.compare.merges.pending == {1}
    w.close()  # the merge's end arrives after the window's connection closed: nothing may touch it
    qtbot.wait(300)
    with Project(review_path) as p:  # what the merge stored stays (the window's undo went with it)
        assert [s.label for s in p.spans(1, GOLD)] in ([], ["PER"])


def test_review_window_opening_a_document_from_agreement_merges_only_that_one(window, qtbot):
    """The ranked list opens document 2: only its agreements go into gold (the comparison tab
    used to open, and merge, the first document on the way)."""
    window.open_document(2, "entities")
    assert window.compare.merges.pending == {2} and window.compare.document_id == 2
    assert window.tabs.currentWidget() is window.compare
    merged(qtbot, window)
    assert window.project.spans(1, GOLD) == [] and len(window.project.spans(2, GOLD)) == 2
    assert window.undo_stack.count() == 1
