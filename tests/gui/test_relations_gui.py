"""Relations in the workspace, with qtbot: create by keyboard (head, relation key, child, key)
and by mouse (drag from the selected span to another), relabel and delete by keyboard (the
relation list) and by mouse (its context menu), undo and redo, arcs drawn in the relation
colour, suggested relations listed and accepted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFontMetricsF

from annotator.core.relations import Endpoint, SuggestedRelation
from annotator.editing import REL, REL_SUGGESTION, SPAN, Key
from annotator.gui.main_window import MainWindow
from annotator.store import Project
from tests.gui.conftest import TEXT_A, find

pytestmark = pytest.mark.gui

SHIFT = Qt.KeyboardModifier.ShiftModifier


def rels(project: Project) -> set[tuple[str, str, str]]:
    text = project.get_text(1)
    return {(r.label, text[r.head_end.start:r.head_end.end], text[r.child_end.start:r.child_end.end])
            for r in project.relations(1, "ani")}


def span(win: MainWindow, needle: str, label: str, layer: str = "entities", nth: int = 0) -> Key:
    key = win.session.create_span(*find(TEXT_A, needle, nth), label, layer)
    assert key is not None and key[0] == SPAN
    return key


def centre(win: MainWindow, key: Key) -> QPoint:
    item = win.session.item_for(key)
    return win.view.range_rects(item.start16, item.end16)[0].center().toPoint()


def test_create_by_keyboard(qtbot, window: MainWindow, demo_project: Project):
    head = span(window, "mengatakan", "REPORT", "cues")
    child = span(window, "Shoigu", "PER", nth=1)
    window.session.select(head)
    qtbot.keyClick(window.view, Qt.Key.Key_S, SHIFT)  # SPEAKER from the head...
    assert window.relations.pending == ("SPEAKER", head)
    window.session.select(child)
    qtbot.keyClick(window.view, Qt.Key.Key_S, SHIFT)  # ...to the child
    assert rels(demo_project) == {("SPEAKER", "mengatakan", "Shoigu")}
    assert window.relations.panel.count() == 1 and len(window.relations.overlay.arcs) == 1
    window.session.undo_stack.undo()
    assert rels(demo_project) == set() and window.relations.panel.count() == 0
    window.session.undo_stack.redo()
    assert rels(demo_project) == {("SPEAKER", "mengatakan", "Shoigu")}


def test_keyboard_refuses_a_wrong_head_and_esc_cancels(qtbot, window: MainWindow, demo_project: Project):
    person = span(window, "Shoigu", "PER", nth=1)
    window.session.select(person)
    qtbot.keyClick(window.view, Qt.Key.Key_S, SHIFT)
    assert window.relations.pending is None and "SPEAKER head" in window.statusBar().currentMessage()
    head = span(window, "mengatakan", "REPORT", "cues")
    window.session.select(head)
    qtbot.keyClick(window.view, Qt.Key.Key_S, SHIFT)
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.relations.pending is None and rels(demo_project) == set()


def test_create_by_mouse_drag_and_by_click(qtbot, window: MainWindow, demo_project: Project):
    head = span(window, "mengatakan", "REPORT", "cues")
    child = span(window, "Shoigu", "PER", nth=1)
    window.session.select(head)
    vp = window.view.viewport()
    a, b = centre(window, head), centre(window, child)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    qtbot.mouseMove(vp, b)
    assert window.relations.overlay.drag_line is not None  # the rubber band follows the mouse
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert rels(demo_project) == {("SPEAKER", "mengatakan", "Shoigu")}
    assert window.relations.overlay.drag_line is None
    # the keyboard's head and a click on the child
    cue = span(window, "berkomitmen", "COMMIT", "cues")
    window.session.select(cue)
    qtbot.keyClick(window.view, Qt.Key.Key_H, SHIFT)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=centre(window, child))
    assert ("HOLDER", "berkomitmen", "Shoigu") in rels(demo_project)


def test_relabel_and_delete_by_keyboard_in_the_list(qtbot, window: MainWindow, demo_project: Project):
    cue = span(window, "berkomitmen", "COMMIT", "cues")
    child = span(window, "Shoigu", "PER", nth=1)
    assert window.relations.relate(cue, child, "HOLDER")
    panel = window.relations.panel
    [key] = panel.keys()
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=panel.row_rect_centre(key))
    assert window.relations.selected == key
    qtbot.keyClick(panel, Qt.Key.Key_T, SHIFT)  # relabel as TARGET
    assert rels(demo_project) == {("TARGET", "berkomitmen", "Shoigu")}
    qtbot.keyClick(panel, Qt.Key.Key_S, SHIFT)  # SPEAKER cannot start at a COMMIT cue: refused, said
    assert rels(demo_project) == {("TARGET", "berkomitmen", "Shoigu")}
    qtbot.keyClick(panel, Qt.Key.Key_Delete)
    assert rels(demo_project) == set() and panel.count() == 0
    assert {s.label for s in demo_project.spans(1, "ani")} == {"COMMIT", "PER"}  # the spans stay
    window.session.undo_stack.undo()
    assert rels(demo_project) == {("TARGET", "berkomitmen", "Shoigu")}


def test_relabel_and_delete_by_mouse_in_the_list(qtbot, window: MainWindow, demo_project: Project):
    cue = span(window, "berkomitmen", "COMMIT", "cues")
    child = span(window, "Shoigu", "PER", nth=1)
    window.relations.relate(cue, child, "HOLDER")
    panel = window.relations.panel
    [key] = panel.keys()
    menu = panel.menu_for(panel.row_rect_centre(key))
    relabel = next(a for a in menu.actions() if a.text() == "Relabel as").menu()
    next(a for a in relabel.actions() if a.text().startswith("TARGET")).trigger()
    assert rels(demo_project) == {("TARGET", "berkomitmen", "Shoigu")}
    menu = panel.menu_for(panel.row_rect_centre(panel.keys()[0]))
    next(a for a in menu.actions() if a.text() == "Delete").trigger()
    assert rels(demo_project) == set()


def test_deleting_a_span_takes_its_arc_and_undo_brings_it_back(qtbot, window: MainWindow, demo_project: Project):
    head = span(window, "mengatakan", "REPORT", "cues")
    child = span(window, "Shoigu", "PER", nth=1)
    window.relations.relate(head, child, "SPEAKER")
    window.session.select(child)
    qtbot.keyClick(window.view, Qt.Key.Key_X)
    assert rels(demo_project) == set() and not window.relations.overlay.arcs
    window.session.undo_stack.undo()
    assert rels(demo_project) == {("SPEAKER", "mengatakan", "Shoigu")} and len(window.relations.overlay.arcs) == 1


def test_arcs_are_painted_in_the_relation_colour(qtbot, window: MainWindow):
    head = span(window, "mengatakan", "REPORT", "cues")
    child = span(window, "Shoigu", "PER", nth=1)
    window.relations.relate(head, child, "SPEAKER")
    overlay = window.relations.overlay
    [arc] = overlay.arcs.values()
    image = window.view.viewport().grab().toImage()
    assert overlay.painted == 1
    rect = overlay.arc_rect(arc)
    want = QColor(window.session.schema.relation("SPEAKER").colour)
    found = 0
    for x in range(max(0, rect.left()), min(image.width(), rect.right())):
        for y in range(max(0, rect.top()), min(image.height(), rect.bottom())):
            c = image.pixelColor(x, y)
            if abs(c.red() - want.red()) < 40 and abs(c.green() - want.green()) < 40 and abs(c.blue() - want.blue()) < 40:
                found += 1
    assert found > 20


def test_suggested_relations_are_listed_dashed_and_accepted(qtbot, demo_project: Project):
    from annotator.gui.main_window import MainWindow

    head = Endpoint("cues", *find(TEXT_A, "mengatakan"), "REPORT")
    child = Endpoint("entities", *find(TEXT_A, "Shoigu", 1), "PER")
    demo_project.set_relation_suggestions(1, [SuggestedRelation("SPEAKER", head, child, score=0.9)], "test", "1")
    win = MainWindow(demo_project, "ani")
    qtbot.addWidget(win)
    win.show()
    win.open_document(1)
    panel = win.relations.panel
    [key] = panel.keys()
    overlay = win.relations.overlay
    assert key[0] == REL_SUGGESTION and overlay.arcs[key].suggested
    assert not overlay.shown(overlay.arcs[key])  # listed; drawn only at the selected span
    win.session.select(win.session.editor.doc.endpoint_key(head))
    assert overlay.shown(overlay.arcs[key])
    win.session.select(None)
    first = panel.model().index(0, 0)
    assert "(0.90)" in first.data() and first.data(Qt.ItemDataRole.FontRole).italic()
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=panel.row_rect_centre(key))
    qtbot.keyClick(panel, Qt.Key.Key_Return)
    assert rels(demo_project) == {("SPEAKER", "mengatakan", "Shoigu")}
    assert [k[0] for k in panel.keys()] == [REL]
    win.close()


def test_relabelling_an_end_marks_its_relation_and_offers_to_delete(qtbot, window: MainWindow,
                                                                     demo_project: Project):
    head = span(window, "mengatakan", "REPORT", "cues")
    child = span(window, "Shoigu", "PER", nth=1)
    window.relations.relate(head, child, "SPEAKER")
    panel = window.relations.panel
    [key] = panel.keys()
    window.session.select(child)
    qtbot.keyClick(window.view, Qt.Key.Key_3)  # relabel the child LOC: a SPEAKER child is PER or ORG
    assert {s.label for s in demo_project.spans(1, "ani", "entities")} == {"LOC"}
    assert "no longer fit" in window.statusBar().currentMessage()
    assert rels(demo_project) == {("SPEAKER", "mengatakan", "Shoigu")}  # kept, not dropped silently
    assert "child" in panel.problem_of(key) and panel.text_of(key).startswith("⚠")
    assert window.relations.invalid() == [key]
    window._actions["relation_delete_invalid"].trigger()  # noqa: SLF001 - the offered deletion
    assert rels(demo_project) == set() and panel.count() == 0
    window.session.undo_stack.undo()
    assert rels(demo_project) == {("SPEAKER", "mengatakan", "Shoigu")} and panel.problem_of(key)
    window.session.undo_stack.undo()  # the relabelling: both as before, nothing marked
    assert {s.label for s in demo_project.spans(1, "ani", "entities")} == {"PER"}
    assert rels(demo_project) == {("SPEAKER", "mengatakan", "Shoigu")} and panel.problem_of(key) == ""
    assert not panel.text_of(key).startswith("⚠")


def _line_tops(win: MainWindow) -> list[float]:
    view = win.view
    tops = []
    block = view.document().begin()
    while block.isValid():
        origin = view.blockBoundingGeometry(block).translated(view.contentOffset()).topLeft()
        tops += [origin.y() + block.layout().lineAt(i).y() for i in range(block.layout().lineCount())]
        block = block.next()
    return tops


def test_arcs_have_room_above_their_lines_and_never_cross_text(qtbot, window: MainWindow, demo_project: Project):
    window.resize(900, 600)
    gaps_before = [b - a for a, b in zip(_line_tops(window), _line_tops(window)[1:], strict=False)]
    assert not window.relations.gap.active
    head = span(window, "mengatakan", "REPORT", "cues")
    same_line = span(window, "Shoigu", "PER", nth=1)  # the second line: "Shoigu mengatakan ..."
    other_line = span(window, "Sergei Shoigu", "PER")  # the first line
    window.relations.relate(head, same_line, "SPEAKER")
    window.relations.relate(head, other_line, "SPEAKER")
    qtbot.wait(10)
    ctl = window.relations
    assert ctl.gap.active and ctl.gap.gap >= 10
    tops = _line_tops(window)
    # every line with room for arcs: the text sits lower in a taller line
    assert min(b - a for a, b in zip(tops, tops[1:], strict=False)) >= max(gaps_before) + ctl.gap.gap - 1
    overlay = ctl.overlay
    label_h = QFontMetricsF(overlay._font).height()  # noqa: SLF001 - the label's height
    for arc in overlay.arcs.values():
        a, b = overlay.anchors(arc)
        path, label = overlay.route(arc, a, b)
        for end in (a, b):  # an end is the top of its span's text, below its line's room
            line_top = max(t for t in tops if t <= end.y())
            assert end.y() == pytest.approx(line_top + ctl.gap.gap)
        # the whole drawing stays within the rooms above the two ends' lines: never over text
        lines = sorted({max(t for t in tops if t <= e.y()) for e in (a, b)})
        box = path.boundingRect()
        assert box.top() >= lines[0] - 0.5 and label.y() - label_h / 2 >= lines[0] - 1.5
        if len(lines) == 2:  # across lines: along the upper line's room, then the lower line's
            ys = {round(path.elementAt(i).y, 1) for i in range(path.elementCount())}
            assert all(y <= lines[0] + ctl.gap.gap + 0.5 or y >= lines[1] - 0.5 for y in ys)
    # an article without relations keeps the lines as they were
    window.open_document(2)
    assert not ctl.gap.active


def test_a_long_article_gets_room_for_arcs_as_it_scrolls(qtbot, window: MainWindow, demo_project: Project):
    from annotator.core.model import Document
    from annotator.gui.relations.line_gap import FIRST_CHARS

    para = "Menteri Shoigu mengatakan Rusia siap membantu kapan saja dan di mana saja. " * 12
    text = "\n".join([para] * 60) + "\nKata Shoigu di akhir."
    doc, _ = demo_project.add_document(Document(text, title="long"))
    window.open_document(doc)
    head = window.session.create_span(text.index("mengatakan"), text.index("mengatakan") + 10, "REPORT", "cues")
    child = window.session.create_span(text.index("Shoigu"), text.index("Shoigu") + 6, "PER", "entities")
    assert window.relations.relate(head, child, "SPEAKER")
    gap = window.relations.gap
    view = window.view
    last = view.document().lastBlock()
    assert gap.active and last.blockNumber() not in gap.spaced  # far below: no room made for it yet
    assert sum(len(para) + 1 for n in gap.spaced) < FIRST_CHARS + 2 * len(para)
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    qtbot.wait(20)
    assert last.blockNumber() in gap.spaced
    layout = last.previous().layout()
    base = QFontMetricsF(view.font()).height()
    assert layout.lineAt(0).height() >= base + gap.gap - 1  # its lines are taller: room above the text
