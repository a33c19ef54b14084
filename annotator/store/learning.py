"""Store queries for suggestions that learn: the project memory's inputs, the
per-annotator suggestion views, and the registry of trained models.

The memory itself (``annotator.nlp.memory``) is pure Python and never speaks
SQL: it reads an annotator's decisions through these functions (behind the
:class:`annotator.store.Project` facade) and writes its results as an
ordinary suggestion set named ``memory:<annotator>``.

Views: the suggestion set ``memory:A`` is the shared suggestions of a
document (rules, model, imported ones) corrected by what A's memory knows.
Where it exists, annotator A sees it *instead of* the shared sets; nobody else
ever sees it (an annotator's memory never crosses to another in blind mode,
and the shared view of exports and ``evaluate`` stays the shared one).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable, Sequence

from annotator.core.model import Span
from annotator.store.base import StoreBase, hash_hex, id_chunks, marks, now

#: Suggestion sets of a project memory are named ``memory:<annotator>``.
MEMORY_PREFIX = "memory:"


def memory_suggester(annotator: str) -> str:
    """The name of ``annotator``'s memory suggestion set."""
    return MEMORY_PREFIX + annotator


def shared_filter(alias: str = "g") -> str:
    """SQL condition (no parameters): a suggestion of a shared set (not a memory view)."""
    return f"substr({alias}.suggester, 1, {len(MEMORY_PREFIX)}) != '{MEMORY_PREFIX}'"


def viewer_filter(alias: str = "g") -> str:
    """SQL condition with two ``?`` parameters, both ``memory_suggester(viewer)``:
    the suggestions ``viewer`` sees (their memory view where it exists, else
    the shared sets)."""
    return (
        f"({alias}.suggester = ? OR ({shared_filter(alias)} AND NOT EXISTS (SELECT 1 FROM suggestion_runs r"
        f" WHERE r.document_id = {alias}.document_id AND r.suggester = ?)))"
    )


def _in(names: Sequence[str]) -> str:
    return ", ".join("?" for _ in names)


def human_spans(conn: sqlite3.Connection, annotators: Sequence[str]) -> list[tuple[str, int, str, int, int, str]]:
    """``(annotator, document_id, layer, start, end, label)`` of every span of ``annotators``."""
    if not annotators:
        return []
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        f'SELECT annotator, document_id, layer, start, "end", label FROM spans WHERE annotator IN ({_in(annotators)})'
        " ORDER BY document_id, start", list(annotators))]


def rejected_suggestions(
    conn: sqlite3.Connection, annotators: Sequence[str]
) -> list[tuple[str, int, str, int, int, str]]:
    """``(annotator, document_id, layer, start, end, label)`` of every suggestion ``annotators`` rejected."""
    if not annotators:
        return []
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        'SELECT x.annotator, g.document_id, g.layer, g.start, g."end", g.label FROM suggestion_decisions x'
        f" JOIN suggestions g ON g.id = x.suggestion_id WHERE x.decision = 'rejected' AND x.annotator IN ({_in(annotators)})",
        list(annotators))]


def finished_documents(conn: sqlite3.Connection, annotators: Sequence[str]) -> list[tuple[str, int]]:
    """``(annotator, document_id)`` of the documents ``annotators`` marked done."""
    if not annotators:
        return []
    return [(str(a), int(d)) for a, d in conn.execute(
        f"SELECT annotator, document_id FROM document_status WHERE state = 'done' AND annotator IN ({_in(annotators)})",
        list(annotators))]


def untouched_documents(conn: sqlite3.Connection, annotator: str, documents: Sequence[int] | None = None) -> list[int]:
    """Documents ``annotator`` has not started: no span, answer or decision, status todo or none
    (of ``documents`` only, when given: a refresh of a few must not read a million)."""
    sql = ("SELECT id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM spans s WHERE s.document_id = d.id"
           " AND s.annotator = ?) AND NOT EXISTS (SELECT 1 FROM doc_labels l WHERE l.document_id = d.id"
           " AND l.annotator = ?) AND NOT EXISTS (SELECT 1 FROM document_status t WHERE t.document_id = d.id"
           " AND t.annotator = ? AND t.state != 'todo') AND NOT EXISTS (SELECT 1 FROM suggestions g"
           " JOIN suggestion_decisions x ON x.suggestion_id = g.id WHERE g.document_id = d.id AND x.annotator = ?)")
    if documents is None:
        return [int(r[0]) for r in conn.execute(sql + " ORDER BY id", [annotator] * 4)]
    out: list[int] = []
    for chunk in id_chunks(documents):
        out += [int(r[0]) for r in conn.execute(f"{sql} AND d.id IN ({marks(len(chunk))})", [annotator] * 4 + chunk)]
    return sorted(out)


def shared_runs(conn: sqlite3.Connection, documents: Sequence[int] | None = None) -> dict[int, str]:
    """``{document_id: signature}`` of the shared suggestion sets of each
    suggested document (suggester@version:hash, sorted), so a memory view
    knows when its base changed (of ``documents`` only, when given)."""
    sql = f"SELECT document_id, suggester, version, content_hash FROM suggestion_runs g WHERE {shared_filter('g')}"
    if documents is None:
        rows: Iterable[Any] = conn.execute(sql)
    else:
        rows = [r for chunk in id_chunks(documents)
                for r in conn.execute(f"{sql} AND g.document_id IN ({marks(len(chunk))})", chunk)]
    sig: dict[int, list[str]] = {}
    for doc_id, name, version, chash in rows:
        sig.setdefault(int(doc_id), []).append(f"{name}@{version}:{hash_hex(chash)[:12]}")
    return {d: "|".join(sorted(v)) for d, v in sig.items()}


def shared_suggestions(conn: sqlite3.Connection, document_id: int) -> list[Span]:
    """The shared suggestions of a document (every set but the memory views)."""
    return [
        Span(id=r[0], document_id=r[1], layer=r[2], start=r[3], end=r[4], label=r[5], origin=r[6], score=r[7])
        for r in conn.execute(
            f'SELECT g.id, g.document_id, g.layer, g.start, g."end", g.label, g.origin, g.score FROM suggestions g'
            f' WHERE g.document_id = ? AND {shared_filter("g")} ORDER BY g.start, g."end", g.id', (document_id,))
    ]


def shared_decisions(
    conn: sqlite3.Connection, document_id: int, annotator: str
) -> dict[tuple[str, int, int, str], tuple[str, Any, str]]:
    """``{(layer, start, end, label): (decision, span_id, created)}`` of ``annotator`` on the shared
    suggestions of a document: carried over when their memory view replaces the shared sets."""
    return {(r[0], r[1], r[2], r[3]): (r[4], r[5], r[6]) for r in conn.execute(
        'SELECT g.layer, g.start, g."end", g.label, x.decision, x.span_id, x.created FROM suggestions g'
        f" JOIN suggestion_decisions x ON x.suggestion_id = g.id WHERE g.document_id = ? AND x.annotator = ?"
        f" AND {shared_filter('g')}", (document_id, annotator))}


def memory_views(conn: sqlite3.Connection, document_id: int | None = None) -> list[str]:
    """Names of the memory views stored (on one document, or anywhere)."""
    sql = f"SELECT DISTINCT suggester FROM suggestion_runs g WHERE NOT ({shared_filter('g')})"
    args: tuple[Any, ...] = ()
    if document_id is not None:
        sql += " AND document_id = ?"
        args = (document_id,)
    return [r[0] for r in conn.execute(sql + " ORDER BY suggester", args)]


def suggestion_scores(conn: sqlite3.Connection, viewer: str, layer: str | None = None) -> dict[int, list[float]]:
    """``{document_id: [score, ...]}`` of the suggestions ``viewer`` sees (pending or not);
    documents without suggestions are absent."""
    mine = memory_suggester(viewer)
    sql = f"SELECT g.document_id, coalesce(g.score, 0.5) FROM suggestions g WHERE {viewer_filter('g')}"
    args: list[Any] = [mine, mine]
    if layer is not None:
        sql += " AND g.layer = ?"
        args.append(layer)
    out: dict[int, list[float]] = {}
    for doc, score in conn.execute(sql, args):
        out.setdefault(int(doc), []).append(float(score))
    return out


# -- trained models ----------------------------------------------------------


def add_model_run(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    """Record one training run; returns its id."""
    cur = conn.execute(
        "INSERT INTO model_runs(created, path, source, documents, eval_documents, layers, scores, settings,"
        " seconds, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row["created"], row["path"], row["source"], int(row["documents"]), int(row["eval_documents"]),
         json.dumps(row.get("layers", [])), json.dumps(row.get("scores", {})), json.dumps(row.get("settings", {})),
         float(row.get("seconds", 0.0)), row.get("status", "complete")),
    )
    return int(cur.lastrowid or 0)


def model_runs(conn: sqlite3.Connection, ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """Every recorded training run, oldest first, as plain dicts."""
    rows = conn.execute(
        "SELECT id, created, path, source, documents, eval_documents, layers, scores, settings, seconds, status"
        " FROM model_runs ORDER BY id").fetchall()
    wanted = set(ids) if ids is not None else None
    return [
        {"id": r[0], "created": r[1], "path": r[2], "source": r[3], "documents": r[4], "eval_documents": r[5],
         "layers": json.loads(r[6]), "scores": json.loads(r[7]), "settings": json.loads(r[8]), "seconds": r[9],
         "status": r[10]}
        for r in rows if wanted is None or r[0] in wanted
    ]


class LearningMixin(StoreBase):
    """Project memory inputs and views, and the registry of trained models."""

    def memory_inputs(self, annotators: Sequence[str]) -> dict[str, list[Any]]:
        """What a project memory learns from: ``{"spans": [(annotator, doc, layer,
        start, end, label)], "rejected": [same], "done": [(annotator, doc)]}``."""
        names = list(annotators)
        return {"spans": human_spans(self._conn, names), "rejected": rejected_suggestions(self._conn, names),
                "done": finished_documents(self._conn, names)}

    def untouched_documents(self, annotator: str, documents: Sequence[int] | None = None) -> list[int]:
        """Documents ``annotator`` has not started (no span, answer or decision; status todo or
        none), ascending; of ``documents`` only when given."""
        return untouched_documents(self._conn, annotator, documents)

    def shared_suggestion_runs(self, documents: Sequence[int] | None = None) -> dict[int, str]:
        """``{document_id: signature}`` of the shared suggestion sets (a memory view's base), of
        ``documents`` only when given."""
        return shared_runs(self._conn, documents)

    def shared_suggestions(self, document_id: int) -> list[Span]:
        """The shared suggestions of a document (every set but the memory views)."""
        return shared_suggestions(self._conn, document_id)

    def memory_views(self, document_id: int | None = None) -> list[str]:
        """Names (``memory:<annotator>``) of the memory views stored."""
        return memory_views(self._conn, document_id)

    def suggestion_scores(self, viewer: str, layer: str | None = None) -> dict[int, list[float]]:
        """``{document_id: [score, ...]}`` of the suggestions ``viewer`` sees."""
        return suggestion_scores(self._conn, viewer, layer)

    def set_model_uncertainty(self, document_id: int, suggester: str, values: dict[str, tuple[float, int]],
                              origin: str) -> None:
        """Replace ``suggester``'s model uncertainty on a document: ``{layer: (mean entropy in bits,
        candidates averaged)}`` (empty: remove it)."""
        with self.transaction():
            self._conn.execute("DELETE FROM model_uncertainty WHERE document_id = ? AND suggester = ?",
                               (document_id, suggester))
            for layer, (entropy, candidates) in sorted(values.items()):
                self._conn.execute(
                    "INSERT INTO model_uncertainty(document_id, suggester, layer, entropy, candidates, origin)"
                    " VALUES (?, ?, ?, ?, ?, ?)", (document_id, suggester, layer, float(entropy), int(candidates),
                                                   origin))

    def model_uncertainty(self, layer: str) -> dict[int, tuple[float, int]]:
        """``{document_id: (mean entropy, candidates)}`` a suggesting model reported for ``layer``
        (the highest where several suggesters did)."""
        return {int(d): (float(e), int(n)) for d, e, n in self._conn.execute(
            "SELECT document_id, entropy, candidates FROM model_uncertainty WHERE layer = ? ORDER BY entropy",
            (layer,))}

    def has_model_uncertainty(self, suggester: str) -> bool:
        """True when ``suggester`` has stored a model uncertainty anywhere."""
        return self._conn.execute("SELECT 1 FROM model_uncertainty WHERE suggester = ? LIMIT 1",
                                  (suggester,)).fetchone() is not None

    def add_model_run(self, row: dict[str, Any]) -> int:
        """Record a training run (``annotator train``); returns its id."""
        with self.transaction():
            run_id = add_model_run(self._conn, {"created": now(), **row})
            self._log("add_model_run", row.get("source"), None, run_id=run_id, path=row.get("path"))
            return run_id

    def model_runs(self) -> list[dict[str, Any]]:
        """Every recorded training run, oldest first."""
        return model_runs(self._conn)
