"""Bulk import: many documents with their spans and states in a few statements.

``annotator import`` of a large file used to run one ``execute`` per row and
log one event per document and per span (63,000 statements for 2,000 articles).
:meth:`ImportMixin.import_documents` stores a batch with ``executemany``, finds
the content hashes already stored in one query per batch, and appends ONE event
row per batch that records what it added (ranges of new document and span ids,
counts per annotator), so the audit trail stays complete.  The caller's
transaction (one per imported file) makes the file all or nothing.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from annotator.core.model import Document, Span
from annotator.store.base import CHUNK, StoreBase, hash_hex, marks, new_uids, now, stored_hash


@dataclass
class ImportItem:
    """One document to store with one annotator's work on it (already validated)."""

    document: Document
    content_hash: str
    annotator: str | None = None
    spans: Sequence[Span] = ()
    status: str | None = None


@dataclass
class ImportBatchResult:
    """What :meth:`ImportMixin.import_documents` stored: per item its document id and
    whether it was new, and how many spans were added."""

    document_ids: list[int] = field(default_factory=list)
    created: list[bool] = field(default_factory=list)
    spans: int = 0
    spans_per_item: list[int] = field(default_factory=list)


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """``[[first, last], ...]`` of runs of consecutive ids (how the import event records
    what it added without listing a million numbers)."""
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and i == out[-1][1] + 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


#: Page cache while a file is imported (KiB): the content-hash index takes inserts in random
#: order, and a million articles' index (75 MB) no longer fits SQLite's default 2 MB, so pages
#: were written out and read back for every batch.
BULK_CACHE_KIB = 262144


class ImportMixin(StoreBase):
    """Batched writes for ``annotator import`` (and anything that adds many documents)."""

    @contextmanager
    def bulk_import(self) -> Iterator[None]:
        """One transaction for a whole file's batches (:meth:`import_documents` calls join it),
        with a page cache that holds the indexes the batches write to; the cache is put back
        after.  Nothing about durability changes: the commit at the end is the usual one."""
        with self.transaction():
            if self._dialect.name != "sqlite":
                yield
                return
            restore_cache = self._bigger_page_cache(BULK_CACHE_KIB)
            try:
                yield
            finally:
                restore_cache()
        if self._building is not None and self._depth == 0:
            self._publish(reopen=True)  # a new file built aside (Project(build_new=True)): committed, now in place

    def known_hashes(self, hashes: Iterable[str]) -> dict[str, int]:
        """``{content_hash: id}`` of the given hashes that are stored (one query per 900)."""
        wanted = [stored_hash(h) for h in dict.fromkeys(hashes)]
        found: dict[str, int] = {}
        for i in range(0, len(wanted), CHUNK):
            chunk = wanted[i : i + CHUNK]
            found.update(
                (hash_hex(h), int(d)) for d, h in self._conn.execute(
                    f"SELECT id, content_hash FROM documents WHERE content_hash IN ({marks(len(chunk))})", chunk)
            )
        return found

    def import_documents(
        self, items: Sequence[ImportItem], *, source: str = "", known: Mapping[str, int] | None = None,
        languages: Callable[[Sequence[Document]], Sequence[str | None]] | None = None,
    ) -> ImportBatchResult:
        """Store ``items`` in one transaction (joins the caller's): new documents (content-hash
        dedup against the file and within the batch), each item's spans that its annotator does not
        have yet (so a re-import adds nothing), and its state; then one ``import`` event recording
        what was added.  Spans and states must have been validated by the caller.

        ``known``: what :meth:`known_hashes` answered for every item's hash, when the caller asked
        it inside the transaction this joins (then the batch needs no query of its own).
        ``languages``: given the new documents (in order), the language of each (None: keep its
        own); called while SQLite indexes them for search in another thread (it needs no Python
        lock there, so language detection and the index share the time on two cores)."""
        result = ImportBatchResult()
        if not items:
            return result
        with self.transaction():
            if known is not None:
                ids = {it.content_hash: known[it.content_hash] for it in items if it.content_hash in known}
            else:
                ids = self.known_hashes(it.content_hash for it in items)
            existed = set(ids.values())
            ts = now()
            new_rows: list[tuple[Any, ...]] = []
            new_docs: list[Document] = []
            pending: set[str] = set()
            new_hashes: list[str] = []  # the hex of new_rows' hashes, in order (rows hold the bytes)
            for it in items:
                h = it.content_hash
                if h in ids or h in pending:
                    continue
                pending.add(h)
                new_hashes.append(h)
                d = it.document
                new_docs.append(d)
                new_rows.append((
                    d.text, d.title, d.source, d.url, d.published, d.language,
                    json.dumps(dict(d.meta), ensure_ascii=False) if d.meta else "{}", stored_hash(h), d.original_text,
                    json.dumps(list(d.removed_lines), ensure_ascii=False) if d.removed_lines else "[]", ts,
                ))
            if new_rows:
                first = self._insert_documents(new_rows, None if languages is None else lambda: languages(new_docs))
                if first is None:
                    ids.update(self.known_hashes(pending))
                else:  # the write lock is ours: the new rows took the ids after the largest, in order
                    ids.update((h, first + i) for i, h in enumerate(new_hashes))
            new_ids = sorted(set(ids.values()) - existed)

            # registered once each, in their normal form (what rows must use)
            names = {n: self._ensure_annotator(n) for n in sorted(
                {it.annotator for it in items if it.annotator and (it.spans or it.status)})}

            # Spans already there (documents that existed before this batch) are not added again.
            have: dict[tuple[int, str], set[tuple[str, int, int, str]]] = {}
            old_docs = sorted({ids[it.content_hash] for it in items if it.spans} & existed)
            for i in range(0, len(old_docs), CHUNK):
                chunk = old_docs[i : i + CHUNK]
                for doc_id, who, layer, start, end, label in self._conn.execute(
                    f'SELECT document_id, annotator, layer, start, "end", label FROM spans'
                    f" WHERE document_id IN ({marks(len(chunk))})", chunk,
                ):
                    have.setdefault((doc_id, who), set()).add((layer, start, end, label))

            span_rows: list[tuple[Any, ...]] = []
            # one time-ordered uid per span that may be added, made in one go (store.base.new_uids)
            uids = new_uids(sum(len(it.spans) for it in items))
            status_rows: list[tuple[Any, ...]] = []
            per_annotator: dict[str, int] = {}
            for it in items:
                doc_id = ids[it.content_hash]
                result.document_ids.append(doc_id)
                added = 0
                who = names.get(it.annotator or "")
                if it.spans:
                    if not who:
                        raise ValueError("a span needs an annotator")
                    seen = have.setdefault((doc_id, who), set())
                    for s in it.spans:
                        key = (s.layer, s.start, s.end, s.label)
                        if key in seen:
                            continue
                        seen.add(key)
                        span_rows.append((uids[len(span_rows)], doc_id, who, s.layer, s.start, s.end, s.label,
                                          s.origin, s.score, s.note, ts, ts))
                        added += 1
                    if added:
                        per_annotator[who] = per_annotator.get(who, 0) + added
                result.spans_per_item.append(added)
                if it.status:
                    if not who:
                        raise ValueError("a state needs an annotator")
                    status_rows.append((doc_id, who, it.status, 0.0, ts))
            result.created = _created_flags(result.document_ids, existed)
            result.spans = len(span_rows)

            span_ids = None
            if span_rows:
                before = self._max_span_id()
                self._conn.executemany(
                    'INSERT INTO spans(uid, document_id, annotator, layer, start, "end", label, origin, score,'
                    " note, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    span_rows,
                )
                if self._dialect.name == "postgresql":
                    # Other sessions insert spans at the same time: the new ids need not be one run.
                    # Then the event records the runs, [[first, last], ...], instead of one [first, last].
                    runs = id_ranges(self._span_ids([row[0] for row in span_rows]))
                    span_ids = runs[0] if len(runs) == 1 else runs
                else:
                    # The write lock is ours for the whole transaction, so the new ids are the run after `before`.
                    span_ids = [before + 1, self._max_span_id()]
            if status_rows:
                added = dict.fromkeys(new_ids)
                self._insert_states(status_rows, {ids[it.content_hash]: it.document.source for it in items
                                                  if ids[it.content_hash] in added})
            if new_rows or span_rows or status_rows:
                payload: dict[str, Any] = {
                    "source": source,
                    "documents": len(items),
                    "new_documents": id_ranges(new_ids),
                    "spans": span_ids,
                    "spans_by_annotator": per_annotator,
                    "states": _state_counts(status_rows),
                }
                self._log("import", None, None, **payload)
        return result

    def _insert_documents(
        self, rows: list[tuple[Any, ...]], told: Callable[[], Sequence[str | None]] | None = None,
    ) -> int | None:
        """Insert new documents and index them for full-text search in one statement; the id
        of the first (the others follow it), or None on a server (ids need not be one run there).
        ``told()``: each row's language (None: the row's own), asked while the index is filled.

        The insert trigger indexes one row at a time; for a batch the trigger is dropped
        inside this transaction, the rows inserted, the index filled with one
        ``INSERT ... SELECT`` over the new rows (half the CPU), and the trigger put back
        exactly as it was stored.  DDL is transactional in SQLite: a rollback or a crash
        restores it, and readers never see the file without it.
        """
        insert = (
            "INSERT INTO documents(text, title, source, url, published, language, meta, content_hash,"
            " original_text, removed_lines, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        if self._dialect.name == "postgresql":
            # The tsvector column fills itself; another session importing the same text at the
            # same time wins the row (OR IGNORE), and known_hashes() then finds its id.
            _set_languages(rows, told)
            self._conn.executemany(insert.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1), rows)
            return None
        before = int(self._conn.execute("SELECT coalesce(max(id), 0) FROM documents").fetchone()[0])
        trigger = self._conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'documents_ai'").fetchone()
        if trigger is None or len(rows) < 16:
            _set_languages(rows, told)
            self._conn.executemany(insert, rows)
            return before + 1
        self._conn.execute("DROP TRIGGER documents_ai")
        self._conn.executemany(insert, rows)
        fill = ("INSERT INTO documents_fts(rowid, title, text, source)"
                " SELECT id, title, text, source FROM documents WHERE id > ?",
                (before,))
        if told is None:
            self._conn.execute(*fill)
        else:
            found = self._while_filling(fill, told)
            changed = [(lang, before + 1 + i) for i, (lang, row) in enumerate(zip(found, rows, strict=True))
                       if lang is not None and lang != row[5]]
            if changed:
                # the language is no column of the index: its update trigger (which re-indexes the
                # row) stays out of it, as the insert trigger does, and comes back as it was
                au = self._conn.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'documents_au'").fetchone()
                if au is not None:
                    self._conn.execute("DROP TRIGGER documents_au")
                self._conn.executemany("UPDATE documents SET language = ? WHERE id = ?", changed)
                if au is not None:
                    self._conn.execute(au[0])
        self._conn.execute(trigger[0])
        return before + 1

    def _while_filling(
        self, fill: tuple[str, tuple[Any, ...]], told: Callable[[], Sequence[str | None]],
    ) -> Sequence[str | None]:
        """Run the index ``fill`` statement in a thread while ``told()`` runs here; what it tells.

        SQLite runs the one statement without Python's lock, so on two cores the index and the
        Python work take the time of the longer of the two.  This thread touches the connection
        only after the other has ended, whatever happens (an error in either is raised here)."""
        import threading

        failed: list[BaseException] = []

        def run() -> None:
            try:
                self._conn.execute(*fill)
            except BaseException as exc:  # noqa: BLE001 - raised in the calling thread below
                failed.append(exc)

        worker = threading.Thread(target=run, name="annotator-fts-fill", daemon=True)
        worker.start()
        try:
            found = told()
        finally:
            worker.join()
        if failed:
            raise failed[0]
        return found

    def _insert_states(self, rows: list[tuple[Any, ...]], sources: Mapping[int, str]) -> None:
        """Store a batch's states; the last given for a (document, annotator) wins, as when set one
        by one; ``sources``: the outlet of each document this batch added.  The triggers that keep
        ``status_sources`` in step (migration 13) cost more than the insert itself, row by row: for
        a batch they are set aside inside this transaction, and the batch's rows of
        ``status_sources`` written in one ``executemany``, as the triggers would have written them."""
        upsert = ("INSERT INTO document_status(document_id, annotator, state, seconds, updated)"
                  " VALUES (?, ?, ?, ?, ?) ON CONFLICT(document_id, annotator) DO UPDATE SET"
                  " state = excluded.state, updated = excluded.updated")
        triggers = [] if self._dialect.name != "sqlite" or len(rows) < 16 else self._conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN"
            " ('status_sources_ai', 'status_sources_au') ORDER BY name").fetchall()
        if len(triggers) != 2:
            self._conn.executemany(upsert, rows)
            return
        for name, _sql in triggers:
            self._conn.execute(f"DROP TRIGGER {name}")
        self._conn.executemany(upsert, rows)
        last = {(doc_id, who): state for doc_id, who, state, *_rest in rows}  # the state each pair now has
        given = [(who, doc_id, state, sources[doc_id]) for (doc_id, who), state in last.items() if doc_id in sources]
        if given:  # documents of this batch: their outlet is known here
            self._conn.executemany("INSERT OR REPLACE INTO status_sources(annotator, document_id, state, source)"
                                   " VALUES (?, ?, ?, ?)", given)
        if len(given) < len(last):
            self._conn.executemany(
                "INSERT OR REPLACE INTO status_sources(annotator, document_id, state, source)"
                " SELECT ?, id, ?, source FROM documents WHERE id = ?",
                [(who, state, doc_id) for (doc_id, who), state in last.items() if doc_id not in sources])
        for _name, sql in triggers:
            self._conn.execute(sql)

    def _span_ids(self, uids: Sequence[str]) -> list[int]:
        out: list[int] = []
        for i in range(0, len(uids), CHUNK):
            chunk = list(uids[i : i + CHUNK])
            out += [int(r[0]) for r in self._conn.execute(
                f"SELECT id FROM spans WHERE uid IN ({marks(len(chunk))})", chunk)]
        return sorted(out)

    def _max_span_id(self) -> int:
        return int(self._conn.execute("SELECT coalesce(max(id), 0) FROM spans").fetchone()[0])


def _set_languages(rows: list[tuple[Any, ...]], told: Callable[[], Sequence[str | None]] | None) -> None:
    """Put the languages ``told()`` gives into the document rows (column 5), in place."""
    if told is None:
        return
    for i, lang in enumerate(told()):
        if lang is not None:
            rows[i] = (*rows[i][:5], lang, *rows[i][6:])


def _created_flags(doc_ids: Sequence[int], existed: set[int]) -> list[bool]:
    """True for the first item of the batch that names each new document."""
    seen: set[int] = set()
    flags = []
    for d in doc_ids:
        flags.append(d not in existed and d not in seen)
        seen.add(d)
    return flags


def _state_counts(rows: Sequence[tuple[Any, ...]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for _doc, who, state, _s, _ts in rows:
        per = out.setdefault(who, {})
        per[state] = per.get(state, 0) + 1
    return out
