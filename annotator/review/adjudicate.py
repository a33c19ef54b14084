"""Comparison and adjudication into the ``gold`` set (pure; the GUI calls these).

A document's spans in one layer are grouped into **units**: maximal runs of
spans (any annotator, gold included) that overlap each other.  A unit is
*agreed* when every compared annotator has exactly the same spans in it, and
*disagreed* otherwise (one annotator has nothing there, a boundary or a label
differs).

Gold is an ordinary annotation set under the reserved name ``gold``:
``auto_merge`` copies what all annotators agree on into it, and the reviewer
settles the rest by accepting one annotator's version of the document, one
span from anyone, or editing gold directly.  Each function returns what it
changed so the caller can undo it.  Gold spans keep the annotator's origin;
``note`` records where they came from (``agreed: alice, bob`` / ``from: alice``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from annotator.core.errors import NotFoundError
from annotator.core.jobs import Progress, ShouldCancel, check_cancel
from annotator.core.model import GOLD, Span
from annotator.review.adjudicate_relations import compare_relations, merge_agreed_relations, restore_relations
from annotator.review.gold import GoldChange, GoldSpans, drop_gold_span  # GoldChange: callers use it from here too

if TYPE_CHECKING:
    from annotator.store import Project


@dataclass
class Unit:
    """Overlapping spans of one layer, by annotator."""

    start: int
    end: int
    spans: dict[str, list[Span]] = field(default_factory=dict)
    gold: list[Span] = field(default_factory=list)
    agreed: bool = False

    def keys(self, annotator: str) -> set[tuple[int, int, str]]:
        """``(start, end, label)`` of one annotator's spans in the unit."""
        return {(s.start, s.end, s.label) for s in self.spans.get(annotator, [])}

    def majority(self, names: Sequence[str]) -> frozenset[tuple[int, int, str]] | None:
        """The version (set of spans, possibly empty) more than half of ``names`` gave here, if any."""
        counts: dict[frozenset[tuple[int, int, str]], int] = {}
        for n in names:
            key = frozenset(self.keys(n))
            counts[key] = counts.get(key, 0) + 1
        best = max(counts.items(), key=lambda kv: kv[1], default=None)
        return best[0] if best is not None and best[1] * 2 > len(names) else None

    @property
    def resolved(self) -> bool:
        """Gold holds something here (the reviewer's decision, or the agreement)."""
        return bool(self.gold)


@dataclass
class Comparison:
    """One document, one layer: the annotators compared and the units."""

    document_id: int
    layer: str
    annotators: list[str]
    units: list[Unit]

    @property
    def disagreements(self) -> list[Unit]:
        """Units where the annotators differ."""
        return [u for u in self.units if not u.agreed]


def document_annotators(project: Project, document_id: int, *, done_only: bool = False) -> list[str]:
    """Annotators (not gold) with work on the document, or who marked it done."""
    rows = project.document_states(document_id)
    done = {a for a, s in rows if s == "done"}
    if done_only:
        return sorted(done - {GOLD})
    worked = project.span_or_answer_annotators(document_id)
    worked |= {a for a, s in rows if s not in ("todo", "skipped")}
    return sorted(worked - {GOLD})


def compare_document(
    project: Project, document_id: int, layer: str, annotators: Sequence[str] | None = None
) -> Comparison:
    """Group the layer's spans of ``annotators`` (default: everyone with work) and gold into units."""
    names = list(annotators) if annotators is not None else document_annotators(project, document_id)
    spans = [s for s in project.spans(document_id, layer=layer) if s.annotator in names or s.annotator == GOLD]
    spans.sort(key=lambda s: (s.start, s.end))
    units: list[Unit] = []
    for s in spans:
        if units and s.start < units[-1].end:
            u = units[-1]
            u.end = max(u.end, s.end)
        else:
            u = Unit(s.start, s.end)
            units.append(u)
        if s.annotator == GOLD:
            u.gold.append(s)
        else:
            u.spans.setdefault(s.annotator or "", []).append(s)
    for u in units:
        first = u.keys(names[0]) if names else set()
        u.agreed = bool(names) and bool(first) and all(u.keys(n) == first for n in names[1:])
    return Comparison(document_id, layer, names, units)


def undo_change(project: Project, document_id: int, change: GoldChange, gold: str = GOLD) -> GoldChange:
    """Revert ``change``; returns the change that redoes it."""
    redo = GoldChange()
    with project.transaction():
        for uid in change.relations_added:
            try:
                redo.relations_removed.append(project.delete_relation(uid))
            except NotFoundError:  # its span went in the same change
                pass
        for span_id in change.added:
            drop_gold_span(project, span_id, redo)
        if change.removed:
            redo.added = project.add_spans(document_id, [s.with_(id=None) for s in change.removed], gold)
        # spans come back under new ids: relations find their ends by position
        redo.relations_added = restore_relations(project, document_id, change.relations_removed, gold)
        for q, before in change.answers_before.items():
            now = {d.question: (d.value, d.target) for d in project.answers(document_id, gold)}.get(q)
            redo.answers_before[q] = now
            if before is None:
                project.clear_answer(document_id, gold, q)
            else:
                project.set_answer(document_id, gold, q, before[0], before[1])
    return redo


def _gold_span(span: Span, note: str) -> Span:
    return Span(span.start, span.end, span.label, layer=span.layer, origin=span.origin, score=span.score, note=note)


def accept_span(project: Project, span: Span, gold: str = GOLD) -> GoldChange:
    """Copy one annotator's span into gold.  In a layer without overlaps the
    gold spans it overlaps are removed first (the reviewer chose this one)."""
    change = GoldChange()
    if span.document_id is None:
        raise ValueError("the span needs its document id")
    with project.transaction():
        GoldSpans(project, span.document_id, gold, span.layer).put(_gold_span(span, f"from: {span.annotator}"), change)
    return change


def accept_version(project: Project, document_id: int, annotator: str, layer: str, gold: str = GOLD) -> GoldChange:
    """Make gold's spans of ``layer`` exactly ``annotator``'s."""
    change = GoldChange()
    with project.transaction():
        for g in project.spans(document_id, gold, layer):
            drop_gold_span(project, g.id, change)
        theirs = project.spans(document_id, annotator, layer)
        change.added = project.add_spans(document_id, [_gold_span(s, f"from: {annotator}") for s in theirs], gold)
    return change


def remove_gold_spans(project: Project, span_ids: Sequence[int]) -> GoldChange:
    """Delete gold spans (the reviewer rejects them)."""
    change = GoldChange()
    with project.transaction():
        for span_id in span_ids:
            span = project.get_span(span_id)
            if span.annotator != GOLD:
                raise ValueError(f"span {span_id} belongs to {span.annotator!r}, not to gold")
            drop_gold_span(project, span_id, change)
    return change


def add_gold_span(project: Project, document_id: int, span: Span, gold: str = GOLD) -> GoldChange:
    """Add the reviewer's own span to gold, removing the gold spans it overlaps
    in layers that do not allow overlaps."""
    change = GoldChange()
    with project.transaction():
        GoldSpans(project, document_id, gold, span.layer).put(
            Span(span.start, span.end, span.label, layer=span.layer, note="reviewer"), change)
    return change


def set_gold_answer(
    project: Project, document_id: int, question: str, value: str | None, target: str | None = None, gold: str = GOLD
) -> GoldChange:
    """Set (or with ``value=None`` clear) gold's answer to a document question."""
    change = GoldChange()
    before = {d.question: (d.value, d.target) for d in project.answers(document_id, gold)}.get(question)
    if (value, target) == before or (value is None and before is None):
        return change
    change.answers_before[question] = before
    if value is None:
        project.clear_answer(document_id, gold, question)
    else:
        project.set_answer(document_id, gold, question, value, target)
    return change


def answers_by_annotator(project: Project, document_id: int, question: str) -> dict[str, tuple[str, str | None]]:
    """``{annotator: (value, target)}`` for one question, gold included."""
    return {d.annotator or "": (d.value, d.target) for d in project.answers(document_id)
            if d.question == question}


@dataclass
class AutoMergeReport:
    """What :func:`auto_merge_project` did."""

    documents: int = 0
    spans: int = 0
    answers: int = 0
    skipped: int = 0
    relations: int = 0  # agreed relations added to gold
    marked_done: int = 0  # gold documents with nothing left to settle, marked done (mark_done=True)


def auto_merge(
    project: Project,
    document_id: int,
    *,
    annotators: Sequence[str] | None = None,
    layers: Sequence[str] | None = None,
    questions: Sequence[str] | None = None,
    gold: str = GOLD,
    min_annotators: int = 2,
) -> GoldChange:
    """Copy into gold what every annotator agrees on.

    Annotators default to those who marked the document done; with fewer
    than ``min_annotators`` nothing is merged.  A span goes in when every
    annotator has exactly it, unless gold already has a span overlapping it
    in that layer (the reviewer's decision stands).  An answer goes in when
    all gave the same value and target and gold has none yet.
    """
    change = GoldChange()
    names = list(annotators) if annotators is not None else document_annotators(project, document_id, done_only=True)
    names = [n for n in names if n != GOLD]
    if len(names) < max(1, min_annotators):
        return change
    layer_names = [n for n in layers if n != "relations"] if layers is not None else list(project.schema.layer_names)
    with project.transaction():
        for layer in layer_names:
            keys = None
            first: dict[tuple[int, int, str], Span] = {}
            for n in names:
                mine = {(s.start, s.end, s.label): s for s in project.spans(document_id, n, layer)}
                first = first or mine
                keys = set(mine) if keys is None else keys & set(mine)
            existing = project.spans(document_id, gold, layer)
            new = []
            for key in sorted(keys or ()):
                s = first[key]
                if any(g.overlaps(s) for g in existing):
                    continue
                new.append(_gold_span(s, "agreed: " + ", ".join(names)))
            if new:
                change.added += project.add_spans(document_id, new, gold)
        if layers is None or "relations" in layers:
            change.extend(merge_agreed_relations(project, document_id, names, gold))
        qnames = list(questions) if questions is not None else [q.name for q in project.schema.questions]
        for q in qnames:
            answers = answers_by_annotator(project, document_id, q)
            if gold in answers:
                continue
            given = [answers.get(n) for n in names]
            if all(a is not None for a in given) and len(set(given)) == 1:
                value, target = given[0]  # type: ignore[misc]
                change.answers_before[q] = None
                project.set_answer(document_id, gold, q, value, target)
    return change


def auto_merge_project(
    project: Project,
    *,
    layers: Sequence[str] | None = None,
    questions: Sequence[str] | None = None,
    min_annotators: int = 2,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    changes: dict[int, GoldChange] | None = None,
    mark_done: bool = False,
) -> AutoMergeReport:
    """:func:`auto_merge` on every document that enough annotators marked done.

    ``changes``, when given, receives each document's :class:`GoldChange` (for undo).
    ``should_cancel`` stops between documents with :class:`~annotator.core.jobs.Cancelled`
    (what is merged stays merged; ``partial`` is the report so far, ``changes`` holds them).
    With ``mark_done``, a document whose gold now settles everything
    (:func:`is_settled`) is marked done for gold, so ``export --gold --only-done``
    takes exactly the finished ones."""
    for name in layers or ():
        if name != "relations":  # the pseudo-layer of relations (adjudicate --layer relations)
            project.schema.layer(name)  # SchemaError naming the layers: a typo must not merge nothing, silently
    if min_annotators < 1:
        raise ValueError(f"min_annotators must be at least 1, not {min_annotators}")
    report = AutoMergeReport()
    ids = project.document_ids()
    for i, doc_id in enumerate(ids):
        check_cancel(should_cancel, "merging agreements cancelled; documents merged before stay merged", report)
        names = document_annotators(project, doc_id, done_only=True)
        if len(names) < min_annotators:
            report.skipped += 1
        else:
            change = auto_merge(project, doc_id, annotators=names, layers=layers, questions=questions,
                                min_annotators=min_annotators)
            if changes is not None and not change.empty:
                changes[doc_id] = change
            report.documents += 1
            report.spans += len(change.added)
            report.relations += len(change.relations_added)
            report.answers += len(change.answers_before)
            if mark_done and project.status(doc_id, GOLD) != "done" and is_settled(project, doc_id, names, layers):
                project.set_status(doc_id, GOLD, "done")
                report.marked_done += 1
        if progress:
            progress(i + 1, len(ids), f"document {doc_id}")
    return report


def is_settled(
    project: Project, document_id: int, annotators: Sequence[str], layers: Sequence[str] | None = None
) -> bool:
    """True when gold leaves nothing open on the document: every unit of every
    layer is agreed or has a gold span, every relation is agreed or in gold (no
    :attr:`~annotator.review.adjudicate_relations.RelationRow.open` row; checked when
    ``layers`` is all of them or names ``relations``), and every question (but free
    text) that an annotator answered has a gold answer."""
    for layer in [n for n in layers or project.schema.layer_names if n != "relations"]:
        if any(not u.agreed and not u.resolved for u in compare_document(project, document_id, layer, annotators).units):
            return False
    if layers is None or "relations" in layers:
        if any(row.open for row in compare_relations(project, document_id, annotators)):
            return False
    for q in project.schema.questions:
        if q.free_text:
            continue
        answers = answers_by_annotator(project, document_id, q.name)
        if any(n in answers for n in annotators) and GOLD not in answers:
            return False
    return True
