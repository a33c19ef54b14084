"""Read-only queries the GUI runs on its own thread, tuned for the views.

Everything that changes the project goes through ``Project`` methods; these
only read, straight from ``project.conn``, where the general store query costs
too much for a view (the list holds only ids; an article must open at once).

The document list's query: the store's filters, tuned for the list.

``Project.filter_documents`` always ranks full-text matches; ranking 80,000
matches of a common word costs ~130 ms on these machines, while counting them
costs 3 ms.  The list ranks when the matches are few enough to read (where
order by relevance helps) and keeps document order otherwise.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from annotator.core.model import STATES, Span
from annotator.store import Project

#: Above this many matches (after the other filters) the list is in document order, not ranked.
RANK_LIMIT = 5000


def document_ids(project: Project, annotator: str, *, query: str | None = None, state: str | None = None,
                 source: str | None = None, has_suggestions: bool | None = None) -> tuple[list[int], bool]:
    """Ids matching every given filter and whether they are ranked by relevance."""
    if not query:
        return project.filter_documents(annotator, state=state, source=source, has_suggestions=has_suggestions), False
    q = project.db.quote_fts(query)
    where = ["documents_fts MATCH :q"]
    args: dict[str, Any] = {"q": q, "a": annotator}
    sql = "SELECT f.rowid FROM documents_fts f"
    if state:
        if state not in STATES:
            raise ValueError(f"state must be one of {STATES}")
        sql += " LEFT JOIN document_status st ON st.document_id = f.rowid AND st.annotator = :a"
        where.append("coalesce(st.state, 'todo') = :s")
        args["s"] = state
    if source:
        sql += " JOIN documents d ON d.id = f.rowid"
        where.append("d.source = :src")
        args["src"] = source
    if has_suggestions is not None:
        cond = "EXISTS (SELECT 1 FROM suggestions g WHERE g.document_id = f.rowid)"
        where.append(cond if has_suggestions else f"NOT {cond}")
    sql += " WHERE " + " AND ".join(where) + " ORDER BY f.rowid"
    ids = [r[0] for r in project.conn.execute(sql, args)]
    if len(ids) <= RANK_LIMIT:  # few enough to rank: best matches first
        return project.filter_documents(annotator, query=query, state=state, source=source,
                                        has_suggestions=has_suggestions), True
    return ids, False


class SpanRow(NamedTuple):
    """A span or suggestion as read for display: reads like :class:`Span`
    (same field names), costs a fifth of a frozen dataclass to build, and
    :meth:`with_` turns it into a real ``Span`` when it is written back."""

    id: int
    document_id: int
    annotator: str | None
    layer: str
    start: int
    end: int
    label: str
    origin: str
    score: float | None
    note: str | None

    def with_(self, **changes: Any) -> Span:
        """A :class:`Span` with some fields changed."""
        return Span(**{**self._asdict(), **changes})


def load_spans(project: Project, document_id: int, annotator: str) -> list[SpanRow]:
    """The annotator's spans on a document (what ``Project.spans`` returns, as rows)."""
    rows = project.conn.execute(
        'SELECT id, document_id, annotator, layer, start, "end", label, origin, score, note FROM spans'
        " WHERE document_id = ? AND annotator = ?", (document_id, annotator))
    return list(map(SpanRow._make, rows))


def load_pending_suggestions(project: Project, document_id: int, annotator: str) -> list[SpanRow]:
    """Suggestions the annotator has not decided on (``Project.suggestions(pending_for=...)``, as rows)."""
    rows = project.conn.execute(
        'SELECT g.id, g.document_id, NULL, g.layer, g.start, g."end", g.label, g.origin, g.score, NULL'
        " FROM suggestions g WHERE g.document_id = ? AND NOT EXISTS (SELECT 1 FROM suggestion_decisions x"
        " WHERE x.suggestion_id = g.id AND x.annotator = ?)", (document_id, annotator))
    return list(map(SpanRow._make, rows))
