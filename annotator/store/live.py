"""Live change notices on a server project (issue 14, "Live"): who hears what, and when.

Every change to a server project is one transaction (``Project.transaction``).  Row triggers
installed by migration 10 (:func:`install_notify_triggers`) turn each changed row of annotation
work into a notice on channel ``annotator_changes`` naming its document and the kind of change;
PostgreSQL delivers notices only for a transaction that commits, to every session of the
database that ``LISTEN``s.  Triggers rather than the store's own ``NOTIFY`` so that a change
made by any client (``psql``, a script) is heard too: such a client's notices go out with its
COMMIT.  The store's own sessions (``SET annotator.defer_notices = on``) keep them with the
transaction instead (a rollback drops them) and send them right after the COMMIT, in a small
transaction of their own (:data:`FLUSH_STATEMENTS`: why).

The payload is JSON: ``{"doc": 12, "kind": "spans", "annotator": "bob"}``.  PostgreSQL has
no permissions on channels (any role of the database may ``LISTEN`` to any channel), so a
payload is written for the least privileged listener: in blind mode (the project setting)
``annotator`` is null, and the payload names only a document id and a kind (``spans``,
``suggestions``, ``decisions``, ``answers``, ``status``, ``relations``, ``documents``,
``assignments``, ``annotators``, ``settings``, ``kb``), never a label, an offset or a text.
What an annotator can learn from it is that someone changed something of that kind in
that document at that moment; the listener re-reads through the store, under row-level
security, what changed.

:class:`ChangeListener` waits on its own connection (one that only listens: the
workspace's connection is busy with edits).  A lost connection is reported as a ``lost``
change and reopened, with growing pauses, on the next :meth:`ChangeListener.wait`; once
back it reports ``reconnected`` (notices sent meanwhile are gone: re-read everything).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from annotator.core.errors import ProjectError

#: The channel the triggers notify.
CHANNEL = "annotator_changes"

#: table -> (document id expression, annotator expression, kind), over the changed row ``c``.
NOTIFY_TABLES: dict[str, tuple[str, str, str]] = {
    "documents": ("c.id", "NULL", "documents"),
    "spans": ("c.document_id", "c.annotator", "spans"),
    "suggestions": ("c.document_id",
                    "CASE WHEN c.suggester LIKE 'memory:%' THEN substr(c.suggester, 8) END", "suggestions"),
    "suggestion_decisions": ("(SELECT s.document_id FROM suggestions s WHERE s.id = c.suggestion_id)",
                             "c.annotator", "decisions"),
    "doc_labels": ("c.document_id", "c.annotator", "answers"),
    "document_status": ("c.document_id", "c.annotator", "status"),
    "assignments": ("c.document_id", "c.annotator", "assignments"),
    "relations": ("c.document_id", "c.annotator", "relations"),
    "relation_suggestions": ("c.document_id", "NULL", "suggestions"),
    "answer_suggestions": ("c.document_id", "NULL", "suggestions"),
    "relation_decisions": ("(SELECT s.document_id FROM relation_suggestions s WHERE s.id = c.suggestion_id)",
                           "c.annotator", "decisions"),
    "kb_links": ("(SELECT s.document_id FROM spans s WHERE s.uid = c.span_uid)", "NULL", "kb"),
    "annotators": ("NULL", "c.name", "annotators"),
    "settings": ("NULL", "NULL", "settings"),
}

_FUNCTION = r"""
CREATE OR REPLACE FUNCTION annotator_notice(doc bigint, kind text, who text) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
  payload text;
  pending text := '';
  deferred boolean := coalesce(current_setting('annotator.defer_notices', true), '') = 'on';
  many CONSTANT text := E'\n' || '@MANY@' || E'\n';
BEGIN
  IF deferred THEN
    -- the store's sessions keep notices with the transaction: once a bulk change has turned
    -- them into "many", every further row is covered, so the cheap test comes first (before
    -- the blind setting is read: a bulk import otherwise read it once per imported row)
    pending := coalesce(current_setting('annotator.pending', true), '');
    IF pending = many THEN
      RETURN;
    END IF;
  END IF;
  IF coalesce((SELECT lower(trim(value)) FROM settings WHERE key = 'blind'), '1') NOT IN ('0', 'false', 'off', 'no') THEN
    who := NULL;  -- blind mode: anyone may LISTEN, so the notice names no annotator
  END IF;
  payload := json_build_object('doc', doc, 'kind', kind, 'annotator', who)::text;
  IF NOT deferred THEN
    -- any other client: sent at COMMIT (PostgreSQL folds identical notices of a transaction)
    PERFORM pg_notify('@CHANNEL@', payload);
    RETURN;
  END IF;
  -- the store's sessions: kept with the transaction (rolled back with it), sent after COMMIT
  IF position(E'\n' || payload || E'\n' IN pending) > 0 THEN
    RETURN;
  END IF;
  IF length(pending) > @MAX_PENDING@ THEN
    pending := many;
  ELSE
    pending := CASE WHEN pending = '' THEN E'\n' ELSE pending END || payload || E'\n';
  END IF;
  PERFORM set_config('annotator.pending', pending, false);
END $f$;
CREATE OR REPLACE FUNCTION annotator_flush_notices() RETURNS integer LANGUAGE plpgsql AS $f$
DECLARE
  p text;
  n integer := 0;
BEGIN
  FOR p IN SELECT x FROM regexp_split_to_table(coalesce(current_setting('annotator.pending', true), ''), E'\n') x
           WHERE x <> '' LOOP
    PERFORM pg_notify('@CHANNEL@', p);
    n := n + 1;
  END LOOP;
  PERFORM set_config('annotator.pending', '', false);
  RETURN n;
END $f$;
"""

#: One row trigger function per table, its expressions written in (no dynamic SQL: planned once).
_TABLE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION "annotator_notify_@TABLE@"() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  c record;
BEGIN
  IF TG_OP = 'DELETE' THEN c := OLD; ELSE c := NEW; END IF;
  PERFORM annotator_notice(@DOC@, '@KIND@', @WHO@);
  RETURN NULL;
END $f$;
DROP TRIGGER IF EXISTS notify ON "@TABLE@";
CREATE TRIGGER notify AFTER INSERT OR UPDATE OR DELETE ON "@TABLE@"
  FOR EACH ROW EXECUTE FUNCTION "annotator_notify_@TABLE@"();
"""

#: The notice standing for "many documents changed" (a bulk import): re-read everything.
MANY = '{"doc" : null, "kind" : "many", "annotator" : null}'
#: Characters of pending notices a transaction keeps before it sends :data:`MANY` instead.
MAX_PENDING = 8000

#: What the store sends with each COMMIT of its own: the notices the triggers kept, in a
#: transaction of their own.  ``synchronous_commit`` is off for THIS transaction only: it holds
#: no data, and PostgreSQL keeps no notice across a crash whatever the setting (the queue is
#: emptied at start-up), so waiting for its commit record to reach the disk would buy nothing.
#: It matters because PostgreSQL serialises the commits of notifying transactions (a global
#: lock held until the commit is flushed): notifying inside the edit's own transaction would
#: queue every edit of the team behind one disk flush after another.
FLUSH_STATEMENTS = ("BEGIN", "SET LOCAL synchronous_commit = off", "SELECT annotator_flush_notices()", "COMMIT")


def install_notify_triggers(conn: Any, tables: dict[str, tuple[str, str, str]] | None = None) -> None:
    """Create (or replace) the change-notice triggers on a server project (``conn`` is the store's
    PostgreSQL connection; a later migration adding a table of work calls this with that table)."""
    script = [_FUNCTION.replace("@CHANNEL@", CHANNEL).replace("@MAX_PENDING@", str(MAX_PENDING))
              .replace("@MANY@", MANY)]
    for table, (doc, who, kind) in (tables or NOTIFY_TABLES).items():
        script.append(_TABLE_FUNCTION.replace("@TABLE@", table).replace("@DOC@", doc).replace("@WHO@", who)
                      .replace("@KIND@", kind))
    conn.executescript("\n".join(script))


@dataclass(frozen=True)
class Change:
    """One notice: ``kind`` of change in document ``document_id`` (None: not one document's),
    by ``annotator`` (None in blind mode), sent by the server session ``pid``.

    Two kinds come from the listener itself: ``lost`` (the connection to the server is
    gone; it is being reopened) and ``reconnected`` (back: notices may have been missed)."""

    document_id: int | None
    kind: str
    annotator: str | None = None
    pid: int = 0


def parse_notice(payload: str, pid: int = 0) -> Change:
    """A notice's payload as a :class:`Change` (a payload not written by the triggers, e.g. a
    hand-made ``NOTIFY``, becomes kind ``other`` for the whole project)."""
    try:
        data = json.loads(payload)
        doc = data.get("doc")
        who = data.get("annotator")
        return Change(int(doc) if doc is not None else None, str(data["kind"]),
                      str(who) if who is not None else None, pid)
    except (ValueError, TypeError, KeyError, AttributeError):
        return Change(None, "other", None, pid)


class ChangeListener:
    """Waits for change notices of one server project on a connection of its own.

    Use from one thread (the GUI runs it in a worker thread); :meth:`close` may be called
    from another one, the waiting :meth:`wait` returns within its timeout."""

    #: Pauses (seconds) between attempts to reopen a lost connection, the last one repeating.
    RETRY_PAUSES = (0.5, 1.0, 2.0, 5.0)

    def __init__(self, url: str, label: str | None = None) -> None:
        self.url = url
        self.label = label or url
        self._conn: Any = None
        self._closed = False
        self._failures = 0
        self._next_try = 0.0
        # close() from another thread must not finish a connection wait() is polling: the
        # waiting thread closes it when its wait ends
        self._state = threading.Lock()
        self._waiting = False
        self._connect()

    def _connect(self) -> None:
        import psycopg

        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            raise ProjectError(f"{self.label}: cannot listen for changes ({str(exc).strip().splitlines()[0]})") from exc
        self._conn = conn

    @property
    def connected(self) -> bool:
        """True while the listening connection is up."""
        return self._conn is not None and not self._conn.closed and not self._conn.broken

    def wait(self, timeout: float = 1.0) -> list[Change]:
        """The notices that arrive within ``timeout`` seconds (returns as soon as some came and
        the burst is over; empty when none came).  A lost connection gives ``[Change(None, "lost")]``
        once; the following calls try to reopen it and give ``[Change(None, "reconnected")]``."""
        with self._state:
            if self._closed:
                return []
            self._waiting = True
        try:
            return self._wait(timeout)
        finally:
            with self._state:
                self._waiting = False
                if self._closed:
                    self._close_connection()

    def _wait(self, timeout: float) -> list[Change]:
        if not self.connected:
            return self._reconnect(timeout)
        import psycopg

        out: list[Change] = []
        try:
            for note in self._conn.notifies(timeout=timeout, stop_after=1):
                out.append(parse_notice(note.payload, note.pid))
            if out:  # drain the rest of the burst (a commit's notices arrive together)
                for note in self._conn.notifies(timeout=0.02):
                    out.append(parse_notice(note.payload, note.pid))
        except psycopg.Error:
            if self._closed:
                return out
            self._drop()
            return out + [Change(None, "lost")]
        return out

    def _drop(self) -> None:
        try:
            self._conn.close()
        except Exception:  # noqa: BLE001 - a broken connection may fail to close; it is gone either way
            pass
        self._failures = 0
        self._next_try = time.monotonic()

    def _reconnect(self, timeout: float) -> list[Change]:
        pause = self._next_try - time.monotonic()
        if pause > 0:
            time.sleep(min(pause, timeout))
            if time.monotonic() < self._next_try:
                return []
        try:
            self._connect()
        except ProjectError:
            self._next_try = time.monotonic() + self.RETRY_PAUSES[min(self._failures, len(self.RETRY_PAUSES) - 1)]
            self._failures += 1
            return []
        return [Change(None, "reconnected")]

    def close(self) -> None:
        """Stop listening and close the connection (from any thread: a :meth:`wait` under way
        returns within its timeout and closes it then)."""
        with self._state:
            self._closed = True
            if not self._waiting:
                self._close_connection()

    def _close_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - a broken connection may fail to close; it is gone either way
                pass
