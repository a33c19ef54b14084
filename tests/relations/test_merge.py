"""Merge and packages carry relations by uid: idempotent, synced on re-merge, removed with their spans."""

from __future__ import annotations

from annotator.core.model import Document, Span
from annotator.review.assign import export_package
from annotator.review.merge import merge_projects
from annotator.store import Project

TEXT = '"Kami siap," kata Shoigu kepada Putin.'


def _at(needle: str) -> tuple[int, int]:
    return TEXT.index(needle), TEXT.index(needle) + len(needle)


def _source(path, name="alice"):
    with Project(path) as p:
        doc, _ = p.add_document(Document(TEXT))
        q = p.add_span(doc, Span(*_at("Kami siap,"), "QUOTE", "cues"), name)
        s = p.add_span(doc, Span(*_at("Shoigu"), "PER"), name)
        p.add_span(doc, Span(*_at("Putin"), "PER"), name)
        p.add_relation(q, s, "SPEAKER")
    return path


def _rels(path, who="alice"):
    with Project(path) as p:
        return [(r.uid, r.label, r.head_end.extent, r.child_end.extent) for r in p.relations(1, who)]


def test_merge_carries_relations_by_uid_and_syncs(tmp_path):
    src = _source(tmp_path / "a.db")
    review = tmp_path / "r.db"
    report = merge_projects(review, [src])
    assert _rels(review) == _rels(src) and report.totals()["relations"] == 1
    assert merge_projects(review, [src]).totals()["relations"] == 0  # idempotent
    with Project(src) as p:  # alice moves the child to Putin: delete + new relation
        [rel] = p.relations(1, "alice")
        putin = next(s.id for s in p.spans(1, "alice") if s.text_in(TEXT) == "Putin")
        p.delete_relation(rel.uid)
        p.add_relation(rel.head, putin, "SPEAKER")
    report = merge_projects(review, [src])
    assert _rels(review) == _rels(src) and report.totals()["relations"] == 2
    assert _rels(review)[0][3] == _at("Putin")
    with Project(src) as p:  # deleting the quote deletes its relation, in the review too
        p.delete_span(next(s.id for s in p.spans(1, "alice") if s.layer == "cues"))
    merge_projects(review, [src])
    assert _rels(review) == []


def test_package_and_back_keeps_relations(tmp_path):
    review = tmp_path / "r.db"
    merge_projects(review, [_source(tmp_path / "a.db")])
    pkg = tmp_path / "alice-pkg.db"
    with Project(review) as p:
        export_package(p, "alice", pkg, documents=[1])
    assert _rels(pkg) == _rels(review)
