"""Numbered schema migrations, one list for both backends.

The number of the last one applied is ``PRAGMA user_version`` in a file and the
``schema_version`` table on a server; each runs in its own transaction, so a
crash leaves the project at a whole version.  A migration receives a
:class:`MigrationDatabase`: ``db.executescript(...)`` takes the SQLite spelling
of ``CREATE`` statements and runs it on either engine (``store.dialect``); what
really differs is written per engine (``if db.postgres:``).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import sys
from typing import TYPE_CHECKING, Any, Callable

from annotator.store.dialect import SQLITE, Dialect, ddl_to_postgres

if TYPE_CHECKING:
    import sqlite_utils

Migration = Callable[["MigrationDatabase"], None]

#: Page size of a new project file: an article of 300-700 bytes wastes on average half a
#: row per page, 9% of the file at SQLite's default 4,096 and 2% at this (issue 12: a file
#: at most twice its text).  SQLite fixes it when the file is first written.
PAGE_SIZE = 16384


class MigrationDatabase:
    """What a migration gets: ``executescript`` and ``execute`` on the connection, and
    anything else of sqlite-utils' ``Database`` (``db["t"].enable_fts``...) on demand.

    sqlite-utils costs 0.3 s of start-up (pluggy, numpy, and pandas when installed) for
    every ``annotator import`` into a new project; the migrations need none of it, so it
    is imported only when a migration reaches past these two methods.
    """

    def __init__(self, conn: Any, dialect: Dialect = SQLITE) -> None:
        self.conn = conn
        self.dialect = dialect
        self._full: sqlite_utils.Database | None = None

    @property
    def postgres(self) -> bool:
        """True on a PostgreSQL server (then sqlite-utils' helpers are not available)."""
        return self.dialect.name == "postgresql"

    def executescript(self, sql: str) -> None:
        """Run several statements (inside the migration's transaction: no implicit COMMIT
        happens because the connection is in autocommit mode with an explicit BEGIN).
        On a server the SQLite spelling of the DDL is rewritten (``ddl_to_postgres``)."""
        if self.postgres:
            self.conn.executescript(ddl_to_postgres(sql))
            return
        for statement in _statements(sql):
            self.conn.execute(statement)

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        """One statement."""
        return self.conn.execute(sql, parameters)

    def __getattr__(self, name: str) -> Any:
        if self.postgres:
            raise AttributeError(f"{name}: sqlite-utils helpers exist only for project files; write the DDL out")
        if self._full is None:
            self._full = _sqlite_utils_database(self.conn)
        return getattr(self._full, name)

    def __getitem__(self, name: str) -> Any:
        if self.postgres:
            raise TypeError("sqlite-utils table helpers exist only for project files; write the DDL out")
        if self._full is None:
            self._full = _sqlite_utils_database(self.conn)
        return self._full[name]


def _statements(sql: str) -> list[str]:
    """Split a script into complete statements (``sqlite3.complete_statement`` knows
    about strings, comments and ``CREATE TRIGGER ... BEGIN ... END``)."""
    out: list[str] = []
    current = ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                out.append(current.strip())
            current = ""
    if current.strip() and not all(
            not ln.strip() or ln.strip().startswith("--") for ln in current.splitlines()):
        raise ValueError(f"incomplete SQL statement in a migration: {current.strip()[:80]!r}")
    return out


def migration_database(conn: Any, dialect: Dialect = SQLITE) -> MigrationDatabase:
    """The handle migrations are given (see :class:`MigrationDatabase`)."""
    return MigrationDatabase(conn, dialect)


def _sqlite_utils_database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils' ``Database`` on ``conn``, imported without pandas.

    sqlite-utils imports pandas when it is installed (0.7 s of start-up on a 2-core
    machine) only to map pandas' Timestamp to a column type, which no migration
    uses: pandas is hidden during that import (unless something loaded it already).
    """
    hide = "pandas" not in sys.modules and "sqlite_utils" not in sys.modules
    if hide:
        sys.modules["pandas"] = None  # type: ignore[assignment] - makes "import pandas" raise ImportError
    try:
        import sqlite_utils
    finally:
        if hide and sys.modules.get("pandas", 0) is None:
            del sys.modules["pandas"]
    return sqlite_utils.Database(conn)


#: sqlite-utils' ``enable_fts`` output for the documents table, character for character.
_FTS_SQL = (
    'CREATE VIRTUAL TABLE "documents_fts" USING FTS5 (\n    "title", "text",\n'
    "    tokenize='unicode61 remove_diacritics 2',\n    content=\"documents\"\n)",
    'CREATE TRIGGER "documents_ai" AFTER INSERT ON "documents" BEGIN\n'
    '  INSERT INTO "documents_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");\nEND',
    'CREATE TRIGGER "documents_ad" AFTER DELETE ON "documents" BEGIN\n'
    '  INSERT INTO "documents_fts" ("documents_fts", rowid, "title", "text") VALUES(\'delete\', old.rowid,'
    ' old."title", old."text");\nEND',
    'CREATE TRIGGER "documents_au" AFTER UPDATE ON "documents" BEGIN\n'
    '  INSERT INTO "documents_fts" ("documents_fts", rowid, "title", "text") VALUES(\'delete\', old.rowid,'
    ' old."title", old."text");\n'
    '  INSERT INTO "documents_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");\nEND',
)


def _m1_initial(db: MigrationDatabase) -> None:
    db.executescript(
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT 'id',
            meta TEXT NOT NULL DEFAULT '{}',
            content_hash TEXT NOT NULL UNIQUE,
            original_text TEXT,
            removed_lines TEXT NOT NULL DEFAULT '[]',
            created TEXT NOT NULL
        );
        CREATE TABLE annotators (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL DEFAULT 'annotator',
            created TEXT NOT NULL
        );
        CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            layer TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'human',
            score REAL,
            note TEXT,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX spans_doc ON spans(document_id, annotator, layer);
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            layer TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            origin TEXT NOT NULL,
            score REAL,
            suggester TEXT NOT NULL,
            version TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX suggestions_doc ON suggestions(document_id, layer);
        -- What each suggester last ran on (text hash + version): redo only what changed.
        CREATE TABLE suggestion_runs (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            suggester TEXT NOT NULL,
            version TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            created TEXT NOT NULL,
            PRIMARY KEY (document_id, suggester)
        );
        -- An annotator's verdict on a suggestion (accepted ones also become spans).
        CREATE TABLE suggestion_decisions (
            suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
            span_id INTEGER,
            created TEXT NOT NULL,
            PRIMARY KEY (suggestion_id, annotator)
        );
        CREATE TABLE doc_labels (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            question TEXT NOT NULL,
            value TEXT NOT NULL,
            target TEXT,
            updated TEXT NOT NULL,
            PRIMARY KEY (document_id, annotator, question)
        );
        CREATE TABLE document_status (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            state TEXT NOT NULL CHECK (state IN ('todo', 'in_progress', 'done', 'skipped')),
            seconds REAL NOT NULL DEFAULT 0,
            updated TEXT NOT NULL,
            PRIMARY KEY (document_id, annotator)
        );
        CREATE INDEX status_annotator ON document_status(annotator, state);
        -- Append-only log of every change: audit trail, merge input, time per document.
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            ts TEXT NOT NULL,
            annotator TEXT,
            document_id INTEGER,
            action TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX events_doc ON events(document_id, annotator);
        """
    )
    # FTS5 over title and text, kept in step by triggers: the very statements sqlite-utils'
    # enable_fts(["title", "text"], fts_version="FTS5", create_triggers=True,
    # tokenize="unicode61 remove_diacritics 2") wrote when this migration used it.
    if db.postgres:
        # PostgreSQL's own text search: a generated tsvector ('simple': no stemming, as unicode61).
        db.executescript(
            """
            ALTER TABLE documents ADD COLUMN fts tsvector
                GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || text)) STORED;
            CREATE INDEX documents_fts ON documents USING gin (fts);
            """
        )
        return
    for statement in _FTS_SQL:
        db.execute(statement)


def _m2_review(db: MigrationDatabase) -> None:
    """Review (docs/review.md): who is assigned which document, and which source file
    owns each annotator's work on a document in a merged review project."""
    db.executescript(
        """
        CREATE TABLE assignments (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            created TEXT NOT NULL,
            PRIMARY KEY (document_id, annotator)
        );
        CREATE INDEX assignments_annotator ON assignments(annotator);
        -- merge: (document, annotator) work came from this source project (its project_uid);
        -- a re-run syncs from the owner, another file with different work is a conflict.
        CREATE TABLE merge_owners (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            source_uid TEXT NOT NULL,
            source_path TEXT NOT NULL,
            merged TEXT NOT NULL,
            PRIMARY KEY (document_id, annotator)
        );
        """
    )


def _m3_learning(db: MigrationDatabase) -> None:
    """Learning suggestions: every training run of a model in the tool
    (``annotator train``), so the newest can suggest and a team sees its history."""
    db.executescript(
        """
        CREATE TABLE model_runs (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,
            path TEXT NOT NULL,
            source TEXT NOT NULL,          -- the annotator whose spans taught it ('gold' for --gold)
            documents INTEGER NOT NULL,    -- training documents
            eval_documents INTEGER NOT NULL,
            layers TEXT NOT NULL,          -- JSON list: entities, cues, stance
            scores TEXT NOT NULL,          -- JSON: f1/precision/recall and per label on the held-back part
            settings TEXT NOT NULL,        -- JSON: epochs, seed, config choices
            seconds REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'complete'   -- complete | cancelled (best model kept)
        );
        """
    )


def _m4_knowledge_base(db: MigrationDatabase) -> None:
    """The project knowledge base (docs/kb.md): entries, and links of entity spans to
    them keyed by the span's uid (a link follows its span through merges); a link has
    the origin and score of whoever proposed it and a status."""
    db.executescript(
        """
        CREATE TABLE kb_entries (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            label TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '[]',
            description TEXT NOT NULL DEFAULT '',
            external_ids TEXT NOT NULL DEFAULT '{}',
            origin TEXT NOT NULL DEFAULT 'user'
        );
        CREATE TABLE kb_links (
            span_uid TEXT PRIMARY KEY REFERENCES spans(uid) ON DELETE CASCADE,
            entry_id TEXT NOT NULL REFERENCES kb_entries(id) ON DELETE CASCADE ON UPDATE CASCADE,
            origin TEXT NOT NULL,
            score REAL,
            status TEXT NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected'))
        );
        CREATE INDEX kb_links_entry ON kb_links(entry_id);
        """
    )


def _m5_relations(db: MigrationDatabase) -> None:
    """Relations between two spans (store/relations.py): human ones by span uid (moving a span
    keeps them; deleting it deletes them), suggested ones by offsets with each annotator's decision."""
    db.executescript(
        """
        CREATE TABLE relations (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            label TEXT NOT NULL,
            head_uid TEXT NOT NULL REFERENCES spans(uid) ON DELETE CASCADE,
            child_uid TEXT NOT NULL REFERENCES spans(uid) ON DELETE CASCADE,
            origin TEXT NOT NULL DEFAULT 'human',
            score REAL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            CHECK (head_uid <> child_uid)
        );
        CREATE INDEX relations_doc ON relations(document_id, annotator);
        CREATE INDEX relations_head ON relations(head_uid);
        CREATE INDEX relations_child ON relations(child_uid);
        CREATE TABLE relation_suggestions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            head_layer TEXT NOT NULL,
            head_start INTEGER NOT NULL,
            head_end INTEGER NOT NULL,
            head_label TEXT NOT NULL,
            child_layer TEXT NOT NULL,
            child_start INTEGER NOT NULL,
            child_end INTEGER NOT NULL,
            child_label TEXT NOT NULL,
            origin TEXT NOT NULL,
            score REAL,
            suggester TEXT NOT NULL,
            version TEXT NOT NULL
        );
        CREATE INDEX relation_suggestions_doc ON relation_suggestions(document_id);
        CREATE TABLE relation_decisions (
            suggestion_id INTEGER NOT NULL REFERENCES relation_suggestions(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
            relation_uid TEXT,
            created TEXT NOT NULL,
            PRIMARY KEY (suggestion_id, annotator)
        );
        """
    )


def _m6_filter_indexes(db: MigrationDatabase) -> None:
    """Indexes the document list's filters page through in document order (issue 12): the
    outlet filter reads a small index instead of million-row article records, and the
    status filter walks one annotator's documents of one state by id (this index has the
    old ``status_annotator``'s columns first, so that one goes)."""
    db.executescript(
        """
        CREATE INDEX source_documents ON documents(source, id);
        CREATE INDEX status_state ON document_status(annotator, state, document_id);
        DROP INDEX IF EXISTS status_annotator;
        """
    )


def _m7_fts_without_positions(db: MigrationDatabase) -> None:
    """The full-text index without word positions (``detail=column``), rebuilt from the
    documents (issue 12: a project file at most twice its text; positions were 45% of the
    index, a quarter of the file beside the text).  Searches never needed them: the store
    looks for each word of the query on its own (``fts_query``), not for phrases.  Still
    external content (the text is stored once, in ``documents``), kept in step by the same
    triggers; a rebuild of a million short articles takes about a minute, once.  A server
    keeps its tsvector column (no positions question there)."""
    if db.postgres:
        return
    for name in ("documents_ai", "documents_ad", "documents_au"):
        db.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    db.execute('DROP TABLE IF EXISTS "documents_fts"')
    db.execute(_FTS_SQL[0].replace('content="documents"\n)', 'content="documents",\n    detail=column\n)'))
    db.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
    for statement in _FTS_SQL[1:]:
        db.execute(statement)


def _m8_answer_suggestions(db: MigrationDatabase) -> None:
    """A suggester's answer to a document question (a trained text classifier's stance), kept
    apart from annotators' answers as suggestions are from spans: shown as a pre-selection the
    annotator confirms, never an answer until then.  One row per (document, question, suggester),
    replaced by each run; ``scores`` holds every value's probability (JSON), ``origin`` the model
    (``model:NAME@VERSION``)."""
    db.executescript(
        """
        CREATE TABLE answer_suggestions (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            question TEXT NOT NULL,
            value TEXT NOT NULL,
            score REAL NOT NULL,
            scores TEXT NOT NULL DEFAULT '{}',
            origin TEXT NOT NULL,
            suggester TEXT NOT NULL,
            version TEXT NOT NULL,
            created TEXT NOT NULL,
            PRIMARY KEY (document_id, question, suggester)
        );
        """
    )


#: The server's text search configuration that folds accents (migration 9).
FOLD_CONFIG = "annotator_fold"


def _m9_server_search_folds_accents(db: MigrationDatabase) -> None:
    """Search on a server folds accents as a project file's index does (FTS5's
    ``remove_diacritics 2``: "Bogota" finds "Bogotá" and the other way round): the text
    search configuration ``annotator_fold`` is 'simple' with PostgreSQL's ``unaccent``
    dictionary in front, and the generated ``fts`` column is rebuilt with it (one rewrite of
    the documents table).  ``unaccent`` ships with PostgreSQL (contrib) and is a trusted
    extension, so the database's owner may create it; where it is missing (or the role may
    not create it) the column stays 'simple' and searches do not fold accents
    (``Project.open`` picks the configuration that is there; docs/team.md).  Files: nothing."""
    if not db.postgres:
        return
    row = db.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') OR EXISTS (SELECT 1"
        " FROM pg_available_extension_versions v WHERE v.name = 'unaccent' AND (v.trusted OR (SELECT rolsuper"
        " FROM pg_roles WHERE rolname = current_user)) AND has_database_privilege(current_database(), 'CREATE'))"
    ).fetchone()
    if not (row and row[0]):
        return
    db.executescript(
        f"""
        CREATE EXTENSION IF NOT EXISTS unaccent;
        CREATE TEXT SEARCH CONFIGURATION {FOLD_CONFIG} (COPY = simple);
        ALTER TEXT SEARCH CONFIGURATION {FOLD_CONFIG} ALTER MAPPING FOR asciiword, asciihword, hword_asciipart,
            word, hword, hword_part WITH unaccent, simple;
        DROP INDEX documents_fts;
        ALTER TABLE documents DROP COLUMN fts;
        ALTER TABLE documents ADD COLUMN fts tsvector
            GENERATED ALWAYS AS (to_tsvector('{FOLD_CONFIG}', title || ' ' || text)) STORED;
        CREATE INDEX documents_fts ON documents USING gin (fts);
        """
    )


def _m10_change_notices(db: MigrationDatabase) -> None:
    """Change notices on a server (issue 14, "Live"): triggers on every table of annotation
    work send ``NOTIFY annotator_changes`` with the document and the kind of change when the
    transaction commits, whichever client wrote (the store, ``psql``, a script), so open
    windows refresh without reopening.  A project file has no listeners: nothing to do."""
    if db.postgres:
        from annotator.store.live import install_notify_triggers

        install_notify_triggers(db.conn)


def _m11_model_uncertainty(db: MigrationDatabase) -> None:
    """How unsure a suggesting model itself was on a document, per layer: the mean binary
    entropy of its own probabilities (a trained NER's beam over its entity candidates) and how
    many it averages.  Written by ``annotator suggest`` with a model, replaced by each run of that
    suggester on the document; ``queue --order uncertain`` uses it with the suggestions' scores
    (docs/nlp.md, "Active ordering")."""
    db.executescript(
        """
        CREATE TABLE model_uncertainty (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            suggester TEXT NOT NULL,
            layer TEXT NOT NULL,
            entropy REAL NOT NULL,
            candidates INTEGER NOT NULL,
            origin TEXT NOT NULL,
            PRIMARY KEY (document_id, suggester, layer)
        );
        """
    )


def _m12_notices_check_many_first(db: MigrationDatabase) -> None:
    """The change-notice function of migration 10 again, reordered (``annotator.store.live``):
    in the store's own transactions a row whose notices have already become "many" returns
    before the blind setting is read (a bulk import read it once per row).  The notices are the
    same.  Files: nothing."""
    if db.postgres:
        from annotator.store.live import install_notify_triggers

        install_notify_triggers(db.conn)


def _m13_status_sources(db: MigrationDatabase) -> None:
    """Each stored state with its document's outlet, indexed by (annotator, state, outlet, id),
    so the document list's status-and-outlet filter reads its matches in document order from one
    index range (issue 12: an outlet and a status that no article has together scanned a whole
    side, half a second on a million articles; now none are found at once).  Derived data, kept
    in step by triggers on ``document_status`` (insert, replace, update, delete; a document's
    delete cascades) and on a document's ``source``; filled from the tables once here.  A server
    filters with its own planner: nothing to do there."""
    if db.postgres:
        return
    db.executescript(
        """
        CREATE TABLE status_sources (
            annotator TEXT NOT NULL,
            document_id INTEGER NOT NULL,
            state TEXT NOT NULL,
            source TEXT NOT NULL,
            PRIMARY KEY (annotator, document_id)
        ) WITHOUT ROWID;
        INSERT INTO status_sources(annotator, document_id, state, source)
            SELECT st.annotator, st.document_id, st.state, d.source
            FROM document_status st JOIN documents d ON d.id = st.document_id;
        CREATE INDEX status_sources_filter ON status_sources(annotator, state, source, document_id);
        CREATE TRIGGER status_sources_ai AFTER INSERT ON document_status BEGIN
            INSERT OR REPLACE INTO status_sources(annotator, document_id, state, source)
                SELECT new.annotator, new.document_id, new.state, source FROM documents WHERE id = new.document_id;
        END;
        CREATE TRIGGER status_sources_au AFTER UPDATE OF document_id, annotator, state ON document_status BEGIN
            DELETE FROM status_sources WHERE annotator = old.annotator AND document_id = old.document_id;
            INSERT OR REPLACE INTO status_sources(annotator, document_id, state, source)
                SELECT new.annotator, new.document_id, new.state, source FROM documents WHERE id = new.document_id;
        END;
        CREATE TRIGGER status_sources_ad AFTER DELETE ON document_status BEGIN
            DELETE FROM status_sources WHERE annotator = old.annotator AND document_id = old.document_id;
        END;
        CREATE TRIGGER status_sources_source AFTER UPDATE OF source ON documents BEGIN
            UPDATE status_sources SET source = new.source
                WHERE annotator IN (SELECT annotator FROM document_status WHERE document_id = new.id)
                AND document_id = new.id;
        END;
        """
    )


#: The documents' full-text index since migration 14: title, text and the outlet, no positions.
_FTS14_SQL = (
    'CREATE VIRTUAL TABLE "documents_fts" USING FTS5 (\n    "title", "text", "source",\n'
    "    tokenize='unicode61 remove_diacritics 2',\n    content=\"documents\",\n    detail=column\n)",
    'CREATE TRIGGER "documents_ai" AFTER INSERT ON "documents" BEGIN\n'
    '  INSERT INTO "documents_fts" (rowid, "title", "text", "source")'
    ' VALUES (new.rowid, new."title", new."text", new."source");\nEND',
    'CREATE TRIGGER "documents_ad" AFTER DELETE ON "documents" BEGIN\n'
    '  INSERT INTO "documents_fts" ("documents_fts", rowid, "title", "text", "source") VALUES(\'delete\', old.rowid,'
    ' old."title", old."text", old."source");\nEND',
    'CREATE TRIGGER "documents_au" AFTER UPDATE ON "documents" BEGIN\n'
    '  INSERT INTO "documents_fts" ("documents_fts", rowid, "title", "text", "source") VALUES(\'delete\', old.rowid,'
    ' old."title", old."text", old."source");\n'
    '  INSERT INTO "documents_fts" (rowid, "title", "text", "source")'
    ' VALUES (new.rowid, new."title", new."text", new."source");\nEND',
)


def _m14_fts_outlet(db: MigrationDatabase) -> None:
    """The outlet becomes a third column of the full-text index, so a search with an outlet
    filter is one FTS5 query whose two word lists the index intersects itself (issue 12: a
    word in every Indonesian article with an English-only outlet read the smaller side
    whole, 253 ms on a million articles).  A user's search names its columns (``fts_query``:
    ``{title text} : ...``), so an outlet's name is never found by a plain search.  Rebuilt
    from the documents once (external content, still no positions).  A server filters the
    outlet with its own planner: nothing to do there."""
    if db.postgres:
        return
    for name in ("documents_ai", "documents_ad", "documents_au"):
        db.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    db.execute('DROP TABLE IF EXISTS "documents_fts"')
    db.execute(_FTS14_SQL[0])
    db.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
    for statement in _FTS14_SQL[1:]:
        db.execute(statement)


def _m15_event_provenance(db: MigrationDatabase) -> None:
    """Which file a merged event came from, as a column of its own (``events.merged_from``, the
    source's ``project_uid``) instead of a key appended to the copied payload text: a merge then
    copies each event row as it is (issue 12: appending the key to every payload, after testing
    that it could be appended, was 40% of a first merge).  Readers give the payload as before,
    the key added (``store.base.payload_with_source``); rows merged before keep the key in their
    text and NULL here.  A server never merges: the column stays NULL there."""
    if db.postgres:
        db.execute("ALTER TABLE events ADD COLUMN IF NOT EXISTS merged_from TEXT")
    elif not any(row[1] == "merged_from" for row in db.execute("PRAGMA table_info(events)")):
        # (a file set back to an older version by hand, as the upgrade tests do, has it already)
        db.execute("ALTER TABLE events ADD COLUMN merged_from TEXT")


_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def _stored_hash(value: object, text: object) -> bytes | None:
    """What migration 16 stores for a content hash ``value`` (64 hex digits -> their 32 bytes),
    already bytes as they are; anything else (a hand-made or damaged row) becomes the hash of
    ``text``, what it should have been, or None without a text."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str) and _HEX64.fullmatch(value):
        return bytes.fromhex(value)
    if isinstance(text, str):
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return None


def binary_hashes(conn: sqlite3.Connection) -> None:
    """Migration 16 in a project file: every content hash still stored as hex text becomes its
    32 bytes (also run by a salvage, which copies rows of older files as they are)."""
    conn.create_function("annotator_stored_hash", 2, _stored_hash, deterministic=True)
    # the full-text index's update trigger fires on any column: the text does not change, so
    # it is set aside while the hashes are rewritten (1,000,000 rows re-indexed otherwise)
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'documents_au'").fetchone()
    if trigger is not None:
        conn.execute('DROP TRIGGER "documents_au"')
    conn.execute("UPDATE documents SET content_hash = annotator_stored_hash(content_hash, text)"
                 " WHERE typeof(content_hash) <> 'blob'")
    if trigger is not None:
        conn.execute(trigger[0])
    # a run whose hash is not one is forgotten: its suggester redoes that document
    conn.execute("DELETE FROM suggestion_runs WHERE typeof(content_hash) <> 'blob'"
                 " AND annotator_stored_hash(content_hash, NULL) IS NULL")
    conn.execute("UPDATE suggestion_runs SET content_hash = annotator_stored_hash(content_hash, NULL)"
                 " WHERE typeof(content_hash) <> 'blob'")


def _m16_binary_hashes(db: MigrationDatabase) -> None:
    """Content hashes (``documents`` and ``suggestion_runs``) stored as the SHA-256's 32 bytes
    instead of 64 hex digits: a BLOB in a file, ``bytea`` on a server (issue 12: a project file
    at most twice its text; the hex hash and its unique index were 142 MB of a million-article
    file of 1,009 MB for 502 MB of text).  The store converts at its edge (``store.base``:
    ``stored_hash``, ``hash_hex``): callers, exports and event payloads still see hex.  In a
    file the columns keep their declared type TEXT (SQLite stores a BLOB in a TEXT column as
    it is; rebuilding a million-row table only to rename the type would double the file for a
    while); the existing rows are rewritten in place, and their freed pages are reused by what
    is added next (the file shrinks only with a VACUUM).  A hash that is not 64 hex digits (a
    hand-made row) becomes the hash of its text; such a suggestion run is forgotten."""
    if db.postgres:
        db.conn.executescript(
            "DELETE FROM suggestion_runs WHERE content_hash !~ '^[0-9a-fA-F]{64}$';"
            " ALTER TABLE suggestion_runs ALTER COLUMN content_hash TYPE bytea USING decode(content_hash, 'hex');"
            " ALTER TABLE documents ALTER COLUMN content_hash TYPE bytea USING CASE WHEN content_hash"
            " ~ '^[0-9a-fA-F]{64}$' THEN decode(content_hash, 'hex') ELSE sha256(convert_to(text, 'UTF8')) END;"
        )
        return
    before = int(db.conn.execute("PRAGMA main.cache_size").fetchone()[0])
    # the unique index takes its new keys in random order: hold it in memory (as a bulk import does)
    db.conn.execute("PRAGMA main.cache_size = -262144")
    try:
        binary_hashes(db.conn)
    finally:
        db.conn.execute(f"PRAGMA main.cache_size = {before}")


def _m17_event_sources(db: MigrationDatabase) -> None:
    """Which file a merged event came from, per range of event ids (``event_sources``: the
    first and last id a merge of one source added, and that source's ``project_uid``) instead
    of the source's id written into ``events.merged_from`` of every copied row (issue 12: 33
    bytes of each of 7.6 million rows when 100,000 documents x 3 are merged, and a first merge
    into an empty review can then copy the source's log as SQLite stores it, without decoding
    a row).  Events are never deleted, so an id in a range is always one that merge copied.
    ``events.merged_from`` keeps what it holds (rows merged before, and a copied event that its
    source had itself merged from elsewhere); readers take the column first, then the range
    (``store.base.EVENT_SOURCE_SQL``).  A server never merges: the table stays empty there."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS event_sources (
            first_id INTEGER PRIMARY KEY,
            last_id INTEGER NOT NULL,
            source TEXT NOT NULL,
            CHECK (last_id >= first_id)
        );
        """
    )


#: Index i holds migration i+1.  Never edit a released one: append a new one.
MIGRATIONS: tuple[Migration, ...] = (
    _m1_initial, _m2_review, _m3_learning, _m4_knowledge_base, _m5_relations, _m6_filter_indexes,
    _m7_fts_without_positions, _m8_answer_suggestions, _m9_server_search_folds_accents,
    _m10_change_notices, _m11_model_uncertainty, _m12_notices_check_many_first,
    _m13_status_sources, _m14_fts_outlet, _m15_event_provenance, _m16_binary_hashes,
    _m17_event_sources,
)

SCHEMA_VERSION = len(MIGRATIONS)
