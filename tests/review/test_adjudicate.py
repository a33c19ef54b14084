"""Comparison units, auto-merge of agreements into gold, accept/undo."""

from __future__ import annotations

import pytest

from annotator.core.errors import SchemaError
from annotator.core.model import GOLD, Span
from annotator.review import adjudicate as adj
from tests.review.factory import build

TEXT = "Presiden Joko Widodo bertemu Vladimir Putin di Moskow pada Juni."
#       0         10        20        30        40        50        60
JOKO = (9, 20, "PER")
PUTIN = (29, 43, "PER")
MOSKOW = (47, 53, "LOC")


@pytest.fixture
def project(tmp_path):
    work = {
        "alice": {0: {"spans": [JOKO, PUTIN, MOSKOW], "answers": {"stance": "NEUTRAL"}, "state": "done"}},
        "bob": {0: {"spans": [JOKO, (29, 38, "PER"), (47, 53, "ORG")], "answers": {"stance": "NEUTRAL"},
                    "state": "done"}},
        "cici": {0: {"spans": [(0, 8, "PER")], "state": "in_progress"}},
    }
    p, ids = build(tmp_path / "p.db", [TEXT], work)
    with p:
        yield p, ids[0]


def test_adjudicate_compare_groups_overlaps_into_units(project):
    p, doc = project
    cmp = adj.compare_document(p, doc, "entities", ["alice", "bob"])
    assert [(u.start, u.end, u.agreed) for u in cmp.units] == [(9, 20, True), (29, 43, False), (47, 53, False)]
    assert cmp.units[1].keys("bob") == {(29, 38, "PER")}
    assert adj.document_annotators(p, doc) == ["alice", "bob", "cici"]
    assert adj.document_annotators(p, doc, done_only=True) == ["alice", "bob"]


def test_adjudicate_auto_merge_takes_only_agreements_and_is_idempotent(project):
    p, doc = project
    change = adj.auto_merge(p, doc)
    gold = p.spans(doc, GOLD)
    assert [(s.start, s.end, s.label) for s in gold] == [JOKO]
    assert gold[0].note == "agreed: alice, bob"
    assert {d.question: d.value for d in p.answers(doc, GOLD)} == {"stance": "NEUTRAL"}
    assert len(change.added) == 1 and change.answers_before == {"stance": None}
    assert adj.auto_merge(p, doc).empty  # nothing new the second time


def test_adjudicate_auto_merge_respects_reviewer_decisions(project):
    p, doc = project
    adj.add_gold_span(p, doc, Span(9, 13, "PER"))  # reviewer disagrees with both on the boundary
    adj.set_gold_answer(p, doc, "stance", "FAVOR")
    adj.auto_merge(p, doc)
    assert [(s.start, s.end) for s in p.spans(doc, GOLD)] == [(9, 13)]
    assert p.answers(doc, GOLD)[0].value == "FAVOR"


def test_adjudicate_accept_span_replaces_overlapping_gold_and_undo_restores(project):
    p, doc = project
    adj.auto_merge(p, doc)
    bob_putin = [s for s in p.spans(doc, "bob") if s.start == 29][0]
    alice_putin = [s for s in p.spans(doc, "alice") if s.start == 29][0]
    first = adj.accept_span(p, bob_putin)
    second = adj.accept_span(p, alice_putin)
    assert [(s.start, s.end, s.note) for s in p.spans(doc, GOLD)] == [(9, 20, "agreed: alice, bob"),
                                                                      (29, 43, "from: alice")]
    assert [s.end for s in second.removed] == [38]
    redo = adj.undo_change(p, doc, second)
    assert [(s.start, s.end) for s in p.spans(doc, GOLD)] == [(9, 20), (29, 38)]
    adj.undo_change(p, doc, redo)
    assert [(s.start, s.end) for s in p.spans(doc, GOLD)] == [(9, 20), (29, 43)]
    assert adj.accept_span(p, alice_putin).empty and not first.empty


def test_adjudicate_accept_version_and_answers_undo(project):
    p, doc = project
    adj.auto_merge(p, doc)
    change = adj.accept_version(p, doc, "bob", "entities")
    assert sorted((s.start, s.end, s.label) for s in p.spans(doc, GOLD)) == [JOKO, (29, 38, "PER"), (47, 53, "ORG")]
    adj.undo_change(p, doc, change)
    assert [(s.start, s.end, s.label) for s in p.spans(doc, GOLD)] == [JOKO]
    ans = adj.set_gold_answer(p, doc, "stance", "AGAINST")
    assert p.answers(doc, GOLD)[0].value == "AGAINST"
    adj.undo_change(p, doc, ans)
    assert p.answers(doc, GOLD)[0].value == "NEUTRAL"
    with pytest.raises(ValueError, match="not to gold"):
        adj.remove_gold_spans(p, [p.spans(doc, "bob")[0].id])


def test_adjudicate_auto_merge_project_skips_documents_with_one_annotator(tmp_path):
    p, ids = build(tmp_path / "p.db", [TEXT, TEXT + " Lagi."], {
        "alice": {0: {"spans": [JOKO], "state": "done"}, 1: {"spans": [JOKO], "state": "done"}},
        "bob": {0: {"spans": [JOKO], "state": "done"}},
    })
    with p:
        report = adj.auto_merge_project(p)
        assert (report.documents, report.spans, report.skipped) == (1, 1, 1)
        assert p.spans(ids[1], GOLD) == []
        # a misspelt layer or a nonsense minimum is refused, not "0 agreed span(s)"
        with pytest.raises(SchemaError, match="layer 'entity' is not in schema"):
            adj.auto_merge_project(p, layers=["entity"])
        with pytest.raises(ValueError, match="at least 1"):
            adj.auto_merge_project(p, min_annotators=0)
        assert p.spans(ids[1], GOLD) == []


def test_adjudicate_unit_majority_needs_more_than_half(project):
    p, doc = project
    cmp = adj.compare_document(p, doc, "entities", ["alice", "bob", "cici"])
    moskow = [u for u in cmp.units if u.start == 47][0]
    assert moskow.majority(["alice", "bob", "cici"]) is None  # LOC, ORG, nothing: no majority
    joko = [u for u in cmp.units if u.start == 9][0]
    assert joko.majority(["alice", "bob", "cici"]) == frozenset({JOKO})  # cici has nothing there
    first = [u for u in cmp.units if u.start == 0][0]
    assert first.majority(["alice", "bob", "cici"]) == frozenset()  # two of three marked nothing


def test_adjudicate_cues_layer_keeps_overlapping_gold_spans(tmp_path):
    # "mengecam" (CRITICISE) inside a quotation (QUOTE): the cues layer allows overlaps
    text = 'Menteri itu mengatakan "kami mengecam keras serangan itu" kepada wartawan.'
    quote = (text.index('"'), text.rindex('"') + 1, "QUOTE", "cues")
    crit = (text.index("mengecam"), text.index("mengecam") + len("mengecam"), "CRITICISE", "cues")
    report = (text.index("mengatakan"), text.index("mengatakan") + len("mengatakan"), "REPORT", "cues")
    p, ids = build(tmp_path / "p.db", [text], {
        "alice": {0: {"spans": [quote, crit, report], "state": "done"}},
        "bob": {0: {"spans": [quote, report], "state": "done"}},
    })
    with p:
        doc = ids[0]
        adj.auto_merge(p, doc)
        assert sorted(s.label for s in p.spans(doc, GOLD, "cues")) == ["QUOTE", "REPORT"]
        cmp = adj.compare_document(p, doc, "cues", ["alice", "bob"])
        quote_unit = [u for u in cmp.units if u.start == quote[0]][0]
        assert not quote_unit.agreed and quote_unit.keys("bob") == {quote[:3]}
        alice_crit = [s for s in p.spans(doc, "alice", "cues") if s.label == "CRITICISE"][0]
        change = adj.accept_span(p, alice_crit)
        assert change.removed == []  # the QUOTE around it stays
        assert sorted(s.label for s in p.spans(doc, GOLD, "cues")) == ["CRITICISE", "QUOTE", "REPORT"]


def test_adjudicate_mark_done_only_when_gold_settles_everything(project):
    p, doc = project
    report = adj.auto_merge_project(p, mark_done=True)
    # Putin's boundary and Moskow's label are still open: not done
    assert report.marked_done == 0 and p.status(doc, GOLD) == "todo"
    assert not adj.is_settled(p, doc, ["alice", "bob"])
    adj.add_gold_span(p, doc, Span(*PUTIN))
    assert not adj.is_settled(p, doc, ["alice", "bob"])
    adj.add_gold_span(p, doc, Span(*MOSKOW))
    assert adj.is_settled(p, doc, ["alice", "bob"])
    report = adj.auto_merge_project(p, mark_done=True)
    assert report.marked_done == 1 and p.status(doc, GOLD) == "done"
    assert adj.auto_merge_project(p, mark_done=True).marked_done == 0  # already done


def test_gold_spans_put_replaces_what_overlaps_however_far_it_starts_before(project):
    """One function puts a span into gold (accept_span, add_gold_span, relation ends): a long gold
    span starting well before a short one still counts as overlapping it in a no-overlap layer."""
    from annotator.review.gold import GoldChange, GoldSpans

    p, doc = project
    whole = adj.add_gold_span(p, doc, Span(0, 53, "PER"))  # "Presiden ... Moskow"
    adj.add_gold_span(p, doc, Span(59, 63, "MISC"))  # "Juni": starts after it, must stay
    gold = GoldSpans(p, doc)
    assert [g.id for g in gold.overlapping(Span(47, 53, "LOC"))] == whole.added
    change = GoldChange()
    assert gold.put(Span(47, 53, "LOC", note="x"), change, replace=False) is None and change.empty
    sid = gold.put(Span(47, 53, "LOC", note="x"), change)
    assert [s.id for s in change.removed] == whole.added and change.added == [sid]
    assert gold.put(Span(47, 53, "LOC"), change) == sid  # already there: the same span, nothing more recorded
    assert len(change.added) == 1
    assert [(s.start, s.end, s.label) for s in p.spans(doc, GOLD, "entities")] == [(47, 53, "LOC"), (59, 63, "MISC")]
