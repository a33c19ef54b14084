"""The knowledge base in the GUI: the side panel's entity box, the browser, linking in
the background, and the story view on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.formats import import_paths
from annotator.kb.service import link_project
from annotator.paths import seeds_dir
from annotator.store import Project
from tests.kb.conftest import mark_seed_entities

pytestmark = pytest.mark.gui


@pytest.fixture
def seeds(tmp_path: Path):
    """The seeds with the hand-marked entities of annotator ``ann``, linked."""
    with Project(tmp_path / "seeds.db") as p:
        assert import_paths(p, sorted(seeds_dir().glob("*.txt"))).ok
        mark_seed_entities(p)
        link_project(p)
    return tmp_path / "seeds.db"


@pytest.fixture
def win(qtbot, seeds: Path):
    from annotator.gui.main_window import MainWindow

    project = Project(seeds)
    w = MainWindow(project, "ann", remember=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()
    project.close()


def _select_text(w, text: str, nth: int = 0):  # noqa: ANN001, ANN202
    hits = [i for i in w.session.items() if i.kind == "span" and w.session.text[i.start:i.end] == text]
    w.session.select(hits[nth].key)
    return hits[nth]


def _idle(qtbot, w) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: not w.runner.busy and not w.runner.queued(), timeout=20000)


def test_side_panel_shows_entry_and_goes_to_other_mentions(win, qtbot) -> None:  # noqa: ANN001
    win.open_document(2)
    _select_text(win, "Shoigu")
    panel = win.kb.panel
    assert "Sergei Shoigu" in panel.title.text() and "suggested" in panel.title.text()
    assert panel.mentions.item(0).text() == "3 other mention(s) in 1 article(s):"
    _select_text(win, "Min Aung Hlain")
    assert "Min Aung Hlaing" in panel.title.text() and "edit-distance" in panel.title.text()
    first_doc = next(i for i in range(1, panel.mentions.count())
                     if panel.mentions.item(i).data(Qt.ItemDataRole.UserRole)[0] == 1)
    item = panel.mentions.item(first_doc)
    doc, start, end = item.data(Qt.ItemDataRole.UserRole)
    panel.mentions.scrollToItem(item)
    qtbot.mouseClick(panel.mentions.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.mentions.visualItemRect(item).center())  # one click goes there
    assert win.session.doc_id == 1
    selected = win.session.item_for(win.session.selected)
    assert (selected.start, selected.end) == (start, end)
    assert "Min Aung Hlaing" in panel.title.text()
    # a cue span or nothing: the box says so
    win.session.select(None)
    assert "Select an entity span" in panel.title.text()


def test_side_panel_accept_reject_link_new_and_split(win, qtbot) -> None:  # noqa: ANN001
    win.open_document(2)
    panel = win.kb.panel
    item = _select_text(win, "Shoigu", 1)
    span_id = win.session.editor.aliases.real(item.key[1])
    qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    assert win.project.kb_link_of(span_id).status == "accepted"
    assert "accepted" in panel.title.text() and not panel.accept_button.isEnabled()
    qtbot.mouseClick(panel.reject_button, Qt.MouseButton.LeftButton)
    assert win.project.kb_link_of(span_id).entry_id is None
    assert "not linked" in panel.title.text()
    panel.chooser.setCurrentIndex(panel.chooser.findData("vladimir-putin"))
    qtbot.mouseClick(panel.link_button, Qt.MouseButton.LeftButton)
    assert win.project.kb_link_of(span_id).entry_id == "vladimir-putin"
    qtbot.mouseClick(panel.unlink_button, Qt.MouseButton.LeftButton)
    assert win.project.kb_link_of(span_id).entry_id is None and not win.project.kb_rejections()
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert win.project.kb_link_of(span_id).entry_id == "shoigu"
    other = _select_text(win, "Kirichenko")
    other_id = win.session.editor.aliases.real(other.key[1])
    qtbot.mouseClick(panel.split_button, Qt.MouseButton.LeftButton)
    assert win.project.kb_link_of(other_id).entry_id == "kirichenko"
    assert win.project.kb_counts()["alexey-kirichenko"] == (2, 1)


def test_browser_search_merge_split_and_go_to(win, qtbot) -> None:  # noqa: ANN001
    browser = win.kb.open_browser()
    assert len(browser.visible_ids()) == len(win.project.kb_entries()) == 25
    qtbot.keyClicks(browser.search, "moskow")  # an alias finds its entry, accents and case aside
    assert browser.visible_ids() == ["moskwa"]
    browser.search.clear()
    browser.select_entry("kremlin")
    browser.select_entry("rusia")
    browser.merge_selected()
    assert {e.id for e in win.project.kb_entries()} >= {"kremlin"} and "rusia" not in browser.visible_ids()
    assert win.project.kb_counts()["kremlin"] == (18, 2)
    browser.table.clearSelection()
    browser.select_entry("kremlin")
    for i in range(browser.mentions.count()):
        browser.mentions.item(i).setSelected(browser.mentions.item(i).text().count("Kremlin") > 0)
    browser.split_selected("Kremlin (again)")
    assert win.project.kb_counts()["kremlin-again"] == (2, 2)
    assert win.project.kb_counts()["kremlin"] == (16, 2)
    browser.select_entry("kremlin-again")
    browser.mentions.itemActivated.emit(browser.mentions.item(1))
    assert win.session.doc_id == 2


def test_link_entities_runs_in_the_background(win, qtbot, seeds: Path) -> None:  # noqa: ANN001
    with Project(seeds) as p:
        p.kb_upsert_entries([])  # nothing
        for m in p.kb_mentions():
            p.kb_unlink(m.span_id)
        assert p.kb_mentions() == []
    job = win.kb.link_in_background()
    assert job is not None
    _idle(qtbot, win)
    assert len(win.project.kb_mentions()) > 80
    assert "Linked" in win.statusBar().currentMessage()


def test_story_view_lines_up_entities_across_outlets(win, qtbot) -> None:  # noqa: ANN001
    view = win.kb.open_stories()
    with qtbot.waitSignal(view.shown, timeout=20000):
        pass
    assert view.story.count() == 1 and "Arrahmah.com, Kompas.com" in view.story.itemText(0)
    t = view.table
    assert t.columnCount() == 2
    rows = {t.verticalHeaderItem(r).text(): r for r in range(t.rowCount())}
    mah = rows["Min Aung Hlaing (PER)"]
    assert t.item(mah, 0).text() == "Min Aung Hlaing  ×5"
    assert t.item(mah, 1).text() == "Min Aung Hlaing / Min Aung Hlain  ×4"
    moscow = rows["Moskwa (LOC)"]
    assert "MOSKOW" in t.item(moscow, 0).text() and "Moskwa" in t.item(moscow, 1).text()
    shoigu = rows["Sergei Shoigu (PER)"]
    assert t.item(shoigu, 0).text() == "" and t.item(shoigu, 1).background().color().name() == "#fff176"
    assert "Only here:" in view.notes[1].toPlainText() and "Sergei Shoigu" in view.notes[1].toPlainText()
    assert "Sergei Shoigu: “Kami bertekad" in view.notes[1].toPlainText()
    # the seeds have no QUOTE spans nor relations: every speaker there is the marked guess
    assert "(speaker guessed: nearest person)" in view.notes[1].toPlainText()
    view.target.setCurrentIndex(view.target.findData("rusia"))
    with qtbot.waitSignal(view.shown, timeout=20000):
        view.target.activated.emit(view.target.currentIndex())
    assert view.target.currentData() == "rusia"
    assert "Stance toward Rusia: names the target" in view.notes[0].toPlainText()
    view.goTo.emit(2, -1, -1)
    assert win.session.doc_id == 2
    view.close()


def test_story_view_marks_speakers_not_drawn_by_a_person(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from annotator.gui.kb.story_view import StoryView
    from annotator.kb.story_table import Quote, StoryArticle, StoryTable

    quotes = [Quote(0, 5, "drawn", "Budi", "span", "relation"),
              Quote(10, 15, "accepted", "Sari", "span", "accepted suggestion"),
              Quote(20, 25, "pending", "Andi", "span", "suggested relation"),
              Quote(30, 35, "guessed", "Rina", "span", "nearest person")]
    view = StoryView(tmp_path / "none.db", runner=None)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.shown):
        view._show_table(StoryTable([StoryArticle(1, "Kompas.com", "t", "", quotes)], []), None)
    lines = {line.split(":")[0].strip(): line for line in view.notes[0].toPlainText().splitlines() if ":" in line}
    assert "(" not in lines["Budi"].split("”")[-1]
    assert lines["Sari"].endswith("(speaker suggested: accepted suggestion)")
    assert lines["Andi"].endswith("(speaker suggested: suggested relation)")
    assert lines["Rina"].endswith("(speaker guessed: nearest person)")


_CTRL = Qt.KeyboardModifier.ControlModifier
_SHIFT = Qt.KeyboardModifier.ShiftModifier


def _undo(qtbot, widget) -> None:  # noqa: ANN001
    qtbot.keyClick(widget, Qt.Key.Key_Z, _CTRL)


def _redo(qtbot, widget) -> None:  # noqa: ANN001
    qtbot.keyClick(widget, Qt.Key.Key_Z, _CTRL | _SHIFT)


def _link(p: Project, span_id: int) -> tuple[str | None, str]:
    m = p.kb_link_of(span_id)
    return m.entry_id, m.status


def test_side_panel_link_actions_undo_and_redo(win, qtbot) -> None:  # noqa: ANN001
    win.open_document(2)
    win.activateWindow()
    panel, p = win.kb.panel, win.project
    span_id = win.session.editor.aliases.real(_select_text(win, "Shoigu", 1).key[1])
    assert _link(p, span_id) == ("sergei-shoigu", "suggested")
    qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    assert _link(p, span_id) == ("sergei-shoigu", "accepted")
    assert win.action("undo").text().startswith("&Undo Accept link")
    _undo(qtbot, win.view)
    assert _link(p, span_id) == ("sergei-shoigu", "suggested")
    assert "suggested" in panel.title.text() and panel.accept_button.isEnabled()  # the box redrew
    _redo(qtbot, win.view)
    assert _link(p, span_id) == ("sergei-shoigu", "accepted") and "accepted" in panel.title.text()
    qtbot.mouseClick(panel.reject_button, Qt.MouseButton.LeftButton)
    assert p.kb_rejections() == {span_id: {"sergei-shoigu"}}
    _undo(qtbot, win.view)
    assert _link(p, span_id) == ("sergei-shoigu", "accepted") and not p.kb_rejections()
    panel.chooser.setCurrentIndex(panel.chooser.findData("vladimir-putin"))
    qtbot.mouseClick(panel.link_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.unlink_button, Qt.MouseButton.LeftButton)
    assert _link(p, span_id) == (None, "")
    _undo(qtbot, win.view)
    assert _link(p, span_id) == ("vladimir-putin", "accepted")
    _undo(qtbot, win.view)
    assert _link(p, span_id) == ("sergei-shoigu", "accepted")
    # a new entry: undo takes the entry away with the link, redo brings both under the same id
    before = {e.id for e in p.kb_entries()}
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert _link(p, span_id) == ("shoigu", "accepted")
    _undo(qtbot, win.view)
    assert {e.id for e in p.kb_entries()} == before and _link(p, span_id) == ("sergei-shoigu", "accepted")
    _redo(qtbot, win.view)
    assert _link(p, span_id) == ("shoigu", "accepted") and p.kb_entry("shoigu").name == "Shoigu"
    # split off: undo puts the mention back on its entry and removes the new one
    other_id = win.session.editor.aliases.real(_select_text(win, "Kirichenko").key[1])
    counts = p.kb_counts()["alexey-kirichenko"]
    qtbot.mouseClick(panel.split_button, Qt.MouseButton.LeftButton)
    assert _link(p, other_id) == ("kirichenko", "accepted")
    _undo(qtbot, win.view)
    assert p.kb_link_of(other_id).entry_id == "alexey-kirichenko" and p.kb_counts()["alexey-kirichenko"] == counts
    assert "kirichenko" not in {e.id for e in p.kb_entries()}
    _redo(qtbot, win.view)
    assert _link(p, other_id) == ("kirichenko", "accepted")


def test_browser_merge_split_delete_undo_and_redo(win, qtbot) -> None:  # noqa: ANN001
    p = win.project
    browser = win.kb.open_browser()
    browser.activateWindow()
    qtbot.waitExposed(browser)
    kremlin, rusia = p.kb_entry("kremlin"), p.kb_entry("rusia")
    links = {e: p.kb_entry_links(e) for e in ("kremlin", "rusia")}
    browser.select_entry("kremlin")
    browser.select_entry("rusia")
    assert browser.merge_selected()
    assert p.kb_counts()["kremlin"] == (18, 2) and "rusia" not in browser.visible_ids()
    _undo(qtbot, browser.table)  # Ctrl+Z in the browser window
    assert (p.kb_entry("kremlin"), p.kb_entry("rusia")) == (kremlin, rusia)
    assert {e: p.kb_entry_links(e) for e in ("kremlin", "rusia")} == links
    assert "rusia" in browser.visible_ids()  # the table redrew
    _redo(qtbot, browser.table)
    assert p.kb_counts()["kremlin"] == (18, 2) and "rusia" not in browser.visible_ids()
    _undo(qtbot, browser.table)
    browser.select_entry("kremlin")
    for i in range(browser.mentions.count()):
        browser.mentions.item(i).setSelected(i < 2)
    assert browser.split_selected("Kremlin (again)")
    assert p.kb_counts()["kremlin-again"][0] == 2
    _undo(qtbot, browser.table)
    assert "kremlin-again" not in {e.id for e in p.kb_entries()} and p.kb_entry_links("kremlin") == links["kremlin"]
    browser.table.clearSelection()
    browser.select_entry("rusia")
    assert browser.delete_selected()
    assert "rusia" not in {e.id for e in p.kb_entries()}
    _undo(qtbot, browser.table)
    assert p.kb_entry("rusia") == rusia and p.kb_entry_links("rusia") == links["rusia"]
    # the same steps are on the main window's stack: its Undo action names the last one
    assert win.action("redo").text().startswith("&Redo Delete entry Rusia")
    browser.close()


def test_deleting_a_span_and_undo_brings_its_link_back(win, qtbot) -> None:  # noqa: ANN001
    win.open_document(2)
    win.activateWindow()
    win.view.setFocus()
    p = win.project
    item = _select_text(win, "Shoigu", 1)
    span_id = win.session.editor.aliases.real(item.key[1])
    uid = p.span_uid(span_id)
    qtbot.mouseClick(win.kb.panel.accept_button, Qt.MouseButton.LeftButton)
    win.session.select(item.key)
    qtbot.keyClick(win.view, Qt.Key.Key_Delete)
    assert p.kb_link_by_uid(uid) is None and item.key not in win.session.ordered_keys()
    _undo(qtbot, win.view)
    back = win.session.editor.aliases.real(item.key[1])
    assert p.span_uid(back) == uid and _link(p, back) == ("sergei-shoigu", "accepted")
    _redo(qtbot, win.view)
    assert p.kb_link_by_uid(uid) is None
    _undo(qtbot, win.view)
    _undo(qtbot, win.view)  # and the accept before it, on the span restored under its uid
    assert _link(p, win.session.editor.aliases.real(item.key[1])) == ("sergei-shoigu", "suggested")
