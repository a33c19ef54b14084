"""Documents: adding (content-hash dedup), reading, listing, filtering and search."""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator, Sequence

from annotator.core.errors import NotFoundError
from annotator.core.model import STATES, Document, DocumentInfo, content_hash
from annotator.store import learning
from annotator.store.base import CHUNK, StoreBase, fts_query, hash_hex, id_chunks, marks, now, stored_hash


class DocumentsMixin(StoreBase):
    """The ``documents`` table (and its full-text index)."""

    def add_document(self, doc: Document) -> tuple[int, bool]:
        """Add ``doc`` unless its text is already here.

        Returns ``(id, created)``; the same text imported again gives the
        existing id and ``created=False`` (content-hash dedup).
        """
        if not doc.text:
            raise ValueError("a document needs text")
        h = content_hash(doc.text)
        key = stored_hash(h)
        with self.transaction():
            row = self._conn.execute("SELECT id FROM documents WHERE content_hash = ?", (key,)).fetchone()
            if row:
                return int(row[0]), False
            # OR IGNORE: on a server another session may add the same text between the two statements.
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO documents(text, title, source, url, published, language, meta, content_hash,"
                " original_text, removed_lines, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.text, doc.title, doc.source, doc.url, doc.published, doc.language,
                    json.dumps(dict(doc.meta), ensure_ascii=False), key, doc.original_text,
                    json.dumps(list(doc.removed_lines), ensure_ascii=False), now(),
                ),
            )
            if not cur.rowcount:
                return int(self._conn.execute("SELECT id FROM documents WHERE content_hash = ?",
                                              (key,)).fetchone()[0]), False
            doc_id = int(cur.lastrowid)
            self._log("add_document", None, doc_id, content_hash=h, title=doc.title)
            return doc_id, True

    def document_id_by_hash(self, h: str) -> int | None:
        """The id of the document whose text hashes to ``h`` (64 hex digits; None for anything else)."""
        try:
            key = stored_hash(h)
        except ValueError:
            return None
        row = self._conn.execute("SELECT id FROM documents WHERE content_hash = ?", (key,)).fetchone()
        return int(row[0]) if row else None

    def get_document(self, document_id: int) -> Document:
        """The whole document; :class:`NotFoundError` if absent."""
        row = self._conn.execute(
            "SELECT id, text, title, source, url, published, language, meta, original_text, removed_lines"
            " FROM documents WHERE id = ?",
            (document_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no document {document_id} in {self.path}")
        return Document(
            id=row[0], text=row[1], title=row[2], source=row[3], url=row[4], published=row[5], language=row[6],
            meta=json.loads(row[7]), original_text=row[8], removed_lines=tuple(json.loads(row[9])),
        )

    def get_text(self, document_id: int) -> str:
        """Only the text (cheaper than :meth:`get_document`).

        On a server the last texts read are kept: a text never changes and a server never gives
        a deleted document's id to another, so each edit that checks offsets against its text
        saves a round trip (a file may reuse the id of its last document: read each time)."""
        cache: dict[int, str] | None = self.__dict__.setdefault("_texts", {}) if self.is_server else None
        if cache is not None and document_id in cache:
            return cache[document_id]
        row = self._conn.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document {document_id} in {self.path}")
        text = str(row[0])
        if cache is not None:
            if len(cache) >= 32:
                cache.pop(next(iter(cache)))
            cache[document_id] = text
        return text

    def set_language(self, document_id: int, language: str) -> bool:
        """Set a document's language (an ISO 639-1 code such as ``id`` or ``en``); True when it changed.

        The language picks the cue lexicon and the rules, so the document's
        suggestion runs are forgotten: the next ``suggest`` redoes it.
        """
        language = language.strip().lower()
        if not language or not language.isalpha() or len(language) > 8:
            raise ValueError(f"not a language code: {language!r}")
        with self.transaction():
            row = self._conn.execute("SELECT language FROM documents WHERE id = ?", (document_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no document {document_id} in {self.path}")
            if row[0] == language:
                return False
            self._conn.execute("UPDATE documents SET language = ? WHERE id = ?", (language, document_id))
            # the shared suggesters' runs (an annotator's memory view is learned from decisions, not language)
            self._conn.execute("DELETE FROM suggestion_runs WHERE document_id = ? AND "
                               + learning.shared_filter("suggestion_runs"), (document_id,))
            self._log("set_language", None, document_id, language=language, previous=row[0])
            return True

    def unsuggested_document_ids(self, among: Iterable[int] | None = None) -> list[int]:
        """Documents no shared suggester has run on yet (imported since the last ``suggest``),
        in id order; only those of ``among`` when given (a few of a million, read as such)."""
        sql = ("SELECT id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM suggestion_runs r"
               f" WHERE r.document_id = d.id AND {learning.shared_filter('r')})")
        if among is None:
            return [r[0] for r in self._conn.execute(sql + " ORDER BY id")]
        out: list[int] = []
        for chunk in id_chunks(among):
            out += [r[0] for r in self._conn.execute(f"{sql} AND d.id IN ({marks(len(chunk))}) ORDER BY id", chunk)]
        return out

    def document_ids(self) -> list[int]:
        """Every document id in import order."""
        return [r[0] for r in self._conn.execute("SELECT id FROM documents ORDER BY id")]

    def all_document_ids(self) -> Sequence[int]:
        """Every document id in order, as a ``range`` when the ids run without a gap (the
        usual case: the document list of a million-article project opens without reading
        a million rows), else as a list."""
        lo, hi, n = self._conn.execute("SELECT min(id), max(id), count(*) FROM documents").fetchone()
        if not n:
            return []
        if hi - lo + 1 == n:
            return range(int(lo), int(hi) + 1)
        return self.document_ids()

    def count_documents(self) -> int:
        """How many documents the project holds."""
        return int(self._conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def iter_documents(self, ids: Iterable[int] | None = None, batch: int = 500) -> Iterator[Document]:
        """Documents one at a time, read in batches (for export and suggest)."""
        all_ids = list(ids) if ids is not None else self.document_ids()
        for i in range(0, len(all_ids), batch):
            for doc_id in all_ids[i : i + batch]:
                yield self.get_document(doc_id)

    def texts(self, ids: Sequence[int]) -> Iterator[tuple[int, str]]:
        """``(id, text)`` of the documents ``ids`` (in the order given; ids not here are left
        out), read a batch at a time: agreement tokenizes every counted document."""
        for i in range(0, len(ids), CHUNK):
            chunk = [int(x) for x in ids[i : i + CHUNK]]
            got = dict(self._conn.execute(f"SELECT id, text FROM documents WHERE id IN ({marks(len(chunk))})", chunk))
            for doc_id in chunk:
                if doc_id in got:
                    yield doc_id, got[doc_id]

    def document_infos(
        self,
        ids: Sequence[int] | None = None,
        annotator: str | None = None,
        *,
        with_counts: bool = True,
    ) -> list[DocumentInfo]:
        """Light rows (no text) for the given ids (all when None), with the
        annotator's state and span/suggestion counts."""
        counts = (
            ", (SELECT count(*) FROM spans s WHERE s.document_id = d.id AND s.annotator = :a)"
            # the suggestions the annotator sees: their memory view where it exists, else the shared sets
            ", (SELECT count(*) FROM suggestions g WHERE g.document_id = d.id AND (g.suggester = :m"
            f" OR ({learning.shared_filter('g')} AND NOT EXISTS (SELECT 1 FROM suggestion_runs r"
            " WHERE r.document_id = d.id AND r.suggester = :m))))"
            if with_counts
            else ", 0, 0"
        )
        sql = (
            "SELECT d.id, d.title, d.source, d.published, length(d.text),"
            " coalesce(st.state, 'todo')" + counts + " FROM documents d"
            " LEFT JOIN document_status st ON st.document_id = d.id AND st.annotator = :a"
        )
        args: dict[str, Any] = {"a": annotator or "", "m": learning.memory_suggester(annotator or "")}
        if ids is not None:
            out: dict[int, DocumentInfo] = {}
            id_list = list(ids)
            for i in range(0, len(id_list), 900):  # stay under SQLite's variable limit
                chunk = id_list[i : i + 900]
                marks = ",".join(f":i{j}" for j in range(len(chunk)))
                rows = self._conn.execute(
                    sql + f" WHERE d.id IN ({marks})", {**args, **{f"i{j}": v for j, v in enumerate(chunk)}}
                )
                for r in rows:
                    out[r[0]] = DocumentInfo(*r)
            return [out[i] for i in id_list if i in out]
        return [DocumentInfo(*r) for r in self._conn.execute(sql + " ORDER BY d.id", args)]

    def filter_documents(
        self,
        annotator: str | None = None,
        *,
        state: str | None = None,
        source: str | None = None,
        query: str | None = None,
        has_suggestions: bool | None = None,
        limit: int | None = None,
    ) -> list[int]:
        """Ids of documents matching every given filter (FTS ``query`` ranks them)."""
        where: list[str] = []
        args: dict[str, Any] = {"a": annotator or "", "m": learning.memory_suggester(annotator or "")}
        sql = "SELECT d.id FROM documents d"
        if query and not fts_query(query):
            return []  # only quotes or punctuation: no word to look for
        rank = ""
        if query:
            join, cond, rank = self._dialect.fts_filter("d")
            sql += join
            where.append(cond)
            args["q"] = self._dialect.fts_query(query)
        if state:
            if state not in STATES:
                raise ValueError(f"state must be one of {STATES}")
            sql += " LEFT JOIN document_status st ON st.document_id = d.id AND st.annotator = :a"
            where.append("coalesce(st.state, 'todo') = :s")
            args["s"] = state
        if source:
            where.append("d.source = :src")
            args["src"] = source
        if has_suggestions is not None:
            cond = "EXISTS (SELECT 1 FROM suggestions g WHERE g.document_id = d.id)"
            where.append(cond if has_suggestions else f"NOT {cond}")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {rank}, d.id" if query else " ORDER BY d.id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in self._conn.execute(sql, args)]

    def rank_documents(self, query: str, ids: Sequence[int]) -> list[int]:
        """Those of ``ids`` that match ``query``, best match first (ties in document order): the
        order :meth:`filter_documents` gives them, found from the ids alone, so a word in most
        articles with a filter that leaves a few ranks those few, not every match of the word.
        For the document list's first page (up to about a thousand ids)."""
        if not ids or not fts_query(query):
            return []
        wanted = list(dict.fromkeys(int(i) for i in ids))
        args: dict[str, Any] = {"q": self._dialect.fts_query(query), **{f"i{k}": v for k, v in enumerate(wanted)}}
        listed = ", ".join(f":i{k}" for k in range(len(wanted)))
        join, cond, rank = self._dialect.fts_filter("d")
        if self._dialect.name == "postgresql":
            sql = f"SELECT d.id FROM documents d{join} WHERE {cond} AND d.id IN ({listed}) ORDER BY {rank}, d.id"
        else:  # the index alone: its rank of each listed row, no article read
            sql = f"SELECT f.rowid FROM documents_fts f WHERE {cond} AND f.rowid IN ({listed}) ORDER BY {rank}, f.rowid"
        return [int(r[0]) for r in self._conn.execute(sql, args)]

    def search(self, query: str, limit: int = 100) -> list[int]:
        """Full-text search over title and text; best matches first."""
        return self.filter_documents(query=query, limit=limit)

    def sources(self) -> list[str]:
        """Distinct outlets, for the filter box."""
        return [r[0] for r in self._conn.execute("SELECT DISTINCT source FROM documents WHERE source != '' ORDER BY 1")]

    def document_title(self, document_id: int) -> str:
        """The title of one document; :class:`NotFoundError` if absent."""
        row = self._conn.execute("SELECT title FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document {document_id} in {self.path}")
        return str(row[0])

    def content_hashes(self, ids: Iterable[int]) -> dict[int, str]:
        """``{id: content_hash}`` of the given documents that are stored (one query per 900)."""
        wanted = list(dict.fromkeys(int(i) for i in ids))
        found: dict[int, str] = {}
        for k in range(0, len(wanted), CHUNK):
            chunk = wanted[k : k + CHUNK]
            found.update((int(i), hash_hex(h)) for i, h in self._conn.execute(
                f"SELECT id, content_hash FROM documents WHERE id IN ({marks(len(chunk))})", chunk))
        return found

    def document_titles(self) -> dict[int, str]:
        """``{id: title}`` of every document."""
        return dict(self._conn.execute("SELECT id, title FROM documents").fetchall())

    def document_hashes(self, ids: Iterable[int] | None = None) -> list[tuple[int, str | None, str]]:
        """``(id, language, content_hash)`` of every document in id order (what a suggester run
        keys on); of the documents ``ids`` that are stored, when given."""
        sql = "SELECT id, language, content_hash FROM documents"
        if ids is None:
            return [(i, lang, hash_hex(h)) for i, lang, h in self._conn.execute(sql + " ORDER BY id")]
        out: list[tuple[int, str | None, str]] = []
        for chunk in id_chunks(ids):
            out += [(i, lang, hash_hex(h)) for i, lang, h in self._conn.execute(
                f"{sql} WHERE id IN ({marks(len(chunk))}) ORDER BY id", chunk)]
        return out

    def text_bytes(self) -> int:
        """The UTF-8 size of every document's text (what a project file of them must hold)."""
        return int(self._conn.execute("SELECT coalesce(sum(length(CAST(text AS BLOB))), 0) FROM documents").fetchone()[0])
