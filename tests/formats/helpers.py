"""Helpers shared by the format tests: small projects and comparable snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from annotator.core.model import Document, Span
from annotator.store import Project


def make_project(path: Path, docs: Iterable[tuple], statuses: dict[tuple[int, str], str] | None = None) -> Project:
    """A project holding ``(text, {annotator: spans}, {annotator: {question: (value, target)}})``
    documents; ``statuses`` maps (document index, annotator) to a state."""
    project = Project(path)
    for n, (text, spans_by, labels_by) in enumerate(docs):
        doc_id, _ = project.add_document(Document(text=text, title=text[:20]))
        for who, spans in spans_by.items():
            project.add_annotator(who)
            if spans:
                project.add_spans(doc_id, spans, who)
        for who, labels in labels_by.items():
            for q, (v, t) in labels.items():
                project.set_answer(doc_id, who, q, v, t)
        for (index, who), state in (statuses or {}).items():
            if index == n:
                project.set_status(doc_id, who, state)
    return project


def snapshot(project: Project, *, annotators: bool = True) -> dict[str, Any]:
    """Documents by text, spans and answers keyed by text and annotator."""
    texts = {i: project.get_text(i) for i in project.document_ids()}
    spans = set()
    labels = set()
    for i, text in texts.items():
        for s in project.spans(i):
            spans.add((text, s.annotator if annotators else None, s.layer, s.start, s.end, s.label))
        for lab in project.answers(i):
            labels.add((text, lab.annotator if annotators else None, lab.question, lab.value, lab.target))
    states = {(text, who, state) for (i, who), state in project.statuses().items() if state != "todo"
              for text in [texts[i]]}
    return {"texts": set(texts.values()), "spans": spans, "labels": labels, "states": states}


def token_view(project: Project) -> set[tuple[tuple[str, ...], tuple[tuple[int, int, str], ...]]]:
    """Documents as (token texts, entities over token indices): what CoNLL keeps."""
    from annotator.formats.tokenize import align_spans, tokenize

    out = set()
    for i in project.document_ids():
        doc = project.get_document(i)
        toks = tokenize(doc.text, doc.meta)
        content = [k for k in range(len(toks)) if not toks.is_space(k)]
        pos = {k: n for n, k in enumerate(content)}
        aligned, issues = align_spans(project.spans(i, layer="entities"), toks, "fail")
        assert not issues
        ents = tuple(sorted((pos[t.token_start], pos[t.token_end - 1] + 1, t.span.label) for t in aligned))
        out.add((tuple(toks.text_of(k) for k in content), ents))
    return out


GAZETTEER = [
    ("Dewan Keamanan Rusia", "ORG"), ("Min Aung Hlaing", "PER"), ("Nikolai Patrushev", "PER"),
    ("Sergei Shoigu", "PER"), ("Amerika Serikat", "LOC"), ("Myanmar", "LOC"), ("Rusia", "LOC"),
    ("Moskow", "LOC"), ("Moskwa", "LOC"), ("Kremlin", "ORG"), ("PBB", "ORG"),
]
CUES = [("mengatakan", "REPORT"), ("berkomitmen", "COMMIT"), ("Dewan Keamanan Rusia mengatakan", "QUOTE")]


def gazetteer_spans(text: str, annotator: str | None = None) -> list[Span]:
    """Token-aligned entities (longest first, no overlaps) and cue spans (overlapping entities)."""
    import re

    spans: list[Span] = []
    taken: set[int] = set()
    for phrase, label in GAZETTEER:
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", text):
            if not taken.intersection(range(m.start(), m.end())):
                taken.update(range(m.start(), m.end()))
                spans.append(Span(m.start(), m.end(), label, "entities", annotator))
    for phrase, label in CUES:
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", text):
            spans.append(Span(m.start(), m.end(), label, "cues", annotator))
    return sorted(spans, key=lambda s: (s.start, s.end, s.layer))


def annotate_seeds(project: Project) -> None:
    """ana annotates every seed (entities, cues, stance); budi only Myanmar on the first, marked done."""
    ids = project.document_ids()
    for n, doc_id in enumerate(ids):
        text = project.get_text(doc_id)
        project.add_spans(doc_id, gazetteer_spans(text), "ana")
        project.set_answer(doc_id, "ana", "stance", "AGAINST" if n == 0 else "FAVOR", "Rusia")
        project.set_status(doc_id, "ana", "done")
    first = ids[0]
    text = project.get_text(first)
    i = text.index("Myanmar")
    project.add_span(first, Span(i, i + 7, "LOC"), "budi")
    project.set_status(first, "budi", "done")


def peer_project(project: Project) -> Project:
    """The seeds as a team leaves them, for the peer tests: ana everywhere (done on the
    first, in progress on the second), budi done on the first and skipped on the second,
    rina@example.org (a name with an @) done on the second, gold = ana's on the first
    (done), and one rule suggestion per document."""
    annotate_seeds(project)
    ids = project.document_ids()
    text = project.get_text(ids[1])
    i = text.index("Rusia")
    project.add_span(ids[1], Span(i, i + 5, "LOC"), "rina@example.org")
    project.set_status(ids[1], "rina@example.org", "done")
    project.set_status(ids[1], "budi", "skipped")
    project.add_spans(ids[0], [Span(s.start, s.end, s.label, s.layer) for s in project.spans(ids[0], "ana")], "gold")
    project.set_status(ids[0], "gold", "done")
    project.set_status(ids[1], "ana", "in_progress")
    for doc_id in ids:
        j = project.get_text(doc_id).index("Rusia")
        project.set_suggestions(doc_id, [Span(j, j + 5, "LOC", "entities", origin="rule:gazetteer", score=0.9)],
                                suggester="rule:gazetteer", version="1")
    return project


def suggestion_view(project: Project) -> set[tuple[str, str, int, int, str, str, float | None]]:
    """Suggestions keyed by text: (text, layer, start, end, label, origin, score)."""
    return {(project.get_text(i), s.layer, s.start, s.end, s.label, s.origin, s.score)
            for i in project.document_ids() for s in project.suggestions(i)}
