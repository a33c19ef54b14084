"""Merge of one source project file into this one, set-wise in SQL (``annotator.review.merge``).

The source is ATTACHed to this connection and each kind of row (documents, spans,
answers, status, owners, events) is copied or compared by one statement over every
document, instead of a Python loop that read and wrote each document's rows: the
per-row calls, the per-value text decoding and the per-event JSON re-encoding were
where a merge spent its time.  Every statement runs inside the caller's transaction.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Iterator

from annotator.core.errors import ProjectError
from annotator.store.base import StoreBase, event_source_sql, now
from annotator.store.imports import id_ranges
from annotator.store.writeback import write_behind

SPAN_FIELDS = ("uid", "annotator", "layer", "start", "end", "label", "origin", "score", "note", "created", "updated")
_SPAN_SQL = ", ".join(f'"{c}"' for c in SPAN_FIELDS)
_SPAN_SQL_S = ", ".join(f's."{c}"' for c in SPAN_FIELDS)

#: The schema name the source file is attached under while it is merged.
_SRC = "merge_src"

#: Where a source's event came from before that source had it, for the copy's ``merged_from``:
#: its own column, else the range of the source's ``event_sources`` (migration 17) holding it;
#: NULL for an event made in the source, which the copy's own range attributes to the source
#: (:meth:`MergeSourceMixin.merge_events`).  The readers add the key to the payload
#: (``store.base.payload_with_source``): appending it here, to every row's text after testing
#: that it could be, was 40% of a first merge.
_ORIGIN = event_source_sql("e", f"{_SRC}.event_sources")

#: Events of no document that change nobody's work on a document: after them a re-merge may
#: still skip the unchanged pairs.  Any other event of no document (an import, a pull, the undo
#: of a suggestion decision) makes the next merge of that file compare everything again.
_HARMLESS = ("merge", "add_documents", "assign", "add_annotator", "set_role", "team_add", "push", "add_model_run", "kb_add_entry",
             "kb_update_entry", "kb_import", "kb_delete_entry", "kb_apply_linking", "kb_merge", "kb_split")
_HARMLESS_SQL = ", ".join(f"'{a}'" for a in _HARMLESS)

#: The review's setting that remembers how far a source was merged (``merge_seen:`` + its project id).
SEEN_KEY = "merge_seen:"

_DIFFERENT_SPAN = " OR ".join(f'r."{c}" IS NOT w."{c}"' for c in ("layer", "start", "end", "label", "origin",
                                                                  "score", "note"))


@dataclass
class MergeCounts:
    """What :meth:`TransferMixin.merge_sync` changed (rows of work)."""

    spans_added: int = 0
    spans_updated: int = 0
    spans_removed: int = 0
    answers: int = 0
    statuses: int = 0
    relations: int = 0
    elsewhere: list[tuple[str, int, str]] = field(default_factory=list)


class MergeSourceMixin(StoreBase):
    """Merge of one attached source file, set-wise in SQL (one statement per kind of row
    instead of a Python loop per document): what ``annotator.review.merge`` decides with."""

    @contextmanager
    def attached_source(self, path: str | Path) -> Iterator[None]:
        """Attach the project file at ``path`` (read by the merge statements); detached on leaving,
        with the temporary tables of the merge dropped."""
        self._conn.execute(f"ATTACH DATABASE ? AS {_SRC}", (str(path),))
        # A source whose uids are random (made before they were time-ordered) has its rows go into
        # the uid indexes at random places: a page cache that holds them saves re-reading (and
        # spilling) a page per row; about as much as the source file holds, up to 2 GiB.
        # Time-ordered uids go in along the indexes, and there a cache of that size only costs
        # its fresh pages (faulted in one by one: merging 100,000 documents x 3 took 49-56 s with
        # it, 30-40 s with 256 MiB, the system time halved).
        size = Path(path).stat().st_size // 1024
        kib = 262144 if self._source_uids_time_ordered() else min(max(size, 262144), 2097152)
        restore_cache = self._bigger_page_cache(kib)
        self._conn.execute("PRAGMA temp_store = MEMORY")
        self._conn.execute(f"PRAGMA {_SRC}.mmap_size = {1 << 40}")
        try:
            yield
        finally:
            restore_cache()
            for table in ("merge_docs", "merge_pairs", "merge_known", "merge_want", "merge_want_rel", "merge_bad_spans", "merge_bad_answers",
                          "merge_new_events", "merge_drop_pairs", "merge_drop_uids", "merge_status",
                          "merge_scope"):
                self._conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
            self._conn.execute(f"DETACH DATABASE {_SRC}")

    @contextmanager
    def merge_transaction(self, source_name: str) -> Iterator[None]:
        """One source's merge as one transaction, with SQLite's row-by-row foreign-key checks off
        inside it and on again after.  Those checks were a fifth of a first merge: each copied
        span looked up its document and its annotator, and SQLite looked for relations and
        knowledge-base links naming its uid.  The merge keeps the same guarantees itself: rows go
        in only on documents of ``temp.merge_docs`` (found here), for the pairs of
        ``temp.merge_pairs``, whose annotators are checked to be here before the commit (a
        damaged source naming one it does not list stops the merge of that file, nothing of it
        kept); relations go in only between spans that are here, links only to spans and entries
        that are here; a span removed takes its relations and links with it, as ON DELETE
        CASCADE did (:meth:`merge_sync`).  Inside an outer transaction (where the setting cannot
        change) the checks simply stay on."""
        c = self._conn
        outer = self._depth > 0 or c.in_transaction
        if not outer:
            c.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                yield
                missing = [r[0] for r in c.execute(
                    "SELECT DISTINCT p.annotator FROM temp.merge_pairs p WHERE p.sync = 1 AND NOT EXISTS"
                    " (SELECT 1 FROM main.annotators a WHERE a.name = p.annotator) ORDER BY 1")] if c.execute(
                    "SELECT 1 FROM temp.sqlite_master WHERE name = 'merge_pairs'").fetchone() else []
                if missing:
                    raise ProjectError(
                        f"{source_name}: has work by {', '.join(map(repr, missing))}, who is not among its annotators"
                        " (a damaged file); nothing of it was merged")
        finally:
            if not outer:
                c.execute("PRAGMA foreign_keys = ON")

    def _source_uids_time_ordered(self) -> bool:
        """True when the attached source's latest spans and events (up to 500 of each) nearly all
        have uids that increase with their row ids (time-ordered ones do, random ones do not)."""
        c = self._conn
        seen = rising = 0
        for table in ("spans", "events"):
            n, up = c.execute(
                "SELECT count(*), count(*) FILTER (WHERE uid > prev) FROM (SELECT uid, lag(uid) OVER (ORDER BY id)"
                f" AS prev FROM (SELECT id, uid FROM {_SRC}.{table} ORDER BY id DESC LIMIT 500)) WHERE prev IS NOT NULL"
            ).fetchone()
            seen, rising = seen + n, rising + up
        return rising >= 0.9 * seen

    @contextmanager
    def bulk_journal(self) -> Iterator[None]:
        """For filling a new file (nobody else has it open): a rollback journal instead of WAL
        while inside.  WAL writes every page twice (the log, then the checkpoint); a rollback
        journal keeps only the pages a transaction changes that were there before it, so pages
        appended to a growing file are written once, and a transaction is still all or nothing
        (``synchronous = FULL`` meanwhile, as a rollback journal needs).  WAL again on leaving.
        Meanwhile the file's dirty pages are handed to the disk as they pile up
        (:func:`~annotator.store.writeback.write_behind`), so a commit's sync has little left."""
        c = self._conn
        c.execute("PRAGMA main.journal_mode = DELETE")
        c.execute("PRAGMA main.synchronous = FULL")
        try:
            with write_behind(self.path):
                yield
        finally:
            c.execute("PRAGMA main.journal_mode = WAL")
            c.execute("PRAGMA main.synchronous = NORMAL")

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` of this file: it changes when another connection commits."""
        return int(self._conn.execute("PRAGMA main.data_version").fetchone()[0])

    def merge_documents(self, scoped: bool = False, source: str = "") -> tuple[int, int]:
        """Add the source's documents whose text is not here (by content hash; one
        ``add_documents`` event names them all, with ``source``, the file's name) and map source
        ids to ids here (``temp.merge_docs``).  ``scoped``: only the documents in
        ``temp.merge_scope`` (:meth:`merge_scope`).
        Returns ``(documents, new documents)``: the source's documents, the new ones here."""
        c = self._conn
        where = " AND s.id IN (SELECT src_doc FROM temp.merge_scope)" if scoped else ""
        c.execute("CREATE TEMP TABLE merge_docs(src_id INTEGER PRIMARY KEY, dst_id INTEGER NOT NULL,"
                  " created INTEGER NOT NULL)")
        before = int(c.execute("SELECT coalesce(max(id), 0) FROM main.documents").fetchone()[0])
        # The full-text index filled by one statement over the new rows instead of its per-row
        # trigger (as a bulk import does, store/imports.py): dropped and put back as stored, inside
        # this transaction (DDL is transactional: a rollback or a crash restores it).
        trigger = c.execute("SELECT sql FROM main.sqlite_master WHERE type = 'trigger' AND name = 'documents_ai'").fetchone()
        if trigger is not None:
            c.execute("DROP TRIGGER main.documents_ai")
        # Into an empty review the source's documents go with their ids, and then its full-text
        # index can be taken as it is (see _take_source_index) instead of tokenizing every text again.
        # (They keep their ids in any empty review: the source's spans and log can then be copied
        # as stored, see merge_copy_whole_log and merge_sync.)
        keep_ids = not scoped and before == 0
        take_index = trigger is not None and keep_ids and self._source_index_fits()
        c.execute(
            "INSERT INTO main.documents(id, text, title, source, url, published, language, meta, content_hash,"
            f" original_text, removed_lines, created) SELECT {'s.id' if keep_ids else 'NULL'}, s.text, s.title,"
            " s.source, s.url, s.published,"
            f" s.language, s.meta, s.content_hash, s.original_text, s.removed_lines, ? FROM {_SRC}.documents s"
            " WHERE NOT EXISTS (SELECT 1 FROM main.documents d WHERE d.content_hash = s.content_hash)"
            f"{where} ORDER BY s.id", (now(),))
        if take_index:
            self._take_source_index()
        elif trigger is not None:
            c.execute("INSERT INTO main.documents_fts(rowid, title, text, source) SELECT id, title, text, source"
                      " FROM main.documents"
                      " WHERE id > ?", (before,))
        if trigger is not None:
            c.execute(trigger[0])
        c.execute(f"INSERT INTO temp.merge_docs SELECT s.id, d.id, d.id > ? FROM {_SRC}.documents s"
                  f" JOIN main.documents d ON d.content_hash = s.content_hash WHERE 1{where}", (before,))
        # One event records the documents this merge added, as a bulk import's does (store/imports.py),
        # instead of an add_document event each: those uids, made now and so newer than every uid
        # the sources hold, put each source event copied after them into the middle of the uid
        # index instead of at its end (20,000 documents' events: 0.57 s to copy instead of 0.31 s).
        new = [r[0] for r in c.execute("SELECT dst_id FROM temp.merge_docs WHERE created ORDER BY dst_id")]
        if new:
            self._log("add_documents", None, None, source=source, new_documents=id_ranges(new))
        total = int(c.execute(f"SELECT count(*) FROM {_SRC}.documents").fetchone()[0])
        return total, len(new)

    def _source_index_fits(self) -> bool:
        """True when the attached source's full-text index can serve here as it is: this file has
        no document yet, both indexes are declared alike (same columns, tokenizer and options) and
        the source's holds a row for each of its documents."""
        c = self._conn
        if c.execute("SELECT 1 FROM main.documents LIMIT 1").fetchone():
            return False
        declared = [c.execute(f"SELECT sql FROM {schema}.sqlite_master WHERE name = 'documents_fts'").fetchone()
                    for schema in ("main", _SRC)]
        if declared[0] is None or declared[0] != declared[1]:
            return False
        shadows = {f"documents_fts_{t}" for t in ("data", "idx", "docsize", "config")}
        for schema in ("main", _SRC):
            if {r[0] for r in c.execute(f"SELECT name FROM {schema}.sqlite_master WHERE name LIKE 'documents_fts_%'")} != shadows:
                return False
        rows, indexed = c.execute(f"SELECT (SELECT count(*) FROM {_SRC}.documents),"
                                  f" (SELECT count(*) FROM {_SRC}.documents_fts_docsize)").fetchone()
        return bool(rows == indexed)

    def _take_source_index(self) -> None:
        """Make this file's full-text index a copy of the attached source's (the documents went in
        with the source's ids, so each row of the index names the same text here): its four
        tables copied as stored, which is what tokenizing every text again would write.  The
        index is dropped and declared anew first, so that FTS5 holds nothing of the empty one in
        this connection and reads the copied structure when it is next used."""
        c = self._conn
        declared = c.execute("SELECT sql FROM main.sqlite_master WHERE name = 'documents_fts'").fetchone()[0]
        c.execute("DROP TABLE main.documents_fts")
        c.execute(declared)
        for table in ("data", "idx", "docsize", "config"):
            c.execute(f"DELETE FROM main.documents_fts_{table}")
            c.execute(f"INSERT INTO main.documents_fts_{table} SELECT * FROM {_SRC}.documents_fts_{table}")

    def merge_pairs(self, source_uid: str, takes_over: str | None,
                    scoped: bool = False) -> list[tuple[int, int, str, str | None]]:
        """Every (document, annotator) with work in the source (``temp.merge_pairs``), marked to
        sync when the source owns it here, ``takes_over`` names the annotator, or there is no work
        here.  Returns the others, ``(source doc, doc here, annotator, owner's path or None)``, for
        the caller to compare.  ``scoped``: only the documents of ``temp.merge_docs``, and a pair
        the source owns is left out unless ``temp.merge_scope`` names it (:meth:`merge_scope`)."""
        c = self._conn
        scope = " WHERE document_id IN (SELECT src_id FROM temp.merge_docs)" if scoped else ""
        # fresh: no work here for the pair (so nothing to update or remove: its spans go straight in)
        c.execute("CREATE TEMP TABLE merge_pairs(src_doc INTEGER NOT NULL, dst_doc INTEGER NOT NULL,"
                  " annotator TEXT NOT NULL, sync INTEGER NOT NULL, fresh INTEGER NOT NULL,"
                  " PRIMARY KEY (src_doc, annotator)) WITHOUT ROWID")
        c.execute(
            "INSERT INTO temp.merge_pairs SELECT src_doc, dst_doc, annotator, owned OR annotator IS :takes OR fresh,"
            " fresh FROM (SELECT w.document_id AS src_doc, m.dst_id AS dst_doc, w.annotator,"
            " coalesce(o.source_uid = :suid, 0) AS owned, NOT ("
            " EXISTS (SELECT 1 FROM main.spans r WHERE r.document_id = m.dst_id AND r.annotator = w.annotator)"
            " OR EXISTS (SELECT 1 FROM main.doc_labels r WHERE r.document_id = m.dst_id AND r.annotator = w.annotator)"
            " OR EXISTS (SELECT 1 FROM main.document_status r WHERE r.document_id = m.dst_id"
            " AND r.annotator = w.annotator)) AS fresh"
            f" FROM (SELECT document_id, annotator FROM {_SRC}.spans{scope} UNION SELECT document_id, annotator"
            f" FROM {_SRC}.doc_labels{scope} UNION SELECT document_id, annotator FROM {_SRC}.document_status{scope}) w"
            " JOIN temp.merge_docs m ON m.src_id = w.document_id"
            " LEFT JOIN main.merge_owners o ON o.document_id = m.dst_id AND o.annotator = w.annotator)",
            {"suid": source_uid, "takes": takes_over})
        if scoped:
            # a pair this source owns that no event touched since its last merge, on either side, is as
            # that merge left it: neither read nor written again
            c.execute(
                "DELETE FROM temp.merge_pairs WHERE annotator IS NOT :takes AND EXISTS (SELECT 1 FROM main.merge_owners o"
                " WHERE o.document_id = dst_doc AND o.annotator = merge_pairs.annotator AND o.source_uid = :suid)"
                " AND NOT EXISTS (SELECT 1 FROM temp.merge_scope t WHERE t.src_doc = merge_pairs.src_doc"
                " AND (t.annotator IS NULL OR t.annotator = merge_pairs.annotator))",
                {"suid": source_uid, "takes": takes_over})
        return [tuple(r) for r in c.execute(  # type: ignore[misc]
            "SELECT p.src_doc, p.dst_doc, p.annotator, o.source_path FROM temp.merge_pairs p"
            " LEFT JOIN main.merge_owners o ON o.document_id = p.dst_doc AND o.annotator = p.annotator"
            " WHERE NOT p.sync ORDER BY p.src_doc, p.annotator")]

    def merge_mark_pairs(self, rows: list[tuple[int, str, int]]) -> None:
        """Set the decision of compared pairs: ``(source doc, annotator, 1 sync / 0 keep / -1 conflict)``
        (a conflict's events are left out)."""
        self._conn.executemany("UPDATE temp.merge_pairs SET sync = ? WHERE src_doc = ? AND annotator = ?",
                               [(d, doc, ann) for doc, ann, d in rows])

    def _pj(self, table: str) -> str:
        """``SRC.table alias JOIN temp.merge_pairs p``, with the pairs first when they are few (a
        re-merge of what changed: each pair's rows looked up by the source's index, instead of a
        scan of the source's whole table that SQLite, knowing no sizes, would pick)."""
        few = self._conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'merge_scope'").fetchone()
        return f"temp.merge_pairs p CROSS JOIN {_SRC}.{table}" if few else f"{_SRC}.{table} JOIN temp.merge_pairs p"

    def _merge_whole(self) -> bool | None:
        """None when no pair is to be synced; True when every pair of the whole source is (the
        source's tables can then be read without asking which pair a row is of); else False."""
        c = self._conn
        n_sync, n_all = c.execute("SELECT count(*) FILTER (WHERE sync = 1), count(*) FROM temp.merge_pairs").fetchone()
        if not n_sync:
            return None
        scoped = c.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'merge_scope'").fetchone()
        return n_sync == n_all and not scoped

    def merge_labels_used(
        self, known_spans: Collection[tuple[str, str]] = (),
    ) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]], list[tuple[str, int]], int]:
        """What the sync would copy, for the caller's schema check: ``(layer, label, count)`` of
        the spans whose (layer, label) is not in ``known_spans``, ``(question, value, count)`` of
        the answers, ``(label, count)`` of the relations, and how many spans have a known one."""
        c = self._conn
        whole = self._merge_whole()
        if whole is None:
            return [], [], [], 0
        c.execute("CREATE TEMP TABLE IF NOT EXISTS merge_known(layer TEXT, label TEXT, PRIMARY KEY (layer, label))")
        c.execute("DELETE FROM temp.merge_known")
        c.executemany("INSERT OR IGNORE INTO temp.merge_known VALUES (?, ?)", list(known_spans))
        outside = "NOT EXISTS (SELECT 1 FROM temp.merge_known k WHERE k.layer = s.layer AND k.label = s.label)"
        if whole:
            # every span of the source is to be copied (a first merge): no need to ask which pair each
            # is of, and the labels outside the schema (usually none) are found by one scan, without
            # the sort that grouping every span by label took
            total = int(c.execute(f"SELECT count(*) FROM {_SRC}.spans").fetchone()[0])
            spans = c.execute(f"SELECT s.layer, s.label, count(*) FROM {_SRC}.spans s WHERE {outside}"
                              " GROUP BY s.layer, s.label").fetchall()
        else:
            total, spans = 0, []
            for layer, label, n in c.execute(
                    f"SELECT s.layer, s.label, count(*) FROM {self._pj('spans s')}"
                    " ON p.src_doc = s.document_id AND p.annotator = s.annotator WHERE p.sync = 1"
                    " GROUP BY s.layer, s.label"):
                total += n
                if (layer, label) not in known_spans:
                    spans.append((layer, label, n))
        inside = total - sum(n for _layer, _label, n in spans)
        answers = c.execute(f"SELECT a.question, a.value, count(*) FROM {self._pj('doc_labels a')}"
                            " ON p.src_doc = a.document_id AND p.annotator = a.annotator WHERE p.sync = 1"
                            " GROUP BY a.question, a.value").fetchall()
        relations = c.execute(f"SELECT r.label, count(*) FROM {self._pj('relations r')}"
                              " ON p.src_doc = r.document_id AND p.annotator = r.annotator WHERE p.sync = 1"
                              " GROUP BY r.label").fetchall()
        return spans, answers, relations, inside

    def merge_sync(
        self, bad_spans: list[tuple[str, str]], bad_answers: list[tuple[str, str]], bad_relations: list[str],
        source_uid: str, source_path: str, copied: int | None = None,
    ) -> MergeCounts:
        """Make every pair marked to sync equal to the source: spans by uid (added, updated,
        removed; a uid already here on another document or annotator is left out and reported),
        relations by uid (after the spans; one whose spans are not here is left out), answers
        and status as stored, the owner recorded.  Spans with ``bad_spans`` (layer, label),
        answers with ``bad_answers`` (question, value) and relations with a label in
        ``bad_relations`` are left out.  ``copied``: how many spans pass the schema (from
        :meth:`merge_labels_used`); when all of them went in, no uid was elsewhere (not looked for)."""
        c = self._conn
        out = MergeCounts()
        n_want = 0
        c.execute("CREATE TEMP TABLE merge_want_rel AS SELECT p.src_doc, p.dst_doc AS document_id, r.uid,"
                  " r.annotator, r.label, r.head_uid, r.child_uid, r.origin, r.score, r.created, r.updated"
                  f" FROM {self._pj('relations r')} ON p.src_doc = r.document_id"
                  " AND p.annotator = r.annotator WHERE p.sync = 1")
        c.executemany("DELETE FROM temp.merge_want_rel WHERE label = ?", [(b,) for b in bad_relations])
        c.execute("CREATE UNIQUE INDEX temp.merge_want_rel_uid ON merge_want_rel(uid)")
        # removed first: a relation of a span about to be removed counts as removed, as it is
        out.relations = c.execute(
            "DELETE FROM main.relations WHERE id IN (SELECT r.id FROM main.relations r JOIN temp.merge_pairs p"
            " ON r.document_id = p.dst_doc AND r.annotator = p.annotator WHERE p.sync = 1 AND NOT EXISTS"
            " (SELECT 1 FROM temp.merge_want_rel w WHERE w.uid = r.uid AND w.document_id = r.document_id"
            " AND w.annotator = r.annotator))").rowcount
        c.execute("CREATE TEMP TABLE merge_bad_spans(layer TEXT, label TEXT, PRIMARY KEY (layer, label))")
        c.executemany("INSERT OR IGNORE INTO temp.merge_bad_spans VALUES (?, ?)", bad_spans)
        c.execute("CREATE TEMP TABLE merge_bad_answers(question TEXT, value TEXT, PRIMARY KEY (question, value))")
        c.executemany("INSERT OR IGNORE INTO temp.merge_bad_answers VALUES (?, ?)", bad_answers)
        elsewhere: list[tuple[int, str, int, str]] = []
        if c.execute("SELECT 1 FROM temp.merge_pairs WHERE sync = 1 AND NOT fresh LIMIT 1").fetchone():
            # pairs with work here: compared span by span (a pair of a first merge skips all this)
            c.execute(
                f"CREATE TEMP TABLE merge_want AS SELECT p.src_doc, p.dst_doc AS document_id, {_SPAN_SQL_S}"
                f" FROM {self._pj('spans s')} ON p.src_doc = s.document_id AND p.annotator = s.annotator"
                " WHERE p.sync = 1 AND NOT p.fresh AND NOT EXISTS (SELECT 1 FROM temp.merge_bad_spans b"
                " WHERE b.layer = s.layer AND b.label = s.label)")
            c.execute("CREATE UNIQUE INDEX temp.merge_want_uid ON merge_want(uid)")
            n_want = int(c.execute("SELECT count(*) FROM temp.merge_want").fetchone()[0])
            # removed: the pair's spans here the source no longer has (there).  Only pairs with more
            # spans here than the source's spans found here are looked at row by row: the counts
            # come from the spans_doc index and the uid index, so a re-merge reads no span row.
            c.execute("CREATE TEMP TABLE merge_drop_pairs(document_id INTEGER NOT NULL, annotator TEXT NOT NULL,"
                      " PRIMARY KEY (document_id, annotator))")
            c.execute(
                "INSERT INTO temp.merge_drop_pairs SELECT h.document_id, h.annotator FROM (SELECT r.document_id,"
                " r.annotator, count(*) AS n FROM temp.merge_pairs p CROSS JOIN main.spans r INDEXED BY spans_doc"
                " ON r.document_id = p.dst_doc AND r.annotator = p.annotator WHERE p.sync = 1 AND NOT p.fresh"
                " GROUP BY r.document_id, r.annotator) h LEFT JOIN (SELECT w.document_id, w.annotator, count(*) AS n"
                " FROM temp.merge_want w INDEXED BY merge_want_uid CROSS JOIN main.spans r ON r.uid = w.uid"
                " AND r.document_id = w.document_id AND r.annotator = w.annotator GROUP BY w.document_id, w.annotator) k"
                " ON k.document_id = h.document_id AND k.annotator = h.annotator WHERE h.n > coalesce(k.n, 0)")
            drop = ("SELECT r.id FROM temp.merge_drop_pairs d CROSS JOIN main.spans r ON r.document_id = d.document_id"
                    " AND r.annotator = d.annotator WHERE NOT EXISTS (SELECT 1 FROM temp.merge_want w"
                    " WHERE w.uid = r.uid AND w.document_id = r.document_id AND w.annotator = r.annotator)")
            c.execute(f"UPDATE main.suggestion_decisions SET span_id = NULL WHERE span_id IN ({drop})")
            # what ON DELETE CASCADE does, done here: the merge runs with the row-by-row key checks
            # off (merge_transaction), and a relation or a link must not outlive its span
            c.execute(f"CREATE TEMP TABLE merge_drop_uids AS SELECT uid FROM main.spans WHERE id IN ({drop})")
            c.execute("DELETE FROM main.relations WHERE head_uid IN temp.merge_drop_uids"
                      " OR child_uid IN temp.merge_drop_uids")
            c.execute("DELETE FROM main.kb_links WHERE span_uid IN temp.merge_drop_uids")
            out.spans_removed = c.execute("DELETE FROM main.spans WHERE uid IN temp.merge_drop_uids").rowcount
            # (+w.uid: the wanted rows are walked and each looked up here by uid; SQLite, knowing no
            # sizes, would otherwise walk every span here, millions, for a re-merge of a few)
            out.spans_updated = c.execute(
                'UPDATE main.spans AS r SET layer = w.layer, start = w.start, "end" = w."end", label = w.label,'
                " origin = w.origin, score = w.score, note = w.note, updated = w.updated FROM temp.merge_want w"
                f" WHERE r.uid = +w.uid AND w.document_id = r.document_id AND w.annotator = r.annotator AND ({_DIFFERENT_SPAN})"
            ).rowcount
            elsewhere += c.execute(
                "SELECT w.src_doc, w.uid, r.document_id, r.annotator FROM temp.merge_want w JOIN main.spans r ON r.uid = w.uid"
                " WHERE r.document_id != w.document_id OR r.annotator != w.annotator").fetchall()
            out.spans_added += c.execute(
                f"INSERT INTO main.spans(document_id, {_SPAN_SQL}) SELECT document_id, {_SPAN_SQL} FROM temp.merge_want w"
                " WHERE NOT EXISTS (SELECT 1 FROM main.spans r WHERE r.uid = w.uid) ORDER BY uid").rowcount
        # The pairs with no work here (every pair of a first merge): their spans go straight from
        # the source's table, in its order (time-ordered uids: along the uid index), with nothing
        # to update or remove; a uid already here is elsewhere by definition and is left out
        # (OR IGNORE: the uid is the only constraint such a row can break, as it was valid there).
        # A few pairs (a re-merge of what changed) are looked up by the source's index instead.
        whole = self._merge_whole()
        if whole and not bad_spans and self._spans_copy_as_stored():
            # A first merge into an empty review: every span as SQLite stores it, with its id,
            # rows and indexes page by page (see _spans_copy_as_stored)
            out.spans_added += c.execute(f"INSERT INTO main.spans SELECT * FROM {_SRC}.spans").rowcount
        elif whole is not None and c.execute(
                "SELECT 1 FROM temp.merge_pairs WHERE sync = 1 AND fresh LIMIT 1").fetchone():
            scoped = c.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'merge_scope'").fetchone()
            join = ("temp.merge_pairs p CROSS JOIN {src}.spans s" if scoped else "{src}.spans s CROSS JOIN temp.merge_pairs p")
            on = "ON p.src_doc = s.document_id AND p.annotator = s.annotator"
            # (the schema check's probe only when some label is left out: a probe per span otherwise)
            where = " WHERE p.sync = 1 AND p.fresh" + (
                " AND NOT EXISTS (SELECT 1 FROM temp.merge_bad_spans b WHERE b.layer = s.layer AND b.label = s.label)"
                if bad_spans else "")
            added = c.execute(f"INSERT OR IGNORE INTO main.spans(document_id, {_SPAN_SQL}) SELECT p.dst_doc,"
                              f" {_SPAN_SQL_S} FROM {join.format(src=_SRC)} {on}{where}"
                              f" ORDER BY {'p.src_doc, s.id' if scoped else 's.id'}").rowcount
            out.spans_added += added
            if copied is None or added < copied - n_want:
                # some were left out: their uids are here on another document or annotator (those
                # just added are on their own pair)
                elsewhere += c.execute(
                    f"SELECT p.src_doc, s.uid, r.document_id, r.annotator FROM {join.format(src=_SRC)} {on}"
                    f" JOIN main.spans r ON r.uid = s.uid{where} AND (r.document_id != p.dst_doc OR r.annotator != p.annotator)"
                ).fetchall()
        out.elsewhere = [(u, d, a) for _s, u, d, a in sorted(elsewhere)]
        out.relations += c.execute(
            "UPDATE main.relations AS r SET label = w.label, origin = w.origin,"
            " score = w.score, updated = w.updated"
            " FROM temp.merge_want_rel w WHERE r.uid = +w.uid AND w.document_id = r.document_id"
            " AND w.annotator = r.annotator AND (r.label IS NOT w.label OR r.origin IS NOT w.origin"
            " OR r.score IS NOT w.score)").rowcount
        out.relations += c.execute(
            "INSERT INTO main.relations(document_id, uid, annotator, label, head_uid, child_uid, origin, score,"
            " created, updated) SELECT document_id, uid, annotator, label, head_uid, child_uid, origin, score,"
            " created, updated FROM temp.merge_want_rel w WHERE NOT EXISTS (SELECT 1 FROM main.relations x"
            " WHERE x.uid = w.uid) AND EXISTS (SELECT 1 FROM main.spans h WHERE h.uid = w.head_uid)"
            " AND EXISTS (SELECT 1 FROM main.spans h WHERE h.uid = w.child_uid)"
            " ORDER BY src_doc, annotator, uid").rowcount
        pair = "p.dst_doc = r.document_id AND p.annotator = r.annotator AND p.sync = 1"
        out.answers = c.execute(
            f"DELETE FROM main.doc_labels WHERE rowid IN (SELECT r.rowid FROM main.doc_labels r JOIN temp.merge_pairs p"
            f" ON {pair} WHERE NOT EXISTS (SELECT 1 FROM {_SRC}.doc_labels a WHERE a.document_id = p.src_doc"
            " AND a.annotator = p.annotator AND a.question = r.question))").rowcount
        out.answers += c.execute(
            "INSERT OR REPLACE INTO main.doc_labels(document_id, annotator, question, value, target, updated)"
            f" SELECT p.dst_doc, a.annotator, a.question, a.value, a.target, a.updated FROM {self._pj('doc_labels a')}"
            " ON p.src_doc = a.document_id AND p.annotator = a.annotator AND p.sync = 1"
            " WHERE NOT EXISTS (SELECT 1 FROM temp.merge_bad_answers b WHERE b.question = a.question"
            " AND b.value = a.value) AND NOT EXISTS (SELECT 1 FROM main.doc_labels r WHERE r.document_id = p.dst_doc"
            " AND r.annotator = a.annotator AND r.question = a.question AND r.value = a.value"
            " AND r.target IS a.target) ORDER BY p.src_doc, p.annotator, a.question").rowcount
        # status: a state that differs counts; seconds or time alone are copied without counting
        out.statuses = int(c.execute(
            f"SELECT count(*) FROM temp.merge_pairs p LEFT JOIN {_SRC}.document_status s ON s.document_id = p.src_doc"
            " AND s.annotator = p.annotator LEFT JOIN main.document_status r ON r.document_id = p.dst_doc"
            " AND r.annotator = p.annotator WHERE p.sync = 1 AND s.state IS NOT r.state").fetchone()[0])
        c.execute(
            "DELETE FROM main.document_status WHERE rowid IN (SELECT r.rowid FROM main.document_status r"
            f" JOIN temp.merge_pairs p ON {pair} WHERE NOT EXISTS (SELECT 1 FROM {_SRC}.document_status s"
            " WHERE s.document_id = p.src_doc AND s.annotator = p.annotator))")
        c.execute(
            "CREATE TEMP TABLE merge_status AS SELECT p.dst_doc AS document_id, s.annotator, s.state, s.seconds,"
            f" s.updated FROM {self._pj('document_status s')}"
            " ON p.src_doc = s.document_id AND p.annotator = s.annotator AND p.sync = 1"
            " WHERE NOT EXISTS (SELECT 1 FROM main.document_status r WHERE r.document_id = p.dst_doc"
            " AND r.annotator = s.annotator AND r.state = s.state AND r.seconds = s.seconds"
            " AND r.updated = s.updated) ORDER BY p.src_doc, p.annotator")
        # Many states (a first merge): the trigger that keeps status_sources in step (migration 13)
        # set aside inside this transaction, and its rows written by one statement in their own
        # order, as a bulk import does (store/imports.py); row by row it cost more than the states.
        many = c.execute("SELECT count(*) >= 64 FROM temp.merge_status").fetchone()[0]
        trigger = c.execute("SELECT sql FROM main.sqlite_master WHERE type = 'trigger'"
                            " AND name = 'status_sources_ai'").fetchone() if many else None
        if trigger is not None:
            c.execute("DROP TRIGGER main.status_sources_ai")
        c.execute("INSERT OR REPLACE INTO main.document_status(document_id, annotator, state, seconds, updated)"
                  " SELECT document_id, annotator, state, seconds, updated FROM temp.merge_status ORDER BY rowid")
        if trigger is not None:
            c.execute("INSERT OR REPLACE INTO main.status_sources(annotator, document_id, state, source)"
                      " SELECT m.annotator, m.document_id, m.state, d.source FROM temp.merge_status m"
                      " JOIN main.documents d ON d.id = m.document_id ORDER BY m.annotator, m.document_id")
            c.execute(trigger[0])
        c.execute(
            "INSERT OR REPLACE INTO main.merge_owners(document_id, annotator, source_uid, source_path, merged)"
            " SELECT dst_doc, annotator, ?, ?, ? FROM temp.merge_pairs WHERE sync = 1 ORDER BY src_doc, annotator",
            (source_uid, source_path, now()))
        return out

    def _spans_copy_as_stored(self) -> bool:
        """True when the source's spans can go in by SQLite's transfer (``INSERT INTO t SELECT *
        FROM u`` into an empty table of the same shape copies the rows and their indexes without
        decoding one): no span here yet, every document kept its id (:meth:`merge_documents` into
        an empty review), and every span of the source is on one of its documents (a hand-edited
        file may hold others: the row-by-row copy leaves those out).  The caller has checked that
        every pair is synced and no label is left out."""
        c = self._conn
        if c.execute("SELECT 1 FROM main.spans LIMIT 1").fetchone() or not self._same_columns("spans"):
            return False
        kept, moved = c.execute("SELECT count(*), count(*) FILTER (WHERE src_id <> dst_id) FROM temp.merge_docs").fetchone()
        if moved or kept != c.execute(f"SELECT count(*) FROM {_SRC}.documents").fetchone()[0]:
            return False
        return not self._source_rows_off_documents("spans")

    def _source_rows_off_documents(self, table: str) -> bool:
        """True when a row of the attached source's ``table`` names a document the source does
        not have (a hand-edited file; one look at each distinct id along its document index)."""
        return bool(self._conn.execute(
            f"SELECT 1 FROM (SELECT DISTINCT document_id AS d FROM {_SRC}.{table} WHERE document_id IS NOT NULL)"
            f" WHERE NOT EXISTS (SELECT 1 FROM {_SRC}.documents x WHERE x.id = d) LIMIT 1").fetchone())

    def merge_events(self, source_uid: str, since: int = 0, conflicts: bool = True) -> int:
        """Copy the source's events by uid (those here already are skipped): a document's
        events onto its document here, except those of a pair marked as a conflict, then the
        events of no document.  ``since``: only events after that id are looked at (the last
        merge of this source copied the ones before); ``conflicts`` False: no pair is marked as
        a conflict (nothing to leave out).  The ids they get here are recorded as one range of
        ``event_sources`` naming the source.  Returns how many were added."""
        c = self._conn
        first = c.execute(f"SELECT uid FROM {_SRC}.events WHERE id > ? ORDER BY id LIMIT 1", (since,)).fetchone()
        if first is None:
            return 0
        args = {"since": since}
        if c.execute("SELECT 1 FROM main.events WHERE uid = ?", (first[0],)).fetchone():
            # Some are here already (a re-merge that compares everything): which are new is asked
            # in uid order (the source's uid index), so the probes walk this file's uid index from
            # one end to the other: a re-merge that adds nothing reads each index page once.
            c.execute("CREATE TEMP TABLE merge_new_events(id INTEGER PRIMARY KEY)")
            c.execute(f"INSERT INTO temp.merge_new_events SELECT e.id FROM {_SRC}.events e WHERE e.id > ? AND NOT EXISTS"
                      " (SELECT 1 FROM main.events x WHERE x.uid = e.uid) ORDER BY e.uid", (since,))
            if not c.execute("SELECT 1 FROM temp.merge_new_events LIMIT 1").fetchone():
                return 0
            insert, new = "INSERT INTO", "e.id IN temp.merge_new_events"
        else:
            # The first of them is not here (a first merge, or a re-merge after new work): copy
            # them in one pass; the uid index leaves out any that is here after all.
            insert, new = "INSERT OR IGNORE INTO", "e.id > :since"
        # an event the source merged from elsewhere keeps that origin; one made there gets none
        # here (the range below names the source): nothing written into each row for it
        origin = _ORIGIN if self._source_has_event_ranges() else "e.merged_from"
        cols = (f"{insert} main.events(uid, ts, annotator, document_id, action, payload, merged_from)"
                " SELECT e.uid, e.ts, e.annotator")
        skip = (" AND NOT EXISTS (SELECT 1 FROM temp.merge_pairs p WHERE p.src_doc = e.document_id"
                " AND p.annotator = e.annotator AND p.sync = -1)") if conflicts else ""
        before = self._last_event_id()
        n = c.execute(
            f"{cols}, m.dst_id, e.action, e.payload, {origin} FROM {_SRC}.events e"
            f" JOIN temp.merge_docs m ON m.src_id = e.document_id WHERE {new}{skip} ORDER BY e.id", args).rowcount
        n += c.execute(
            f"{cols}, NULL, e.action, e.payload, {origin} FROM {_SRC}.events e WHERE e.document_id IS NULL AND {new}"
            " ORDER BY e.id", args).rowcount
        self._record_event_range(before, source_uid)
        return n

    def merge_copy_whole_log(self, source_uid: str) -> int | None:
        """A first merge into an empty review (no document, no event here yet): the source's
        whole event log copied as SQLite stores it, rows and indexes page by page without
        decoding a row (SQLite's transfer of ``INSERT INTO t SELECT * FROM u`` into an empty
        table of the same shape), with its own ids, and one range of ``event_sources`` naming
        the source.  Its documents then keep their ids here too (:meth:`merge_documents`), so
        each event stays on its document.  None (nothing copied; :meth:`merge_events` copies
        row by row later) when this review is not empty, the tables differ in shape, the source
        keeps ranges of its own (events it merged from others), or one of its events names a
        document it does not have (a hand-edited file: the row-by-row copy leaves those out).
        Returns how many events were copied."""
        c = self._conn
        if (c.execute("SELECT 1 FROM main.events LIMIT 1").fetchone() or c.execute(
                "SELECT 1 FROM main.documents LIMIT 1").fetchone() or self._source_has_event_ranges()
                or not self._same_columns("events") or self._source_rows_off_documents("events")):
            return None
        n = c.execute(f"INSERT INTO main.events SELECT * FROM {_SRC}.events").rowcount
        self._record_event_range(0, source_uid)
        return n

    def _last_event_id(self) -> int:
        return int(self._conn.execute("SELECT coalesce(max(id), 0) FROM main.events").fetchone()[0])

    def _record_event_range(self, before: int, source_uid: str) -> None:
        """The events after id ``before`` came from the source ``source_uid`` (all of them: they
        were added by this transaction's copy, and events are never deleted)."""
        c = self._conn
        # (two look-ups along the rowid: min() over "id > ?" would walk the whole range)
        first = c.execute("SELECT id FROM main.events WHERE id > ? ORDER BY id LIMIT 1", (before,)).fetchone()
        if first is not None:
            c.execute("INSERT INTO main.event_sources(first_id, last_id, source) VALUES (?, ?, ?)",
                      (first[0], self._last_event_id(), source_uid))

    def _source_has_event_ranges(self) -> bool:
        """True when the attached source records ranges of events it merged from others."""
        c = self._conn
        return bool(c.execute(f"SELECT 1 FROM {_SRC}.sqlite_master WHERE name = 'event_sources'").fetchone()
                    and c.execute(f"SELECT 1 FROM {_SRC}.event_sources LIMIT 1").fetchone())

    def _same_columns(self, table: str) -> bool:
        """True when ``table`` has the same columns, in the same order and declared alike, here
        and in the attached source (``SELECT *`` then puts each value in its own column)."""
        c = self._conn
        shapes = [c.execute(f"PRAGMA {schema}.table_info({table})").fetchall() for schema in ("main", _SRC)]
        return shapes[0] == shapes[1]

    def _source_counts(self) -> list[int]:
        """Rows and largest ids of the attached source's work tables (index-only counts): a change
        made without an event (a hand edit, a tool that bypasses the store) still shows here."""
        c = self._conn
        return [int(v) for v in c.execute(
            f"SELECT (SELECT count(*) FROM {_SRC}.spans), (SELECT coalesce(max(id), 0) FROM {_SRC}.spans),"
            f" (SELECT count(*) FROM {_SRC}.relations), (SELECT coalesce(max(id), 0) FROM {_SRC}.relations),"
            f" (SELECT count(*) FROM {_SRC}.doc_labels), (SELECT count(*) FROM {_SRC}.document_status),"
            f" (SELECT count(*) FROM {_SRC}.documents), (SELECT coalesce(max(id), 0) FROM {_SRC}.documents)").fetchone()]

    def merge_scope(self, source_uid: str) -> int | None:
        """What changed since this source was last merged, from both files' event logs: fills
        ``temp.merge_scope`` with the source's (document, annotator) pairs an event after that
        merge touched, in the source or here (annotator NULL: the whole document), and returns the
        source's last event id then.  None when the whole source must be compared: never merged
        (or that merge had conflicts or problems), its log is not the one seen then (another file
        under its project id), an event of no document that may change work (an import, a pull),
        or the counts of its rows changed with no event to say so."""
        c = self._conn
        row = c.execute("SELECT value FROM main.settings WHERE key = ?", (SEEN_KEY + source_uid,)).fetchone()
        if row is None:
            return None
        try:
            seen = json.loads(row[0])
            since, since_uid, here, counts = int(seen["event_id"]), seen["event_uid"], int(seen["review_event_id"]), seen["counts"]
        except (ValueError, KeyError, TypeError):
            return None
        at = c.execute(f"SELECT uid FROM {_SRC}.events WHERE id = ?", (since,)).fetchone()
        if (at[0] if at else None) != since_uid:
            return None
        for schema, after in ((_SRC, since), ("main", here)):
            if c.execute(f"SELECT 1 FROM {schema}.events WHERE id > ? AND document_id IS NULL"
                         f" AND action NOT IN ({_HARMLESS_SQL}) LIMIT 1", (after,)).fetchone():
                return None
        if not c.execute(f"SELECT 1 FROM {_SRC}.events WHERE id > ? LIMIT 1", (since,)).fetchone() and (
                self._source_counts() != counts):
            return None
        c.execute("CREATE TEMP TABLE merge_scope(src_doc INTEGER NOT NULL, annotator TEXT)")
        # (NOT INDEXED: the rowid range, not a scan of the whole events_doc index)
        c.execute(f"INSERT INTO temp.merge_scope SELECT DISTINCT document_id, annotator FROM {_SRC}.events NOT INDEXED"
                  " WHERE id > ? AND document_id IS NOT NULL", (since,))
        c.execute(f"INSERT INTO temp.merge_scope SELECT DISTINCT s.id, e.annotator FROM main.events e"
                  f" JOIN main.documents d ON d.id = e.document_id JOIN {_SRC}.documents s ON s.content_hash = d.content_hash"
                  " WHERE e.id > ?", (here,))
        c.execute("CREATE INDEX temp.merge_scope_pair ON merge_scope(src_doc, annotator)")
        return since

    def merge_record_seen(self, source_uid: str, clean: bool) -> None:
        """Remember how far this source is merged (its last event, the counts of its rows, the last
        event here), for :meth:`merge_scope` next time; ``clean`` False (conflicts or problems
        reported) forgets it, so the next merge compares everything and reports them again."""
        c = self._conn
        if not clean:
            c.execute("DELETE FROM main.settings WHERE key = ?", (SEEN_KEY + source_uid,))
            return
        last = c.execute(f"SELECT id, uid FROM {_SRC}.events ORDER BY id DESC LIMIT 1").fetchone() or (0, None)
        here = int(c.execute("SELECT coalesce(max(id), 0) FROM main.events").fetchone()[0])
        c.execute("INSERT OR REPLACE INTO main.settings(key, value) VALUES (?, ?)", (SEEN_KEY + source_uid, json.dumps(
            {"event_id": int(last[0]), "event_uid": last[1], "review_event_id": here, "counts": self._source_counts()})))

    def merge_seen_until(self, source_uids: list[str]) -> None:
        """After a whole merge run: the events here since each named source's merge were made by
        the run itself (the later sources' copies, which change no pair this source owns without
        taking it over, and the run's own record), so its next merge need not look at them."""
        c = self._conn
        here = int(c.execute("SELECT coalesce(max(id), 0) FROM main.events").fetchone()[0])
        for suid in source_uids:
            row = c.execute("SELECT value FROM main.settings WHERE key = ?", (SEEN_KEY + suid,)).fetchone()
            if row is None:
                continue
            seen = json.loads(row[0])
            seen["review_event_id"] = here
            c.execute("UPDATE main.settings SET value = ? WHERE key = ?", (json.dumps(seen), SEEN_KEY + suid))
