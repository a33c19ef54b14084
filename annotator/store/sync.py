"""Copy a project, or one annotator's part, from one project to another: ``annotator push
FILE URL`` and ``annotator pull URL FILE [--annotator NAME]`` (docs/team.md, "Push and pull").

Either side may be a file or a server: the rows are read from one :class:`Project` and
written into the other through each one's own connection and dialect, a batch of
documents at a time, so file -> server, server -> file, file -> file and server -> server
are the same code.  (``annotator merge`` copies file rows through SQLite's ``ATTACH``
instead; that only works between files.)

Rules
    * Documents are matched by content hash (a new text becomes a new document, its
      columns as stored); annotators, settings the destination lacks (not its identity),
      knowledge-base entries, suggestions and their runs, and assignments the
      destination lacks are added (suggested answers too).  Trained models (``model_runs``: paths on one
      machine) and merge bookkeeping stay where they are.
    * Each annotator's work on a document (a *pair*: spans, relations, answers, status,
      suggestion and relation decisions, knowledge-base links of their spans) is compared
      as stored, uids and timestamps included.  Equal: nothing to do.  Different: the
      change events decide, as a fast-forward in git does.  Every change appends an event
      with a uid, and events travel with the work, so when the destination holds no event
      of the pair that the source lacks, the source is ahead and its work replaces the
      destination's (spans by uid: added, updated, removed); when the source's events are
      all in the destination and it has more, the destination is ahead and keeps its work;
      when each side has events the other lacks, both changed it since they were last
      copied: a **conflict**, reported, and the destination keeps its version.  With the
      same events on both sides (work imported in bulk logs no per-pair event) the source
      wins only when the destination has no work there or got it from this source last
      (``merge_owners``, as merge records it); otherwise it is a conflict.
    * Events are copied by uid, their payloads as stored; those of a conflicting pair
      are left out with the work.  Re-running changes nothing; a run after new edits
      copies only those.
    * Work with labels outside the destination's schema is left out and reported.
    * The whole copy is one transaction on the destination, and the source is read in
      one snapshot: a cancelled, failed or killed copy leaves the destination as it was
      (a destination file created by the copy is removed again).
    * Reading from a server as an annotator reads what the server lets them read (blind
      mode, assignments: row-level security), nothing more, and does not fail on it.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from annotator.core.errors import ProjectError, SchemaError
from annotator.core.jobs import Cancelled, Progress, ShouldCancel, report
from annotator.store.base import CHUNK, EVENT_SOURCE_SQL, marks, now, payload_with_source
from annotator.store.dialect import is_server_url, redact
from annotator.store.learning import memory_suggester, shared_filter
from annotator.store.transfer import insert_events, known_event_uids

if TYPE_CHECKING:
    from annotator.store.project import Project

#: Documents per batch: each batch reads every kind of row of its documents in one query.
BATCH = 500

#: Settings that are a project's own and never copied (its identity, package bookkeeping).
OWN_SETTINGS = ("project_uid", "package_of", "package_for")

_DOC_COLS = ("text", "title", "source", "url", "published", "language", "meta", "content_hash", "original_text",
             "removed_lines", "created")
_SPAN_COLS = ("uid", "layer", "start", "end", "label", "origin", "score", "note", "created", "updated")
_REL_COLS = ("uid", "label", "head_uid", "child_uid", "origin", "score", "created", "updated")
_SUG_KEY = ("layer", "start", "end", "label", "origin", "suggester", "version")
_RSUG_KEY = ("label", "head_layer", "head_start", "head_end", "head_label", "child_layer", "child_start",
             "child_end", "child_label", "origin", "suggester", "version")


def _cols(names: tuple[str, ...], alias: str = "") -> str:
    return ", ".join(f'{alias}"{c}"' for c in names)


@dataclass(frozen=True)
class SyncConflict:
    """One annotator's work on one document changed on both sides since the last copy."""

    source: str
    dest: str
    annotator: str
    document_id: int
    title: str
    detail: str

    def __str__(self) -> str:
        return (f"{self.source}: {self.annotator!r} on document {self.document_id} ({self.title!r}) changed both here "
                f"and in {self.dest} since they were last copied ({self.detail}); kept the version in {self.dest}")


@dataclass
class SyncReport:
    """What a push or pull copied."""

    source: str
    dest: str
    annotator: str | None = None
    documents: int = 0
    new_documents: int = 0
    spans_added: int = 0
    spans_updated: int = 0
    spans_removed: int = 0
    relations: int = 0
    answers: int = 0
    statuses: int = 0
    decisions: int = 0
    kb_links: int = 0
    events: int = 0
    annotators: int = 0
    settings: int = 0
    kb_entries: int = 0
    suggestions: int = 0
    assignments: int = 0
    languages: int = 0
    #: (document, annotator) pairs the destination has newer work on (kept, not a conflict)
    newer_there: int = 0
    conflicts: list[SyncConflict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    _COUNTS = ("new_documents", "spans_added", "spans_updated", "spans_removed", "relations", "answers", "statuses",
               "decisions", "kb_links", "events", "annotators", "settings", "kb_entries", "suggestions", "assignments",
               "languages")

    @property
    def changes(self) -> int:
        """Rows written into the destination (0: it had everything already)."""
        return sum(getattr(self, k) for k in self._COUNTS)

    def totals(self) -> dict[str, int]:
        """The counts by name (``--json``)."""
        out = {k: getattr(self, k) for k in ("documents", *self._COUNTS, "newer_there")}
        out["conflicts"] = len(self.conflicts)
        return out

    def summary(self) -> str:
        """One paragraph for a terminal or a message box."""
        who = f" ({self.annotator}'s part)" if self.annotator else ""
        if not self.changes:
            text = f"nothing to copy: {self.dest} already has everything of {self.source}{who}"
        else:
            t = self.totals()
            text = (f"copied {self.source}{who} into {self.dest}: {t['documents']} document(s) ({t['new_documents']} "
                    f"new); spans +{t['spans_added']} ~{t['spans_updated']} -{t['spans_removed']}; {t['relations']} "
                    f"relation(s), {t['answers']} answer(s), {t['statuses']} status(es), {t['decisions']} "
                    f"decision(s), {t['kb_links']} link(s), {t['events']} event(s)")
        if self.newer_there:
            text += f"; {self.newer_there} document(s) kept: newer work in {self.dest}"
        if self.conflicts:
            text += f"; {len(self.conflicts)} conflict(s) reported, not overwritten"
        return text


@dataclass
class _Work:
    """One annotator's work on one document, as stored (document ids left out)."""

    spans: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    relations: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    answers: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    status: tuple[Any, ...] | None = None
    decisions: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict)
    rel_decisions: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict)
    links: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    events: set[str] = field(default_factory=set)

    def state(self) -> tuple[Any, ...]:
        return (self.spans, self.relations, self.answers, self.status, self.decisions, self.rel_decisions, self.links)

    @property
    def empty(self) -> bool:
        return not any((self.spans, self.relations, self.answers, self.status, self.decisions, self.rel_decisions,
                        self.links))


def _describe(ours: _Work, theirs: _Work) -> str:
    parts = []
    a, b = set(ours.spans.items()), set(theirs.spans.items())
    if a != b:
        parts.append(f"{len(b - a)} span(s) only here, {len(a - b)} only there")
    for q in sorted(set(ours.answers) | set(theirs.answers)):
        if ours.answers.get(q, ("-",))[0] != theirs.answers.get(q, ("-",))[0]:
            parts.append(f"{q}: {theirs.answers.get(q, ('-',))[0]} here vs {ours.answers.get(q, ('-',))[0]} there")
    if (ours.status or ("todo",))[0] != (theirs.status or ("todo",))[0]:
        parts.append(f"status {(theirs.status or ('todo',))[0]} here vs {(ours.status or ('todo',))[0]} there")
    if ours.relations != theirs.relations:
        parts.append("relations differ")
    if ours.decisions != theirs.decisions or ours.rel_decisions != theirs.rel_decisions:
        parts.append("suggestion decisions differ")
    if ours.links != theirs.links:
        parts.append("knowledge-base links differ")
    return "; ".join(parts) or "timestamps or notes differ"


class _Side:
    """Reads of one project for the copy (the store's SQL, either dialect)."""

    def __init__(self, project: Project, annotator: str | None):
        self.p = project
        self.c = project._conn  # noqa: SLF001 - this module is part of the store
        self.annotator = annotator

    def _who(self, alias: str) -> tuple[str, list[Any]]:
        if self.annotator is None:
            return "", []
        return f" AND {alias}annotator = ?", [self.annotator]

    def rows(self, sql: str, ids: list[int], extra: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """``sql`` with ``{ids}`` replaced by the placeholders of ``ids`` (chunked)."""
        out: list[tuple[Any, ...]] = []
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i: i + CHUNK]
            out.extend(tuple(r) for r in self.c.execute(sql.format(ids=marks(len(chunk))), [*chunk, *(extra or [])]))
        return out

    def work(self, ids: list[int]) -> dict[tuple[int, str], _Work]:
        """Every pair's work on the documents ``ids`` (one query per kind of row)."""
        out: dict[tuple[int, str], _Work] = {}

        def w(doc: int, ann: str) -> _Work:
            return out.setdefault((doc, ann), _Work())

        who, args = self._who("")
        for r in self.rows(f"SELECT document_id, annotator, {_cols(_SPAN_COLS)} FROM spans"
                           f" WHERE document_id IN ({{ids}}){who}", ids, args):
            w(r[0], r[1]).spans[r[2]] = r[2:]
        for r in self.rows(f"SELECT document_id, annotator, {_cols(_REL_COLS)} FROM relations"
                           f" WHERE document_id IN ({{ids}}){who}", ids, args):
            w(r[0], r[1]).relations[r[2]] = r[2:]
        for r in self.rows("SELECT document_id, annotator, question, value, target, updated FROM doc_labels"
                           f" WHERE document_id IN ({{ids}}){who}", ids, args):
            w(r[0], r[1]).answers[r[2]] = r[3:]
        for r in self.rows("SELECT document_id, annotator, state, seconds, updated FROM document_status"
                           f" WHERE document_id IN ({{ids}}){who}", ids, args):
            w(r[0], r[1]).status = (r[2], float(r[3]), r[4])
        xwho, xargs = self._who("x.")
        for r in self.rows(f"SELECT g.document_id, x.annotator, {_cols(_SUG_KEY, 'g.')}, x.decision, s.uid, x.created"
                           " FROM suggestion_decisions x JOIN suggestions g ON g.id = x.suggestion_id"
                           f" LEFT JOIN spans s ON s.id = x.span_id WHERE g.document_id IN ({{ids}}){xwho}", ids, xargs):
            w(r[0], r[1]).decisions.setdefault(r[2:9], r[9:])
        for r in self.rows(f"SELECT g.document_id, x.annotator, {_cols(_RSUG_KEY, 'g.')}, x.decision, x.relation_uid,"
                           " x.created FROM relation_decisions x JOIN relation_suggestions g ON g.id = x.suggestion_id"
                           f" WHERE g.document_id IN ({{ids}}){xwho}", ids, xargs):
            w(r[0], r[1]).rel_decisions.setdefault(r[2:14], r[14:])
        swho, sargs = self._who("s.")
        for r in self.rows("SELECT s.document_id, s.annotator, k.span_uid, k.entry_id, k.origin, k.score, k.status"
                           " FROM kb_links k JOIN spans s ON s.uid = k.span_uid"
                           f" WHERE s.document_id IN ({{ids}}){swho}", ids, sargs):
            w(r[0], r[1]).links[r[2]] = r[3:]
        for doc, ann, uid in self.rows("SELECT document_id, annotator, uid FROM events WHERE document_id IN ({ids})"
                                       f" AND annotator IS NOT NULL{who}", ids, args):
            w(doc, ann).events.add(uid)
        return out

    def suggestions(self, ids: list[int]) -> list[tuple[Any, ...]]:
        """``(document_id, *key, score)`` of the suggestions this side may copy (shared sets and,
        for one annotator, their memory view only)."""
        cond, args = "", []
        if self.annotator is not None:
            cond, args = f" AND ({shared_filter('g')} OR g.suggester = ?)", [memory_suggester(self.annotator)]
        return self.rows(f"SELECT g.document_id, {_cols(_SUG_KEY, 'g.')}, g.score FROM suggestions g"
                         f" WHERE g.document_id IN ({{ids}}){cond} ORDER BY g.id", ids, args)

    def runs(self, ids: list[int]) -> list[tuple[Any, ...]]:
        """``(document_id, suggester, version, content_hash, created)`` of the suggestion runs."""
        cond, args = "", []
        if self.annotator is not None:
            cond, args = f" AND ({shared_filter('g')} OR g.suggester = ?)", [memory_suggester(self.annotator)]
        return self.rows("SELECT g.document_id, g.suggester, g.version, g.content_hash, g.created FROM suggestion_runs g"
                         f" WHERE g.document_id IN ({{ids}}){cond}", ids, args)


@contextmanager
def _snapshot(project: Project) -> Iterator[None]:
    """Read the source in one snapshot (a concurrent writer on it does not tear the copy)."""
    conn = project._conn  # noqa: SLF001
    conn.execute("BEGIN")
    if project.is_server:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def identity(project: Project) -> str:
    """The project's stable identity (setting ``project_uid``, created on first use); a project
    that may not store one (a read-only file, a server this role may not configure) is named
    by where it is."""
    uid = project.get_setting("project_uid")
    if uid:
        return uid
    if not project.readonly and project.may_write("settings"):
        uid = uuid.uuid4().hex
        project.set_setting("project_uid", uid)
        return uid
    if project.is_server:
        # the same database reached as another user is the same project
        where = project.server_location()
    else:
        where = str(Path(project.path).resolve())
    return "path:" + hashlib.sha256(where.encode()).hexdigest()[:32]


def sync_projects(
    source: Project,
    dest: Project,
    annotator: str | None = None,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> SyncReport:
    """Copy ``source`` (or ``annotator``'s part of it) into ``dest`` (see the module docstring).
    One transaction on ``dest``: :class:`Cancelled` or any error leaves it as it was."""
    rep = SyncReport(source=str(source.path), dest=str(dest.path), annotator=annotator)
    suid, duid = identity(source), identity(dest)
    if suid == duid:
        raise ProjectError(f"{source.path} and {dest.path} are the same project (same project id); nothing to copy")
    src, dst = _Side(source, annotator), _Side(dest, annotator)
    with _snapshot(source), dest.transaction():
        _Copy(src, dst, suid, rep, progress, should_cancel).run()
        if rep.changes or rep.conflicts:
            dest._log("pull" if source.is_server else "push", annotator, None,  # noqa: SLF001
                      source=str(source.path), totals=rep.totals())
    return rep


class _Copy:
    """One run of :func:`sync_projects` (state shared by its steps)."""

    def __init__(self, src: _Side, dst: _Side, suid: str, rep: SyncReport, progress: Progress | None,
                 should_cancel: ShouldCancel | None):
        self.src, self.dst, self.suid, self.rep = src, dst, suid, rep
        self.progress, self.should_cancel = progress, should_cancel
        self.schema = dst.p.schema
        self.bad: dict[str, int] = {}
        self.may_own = dst.p.may_write("merge_owners")
        self.may_assign = dst.p.may_write("assignments")
        #: source document id -> id here, and the (source document, annotator) pairs left out
        self.id_map: dict[int, int] = {}
        self.left_out: set[tuple[int, str]] = set()

    def cancel_point(self) -> None:
        if self.should_cancel is not None and self.should_cancel():
            raise Cancelled(f"copy into {self.rep.dest} cancelled; nothing was written")

    def run(self) -> None:
        self.copy_settings()
        self.copy_annotators()
        self.copy_kb_entries()
        docs = self.source_documents()
        total = len(docs)
        report(self.progress, 0, total, "documents")
        for i in range(0, total, BATCH):
            self.cancel_point()
            self.copy_batch(docs[i: i + BATCH])
            report(self.progress, min(i + BATCH, total), total, "documents")
        self.cancel_point()
        self.copy_events()
        for what, n in sorted(self.bad.items()):
            self.rep.problems.append(f"{self.rep.source}: {n} item(s) with {what} not in the schema of "
                                     f"{self.rep.dest}; left out")

    # -- project-wide rows ---------------------------------------------------------

    def copy_settings(self) -> None:
        have = dict(self.dst.c.execute("SELECT key, value FROM settings").fetchall())
        missing = [(k, v) for k, v in self.src.c.execute("SELECT key, value FROM settings ORDER BY key")
                   if k not in have and k not in OWN_SETTINGS]
        if missing and self.dst.p.may_write("settings"):
            self.dst.c.executemany("INSERT INTO settings(key, value) VALUES (?, ?)", missing)
            self.rep.settings = len(missing)

    def copy_annotators(self) -> None:
        have = {r[0] for r in self.dst.c.execute("SELECT name FROM annotators")}
        sql, args = "SELECT name, role, created FROM annotators", []
        if self.src.annotator is not None:
            sql, args = sql + " WHERE name = ?", [self.src.annotator]
        missing = [tuple(r) for r in self.src.c.execute(sql + " ORDER BY name", args) if r[0] not in have]
        if missing:
            self.dst.c.executemany("INSERT INTO annotators(name, role, created) VALUES (?, ?, ?)", missing)
            self.rep.annotators = len(missing)

    def copy_kb_entries(self) -> None:
        cols = "id, name, label, aliases, description, external_ids, origin"
        have = {r[0] for r in self.dst.c.execute("SELECT id FROM kb_entries")}
        missing = [tuple(r) for r in self.src.c.execute(f"SELECT {cols} FROM kb_entries ORDER BY id") if r[0] not in have]
        if missing:
            self.dst.c.executemany(f"INSERT INTO kb_entries({cols}) VALUES (?, ?, ?, ?, ?, ?, ?)", missing)
            self.rep.kb_entries = len(missing)

    def source_documents(self) -> list[int]:
        """The source's document ids in order (one annotator's: their assigned ones, when they have any)."""
        c, ann = self.src.c, self.src.annotator
        if ann is not None and c.execute("SELECT 1 FROM assignments WHERE annotator = ?", (ann,)).fetchone():
            return [r[0] for r in c.execute("SELECT d.id FROM documents d JOIN assignments a ON a.document_id = d.id"
                                            " WHERE a.annotator = ? ORDER BY d.id", (ann,))]
        return [r[0] for r in c.execute("SELECT id FROM documents ORDER BY id")]

    def copy_events(self) -> None:
        """The source's events by uid, in its order (a page at a time), onto the documents here;
        those of documents not copied and of pairs left out (conflicts, newer here) stay behind."""
        sql = f"SELECT id, uid, ts, annotator, document_id, action, payload, {EVENT_SOURCE_SQL} FROM events WHERE id > ?"
        args: list[Any] = []
        if self.src.annotator is not None:
            sql += " AND (annotator IS NULL OR annotator = ?)"
            args.append(self.src.annotator)
        last = 0
        while True:
            rows = [tuple(r) for r in self.src.c.execute(sql + f" ORDER BY id LIMIT {BATCH * 4}", [last, *args])]
            if not rows:
                return
            last = rows[-1][0]
            have = known_event_uids(self.dst.c, [r[1] for r in rows])
            self._insert_events([(u, ts, a, None if d is None else self.id_map[d], act, payload_with_source(pl, mf))
                                 for _id, u, ts, a, d, act, pl, mf in rows if u not in have
                                 and (d is None or (d in self.id_map and (d, a) not in self.left_out))])
            self.cancel_point()

    def _insert_events(self, rows: list[tuple[Any, ...]]) -> None:
        insert_events(self.dst.c, rows)
        self.rep.events += len(rows)

    # -- one batch of documents ---------------------------------------------------------

    def copy_batch(self, ids: list[int]) -> None:
        id_map = self.map_documents(ids)
        self.id_map.update(id_map)
        self.rep.documents += len(ids)
        self.copy_suggestions(ids, id_map)
        self.copy_assignments(ids, id_map)
        theirs = self.src.work(ids)
        dst_ids = [id_map[i] for i in ids]
        ours = self.dst.work(dst_ids)
        owners = self.owners(dst_ids)
        left_out = self.left_out
        writes = _Writes()
        for (doc, ann), work in sorted(theirs.items()):
            self.filter_schema(work)
            here = ours.get((id_map[doc], ann), _Work())
            if work.state() == here.state():
                continue
            if here.empty or (here.events < work.events) or (here.events == work.events
                                                              and owners.get((id_map[doc], ann)) == self.suid):
                self.write_pair(writes, id_map[doc], ann, work, here)
            elif work.events < here.events:
                self.rep.newer_there += 1
                left_out.add((doc, ann))
            else:
                self.rep.conflicts.append(SyncConflict(self.rep.source, self.rep.dest, ann, id_map[doc],
                                                       self.dst.p.document_title(id_map[doc]), _describe(here, work)))
                left_out.add((doc, ann))
        self.flush(writes)

    def map_documents(self, ids: list[int]) -> dict[int, int]:
        rows = self.src.rows(f"SELECT id, {', '.join(_DOC_COLS)} FROM documents WHERE id IN ({{ids}}) ORDER BY id", ids)
        hashes = [r[8] for r in rows]
        here: dict[bytes, int] = {}  # by the stored hash (bytes: both sides are at migration 16 or later)
        language: dict[bytes, str] = {}
        for i in range(0, len(hashes), CHUNK):
            chunk = hashes[i: i + CHUNK]
            for i_, h, lang in self.dst.c.execute(
                    f"SELECT id, content_hash, language FROM documents WHERE content_hash IN ({marks(len(chunk))})",
                    chunk):
                here[h], language[h] = i_, lang
        for r in rows:
            if r[8] in here and language[r[8]] != r[6]:
                self.copy_language(r[0], here[r[8]], r[6])
        new = [r[1:] for r in rows if r[8] not in here]
        if new:
            # in the source's order, so the documents keep their order here
            self.dst.c.executemany(f"INSERT INTO documents({', '.join(_DOC_COLS)}) VALUES ({marks(len(_DOC_COLS))})",
                                   new)
            self.rep.new_documents += len(new)
            fresh = [r[7] for r in new]
            for i in range(0, len(fresh), CHUNK):
                chunk = fresh[i: i + CHUNK]
                here.update((h, i_) for i_, h in self.dst.c.execute(
                    f"SELECT id, content_hash FROM documents WHERE content_hash IN ({marks(len(chunk))})", chunk))
        return {r[0]: here[r[8]] for r in rows}

    def copy_language(self, src_doc: int, doc: int, language: str) -> None:
        """A document's language changed since it was copied: the newer change wins (the side
        whose last ``set_language`` event the other lacks), as ``set_language`` does it."""
        last = self.src.c.execute("SELECT uid FROM events WHERE document_id = ? AND action = 'set_language'"
                                  " ORDER BY id DESC LIMIT 1", (src_doc,)).fetchone()
        if last is None or known_event_uids(self.dst.c, [last[0]]):
            return  # the source never changed it, or the destination has that change and a newer one
        self.dst.c.execute("UPDATE documents SET language = ? WHERE id = ?", (language, doc))
        self.dst.c.execute("DELETE FROM suggestion_runs WHERE document_id = ? AND " + shared_filter("suggestion_runs"),
                           (doc,))
        self.rep.languages += 1

    def copy_suggestions(self, ids: list[int], id_map: dict[int, int]) -> None:
        dst_ids = [id_map[i] for i in ids]
        have = {(r[0], *r[1:8]) for r in self.dst.suggestions(dst_ids)}
        new = []
        for r in self.src.suggestions(ids):
            key = (id_map[r[0]], *r[1:8])
            if key not in have:
                have.add(key)
                new.append((*key, r[8]))
        if new:
            self.dst.c.executemany(f"INSERT INTO suggestions(document_id, {_cols(_SUG_KEY)}, score)"
                                   f" VALUES ({marks(len(_SUG_KEY) + 2)})", new)
            self.rep.suggestions += len(new)
        runs = {(r[0], r[1]) for r in self.dst.runs(dst_ids)}
        new_runs = [(id_map[r[0]], *r[1:]) for r in self.src.runs(ids) if (id_map[r[0]], r[1]) not in runs]
        if new_runs:
            self.dst.c.executemany("INSERT INTO suggestion_runs(document_id, suggester, version, content_hash, created)"
                                   " VALUES (?, ?, ?, ?, ?)", new_runs)
        # suggested answers (a text classifier's stance): one row per document, question and suggester
        acols = ("document_id", "question", "suggester", "value", "score", "scores", "origin", "version", "created")
        asql = f"SELECT {_cols(acols)} FROM answer_suggestions WHERE document_id IN ({{ids}})"
        have_a = {r[:3] for r in self.dst.rows(asql, dst_ids)}
        new_a = [(id_map[r[0]], *r[1:]) for r in self.src.rows(asql, ids) if (id_map[r[0]], *r[1:3]) not in have_a]
        if new_a:
            self.dst.c.executemany(f"INSERT INTO answer_suggestions({_cols(acols)}) VALUES ({marks(len(acols))})", new_a)
            self.rep.suggestions += len(new_a)
        # a suggesting model's own uncertainty (queue --order uncertain): one row per document, suggester and layer
        ucols = ("document_id", "suggester", "layer", "entropy", "candidates", "origin")
        usql = f"SELECT {_cols(ucols)} FROM model_uncertainty WHERE document_id IN ({{ids}})"
        have_u = {r[:3] for r in self.dst.rows(usql, dst_ids)}
        new_u = [(id_map[r[0]], *r[1:]) for r in self.src.rows(usql, ids) if (id_map[r[0]], *r[1:3]) not in have_u]
        if new_u:
            self.dst.c.executemany(f"INSERT INTO model_uncertainty({_cols(ucols)}) VALUES ({marks(len(ucols))})", new_u)
        cols = ("document_id", *_RSUG_KEY, "score")
        sql = f"SELECT {_cols(cols)} FROM relation_suggestions WHERE document_id IN ({{ids}}) ORDER BY id"
        have_r = {r[:13] for r in self.dst.rows(sql, dst_ids)}
        new_r = []
        for r in self.src.rows(sql, ids):
            row = (id_map[r[0]], *r[1:])
            if row[:13] not in have_r:
                have_r.add(row[:13])
                new_r.append(row)
        if new_r:
            self.dst.c.executemany(f"INSERT INTO relation_suggestions({_cols(cols)}) VALUES ({marks(len(cols))})", new_r)
            self.rep.suggestions += len(new_r)

    def copy_assignments(self, ids: list[int], id_map: dict[int, int]) -> None:
        who, args = self.src._who("")
        sql = f"SELECT document_id, annotator, created FROM assignments WHERE document_id IN ({{ids}}){who}"
        have = {(r[0], r[1]) for r in self.dst.rows(sql, [id_map[i] for i in ids], args)}
        new = [(id_map[d], a, c) for d, a, c in self.src.rows(sql, ids, args) if (id_map[d], a) not in have]
        if new and self.may_assign:
            self.dst.c.executemany("INSERT INTO assignments(document_id, annotator, created) VALUES (?, ?, ?)", new)
            self.rep.assignments += len(new)

    def owners(self, dst_ids: list[int]) -> dict[tuple[int, str], str]:
        return {(r[0], r[1]): r[2] for r in self.dst.rows(
            "SELECT document_id, annotator, source_uid FROM merge_owners WHERE document_id IN ({ids})", dst_ids)}

    def filter_schema(self, work: _Work) -> None:
        """Leave out (and count) the work whose labels the destination's schema lacks."""
        for uid, row in list(work.spans.items()):
            try:
                self.schema.check_span(row[1], row[4])
            except SchemaError:
                self._bad(f"label {row[1]}/{row[4]}")
                del work.spans[uid]
        for q, row in list(work.answers.items()):
            try:
                self.schema.check_answer(q, row[0])
            except SchemaError:
                self._bad(f"answer {q}={row[0]}")
                del work.answers[q]
        names = {r.name for r in self.schema.relations}
        for uid, row in list(work.relations.items()):
            if row[1] not in names or row[2] not in work.spans or row[3] not in work.spans:
                if row[1] not in names:
                    self._bad(f"relation {row[1]}")
                del work.relations[uid]
        for uid in [u for u in work.links if u not in work.spans]:
            del work.links[uid]

    def _bad(self, what: str) -> None:
        self.bad[what] = self.bad.get(what, 0) + 1

    def write_pair(self, w: _Writes, doc: int, ann: str, want: _Work, here: _Work) -> None:
        """Plan making ``ann``'s work on ``doc`` in the destination equal to ``want`` (written by
        :meth:`flush` for the whole batch: a few statements per kind of row, not per pair)."""
        rep = self.rep
        gone_rel = [u for u in here.relations if u not in want.relations]
        w.del_relations += gone_rel
        gone = [u for u in here.spans if u not in want.spans]
        w.del_spans += gone
        rep.spans_removed += len(gone)
        changed = [r for u, r in want.spans.items() if u in here.spans and here.spans[u] != r]
        w.upd_spans += [(*r[1:], r[0]) for r in changed]
        rep.spans_updated += len(changed)
        new = [r for u, r in want.spans.items() if u not in here.spans]
        w.new_spans += [(doc, ann, *r) for r in sorted(new, key=lambda r: (r[2], r[3], r[1], r[4], r[0]))]
        w.new_relations += [(doc, ann, *r) for u, r in want.relations.items() if here.relations.get(u) != r]
        rep.relations += len(gone_rel) + sum(1 for u, r in want.relations.items() if here.relations.get(u) != r)
        gone_q = [q for q in here.answers if q not in want.answers]
        w.del_answers += [(doc, ann, q) for q in gone_q]
        put = [(doc, ann, q, *r) for q, r in want.answers.items() if here.answers.get(q) != r]
        w.put_answers += put
        rep.answers += len(gone_q) + len(put)
        if want.status != here.status:
            if want.status is None:
                w.del_status.append((doc, ann))
            else:
                w.put_status.append((doc, ann, *want.status))
            rep.statuses += 1
        if want.decisions != here.decisions:
            w.decision_pairs.append((doc, ann, want.decisions))
            rep.decisions += len(set(want.decisions.items()) ^ set(here.decisions.items()))
        if want.rel_decisions != here.rel_decisions:
            w.rel_decision_pairs.append((doc, ann, want.rel_decisions))
            rep.decisions += len(set(want.rel_decisions.items()) ^ set(here.rel_decisions.items()))
        stale = [u for u in here.links if u not in want.links and u not in gone]
        links = [(u, *r) for u, r in want.links.items() if here.links.get(u) != r]
        w.del_links += stale
        w.put_links += links
        rep.kb_links += len(stale) + len(links)
        w.owners.append((doc, ann))

    def flush(self, w: _Writes) -> None:
        """Write a batch's planned changes: removals first (relations and links before their
        spans), then span updates and additions, relations, answers, status, decisions, links."""
        c, rep = self.dst.c, self.rep
        many = c.executemany
        if w.del_relations:
            many("DELETE FROM relations WHERE uid = ?", [(u,) for u in w.del_relations])
        if w.del_spans:
            gone = [(u,) for u in w.del_spans]
            many("UPDATE suggestion_decisions SET span_id = NULL WHERE span_id IN (SELECT id FROM spans WHERE uid = ?)",
                 gone)
            many("DELETE FROM kb_links WHERE span_uid = ?", gone)
            many("DELETE FROM relations WHERE head_uid = ? OR child_uid = ?", [(u, u) for u in w.del_spans])
            many("DELETE FROM spans WHERE uid = ?", gone)
        if w.upd_spans:
            many('UPDATE spans SET layer = ?, start = ?, "end" = ?, label = ?, origin = ?, score = ?, note = ?,'
                 " created = ?, updated = ? WHERE uid = ?", w.upd_spans)
        elsewhere = self.dst.p.span_uid_places([r[2] for r in w.new_spans]) if w.new_spans else {}
        for uid, (other_doc, other_ann) in elsewhere.items():
            rep.problems.append(f"{rep.source}: span {uid} is already in {rep.dest} on document {other_doc} for "
                                f"{other_ann!r}; left out")
            rep.spans_added -= 1
        new = [r for r in w.new_spans if r[2] not in elsewhere]
        if new:
            many(f"INSERT INTO spans(document_id, annotator, {_cols(_SPAN_COLS)}) VALUES (?, ?, {marks(len(_SPAN_COLS))})",
                 new)
        rep.spans_added += len(w.new_spans)
        rels = [r for r in w.new_relations if r[4] not in elsewhere and r[5] not in elsewhere]
        if rels:
            many(f"INSERT OR REPLACE INTO relations(document_id, annotator, {_cols(_REL_COLS)})"
                 f" VALUES (?, ?, {marks(len(_REL_COLS))})", rels)
        if w.del_answers:
            many("DELETE FROM doc_labels WHERE document_id = ? AND annotator = ? AND question = ?", w.del_answers)
        if w.put_answers:
            many("INSERT OR REPLACE INTO doc_labels(document_id, annotator, question, value, target, updated)"
                 " VALUES (?, ?, ?, ?, ?, ?)", w.put_answers)
        if w.del_status:
            many("DELETE FROM document_status WHERE document_id = ? AND annotator = ?", w.del_status)
        if w.put_status:
            many("INSERT OR REPLACE INTO document_status(document_id, annotator, state, seconds, updated)"
                 " VALUES (?, ?, ?, ?, ?)", w.put_status)
        self._flush_decisions(w)
        if w.del_links:
            many("DELETE FROM kb_links WHERE span_uid = ?", [(u,) for u in w.del_links])
        links = [r for r in w.put_links if r[0] not in elsewhere]
        if links:
            many("INSERT OR REPLACE INTO kb_links(span_uid, entry_id, origin, score, status) VALUES (?, ?, ?, ?, ?)",
                 links)
        if w.owners and self.may_own:
            stamp = now()
            many("INSERT OR REPLACE INTO merge_owners(document_id, annotator, source_uid, source_path, merged)"
                 " VALUES (?, ?, ?, ?, ?)", [(d, a, self.suid, rep.source, stamp) for d, a in w.owners])

    def _flush_decisions(self, w: _Writes) -> None:
        """Suggestion and relation decisions of the planned pairs, as the source has them (the
        suggestions matched by what they suggest, the spans by uid)."""
        c = self.dst.c
        if w.decision_pairs:
            docs = sorted({d for d, _a, _x in w.decision_pairs})
            ids = {(r[0], *r[2:]): r[1] for r in self.dst.rows(
                f"SELECT document_id, id, {_cols(_SUG_KEY)} FROM suggestions WHERE document_id IN ({{ids}})", docs)}
            uids = sorted({v[1] for _d, _a, x in w.decision_pairs for v in x.values() if v[1]})
            span_ids: dict[str, int] = {}
            for i in range(0, len(uids), CHUNK):
                chunk = uids[i: i + CHUNK]
                span_ids.update((u, i_) for u, i_ in c.execute(
                    f"SELECT uid, id FROM spans WHERE uid IN ({marks(len(chunk))})", chunk))
            c.executemany("DELETE FROM suggestion_decisions WHERE annotator = ? AND suggestion_id IN"
                          " (SELECT id FROM suggestions WHERE document_id = ?)", [(a, d) for d, a, _x in w.decision_pairs])
            rows = [(ids[(d, *k)], a, v[0], span_ids.get(v[1]) if v[1] else None, v[2])
                    for d, a, x in w.decision_pairs for k, v in x.items() if (d, *k) in ids]
            if rows:
                c.executemany("INSERT INTO suggestion_decisions(suggestion_id, annotator, decision, span_id, created)"
                              " VALUES (?, ?, ?, ?, ?)", rows)
        if w.rel_decision_pairs:
            docs = sorted({d for d, _a, _x in w.rel_decision_pairs})
            rids = {(r[0], *r[2:]): r[1] for r in self.dst.rows(
                f"SELECT document_id, id, {_cols(_RSUG_KEY)} FROM relation_suggestions WHERE document_id IN ({{ids}})",
                docs)}
            c.executemany("DELETE FROM relation_decisions WHERE annotator = ? AND suggestion_id IN"
                          " (SELECT id FROM relation_suggestions WHERE document_id = ?)",
                          [(a, d) for d, a, _x in w.rel_decision_pairs])
            rows = [(rids[(d, *k)], a, *v) for d, a, x in w.rel_decision_pairs for k, v in x.items()
                    if (d, *k) in rids]
            if rows:
                c.executemany("INSERT INTO relation_decisions(suggestion_id, annotator, decision, relation_uid, created)"
                              " VALUES (?, ?, ?, ?, ?)", rows)


@dataclass
class _Writes:
    """The changes one batch of documents plans, written together by :meth:`_Copy.flush`."""

    del_relations: list[str] = field(default_factory=list)
    del_spans: list[str] = field(default_factory=list)
    upd_spans: list[tuple[Any, ...]] = field(default_factory=list)
    new_spans: list[tuple[Any, ...]] = field(default_factory=list)
    new_relations: list[tuple[Any, ...]] = field(default_factory=list)
    del_answers: list[tuple[Any, ...]] = field(default_factory=list)
    put_answers: list[tuple[Any, ...]] = field(default_factory=list)
    del_status: list[tuple[Any, ...]] = field(default_factory=list)
    put_status: list[tuple[Any, ...]] = field(default_factory=list)
    decision_pairs: list[tuple[int, str, dict[tuple[Any, ...], tuple[Any, ...]]]] = field(default_factory=list)
    rel_decision_pairs: list[tuple[int, str, dict[tuple[Any, ...], tuple[Any, ...]]]] = field(default_factory=list)
    del_links: list[str] = field(default_factory=list)
    put_links: list[tuple[Any, ...]] = field(default_factory=list)
    owners: list[tuple[int, str]] = field(default_factory=list)


def project_exists(target: str | Path) -> bool:
    """True when ``target`` holds a project (a file that exists and is not empty, a database
    an annotator has opened before)."""
    if is_server_url(target):
        from annotator.store.dialect import PgConnection

        url = getattr(target, "url", str(target))
        conn = PgConnection(url, redact(url))
        try:
            row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
            return bool(row and row[0])
        finally:
            conn.close()
    path = Path(target)
    return path.exists() and path.stat().st_size > 0


def copy_project(
    source: str | Path,
    dest: str | Path,
    annotator: str | None = None,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> SyncReport:
    """Open ``source`` (it must exist) and ``dest`` (created with the source's label schema when
    new) and copy (:func:`sync_projects`).  A destination file this call created is removed again
    when the copy fails or is cancelled."""
    if not is_server_url(source) and not Path(source).is_file():
        raise ProjectError(f"{source}: no such project file")
    created = not is_server_url(dest) and not Path(dest).exists()
    try:
        return _copy(source, dest, annotator, progress, should_cancel)
    except BaseException as exc:
        if created:
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.remove(f"{dest}{suffix}")
                except OSError:
                    pass
        if (isinstance(exc, ProjectError) and annotator is None and is_server_url(dest)
                and "permission denied" in str(exc)):
            # an annotator's role may write only their own rows (row-level security)
            raise ProjectError(f"{exc}; an annotator copies only their own part: add --annotator NAME") from exc
        raise


def _copy(source: str | Path, dest: str | Path, annotator: str | None, progress: Progress | None,
          should_cancel: ShouldCancel | None) -> SyncReport:
    from annotator.store.project import Project

    with Project(source, create=False) as src:
        if annotator is not None and annotator not in src.annotators():
            raise ProjectError(f"no annotator {annotator!r} in {src.path} (annotators: "
                               f"{', '.join(src.annotators()) or 'none'})")
        new = not project_exists(dest)
        with Project(dest, schema=src.schema if new else None) as dst:
            if not new and dst.count_documents() == 0 and dst.get_setting("schema") != src.get_setting("schema"):
                # an empty project (made by 'team --add' before the push): it takes the source's schema
                dst.replace_empty_schema(src.schema)
            return sync_projects(src, dst, annotator, progress, should_cancel)
