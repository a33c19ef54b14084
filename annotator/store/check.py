"""``annotator check``: is a project file sound, and a way to copy out what can
still be read from a damaged one (``--salvage``).

The check opens the file read-only with a plain connection (``Project`` refuses
a damaged file), so it never changes what it examines.
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import ProjectError
from annotator.store.migrations import MIGRATIONS, PAGE_SIZE, SCHEMA_VERSION, binary_hashes, migration_database
from annotator.store.project import quick_check, stored_schema

#: Tables copied by a salvage, parents before children (foreign keys hold in the copy).
SALVAGE_TABLES = (
    "settings", "annotators", "documents", "spans", "suggestions", "suggestion_runs", "suggestion_decisions",
    "doc_labels", "document_status", "events", "assignments", "merge_owners",
)

#: Tables the copy's triggers fill from the others (never copied themselves).
DERIVED_TABLES = ("status_sources",)


@dataclass
class CheckReport:
    """What ``annotator check`` found."""

    path: str
    problems: list[str] = field(default_factory=list)
    schema_version: int | None = None
    #: An SQLite file that was never an annotator project (nothing to salvage): its tables.
    foreign_tables: list[str] | None = None

    @property
    def ok(self) -> bool:
        """True when SQLite's integrity check found nothing and the schema is known."""
        return not self.problems

    def advice(self) -> str:
        """One paragraph: what the result means and what to do."""
        if self.ok:
            return f"{self.path}: ok (integrity check passed, schema {self.schema_version})"
        if self.foreign_tables is not None:
            return (f"{self.path} is an SQLite file but not an annotator project (tables: {self.foreign_tables}); "
                    "nothing to check or salvage: open or import into a project file instead")
        listed = "\n".join(f"  {p}" for p in self.problems[:20])
        return (f"{self.path} is damaged:\n{listed}\n"
                f"Copy out what can still be read with 'annotator check {self.path} --salvage NEW.db', "
                "check NEW.db with 'annotator stats NEW.db', then work on NEW.db (keep the damaged file "
                "until you are sure nothing is missing).")


def _open_readonly(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise ProjectError(f"{path}: no such project file")
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        # read past a damaged table definition (the other tables stay readable); the connection is read-only
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except UnicodeDecodeError:  # SQLite's message about a damaged schema holds bytes that are not UTF-8
        raise sqlite3.DatabaseError("the table definitions (sqlite_master) are damaged") from None
    except sqlite3.DatabaseError:
        # a read-only folder (no shared-memory file for WAL) or a damaged header: try without locking
        conn = sqlite3.connect(uri + "&immutable=1", uri=True)
        conn.execute("PRAGMA writable_schema = ON")
    # damaged text must not stop a check or a salvage: undecodable bytes become U+FFFD
    conn.text_factory = lambda data: data.decode("utf-8", errors="replace")
    return conn


def check_project(path: str | Path) -> CheckReport:
    """Run SQLite's full ``integrity_check`` and look at the schema version."""
    path = Path(path)
    report = CheckReport(str(path))
    try:
        conn = _open_readonly(path)
        try:
            report.schema_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if report.schema_version == 0 and _foreign(conn, report):
                return report
            report.problems = _schema_problems(path) + quick_check(conn, full=True)
            report.problems += _undecodable_text(conn)
            report.problems += _damaged_settings(conn)
        finally:
            conn.close()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        report.problems = [f"not readable as SQLite: {exc}"]
        return report
    if report.schema_version is not None and not 0 < report.schema_version <= SCHEMA_VERSION:
        report.problems.append(f"schema version {report.schema_version} is not one this annotator knows "
                               f"(1 to {SCHEMA_VERSION})")
    return report


def _foreign(conn: sqlite3.Connection, report: CheckReport) -> bool:
    """True (and the report says so) for a readable SQLite file with no project tables: a
    file of another program is not a damaged project, and a salvage of it copies nothing."""
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    except sqlite3.DatabaseError:
        return False
    if {"documents", "settings", "annotators"} & set(tables):
        return False
    report.foreign_tables = tables
    report.problems = ["not an annotator project"]
    return True


def _schema_problems(path: Path) -> list[str]:
    """A damaged table definition (the check itself reads past it with ``writable_schema``)."""
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except UnicodeDecodeError:
        return ["the table definitions (sqlite_master) are damaged"]
    except sqlite3.DatabaseError as exc:
        return [f"the table definitions cannot be read: {exc}"]
    return []


def _undecodable_text(conn: sqlite3.Connection) -> list[str]:
    """Documents whose stored text is not UTF-8 (byte flips the integrity check cannot see)."""
    conn.text_factory = bytes
    found = []
    try:
        for doc_id, text, title in conn.execute("SELECT id, text, title FROM documents NOT INDEXED"):
            for value in (text, title):
                try:
                    value.decode("utf-8") if isinstance(value, bytes) else None
                except UnicodeDecodeError as exc:
                    found.append(f"document {doc_id}: damaged text (not UTF-8 at byte {exc.start})")
                    break
    except sqlite3.DatabaseError as exc:
        found.append(f"documents table not readable: {exc}")
    return found


def _damaged_settings(conn: sqlite3.Connection) -> list[str]:
    """A stored label schema that no longer parses (a byte flip the integrity check cannot see)."""
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = 'schema'").fetchone()
    except sqlite3.DatabaseError:
        return []  # no settings table: the schema version check reports the file
    if row is None or row[0] is None:
        return []
    try:
        stored_schema(row[0] if isinstance(row[0], str) else bytes(row[0]).decode("utf-8", "replace"), "schema")
    except ValueError as exc:
        return [f"settings: {exc} (a salvage leaves it out; the copy gets the default schema)"]
    return []


@dataclass
class SalvageReport:
    """Rows copied and rows lost, per table."""

    copied: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line per table that had anything."""
        lines = []
        for table in dict.fromkeys([*SALVAGE_TABLES, *self.copied, *self.lost]):
            c, lost = self.copied.get(table, 0), self.lost.get(table, 0)
            if c or lost:
                lines.append(f"  {table}: {c} row(s) copied" + (f", {lost} unreadable or inconsistent" if lost else ""))
        return "\n".join(lines)


def salvage_project(source: str | Path, out: str | Path) -> SalvageReport:
    """Copy every row of ``source`` that can still be read into a new project ``out``.

    Rows are read one by one through the table itself (not its indexes, which
    may be what is damaged); a row that cannot be read, or whose parent is
    gone, is counted as lost.  ``out`` must not exist.
    """
    source, out = Path(source), Path(out)
    if out.exists():
        raise ProjectError(f"{out} exists; --salvage writes a new file")
    if source.resolve() == out.resolve():
        raise ProjectError("--salvage needs another file than the damaged one")
    try:
        src = _open_readonly(source)
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{source} cannot be read as SQLite at all ({exc}); nothing to salvage") from exc
    report = SalvageReport()
    dst = sqlite3.connect(str(out), isolation_level=None)
    try:
        dst.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # as a new project (before anything is written)
        dst.execute("PRAGMA foreign_keys = ON")
        db = migration_database(dst)
        dst.execute("BEGIN")
        for migration in MIGRATIONS:
            migration(db)
        dst.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        # tables of later migrations than this list knows come after (parents first where known)
        every = [r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
        later = [t for t in every if t not in SALVAGE_TABLES and t not in DERIVED_TABLES
                 and not t.startswith(("documents_fts", "sqlite_"))]
        for table in (*SALVAGE_TABLES, *later):
            _copy_table(src, dst, table, report)
        binary_hashes(dst)  # the rows of a file older than migration 16 came with hex hashes
        # a salvaged review may have lost rows its sources' next merge should bring back: without
        # the record of how far each was merged (store/merging.py), that merge compares everything
        dst.execute("DELETE FROM settings WHERE key LIKE 'merge_seen:%'")
        dst.execute("COMMIT")
    except BaseException:
        dst.close()
        out.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    dst.close()
    return report


def _copy_table(src: sqlite3.Connection, dst: sqlite3.Connection, table: str, report: SalvageReport) -> None:
    try:
        columns = [r[1] for r in dst.execute(f"PRAGMA table_info({table})")]
        have = {r[1] for r in src.execute(f"PRAGMA table_info({table})")}
        rowids = [r[0] for r in src.execute(f"SELECT rowid FROM {table} NOT INDEXED")]
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        report.lost[table] = report.lost.get(table, 0) + 1
        return
    cols = [c for c in columns if c in have]
    quoted = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    for rowid in rowids:
        try:
            row = src.execute(f"SELECT {quoted} FROM {table} NOT INDEXED WHERE rowid = ?", (rowid,)).fetchone()
            if row is None:
                raise sqlite3.DatabaseError("row vanished")
            if table == "settings" and _damaged_schema_row(dict(zip(cols, row, strict=True))):
                raise sqlite3.DatabaseError("damaged label schema")
            dst.execute(f"INSERT OR IGNORE INTO {table} ({quoted}) VALUES ({marks})", row)
            report.copied[table] = report.copied.get(table, 0) + 1
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            report.lost[table] = report.lost.get(table, 0) + 1


def _damaged_schema_row(row: dict) -> bool:
    """A settings row holding a label schema that no longer parses (a copy of it could not be opened)."""
    if row.get("key") != "schema" or row.get("value") is None:
        return False
    try:
        stored_schema(str(row["value"]), "schema")
    except ValueError:
        return True
    return False
