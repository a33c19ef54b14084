"""The project file: one SQLite database per project (docs/architecture.md, "The project file").

Every public method that changes something runs in one transaction and
appends an event, so each user action is atomic, durable (WAL) and audited.
Queries return :mod:`annotator.core` objects, never rows.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import sqlite_utils

from annotator.core.errors import NotFoundError, ProjectError, SchemaError
from annotator.core.model import GOLD, STATES, DocLabel, Document, DocumentInfo, Span, content_hash
from annotator.core.schema import LabelSchema
from annotator.store.migrations import MIGRATIONS, SCHEMA_VERSION

#: Seconds a second process waits for a lock before it gets a clear error.
BUSY_TIMEOUT_S = 5.0


def now() -> str:
    """UTC timestamp with microseconds (sortable text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _new_uid() -> str:
    return uuid.uuid4().hex


_SPAN_COLS = 'id, document_id, annotator, layer, start, "end", label, origin, score, note'


def _span_from_row(row: Sequence[Any]) -> Span:
    return Span(
        id=row[0],
        document_id=row[1],
        annotator=row[2],
        layer=row[3],
        start=row[4],
        end=row[5],
        label=row[6],
        origin=row[7],
        score=row[8],
        note=row[9],
    )


_SUGG_COLS = 'id, document_id, layer, start, "end", label, origin, score'


def _suggestion_from_row(row: Sequence[Any]) -> Span:
    return Span(
        id=row[0], document_id=row[1], layer=row[2], start=row[3], end=row[4], label=row[5], origin=row[6], score=row[7]
    )


class Project:
    """An open project file.

    One connection; use it from one thread at a time (a worker thread opens
    its own ``Project`` on the same path: WAL lets readers and one writer
    work side by side).
    """

    def __init__(self, path: str | Path, *, create: bool = True, schema: str | Path | LabelSchema | None = None):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise ProjectError(f"{self.path}: no such project file")
        if self.path.exists() and self.path.is_dir():
            raise ProjectError(f"{self.path} is a folder; a project is a .db file")
        if self.path.parent and not self.path.parent.exists():
            raise ProjectError(f"{self.path}: folder {self.path.parent} does not exist")
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one per action.
            self.conn = sqlite3.connect(
                str(self.path), isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False
            )
            self.conn.execute("PRAGMA foreign_keys = ON")
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            self.conn.execute("PRAGMA synchronous = NORMAL")  # durable against crashes in WAL mode
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{self.path}: not a project file ({exc})") from exc
        if str(mode).lower() != "wal":
            raise ProjectError(f"{self.path}: could not switch to WAL journal (got {mode})")
        self.db = sqlite_utils.Database(self.conn)
        self._depth = 0
        self._lock = threading.RLock()
        self._migrate()
        self._schema = self._init_schema(schema)

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        """Close the connection (checkpoints the WAL)."""
        try:
            self.conn.close()
        except sqlite3.Error:  # pragma: no cover - closing twice is harmless
            pass

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({str(self.path)!r})"

    @property
    def schema_version(self) -> int:
        """The migration number the file is at (``PRAGMA user_version``)."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        try:
            version = self.schema_version
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{self.path}: not a project file ({exc})") from exc
        if version > SCHEMA_VERSION:
            raise ProjectError(
                f"{self.path} was written by a newer annotator (schema {version}, this one knows {SCHEMA_VERSION}); "
                "upgrade annotator to open it"
            )
        if version == 0:
            tables = self.db.table_names()
            if tables:
                raise ProjectError(f"{self.path}: an SQLite file but not an annotator project (tables: {tables[:5]})")
        for number in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                MIGRATIONS[number - 1](self.db)
                self.conn.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit.  Nested calls join the outer transaction (savepoints),
        so a compound action (accept-all) is still one commit."""
        with self._lock:
            if self._depth == 0:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    if "locked" in str(exc) or "busy" in str(exc):
                        raise ProjectError(
                            f"{self.path} is busy: another process is writing to it; try again or close the other program"
                        ) from exc
                    raise
                self._depth = 1
                try:
                    yield
                except BaseException:
                    self._depth = 0
                    self.conn.execute("ROLLBACK")
                    raise
                self._depth = 0
                self.conn.execute("COMMIT")
            else:
                name = f"sp{self._depth}"
                self.conn.execute(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield
                except BaseException:
                    self._depth -= 1
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                    raise
                self._depth -= 1
                self.conn.execute(f"RELEASE {name}")

    # -- settings and schema -------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A project setting (text)."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        """Store a project setting."""
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, value))

    def _init_schema(self, schema: str | Path | LabelSchema | None) -> LabelSchema:
        stored = self.get_setting("schema")
        if schema is None:
            if stored:
                return LabelSchema.from_dict(json.loads(stored), f"{self.path}:schema")
            schema = "news"
        loaded = schema if isinstance(schema, LabelSchema) else LabelSchema.load(schema)
        encoded = json.dumps(loaded.to_toml_dict(), ensure_ascii=False)
        if stored != encoded:
            self.set_setting("schema", encoded)
        return loaded

    @property
    def schema(self) -> LabelSchema:
        """The project's label schema (stored in the file, so it travels with it)."""
        return self._schema

    # -- events --------------------------------------------------------------

    def _log(self, action: str, annotator: str | None, document_id: int | None, **payload: Any) -> None:
        self.conn.execute(
            "INSERT INTO events(uid, ts, annotator, document_id, action, payload) VALUES (?, ?, ?, ?, ?, ?)",
            (_new_uid(), now(), annotator, document_id, action, json.dumps(payload, ensure_ascii=False)),
        )

    def events(self, document_id: int | None = None, annotator: str | None = None) -> list[dict[str, Any]]:
        """The event log (oldest first), optionally for one document/annotator."""
        sql = "SELECT id, uid, ts, annotator, document_id, action, payload FROM events WHERE 1=1"
        args: list[Any] = []
        if document_id is not None:
            sql += " AND document_id = ?"
            args.append(document_id)
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        rows = self.conn.execute(sql + " ORDER BY id", args).fetchall()
        return [
            {"id": r[0], "uid": r[1], "ts": r[2], "annotator": r[3], "document_id": r[4], "action": r[5],
             "payload": json.loads(r[6])}
            for r in rows
        ]

    # -- annotators ----------------------------------------------------------

    def add_annotator(self, name: str, role: str = "annotator") -> None:
        """Register an annotator (idempotent).  ``gold`` is the reviewer's set."""
        name = name.strip()
        if not name:
            raise ValueError("an annotator needs a name")
        if role not in ("annotator", "reviewer"):
            raise ValueError(f"role must be annotator or reviewer, not {role!r}")
        with self.transaction():
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO annotators(name, role, created) VALUES (?, ?, ?)", (name, role, now())
            )
            if cur.rowcount:
                self._log("add_annotator", name, None, role=role)

    def annotators(self) -> list[str]:
        """Annotator names, in the order they were added."""
        return [r[0] for r in self.conn.execute("SELECT name FROM annotators ORDER BY created, name")]

    def annotator_role(self, name: str) -> str | None:
        """``annotator``, ``reviewer`` or None when unknown."""
        row = self.conn.execute("SELECT role FROM annotators WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def _ensure_annotator(self, name: str) -> None:
        if not self.conn.execute("SELECT 1 FROM annotators WHERE name = ?", (name,)).fetchone():
            self.add_annotator(name, "reviewer" if name == GOLD else "annotator")

    # -- documents -----------------------------------------------------------

    def add_document(self, doc: Document) -> tuple[int, bool]:
        """Add ``doc`` unless its text is already here.

        Returns ``(id, created)``; the same text imported again gives the
        existing id and ``created=False`` (content-hash dedup).
        """
        if not doc.text:
            raise ValueError("a document needs text")
        h = content_hash(doc.text)
        with self.transaction():
            row = self.conn.execute("SELECT id FROM documents WHERE content_hash = ?", (h,)).fetchone()
            if row:
                return int(row[0]), False
            cur = self.conn.execute(
                "INSERT INTO documents(text, title, source, url, published, language, meta, content_hash,"
                " original_text, removed_lines, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.text, doc.title, doc.source, doc.url, doc.published, doc.language,
                    json.dumps(dict(doc.meta), ensure_ascii=False), h, doc.original_text,
                    json.dumps(list(doc.removed_lines), ensure_ascii=False), now(),
                ),
            )
            doc_id = int(cur.lastrowid)
            self._log("add_document", None, doc_id, content_hash=h, title=doc.title)
            return doc_id, True

    def document_id_by_hash(self, h: str) -> int | None:
        """The id of the document whose text hashes to ``h``."""
        row = self.conn.execute("SELECT id FROM documents WHERE content_hash = ?", (h,)).fetchone()
        return int(row[0]) if row else None

    def get_document(self, document_id: int) -> Document:
        """The whole document; :class:`NotFoundError` if absent."""
        row = self.conn.execute(
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
        """Only the text (cheaper than :meth:`get_document`)."""
        row = self.conn.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document {document_id} in {self.path}")
        return str(row[0])

    def document_ids(self) -> list[int]:
        """Every document id in import order."""
        return [r[0] for r in self.conn.execute("SELECT id FROM documents ORDER BY id")]

    def count_documents(self) -> int:
        """How many documents the project holds."""
        return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def iter_documents(self, ids: Iterable[int] | None = None, batch: int = 500) -> Iterator[Document]:
        """Documents one at a time, read in batches (for export and suggest)."""
        all_ids = list(ids) if ids is not None else self.document_ids()
        for i in range(0, len(all_ids), batch):
            for doc_id in all_ids[i : i + batch]:
                yield self.get_document(doc_id)

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
            ", (SELECT count(*) FROM suggestions g WHERE g.document_id = d.id)"
            if with_counts
            else ", 0, 0"
        )
        sql = (
            "SELECT d.id, d.title, d.source, d.published, length(d.text),"
            " coalesce(st.state, 'todo')" + counts + " FROM documents d"
            " LEFT JOIN document_status st ON st.document_id = d.id AND st.annotator = :a"
        )
        args: dict[str, Any] = {"a": annotator or ""}
        if ids is not None:
            out: dict[int, DocumentInfo] = {}
            id_list = list(ids)
            for i in range(0, len(id_list), 900):  # stay under SQLite's variable limit
                chunk = id_list[i : i + 900]
                marks = ",".join(f":i{j}" for j in range(len(chunk)))
                rows = self.conn.execute(
                    sql + f" WHERE d.id IN ({marks})", {**args, **{f"i{j}": v for j, v in enumerate(chunk)}}
                )
                for r in rows:
                    out[r[0]] = DocumentInfo(*r)
            return [out[i] for i in id_list if i in out]
        return [DocumentInfo(*r) for r in self.conn.execute(sql + " ORDER BY d.id", args)]

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
        args: dict[str, Any] = {"a": annotator or ""}
        sql = "SELECT d.id FROM documents d"
        if query:
            sql += " JOIN documents_fts f ON f.rowid = d.id"
            where.append("documents_fts MATCH :q")
            args["q"] = self.db.quote_fts(query)
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
        sql += " ORDER BY f.rank, d.id" if query else " ORDER BY d.id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in self.conn.execute(sql, args)]

    def search(self, query: str, limit: int = 100) -> list[int]:
        """Full-text search over title and text; best matches first."""
        return self.filter_documents(query=query, limit=limit)

    def sources(self) -> list[str]:
        """Distinct outlets, for the filter box."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT source FROM documents WHERE source != '' ORDER BY 1")]

    # -- spans ---------------------------------------------------------------

    def _check_span(self, document_id: int, span: Span, text: str | None = None) -> None:
        self.schema.check_span(span.layer, span.label)
        span.validate(text if text is not None else self.get_text(document_id))

    def add_span(self, document_id: int, span: Span, annotator: str | None = None, *, validate: bool = True) -> int:
        """Store one span for ``annotator`` (default: ``span.annotator``); returns its id."""
        return self.add_spans(document_id, [span], annotator, validate=validate)[0]

    def add_spans(
        self, document_id: int, spans: Sequence[Span], annotator: str | None = None, *, validate: bool = True
    ) -> list[int]:
        """Store several spans in one transaction (all or nothing)."""
        ids: list[int] = []
        text = self.get_text(document_id) if validate else None
        with self.transaction():
            for span in spans:
                who = annotator or span.annotator
                if not who:
                    raise ValueError("a span needs an annotator")
                self._ensure_annotator(who)
                if validate:
                    self._check_span(document_id, span, text)
                ts = now()
                cur = self.conn.execute(
                    'INSERT INTO spans(uid, document_id, annotator, layer, start, "end", label, origin, score, note,'
                    " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (_new_uid(), document_id, who, span.layer, span.start, span.end, span.label, span.origin,
                     span.score, span.note, ts, ts),
                )
                span_id = int(cur.lastrowid)
                ids.append(span_id)
                self._log("add_span", who, document_id, span_id=span_id, layer=span.layer, start=span.start,
                          end=span.end, label=span.label, origin=span.origin)
        return ids

    def get_span(self, span_id: int) -> Span:
        """One span by id; :class:`NotFoundError` if absent."""
        row = self.conn.execute(f"SELECT {_SPAN_COLS} FROM spans WHERE id = ?", (span_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no span {span_id}")
        return _span_from_row(row)

    def update_span(
        self, span_id: int, *, start: int | None = None, end: int | None = None, label: str | None = None
    ) -> Span:
        """Move a boundary or relabel; returns the span as now stored."""
        with self.transaction():
            old = self.get_span(span_id)
            new = old.with_(
                start=old.start if start is None else start,
                end=old.end if end is None else end,
                label=old.label if label is None else label,
            )
            self._check_span(old.document_id or 0, new)
            self.conn.execute(
                'UPDATE spans SET start = ?, "end" = ?, label = ?, updated = ? WHERE id = ?',
                (new.start, new.end, new.label, now(), span_id),
            )
            self._log("update_span", old.annotator, old.document_id, span_id=span_id,
                      before=[old.start, old.end, old.label], after=[new.start, new.end, new.label])
            return new

    def delete_span(self, span_id: int) -> Span:
        """Remove a span; returns what was removed (for undo)."""
        with self.transaction():
            old = self.get_span(span_id)
            self.conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
            self.conn.execute("UPDATE suggestion_decisions SET span_id = NULL WHERE span_id = ?", (span_id,))
            self._log("delete_span", old.annotator, old.document_id, span_id=span_id, layer=old.layer,
                      start=old.start, end=old.end, label=old.label)
            return old

    def spans(self, document_id: int, annotator: str | None = None, layer: str | None = None) -> list[Span]:
        """Human (and accepted) spans of a document, ordered by position."""
        sql = f"SELECT {_SPAN_COLS} FROM spans WHERE document_id = ?"
        args: list[Any] = [document_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        if layer is not None:
            sql += " AND layer = ?"
            args.append(layer)
        rows = self.conn.execute(sql + ' ORDER BY start, "end", layer, label, id', args).fetchall()
        return [_span_from_row(r) for r in rows]

    def span_annotators(self, document_id: int) -> list[str]:
        """Annotators with at least one span on the document."""
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT annotator FROM spans WHERE document_id = ? ORDER BY annotator", (document_id,))]

    # -- suggestions ---------------------------------------------------------

    def set_suggestions(
        self, document_id: int, spans: Sequence[Span], suggester: str, version: str, *, validate: bool = True
    ) -> int:
        """Replace ``suggester``'s suggestions on a document and record the run
        (text hash + version) so unchanged documents are skipped next time.

        Annotators' accept/reject decisions follow a suggestion that comes
        back with the same (layer, start, end, label), so a rejected suggestion
        does not return as pending after a re-run; decisions on suggestions that
        are gone go with them.  Returns how many decisions were kept.
        """
        text = self.get_text(document_id)
        with self.transaction():
            decided: dict[tuple[str, int, int, str], list[tuple[Any, ...]]] = {}
            for layer, start, end, label, who, decision, span_id, created in self.conn.execute(
                'SELECT g.layer, g.start, g."end", g.label, x.annotator, x.decision, x.span_id, x.created'
                " FROM suggestions g JOIN suggestion_decisions x ON x.suggestion_id = g.id"
                " WHERE g.document_id = ? AND g.suggester = ?",
                (document_id, suggester),
            ):
                decided.setdefault((layer, start, end, label), []).append((who, decision, span_id, created))
            self.conn.execute("DELETE FROM suggestions WHERE document_id = ? AND suggester = ?",
                              (document_id, suggester))
            kept = 0
            for s in spans:
                if validate:
                    self._check_span(document_id, s, text)
                cur = self.conn.execute(
                    'INSERT INTO suggestions(document_id, layer, start, "end", label, origin, score, suggester, version)'
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (document_id, s.layer, s.start, s.end, s.label, s.origin, s.score, suggester, version),
                )
                for who, decision, span_id, created in decided.pop((s.layer, s.start, s.end, s.label), ()):
                    self.conn.execute(
                        "INSERT OR REPLACE INTO suggestion_decisions(suggestion_id, annotator, decision, span_id,"
                        " created) VALUES (?, ?, ?, ?, ?)",
                        (cur.lastrowid, who, decision, span_id, created),
                    )
                    kept += 1
            self.conn.execute(
                "INSERT OR REPLACE INTO suggestion_runs(document_id, suggester, version, content_hash, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (document_id, suggester, version, content_hash(text), now()),
            )
            return kept

    def suggestion_runs(self, suggester: str) -> dict[int, tuple[str, str]]:
        """``{document_id: (version, content_hash)}`` of the suggester's last runs."""
        return {r[0]: (r[1], r[2]) for r in self.conn.execute(
            "SELECT document_id, version, content_hash FROM suggestion_runs WHERE suggester = ?", (suggester,))}

    def suggestions(
        self, document_id: int, layer: str | None = None, *, pending_for: str | None = None
    ) -> list[Span]:
        """Machine suggestions on a document; with ``pending_for``, only those
        that annotator has neither accepted nor rejected."""
        sql = f"SELECT {', '.join('g.' + c.strip() for c in _SUGG_COLS.split(','))} FROM suggestions g WHERE g.document_id = ?"
        args: list[Any] = [document_id]
        if layer is not None:
            sql += " AND g.layer = ?"
            args.append(layer)
        if pending_for is not None:
            sql += " AND NOT EXISTS (SELECT 1 FROM suggestion_decisions x WHERE x.suggestion_id = g.id AND x.annotator = ?)"
            args.append(pending_for)
        rows = self.conn.execute(sql + ' ORDER BY g.start, g."end", g.layer, g.id', args).fetchall()
        return [_suggestion_from_row(r) for r in rows]

    def get_suggestion(self, suggestion_id: int) -> Span:
        """One suggestion by id."""
        row = self.conn.execute(f"SELECT {_SUGG_COLS} FROM suggestions WHERE id = ?", (suggestion_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no suggestion {suggestion_id}")
        return _suggestion_from_row(row)

    def accept_suggestion(self, suggestion_id: int, annotator: str, label: str | None = None) -> int:
        """Copy a suggestion into ``annotator``'s spans (optionally relabelled);
        returns the new span id."""
        with self.transaction():
            sug = self.get_suggestion(suggestion_id)
            new = sug.with_(label=label or sug.label, annotator=annotator, id=None)
            self.schema.check_span(new.layer, new.label)
            # A stored suggestion's offsets were checked against the (immutable)
            # text when it was stored: skip re-reading a long text per accept.
            span_id = self.add_span(sug.document_id or 0, new, annotator, validate=False)
            self.conn.execute(
                "INSERT OR REPLACE INTO suggestion_decisions(suggestion_id, annotator, decision, span_id, created)"
                " VALUES (?, ?, 'accepted', ?, ?)",
                (suggestion_id, annotator, span_id, now()),
            )
            self._log("accept_suggestion", annotator, sug.document_id, suggestion_id=suggestion_id, span_id=span_id)
            return span_id

    def reject_suggestion(self, suggestion_id: int, annotator: str) -> None:
        """Record that ``annotator`` rejected a suggestion (it stops being pending)."""
        with self.transaction():
            sug = self.get_suggestion(suggestion_id)
            self._ensure_annotator(annotator)
            self.conn.execute(
                "INSERT OR REPLACE INTO suggestion_decisions(suggestion_id, annotator, decision, span_id, created)"
                " VALUES (?, ?, 'rejected', NULL, ?)",
                (suggestion_id, annotator, now()),
            )
            self._log("reject_suggestion", annotator, sug.document_id, suggestion_id=suggestion_id)

    def undo_decision(self, suggestion_id: int, annotator: str) -> None:
        """Forget a decision (undo of accept removes the span it made too)."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT span_id, decision FROM suggestion_decisions WHERE suggestion_id = ? AND annotator = ?",
                (suggestion_id, annotator),
            ).fetchone()
            if row is None:
                return
            if row[0] is not None:
                self.delete_span(int(row[0]))
            self.conn.execute("DELETE FROM suggestion_decisions WHERE suggestion_id = ? AND annotator = ?",
                              (suggestion_id, annotator))
            self._log("undo_decision", annotator, None, suggestion_id=suggestion_id, decision=row[1])

    def suggestion_decisions(self, document_id: int, annotator: str) -> dict[int, str]:
        """``{suggestion_id: 'accepted'|'rejected'}`` for one annotator on a document."""
        return {r[0]: r[1] for r in self.conn.execute(
            "SELECT x.suggestion_id, x.decision FROM suggestion_decisions x JOIN suggestions g ON g.id = x.suggestion_id"
            " WHERE g.document_id = ? AND x.annotator = ?", (document_id, annotator))}

    # -- document labels -----------------------------------------------------

    def set_doc_label(
        self, document_id: int, annotator: str, question: str, value: str, target: str | None = None
    ) -> None:
        """Answer a document question (replaces that annotator's earlier answer)."""
        self.schema.check_answer(question, value)
        q = self.schema.question(question)
        if target and q.target is None:
            raise SchemaError(f"question {question!r} takes no target")
        with self.transaction():
            self.get_text(document_id)
            self._ensure_annotator(annotator)
            old = self.conn.execute(
                "SELECT value, target FROM doc_labels WHERE document_id = ? AND annotator = ? AND question = ?",
                (document_id, annotator, question),
            ).fetchone()
            self.conn.execute(
                "INSERT OR REPLACE INTO doc_labels(document_id, annotator, question, value, target, updated)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (document_id, annotator, question, value, target, now()),
            )
            self._log("set_doc_label", annotator, document_id, question=question, value=value, target=target,
                      before=list(old) if old else None)

    def clear_doc_label(self, document_id: int, annotator: str, question: str) -> None:
        """Withdraw an answer."""
        with self.transaction():
            cur = self.conn.execute(
                "DELETE FROM doc_labels WHERE document_id = ? AND annotator = ? AND question = ?",
                (document_id, annotator, question),
            )
            if cur.rowcount:
                self._log("clear_doc_label", annotator, document_id, question=question)

    def doc_labels(self, document_id: int, annotator: str | None = None) -> list[DocLabel]:
        """Answers on a document (every annotator's unless one is named)."""
        sql = "SELECT question, value, annotator, target, document_id FROM doc_labels WHERE document_id = ?"
        args: list[Any] = [document_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            args.append(annotator)
        return [DocLabel(*r) for r in self.conn.execute(sql + " ORDER BY annotator, question", args)]

    # -- status --------------------------------------------------------------

    def set_status(self, document_id: int, annotator: str, state: str, *, add_seconds: float = 0.0) -> None:
        """Set an annotator's state on a document and add time spent."""
        if state not in STATES:
            raise ValueError(f"state must be one of {STATES}, not {state!r}")
        with self.transaction():
            self.get_text(document_id)
            self._ensure_annotator(annotator)
            self.conn.execute(
                "INSERT INTO document_status(document_id, annotator, state, seconds, updated) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(document_id, annotator) DO UPDATE SET state = excluded.state,"
                " seconds = seconds + excluded.seconds, updated = excluded.updated",
                (document_id, annotator, state, float(add_seconds), now()),
            )
            self._log("set_status", annotator, document_id, state=state, seconds=add_seconds)

    def status(self, document_id: int, annotator: str) -> str:
        """The annotator's state on a document (``todo`` when never touched)."""
        row = self.conn.execute(
            "SELECT state FROM document_status WHERE document_id = ? AND annotator = ?", (document_id, annotator)
        ).fetchone()
        return row[0] if row else "todo"

    def statuses(self, annotator: str | None = None) -> dict[tuple[int, str], str]:
        """``{(document_id, annotator): state}`` for stored states."""
        sql = "SELECT document_id, annotator, state FROM document_status"
        args: list[Any] = []
        if annotator is not None:
            sql += " WHERE annotator = ?"
            args.append(annotator)
        return {(r[0], r[1]): r[2] for r in self.conn.execute(sql, args)}

    def progress(self, annotator: str) -> tuple[int, int]:
        """``(done, total)`` for the annotator ("12 of 40 done")."""
        done = self.conn.execute(
            "SELECT count(*) FROM document_status WHERE annotator = ? AND state = 'done'", (annotator,)
        ).fetchone()[0]
        return int(done), self.count_documents()

    # -- summary -------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts for ``annotator stats``."""
        one = lambda sql: int(self.conn.execute(sql).fetchone()[0])  # noqa: E731
        by_layer = {r[0]: r[1] for r in self.conn.execute("SELECT layer, count(*) FROM spans GROUP BY layer")}
        by_state: dict[str, dict[str, int]] = {}
        for ann, state, n in self.conn.execute(
            "SELECT annotator, state, count(*) FROM document_status GROUP BY annotator, state"
        ):
            by_state.setdefault(ann, {})[state] = n
        return {
            "documents": one("SELECT count(*) FROM documents"),
            "annotators": self.annotators(),
            "spans": one("SELECT count(*) FROM spans"),
            "suggestions": one("SELECT count(*) FROM suggestions"),
            "doc_labels": one("SELECT count(*) FROM doc_labels"),
            "spans_by_layer": by_layer,
            "status": by_state,
            "schema": self.schema.name,
            "schema_version": self.schema_version,
        }
