"""The knowledge-base tables through the Project facade."""

from __future__ import annotations

import pytest

from annotator.core.errors import NotFoundError, SchemaError
from annotator.core.kb import KBEntry
from annotator.core.model import Document, Span
from annotator.store import Project


def _project_with_spans(project: Project) -> list[int]:
    doc, _ = project.add_document(Document("Shoigu bertemu Putin di Moskwa."))
    return project.add_spans(doc, [Span(0, 6, "PER"), Span(15, 20, "PER"), Span(24, 30, "LOC")], "ann")


def test_entries_get_free_readable_ids_and_bad_ones_are_refused(project: Project) -> None:
    a = project.kb_add_entry(KBEntry("", "Sergei Shoigu", "PER"))
    b = project.kb_add_entry(KBEntry("", "Sergei Shoigu", "PER", description="another"))
    assert (a.id, b.id) == ("sergei-shoigu", "sergei-shoigu-2")
    with pytest.raises(SchemaError):
        project.kb_add_entry(KBEntry("", "X", "PERSON"))
    with pytest.raises(SchemaError):
        project.kb_add_entry(KBEntry("", "  ", "PER"))
    with pytest.raises(NotFoundError):
        project.kb_entry("nobody")
    assert [e.id for e in project.kb_entries()] == ["sergei-shoigu", "sergei-shoigu-2"]


def test_link_follows_the_span_and_goes_with_it(project: Project) -> None:
    s1, s2, s3 = _project_with_spans(project)
    project.kb_add_entry(KBEntry("shoigu", "Sergei Shoigu", "PER"))
    project.kb_set_link(s1, "shoigu")
    project.update_span(s1, end=5)  # an edit of the span keeps its link
    assert project.kb_link_of(s1).entry_id == "shoigu"
    assert project.kb_links_for_spans([s1, s2, s3]) == {s1: "shoigu"}
    project.delete_span(s1)
    assert project.kb_mentions() == [] and project.kb_counts() == {}
    with pytest.raises(NotFoundError):
        project.kb_set_link(s2, "nobody")


def test_split_moves_chosen_mentions_to_a_new_entry(project: Project) -> None:
    s1, s2, _ = _project_with_spans(project)
    project.kb_add_entry(KBEntry("people", "People", "PER"))
    project.kb_set_link(s1, "people")
    project.kb_set_link(s2, "people", status="suggested", origin="exact", score=1.0)
    new = project.kb_split("people", [s2], "Vladimir Putin")
    assert new.id == "vladimir-putin"
    assert project.kb_link_of(s2).entry_id == "vladimir-putin" and project.kb_link_of(s2).status == "accepted"
    assert project.kb_counts() == {"people": (1, 1), "vladimir-putin": (1, 1)}
    with pytest.raises(NotFoundError):  # s1 is not linked to the new entry: nothing moves
        project.kb_split("vladimir-putin", [s1], "Y")
    assert project.kb_link_of(s1).entry_id == "people"
    assert "y" not in {e.id for e in project.kb_entries()}, "a failed split leaves no entry behind"


def test_rejected_link_is_kept_as_a_verdict_not_shown_as_a_link(project: Project) -> None:
    s1, *_ = _project_with_spans(project)
    project.kb_add_entry(KBEntry("shoigu", "Sergei Shoigu", "PER"))
    project.kb_set_link(s1, "shoigu", status="rejected")
    assert project.kb_link_of(s1).entry_id is None
    assert project.kb_rejections() == {s1: {"shoigu"}}
    assert project.kb_mentions() == []
    assert [m.entry_id for m in project.kb_mentions(linked_only=False)] == [None, None, None]
