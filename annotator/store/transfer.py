"""Row-level copying between project files that keeps identities.

Spans and events carry a ``uid`` that stays the same in every file they are
copied to; that is what makes merging idempotent.  These methods read and write
rows as stored (timestamps and uids included) without logging, inside the
caller's transaction: merge and package export log one event for the whole copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from annotator.store import learning
from annotator.store.base import CHUNK, EVENT_SOURCE_SQL, marks, payload_with_source
from annotator.store.merging import SPAN_FIELDS, MergeSourceMixin

if TYPE_CHECKING:
    from annotator.store.project import Project

_SPAN_SQL = ", ".join(f'"{c}"' for c in SPAN_FIELDS)
_SPAN_INSERT = f"INSERT INTO spans(document_id, {_SPAN_SQL}) VALUES (?, {', '.join('?' * len(SPAN_FIELDS))})"

#: A raw event row: ``(uid, ts, annotator, document_id, action, payload JSON)``.
EventRecord = tuple[str, str, str | None, int | None, str, str]


def known_event_uids(conn: Any, uids: Sequence[str]) -> set[str]:
    """Which of ``uids`` the events of ``conn``'s project hold (one query per :data:`CHUNK`)."""
    have: set[str] = set()
    for i in range(0, len(uids), CHUNK):
        chunk = list(uids[i : i + CHUNK])
        have.update(r[0] for r in conn.execute(f"SELECT uid FROM events WHERE uid IN ({marks(len(chunk))})", chunk))
    return have


def insert_events(conn: Any, rows: Sequence[EventRecord]) -> None:
    """Store raw event rows as they are (uids and timestamps kept; no event of the copy itself)."""
    if rows:
        conn.executemany(
            "INSERT INTO events(uid, ts, annotator, document_id, action, payload) VALUES (?, ?, ?, ?, ?, ?)", rows)


@dataclass(frozen=True)
class PortableSpan:
    """A span as stored, with its uid and timestamps, for copying between files
    (the document id is left out: it differs per file)."""

    uid: str
    annotator: str
    layer: str
    start: int
    end: int
    label: str
    origin: str
    score: float | None
    note: str | None
    created: str
    updated: str

    @property
    def content(self) -> tuple[str, int, int, str]:
        """What the annotator decided: (layer, start, end, label)."""
        return (self.layer, self.start, self.end, self.label)


class TransferMixin(MergeSourceMixin):
    """Uid-preserving reads and writes used by merge and package export (the set-wise merge
    of a whole file: :class:`~annotator.store.merging.MergeSourceMixin`)."""

    def portable_spans(self, document_id: int, annotator: str | None = None) -> list[PortableSpan]:
        """Spans of a document with their uids (one annotator's, or everyone's)."""
        sql = f"SELECT {_SPAN_SQL} FROM spans WHERE document_id = ?"
        args: list[Any] = [document_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        return [PortableSpan(*r) for r in self._conn.execute(sql + ' ORDER BY start, "end", layer, label, uid', args)]

    def insert_portable_spans(self, document_id: int, rows: list[PortableSpan]) -> None:
        """Insert spans of one document keeping their uids (the caller checked they are not here yet)."""
        if rows:
            self._conn.executemany(_SPAN_INSERT, [(document_id, *(getattr(r, f) for f in SPAN_FIELDS)) for r in rows])

    def update_portable_span(self, row: PortableSpan) -> None:
        """Overwrite the stored span with the same uid."""
        self._conn.execute(
            'UPDATE spans SET layer = ?, start = ?, "end" = ?, label = ?, origin = ?, score = ?, note = ?, updated = ?'
            " WHERE uid = ?",
            (row.layer, row.start, row.end, row.label, row.origin, row.score, row.note, row.updated, row.uid),
        )

    def delete_span_by_uid(self, uid: str) -> None:
        """Remove the span with this uid (a decision that made it keeps its record, without the span)."""
        row = self._conn.execute("SELECT id FROM spans WHERE uid = ?", (uid,)).fetchone()
        if row is None:
            return
        self._conn.execute("UPDATE suggestion_decisions SET span_id = NULL WHERE span_id = ?", (row[0],))
        self._conn.execute("DELETE FROM spans WHERE uid = ?", (uid,))

    def span_uid_places(self, uids: list[str]) -> dict[str, tuple[int, str]]:
        """``{uid: (document_id, annotator)}`` for those of ``uids`` stored here."""
        out: dict[str, tuple[int, str]] = {}
        for i in range(0, len(uids), CHUNK):
            chunk = uids[i : i + CHUNK]
            for uid, doc_id, ann in self._conn.execute(
                f"SELECT uid, document_id, annotator FROM spans WHERE uid IN ({marks(len(chunk))})", chunk
            ):
                out[uid] = (doc_id, ann)
        return out

    def answer_records(self, document_id: int, annotator: str) -> dict[str, tuple[str, str | None, str]]:
        """``{question: (value, target, updated)}`` of one annotator on a document."""
        return {
            r[0]: (r[1], r[2], r[3])
            for r in self._conn.execute(
                "SELECT question, value, target, updated FROM doc_labels WHERE document_id = ? AND annotator = ?",
                (document_id, annotator),
            )
        }

    def put_answer_record(
        self, document_id: int, annotator: str, question: str, value: str, target: str | None, updated: str
    ) -> None:
        """Store an answer as it was stored elsewhere (its timestamp kept)."""
        self._conn.execute(
            "INSERT OR REPLACE INTO doc_labels(document_id, annotator, question, value, target, updated)"
            " VALUES (?, ?, ?, ?, ?, ?)", (document_id, annotator, question, value, target, updated))

    def delete_answer_record(self, document_id: int, annotator: str, question: str) -> None:
        """Remove an answer without logging (the copy logs once)."""
        self._conn.execute("DELETE FROM doc_labels WHERE document_id = ? AND annotator = ? AND question = ?",
                           (document_id, annotator, question))

    def status_record(self, document_id: int, annotator: str) -> tuple[str, float, str] | None:
        """``(state, seconds, updated)`` or None when never set."""
        row = self._conn.execute(
            "SELECT state, seconds, updated FROM document_status WHERE document_id = ? AND annotator = ?",
            (document_id, annotator),
        ).fetchone()
        return (row[0], float(row[1]), row[2]) if row else None

    def put_status_record(self, document_id: int, annotator: str, record: tuple[str, float, str] | None) -> None:
        """Store ``(state, seconds, updated)`` as it was stored elsewhere; None removes the status."""
        if record is None:
            self._conn.execute("DELETE FROM document_status WHERE document_id = ? AND annotator = ?",
                               (document_id, annotator))
        else:
            self._conn.execute(
                "INSERT OR REPLACE INTO document_status(document_id, annotator, state, seconds, updated)"
                " VALUES (?, ?, ?, ?, ?)", (document_id, annotator, *record))

    def event_records(self, document_id: int | None = None, annotator: str | None = None) -> list[EventRecord]:
        """Raw event rows, oldest first (optionally of one document/annotator); a merged event's
        payload with its ``merged_from`` (:func:`~annotator.store.base.payload_with_source`)."""
        sql = f"SELECT uid, ts, annotator, document_id, action, payload, {EVENT_SOURCE_SQL} FROM events WHERE 1=1"
        args: list[Any] = []
        if document_id is not None:
            sql += " AND document_id = ?"
            args.append(document_id)
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        return [(u, ts, a, d, act, payload_with_source(pl, mf))
                for u, ts, a, d, act, pl, mf in self._conn.execute(sql + " ORDER BY id", args)]

    def insert_event_records(self, rows: list[EventRecord], document_id: int | None, source_uid: str) -> int:
        """Copy events keeping their uids (those already here are skipped); the
        payload records the file each came from.  Returns how many were added."""
        if not rows:
            return 0
        have = known_event_uids(self._conn, [r[0] for r in rows])
        new: list[EventRecord] = []
        for uid, ts, annotator, _doc, action, payload in rows:
            if uid in have:
                continue
            try:
                data = json.loads(payload)
            except ValueError:
                data = {"raw": payload}
            if isinstance(data, dict):
                data.setdefault("merged_from", source_uid)
            new.append((uid, ts, annotator, document_id, action, json.dumps(data, ensure_ascii=False)))
            have.add(uid)
        insert_events(self._conn, new)
        return len(new)

    def copy_suggestions_from(self, source: Project, document_id: int, new_id: int, annotator: str) -> int:
        """Copy the source document's suggestions, runs and ``annotator``'s decisions onto
        document ``new_id`` here (spans the decisions made are found by uid).  Returns how many suggestions."""
        src = source._conn  # noqa: SLF001 - both files belong to the store
        # the shared sets and this annotator's own memory view, never another's (blind mode)
        mine = learning.memory_suggester(annotator)
        rows = src.execute(
            'SELECT id, layer, start, "end", label, origin, score, suggester, version FROM suggestions g'
            f" WHERE document_id = ? AND ({learning.shared_filter('g')} OR suggester = ?)",
            (document_id, mine)).fetchall()
        id_map: dict[int, int] = {}
        for r in rows:
            cur = self._conn.execute(
                'INSERT INTO suggestions(document_id, layer, start, "end", label, origin, score, suggester, version)'
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (new_id, *r[1:]))
            id_map[r[0]] = int(cur.lastrowid or 0)
        for r in src.execute(
            "SELECT suggester, version, content_hash, created FROM suggestion_runs g WHERE document_id = ?"
            f" AND ({learning.shared_filter('g')} OR suggester = ?)", (document_id, mine)
        ):
            self._conn.execute(
                "INSERT OR REPLACE INTO suggestion_runs(document_id, suggester, version, content_hash, created)"
                " VALUES (?, ?, ?, ?, ?)", (new_id, *r))
        # The annotator's decisions, so accepted/rejected suggestions do not come back as pending.
        for sug_id, decision, span_id, created in src.execute(
            "SELECT x.suggestion_id, x.decision, x.span_id, x.created FROM suggestion_decisions x"
            " JOIN suggestions g ON g.id = x.suggestion_id WHERE g.document_id = ? AND x.annotator = ?"
            f" AND ({learning.shared_filter('g')} OR g.suggester = ?)",
            (document_id, annotator, mine),
        ).fetchall():
            new_span = None
            if span_id is not None:
                uid = src.execute("SELECT uid FROM spans WHERE id = ?", (span_id,)).fetchone()
                if uid:
                    found = self._conn.execute("SELECT id FROM spans WHERE uid = ?", (uid[0],)).fetchone()
                    new_span = found[0] if found else None
            self._conn.execute(
                "INSERT OR REPLACE INTO suggestion_decisions(suggestion_id, annotator, decision, span_id, created)"
                " VALUES (?, ?, ?, ?, ?)", (id_map[sug_id], annotator, decision, new_span, created))
        return len(rows)
