"""The project file: one SQLite database per project (docs/architecture.md, "The project file").

Every public method that changes something runs in one transaction and
appends an event, so each user action is atomic, durable (WAL) and audited.
Queries return :mod:`annotator.core` objects or small typed rows defined in the
store (``PortableSpan``, ``SpanRow``); no other package speaks SQL.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

from annotator.core.errors import ProjectError
from annotator.core.schema import LabelSchema
from annotator.store.answers import AnswersMixin
from annotator.store.base import new_uid, now
from annotator.store.documents import DocumentsMixin
from annotator.store.learning import LearningMixin
from annotator.store.migrations import MIGRATIONS, SCHEMA_VERSION
from annotator.store.review import ReviewTablesMixin
from annotator.store.spans import SpansMixin, SuggestionsMixin
from annotator.store.status import StatusMixin
from annotator.store.transfer import TransferMixin
from annotator.store.views import ViewsMixin

__all__ = ["BUSY_TIMEOUT_S", "Project", "now"]

#: Seconds a second process waits for a lock before it gets a clear error.
BUSY_TIMEOUT_S = 5.0


class Project(
    DocumentsMixin,
    SpansMixin,
    SuggestionsMixin,
    AnswersMixin,
    StatusMixin,
    ReviewTablesMixin,
    TransferMixin,
    ViewsMixin,
    LearningMixin,
):
    """An open project file: the one door to it (every SQL statement of the
    package lives in ``annotator.store``).

    This module opens the connection, migrates and runs transactions; the
    queries live in one mixin per aggregate (``store/documents.py``,
    ``spans.py``, ``answers.py``, ``status.py``, ``review.py``, ``transfer.py``,
    ``views.py``), all reached through this class.

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
            self._conn = sqlite3.connect(
                str(self.path), isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False
            )
            self._conn.execute("PRAGMA foreign_keys = ON")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            self._conn.execute("PRAGMA synchronous = NORMAL")  # durable against crashes in WAL mode
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{self.path}: not a project file ({exc})") from exc
        if str(mode).lower() != "wal":
            raise ProjectError(f"{self.path}: could not switch to WAL journal (got {mode})")
        self._db = sqlite_utils.Database(self._conn)
        self._depth = 0
        self._lock = threading.RLock()
        self._migrate()
        self._schema = self._init_schema(schema)

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        """Close the connection (checkpoints the WAL)."""
        try:
            self._conn.close()
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
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

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
            tables = self._db.table_names()
            if tables:
                raise ProjectError(f"{self.path}: an SQLite file but not an annotator project (tables: {tables[:5]})")
        for number in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                MIGRATIONS[number - 1](self._db)
                self._conn.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit.  Nested calls join the outer transaction (savepoints),
        so a compound action (accept-all) is still one commit."""
        with self._lock:
            if self._depth == 0:
                try:
                    self._conn.execute("BEGIN IMMEDIATE")
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
                    self._conn.execute("ROLLBACK")
                    raise
                self._depth = 0
                self._conn.execute("COMMIT")
            else:
                name = f"sp{self._depth}"
                self._conn.execute(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield
                except BaseException:
                    self._depth -= 1
                    self._conn.execute(f"ROLLBACK TO {name}")
                    self._conn.execute(f"RELEASE {name}")
                    raise
                self._depth -= 1
                self._conn.execute(f"RELEASE {name}")

    # -- settings and schema -------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A project setting (text)."""
        row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        """Store a project setting."""
        with self.transaction():
            self._conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, value))

    def delete_setting(self, key: str) -> None:
        """Remove a project setting (absent is fine)."""
        with self.transaction():
            self._conn.execute("DELETE FROM settings WHERE key = ?", (key,))

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

    def log_event(self, action: str, annotator: str | None, document_id: int | None, **payload: Any) -> None:
        """Append one event (JSON ``payload``) to the audit log, for an action made of several
        store calls (a merge, an assignment run) that the calls themselves do not log as a whole."""
        with self.transaction():
            self._log(action, annotator, document_id, **payload)

    def _log(self, action: str, annotator: str | None, document_id: int | None, **payload: Any) -> None:
        self._conn.execute(
            "INSERT INTO events(uid, ts, annotator, document_id, action, payload) VALUES (?, ?, ?, ?, ?, ?)",
            (new_uid(), now(), annotator, document_id, action, json.dumps(payload, ensure_ascii=False)),
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
        rows = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        return [
            {"id": r[0], "uid": r[1], "ts": r[2], "annotator": r[3], "document_id": r[4], "action": r[5],
             "payload": json.loads(r[6])}
            for r in rows
        ]

    # -- summary -------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts for ``annotator stats``."""
        one = lambda sql: int(self._conn.execute(sql).fetchone()[0])  # noqa: E731
        by_layer = {r[0]: r[1] for r in self._conn.execute("SELECT layer, count(*) FROM spans GROUP BY layer")}
        by_state: dict[str, dict[str, int]] = {}
        for ann, state, n in self._conn.execute(
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

