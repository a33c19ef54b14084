"""The project memory follows the annotator's work in the GUI."""

from __future__ import annotations

import time

from annotator.core.model import Document
from annotator.store import Project
from tests.gui.conftest import TEXT_A, find

TEXT_D = "Kemarin Shoigu tiba di Moskwa untuk bertemu Sergei Shoigu."


def test_memory_refresh_after_create_reaches_unopened_documents_within_a_second(qtbot, demo_project: Project):
    from annotator.gui.main_window import MainWindow

    d4, _ = demo_project.add_document(Document(TEXT_D, title="Shoigu"))
    win = MainWindow(demo_project, "ani")
    qtbot.addWidget(win)
    win.show()
    win.open_document(1)
    # ani already decided something on document 3: it is hers in progress, the refresh leaves it alone
    sug = demo_project.suggestions(3, pending_for="ani")[0]
    demo_project.reject_suggestion(sug.id or 0, "ani")
    before_c = [(s.start, s.end, s.label, s.origin) for s in demo_project.suggestions(3, viewer="ani")]

    s, e = find(TEXT_A, "Shoigu", 1)  # the bare "Shoigu" starting the second sentence
    started = time.monotonic()
    win.session.create_span(s, e, "ORG")
    qtbot.waitUntil(lambda: any(g.origin == "memory:ani" for g in demo_project.suggestions(d4, viewer="ani")),
                    timeout=1000)
    assert time.monotonic() - started < 1.0
    got = {(TEXT_D[g.start:g.end], g.label) for g in demo_project.suggestions(d4, viewer="ani")
           if g.origin == "memory:ani"}
    assert got == {("Shoigu", "ORG")}
    qtbot.waitUntil(lambda: not win.memory.busy, timeout=2000)
    assert [(s.start, s.end, s.label, s.origin) for s in demo_project.suggestions(3, viewer="ani")] == before_c
    assert demo_project.suggestion_decisions(3, "ani") == {sug.id: "rejected"}
    # another annotator sees none of it (blind mode, the default)
    assert not any(g.origin.startswith("memory:") for g in demo_project.suggestions(d4, viewer="bob"))
    win.close()


def test_memory_refresh_redoes_the_documents_next_in_the_list_not_the_open_one(qtbot, demo_project: Project,
                                                                               monkeypatch):
    """A refresh redoes the untouched documents after the open one in the list (two here), going
    on from the top: not the whole project (a million articles took 105 s after each accept), and
    not the open document, whose suggestions stay those it opened with."""
    from annotator.core.model import Span
    from annotator.gui import main_window
    from annotator.gui.main_window import MainWindow

    monkeypatch.setattr(main_window, "AHEAD", 2)
    d4, _ = demo_project.add_document(Document(TEXT_D, title="Shoigu"))
    d5, _ = demo_project.add_document(Document(TEXT_D + " Lagi.", title="Shoigu lagi"))
    win = MainWindow(demo_project, "ani")
    qtbot.addWidget(win)
    win.show()
    win.open_document(d4)
    qtbot.waitUntil(lambda: not win.memory.busy, timeout=3000)
    assert win.documents.ahead(3, 2) == [d4, d5] and win.documents.ahead(d5, 9) == [1, 2, 3, d4]

    def memory_suggested(doc: int) -> bool:
        return any(g.origin == "memory:ani" for g in demo_project.suggestions(doc, viewer="ani"))

    s, e = find(TEXT_A, "Shoigu", 1)
    demo_project.add_span(1, Span(start=s, end=e, label="ORG", layer="entities"), "ani")  # made elsewhere
    win.memory.schedule()
    qtbot.waitUntil(lambda: memory_suggested(d5), timeout=3000)
    qtbot.waitUntil(lambda: not win.memory.busy, timeout=3000)
    assert not memory_suggested(d4)  # open: left as it opened
    win.open_document(d5)  # the next two are 1 (ani's work: left alone) and 2
    qtbot.waitUntil(lambda: not win.memory.busy, timeout=3000)
    assert demo_project.memory_views(1) == [] and not memory_suggested(d4)  # d4 is not among them
    win.open_document(3)  # d4 and d5 next
    qtbot.waitUntil(lambda: memory_suggested(d4), timeout=3000)
    win.close()


def test_document_list_most_useful_first(qtbot, demo_project: Project):
    """The list's "Most useful first" order: mean entropy of the suggestion scores, by hand."""
    from annotator.gui.document_panel import DocumentPanel

    # demo: document 1 has scores 0.8, 0.9, 0.8, 0.8, 0.7 (mean H of the entities: 0.8, 0.9, 0.8, 0.8);
    # document 3 has 0.8, 0.8; document 2 none
    panel = DocumentPanel(demo_project, "ani")
    qtbot.addWidget(panel)
    assert panel.ids() == [1, 2, 3]
    panel.order.setCurrentIndex(panel.order.findData("uncertain"))
    # H(0.8) = 0.7219 > mean(H(0.8) x3, H(0.9)) = 0.6587: document 3 first, 2 (nothing to judge) last
    assert panel.ids() == [3, 1, 2]
    panel.order.setCurrentIndex(panel.order.findData("id"))
    assert panel.ids() == [1, 2, 3]
