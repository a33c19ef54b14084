"""A team on a PostgreSQL server: annotators are database roles, and what each may read and
write is enforced by the server (grants and row-level security), not only by the application.

Two group roles per database, ``<db>_annotators`` and ``<db>_reviewers``; ``annotator team
URL --add alice`` creates the login role ``alice`` (when new) and makes it a member of one of
them.  Each annotator connects as their own role, so ``current_user`` is the annotator name
the policies compare with.  The policies (installed again, idempotently, by every ``team``
command, so tables added by later migrations are covered):

* rows with an ``annotator`` column (spans, answers, status, decisions, events, assignments,
  merge owners, and any later table with that column): an annotator reads their own rows,
  and in blind mode nobody else's (the project setting ``blind``, on by default; off, they
  read everyone's); they write only their own.  Reviewers read and write all of them.
  Events are append-only for annotators (no UPDATE or DELETE granted).
* ``annotators``: in blind mode an annotator sees only their own name (and ``gold``'s, never
  its work); they may register only themselves, as an annotator.
* ``kb_links``: a knowledge-base link goes with its span (readable where the span is).
* ``suggestions`` and ``suggestion_runs``: shared, except an annotator's project-memory
  view (``memory:<name>``), which is theirs like a span.
* ``documents``: an annotator with assignments sees only the documents assigned to them
  (none assigned: all); anyone may add documents; annotators may change only a document's
  ``language`` (a column grant), never its text.  ``settings`` are written by reviewers.
* other tables (shared data such as trained models): read and written by the team.

The project's owner (the role that created it, or a superuser) bypasses the policies and
runs migrations; a role needs ``CREATEROLE`` (or superuser) to manage the team.
"""

from __future__ import annotations

import re

from annotator.core.errors import ProjectError
from annotator.store.base import StoreBase

ROLES = ("annotator", "reviewer")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: Tables whose rows belong to one annotator through another column than ``annotator``.
_OWN_COLUMN = {"annotators": "name"}
#: Tables annotators read but never write.
_READ_ONLY = {"settings", "schema_version", "assignments", "merge_owners", "event_sources"}
#: Tables annotators may add to but never change (append-only for them).
_APPEND_ONLY = {"events", "documents"}
#: Columns of those an annotator may still change: a document's language (it picks the
#: suggesters' lexicon and rules; the change is logged like any other).
_COLUMN_UPDATES = {"documents": ("language",)}


def _ident(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(
            f"{name!r} cannot be a team member's name on a server: use lower-case letters, digits and _ "
            "(it is their database role)")
    return f'"{name}"'


class TeamMixin(StoreBase):
    """``annotator team``: roles, grants and row-level security (server projects only)."""

    def _require_server(self) -> None:
        if self._dialect.name != "postgresql":
            raise ProjectError(f"{self.path} is a file: a team needs a server project (postgresql://USER@HOST/DB); "
                               "copy it there with 'annotator push'")

    def _groups(self) -> dict[str, str]:
        db = str(self._conn.execute("SELECT current_database()").fetchone()[0])
        safe = re.sub(r"[^a-z0-9_]", "_", db.lower())[:40]
        return {"annotator": f"{safe}_annotators", "reviewer": f"{safe}_reviewers"}

    def team_exists(self) -> bool:
        """Whether ``annotator team`` has set this server project up (its group roles exist)."""
        if self._dialect.name != "postgresql":
            return False
        return bool(self._conn.execute("SELECT count(*) FROM pg_roles WHERE rolname IN (?, ?)",
                                       tuple(self._groups().values())).fetchone()[0])

    def team_members(self) -> list[tuple[str, str]]:
        """``(name, role)`` of every role in the team, sorted by name."""
        self._require_server()
        groups = self._groups()
        rows = self._conn.execute(
            "SELECT m.rolname, g.rolname FROM pg_auth_members x JOIN pg_roles g ON g.oid = x.roleid"
            " JOIN pg_roles m ON m.oid = x.member WHERE g.rolname IN (?, ?) ORDER BY m.rolname",
            (groups["annotator"], groups["reviewer"])).fetchall()
        role_of = {v: k for k, v in groups.items()}
        return [(str(name), role_of[str(group)]) for name, group in rows]

    def team_add(self, name: str, role: str = "annotator", password: str | None = None) -> bool:
        """Give ``name`` a login role (created when new) in the team as ``role``; returns
        True when the role was created.  Installs the policies first (idempotent)."""
        self._require_server()
        if role not in ROLES:
            raise ValueError(f"role must be annotator or reviewer, not {role!r}")
        ident = _ident(name)
        self.team_setup()
        groups = self._groups()
        with self.transaction():
            exists = self._conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (name,)).fetchone()
            if not exists:
                self._conn.execute(f"CREATE ROLE {ident} LOGIN")
            if password is not None:
                # A password literal cannot be a bind parameter in CREATE/ALTER ROLE: quote it.
                quoted = "'" + password.replace("'", "''") + "'"
                self._conn.raw.execute(f"ALTER ROLE {ident} PASSWORD {quoted}")
            other = groups["reviewer" if role == "annotator" else "annotator"]
            self._conn.execute(f'REVOKE "{other}" FROM {ident}')
            self._conn.execute(f'GRANT "{groups[role]}" TO {ident}')
            if self.annotator_role(name) is None:  # type: ignore[attr-defined]
                self.add_annotator(name, role)  # type: ignore[attr-defined]
            else:
                self.set_annotator_role(name, role)  # type: ignore[attr-defined]
            self._log("team_add", name, None, role=role, created=not exists)
        return not exists

    def team_remove(self, name: str) -> None:
        """Take ``name`` out of the team: no more access to this project (their work stays;
        the login role itself is kept, it may serve other databases)."""
        self._require_server()
        ident = _ident(name)
        groups = self._groups()
        if name not in {n for n, _ in self.team_members()}:
            raise ProjectError(f"{name!r} is not in the team of {self.path}")
        with self.transaction():
            for group in groups.values():
                self._conn.execute(f'REVOKE "{group}" FROM {ident}')
            self._log("team_remove", name, None)

    def team_setup(self) -> None:
        """Create the group roles, grants and row-level security policies (idempotent)."""
        self._require_server()
        groups = self._groups()
        ann, rev = groups["annotator"], groups["reviewer"]
        with self.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(1404202602)")
            for group in (ann, rev):
                if not self._conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (group,)).fetchone():
                    self._conn.execute(f'CREATE ROLE "{group}" NOLOGIN')
            db = str(self._conn.execute("SELECT current_database()").fetchone()[0]).replace('"', '""')
            schema = str(self._conn.execute("SELECT current_schema()").fetchone()[0]).replace('"', '""')
            self._conn.executescript(_FUNCTIONS.replace("@REV@", rev.replace("'", "''")))
            self._conn.executescript(
                f'REVOKE ALL ON DATABASE "{db}" FROM PUBLIC;'
                f'GRANT CONNECT ON DATABASE "{db}" TO "{ann}", "{rev}";'
                f'GRANT USAGE ON SCHEMA "{schema}" TO "{ann}", "{rev}";'
                f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{ann}", "{rev}";'
            )
            for table, columns in self._tables().items():
                self._conn.executescript(_table_script(table, columns, ann, rev))

    def _tables(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for table, column in self._conn.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t"
            " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
            " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
        ):
            out.setdefault(str(table), set()).add(str(column))
        return out


_FUNCTIONS = """
CREATE OR REPLACE FUNCTION annotator_is_reviewer() RETURNS boolean LANGUAGE sql STABLE AS
  $f$ SELECT pg_has_role(current_user, '@REV@', 'MEMBER') $f$;
CREATE OR REPLACE FUNCTION annotator_blind() RETURNS boolean LANGUAGE sql STABLE AS
  $f$ SELECT coalesce((SELECT lower(trim(value)) FROM settings WHERE key = 'blind'), '1')
             NOT IN ('0', 'false', 'off', 'no') $f$;
-- May the current role read rows of annotator ``who``?
CREATE OR REPLACE FUNCTION annotator_sees(who text) RETURNS boolean LANGUAGE sql STABLE AS
  $f$ SELECT who = current_user OR annotator_is_reviewer() OR NOT annotator_blind() $f$;
-- May the current role write rows of annotator ``who``?
CREATE OR REPLACE FUNCTION annotator_owns(who text) RETURNS boolean LANGUAGE sql STABLE AS
  $f$ SELECT who = current_user OR annotator_is_reviewer() $f$;
"""


def _policy(table: str, name: str, command: str, using: str | None, check: str | None) -> str:
    parts = [f'DROP POLICY IF EXISTS {name} ON "{table}";', f'CREATE POLICY {name} ON "{table}" FOR {command}']
    if using:
        parts.append(f"USING ({using})")
    if check:
        parts.append(f"WITH CHECK ({check})")
    return " ".join(parts) + ";"


def _table_script(table: str, columns: set[str], ann: str, rev: str) -> str:
    """Grants and policies for one table (see the module docstring)."""
    t = f'"{table}"'
    out = [f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;", f'GRANT ALL ON {t} TO "{rev}";',
           f'REVOKE ALL ON {t} FROM "{ann}";']
    own = _OWN_COLUMN.get(table, "annotator" if "annotator" in columns else None)
    if table in _READ_ONLY:
        out.append(f'GRANT SELECT ON {t} TO "{ann}";')
    elif table in _APPEND_ONLY:
        out.append(f'GRANT SELECT, INSERT ON {t} TO "{ann}";')
        if table in _COLUMN_UPDATES:
            cols = ", ".join(f'"{c}"' for c in _COLUMN_UPDATES[table])
            out.append(f'GRANT UPDATE ({cols}) ON {t} TO "{ann}";')
    else:
        out.append(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO "{ann}";')
    if table == "documents":
        read = ("annotator_is_reviewer() OR NOT EXISTS (SELECT 1 FROM assignments a WHERE a.annotator = current_user)"
                " OR EXISTS (SELECT 1 FROM assignments a WHERE a.document_id = documents.id"
                " AND a.annotator = current_user)")
        write = "true"
    elif table == "annotators":
        read = "name = 'gold' OR annotator_sees(name)"
        write = "annotator_is_reviewer() OR (name = current_user AND role = 'annotator')"
    elif table in ("suggestions", "suggestion_runs"):
        who = "CASE WHEN suggester LIKE 'memory:%' THEN substr(suggester, 8) ELSE current_user END"
        read, write = f"annotator_sees({who})", f"annotator_owns({who})"
    elif table == "kb_links":
        # a link belongs to its span: visible and writable where the span is (the spans policy applies)
        read = write = "EXISTS (SELECT 1 FROM spans s WHERE s.uid = kb_links.span_uid)"
    elif table == "events":
        read = "annotator IS NULL OR annotator_sees(annotator)"
        write = "annotator IS NULL OR annotator_owns(annotator)"
    elif own:
        read, write = f"annotator_sees({own})", f"annotator_owns({own})"
    elif table == "settings":
        read, write = "true", "annotator_is_reviewer()"
    else:
        read, write = "true", "true"
    out += [
        _policy(table, "team_read", "SELECT", read, None),
        _policy(table, "team_insert", "INSERT", None, write),
        _policy(table, "team_update", "UPDATE", write, write),
        _policy(table, "team_delete", "DELETE", write, None),
    ]
    return "\n".join(out)
