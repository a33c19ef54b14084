"""Relations between spans: human ones (by span uid) and suggested ones (by offsets) with
each annotator's accept/reject decision.

A stored relation joins two spans of one annotator on one document.  It names
them by uid, so a moved or relabelled span keeps its relations, and the
foreign keys delete a relation with either of its spans (``delete_span``
deletes them first and logs it, so an undo can put them back under the same
uids).  Suggested relations name their endpoints by (layer, start, end, label)
because the spans they join may be suggestions themselves; accepting one finds
(or makes) the annotator's spans at those offsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from annotator.core.errors import NotFoundError, SchemaError
from annotator.core.model import Span
from annotator.core.relations import Endpoint, Relation, SuggestedRelation
from annotator.store.base import StoreBase, new_uid, now

# head and child span columns joined in (h.*, c.*)
_REL_SELECT = (
    "SELECT r.id, r.uid, r.document_id, r.annotator, r.label, h.id, c.id, r.head_uid, r.child_uid, r.origin,"
    ' r.score, h.layer, h.start, h."end", h.label, c.layer, c.start, c."end", c.label'
    " FROM relations r JOIN spans h ON h.uid = r.head_uid JOIN spans c ON c.uid = r.child_uid"
)


def _relation_from_row(r: Sequence[Any]) -> Relation:
    return Relation(
        id=r[0], uid=r[1], document_id=r[2], annotator=r[3], label=r[4], head=r[5], child=r[6], head_uid=r[7],
        child_uid=r[8], origin=r[9], score=r[10], head_end=Endpoint(r[11], r[12], r[13], r[14]),
        child_end=Endpoint(r[15], r[16], r[17], r[18]),
    )


_RS_COLS = ("id, document_id, label, head_layer, head_start, head_end, head_label, child_layer, child_start,"
            " child_end, child_label, origin, score")


def _suggested_from_row(r: Sequence[Any]) -> SuggestedRelation:
    return SuggestedRelation(id=r[0], document_id=r[1], label=r[2], head=Endpoint(r[3], r[4], r[5], r[6]),
                             child=Endpoint(r[7], r[8], r[9], r[10]), origin=r[11], score=r[12])


@dataclass(frozen=True)
class PortableRelation:
    """A relation as stored, for copying between files (endpoints by span uid)."""

    uid: str
    annotator: str
    label: str
    head_uid: str
    child_uid: str
    origin: str
    score: float | None
    created: str
    updated: str


_PORTABLE = "uid, annotator, label, head_uid, child_uid, origin, score, created, updated"


class RelationsMixin(StoreBase):
    """The ``relations``, ``relation_suggestions`` and ``relation_decisions`` tables."""

    # -- human relations ------------------------------------------------------------

    def add_relation(self, head: int, child: int, label: str, *, origin: str = "human", score: float | None = None,
                     uid: str | None = None, check: bool = True) -> Relation:
        """Relate span ``head`` to span ``child`` (same document and annotator) with ``label``;
        ``uid`` stores it under an identity it had before (undo; ``check=False`` then puts back a
        relation whose end was relabelled out of the schema since, as it was).  Returns it as stored."""
        with self.transaction():
            h, c = self.get_span(head), self.get_span(child)
            if head == child:
                raise SchemaError("a relation joins two different spans")
            if h.document_id != c.document_id or h.annotator != c.annotator:
                raise SchemaError("a relation joins two spans of the same annotator on the same document")
            rt = self.schema.relation(label)
            if check:
                rt.check((h.layer, h.label), (c.layer, c.label))
            hu, cu = self.span_uid(head), self.span_uid(child)
            dup = self._conn.execute(
                "SELECT uid FROM relations WHERE head_uid = ? AND child_uid = ? AND label = ?", (hu, cu, label)
            ).fetchone()
            if dup is not None:
                raise SchemaError(f"that {label} relation is already there")
            ts, ruid = now(), uid or new_uid()
            self._conn.execute(
                "INSERT INTO relations(uid, document_id, annotator, label, head_uid, child_uid, origin, score,"
                " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ruid, h.document_id, h.annotator, label, hu, cu, origin, score, ts, ts),
            )
            self._log("add_relation", h.annotator, h.document_id, uid=ruid, label=label, head=[h.start, h.end],
                      child=[c.start, c.end], origin=origin)
            return self.get_relation(ruid)

    def restore_relation(self, rel: Relation) -> Relation:
        """Store again a relation removed before (undo), under its uid, between the spans that now
        carry its endpoints' uids."""
        with self.transaction():
            ids = []
            for uid in (rel.head_uid, rel.child_uid):
                row = self._conn.execute("SELECT id FROM spans WHERE uid = ?", (uid,)).fetchone()
                if row is None:
                    raise NotFoundError(f"no span {uid} to restore a {rel.label} relation to")
                ids.append(int(row[0]))
            return self.add_relation(ids[0], ids[1], rel.label, origin=rel.origin, score=rel.score, uid=rel.uid,
                                     check=False)

    def span_uid(self, span_id: int) -> str:
        """The uid of span ``span_id``."""
        row = self._conn.execute("SELECT uid FROM spans WHERE id = ?", (span_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no span {span_id}")
        return str(row[0])

    def get_relation(self, uid: str) -> Relation:
        """One relation by uid; :class:`NotFoundError` if absent."""
        row = self._conn.execute(_REL_SELECT + " WHERE r.uid = ?", (uid,)).fetchone()
        if row is None:
            raise NotFoundError(f"no relation {uid}")
        return _relation_from_row(row)

    def relations(self, document_id: int, annotator: str | None = None) -> list[Relation]:
        """A document's relations (one annotator's, or everyone's), ordered by head then child position."""
        sql = _REL_SELECT + " WHERE r.document_id = ?"
        args: list[Any] = [document_id]
        if annotator is not None:
            sql += " AND r.annotator = ?"
            args.append(annotator)
        rows = self._conn.execute(sql + " ORDER BY h.start, c.start, r.label, r.id", args).fetchall()
        return [_relation_from_row(r) for r in rows]

    def relations_of_span(self, span_id: int) -> list[Relation]:
        """Relations with span ``span_id`` at either end."""
        uid = self.span_uid(span_id)
        rows = self._conn.execute(_REL_SELECT + " WHERE r.head_uid = ? OR r.child_uid = ? ORDER BY r.id",
                                  (uid, uid)).fetchall()
        return [_relation_from_row(r) for r in rows]

    def relabel_relation(self, uid: str, label: str) -> Relation:
        """Give a relation another label (its endpoints must suit it); returns it as stored."""
        with self.transaction():
            old = self.get_relation(uid)
            assert old.head_end is not None and old.child_end is not None
            self.schema.relation(label).check((old.head_end.layer, old.head_end.label),
                                              (old.child_end.layer, old.child_end.label))
            self._conn.execute("UPDATE relations SET label = ?, updated = ? WHERE uid = ?", (label, now(), uid))
            self._log("relabel_relation", old.annotator, old.document_id, uid=uid, before=old.label, after=label)
            return old.with_(label=label)

    def delete_relation(self, uid: str) -> Relation:
        """Remove a relation; returns what was removed (for undo)."""
        with self.transaction():
            old = self.get_relation(uid)
            self._conn.execute("DELETE FROM relations WHERE uid = ?", (uid,))
            self._conn.execute("UPDATE relation_decisions SET relation_uid = NULL WHERE relation_uid = ?", (uid,))
            self._log("delete_relation", old.annotator, old.document_id, uid=uid, label=old.label)
            return old

    def _delete_relations_of_span(self, span_id: int) -> None:
        """Delete (and log) the relations of a span about to be deleted."""
        for rel in self.relations_of_span(span_id):
            self.delete_relation(rel.uid)

    def count_relations(self) -> int:
        """How many human relations the project holds."""
        return int(self._conn.execute("SELECT count(*) FROM relations").fetchone()[0])

    # -- suggested relations ----------------------------------------------------------

    def set_relation_suggestions(self, document_id: int, rels: Sequence[SuggestedRelation], suggester: str,
                                 version: str) -> int:
        """Replace ``suggester``'s relation suggestions on a document.  Decisions follow a suggestion
        that comes back with the same label and endpoints; returns how many were kept."""
        with self.transaction():
            decided: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
            for row in self._conn.execute(
                "SELECT g.label, g.head_layer, g.head_start, g.head_end, g.child_layer, g.child_start, g.child_end,"
                " x.annotator, x.decision, x.relation_uid, x.created FROM relation_suggestions g"
                " JOIN relation_decisions x ON x.suggestion_id = g.id WHERE g.document_id = ? AND g.suggester = ?",
                (document_id, suggester),
            ):
                decided.setdefault(tuple(row[:7]), []).append(tuple(row[7:]))
            self._conn.execute("DELETE FROM relation_suggestions WHERE document_id = ? AND suggester = ?",
                               (document_id, suggester))
            kept = 0
            for r in rels:
                self.schema.relation(r.label).check((r.head.layer, r.head.label), (r.child.layer, r.child.label))
                cur = self._conn.execute(
                    "INSERT INTO relation_suggestions(document_id, label, head_layer, head_start, head_end,"
                    " head_label, child_layer, child_start, child_end, child_label, origin, score, suggester, version)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (document_id, r.label, r.head.layer, r.head.start, r.head.end, r.head.label, r.child.layer,
                     r.child.start, r.child.end, r.child.label, r.origin, r.score, suggester, version),
                )
                key = (r.label, r.head.layer, r.head.start, r.head.end, r.child.layer, r.child.start, r.child.end)
                for who, decision, ruid, created in decided.pop(key, ()):
                    self._conn.execute(
                        "INSERT OR REPLACE INTO relation_decisions(suggestion_id, annotator, decision, relation_uid,"
                        " created) VALUES (?, ?, ?, ?, ?)", (cur.lastrowid, who, decision, ruid, created))
                    kept += 1
            return kept

    def relation_suggestions(self, document_id: int, *, pending_for: str | None = None,
                             suggester: str | None = None) -> list[SuggestedRelation]:
        """Suggested relations on a document; with ``pending_for``, those that annotator has not decided."""
        sql = f"SELECT {_RS_COLS} FROM relation_suggestions g WHERE g.document_id = ?"
        args: list[Any] = [document_id]
        if suggester is not None:
            sql += " AND g.suggester = ?"
            args.append(suggester)
        if pending_for is not None:
            sql += (" AND NOT EXISTS (SELECT 1 FROM relation_decisions x WHERE x.suggestion_id = g.id"
                    " AND x.annotator = ?)")
            args.append(pending_for)
        rows = self._conn.execute(sql + " ORDER BY g.head_start, g.child_start, g.label, g.id", args).fetchall()
        return [_suggested_from_row(r) for r in rows]

    def rejected_relation_suggestions(self, document_id: int) -> set[int]:
        """Ids of a document's suggested relations that some annotator rejected."""
        return {r[0] for r in self._conn.execute(
            "SELECT DISTINCT g.id FROM relation_suggestions g JOIN relation_decisions x ON x.suggestion_id = g.id"
            " WHERE g.document_id = ? AND x.decision = 'rejected'", (document_id,))}

    def get_relation_suggestion(self, suggestion_id: int) -> SuggestedRelation:
        """One suggested relation by id."""
        row = self._conn.execute(f"SELECT {_RS_COLS} FROM relation_suggestions WHERE id = ?",
                                 (suggestion_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no relation suggestion {suggestion_id}")
        return _suggested_from_row(row)

    def span_at(self, document_id: int, annotator: str, end: Endpoint) -> int | None:
        """The id of ``annotator``'s span at ``end``'s layer and offsets (None if there is none)."""
        row = self._conn.execute(
            'SELECT id FROM spans WHERE document_id = ? AND annotator = ? AND layer = ? AND start = ? AND "end" = ?'
            " ORDER BY label = ? DESC, id LIMIT 1",
            (document_id, annotator, end.layer, end.start, end.end, end.label),
        ).fetchone()
        return int(row[0]) if row else None

    def accept_relation_suggestion(self, suggestion_id: int, annotator: str, label: str | None = None) -> Relation:
        """Make the suggested relation ``annotator``'s: endpoints are their spans at the suggested
        offsets (stored first, as suggested, when they have none there); returns the relation."""
        with self.transaction():
            sug = self.get_relation_suggestion(suggestion_id)
            doc_id = sug.document_id or 0
            ends = []
            for end in (sug.head, sug.child):
                sid = self.span_at(doc_id, annotator, end)
                if sid is None:
                    sid = self.add_span(doc_id, Span(end.start, end.end, end.label, end.layer, origin=sug.origin),
                                        annotator)
                ends.append(sid)
            rel = self.add_relation(ends[0], ends[1], label or sug.label, origin=sug.origin, score=sug.score)
            self._conn.execute(
                "INSERT OR REPLACE INTO relation_decisions(suggestion_id, annotator, decision, relation_uid, created)"
                " VALUES (?, ?, 'accepted', ?, ?)", (suggestion_id, annotator, rel.uid, now()))
            self._log("accept_relation_suggestion", annotator, doc_id, suggestion_id=suggestion_id, uid=rel.uid)
            return rel

    def reject_relation_suggestion(self, suggestion_id: int, annotator: str) -> None:
        """Record that ``annotator`` rejected a suggested relation."""
        with self.transaction():
            sug = self.get_relation_suggestion(suggestion_id)
            self._ensure_annotator(annotator)
            self._conn.execute(
                "INSERT OR REPLACE INTO relation_decisions(suggestion_id, annotator, decision, relation_uid, created)"
                " VALUES (?, ?, 'rejected', NULL, ?)", (suggestion_id, annotator, now()))
            self._log("reject_relation_suggestion", annotator, sug.document_id, suggestion_id=suggestion_id)

    def undo_relation_decision(self, suggestion_id: int, annotator: str) -> None:
        """Forget a decision on a suggested relation (an accepted one's relation goes too;
        spans made for it stay: the caller undoes those)."""
        with self.transaction():
            row = self._conn.execute(
                "SELECT relation_uid, decision FROM relation_decisions WHERE suggestion_id = ? AND annotator = ?",
                (suggestion_id, annotator)).fetchone()
            if row is None:
                return
            if row[0] is not None:
                try:
                    self.delete_relation(str(row[0]))
                except NotFoundError:
                    pass
            self._conn.execute("DELETE FROM relation_decisions WHERE suggestion_id = ? AND annotator = ?",
                               (suggestion_id, annotator))
            self._log("undo_relation_decision", annotator, None, suggestion_id=suggestion_id, decision=row[1])

    def relation_suggestion_keys(self, document_id: int, *, suggester: str | None = None,
                                 min_score: float | None = None) -> set[tuple[tuple[int, int], tuple[int, int], str]]:
        """``{((head start, end), (child start, end), label)}`` of a document's suggested relations."""
        sql = "SELECT head_start, head_end, child_start, child_end, label FROM relation_suggestions WHERE document_id = ?"
        args: list[Any] = [document_id]
        if suggester is not None:
            sql += " AND suggester = ?"
            args.append(suggester)
        if min_score is not None:
            sql += " AND coalesce(score, 0) >= ?"
            args.append(min_score)
        return {((a, b), (c, d), str(lab)) for a, b, c, d, lab in self._conn.execute(sql, args)}

    def relation_suggested_document_ids(self) -> set[int]:
        """Documents with at least one suggested relation."""
        return {r[0] for r in self._conn.execute("SELECT DISTINCT document_id FROM relation_suggestions")}

    # -- copying between files -----------------------------------------------------------

    def portable_relations(self, document_id: int, annotator: str | None = None) -> list[PortableRelation]:
        """A document's relations as stored (uids and timestamps), for merge and packages."""
        sql = f"SELECT {_PORTABLE} FROM relations WHERE document_id = ?"
        args: list[Any] = [document_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        return [PortableRelation(*r) for r in self._conn.execute(sql + " ORDER BY uid", args)]

    def insert_portable_relations(self, document_id: int, rows: Iterable[PortableRelation]) -> int:
        """Insert relations keeping their uids; those already here, or whose spans are not here, are
        left out (their spans did not come along).  No event: the copy logs once.  Returns how many."""
        n = 0
        for r in rows:
            ok = self._conn.execute(
                "SELECT (SELECT count(*) FROM spans WHERE uid IN (?, ?)), (SELECT count(*) FROM relations"
                " WHERE uid = ?)", (r.head_uid, r.child_uid, r.uid)).fetchone()
            if ok[0] != 2 or ok[1]:
                continue
            self._conn.execute(
                f"INSERT INTO relations(document_id, {_PORTABLE}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (document_id, r.uid, r.annotator, r.label, r.head_uid, r.child_uid, r.origin, r.score, r.created,
                 r.updated))
            n += 1
        return n

    def delete_relation_by_uid(self, uid: str) -> None:
        """Remove a relation without logging (the copy logs once)."""
        self._conn.execute("DELETE FROM relations WHERE uid = ?", (uid,))

    def update_portable_relation(self, row: PortableRelation) -> None:
        """Overwrite the label of the stored relation with the same uid (a copy's newer version)."""
        self._conn.execute("UPDATE relations SET label = ?, origin = ?, score = ?, updated = ? WHERE uid = ?",
                           (row.label, row.origin, row.score, row.updated, row.uid))
