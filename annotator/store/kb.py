"""The project knowledge base (tables ``kb_entries`` and ``kb_links``, migration in
``store/migrations.py``): entries, and the links of entity spans to them, keyed by
the span's ``uid`` so a link follows its span through merges and copies.

Every method that changes something is one transaction and logs an event; the
linking and story logic lives in :mod:`annotator.kb` and reaches the tables only
through these methods.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Iterable, Mapping, Sequence

from annotator.core.errors import NotFoundError, SchemaError
from annotator.core.kb import KB_LABELS, LINK_STATUSES, KBEntry, KBLink, KBMention, slug
from annotator.core.model import DEFAULT_LAYER
from annotator.store.base import CHUNK, StoreBase, marks

_ENTRY_COLS = "id, name, label, aliases, description, external_ids, origin"

_MENTION_SQL = (
    'SELECT s.id, s.uid, s.document_id, s.start, s."end", s.label, s.annotator,'
    ' substr(d.text, s.start + 1, s."end" - s.start), l.entry_id, l.origin, l.score, l.status'
    " FROM spans s JOIN documents d ON d.id = s.document_id"
    " LEFT JOIN kb_links l ON l.span_uid = s.uid"
)


def _entry_from_row(row: Sequence[Any]) -> KBEntry:
    return KBEntry(
        id=row[0], name=row[1], label=row[2], aliases=tuple(json.loads(row[3])), description=row[4],
        external_ids=json.loads(row[5]), origin=row[6],
    )


def _mention_from_row(row: Sequence[Any]) -> KBMention:
    return KBMention(
        span_id=row[0], span_uid=row[1], document_id=row[2], start=row[3], end=row[4], label=row[5],
        annotator=row[6], text=row[7], entry_id=row[8], origin=row[9] or "", score=row[10], status=row[11] or "",
    )


class KnowledgeBaseMixin(StoreBase):
    """Entries and links; mixed into :class:`~annotator.store.Project`."""

    # -- entries -------------------------------------------------------------

    def kb_free_entry_id(self, wanted: str) -> str:
        """An entry id made from ``wanted`` that no entry has yet (an undoable edit picks it first)."""
        return self._free_entry_id(wanted)

    def _free_entry_id(self, wanted: str) -> str:
        base = slug(wanted)
        candidate, n = base, 1
        while self._conn.execute("SELECT 1 FROM kb_entries WHERE id = ?", (candidate,)).fetchone():
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    @staticmethod
    def _check_entry(entry: KBEntry) -> None:
        if not entry.name.strip():
            raise SchemaError("a knowledge-base entry needs a name")
        if entry.label not in KB_LABELS:
            raise SchemaError(f"entry label must be one of {', '.join(KB_LABELS)}, not {entry.label!r}")

    def kb_add_entry(self, entry: KBEntry) -> KBEntry:
        """Store a new entry; an empty or taken ``id`` gets a free one made from the name.
        Returns the entry as stored."""
        self._check_entry(entry)
        with self.transaction():
            entry_id = self._free_entry_id(entry.id or entry.name)
            stored = entry.with_(id=entry_id)
            self._write_entry(stored, insert=True)
            self._log("kb_add_entry", None, None, entry_id=entry_id, name=entry.name)
            return stored

    def _write_entry(self, entry: KBEntry, *, insert: bool) -> None:
        aliases = json.dumps(list(dict.fromkeys(a for a in entry.aliases if a and a != entry.name)), ensure_ascii=False)
        ext = json.dumps(dict(entry.external_ids), ensure_ascii=False)
        if insert:
            self._conn.execute(
                f"INSERT INTO kb_entries({_ENTRY_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (entry.id, entry.name, entry.label, aliases, entry.description, ext, entry.origin),
            )
        else:
            self._conn.execute(
                "UPDATE kb_entries SET name = ?, label = ?, aliases = ?, description = ?, external_ids = ?,"
                " origin = ? WHERE id = ?",
                (entry.name, entry.label, aliases, entry.description, ext, entry.origin, entry.id),
            )

    def kb_update_entry(self, entry: KBEntry) -> None:
        """Replace an entry's name, label, aliases, description and external ids."""
        self._check_entry(entry)
        with self.transaction():
            self.kb_entry(entry.id)
            self._write_entry(entry, insert=False)
            self._log("kb_update_entry", None, None, entry_id=entry.id)

    def kb_upsert_entries(self, entries: Iterable[KBEntry]) -> tuple[int, int]:
        """Add or replace entries by id, all in one transaction; returns ``(added, updated)``."""
        added = updated = 0
        with self.transaction():
            for entry in entries:
                self._check_entry(entry)
                exists = self._conn.execute("SELECT 1 FROM kb_entries WHERE id = ?", (entry.id,)).fetchone()
                self._write_entry(entry, insert=not exists)
                added += not exists
                updated += bool(exists)
            self._log("kb_import", None, None, added=added, updated=updated)
        return added, updated

    def kb_entry(self, entry_id: str) -> KBEntry:
        """One entry; :class:`NotFoundError` when the knowledge base has no such id."""
        row = self._conn.execute(f"SELECT {_ENTRY_COLS} FROM kb_entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no knowledge-base entry {entry_id!r} in {self.path}")
        return _entry_from_row(row)

    def kb_entries(self) -> list[KBEntry]:
        """Every entry, by name."""
        rows = self._conn.execute(f"SELECT {_ENTRY_COLS} FROM kb_entries ORDER BY lower(name), id")
        return [_entry_from_row(r) for r in rows]

    def kb_delete_entry(self, entry_id: str) -> None:
        """Remove an entry and its links."""
        with self.transaction():
            self.kb_entry(entry_id)
            self._conn.execute("DELETE FROM kb_entries WHERE id = ?", (entry_id,))
            self._log("kb_delete_entry", None, None, entry_id=entry_id)

    def kb_counts(self) -> dict[str, tuple[int, int]]:
        """``{entry_id: (mentions, articles)}`` over links that are not rejected."""
        rows = self._conn.execute(
            "SELECT l.entry_id, count(*), count(DISTINCT s.document_id) FROM kb_links l"
            " JOIN spans s ON s.uid = l.span_uid WHERE l.status != 'rejected' GROUP BY l.entry_id"
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    # -- links ---------------------------------------------------------------

    def kb_mentions(
        self,
        *,
        entry_id: str | None = None,
        annotator: str | None = None,
        document_id: int | None = None,
        linked_only: bool = True,
        layer: str = DEFAULT_LAYER,
    ) -> list[KBMention]:
        """Entity spans with their link (rejected links are not shown as links).

        ``linked_only=False`` also returns spans with no live link (``entry_id`` None):
        the linker's input.
        """
        where = ["s.layer = ?"]
        args: list[Any] = [layer]
        if entry_id is not None:
            where.append("l.entry_id = ?")
            args.append(entry_id)
        if annotator is not None:
            where.append("s.annotator = ?")
            args.append(annotator)
        if document_id is not None:
            where.append("s.document_id = ?")
            args.append(document_id)
        if linked_only:
            where.append("l.status IN ('suggested', 'accepted')")
        sql = _MENTION_SQL + " WHERE " + " AND ".join(where) + ' ORDER BY s.document_id, s.start, s."end", s.id'
        out = [_mention_from_row(r) for r in self._conn.execute(sql, args)]
        # a rejected link is a verdict, not a link: show the span as unlinked
        return [m if m.status != "rejected" else replace(m, entry_id=None) for m in out]

    def kb_rejections(self, annotator: str | None = None) -> dict[int, set[str]]:
        """``{span_id: {entry ids turned down}}``: the linker never proposes them again."""
        sql = ("SELECT s.id, l.entry_id FROM kb_links l JOIN spans s ON s.uid = l.span_uid"
               " WHERE l.status = 'rejected'")
        args: list[Any] = []
        if annotator is not None:
            sql += " AND s.annotator = ?"
            args.append(annotator)
        out: dict[int, set[str]] = {}
        for span_id, entry_id in self._conn.execute(sql, args):
            out.setdefault(span_id, set()).add(entry_id)
        return out

    def kb_link_of(self, span_id: int) -> KBMention:
        """The span with its link (``entry_id`` None when it has none)."""
        row = self._conn.execute(_MENTION_SQL + " WHERE s.id = ?", (span_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no span {span_id}")
        m = _mention_from_row(row)
        return m if m.status != "rejected" else replace(m, entry_id=None)

    def _span_uid(self, span_id: int) -> tuple[str, str, int]:
        row = self._conn.execute("SELECT uid, annotator, document_id FROM spans WHERE id = ?", (span_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no span {span_id}")
        return row[0], row[1], row[2]

    def kb_set_link(
        self, span_id: int, entry_id: str, *, status: str = "accepted", origin: str = "human",
        score: float | None = None,
    ) -> None:
        """Link a span to an entry (replacing its link): ``accepted`` by a person,
        ``suggested`` by the linker, ``rejected`` to turn the entry down for this span."""
        if status not in LINK_STATUSES:
            raise ValueError(f"link status must be one of {LINK_STATUSES}, not {status!r}")
        with self.transaction():
            uid, who, doc = self._span_uid(span_id)
            self.kb_entry(entry_id)
            self._conn.execute(
                "INSERT OR REPLACE INTO kb_links(span_uid, entry_id, origin, score, status) VALUES (?, ?, ?, ?, ?)",
                (uid, entry_id, origin, score, status),
            )
            self._log("kb_link", who, doc, span_id=span_id, entry_id=entry_id, status=status, origin=origin)

    def kb_unlink(self, span_id: int) -> None:
        """Remove a span's link (whatever its status)."""
        with self.transaction():
            uid, who, doc = self._span_uid(span_id)
            cur = self._conn.execute("DELETE FROM kb_links WHERE span_uid = ?", (uid,))
            if cur.rowcount:
                self._log("kb_unlink", who, doc, span_id=span_id)

    # -- links by span uid (the editing layer's undo and redo) -------------------

    def kb_link_by_uid(self, span_uid: str) -> KBLink | None:
        """The link of the span with this uid, whatever its status (None: no link)."""
        row = self._conn.execute("SELECT entry_id, origin, score, status FROM kb_links WHERE span_uid = ?",
                                 (span_uid,)).fetchone()
        return KBLink(row[0], row[1], row[2], row[3]) if row else None

    def kb_entry_links(self, entry_id: str) -> dict[str, KBLink]:
        """``{span_uid: link}`` of every link to an entry, rejected ones included."""
        rows = self._conn.execute("SELECT span_uid, entry_id, origin, score, status FROM kb_links WHERE entry_id = ?",
                                  (entry_id,))
        return {r[0]: KBLink(r[1], r[2], r[3], r[4]) for r in rows}

    def kb_put_link(self, span_uid: str, link: KBLink | None) -> None:
        """Give the span with this uid exactly ``link`` (None: no link)."""
        with self.transaction():
            row = self._conn.execute("SELECT id, annotator, document_id FROM spans WHERE uid = ?",
                                     (span_uid,)).fetchone()
            if row is None:
                raise NotFoundError(f"no span with uid {span_uid}")
            if link is None:
                self._conn.execute("DELETE FROM kb_links WHERE span_uid = ?", (span_uid,))
                self._log("kb_unlink", row[1], row[2], span_id=row[0])
                return
            if link.status not in LINK_STATUSES:
                raise ValueError(f"link status must be one of {LINK_STATUSES}, not {link.status!r}")
            self.kb_entry(link.entry_id)
            self._conn.execute(
                "INSERT OR REPLACE INTO kb_links(span_uid, entry_id, origin, score, status) VALUES (?, ?, ?, ?, ?)",
                (span_uid, link.entry_id, link.origin, link.score, link.status))
            self._log("kb_link", row[1], row[2], span_id=row[0], entry_id=link.entry_id, status=link.status,
                      origin=link.origin)

    def kb_restore_entry(self, entry: KBEntry, links: Mapping[str, KBLink] | None = None) -> None:
        """Store ``entry`` under its own id (an error if taken) with ``{span_uid: link}``;
        links of spans no longer here are skipped."""
        self._check_entry(entry)
        with self.transaction():
            self._write_entry(entry, insert=True)
            for uid, link in (links or {}).items():
                if self._conn.execute("SELECT 1 FROM spans WHERE uid = ?", (uid,)).fetchone():
                    self.kb_put_link(uid, link)
            self._log("kb_add_entry", None, None, entry_id=entry.id, name=entry.name)

    def kb_has_links(self) -> bool:
        """Whether any span has a live link (exports skip the look-ups when none has)."""
        return self._conn.execute("SELECT 1 FROM kb_links WHERE status != 'rejected' LIMIT 1").fetchone() is not None

    def kb_links_for_spans(self, span_ids: Sequence[int]) -> dict[int, str]:
        """``{span_id: entry_id}`` of the live (suggested or accepted) links among the spans:
        what the export formats write."""
        out: dict[int, str] = {}
        ids = list(span_ids)
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            qs = marks(len(chunk))
            for span_id, entry_id in self._conn.execute(
                f"SELECT s.id, l.entry_id FROM spans s JOIN kb_links l ON l.span_uid = s.uid"
                f" WHERE s.id IN ({qs}) AND l.status IN ('suggested', 'accepted')",
                chunk,
            ):
                out[span_id] = entry_id
        return out

    def kb_import_links(self, links: Mapping[int, tuple[str, str, str]]) -> None:
        """Accept links read from a file: ``{span_id: (entry_id, name, label)}``; an id the
        knowledge base lacks becomes an entry named after the span (origin ``import``)."""
        with self.transaction():
            for span_id, (entry_id, name, label) in links.items():
                if not self._conn.execute("SELECT 1 FROM kb_entries WHERE id = ?", (entry_id,)).fetchone():
                    entry = KBEntry(entry_id, name or entry_id, label if label in KB_LABELS else "MISC",
                                    origin="import")
                    self._write_entry(entry, insert=True)
                self.kb_set_link(span_id, entry_id, status="accepted", origin="import")

    def kb_apply_linking(
        self,
        new_entries: Sequence[KBEntry],
        links: Sequence[tuple[int, str, str, float]],
        span_ids: Sequence[int],
    ) -> None:
        """Store one linker run in one transaction: the entries it made, and its
        ``(span_id, entry_id, origin, score)`` suggestions for ``span_ids``, replacing
        earlier suggestions there (accepted and rejected links stay); entries the linker
        made earlier that nothing links to any more are removed."""
        with self.transaction():
            for entry in new_entries:
                self._check_entry(entry)
                self._write_entry(entry.with_(origin="link"), insert=True)
            uids = {}
            for i in range(0, len(span_ids), CHUNK):
                chunk = list(span_ids[i : i + CHUNK])
                qs = marks(len(chunk))
                uids.update(self._conn.execute(f"SELECT id, uid FROM spans WHERE id IN ({qs})", chunk).fetchall())
                self._conn.execute(
                    f"DELETE FROM kb_links WHERE status = 'suggested' AND span_uid IN"
                    f" (SELECT uid FROM spans WHERE id IN ({qs}))", chunk)
            for span_id, entry_id, origin, score in links:
                self._conn.execute(
                    "INSERT OR IGNORE INTO kb_links(span_uid, entry_id, origin, score, status)"
                    " VALUES (?, ?, ?, ?, 'suggested')",
                    (uids[span_id], entry_id, origin, score),
                )
            self._conn.execute(
                "DELETE FROM kb_entries WHERE origin = 'link' AND id NOT IN (SELECT entry_id FROM kb_links)")
            self._log("kb_apply_linking", None, None, entries=len(new_entries), links=len(links))

    def kb_link_rows(self) -> list[tuple[str, str, str, float | None, str]]:
        """Every link as stored: ``(span_uid, entry_id, origin, score, status)`` (copying between files)."""
        return [tuple(r) for r in self._conn.execute(  # type: ignore[misc]
            "SELECT span_uid, entry_id, origin, score, status FROM kb_links ORDER BY span_uid")]

    def kb_put_link_rows(self, rows: Sequence[tuple[str, str, str, float | None, str]],
                         entries: Sequence[KBEntry]) -> int:
        """Copy links from another file: entries this knowledge base lacks are added (ones it
        has keep their own names), and each link whose span uid is here replaces that span's
        link.  Returns how many links were written."""
        with self.transaction():
            have = {r[0] for r in self._conn.execute("SELECT id FROM kb_entries")}
            for entry in entries:
                if entry.id not in have:
                    self._write_entry(entry, insert=True)
                    have.add(entry.id)
            written = 0
            for uid, entry_id, origin, score, status in rows:
                # (a link to an entry that is not here is left out like one to a span that is not:
                # a merge copies links with the key checks off, store/merging.py merge_transaction)
                if entry_id in have and self._conn.execute("SELECT 1 FROM spans WHERE uid = ?", (uid,)).fetchone():
                    self._conn.execute(
                        "INSERT OR REPLACE INTO kb_links(span_uid, entry_id, origin, score, status)"
                        " VALUES (?, ?, ?, ?, ?)", (uid, entry_id, origin, score, status))
                    written += 1
            return written

    def kb_merge(self, keep_id: str, drop_id: str) -> KBEntry:
        """Merge ``drop_id`` into ``keep_id``: its links move, its name and aliases become
        aliases, its external ids fill gaps; returns the merged entry."""
        if keep_id == drop_id:
            raise ValueError("cannot merge an entry with itself")
        with self.transaction():
            keep, drop = self.kb_entry(keep_id), self.kb_entry(drop_id)
            merged = keep.with_(
                aliases=tuple(dict.fromkeys((*keep.aliases, *drop.names()))),
                external_ids={**dict(drop.external_ids), **dict(keep.external_ids)},
                description=keep.description or drop.description,
                origin="user",
            )
            self._write_entry(merged, insert=False)
            self._conn.execute("UPDATE kb_links SET entry_id = ? WHERE entry_id = ?", (keep_id, drop_id))
            self._conn.execute("DELETE FROM kb_entries WHERE id = ?", (drop_id,))
            self._log("kb_merge", None, None, keep=keep_id, drop=drop_id)
            return self.kb_entry(keep_id)

    def kb_split(self, entry_id: str, span_ids: Sequence[int], name: str) -> KBEntry:
        """Move the links of ``span_ids`` from ``entry_id`` to a new entry called ``name``
        (same label), accepted; returns the new entry."""
        with self.transaction():
            old = self.kb_entry(entry_id)
            new = self.kb_add_entry(KBEntry("", name, old.label))
            for span_id in span_ids:
                if self.kb_link_of(span_id).entry_id != entry_id:
                    raise NotFoundError(f"span {span_id} is not linked to {entry_id!r}")
                self.kb_set_link(span_id, new.id, status="accepted", origin="human")
            self._log("kb_split", None, None, entry_id=entry_id, new=new.id, spans=list(span_ids))
            return new

