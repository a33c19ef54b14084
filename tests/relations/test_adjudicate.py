"""Adjudicating relations into gold: compare them per document (a relation matches when its
label and both ends' offsets match), accept one into gold (its ends made in gold when
missing), reject it, undo and redo each; merging agreements takes relations everyone has;
``annotator adjudicate --auto`` does so over the project."""

from __future__ import annotations

from pathlib import Path

from annotator.cli import main
from annotator.core.model import GOLD, Span
from annotator.review import adjudicate as adj
from annotator.review.adjudicate_relations import accept_relation, compare_relations, reject_relation
from annotator.store import Project
from tests.relations.two_quotes import at as _at
from tests.relations.two_quotes import two_annotators

_two = two_annotators


def _gold(project: Project, doc: int) -> set[tuple]:
    return {r.key for r in project.relations(doc, GOLD)}


def _key(quote: str, child: str, nth: int = 0) -> tuple:
    return (_at(quote), _at(child, nth), "SPEAKER")


def test_compare_marks_agreements_and_disagreements(project: Project) -> None:
    doc = _two(project)
    rows = {r.key: r for r in compare_relations(project, doc, ["ana", "bob"])}
    assert set(rows) == {_key("Kami siap,", "Shoigu"), _key("Tidak,", "Putin"), _key("Tidak,", "Shoigu", 1)}
    assert rows[_key("Kami siap,", "Shoigu")].agreed and set(rows[_key("Kami siap,", "Shoigu")].by) == {"ana", "bob"}
    assert not rows[_key("Tidak,", "Putin")].agreed and set(rows[_key("Tidak,", "Putin")].by) == {"ana"}
    assert set(rows[_key("Tidak,", "Shoigu", 1)].by) == {"bob"}
    assert not any(r.resolved for r in rows.values())


def test_auto_merge_takes_the_relations_everyone_has(project: Project) -> None:
    doc = _two(project)
    change = adj.auto_merge(project, doc)
    assert _gold(project, doc) == {_key("Kami siap,", "Shoigu")}  # the disputed one is left to the reviewer
    assert len(change.relations_added) == 1
    adj.undo_change(project, doc, change)
    assert _gold(project, doc) == set() and not project.spans(doc, GOLD)


def test_accept_makes_the_ends_in_gold_and_undo_redo(project: Project) -> None:
    doc = _two(project)
    row = next(r for r in compare_relations(project, doc, ["ana", "bob"]) if r.key == _key("Tidak,", "Putin"))
    change = accept_relation(project, doc, row)
    assert _gold(project, doc) == {_key("Tidak,", "Putin")}
    assert {(s.label, s.note) for s in project.spans(doc, GOLD)} == {("QUOTE", "from: ana"), ("PER", "from: ana")}
    redo = adj.undo_change(project, doc, change)
    assert _gold(project, doc) == set() and not project.spans(doc, GOLD)  # the ends it made go too
    adj.undo_change(project, doc, redo)
    assert _gold(project, doc) == {_key("Tidak,", "Putin")}


def test_accept_uses_gold_spans_already_there_and_reject_keeps_them(project: Project) -> None:
    doc = _two(project)
    adj.auto_merge(project, doc)  # gold has the agreed spans and relation
    spans_before = {(s.start, s.end, s.label) for s in project.spans(doc, GOLD)}
    row = next(r for r in compare_relations(project, doc, ["ana", "bob"]) if r.key == _key("Tidak,", "Shoigu", 1))
    change = accept_relation(project, doc, row)
    assert change.added == [] or all(project.get_span(i).annotator == GOLD for i in change.added)
    assert spans_before <= {(s.start, s.end, s.label) for s in project.spans(doc, GOLD)}
    assert _key("Tidak,", "Shoigu", 1) in _gold(project, doc)
    row = next(r for r in compare_relations(project, doc, ["ana", "bob"]) if r.key == _key("Kami siap,", "Shoigu"))
    assert row.resolved
    spans_now = {(s.start, s.end, s.label) for s in project.spans(doc, GOLD)}
    change = reject_relation(project, row)
    assert _key("Kami siap,", "Shoigu") not in _gold(project, doc)
    assert {(s.start, s.end, s.label) for s in project.spans(doc, GOLD)} == spans_now  # its spans stay
    adj.undo_change(project, doc, change)
    assert _key("Kami siap,", "Shoigu") in _gold(project, doc)


def test_removing_a_gold_span_takes_its_relations_and_undo_brings_them_back(project: Project) -> None:
    doc = _two(project)
    adj.auto_merge(project, doc)
    shoigu = next(s for s in project.spans(doc, GOLD) if s.label == "PER")
    change = adj.remove_gold_spans(project, [shoigu.id])
    assert _gold(project, doc) == set() and len(change.relations_removed) == 1
    adj.undo_change(project, doc, change)
    assert _gold(project, doc) == {_key("Kami siap,", "Shoigu")}


def test_adjudicate_cli_merges_agreed_relations(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.db"
    with Project(path) as p:
        doc = _two(p)
    assert main(["adjudicate", str(path), "--auto"]) == 0
    assert "1 agreed relation(s)" in capsys.readouterr().out
    with Project(path) as p:
        assert _gold(p, doc) == {_key("Kami siap,", "Shoigu")}
    with Project(tmp_path / "q.db") as q:
        doc = _two(q)
    assert main(["adjudicate", str(tmp_path / "q.db"), "--auto", "--layer", "relations"]) == 0
    with Project(tmp_path / "q.db") as q:  # relations only: the agreed relation and the ends it needs
        assert _gold(q, doc) == {_key("Kami siap,", "Shoigu")} and len(q.spans(doc, GOLD)) == 2


def test_adjudicate_mark_done_waits_for_open_relation_disagreements(tmp_path: Path, capsys) -> None:
    """Spans all agreed, relations not: ``--mark-done`` leaves gold open until the reviewer has
    put the disputed relations into gold (the review window's open rows)."""
    path = tmp_path / "p.db"
    with Project(path) as p:
        doc = _two(p)
        # each marks the other's second speaker too: every span agrees, the second quotation's speaker does not
        p.add_span(doc, Span(*_at("Shoigu", 1), "PER"), "ana")
        p.add_span(doc, Span(*_at("Putin"), "PER"), "bob")
        assert adj.is_settled(p, doc, ["ana", "bob"], ["entities", "cues"])  # the span layers alone are settled
    assert main(["adjudicate", str(path), "--auto", "--mark-done"]) == 0
    assert "0 fully settled document(s) marked done" in capsys.readouterr().out
    with Project(path) as p:
        assert p.status(doc, GOLD) == "todo"
        assert _gold(p, doc) == {_key("Kami siap,", "Shoigu")}
        open_rows = [r for r in compare_relations(p, doc, ["ana", "bob"]) if r.open]
        assert {r.key for r in open_rows} == {_key("Tidak,", "Putin"), _key("Tidak,", "Shoigu", 1)}
        accept_relation(p, doc, open_rows[0])  # one settled, one still open
    assert main(["adjudicate", str(path), "--auto", "--mark-done"]) == 0
    with Project(path) as p:
        assert p.status(doc, GOLD) == "todo"
        accept_relation(p, doc, next(r for r in compare_relations(p, doc, ["ana", "bob"]) if r.open))
    assert main(["adjudicate", str(path), "--auto", "--mark-done"]) == 0
    assert "1 fully settled document(s) marked done" in capsys.readouterr().out
    with Project(path) as p:
        assert p.status(doc, GOLD) == "done"
    # a run over the span layers only leaves the relations out of its judgement, as it leaves them out of gold
    with Project(tmp_path / "q.db") as q:
        doc = _two(q)
        q.add_span(doc, Span(*_at("Shoigu", 1), "PER"), "ana")
        q.add_span(doc, Span(*_at("Putin"), "PER"), "bob")
    assert main(["adjudicate", str(tmp_path / "q.db"), "--auto", "--mark-done", "--layer", "entities,cues"]) == 0
    with Project(tmp_path / "q.db") as q:
        assert q.status(doc, GOLD) == "done" and _gold(q, doc) == set()


def test_merging_agreed_relations_reads_gold_once_per_document(project: Project, monkeypatch) -> None:
    """Every agreed relation's ends go into gold from one read of gold's spans and relations
    (it read them once per relation: seconds on an article with hundreds of quotations)."""
    doc = _two(project)
    project.add_span(doc, Span(*_at("Shoigu", 1), "PER"), "ana")
    project.add_span(doc, Span(*_at("Putin"), "PER"), "bob")
    for who, child in (("ana", _at("Shoigu", 1)), ("bob", _at("Putin"))):  # both now relate the second quote twice
        quote = next(s for s in project.spans(doc, who) if s.start == _at("Tidak,")[0])
        per = next(s for s in project.spans(doc, who) if (s.start, s.end) == child)
        project.add_relation(quote.id, per.id, "SPEAKER")
    reads: list[str] = []
    for name in ("spans", "relations"):
        real = getattr(project, name)
        monkeypatch.setattr(project, name, lambda *a, _real=real, _name=name, **k: reads.append(_name) or _real(*a, **k))
    from annotator.review.adjudicate_relations import merge_agreed_relations

    change = merge_agreed_relations(project, doc, ["ana", "bob"])
    monkeypatch.undo()
    assert len(change.relations_added) == 3
    assert _gold(project, doc) == {_key("Kami siap,", "Shoigu"), _key("Tidak,", "Putin"), _key("Tidak,", "Shoigu", 1)}
    assert reads.count("spans") == 1 and reads.count("relations") == 1
    assert len(project.spans(doc, GOLD)) == 5  # each end once: the second QUOTE serves two relations
