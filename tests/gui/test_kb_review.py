"""The comparison view names the knowledge-base links two annotators disagree on."""

from __future__ import annotations

import pytest

from annotator.core.kb import KBEntry
from annotator.gui.review import ReviewWindow
from tests.gui.review_helpers import merged
from tests.review.factory import build

pytestmark = pytest.mark.gui

TEXT = "Presiden Joko Widodo bertemu Vladimir Putin di Moskow."
JOKO, PUTIN = (9, 20, "PER"), (29, 43, "PER")


def test_compare_view_lists_link_disagreements(qtbot, tmp_path) -> None:  # noqa: ANN001
    work = {name: {0: {"spans": [JOKO, PUTIN], "state": "done"}} for name in ("alice", "bob")}
    p, _ = build(tmp_path / "r.db", [TEXT], work)
    for e in (KBEntry("joko-widodo", "Joko Widodo", "PER"), KBEntry("vladimir-putin", "Vladimir Putin", "PER")):
        p.kb_add_entry(e)
    for m in p.kb_mentions(linked_only=False):
        right = "joko-widodo" if m.start == 9 else "vladimir-putin"
        wrong = "vladimir-putin" if m.annotator == "bob" and m.start == 9 else right
        p.kb_set_link(m.span_id, wrong)
    p.close()
    w = ReviewWindow(tmp_path / "r.db")
    qtbot.addWidget(w)
    w.show()
    w.compare.show_document(1, "entities")
    merged(qtbot, w)
    text = w.compare.link_notes.text()
    assert "Links differ on 1 mention(s)" in text
    assert "“Joko Widodo” (9-20): alice: joko-widodo; bob: vladimir-putin" in text
    w.compare.show_document(1, "cues")
    assert w.compare.link_notes.text() == ""
    w.close()
