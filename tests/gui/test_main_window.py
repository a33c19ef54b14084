"""The main window: keyboard and mouse paths, undo/redo, UTF-16 offsets,
navigation, background tasks, menus, persistence."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence

from annotator.editing import SPAN, SUGGESTION
from annotator.gui.main_window import MENUS, MainWindow
from annotator.store import Project
from tests.gui.conftest import TEXT_A, TEXT_B, find

pytestmark = pytest.mark.gui


def keys(qtbot, win: MainWindow, *seq: tuple[int, Qt.KeyboardModifier] | int) -> None:
    for k in seq:
        key, mods = k if isinstance(k, tuple) else (k, Qt.KeyboardModifier.NoModifier)
        qtbot.keyClick(win.view, key, mods)


def stored(project: Project, doc: int = 1) -> set[tuple[str, int, int, str]]:
    return {sp.key for sp in project.spans(doc, "ani")}


def point_of(win: MainWindow, text: str, cp: int) -> QPoint:
    """Viewport point in the middle of the character at code point ``cp``."""
    u16 = win.session.map.to_utf16(cp)
    rect = win.view.range_rects(u16, u16 + 1)[0]
    return rect.center().toPoint()


def drag_select(qtbot, win: MainWindow, start: int, end: int, mods=Qt.KeyboardModifier.NoModifier) -> None:
    """Press on the first character's left half, release on the last one's right half."""
    vp = win.view.viewport()
    u = win.session.map.to_utf16
    a = win.view.range_rects(u(start), u(start) + 1)[0]
    b = win.view.range_rects(u(end) - 1, u(end))[0]
    p1 = QPoint(int(a.left()) + 1, int(a.center().y()))
    p2 = QPoint(int(b.right()) - 1, int(b.center().y()))
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, mods, p1)
    qtbot.mouseMove(vp, p2)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, mods, p2)


def test_main_window_keyboard_accept_reject_and_navigate(qtbot, window: MainWindow, demo_project: Project):
    keys(qtbot, window, Qt.Key.Key_Right)  # first item
    assert window.session.span_text(window.session.selected) == "Joko Widodo"
    keys(qtbot, window, Qt.Key.Key_Return)  # accept, moves on to the next suggestion
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Joko Widodo"), "PER")}
    assert window.session.span_text(window.session.selected) == "Rusia"
    keys(qtbot, window, Qt.Key.Key_X)  # reject "Rusia"
    decisions = demo_project.suggestion_decisions(1, "ani")
    assert sorted(decisions.values()) == ["accepted", "rejected"]
    assert window.session.span_text(window.session.selected) == "Sergei Shoigu"
    keys(qtbot, window, Qt.Key.Key_Space)  # space accepts too
    assert len(stored(demo_project)) == 2
    keys(qtbot, window, Qt.Key.Key_Left, Qt.Key.Key_Left)
    assert window.session.span_text(window.session.selected) == "Joko Widodo"
    keys(qtbot, window, Qt.Key.Key_Delete)  # deletes the accepted span
    assert len(stored(demo_project)) == 1


def test_main_window_number_keys_relabel_and_l_switches_layer(qtbot, window: MainWindow, demo_project: Project):
    keys(qtbot, window, Qt.Key.Key_Right, Qt.Key.Key_Return)  # accept Joko Widodo as PER
    keys(qtbot, window, Qt.Key.Key_Left)
    keys(qtbot, window, Qt.Key.Key_2)  # ORG
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Joko Widodo"), "ORG")}
    window.session.select(None)
    assert window.session.active_layer == "entities"
    keys(qtbot, window, Qt.Key.Key_L)
    assert window.session.active_layer == "cues"
    keys(qtbot, window, Qt.Key.Key_7)
    assert window.session.active_label["cues"] == "REPORT"
    assert "REPORT" in window.action("label_7").text()


def test_main_window_shift_arrows_move_boundaries_and_undo_redo(qtbot, window: MainWindow, demo_project: Project):
    keys(qtbot, window, Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Right)  # Sergei Shoigu
    assert window.session.span_text(window.session.selected) == "Sergei Shoigu"
    keys(qtbot, window, (Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Rusia Sergei Shoigu"), "PER")}
    keys(qtbot, window, (Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier))
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Rusia Sergei Shoigu di"), "PER")}
    keys(qtbot, window, (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier))
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Rusia Sergei Shoigu"), "PER")}
    keys(qtbot, window, (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier))
    assert stored(demo_project) == set()
    keys(qtbot, window, (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Rusia Sergei Shoigu"), "PER")}


def test_main_window_accept_all_keys(qtbot, window: MainWindow, demo_project: Project):
    keys(qtbot, window, Qt.Key.Key_Right, Qt.Key.Key_A)  # all PER suggestions
    assert {k[3] for k in stored(demo_project)} == {"PER"} and len(stored(demo_project)) == 2
    keys(qtbot, window, (Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier))
    assert len(stored(demo_project)) == 5
    assert window.span_model.rowCount() == 5


def test_main_window_mouse_selection_creates_snapped_span(qtbot, window: MainWindow, demo_project: Project):
    s, e = find(TEXT_A, "Pertahanan")
    drag_select(qtbot, window, s + 2, e - 2)
    assert stored(demo_project) == {("entities", s, e, "PER")}  # active label PER, snapped to the word
    assert window.session.selected is not None and window.session.selected[0] == SPAN


def test_main_window_mouse_selection_with_modifier_keeps_exact_characters(qtbot, window: MainWindow,
                                                                          demo_project: Project):
    s, e = find(TEXT_A, "Pertahanan")
    drag_select(qtbot, window, s, s + 5, Qt.KeyboardModifier.AltModifier)
    assert stored(demo_project) == {("entities", s, s + 5, "PER")}


def test_main_window_double_click_word_creates_span(qtbot, window: MainWindow, demo_project: Project):
    s, e = find(TEXT_A, "Indonesia")
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(window, TEXT_A, s + 3))
    assert ("entities", s, e, "PER") in stored(demo_project)


def test_main_window_click_selects_highlight_and_span_list_selects_in_article(qtbot, window: MainWindow):
    s, _ = find(TEXT_A, "Moskwa")
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(window, TEXT_A, s + 2))
    assert window.session.selected is not None
    assert window.session.span_text(window.session.selected) == "Moskwa"
    assert window.view.selected == window.session.selected
    row = next(r for r in range(window.span_model.rowCount())
               if window.session.span_text(window.span_model.key(r)) == "Rusia")
    index = window.span_model.index(row, 1)
    qtbot.mouseClick(window.span_table.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.span_table.visualRect(index).center())
    assert window.session.span_text(window.session.selected) == "Rusia"
    assert window.view.selected == window.session.selected


def test_main_window_drag_boundary_resizes_span(qtbot, window: MainWindow, demo_project: Project):
    s, e = find(TEXT_A, "Menteri")
    window.session.create_span(s, e, "ORG")
    vp = window.view.viewport()
    rect = window.view.range_rects(s, e)[0]
    grab = QPoint(int(rect.right()), int(rect.center().y()))
    target = point_of(window, TEXT_A, find(TEXT_A, "Pertahanan")[0] + 4)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=grab)
    qtbot.mouseMove(vp, target)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=target)
    assert stored(demo_project) == {("entities", s, find(TEXT_A, "Menteri Pertahanan")[1], "ORG")}


def test_main_window_emoji_offsets_land_on_code_points(qtbot, window: MainWindow, demo_project: Project):
    window.open_document(2)
    s, e = find(TEXT_B, "Prabowo")
    assert window.session.map.to_utf16(s) == s + 3  # flag (2 astral) + thumbs up (1 astral)
    drag_select(qtbot, window, s, e)
    assert stored(demo_project, 2) == {("entities", s, e, "PER")}
    assert demo_project.get_text(2)[s:e] == "Prabowo"
    j, k = find(TEXT_B, "Jokowi")
    drag_select(qtbot, window, j, k)
    assert ("entities", j, k, "PER") in stored(demo_project, 2)
    # the highlight sits on the same characters in Qt's UTF-16 document
    item = window.session.item_for(window.session.selected)
    cur = window.view.text_cursor_at(item.start16)
    cur.setPosition(item.end16, cur.MoveMode.KeepAnchor)
    assert cur.selectedText() == "Jokowi"


def test_main_window_document_navigation_keys_and_next_not_done(qtbot, window: MainWindow, demo_project: Project):
    keys(qtbot, window, Qt.Key.Key_N)
    assert window.session.doc_id == 2
    keys(qtbot, window, Qt.Key.Key_PageDown)
    assert window.session.doc_id == 3
    keys(qtbot, window, Qt.Key.Key_P, Qt.Key.Key_PageUp)
    assert window.session.doc_id == 1
    window.commands.confirm_done = lambda n: "leave"  # undecided suggestions stay out
    keys(qtbot, window, Qt.Key.Key_D)  # done
    assert demo_project.status(1, "ani") == "done"
    assert window.documents.progress_label.text() == "1 of 3 done"
    window.open_document(2)
    keys(qtbot, window, Qt.Key.Key_S)  # skipped
    assert demo_project.status(2, "ani") == "skipped"
    window.open_document(1)
    keys(qtbot, window, (Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier))
    assert window.session.doc_id == 3
    keys(qtbot, window, (Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier))
    assert demo_project.status(3, "ani") == "done"
    assert window.documents.model.data(window.documents.model.index(2, 4)) == "done"


def test_main_window_search_and_filters(qtbot, window: MainWindow, demo_project: Project):
    window.documents.search.setText("Prabowo")
    window.apply_filters()
    assert window.documents.model.ids() == [2]
    window.documents.search.setText("")
    window.documents.source_filter.setCurrentIndex(window.documents.source_filter.findData("Kompas.com"))
    assert window.documents.model.ids() == [1, 3]
    window.documents.sugg_filter.setCurrentIndex(window.documents.sugg_filter.findData(False))
    assert window.documents.model.ids() == []
    window.documents.sugg_filter.setCurrentIndex(0)
    window.documents.source_filter.setCurrentIndex(0)
    window.session.set_status("done")
    window.documents.state_filter.setCurrentIndex(window.documents.state_filter.findData("done"))
    assert window.documents.model.ids() == [1]


def test_main_window_typing_in_search_is_not_a_command(qtbot, window: MainWindow, demo_project: Project):
    window.documents.search.setFocus()
    qtbot.keyClicks(window.documents.search, "nx1")
    assert window.documents.search.text() == "nx1"
    assert window.session.doc_id == 1 and stored(demo_project) == set()


def test_main_window_stance_panel_and_note(qtbot, window: MainWindow, demo_project: Project):
    keys(qtbot, window, Qt.Key.Key_Right, Qt.Key.Key_Return)  # accept Joko Widodo
    combo = window.answers.target_combo("stance")
    qtbot.waitUntil(lambda: combo.findData("Joko Widodo") >= 0, timeout=2000)
    combo.setCurrentIndex(combo.findData("Joko Widodo"))
    keys(qtbot, window, (Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier))  # AGAINST
    labels = {d.question: (d.value, d.target) for d in demo_project.answers(1, "ani")}
    assert labels == {"stance": ("AGAINST", "Joko Widodo")}
    note = window.answers.note_edit("note")
    note.setFocus()
    qtbot.keyClicks(note, "quoted via Reuters")
    window.view.setFocus()  # focus out commits
    qtbot.waitUntil(lambda: any(d.question == "note" for d in demo_project.answers(1, "ani")), timeout=2000)
    assert demo_project.answers(1, "ani")[0].value == "quoted via Reuters"
    keys(qtbot, window, (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier))
    assert [d.question for d in demo_project.answers(1, "ani")] == ["stance"]


def test_main_window_menus_show_every_action_with_its_shortcut(window: MainWindow):
    assert all(window.menu(name) is not None for name in MENUS)
    rows = {action: keys for _menu, action, keys in window.shortcut_rows()}
    for name in ("Accept suggestion", "Next document", "Mark done", "Next span", "Move end one token right",
                 "Switch active layer", "Accept all suggestions in document"):
        assert rows[name], name
    assert window.action("undo").shortcuts()[0] == QKeySequence(QKeySequence.StandardKey.Undo)
    assert QKeySequence("Ctrl+Shift+Z") in window.action("redo").shortcuts()
    assert window.action("find").shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert window.action("zoom_in").shortcut() == QKeySequence(QKeySequence.StandardKey.ZoomIn)
    assert not window.action("quit").shortcut().isEmpty()
    assert "Undo" in window.action("undo").text()


def test_main_window_undo_text_names_the_action(window: MainWindow):
    window.session.select_next(1)
    window.commands.accept_selected()
    assert window.action("undo").text().startswith("&Undo Accept")


@dataclass
class FakeReport:
    documents: int
    suggestions: int


def test_main_window_suggest_runs_in_a_task_and_shows_new_suggestions(qtbot, window: MainWindow):
    gui_thread = threading.get_ident()
    threads: list[int] = []

    def fake_suggest(project, *, progress=None, should_cancel=None):
        from annotator.core.model import Span

        threads.append(threading.get_ident())
        s, e = find(TEXT_A, "Indonesia")
        project.set_suggestions(1, [Span(s, e, "LOC", origin="rule:fake", score=0.5)], suggester="fake", version="1")
        progress(1, 1, "doc 1")
        return FakeReport(documents=1, suggestions=1)

    window.suggest_function = fake_suggest
    task = window.suggest_project()
    assert task is not None
    with qtbot.waitSignal(task.ended, timeout=5000):
        pass
    assert threads and threads[0] != gui_thread
    assert any(g.origin == "rule:fake" for g in window.session.suggestions.values())
    assert "Suggestions ready" in window.statusBar().currentMessage()


def test_main_window_task_cancel_stops_the_work(qtbot, window: MainWindow):
    def slow(project, *, progress=None, should_cancel=None):
        for i in range(500):
            if should_cancel():
                return FakeReport(i, 0)
            progress(i, 500, "")
            time.sleep(0.01)
        return FakeReport(500, 0)

    window.suggest_function = slow
    task = window.suggest_project()
    assert window.tasks.cancel_button.isVisibleTo(window)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        qtbot.mouseClick(window.tasks.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.tasks.bar.isVisibleTo(window), timeout=5000)


def test_main_window_import_runs_in_background(qtbot, tmp_path, project: Project):
    from tests.conftest import SEED_FILES

    win = MainWindow(project, "ani")
    qtbot.addWidget(win)
    assert win.documents.model.rowCount() == 0
    task = win.import_files([str(p) for p in SEED_FILES])
    with qtbot.waitSignal(task.ended, timeout=20000):
        pass
    assert win.documents.model.rowCount() == 2
    assert win.session.doc_id is not None
    assert win.documents.progress_label.text() == "0 of 2 done"


def test_main_window_theme_switch_recolours(qtbot, window: MainWindow):
    light = window.view.highlighter.char_format("entities", "PER", "span").background().color().alpha()
    window.set_theme("dark")
    assert window.theme.name == "dark"
    dark = window.view.highlighter.char_format("entities", "PER", "span").background().color().alpha()
    assert dark != light
    window.set_theme("light")


def test_main_window_closing_and_reopening_keeps_everything(qtbot, demo_path):
    with Project(demo_path) as p:
        win = MainWindow(p, "ani")
        qtbot.addWidget(win)
        win.show()
        win.session.select_next(1)
        win.commands.accept_selected()
        win.answers.note_edit("note").setPlainText("unsaved until focus leaves")
        win.close()  # commits the note, records time
    with Project(demo_path) as p:
        win = MainWindow(p, "ani")
        qtbot.addWidget(win)
        assert win.session.doc_id == 1
        assert [win.session.span_text(k) for k in win.session.ordered_keys() if k[0] == SPAN] == ["Joko Widodo"]
        assert win.answers.note_edit("note").toPlainText() == "unsaved until focus leaves"
        assert all(k[0] == SUGGESTION for k in win.session.ordered_keys()[1:])
        win.close()


def test_main_window_tooltip_names_label_origin_and_score(qtbot, window: MainWindow):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    s, _ = find(TEXT_A, "Rusia")
    local = point_of(window, TEXT_A, s + 1)
    event = QHelpEvent(QEvent.Type.ToolTip, local, window.view.viewport().mapToGlobal(local))
    window.view.event(event)
    text = QToolTip.text()
    assert "LOC" in text and "rule:test" in text and "0.90" in text and "suggestion" in text


def test_main_window_spacy_loads_in_the_background(qtbot, window: MainWindow, monkeypatch):
    import annotator.gui.main_window as mw

    gui_thread = threading.get_ident()
    threads: list[int] = []

    def fake_warm_up():  # the real job (spaCy + pipeline, seconds) is run in test_background
        def job(report, should_cancel):
            threads.append(threading.get_ident())
            return "spaCy ready"
        return job

    monkeypatch.setattr(mw, "warm_up_job", fake_warm_up)
    task = window.warm_up_nlp()
    assert task is not None
    with qtbot.waitSignal(task.ended, timeout=30000):
        pass
    assert "spaCy ready" in window.statusBar().currentMessage()
    assert threads and threads[0] != gui_thread


def test_main_window_enter_in_document_list_moves_to_the_article(qtbot, window: MainWindow, demo_project):
    window.documents.table.setFocus()
    qtbot.keyClick(window.documents.table, Qt.Key.Key_Return)
    assert window.view.hasFocus()
    assert stored(demo_project) == set()


def test_main_window_context_menu_on_a_suggestion(qtbot, window: MainWindow, demo_project: Project):
    s, _ = find(TEXT_A, "Rusia")
    key = next(k for k, i in ((i.key, i) for i in window.session.items()) if i.start == s)
    menu = window.commands.item_menu(key, window.mapToGlobal(QPoint(10, 10)))
    labels = [a.text() for a in menu.actions()]
    assert labels[0] == "Accept LOC" and "Reject" in labels
    as_org = next(a for a in menu.actions()[3].menu().actions() if a.text().startswith("ORG"))
    as_org.trigger()
    assert stored(demo_project) == {("entities", s, s + 5, "ORG")}
    menu.close()


def test_main_window_note_typing_is_one_undo_step_and_not_reset(qtbot, window: MainWindow, demo_project: Project):
    note = window.answers.note_edit("note")
    note.setFocus()
    qtbot.keyClicks(note, "first")
    window.answers.commit_note("note")
    qtbot.keyClicks(note, " second")
    window.answers.commit_note("note")
    assert note.toPlainText() == "first second"
    assert demo_project.answers(1, "ani")[0].value == "first second"
    window.session.undo_stack.undo()
    assert demo_project.answers(1, "ani") == []
    assert note.toPlainText() == ""


def test_main_window_empty_project_keys_do_nothing_harmful(qtbot, project: Project):
    win = MainWindow(project, "ani")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    win.view.setFocus()
    for key in (Qt.Key.Key_N, Qt.Key.Key_Return, Qt.Key.Key_X, Qt.Key.Key_1, Qt.Key.Key_Right, Qt.Key.Key_D,
                Qt.Key.Key_A, Qt.Key.Key_L):
        qtbot.keyClick(win.view, key)
    qtbot.keyClick(win.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert win.session.doc_id is None and win.documents.progress_label.text() == "0 of 0 done"
    win.close()


def test_main_window_keyboard_only_span_with_token_caret(qtbot, window: MainWindow, demo_project: Project):
    ctrl = Qt.KeyboardModifier.ControlModifier
    keys(qtbot, window, *[(Qt.Key.Key_Right, ctrl)] * 5)  # Presiden Joko Widodo bertemu Menteri
    assert window.session.caret == find(TEXT_A, "Menteri")
    assert window.view.caret16 is not None
    keys(qtbot, window, Qt.Key.Key_2)  # ORG on the caret's token
    s, e = find(TEXT_A, "Menteri")
    assert stored(demo_project) == {("entities", s, e, "ORG")}
    keys(qtbot, window, (Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier))
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Menteri Pertahanan"), "ORG")}
    keys(qtbot, window, (Qt.Key.Key_Right, ctrl), (Qt.Key.Key_Right, ctrl))  # from the span's end: Rusia, Sergei
    assert window.session.caret == find(TEXT_A, "Sergei")
    keys(qtbot, window, (Qt.Key.Key_Left, ctrl))
    assert window.session.caret == find(TEXT_A, "Rusia")
    keys(qtbot, window, Qt.Key.Key_Return)  # Enter: a span of the active label (ORG, the last used)
    assert ("entities", *find(TEXT_A, "Rusia"), "ORG") in stored(demo_project)
    keys(qtbot, window, Qt.Key.Key_Escape)
    assert window.session.selected is None and window.session.caret is None


def test_main_window_reopens_the_last_document_of_this_annotator(qtbot, demo_path):
    with Project(demo_path) as p:
        win = MainWindow(p, "ani")
        qtbot.addWidget(win)
        win.open_document(3)
        win.close()
        again = MainWindow(p, "ani")
        qtbot.addWidget(again)
        assert again.session.doc_id == 3
        other = MainWindow(p, "budi")  # another annotator starts at their own first document
        qtbot.addWidget(other)
        assert other.session.doc_id == 1
        # close while the project is open: a window open over a second records its time on close
        again.close()
        other.close()


def test_main_window_go_to_document_clears_filters_that_hide_it(qtbot, window: MainWindow, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    window.documents.search.setText("Prabowo")
    window.apply_filters()
    assert window.documents.model.ids() == [2]
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *a, **k: (3, True)))
    window.commands.go_to_document()
    assert window.session.doc_id == 3 and window.documents.model.ids() == [1, 2, 3]


def test_main_window_click_twice_on_a_suggestion_accepts_it(qtbot, window: MainWindow, demo_project: Project):
    s, e = find(TEXT_A, "Moskwa")
    pos = point_of(window, TEXT_A, s + 2)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert stored(demo_project) == set() and "click again" in window.statusBar().currentMessage()
    qtbot.wait(600)  # two separate clicks, not a double click
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert stored(demo_project) == {("entities", s, e, "LOC")}
    assert demo_project.spans(1, "ani")[0].origin == "rule:test"


def test_main_window_double_click_on_a_suggestion_accepts_it(qtbot, window: MainWindow, demo_project: Project):
    s, e = find(TEXT_A, "Moskwa")
    pos = point_of(window, TEXT_A, s + 2)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert stored(demo_project) == {("entities", s, e, "LOC")}
    assert demo_project.suggestion_decisions(1, "ani") != {}


def test_main_window_every_action_is_committed_at_once(qtbot, window: MainWindow, demo_path):
    assert not window.view.isUndoRedoEnabled() and not window.view.document().isUndoRedoEnabled()
    with Project(demo_path) as other:  # a second connection sees only committed data
        keys(qtbot, window, Qt.Key.Key_Right, Qt.Key.Key_Return)
        assert [s.label for s in other.spans(1, "ani")] == ["PER"]
        keys(qtbot, window, Qt.Key.Key_Left, Qt.Key.Key_3)
        assert [s.label for s in other.spans(1, "ani")] == ["LOC"]
        window.commands.confirm_done = lambda n: "leave"  # undecided suggestions stay out
        keys(qtbot, window, Qt.Key.Key_D)
        assert other.status(1, "ani") == "done"
        actions = [e["action"] for e in other.events(1, "ani")]
        assert actions[-3:] == ["accept_suggestion", "update_span", "set_status"]


def test_main_window_search_words_are_framed_in_the_article(qtbot, window: MainWindow):
    window.documents.search.setText("shoigu")
    window.apply_filters()
    assert window.documents.model.ids() == [1]
    u = window.session.map.to_utf16
    expected = [(u(s), u(s) + 6) for s in (TEXT_A.index("Shoigu"), TEXT_A.index("Shoigu", 70))]
    assert window.view.search_hits() == expected
    window.view.grab()  # paints the frames without error
    window.documents.search.setText("")
    window.apply_filters()
    assert window.view.search_hits() == []


def test_main_window_carriage_returns_do_not_shift_offsets(qtbot, demo_project: Project):
    from annotator.core.model import Document

    text = "Baris satu\r\nJokowi 🇮🇩 bertemu Prabowo.\r\n"
    doc_id, _ = demo_project.add_document(Document(text, title="CRLF"))
    win = MainWindow(demo_project, "ani")
    qtbot.addWidget(win)
    win.show()
    win.open_document(doc_id)
    assert win.view.document().characterCount() - 1 == win.session.map.length_utf16
    s, e = find(text, "Prabowo")
    drag_select(qtbot, win, s, e)
    assert [sp.key for sp in demo_project.spans(doc_id, "ani")] == [("entities", s, e, "PER")]
    win.close()


def test_main_window_document_buttons_for_the_mouse(qtbot, window: MainWindow, demo_project: Project):
    assert window.span_box.title() == "Spans (0 · 5 suggested)"
    qtbot.mouseClick(window.nav_buttons["next"], Qt.MouseButton.LeftButton)
    assert window.session.doc_id == 2
    qtbot.mouseClick(window.nav_buttons["skip"], Qt.MouseButton.LeftButton)
    assert demo_project.status(2, "ani") == "skipped"
    qtbot.mouseClick(window.nav_buttons["prev"], Qt.MouseButton.LeftButton)
    assert window.session.doc_id == 1
    window.commands.confirm_done = lambda n: "leave"  # undecided suggestions stay out
    qtbot.mouseClick(window.nav_buttons["done"], Qt.MouseButton.LeftButton)
    assert demo_project.status(1, "ani") == "done" and window.session.doc_id == 3
    window.open_document(1)
    window.session.accept_all()
    assert window.span_box.title() == "Spans (5)"


def test_main_window_work_asked_for_during_another_task_waits_its_turn(qtbot, window: MainWindow):
    import threading

    release = threading.Event()

    def slow_warm_up(report, should_cancel):
        release.wait(5)
        return "spaCy ready"

    first = window.run_task(slow_warm_up, "loading spaCy", lambda msg: None)
    ran: list[str] = []

    def fake_suggest(project, *, progress=None, should_cancel=None, **options):
        ran.append("suggest")
        return FakeReport(0, 0)

    window.suggest_function = fake_suggest
    queued = window.suggest_project()  # queued, not refused: the handle of the waiting job
    assert queued is not None and queued.is_queued and queued.is_running
    assert window.tasks.queued() == ["suggesting"]
    assert "starts when loading spaCy has finished" in window.statusBar().currentMessage()
    assert window.suggest_project() is None and window.tasks.queued() == ["suggesting"]  # not twice
    release.set()
    qtbot.waitUntil(lambda: ran == ["suggest"] and not window.tasks.busy, timeout=5000)
    assert not first.is_running and not queued.is_running


def test_main_window_palette_click_picks_label_and_relabels_selection(qtbot, window: MainWindow, demo_project):
    org = window.palette.button("entities", "ORG")
    qtbot.mouseClick(org, Qt.MouseButton.LeftButton)
    assert window.session.active_label["entities"] == "ORG" and org.isChecked()
    qtbot.mouseClick(org, Qt.MouseButton.LeftButton)  # clicking the active chip keeps it active
    assert org.isChecked() and not window.palette.button("entities", "PER").isChecked()
    window.session.select_next(1)  # "Joko Widodo" PER suggestion
    qtbot.mouseClick(window.palette.button("entities", "MISC"), Qt.MouseButton.LeftButton)
    assert stored(demo_project) == {("entities", *find(TEXT_A, "Joko Widodo"), "MISC")}
    assert window.view.hasFocus()


def test_main_window_other_parts_are_wired_and_no_shortcut_is_ambiguous(window: MainWindow):
    from collections import Counter

    def texts(menu: str) -> set[str]:
        return {a.text().replace("&", "") for a in window.menu(menu).actions()}

    # File > Export… and the review windows sit in their menus, with their keys
    assert {"Export…", "Merge annotators' projects…"} <= texts("File")
    assert {"Agreement and adjudication…", "Assign documents and export packages…"} <= texts("Review")
    assert window._actions["export"].shortcut().toString() == "Ctrl+Shift+E"
    keys = Counter(k.toString() for a in window.actions() for k in a.shortcuts())
    assert [k for k, n in keys.items() if n > 1] == []


def test_main_window_export_opens_the_formats_dialog(qtbot, window: MainWindow):
    window._actions["export"].trigger()  # the menu item, not the method: the wiring is under test
    assert window._export_dialog.isVisible()
    window._export_dialog.close()


def test_main_window_very_long_title_leaves_the_article_in_view(qtbot, demo_project: Project):
    from annotator.core.model import Document

    title = "Sangat panjang judul berita ini " * 30
    doc_id, _ = demo_project.add_document(Document("Jokowi bertemu Prabowo di Jakarta. " * 40, title=title))
    win = MainWindow(demo_project, "ani", remember=False)
    qtbot.addWidget(win)
    win.resize(1200, 760)
    win.show()
    qtbot.waitExposed(win)
    win.open_document(doc_id)
    qtbot.wait(10)
    label = win.article.title_label
    assert win.view.height() > 3 * label.height()  # the title took 300 of 650 px before
    assert label.text().endswith("…") and label.toolTip() == title  # the whole title on hover
    win.close()


def test_main_window_empty_project_offers_import_and_answers_nothing(qtbot, tmp_path):
    with Project(tmp_path / "empty.db") as p:
        win = MainWindow(p, "ani", remember=False)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        assert "Import" in win.view.placeholderText()
        assert not win.answers.isEnabled()
        win.action("stance_FAVOR").trigger()  # Ctrl+1 with no document: no answer shown as given
        assert not any(b.isChecked() for b in win.answers._groups["stance"].buttons())
        win.action("next_todo").trigger()
        assert win.statusBar().currentMessage() == "No documents in the list"
        win.close()


def test_main_window_note_typed_while_project_busy_is_kept_and_saved_later(qtbot, demo_path, monkeypatch):
    import sqlite3

    import annotator.store.project as store_project

    monkeypatch.setattr(store_project, "BUSY_TIMEOUT_S", 0.05)
    with Project(demo_path) as p:
        win = MainWindow(p, "ani", remember=False)
        qtbot.addWidget(win)
        win.show()
        win.open_document(1)
        other = sqlite3.connect(str(demo_path), isolation_level=None)  # another program writing
        other.execute("BEGIN IMMEDIATE")
        note = win.answers.note_edit("note")
        note.setPlainText("dikutip dari Reuters")
        win.answers.commit_all()
        assert "busy" in win.statusBar().currentMessage()
        assert note.toPlainText() == "dikutip dari Reuters"  # was wiped by the reload after the failed write
        win.open_document(2)  # refused: switching would lose the note
        assert win.session.doc_id == 1
        from PySide6.QtWidgets import QMessageBox

        asked = []
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.No)
        assert not win.close() and win.isVisible() and asked  # closing asks before losing the note
        other.execute("COMMIT")
        other.close()
        win.open_document(2)  # retried, saved, then switched
        assert win.session.doc_id == 2
        assert [(d.question, d.value) for d in p.answers(1, "ani")] == [("note", "dikutip dari Reuters")]
        win.close()


def test_a_window_closed_twice_records_its_time_once(qtbot, demo_path, monkeypatch):
    """pytest-qt closes every widget again at teardown, after the project is closed: the second
    close must not write (it failed under load, when a second had passed between the two)."""
    from annotator.gui import session as session_mod

    clock = [1000.0]
    monkeypatch.setattr(session_mod.time, "monotonic", lambda: clock[0])
    with Project(demo_path) as p:
        win = MainWindow(p, "ani", remember=False)
        qtbot.addWidget(win)
        win.open_document(1)
        clock[0] += 5
        win.close()
    clock[0] += 5
    win.close()  # the project is closed: nothing to write, no error


def test_main_window_task_bar_names_each_step_of_a_job(qtbot, window: MainWindow):
    """A job of two phases counts each (suggesting, then the project memory): the bar's text
    says which, so the second does not read as the first stuck at its end or starting over."""
    seen: list[str] = []

    def two_phases(project, *, progress=None, should_cancel=None):
        progress(1, 1, "document 1")
        time.sleep(0.2)
        progress(0, 2, "updating the project memory")
        time.sleep(0.2)
        progress(2, 2, "updating the project memory")
        time.sleep(0.2)
        return FakeReport(1, 0)

    window.suggest_function = two_phases
    task = window.suggest_project()
    window.runner.progress.connect(lambda *_a: seen.append(window.tasks.label.text()))
    with qtbot.waitSignal(task.ended, timeout=5000):
        pass
    assert "Suggesting: 0 of 2 · updating the project memory" in seen
    assert "Suggesting: 2 of 2 · updating the project memory" in seen
