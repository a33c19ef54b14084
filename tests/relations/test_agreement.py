"""Agreement gains relation F1 per annotator pair (label and both ends must match)."""

from __future__ import annotations

from annotator.core.model import Document
from annotator.review.agreement import compute_agreement
from annotator.store import Project
from tests.relations.two_quotes import TEXT
from tests.relations.two_quotes import work as _work


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
