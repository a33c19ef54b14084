"""Agreement gains relation F1 per annotator pair (label and both ends must match)."""

from __future__ import annotations

from annotator.core.model import Document, Span
from annotator.review.agreement import compute_agreement
from annotator.store import Project

TEXT = '"Kami siap," kata Shoigu. "Tidak," ujar Putin kepada Shoigu.'


def _at(needle: str, nth: int = 0) -> tuple[int, int]:
    pos = -1
    for _ in range(nth + 1):
        pos = TEXT.index(needle, pos + 1)
    return pos, pos + len(needle)


def _work(p: Project, doc: int, who: str, second_child: str) -> None:
    q1 = p.add_span(doc, Span(*_at("Kami siap,"), "QUOTE", "cues"), who)
    s1 = p.add_span(doc, Span(*_at("Shoigu"), "PER"), who)
    q2 = p.add_span(doc, Span(*_at("Tidak,"), "QUOTE", "cues"), who)
    c2 = p.add_span(doc, Span(*_at(second_child, 1 if second_child == "Shoigu" else 0), "PER"), who)
    p.add_relation(q1, s1, "SPEAKER")
    p.add_relation(q2, c2, "SPEAKER")
    p.set_status(doc, who, "done")


def test_relation_f1_per_pair_hand_computed(project: Project) -> None:
    doc, _ = project.add_document(Document(TEXT))
    _work(project, doc, "ana", "Putin")
    _work(project, doc, "bob", "Shoigu")  # bob says the second quote is Shoigu's: one of two agree
    report = compute_agreement(project)
    pair = report["relations"]["pairs"]["ana|bob"]
    assert (pair["a"], pair["b"], pair["both"]) == (2, 2, 1)
    assert pair["f1"] == 0.5 and pair["per_label"]["SPEAKER"]["f1"] == 0.5
    assert report["relations"]["f1"] == 0.5
    assert "relations" not in compute_agreement(project, layers=["entities"])  # asked for one layer only
