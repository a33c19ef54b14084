"""The store methods the undoable link edits use, on a project file and on a server
database: links read and written by span uid, an entry's links, an entry restored
under its own id with its links."""

from __future__ import annotations

import pytest

from annotator.core.errors import NotFoundError
from annotator.core.kb import KBEntry, KBLink
from annotator.core.model import Document, Span
from annotator.store import Project


@pytest.fixture
def project(target):  # noqa: ANN001, ANN201
    """Each test here runs on a project file and on a server database (fixture ``target``)."""
    with Project(target) as p:
        yield p


def test_links_by_uid_and_an_entry_restored_with_them(project: Project) -> None:
    doc, _ = project.add_document(Document("Shoigu bertemu Putin di Moskwa."))
    s1, s2 = project.add_spans(doc, [Span(0, 6, "PER"), Span(15, 20, "PER")], "ann")
    u1, u2 = project.span_uid(s1), project.span_uid(s2)
    entry = project.kb_add_entry(KBEntry("", "Sergei Shoigu", "PER", ("Shoigu",), "menteri"))
    assert project.kb_free_entry_id("Sergei Shoigu") == "sergei-shoigu-2"
    project.kb_put_link(u1, KBLink(entry.id, "alias", 0.9, "suggested"))
    project.kb_put_link(u2, KBLink(entry.id, status="rejected"))
    links = project.kb_entry_links(entry.id)
    assert links == {u1: KBLink(entry.id, "alias", 0.9, "suggested"), u2: KBLink(entry.id, "human", None, "rejected")}
    assert project.kb_link_of(s1).status == "suggested" and project.kb_link_of(s2).entry_id is None
    project.kb_delete_entry(entry.id)
    assert project.kb_link_by_uid(u1) is None and project.kb_link_by_uid(u2) is None
    project.delete_span(s2)  # a span gone meanwhile: its link is skipped
    project.kb_restore_entry(entry, links)
    assert project.kb_entry(entry.id) == entry and project.kb_entry_links(entry.id) == {u1: links[u1]}
    project.kb_put_link(u1, None)
    assert project.kb_link_by_uid(u1) is None
    with pytest.raises(NotFoundError):
        project.kb_put_link(u1, KBLink("nobody"))
    with pytest.raises(NotFoundError):
        project.kb_put_link(u2, KBLink(entry.id))
    with pytest.raises(ValueError, match="status"):
        project.kb_put_link(u1, KBLink(entry.id, status="maybe"))
