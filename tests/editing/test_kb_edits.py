"""Knowledge-base edits without Qt: link, decide, unlink, new entry, split, merge and delete
are undone and redone exactly; a span's delete (or an accept's undo) takes its link and the
undo puts it back on the span restored under its uid."""

from __future__ import annotations

from annotator.core.kb import KBEntry, KBLink
from annotator.editing import SPAN, SUGGESTION, Editor
from annotator.editing.kb_plans import (
    plan_decide,
    plan_delete_entries,
    plan_link,
    plan_merge,
    plan_new_entry,
    plan_split,
    plan_unlink,
)
from annotator.store import Project
from tests.demo import TEXT_A, find
from tests.editing.conftest import History


def _span(history: History, needle: str, nth: int = 0) -> tuple[tuple[str, int], int]:
    key = history.run(history.editor.plan_create(*find(TEXT_A, needle, nth), "PER", "entities")).made
    assert key is not None and key[0] == SPAN
    return key, history.editor.aliases.real(key[1])


def _state(p: Project) -> tuple[list[KBEntry], dict[str, dict[str, KBLink]]]:
    entries = p.kb_entries()
    return entries, {e.id: p.kb_entry_links(e.id) for e in entries}


def test_link_edits_undo_and_redo(editor: Editor, history: History, demo_project: Project) -> None:
    p = demo_project
    _key, sid = _span(history, "Shoigu", 1)
    p.kb_add_entry(KBEntry("sergei-shoigu", "Sergei Shoigu", "PER"))
    p.kb_add_entry(KBEntry("putin", "Vladimir Putin", "PER"))
    p.kb_set_link(sid, "sergei-shoigu", status="suggested", origin="alias", score=0.9)
    suggested = p.kb_link_by_uid(p.span_uid(sid))
    steps = [lambda: plan_decide(p, sid, "accepted"), lambda: plan_decide(p, sid, "rejected"),
             lambda: plan_link(p, sid, "putin"), lambda: plan_unlink(p, sid), lambda: plan_new_entry(p, sid)]
    seen = [_state(p)]
    for plan in steps:
        change = history.run(plan())
        assert change.kb and not change.removed and not change.added
        seen.append(_state(p))
    assert p.kb_link_of(sid).entry_id == "shoigu" and p.kb_entry("shoigu").name == "Shoigu"
    for want in reversed(seen[:-1]):
        history.undo()
        assert _state(p) == want
    assert p.kb_link_by_uid(p.span_uid(sid)) == suggested
    for want in seen[1:]:
        history.redo()
        assert _state(p) == want


def test_split_merge_and_delete_undo_and_redo(editor: Editor, history: History, demo_project: Project) -> None:
    p = demo_project
    ids = [_span(history, "Sergei Shoigu")[1], _span(history, "Shoigu", 1)[1]]
    p.kb_add_entry(KBEntry("sergei-shoigu", "Sergei Shoigu", "PER", ("Shoigu",), external_ids={"wikidata": "Q1"}))
    p.kb_add_entry(KBEntry("shojgu", "Shojgu", "PER", description="a spelling"))
    p.kb_set_link(ids[0], "sergei-shoigu")
    p.kb_set_link(ids[1], "shojgu", status="suggested", origin="edit-distance", score=0.7)
    before = _state(p)
    history.run(plan_merge(p, ["sergei-shoigu", "shojgu"]))
    merged = _state(p)
    assert [e.id for e in merged[0]] == ["sergei-shoigu"] and set(merged[1]["sergei-shoigu"]) == \
        {p.span_uid(i) for i in ids}
    history.undo()
    assert _state(p) == before
    history.redo()
    assert _state(p) == merged
    history.run(plan_split(p, "sergei-shoigu", [ids[1]], "Shoigu only"))
    assert p.kb_link_of(ids[1]).entry_id == "shoigu-only"
    history.undo()
    assert _state(p) == merged
    history.run(plan_delete_entries(p, ["sergei-shoigu"]))
    assert p.kb_entries() == [] and p.kb_link_of(ids[0]).entry_id is None
    history.undo()
    assert _state(p) == merged


def test_a_deleted_span_comes_back_linked(editor: Editor, history: History, demo_project: Project) -> None:
    p = demo_project
    key, sid = _span(history, "Shoigu", 1)
    uid = p.span_uid(sid)
    p.kb_add_entry(KBEntry("sergei-shoigu", "Sergei Shoigu", "PER"))
    history.run(plan_link(p, sid, "sergei-shoigu"))
    change = history.run(editor.plan_delete(key[1]))
    assert change.kb and p.kb_link_by_uid(uid) is None  # the foreign key took it with the span
    change = history.undo()
    back = editor.aliases.real(key[1])
    assert change.kb and p.span_uid(back) == uid and p.kb_link_of(back).entry_id == "sergei-shoigu"
    history.redo()
    history.undo()
    assert p.kb_link_by_uid(uid) == KBLink("sergei-shoigu")
    # an entry gone meanwhile (the linker drops entries nothing links to): the span comes back unlinked
    history.redo()
    p.kb_delete_entry("sergei-shoigu")
    history.undo()
    assert p.span_uid(editor.aliases.real(key[1])) == uid and p.kb_link_by_uid(uid) is None


def test_undo_of_an_accept_keeps_the_link_for_the_redo(editor: Editor, history: History,
                                                       demo_project: Project) -> None:
    p = demo_project
    sugg = next(k for k, g in editor.doc.suggestions.items() if g.layer == "entities")
    made = history.run(editor.plan_accept((SUGGESTION, sugg))).made
    assert made is not None
    sid = editor.aliases.real(made[1])
    uid = p.span_uid(sid)
    p.kb_add_entry(KBEntry("x", "X", "PER"))
    p.kb_set_link(sid, "x", status="suggested", origin="exact", score=1.0)  # the linker, in the background
    history.undo()
    assert p.kb_link_by_uid(uid) is None
    history.redo()
    assert p.kb_link_by_uid(uid) == KBLink("x", "exact", 1.0, "suggested")
