"""Comparing and adjudicating relations into gold (pure; the review window and
``annotator adjudicate`` call these).

A relation *matches* another when its label and both ends' offsets are the same (the
key of :attr:`~annotator.core.relations.Relation.key`, as in evaluation and agreement).
:func:`compare_relations` lists every relation any compared annotator (or gold) has on a
document, one row per key, with who has it; a row is *agreed* when every annotator has
it.  Accepting a row puts the relation into gold, storing its end spans in gold first
when gold has none at those offsets; rejecting removes it from gold (the spans stay).
Every function returns a :class:`~annotator.review.gold.GoldChange`, undone by
:func:`~annotator.review.adjudicate.undo_change`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from annotator.core.model import GOLD, Span
from annotator.core.relations import Endpoint, Relation
from annotator.review.gold import GoldChange, GoldSpans

if TYPE_CHECKING:
    from annotator.store import Project

RelationKey = tuple[tuple[int, int], tuple[int, int], str]


@dataclass
class RelationRow:
    """One relation (by key) on a document: who has it, and gold's copy if any."""

    key: RelationKey
    head: Endpoint
    child: Endpoint
    by: dict[str, Relation] = field(default_factory=dict)
    gold: Relation | None = None
    agreed: bool = False

    @property
    def label(self) -> str:
        """The relation label."""
        return self.key[2]

    @property
    def resolved(self) -> bool:
        """Gold has this relation."""
        return self.gold is not None

    @property
    def open(self) -> bool:
        """The annotators differ and gold lacks the relation: the reviewer has still to decide
        (the review window's orange rows; such a row keeps ``adjudicate --mark-done`` off)."""
        return not self.agreed and not self.resolved


def compare_relations(project: Project, document_id: int, annotators: Sequence[str],
                      gold: str = GOLD) -> list[RelationRow]:
    """Every relation of ``annotators`` and gold on a document, one row per key (ordered by
    head, then child position); ``agreed`` when every annotator has it."""
    names = [n for n in annotators if n != gold]
    rows: dict[RelationKey, RelationRow] = {}
    for rel in project.relations(document_id):
        who = rel.annotator or ""
        if who != gold and who not in names:
            continue
        assert rel.head_end is not None and rel.child_end is not None
        row = rows.get(rel.key)
        if row is None:
            row = rows[rel.key] = RelationRow(rel.key, rel.head_end, rel.child_end)
        if who == gold:
            row.gold = rel
        else:
            row.by[who] = rel
    for row in rows.values():
        row.agreed = bool(names) and all(n in row.by for n in names)
    return sorted(rows.values(), key=lambda r: (r.head.start, r.child.start, r.label))


def _put(gold_spans: GoldSpans, have: set[RelationKey], label: str, head: Endpoint, child: Endpoint,
         note: str, change: GoldChange, *, replace: bool) -> bool:
    """Store one relation in gold with its ends (:meth:`GoldSpans.put`: a gold span already at an
    end's offsets is used; ``replace`` lets the reviewer's choice of an end take the place of gold
    spans it overlaps in a no-overlap layer).  ``have`` is gold's relation keys, kept current.
    False when an end cannot be placed."""
    dropped = len(change.relations_removed)
    ids = []
    for end in (head, child):
        sid = gold_spans.put(Span(end.start, end.end, end.label, layer=end.layer, note=note), change, replace=replace)
        if sid is None:
            return False
        ids.append(sid)
    for rel in change.relations_removed[dropped:]:  # went with a gold span an end replaced
        have.discard(rel.key)
    key = (head.extent, child.extent, label)
    if key in have:
        return True
    rel = gold_spans.project.add_relation(ids[0], ids[1], label)
    change.relations_added.append(rel.uid)
    have.add(key)
    return True


def accept_relation(project: Project, document_id: int, row: RelationRow, gold: str = GOLD) -> GoldChange:
    """Put the row's relation into gold, with its end spans (made in gold when missing; in a
    layer without overlaps they replace the gold spans they overlap: the reviewer chose them)."""
    change = GoldChange()
    if row.gold is not None:
        return change
    with project.transaction():
        note = "from: " + ", ".join(sorted(row.by)) if row.by else "reviewer"
        have = {r.key for r in project.relations(document_id, gold)}
        _put(GoldSpans(project, document_id, gold), have, row.label, row.head, row.child, note, change, replace=True)
    return change


def reject_relation(project: Project, row: RelationRow) -> GoldChange:
    """Take the row's relation out of gold (its spans stay)."""
    change = GoldChange()
    if row.gold is not None:
        change.relations_removed.append(project.delete_relation(row.gold.uid))
    return change


def merge_agreed_relations(project: Project, document_id: int, annotators: Sequence[str],
                           gold: str = GOLD) -> GoldChange:
    """Copy into gold the relations every one of ``annotators`` has (and gold lacks), with their
    ends; a relation whose end overlaps a different gold span (a no-overlap layer) is left for
    the reviewer.  Gold's spans and relations are read once for the document."""
    change = GoldChange()
    names = [n for n in annotators if n != gold]
    if not names:
        return change
    note = "agreed: " + ", ".join(names)
    rows = compare_relations(project, document_id, names, gold)
    todo = [row for row in rows if row.agreed and row.gold is None]
    if not todo:
        return change
    gold_spans = GoldSpans(project, document_id, gold)
    have = {row.key for row in rows if row.gold is not None}
    with project.transaction():
        for row in todo:
            _put(gold_spans, have, row.label, row.head, row.child, note, change, replace=False)
    return change


def restore_relations(project: Project, document_id: int, relations: Sequence[Relation],
                      gold: str = GOLD) -> list[str]:
    """Store again gold relations removed before (undo), between the gold spans now at their
    ends' positions; returns the new uids (a relation whose ends are not there is left out)."""
    uids = []
    by_pos: dict[tuple[str, int, int, str], int] = {}
    for s in project.spans(document_id, gold):
        if s.id is not None:
            by_pos.setdefault((s.layer, s.start, s.end, s.label), s.id)
    have = {r.key for r in project.relations(document_id, gold)}
    for rel in relations:
        if rel.key in have or rel.head_end is None or rel.child_end is None:
            continue
        h = by_pos.get((rel.head_end.layer, rel.head_end.start, rel.head_end.end, rel.head_end.label))
        c = by_pos.get((rel.child_end.layer, rel.child_end.start, rel.child_end.end, rel.child_end.label))
        if h is None or c is None:
            continue
        uids.append(project.add_relation(h, c, rel.label, origin=rel.origin, score=rel.score, check=False).uid)
        have.add(rel.key)
    return uids
