"""Row-level copying between project files that keeps identities.

Spans and events carry a ``uid`` that stays the same in every file they are
copied to; that is what makes merging idempotent.  These helpers read and
write raw rows through ``project.conn`` (inside the caller's transaction).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.model import Document

SPAN_FIELDS = ("uid", "annotator", "layer", "start", "end", "label", "origin", "score", "note", "created", "updated")
_SPAN_SQL = ", ".join(f'"{c}"' for c in SPAN_FIELDS)

PROJECT_UID = "project_uid"


def project_uid(project: Any, *, create: bool = True) -> str | None:
    """The project's stable identity (a setting), created on first use so a
    file is recognised after it is moved or renamed."""
    uid = project.get_setting(PROJECT_UID)
    if uid is None and create:
        uid = uuid.uuid4().hex
        try:
            project.set_setting(PROJECT_UID, uid)
        except sqlite3.Error:
            # a read-only file: identify it by where it is (moving it then looks like a new source)
            uid = "path:" + hashlib.sha256(str(Path(project.path).resolve()).encode()).hexdigest()[:32]
    return uid


@dataclass(frozen=True)
class SpanRow:
    """A span as stored, with its uid (document id left out: it differs per file)."""

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


def span_rows(project: Any, document_id: int, annotator: str | None = None) -> list[SpanRow]:
    """Spans of a document with their uids (one annotator's, or everyone's)."""
    sql = f"SELECT {_SPAN_SQL} FROM spans WHERE document_id = ?"
    args: list[Any] = [document_id]
    if annotator is not None:
        sql += " AND annotator = ?"
        args.append(annotator)
    return [SpanRow(*r) for r in project.conn.execute(sql + ' ORDER BY start, "end", layer, label, uid', args)]


def insert_span_row(project: Any, document_id: int, row: SpanRow) -> None:
    """Insert a span keeping its uid (the caller checked it is not there yet)."""
    project.conn.execute(
        f"INSERT INTO spans(document_id, {_SPAN_SQL}) VALUES (?, {', '.join('?' * len(SPAN_FIELDS))})",
        (document_id, *(getattr(row, f) for f in SPAN_FIELDS)),
    )


def insert_span_rows(project: Any, document_id: int, rows: list[SpanRow]) -> None:
    """Insert many spans of one document keeping their uids (one statement)."""
    if rows:
        project.conn.executemany(
            f"INSERT INTO spans(document_id, {_SPAN_SQL}) VALUES (?, {', '.join('?' * len(SPAN_FIELDS))})",
            [(document_id, *(getattr(r, f) for f in SPAN_FIELDS)) for r in rows],
        )


def update_span_row(project: Any, row: SpanRow) -> None:
    """Overwrite the stored span with the same uid."""
    project.conn.execute(
        'UPDATE spans SET layer = ?, start = ?, "end" = ?, label = ?, origin = ?, score = ?, note = ?, updated = ?'
        " WHERE uid = ?",
        (row.layer, row.start, row.end, row.label, row.origin, row.score, row.note, row.updated, row.uid),
    )


def doc_label_rows(project: Any, document_id: int, annotator: str) -> dict[str, tuple[str, str | None, str]]:
    """``{question: (value, target, updated)}`` of one annotator on a document."""
    return {
        r[0]: (r[1], r[2], r[3])
        for r in project.conn.execute(
            "SELECT question, value, target, updated FROM doc_labels WHERE document_id = ? AND annotator = ?",
            (document_id, annotator),
        )
    }


def status_row(project: Any, document_id: int, annotator: str) -> tuple[str, float, str] | None:
    """``(state, seconds, updated)`` or None when never set."""
    row = project.conn.execute(
        "SELECT state, seconds, updated FROM document_status WHERE document_id = ? AND annotator = ?",
        (document_id, annotator),
    ).fetchone()
    return (row[0], float(row[1]), row[2]) if row else None


def ensure_annotator(project: Any, name: str, role: str = "annotator") -> None:
    """Register ``name`` if unknown (keeping the role it has)."""
    if project.annotator_role(name) is None:
        project.add_annotator(name, role)


def copy_document(source: Any, target: Any, document_id: int) -> tuple[int, bool]:
    """Add the source document (text, metadata, cleaning record) to ``target``
    unless a document with the same text is there; returns ``(id, created)``."""
    doc: Document = source.get_document(document_id)
    return target.add_document(doc)


def events_of(project: Any, document_id: int | None, annotator: str | None) -> list[tuple[Any, ...]]:
    """Raw event rows ``(uid, ts, annotator, document_id, action, payload)``."""
    sql = "SELECT uid, ts, annotator, document_id, action, payload FROM events WHERE 1=1"
    args: list[Any] = []
    if document_id is not None:
        sql += " AND document_id = ?"
        args.append(document_id)
    if annotator is not None:
        sql += " AND annotator = ?"
        args.append(annotator)
    return list(project.conn.execute(sql + " ORDER BY id", args))


def insert_events(project: Any, rows: list[tuple[Any, ...]], document_id: int | None, source_uid: str) -> int:
    """Copy events keeping their uids (those already there are skipped); the
    payload records the file each came from.  Returns how many were added."""
    if not rows:
        return 0
    uids = [r[0] for r in rows]
    have: set[str] = set()
    for i in range(0, len(uids), 900):
        chunk = uids[i : i + 900]
        have.update(r[0] for r in project.conn.execute(
            f"SELECT uid FROM events WHERE uid IN ({','.join('?' * len(chunk))})", chunk))
    new = []
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
    project.conn.executemany(
        "INSERT INTO events(uid, ts, annotator, document_id, action, payload) VALUES (?, ?, ?, ?, ?, ?)", new)
    return len(new)
