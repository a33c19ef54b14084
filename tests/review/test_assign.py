"""Assignment with overlap, per-annotator packages, blind mode."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.errors import ProjectError
from annotator.core.model import Document, Span
from annotator.review import blind
from annotator.review.assign import AssignmentError, assign_documents, assignments, export_package
from annotator.store import Project


def _project(path, n_docs):
    p = Project(path)
    for i in range(n_docs):
        p.add_document(Document(text=f"Dokumen nomor {i} tentang Jakarta.", title=f"d{i}"))
    return p


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 30), st.integers(1, 5), st.data())
def test_assign_every_document_gets_k_annotators_and_load_is_even(tmp_path_factory, n_docs, n_ann, data):
    k = data.draw(st.integers(1, n_ann))
    names = [f"a{i}" for i in range(n_ann)]
    with _project(tmp_path_factory.mktemp("p") / "p.db", n_docs) as p:
        report = assign_documents(p, names, overlap=k)
        got = assignments(p)
    assert len(got) == n_docs
    assert all(len(v) == k == len(set(v)) for v in got.values())
    load = Counter(a for v in got.values() for a in v)
    assert max(load[n] for n in names) - min(load[n] for n in names) <= 1
    assert report.added == n_docs * k
    if k == 2 and n_docs >= 3 * len(list(itertools.combinations(names, 2))):
        # partners rotate: every pair shares some documents for agreement
        assert all(report.pairs.get(f"{a}|{b}", 0) > 0 for a, b in itertools.combinations(names, 2))


def test_assign_tops_up_and_replaces(tmp_path):
    with _project(tmp_path / "p.db", 4) as p:
        assign_documents(p, ["alice"], overlap=1)
        r = assign_documents(p, ["alice", "bob", "cici"], overlap=2)
        assert r.added == 4  # alice kept, one more each
        assert all("alice" in v and len(v) == 2 for v in assignments(p).values())
        assign_documents(p, ["bob", "cici"], overlap=1, replace=True)
        assert all(len(v) == 1 and "alice" not in v for v in assignments(p).values())


def test_assign_refuses_impossible_requests(tmp_path):
    with _project(tmp_path / "p.db", 2) as p:
        with pytest.raises(AssignmentError, match="overlap 3 needs at least 3"):
            assign_documents(p, ["alice", "bob"], overlap=3)
        with pytest.raises(AssignmentError, match="gold"):
            assign_documents(p, ["gold", "bob"], overlap=1)
        with pytest.raises(AssignmentError, match="no document 99"):
            assign_documents(p, ["bob"], overlap=1, documents=[99])


def test_assign_package_holds_only_that_annotators_documents_and_work(tmp_path):
    with _project(tmp_path / "p.db", 4) as p:
        ids = p.document_ids()
        assign_documents(p, ["alice", "bob"], overlap=1)
        mine = sorted(d for d, v in assignments(p).items() if "alice" in v)
        p.add_span(mine[0], Span(0, 7, "MISC"), "alice")
        p.add_span(mine[0], Span(0, 7, "ORG"), "bob")
        p.set_status(mine[0], "alice", "in_progress")
        p.set_suggestions(mine[0], [Span(24, 31, "LOC", origin="rule:gazetteer")], "rules", "1")
        report = export_package(p, "alice", tmp_path / "alice.db")
        texts = {p.get_text(d) for d in mine}
        assert len(ids) == 4
    with Project(tmp_path / "alice.db") as pkg:
        assert {pkg.get_text(d) for d in pkg.document_ids()} == texts
        assert pkg.annotators() == ["alice"]
        spans = [s for d in pkg.document_ids() for s in pkg.spans(d)]
        assert [(s.annotator, s.label) for s in spans] == [("alice", "MISC")]
        first = [d for d in pkg.document_ids() if pkg.spans(d)][0]
        assert pkg.status(first, "alice") == "in_progress"
        assert [s.label for s in pkg.suggestions(first)] == ["LOC"]
        assert blind.is_blind(pkg)
    assert report.suggestions == 1 and report.others == []
    with pytest.raises(ProjectError, match="exists already"):
        with Project(tmp_path / "p.db") as p:
            export_package(p, "alice", tmp_path / "alice.db")


def test_assign_blind_mode_forbids_others_in_packages_and_views(tmp_path):
    with _project(tmp_path / "p.db", 1) as p:
        d = p.document_ids()[0]
        p.add_span(d, Span(0, 7, "ORG"), "bob")
        p.add_annotator("rina", "reviewer")
        assert blind.is_blind(p)  # on by default
        with pytest.raises(blind.BlindModeError, match="only their own work"):
            export_package(p, "alice", tmp_path / "x.db", documents=[d], include_others=True)
        assert not (tmp_path / "x.db").exists()
        assert blind.visible_annotators(p, "alice", ["alice", "bob"]) == ["alice"]
        assert blind.may_see_others(p, "gold") and blind.may_see_others(p, "rina")
        with pytest.raises(blind.BlindModeError, match="blind mode"):
            blind.require_may_see_others(p, "alice")
        blind.set_role(p, "alice", "reviewer")
        assert blind.may_see_others(p, "alice")
        blind.set_role(p, "alice", "annotator")
        assert not blind.may_see_others(p, "alice")
        blind.set_blind(p, False)
        assert blind.visible_annotators(p, "alice", ["alice", "bob"]) == ["alice", "bob"]
        report = export_package(p, "alice", tmp_path / "y.db", documents=[d], include_others=True)
        assert report.others == ["bob"]
