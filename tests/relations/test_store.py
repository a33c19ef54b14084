"""Relations in the store: by span uid, deleted with their spans, suggested apart, decisions kept."""

from __future__ import annotations

import pytest

from annotator.core.errors import NotFoundError, SchemaError
from annotator.core.model import Document, Span
from annotator.core.relations import Endpoint, SuggestedRelation
from annotator.store import Project
from tests.rawdb import connection

TEXT = '"Kami bertekad," kata Shoigu di Moskwa.'
Q = (1, 15)  # Kami bertekad,
P = (22, 28)  # Shoigu
L = (32, 38)  # Moskwa


@pytest.fixture
def project(target):
    """Each test here runs on a project file and on a server database (fixture ``target``)."""
    with Project(target) as p:
        yield p


def _doc(project: Project) -> tuple[int, int, int, int]:
    doc, _new = project.add_document(Document(TEXT))
    q = project.add_span(doc, Span(*Q, "QUOTE", "cues"), "ann")
    p = project.add_span(doc, Span(*P, "PER"), "ann")
    loc = project.add_span(doc, Span(*L, "LOC"), "ann")
    return doc, q, p, loc


def test_offsets_fit_the_text() -> None:
    assert TEXT[Q[0]:Q[1]] == "Kami bertekad," and TEXT[P[0]:P[1]] == "Shoigu" and TEXT[L[0]:L[1]] == "Moskwa"


def test_add_move_and_delete_with_span(project: Project) -> None:
    doc, q, p, _loc = _doc(project)
    rel = project.add_relation(q, p, "SPEAKER")
    assert (rel.head, rel.child, rel.label, rel.annotator) == (q, p, "SPEAKER", "ann")
    assert rel.key == ((1, 15), (22, 28), "SPEAKER")
    project.update_span(q, end=14)  # moving a span keeps its relations
    [again] = project.relations(doc, "ann")
    assert again.uid == rel.uid and again.head_end is not None and again.head_end.end == 14
    project.delete_span(p)
    assert project.relations(doc) == []
    actions = [e["action"] for e in project.events(doc)]
    assert actions.index("delete_relation") < actions.index("delete_span")


def test_schema_checks_endpoints(project: Project) -> None:
    _doc_id, q, p, loc = _doc(project)
    with pytest.raises(SchemaError, match="cannot have a entities LOC span as its child"):
        project.add_relation(q, loc, "SPEAKER")
    with pytest.raises(SchemaError, match="relation 'NOPE' is not in schema"):
        project.add_relation(q, p, "NOPE")
    with pytest.raises(SchemaError, match="as its head"):
        project.add_relation(p, q, "SPEAKER")
    other = project.add_span(_doc_id, Span(*P, "PER"), "bob")
    with pytest.raises(SchemaError, match="same annotator"):
        project.add_relation(q, other, "SPEAKER")
    project.add_relation(q, p, "SPEAKER")
    with pytest.raises(SchemaError, match="already there"):
        project.add_relation(q, p, "SPEAKER")


def test_undo_of_a_span_delete_restores_relations_by_uid(project: Project) -> None:
    doc, q, p, _loc = _doc(project)
    rel = project.add_relation(q, p, "SPEAKER")
    uid = project.span_uid(p)
    gone = project.relations_of_span(p)
    span = project.delete_span(p)
    new_id = project.add_span(doc, span.with_(id=None), "ann", uid=uid)
    for r in gone:
        project.add_relation(q, new_id, r.label, uid=r.uid)
    [back] = project.relations(doc)
    assert back.uid == rel.uid and back.child == new_id


def test_foreign_keys_cascade_from_any_span_delete(project: Project) -> None:
    doc, q, p, _loc = _doc(project)
    project.add_relation(q, p, "SPEAKER")
    uid = project.span_uid(p)
    with project.transaction():
        project.delete_span_by_uid(uid)
    assert project.relations(doc) == []
    assert connection(project).execute("SELECT count(*) FROM relations").fetchone()[0] == 0


def test_suggested_relations_accept_reject_and_rerun(project: Project) -> None:
    doc, _new = project.add_document(Document(TEXT))
    sugg = SuggestedRelation("SPEAKER", Endpoint("cues", *Q, "QUOTE"), Endpoint("entities", *P, "PER"),
                             origin="rule:attribution", score=0.9)
    project.set_relation_suggestions(doc, [sugg], "pipeline", "1")
    [s] = project.relation_suggestions(doc, pending_for="ann")
    assert s.key == ((1, 15), (22, 28), "SPEAKER") and s.origin == "rule:attribution" and s.score == 0.9
    rel = project.accept_relation_suggestion(s.id, "ann")  # the annotator had no spans there: both are made
    assert rel.origin == "rule:attribution" and len(project.spans(doc, "ann")) == 2
    assert project.relation_suggestions(doc, pending_for="ann") == []
    assert project.relation_suggestions(doc, pending_for="bob") != []  # bob decides on his own
    # a re-run that suggests the same relation keeps the decision
    assert project.set_relation_suggestions(doc, [sugg], "pipeline", "2") == 1
    assert project.relation_suggestions(doc, pending_for="ann") == []
    [s2] = project.relation_suggestions(doc)
    project.undo_relation_decision(s2.id, "ann")
    assert project.relations(doc) == [] and len(project.relation_suggestions(doc, pending_for="ann")) == 1
    project.reject_relation_suggestion(s2.id, "ann")
    assert project.relation_suggestions(doc, pending_for="ann") == []
    with pytest.raises(NotFoundError):
        project.get_relation_suggestion(999)


def test_suggestions_are_checked_against_the_schema(project: Project) -> None:
    doc, _new = project.add_document(Document(TEXT))
    bad = SuggestedRelation("SPEAKER", Endpoint("entities", *P, "PER"), Endpoint("entities", *L, "LOC"))
    with pytest.raises(SchemaError):
        project.set_relation_suggestions(doc, [bad], "pipeline", "1")
    assert project.relation_suggestions(doc) == []


def test_rejected_relation_suggestions_by_any_annotator(project: Project) -> None:
    doc, _new = project.add_document(Document(TEXT))
    sugg = SuggestedRelation("SPEAKER", Endpoint("cues", *Q, "QUOTE"), Endpoint("entities", *P, "PER"))
    other = SuggestedRelation("SPEAKER", Endpoint("cues", *Q, "QUOTE"), Endpoint("entities", *L, "PER"))
    project.set_relation_suggestions(doc, [sugg, other], "pipeline", "1")
    first, second = project.relation_suggestions(doc)
    assert project.rejected_relation_suggestions(doc) == set()
    project.reject_relation_suggestion(second.id or 0, "bob")
    project.accept_relation_suggestion(first.id or 0, "ann")
    assert project.rejected_relation_suggestions(doc) == {second.id}
