"""The project file: one SQLite database per project (docs/architecture.md, "The project file").

Every public method that changes something runs in one transaction and
appends an event, so each user action is atomic, durable (WAL) and audited.
Queries return :mod:`annotator.core` objects or small typed rows defined in the
store (``PortableSpan``, ``SpanRow``); no other package speaks SQL.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import urllib.parse
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from annotator.core.errors import ProjectError
from annotator.core.schema import LabelSchema
from annotator.store.answers import AnswersMixin
from annotator.store.base import EVENT_SOURCE_SQL, new_uid, now, payload_with_source
from annotator.store.dialect import POSTGRES, POSTGRES_FOLD, SQLITE, PgConnection, ServerURL, is_server_url
from annotator.store.documents import DocumentsMixin
from annotator.store.imports import ImportMixin
from annotator.store.kb import KnowledgeBaseMixin
from annotator.store.learning import LearningMixin
from annotator.store.live import ChangeListener
from annotator.store.migrations import MIGRATIONS, PAGE_SIZE, SCHEMA_VERSION, migration_database
from annotator.store.relations import RelationsMixin
from annotator.store.review import ReviewTablesMixin
from annotator.store.spans import SpansMixin, SuggestionsMixin
from annotator.store.status import StatusMixin
from annotator.store.team import TeamMixin
from annotator.store.transfer import TransferMixin
from annotator.store.views import ViewsMixin

__all__ = ["BUSY_TIMEOUT_S", "Project", "needs_preparing", "now", "opens_unchanged", "prepare_project", "quick_check"]

#: Seconds a second process waits for a lock before it gets a clear error.
BUSY_TIMEOUT_S = 5.0

#: Files (path, size, mtime) this process has already run ``quick_check`` on: a worker
#: thread opening the same project again does not pay for it twice.
_CHECKED: set[tuple[str, int, int]] = set()


def _file_key(path: Path) -> tuple[str, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    if st.st_size == 0:
        return None
    return (str(path.resolve()), st.st_size, st.st_mtime_ns)


class _Reopened:
    """The connection of a file :meth:`Project._publish` has just moved into place, opened at its
    path when something first uses it: ``annotator import NEW.db FILE`` closes it right after."""

    def __init__(self, project: Project) -> None:
        self._project = project

    def __getattr__(self, name: str) -> Any:
        conn = self._project._conn  # noqa: SLF001 - the project's own connection
        if conn is self:  # once: whoever kept this object gets the connection opened then
            conn = self._project._reopen()  # noqa: SLF001
        return getattr(conn, name)

    def close(self) -> None:
        """Nothing is open yet."""


def _fsync(path: Path, *, folder: bool = False) -> None:
    """Flush a file's (or a folder's) contents to disk."""
    if folder and os.name != "posix":
        return  # Windows opens no folder as a file; NTFS journals the link itself
    fd = os.open(path, os.O_RDONLY if folder else os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sweep_building(path: Path) -> None:
    """Remove the hidden files that builds of ``path`` killed before they finished left next to
    it (``.NAME.PID-XXXX.building``, see ``build_new``): those whose process is gone.  A file of
    a build still running, or one whose name says no process, is left alone."""
    if os.name != "posix":
        return  # (os.kill(pid, 0) does not ask whether a process exists there)
    prefix = f".{path.name}."
    try:
        names = [entry.name for entry in os.scandir(path.parent or ".")
                 if entry.name.startswith(prefix) and entry.name.endswith(".building")]
    except OSError:
        return
    for name in names:
        pid_text = name[len(prefix):-len(".building")].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
            continue  # that process is running: its build may be too
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError, OSError):
            continue  # someone else's process, or no such number: not ours to judge
        with contextlib.suppress(OSError):
            (path.parent / name).unlink()


def needs_preparing(target: str | os.PathLike[str]) -> bool:
    """True when opening the project file ``target`` reads the whole file first: it exists and
    this process has not checked it in its present state (``quick_check``, and any upgrade, take
    seconds on a file of gigabytes; see :func:`prepare_project`).  A server project: False."""
    if is_server_url(target):
        return False
    key = _file_key(Path(target))
    return key is not None and key not in _CHECKED


def opens_unchanged(target: str | os.PathLike[str]) -> bool:
    """True when the SQLite file at ``target`` is, by its header, in WAL mode and at this
    version's schema: opening it as a project neither upgrades it nor switches its journal, so
    it may be read while :func:`prepare_project` checks it in another thread.  (A version
    written in a log not yet copied into the file reads as the older one: False, the safe side.)"""
    try:
        with open(target, "rb") as fh:
            header = fh.read(100)
    except OSError:
        return False
    return (len(header) == 100 and header.startswith(b"SQLite format 3\0") and header[18:20] == b"\x02\x02"
            and int.from_bytes(header[60:64], "big") == SCHEMA_VERSION)


def prepare_project(target: str | os.PathLike[str]) -> None:
    """Open the existing project file ``target`` once and close it: its integrity is checked
    and it is upgraded to this version's schema, so that the next open in this process (of the
    file as it is now) skips both.  Meant for a worker thread, before the GUI thread opens the
    project; raises what opening raises (:class:`ProjectError` for a damaged or foreign file)."""
    path = Path(target)
    with Project(path, create=False):
        pass
    key = _file_key(path)
    if key is not None:
        _CHECKED.add(key)  # checked, then changed only by this process's upgrade and close (taken after it)


def quick_check(conn: sqlite3.Connection, *, full: bool = False) -> list[str]:
    """SQLite's ``quick_check`` (or the slower ``integrity_check`` with ``full``):
    the problems found, empty when the file is sound."""
    pragma = "integrity_check" if full else "quick_check"
    rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}(20)")]
    return [] if rows == ["ok"] else rows


def stored_schema(value: str, source: str) -> LabelSchema:
    """The label schema stored in a project's settings; ``ValueError`` saying
    "its label schema is damaged" when the stored text is not a schema (a byte flip)."""
    try:
        data = json.loads(value)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return LabelSchema.from_dict(data, source)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # JSONDecodeError and SchemaError are ValueErrors
        raise ValueError(f"its stored label schema is damaged: {exc}") from None


class Project(
    DocumentsMixin,
    ImportMixin,
    SpansMixin,
    SuggestionsMixin,
    RelationsMixin,
    AnswersMixin,
    StatusMixin,
    ReviewTablesMixin,
    TransferMixin,
    ViewsMixin,
    LearningMixin,
    KnowledgeBaseMixin,
    TeamMixin,
):
    """An open project file: the one door to it (every SQL statement of the
    package lives in ``annotator.store``).

    This module opens the connection, migrates and runs transactions; the
    queries live in one mixin per aggregate (``store/documents.py``,
    ``spans.py``, ``relations.py``, ``answers.py``, ``status.py``, ``review.py``, ``transfer.py``,
    ``views.py``, ``kb.py``), all reached through this class.

    One connection; use it from one thread at a time (a worker thread opens
    its own ``Project`` on the same path: WAL lets readers and one writer
    work side by side).
    """

    def __init__(
        self, path: str | Path, *, create: bool = True, schema: str | Path | LabelSchema | None = None,
        build_new: bool = False, check: bool = True,
    ):
        """Open (or create) the project at ``path``.

        ``check`` False: no ``quick_check`` at this open; for a file :func:`opens_unchanged` says
        this open does not write, whose check the caller runs elsewhere (:func:`prepare_project`
        in a worker thread) and awaits before it commits anything read from it (a merge's
        sources: their work is read while they are checked).

        ``build_new``: when there is no file at ``path`` yet, build it in a hidden file next to it
        that nothing else opens, without a rollback journal on disk, and move it into place
        (switched to WAL, synced) when the first :meth:`bulk_import` commits, or at
        :meth:`close`.  ``annotator import NEW.db FILE`` writes the file once this way instead
        of twice (the WAL and its checkpoint were a sixth of a 2,000-article import).  Until then
        no file is at ``path``: a kill leaves no project (and a hidden ``.NAME.PID-XXXX.building``
        file, which the next build of ``path`` removes once process PID is gone),
        never a half-written one; every commit reported after that is in the project, as usual.
        """
        #: While a new file is built (``build_new``): the hidden file it is built in (see :meth:`_publish`).
        self._building: Path | None = None
        self._quick_check = check
        if is_server_url(path):
            self._open_server(getattr(path, "url", str(path)), schema)
            return
        self._dialect = SQLITE
        self.path = Path(path)
        if not create and not self.path.exists():
            raise ProjectError(f"{self.path}: no such project file")
        if self.path.exists() and self.path.is_dir():
            raise ProjectError(f"{self.path} is a folder; a project is a .db file")
        if self.path.parent and not self.path.parent.exists():
            raise ProjectError(f"{self.path}: folder {self.path.parent} does not exist")
        if build_new and not self.path.exists() and not self.path.is_symlink():
            _sweep_building(self.path)
            # (the builder's process id in the name: a later build can tell a left-behind file)
            self._building = self.path.parent / f".{self.path.name}.{os.getpid()}-{os.urandom(4).hex()}.building"
        #: True when the file or its folder cannot be written: reading works, any change is refused clearly.
        self.readonly = False
        try:
            self._conn = self._connect()
        except UnicodeDecodeError:
            self._drop_building()
            raise self._damaged_schema() from None
        except BaseException:
            self._drop_building()
            raise
        self._depth = 0
        self._lock = threading.RLock()
        try:
            self._check_file()
            self._migrate()
            self._schema = self._init_schema(schema)
        except UnicodeDecodeError:
            # SQLite's own message about a damaged schema can hold bytes that are not UTF-8
            self._conn.close()
            raise self._damaged_schema() from None
        except BaseException:
            self._conn.close()
            self._drop_building()
            raise

    def _drop_building(self) -> None:
        building, self._building = self._building, None
        if building is not None:
            try:
                building.unlink(missing_ok=True)
            except OSError:  # a read-only folder: nothing was made there
                pass

    def _damaged_schema(self) -> ProjectError:
        return ProjectError(
            f"{self.path} is damaged (its table definitions cannot be read); run 'annotator check {self.path}' "
            f"and copy out what can be read with 'annotator check {self.path} --salvage NEW.db'"
        )

    @classmethod
    def open(
        cls, target: str | Path, *, create: bool = True, schema: str | Path | LabelSchema | None = None
    ) -> Project:
        """Open a project file (``PROJECT.db``) or a server project (``postgresql://USER@HOST/DB``,
        any libpq URL, unix-socket hosts included); the same API either way."""
        return cls(target, create=create, schema=schema)

    @property
    def is_server(self) -> bool:
        """True for a project on a PostgreSQL server."""
        return self._dialect.name == "postgresql"

    def read_twin(self) -> Project | None:
        """A second connection to this project, for reading in another thread while this one
        works (agreement reads the next block of documents ahead): opened without a check (this
        one checked the file), to be closed by whoever uses it.  None where it would not read
        what this connection reads: inside a transaction (it would not see the changes made so
        far), while a new file is being built (it is not at its path yet), or when it cannot
        be opened (the caller then reads here, as before)."""
        if self._depth > 0 or self._conn.in_transaction or self._building is not None:
            return None
        try:
            # the schema as stored (this open stored it): the twin writes nothing
            return Project(self.url if self.is_server else self.path, create=False, check=False)
        except (ProjectError, OSError, sqlite3.Error):
            return None

    def _open_server(self, url: str, schema: str | Path | LabelSchema | None) -> None:
        # ``path`` names the project in messages; the password never appears in it.
        self.url = url
        self.path = ServerURL(url)  # type: ignore[assignment]
        self._dialect = POSTGRES
        self.readonly = False
        self._depth = 0
        self._lock = threading.RLock()
        self._conn = PgConnection(url, str(self.path))  # type: ignore[assignment]
        try:
            self._migrate_server()
            self._schema = self._init_schema(schema)
        except BaseException:
            self._conn.close()
            raise

    def change_listener(self) -> ChangeListener | None:
        """A listener for other sessions' changes to this project (its own connection;
        ``store/live.py``), or None for a project file (no change notices there)."""
        if not self.is_server:
            return None
        return ChangeListener(self.url, str(self.path))

    @property
    def session_pid(self) -> int | None:
        """The server process of this project's connection: notices whose ``pid`` is this one
        are this session's own changes (None for a file)."""
        return self._conn.backend_pid if self.is_server else None  # type: ignore[attr-defined]

    def _migrate_server(self) -> None:
        version = self.schema_version
        if version >= SCHEMA_VERSION:
            self._check_server_version(version)
        # Below the current version (or empty): each step re-reads the version under the
        # lock, since another client may have migrated since (or be migrating now).
        migrated = False
        for number in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                # Two clients opening a new server project at once: one migrates, the other waits.
                self._conn.execute("SELECT pg_advisory_xact_lock(1404202601)")
                now_at = self.schema_version
                self._check_server_version(now_at)
                if now_at >= number:
                    continue
                if now_at == 0:
                    self._conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                MIGRATIONS[number - 1](migration_database(self._conn, self._dialect))
                self._conn.execute("DELETE FROM schema_version")
                self._conn.execute("INSERT INTO schema_version(version) VALUES (?)", (number,))
                migrated = True
        if migrated and self.team_exists():
            # a table a migration added gets the team's grants and policies at once (else an
            # annotator could not read it until the next 'annotator team' command)
            self.team_setup()
        if self._conn.execute("SELECT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = ?"
                              " AND cfgnamespace = current_schema()::regnamespace)", (POSTGRES_FOLD.fts_config,)
                              ).fetchone()[0]:
            self._dialect = POSTGRES_FOLD
        self._conn.id_tables = frozenset(r[0] for r in self._conn.execute(  # type: ignore[attr-defined]
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND column_name = 'id' AND is_identity = 'YES'"))
        self._conn.enable_notices()  # type: ignore[attr-defined]

    def _check_server_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise ProjectError(
                f"{self.path} was written by a newer annotator (schema {version}, this one knows {SCHEMA_VERSION}); "
                "upgrade annotator to open it"
            )
        if version == 0:
            tables = [r[0] for r in self._conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                " AND table_name != 'schema_version' ORDER BY table_name")]
            if tables:
                raise ProjectError(f"{self.path}: a PostgreSQL database but not an annotator project "
                                   f"(tables: {tables[:5]})")

    def _connect(self) -> sqlite3.Connection:
        """Open the file; a read-only file or folder is opened read-only (no WAL switch,
        no journal files), and nothing is changed before the file is known to be a project."""
        exists = self.path.exists()
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not exists and not os.access(folder, os.W_OK):
            raise ProjectError(f"{self.path}: cannot create a project here: folder {folder} is read-only")
        if exists and not (os.access(self.path, os.W_OK) and os.access(folder, os.W_OK)):
            self.readonly = True
        try:
            if self.readonly:
                conn = self._connect_readonly(folder_writable=os.access(folder, os.W_OK))
            else:
                # isolation_level=None: we issue BEGIN/COMMIT ourselves, one per action.
                conn = sqlite3.connect(
                    str(self._building or self.path), isolation_level=None, timeout=BUSY_TIMEOUT_S,
                    check_same_thread=False,
                )
            conn.text_factory = self._decode_text
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA user_version").fetchone()  # reads the header: "not a database" shows here
        except sqlite3.DatabaseError as exc:
            mapped = self._db_error(exc)
            if isinstance(mapped, ProjectError):
                raise mapped from exc
            raise ProjectError(f"{self.path}: not a project file ({exc})") from exc
        return conn

    def _connect_readonly(self, *, folder_writable: bool) -> sqlite3.Connection:
        uri = "file:" + urllib.parse.quote(str(self.path.resolve())) + "?mode=ro"
        conn = None
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S,
                                   check_same_thread=False)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            if conn is not None:
                conn.close()  # now: left to the collector it kept the file (and a read-only mount) open
            if folder_writable:
                raise
        # A WAL file in a read-only folder cannot get its shared-memory file: read it as immutable
        # (a project closed normally has everything in the main file).
        return sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False)

    def _decode_text(self, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProjectError(
                f"{self.path} is damaged (text that is not UTF-8 at byte {exc.start}); run "
                f"'annotator check {self.path}' and recover what can be read with --salvage"
            ) from None

    def _check_file(self) -> None:
        """Refuse a damaged file clearly and switch a writable project to WAL;
        ``quick_check`` runs once per file state and process."""
        key = _file_key(self.path)
        if key is not None and key not in _CHECKED and self._quick_check:
            try:
                problems = quick_check(self._conn)
            except sqlite3.DatabaseError as exc:
                problems = [str(exc)]
            if problems:
                raise ProjectError(
                    f"{self.path} is damaged ({'; '.join(problems[0].splitlines())}); run 'annotator check {self.path}' for details "
                    f"and 'annotator check {self.path} --salvage NEW.db' to copy out what can be read"
                )
            _CHECKED.add(key)
        if self.readonly:
            return
        try:
            version = self.schema_version
            if version == 0 and self._table_names():  # refuse a foreign file before changing it (WAL)
                self._refuse_foreign()
            if version == 0:  # a new file: pages that fit many articles each (set before the first write)
                self._conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            if self._building is not None:
                # Nothing else opens the file being built, and a crash leaves it aside (never at the
                # project's path): the journal (in memory) serves rollbacks only, nothing is synced
                # until it is published (see _publish).
                self._conn.execute("PRAGMA journal_mode = MEMORY")
                self._conn.execute("PRAGMA synchronous = OFF")
                return
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            self._conn.execute("PRAGMA synchronous = NORMAL")  # durable against crashes in WAL mode
        except sqlite3.DatabaseError as exc:
            raise self._db_error(exc) from exc
        if str(mode).lower() != "wal":
            raise ProjectError(f"{self.path}: could not switch to WAL journal (got {mode})")

    def _publish(self, *, reopen: bool) -> None:
        """Move a file built by ``build_new`` to its path: switched to WAL, synced to disk, then
        linked there (never over a file that appeared meanwhile), and opened there again
        (``reopen``) for what follows."""
        building, self._building = self._building, None
        if building is None:
            return
        try:
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.close()
            _fsync(building)
            try:
                os.link(building, self.path)
            except FileExistsError:
                raise ProjectError(f"{self.path} was created by another program during this import; "
                                   "nothing was imported into it: import again") from None
            except OSError:  # a file system without hard links: the same, minus the guard against a race
                if self.path.exists():
                    raise ProjectError(f"{self.path} was created by another program during this import; "
                                       "nothing was imported into it: import again") from None
                os.replace(building, self.path)
            _fsync(self.path.parent if str(self.path.parent) else Path("."), folder=True)
        finally:
            building.unlink(missing_ok=True)
        if reopen:
            key = _file_key(self.path)
            if key is not None:
                _CHECKED.add(key)  # just written whole by this process
            self._conn = _Reopened(self)  # type: ignore[assignment]

    def _reopen(self) -> sqlite3.Connection:
        """The connection at the project's path again, after :meth:`_publish` (see :class:`_Reopened`)."""
        self._conn = self._connect()
        self._check_file()
        return self._conn

    def _table_names(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]

    def _refuse_foreign(self) -> None:
        tables = self._table_names()
        raise ProjectError(f"{self.path}: an SQLite file but not an annotator project (tables: {tables[:5]})")

    def _db_error(self, exc: sqlite3.Error) -> Exception:
        """A clear :class:`ProjectError` for the environment's SQLite errors (disk full,
        read-only, damaged); anything else is returned as is."""
        msg = str(exc)
        if "disk is full" in msg or "disk I/O error" in msg:
            return ProjectError(f"{self.path}: the disk is full or failing ({msg}); nothing of this action was "
                                "saved: free some space and try again")
        if "readonly" in msg or "read-only" in msg:
            return ProjectError(f"{self.path} is read-only (the file or its folder cannot be written); "
                                "reading works, but this needs to change it: copy it to a writable folder")
        if "malformed" in msg or "corrupt" in msg:
            return ProjectError(f"{self.path} is damaged ({msg}); run 'annotator check {self.path}'")
        return exc

    # -- lifecycle -----------------------------------------------------------

    def discard_unbuilt(self) -> bool:
        """A new file still being built aside (``build_new``, nothing committed into it yet) is
        closed and thrown away, so that no project appears at ``path`` (an import into a new
        name whose every file failed).  True when there was one; otherwise nothing changes."""
        if self._building is None or self._depth != 0:
            return False
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()
        self._drop_building()
        return True

    def close(self) -> None:
        """Close the connection (checkpoints the WAL; a file built by ``build_new`` is moved into place)."""
        if self._building is not None and self._depth == 0:
            self._publish(reopen=False)
            return
        try:
            self._conn.close()
        except (sqlite3.Error, ProjectError):  # pragma: no cover - closing twice is harmless
            pass

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({str(self.path)!r})"

    @property
    def schema_version(self) -> int:
        """The migration number the project is at (``PRAGMA user_version`` in a file,
        the ``schema_version`` table on a server)."""
        if self.is_server:
            # pg_tables, not to_regclass(): a query on the catalog sees what committed before this
            # statement, where to_regclass() may use an older catalog snapshot (a concurrent first open).
            if not self._conn.execute("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname"
                                      " = current_schema() AND tablename = 'schema_version')").fetchone()[0]:
                return 0
            row = self._conn.execute("SELECT max(version) FROM schema_version").fetchone()
            return int(row[0] or 0)
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        try:
            version = self.schema_version
            tables = self._table_names()
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{self.path}: not a project file ({exc})") from exc
        if version > SCHEMA_VERSION:
            raise ProjectError(
                f"{self.path} was written by a newer annotator (schema {version}, this one knows {SCHEMA_VERSION}); "
                "upgrade annotator to open it"
            )
        if version == 0 and tables:
            self._refuse_foreign()
        if version < 0 or (version > 0 and not {"documents", "spans", "settings"} <= set(tables)):
            raise ProjectError(
                f"{self.path} is damaged (schema version {version}, tables {tables[:5]}); run "
                f"'annotator check {self.path}' and recover what can be read with --salvage"
            )
        if version < SCHEMA_VERSION and self.readonly:
            raise ProjectError(f"{self.path} needs upgrading (schema {version} -> {SCHEMA_VERSION}) but is "
                               "read-only: copy it to a writable folder and open it there once")
        if version == SCHEMA_VERSION:
            return
        db = migration_database(self._conn)
        for number in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                MIGRATIONS[number - 1](db)
                self._conn.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit.  Nested calls join the outer transaction (savepoints),
        so a compound action (accept-all) is still one commit.

        A full disk, a read-only file or a damaged one ends the action with a
        clear :class:`ProjectError`; nothing of the action is kept."""
        with self._lock:
            if self._depth == 0:
                if self.readonly:
                    raise ProjectError(
                        f"{self.path} is read-only (the file or its folder cannot be written); reading works, "
                        "but this needs to change it: copy it to a writable folder"
                    )
                try:
                    self._conn.execute(self._dialect.begin)
                except sqlite3.OperationalError as exc:
                    if "locked" in str(exc) or "busy" in str(exc):
                        raise ProjectError(
                            f"{self.path} is busy: another process is writing to it; try again or close the other program"
                        ) from exc
                    raise self._db_error(exc) from exc
                self._depth = 1
                try:
                    yield
                    self._depth = 0
                    self._conn.execute("COMMIT")
                except BaseException as exc:
                    self._depth = 0
                    self.__dict__.pop("_annotators_seen", None)  # it may hold names this transaction added
                    # SQLite may have rolled back already (disk full): a second ROLLBACK would hide why
                    if self._conn.in_transaction:
                        try:
                            self._conn.execute("ROLLBACK")
                        except (sqlite3.Error, ProjectError):
                            pass  # a lost server connection: the server rolled back itself
                    if isinstance(exc, sqlite3.Error):
                        mapped = self._db_error(exc)
                        if mapped is not exc:
                            raise mapped from exc
                    raise
            else:
                name = f"sp{self._depth}"
                self._conn.execute(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield
                except BaseException:
                    self._depth -= 1
                    self.__dict__.pop("_annotators_seen", None)
                    if self._conn.in_transaction:
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

    def may_write(self, table: str) -> bool:
        """Whether this connection may add rows to ``table``: a writable file, or on a server a role
        granted ``INSERT`` on it (annotators may not write settings or assignments)."""
        if not self.is_server:
            return not self.readonly
        return bool(self._conn.execute("SELECT has_table_privilege(?, 'INSERT')", (table,)).fetchone()[0])

    def server_location(self) -> str:
        """A server project's database as ``host:port/db``, the same whichever role connects
        (names the project where it may not store its identity)."""
        row = self._conn.execute("SELECT coalesce(inet_server_addr()::text, ''), coalesce(inet_server_port(), 0),"
                                 " current_database()").fetchone()
        host = row[0] or str(self.url).split("@")[-1].split("/")[0]
        return f"{host}:{row[1]}/{row[2]}"

    def replace_empty_schema(self, schema: LabelSchema) -> None:
        """Give a project that holds no documents yet another label schema (push into a server
        project made by ``team --add`` before the first push)."""
        if self.count_documents():
            raise ProjectError(f"{self.path} holds documents: its schema is kept")
        self.set_setting("schema", json.dumps(schema.to_toml_dict(), ensure_ascii=False))
        self._schema = schema

    def _init_schema(self, schema: str | Path | LabelSchema | None) -> LabelSchema:
        stored = self.get_setting("schema")
        if schema is None:
            if stored:
                try:
                    return stored_schema(stored, f"{self.path}:schema")
                except ValueError as exc:
                    raise ProjectError(
                        f"{self.path} is damaged ({exc}); run 'annotator check {self.path}' and copy out what "
                        f"can be read with 'annotator check {self.path} --salvage NEW.db'") from None
            schema = "news"
        loaded = schema if isinstance(schema, LabelSchema) else LabelSchema.load(schema)
        encoded = json.dumps(loaded.to_toml_dict(), ensure_ascii=False)
        if stored != encoded:
            if self.readonly:
                raise ProjectError(f"{self.path} is read-only: its schema cannot be set")
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
        sql = f"SELECT id, uid, ts, annotator, document_id, action, payload, {EVENT_SOURCE_SQL} FROM events WHERE 1=1"
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
             "payload": json.loads(payload_with_source(r[6], r[7]))}
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
            "relations": one("SELECT count(*) FROM relations"),
            "spans_by_layer": by_layer,
            "status": by_state,
            "schema": self.schema.name,
            "schema_version": self.schema_version,
        }

