"""Relation edits without Qt: create (accepting suggested ends), relabel, delete, accept and
reject suggested relations; every one undone and redone; a span's delete takes its relations
and its undo brings them back under the same uids."""

from __future__ import annotations

from annotator.core.relations import Endpoint, SuggestedRelation
from annotator.editing import REL, REL_SUGGESTION, SPAN, SUGGESTION, Editor, NoEdit
from annotator.store import Project
from tests.demo import TEXT_A, find
from tests.editing.conftest import History


def rels(project: Project) -> set[tuple[str, tuple[int, int], tuple[int, int]]]:
    return {(r.label, r.head_end.extent, r.child_end.extent) for r in project.relations(1, "ani")}


def report_key(editor: Editor) -> tuple[str, int]:
    start, _ = find(TEXT_A, "mengatakan")
    return next((SUGGESTION, k) for k, g in editor.doc.suggestions.items() if g.start == start)


def shoigu(history: History) -> tuple[str, int]:
    key = history.run(history.editor.plan_create(*find(TEXT_A, "Shoigu", 1), "PER", "entities")).made
    assert key is not None
    return key


def test_create_accepts_a_suggested_head_and_undo_redo(editor: Editor, history: History, demo_project: Project):
    child = shoigu(history)
    change = history.run(editor.plan_relate(report_key(editor), child, "SPEAKER"))
    want = {("SPEAKER", find(TEXT_A, "mengatakan"), find(TEXT_A, "Shoigu", 1))}
    assert rels(demo_project) == want
    assert any(k[0] == REL for k in change.relations) and len(editor.doc.relations) == 1
    assert {s.label for s in demo_project.spans(1, "ani")} == {"PER", "REPORT"}
    history.undo()  # the relation and the accept of its head, in one step
    assert rels(demo_project) == set() and {s.label for s in demo_project.spans(1, "ani")} == {"PER"}
    assert not editor.doc.relations
    history.redo()
    assert rels(demo_project) == want and len(editor.doc.relations) == 1


def test_the_schema_decides_what_may_be_related(editor: Editor, history: History):
    child = shoigu(history)
    plan = editor.plan_relate(child, report_key(editor), "SPEAKER")
    assert isinstance(plan, NoEdit) and plan.message == "A SPEAKER head is a cues QUOTE/REPORT span, not entities PER"
    assert isinstance(editor.plan_relate(child, child, "SPEAKER"), NoEdit)
    history.run(editor.plan_relate(report_key(editor), child, "SPEAKER"))
    again = editor.plan_relate(next((SPAN, k) for k, s in editor.doc.spans.items() if s.label == "REPORT"), child,
                               "SPEAKER")
    assert isinstance(again, NoEdit) and "already there" in (again.message or "")


def test_relabel_and_delete_with_undo(editor: Editor, history: History, demo_project: Project):
    child = shoigu(history)
    cue = history.run(editor.plan_create(*find(TEXT_A, "berkomitmen"), "COMMIT", "cues")).made
    assert cue is not None
    history.run(editor.plan_relate(cue, child, "HOLDER"))
    [uid] = editor.doc.relations
    refused = editor.plan_relabel_relation((REL, uid), "SPEAKER")
    assert isinstance(refused, NoEdit) and "SPEAKER relation cannot have a cues COMMIT span" in (refused.message or "")
    history.run(editor.plan_relabel_relation((REL, uid), "TARGET"))
    assert {r[0] for r in rels(demo_project)} == {"TARGET"}
    history.run(editor.plan_delete_relation((REL, uid)))
    assert rels(demo_project) == set()
    history.undo()
    assert [r.uid for r in demo_project.relations(1, "ani")] == [uid]  # same identity back
    history.undo()
    assert {r[0] for r in rels(demo_project)} == {"HOLDER"}


def test_deleting_a_span_deletes_its_relations_undoably(editor: Editor, history: History, demo_project: Project):
    child = shoigu(history)
    cue = history.run(editor.plan_create(*find(TEXT_A, "berkomitmen"), "COMMIT", "cues")).made
    history.run(editor.plan_relate(cue, child, "HOLDER"))
    history.run(editor.plan_relate(report_key(editor), child, "SPEAKER"))
    before = {r.uid for r in demo_project.relations(1, "ani")}
    change = history.run(editor.plan_delete(child[1]))
    assert demo_project.relations(1, "ani") == [] and not editor.doc.relations
    assert {k[1] for k in change.relations} == before
    history.undo()
    assert {r.uid for r in demo_project.relations(1, "ani")} == before
    assert set(editor.doc.relations) == before
    history.redo()
    assert demo_project.relations(1, "ani") == []


def test_accept_and_reject_suggested_relations(demo_project: Project):
    head = Endpoint("cues", *find(TEXT_A, "mengatakan"), "REPORT")  # a pending span suggestion
    child = Endpoint("entities", *find(TEXT_A, "Shoigu", 1), "PER")  # nothing there yet
    demo_project.set_relation_suggestions(1, [SuggestedRelation("SPEAKER", head, child, score=0.8)], "test", "1")
    editor = Editor(demo_project, "ani")
    editor.open(1)
    history = History(editor)
    [sid] = editor.doc.relation_suggestions
    assert editor.doc.endpoint_key(head) == report_key(editor) and editor.doc.endpoint_key(child) is None
    history.run(editor.plan_accept_relation((REL_SUGGESTION, sid)))
    assert rels(demo_project) == {("SPEAKER", head.extent, child.extent)}
    assert {s.label for s in demo_project.spans(1, "ani")} == {"PER", "REPORT"}
    assert not editor.doc.relation_suggestions
    history.undo()
    assert rels(demo_project) == set() and demo_project.spans(1, "ani") == []
    assert list(editor.doc.relation_suggestions) == [sid]
    history.run(editor.plan_delete_relation((REL_SUGGESTION, sid)))
    assert demo_project.relation_suggestions(1, pending_for="ani") == []
    history.undo()
    assert len(demo_project.relation_suggestions(1, pending_for="ani")) == 1


def test_relabelling_an_end_out_of_the_schema_is_told_marked_and_offered_to_delete(
        editor: Editor, history: History, demo_project: Project):
    child = shoigu(history)
    history.run(editor.plan_relate(report_key(editor), child, "SPEAKER"))
    [uid] = editor.doc.relations
    assert editor.invalid_relations() == {}
    plan = editor.plan_relabel(child, "LOC")  # a SPEAKER child is a PER or ORG
    assert "1 relation(s) no longer fit" in (plan.done or "") and "entities LOC" in plan.done
    history.run(plan)
    # kept (never dropped silently), with its end as it is now, and marked
    assert rels(demo_project) == {("SPEAKER", find(TEXT_A, "mengatakan"), find(TEXT_A, "Shoigu", 1))}
    assert editor.doc.relations[uid].child_end.label == "LOC"
    assert list(editor.invalid_relations()) == [uid] and "child" in editor.invalid_relations()[uid]
    history.undo()  # the relabelling undone: the relation fits again
    assert editor.invalid_relations() == {} and editor.doc.relations[uid].child_end.label == "PER"
    history.redo()
    history.run(editor.plan_delete_invalid_relations())
    assert rels(demo_project) == set() and not editor.doc.relations
    assert isinstance(editor.plan_delete_invalid_relations(), NoEdit)
    history.undo()  # the deletion undone: the relation is back, still marked
    assert list(editor.invalid_relations()) == [uid]
    history.undo()  # and the relabelling: label and relation both as before
    assert editor.invalid_relations() == {} and {s.label for s in demo_project.spans(1, "ani")} == {"PER", "REPORT"}
    assert len(demo_project.relations(1, "ani")) == 1
    # a relabel within what the type allows says nothing
    assert editor.plan_relabel(child, "ORG").done is None
