"""The two backends behind :class:`~annotator.store.Project`: an SQLite file and a PostgreSQL server.

Every statement in the store is written once, in the SQL both engines share
plus three SQLite spellings that read well and that this module rewrites for
PostgreSQL (docs/architecture.md, "Two backends"):

* placeholders ``?`` and ``:name`` become psycopg's ``%s`` and ``%(name)s``
  (a literal ``%`` is doubled);
* ``INSERT OR IGNORE`` becomes ``INSERT ... ON CONFLICT DO NOTHING``, and
  ``INSERT OR REPLACE INTO t(cols)`` becomes an upsert on ``t``'s key
  (:data:`CONFLICT_KEYS`), which is what ``OR REPLACE`` does on these tables
  (nothing references a replaced row);
* ``cursor.lastrowid`` after an ``INSERT`` into a table with an ``id`` column
  is served by an appended ``RETURNING id``.

What differs for real (full-text search, the schema version, DDL types) is a
method or attribute of :class:`Dialect`, never a string rewrite of a query:
``filter_documents`` asks the dialect for its FTS clause.  A construct the
rewrite does not know (``PRAGMA``, ``MATCH``, ``COLLATE NOCASE``, ``?NNN``) raises at once with
the statement, so a new query that only works on SQLite fails its tests on
the PostgreSQL run instead of at a user's desk.

PostgreSQL is reached through psycopg 3 (``psycopg[binary]``); SQLAlchemy Core
was not chosen because the store's statements are already plain SQL and a
second query language would mean writing each of them twice.
"""

from __future__ import annotations

import os
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import unquote, urlsplit, urlunsplit

from annotator.core.errors import ProjectError

URL_SCHEMES = ("postgresql://", "postgres://")

#: The key ``INSERT OR REPLACE`` conflicts on, per table (its primary key or unique column).
CONFLICT_KEYS: dict[str, tuple[str, ...]] = {
    "settings": ("key",),
    "annotators": ("name",),
    "documents": ("content_hash",),
    "spans": ("uid",),
    "events": ("uid",),
    "suggestion_runs": ("document_id", "suggester"),
    "suggestion_decisions": ("suggestion_id", "annotator"),
    "doc_labels": ("document_id", "annotator", "question"),
    "document_status": ("document_id", "annotator"),
    "assignments": ("document_id", "annotator"),
    "merge_owners": ("document_id", "annotator"),
    "kb_entries": ("id",),
    "kb_links": ("span_uid",),
    "relations": ("uid",),
    "relation_decisions": ("suggestion_id", "annotator"),
}


def is_server_url(target: object) -> bool:
    """True when ``target`` names a PostgreSQL database (``postgresql://...``) rather than a file."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def redact(url: str) -> str:
    """The URL without its password (for messages, titles and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))


class ServerURL(str):
    """Where a server project is, as ``Project.path`` holds it: the text is the URL without its
    password (titles, messages, logs), and ``Project(project.path)`` reconnects with the full URL,
    as a worker thread reopens a file project from its ``Path``.  It answers the few questions
    the GUI asks of a file's path: ``name``/``stem`` (the database), ``resolve()`` (itself) and
    ``parent`` (the current folder: where a file dialog opened from it starts)."""

    url: str

    def __new__(cls, url: str) -> ServerURL:
        full = getattr(url, "url", url)
        obj = super().__new__(cls, redact(full))
        obj.url = full
        return obj

    @property
    def name(self) -> str:
        """The database name (the URL's path, or ``dbname=`` in its query)."""
        parts = urlsplit(self.url)
        for item in parts.query.split("&"):
            key, _, value = item.partition("=")
            if key == "dbname" and value:
                return unquote(value)
        return unquote(parts.path.lstrip("/")) or parts.username or "postgres"

    @property
    def stem(self) -> str:
        """The database name, as a file's stem names its project."""
        return self.name

    @property
    def parent(self) -> Path:
        """The current folder (a server project has no folder)."""
        return Path.cwd()

    def resolve(self) -> ServerURL:
        """Itself: a URL is already absolute."""
        return self


def project_target(value: str | os.PathLike[str]) -> Path | ServerURL:
    """A project's location as given on the command line or kept by a window: a
    :class:`ServerURL` for ``postgresql://...``, else the file's ``Path``."""
    if isinstance(value, ServerURL):
        return value
    if is_server_url(value):
        return ServerURL(str(value))
    return Path(value)


class Dialect:
    """What differs between the engines, named once."""

    name = "sqlite"
    #: The statement that starts a write transaction.
    begin = "BEGIN IMMEDIATE"

    def fts_filter(self, alias: str) -> tuple[str, str, str]:
        """``(join, condition, rank order)`` restricting the ``documents`` table aliased ``alias``
        to full-text matches of the parameter ``:q``; the rank order sorts best first."""
        return (f" JOIN documents_fts f ON f.rowid = {alias}.id", "documents_fts MATCH :q", "f.rank")

    def fts_query(self, query: str) -> str:
        """The value bound to ``:q`` for a user's query (words that must all match)."""
        from annotator.store.base import fts_query

        return fts_query(query)


class PostgresDialect(Dialect):
    """PostgreSQL 13+: text search over a generated ``tsvector`` column."""

    name = "postgresql"
    begin = "BEGIN"

    def __init__(self, fts_config: str = "simple") -> None:
        #: The text search configuration of the ``fts`` column: ``annotator_fold`` ('simple' with
        #: ``unaccent``, migration 9) where the server has it, else 'simple' (accents not folded).
        self.fts_config = fts_config

    def fts_filter(self, alias: str) -> tuple[str, str, str]:
        # no stemming, like the SQLite index (unicode61); the query is folded as the column is
        q = f"plainto_tsquery('{self.fts_config}', :q)"
        return ("", f"{alias}.fts @@ {q}", f"ts_rank({alias}.fts, {q}) DESC")

    def fts_query(self, query: str) -> str:
        # plainto_tsquery ANDs the words, as the quoted SQLite query does; quotes and
        # operators in the user's text are plain characters to it.
        return query.replace('"', " ")


SQLITE = Dialect()
POSTGRES = PostgresDialect()
#: A server whose search folds accents (migration 9 found ``unaccent``).
POSTGRES_FOLD = PostgresDialect("annotator_fold")

# -- the rewrite ---------------------------------------------------------------

_INSERT_OR = re.compile(r"^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.IGNORECASE | re.DOTALL)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
_FORBIDDEN = re.compile(r"\b(PRAGMA|MATCH|GLOB|NOCASE|sqlite_master|rowid|group_concat|ifnull)\b", re.IGNORECASE)


def _placeholders(sql: str) -> str:
    """``?`` -> ``%s``, ``:name`` -> ``%(name)s``, ``%`` -> ``%%``, outside quoted text."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            j = sql.find(c, i + 1)
            if j < 0:
                j = n - 1
            out.append(sql[i : j + 1].replace("%", "%%"))
            i = j + 1
            continue
        if c == "?":
            if i + 1 < n and sql[i + 1].isdigit():
                raise ProjectError(f"numbered placeholders (?1) are SQLite only: {sql}")
            out.append("%s")
        elif c == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_") and (i == 0 or sql[i - 1] != ":"):
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(f"%({sql[i + 1 : j]})s")
            i = j
            continue
        elif c == "%":
            out.append("%%")
        else:
            out.append(c)
        i += 1
    return "".join(out)


@lru_cache(maxsize=2048)
def to_postgres(sql: str, id_tables: frozenset[str] = frozenset(), many: bool = False) -> tuple[str, bool]:
    """The PostgreSQL spelling of a store statement and whether it returns the new row's id
    (an ``INSERT`` into one of ``id_tables``: served as ``lastrowid``)."""
    if _FORBIDDEN.search(re.sub(r"'[^']*'", "", sql)):
        raise ProjectError(f"SQLite-only statement reached the PostgreSQL backend: {sql}")
    suffix = ""
    m = _INSERT_OR.match(sql)
    if m:
        kind, table, cols = m.group(1).upper(), m.group(2), [c.strip().strip('"') for c in m.group(3).split(",")]
        sql = sql[: m.start()] + f"INSERT INTO {table}({m.group(3)})" + sql[m.end() :]
        if kind == "IGNORE":
            suffix = " ON CONFLICT DO NOTHING"
        else:
            keys = CONFLICT_KEYS.get(table)
            if keys is None:
                raise ProjectError(f"INSERT OR REPLACE into {table}: add its key to store.dialect.CONFLICT_KEYS")
            rest = [c for c in cols if c not in keys]
            target = ", ".join(f'"{k}"' for k in keys)
            sets = ", ".join(f'"{c}" = excluded."{c}"' for c in rest)
            suffix = f" ON CONFLICT ({target}) DO UPDATE SET {sets}" if rest else f" ON CONFLICT ({target}) DO NOTHING"
    elif sql.lstrip().upper().startswith("BEGIN"):
        return "BEGIN", False
    returns_id = False
    ins = _INSERT.match(sql)
    if not many and ins and ins.group(1) in id_tables and not _RETURNING.search(sql):
        suffix += " RETURNING id"
        returns_id = True
    if suffix:
        r = _RETURNING.search(sql)
        sql = sql[: r.start()] + suffix.lstrip() + " " + sql[r.start() :] if r else sql.rstrip().rstrip(";") + suffix
    return _placeholders(sql), returns_id


_DDL_RULES = (
    (re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\b", re.IGNORECASE), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bREAL\b", re.IGNORECASE), "DOUBLE PRECISION"),
)


def ddl_to_postgres(script: str) -> str:
    """A migration's ``CREATE`` script for PostgreSQL: 64-bit identity ids, ``DOUBLE PRECISION`` for ``REAL``.

    Other ``INTEGER`` columns (offsets, references) stay 32-bit ``integer``: functions such as
    ``substr(text, integer, integer)`` take them as they are, where ``bigint`` would need a cast."""
    for pattern, repl in _DDL_RULES:
        script = pattern.sub(repl, script)
    return script


# -- the PostgreSQL connection --------------------------------------------------


class PgCursor:
    """The part of ``sqlite3.Cursor`` the store uses, over a psycopg cursor.  A statement inside
    a transaction waits in the connection's queue until somebody asks for a result (a row, the
    new id, the row count) or the transaction ends: then the queue goes in one round trip."""

    def __init__(self, conn: PgConnection | None, cur: Any = None, returns_id: bool = False):
        self._conn = conn
        self._cur = cur
        self._returns_id = returns_id
        self._lastrowid: int | None = None

    def _result(self) -> Any:
        if self._cur is None and self._conn is not None:
            self._conn.send_queue()
        return self._cur

    @property
    def lastrowid(self) -> int | None:
        """The id of the row an ``INSERT`` added (served by ``RETURNING id``)."""
        if self._returns_id:
            self._returns_id = False
            cur = self._result()
            row = cur.fetchone() if cur is not None and cur.description else None
            self._lastrowid = int(row[0]) if row else None
        return self._lastrowid

    @property
    def rowcount(self) -> int:
        """Rows the statement changed."""
        cur = self._result()
        return int(cur.rowcount) if cur is not None else -1

    def fetchone(self) -> tuple[Any, ...] | None:
        """The next row or None."""
        cur = self._result()
        return cur.fetchone() if cur is not None and cur.description else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        """Every remaining row."""
        cur = self._result()
        return cur.fetchall() if cur is not None and cur.description else []

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())


class PgConnection:
    """A psycopg connection that speaks the store's SQL (see the module docstring).

    Autocommit at the driver level: :meth:`Project.transaction` issues ``BEGIN``,
    ``COMMIT`` and savepoints itself, as on SQLite.  Inside a transaction the statements
    wait in a queue until a result is needed, and go together in psycopg's pipeline mode
    (one round trip, each statement with its server-side parameters and prepared plan): an
    edit costs a round trip per read it needs plus one for its COMMIT (docs/team.md, "Load").
    An error of a statement that waited shows at the next round trip, inside the same
    action, which then fails as a whole.

    A connection found dead before an action starts (the server restarted, the session was
    ended) is reopened first; one lost inside a transaction is reported as a
    :class:`ProjectError` (the action was not saved: the server rolls it back).
    """

    def __init__(self, url: str, label: str):
        self.url = url
        self.label = label
        self.id_tables: frozenset[str] = frozenset()
        self._lock = threading.RLock()
        self._in_tx = False
        #: the project has change notices (migration 10): triggers keep them, sent after COMMIT
        self._notices = False
        #: statements of the open transaction waiting to be sent, with the cursor each fills
        self._queued: list[tuple[str, Any, PgCursor | None]] = []
        #: something of the open transaction has reached the server
        self._tx_sent = False
        self._raw = self._connect()

    def _connect(self) -> Any:
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise ProjectError(f"{self.label}: cannot connect to the server ({_first_line(exc)})") from exc

    def _reconnect(self) -> None:
        try:
            self._raw.close()
        except Exception:  # noqa: BLE001 - it is gone either way
            pass
        self._raw = self._connect()
        if self._notices:
            self._raw.execute("SET annotator.defer_notices = on")

    def _check_idle(self) -> None:
        """Before the first round trip of an action: a server that ended this session while it
        was idle (a restart, ``pg_terminate_backend``) has said so on the socket; reconnect
        now rather than lose the action to it.  No round trip: a zero-wait ``select``."""
        import select

        if self._lost():
            self._reconnect()
            return
        try:
            readable, _, _ = select.select([self._raw.fileno()], [], [], 0)
        except (OSError, ValueError):
            readable = [True]
        if readable:  # nothing is owed to an idle session: this is its end (or an error)
            self._reconnect()

    def enable_notices(self) -> None:
        """Have this session's triggers keep their change notices with the transaction and send
        them after its COMMIT (``store/live.py``: why not inside the transaction)."""
        self._notices = True
        self._raw.execute("SET annotator.defer_notices = on")

    @property
    def in_transaction(self) -> bool:
        """True between ``BEGIN`` and ``COMMIT``/``ROLLBACK`` (as ``sqlite3.Connection.in_transaction``)."""
        return self._in_tx

    @property
    def raw(self) -> Any:
        """The psycopg connection (for LISTEN and COPY inside the store); the statements waiting
        in the queue are sent first."""
        self.send_queue()
        return self._raw

    @property
    def backend_pid(self) -> int:
        """The server process of this connection (the ``pid`` of the change notices it causes);
        0 once the connection is closed."""
        try:
            return int(self._raw.info.backend_pid)
        except Exception:  # noqa: BLE001 - psycopg raises on a closed connection
            return 0

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> PgCursor:
        """Run one statement (rewritten for PostgreSQL): at once outside a transaction, queued
        inside one (see the class docstring)."""
        text, returns_id = to_postgres(sql, self.id_tables)
        with self._lock:
            if text == "BEGIN":
                self._in_tx, self._tx_sent = True, False
                self._queued = [("BEGIN", None, None)]
                return PgCursor(None)
            if text.startswith(("COMMIT", "ROLLBACK")) and not text.startswith("ROLLBACK TO"):
                self._end(text)
                return PgCursor(None)
            if self._in_tx:
                cursor = PgCursor(self, None, returns_id)
                self._queued.append((text, params, cursor))
                return cursor
            self._check_idle()
            try:
                cur = self._run(text, params)
            except Exception as exc:
                import psycopg

                if not (isinstance(exc, psycopg.OperationalError) and self._lost()):
                    raise _project_error(exc, self.label) from exc
                self._reconnect()  # a read outside a transaction may go again
                try:
                    cur = self._run(text, params)
                except Exception as exc2:
                    raise _project_error(exc2, self.label) from exc2
            return PgCursor(self, cur, returns_id)

    def _run(self, text: str, params: Any) -> Any:
        cur = self._raw.cursor()
        cur.execute(text, params if params is not None else None)
        return cur

    def _pipeline(self, entries: list[tuple[str, Any, PgCursor | None]]) -> None:
        """Send ``entries`` in one round trip; each waiting cursor gets its psycopg cursor."""
        with self._raw.pipeline():
            for text, params, cursor in entries:
                cur = self._raw.cursor()
                cur.execute(text, params if params is not None else None)
                if cursor is not None:
                    cursor._cur = cur  # noqa: SLF001 - the cursor's result, filled here

    def send_queue(self) -> None:
        """Send the statements waiting in the queue (a result is needed, or a statement that does
        not go through :meth:`execute` comes next)."""
        with self._lock:
            if not self._queued:
                return
            queued, self._queued = self._queued, []
            first = not self._tx_sent
            if first:
                self._check_idle()
            try:
                self._pipeline(queued)
            except Exception as exc:
                import psycopg

                if not (first and isinstance(exc, psycopg.OperationalError) and self._lost()):
                    self._tx_sent = self._tx_sent or self._in_tx
                    raise _project_error(exc, self.label) from exc
                # the whole transaction so far was in this message, without its COMMIT: the server
                # rolled it back with the connection, so it may go again on a new one
                self._reconnect()
                try:
                    self._pipeline(queued)
                except Exception as exc2:
                    self._tx_sent = True
                    raise _project_error(exc2, self.label) from exc2
            self._tx_sent = self._tx_sent or self._in_tx

    def _end(self, text: str) -> None:
        """COMMIT (with what waits, and the notices' transaction, in one round trip) or ROLLBACK."""
        queued, self._queued = self._queued, []
        sent, self._tx_sent = self._tx_sent, False
        self._in_tx = False
        if text.startswith("ROLLBACK"):
            if sent:  # what waited is dropped; the server forgets the rest
                try:
                    self._run("ROLLBACK", None)
                except Exception as exc:
                    raise _project_error(exc, self.label) from exc
            return
        if not sent and queued == [("BEGIN", None, None)]:
            return  # an empty transaction
        if not sent:
            self._check_idle()
        self._commit(queued)

    def _commit(self, queued: list[tuple[str, Any, PgCursor | None]]) -> None:
        """The waiting statements, COMMIT, then the notices' own transaction.  The edit is saved
        when its COMMIT succeeded, whatever happens to the notices after it."""
        from psycopg import pq

        from annotator.store.live import FLUSH_STATEMENTS

        commit = PgCursor(None)
        entries = [*queued, ("COMMIT", None, commit)]
        if self._notices:
            entries += [(statement, None, None) for statement in FLUSH_STATEMENTS]
        try:
            self._pipeline(entries)
        except Exception as exc:
            result = commit._cur.pgresult if commit._cur is not None else None  # noqa: SLF001
            self._end_open_transaction()
            if result is None or result.status != pq.ExecStatus.COMMAND_OK:
                # the edit failed (an error of a waiting statement, or of COMMIT itself), or its
                # fate is unknown: the connection went
                raise _project_error(exc, self.label) from exc
            # saved; these notices are lost: windows refresh on the next ones

    def _end_open_transaction(self) -> None:
        """After a failure: leave no transaction open on the server (an aborted one, or the notices')."""
        from psycopg import pq

        try:
            if not self._lost() and self._raw.info.transaction_status != pq.TransactionStatus.IDLE:
                self._raw.execute(b"ROLLBACK")
        except Exception:  # noqa: BLE001 - the connection is gone; the next action reconnects
            pass

    def _lost(self) -> bool:
        return bool(self._raw.closed or self._raw.broken)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> PgCursor:
        """Run one statement per row of parameters."""
        text, _ = to_postgres(sql, self.id_tables, True)
        data = list(rows)
        with self._lock:
            self.send_queue()
            cur = self._raw.cursor()
            if data:
                try:
                    cur.executemany(text, data)
                except Exception as exc:
                    raise _project_error(exc, self.label) from exc
            self._tx_sent = self._tx_sent or self._in_tx
            return PgCursor(None, cur)

    def executescript(self, script: str) -> None:
        """Run several statements at once (no parameters: used by migrations)."""
        with self._lock:
            self.send_queue()
            try:
                self._raw.execute(script.encode())
            except Exception as exc:
                raise _project_error(exc, self.label) from exc
            self._tx_sent = self._tx_sent or self._in_tx

    def close(self) -> None:
        """Close the connection."""
        self._raw.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _project_error(exc: Exception, label: str) -> Exception:
    """A psycopg error as the store's errors: a lost connection or a refused write is a
    :class:`ProjectError` naming the server; anything else keeps its type."""
    import psycopg

    if isinstance(exc, psycopg.OperationalError):
        return ProjectError(f"{label}: connection to the server lost; the last change was not saved "
                            f"({_first_line(exc)})")
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return ProjectError(f"{label}: permission denied by the server ({_first_line(exc)})")
    if isinstance(exc, psycopg.Error):
        return ProjectError(f"{label}: {_first_line(exc)}")
    return exc
