"""One document with two quotations and their speakers, as two annotators attribute them:
the fixture the relation agreement, adjudication and review-window tests share."""

from __future__ import annotations

from annotator.core.model import Document, Span
from annotator.store import Project

TEXT = '"Kami siap," kata Shoigu. "Tidak," ujar Putin kepada Shoigu.'


def at(needle: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the ``nth`` occurrence of ``needle`` in TEXT."""
    pos = -1
    for _ in range(nth + 1):
        pos = TEXT.index(needle, pos + 1)
    return pos, pos + len(needle)


def work(p: Project, doc: int, who: str, second_child: str) -> None:
    """``who`` marks both quotations and a speaker for each (the second one's is ``second_child``)."""
    q1 = p.add_span(doc, Span(*at("Kami siap,"), "QUOTE", "cues"), who)
    s1 = p.add_span(doc, Span(*at("Shoigu"), "PER"), who)
    q2 = p.add_span(doc, Span(*at("Tidak,"), "QUOTE", "cues"), who)
    c2 = p.add_span(doc, Span(*at(second_child, 1 if second_child == "Shoigu" else 0), "PER"), who)
    p.add_relation(q1, s1, "SPEAKER")
    p.add_relation(q2, c2, "SPEAKER")
    p.set_status(doc, who, "done")


def two_annotators(project: Project) -> int:
    """The document with ana's and bob's work: they agree on the first speaker only."""
    doc, _ = project.add_document(Document(TEXT))
    work(project, doc, "ana", "Putin")
    work(project, doc, "bob", "Shoigu")  # the second quotation: Putin's for ana, Shoigu's for bob
    return doc
