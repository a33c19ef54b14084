"""Read-only queries tuned for the GUI's views (the document list, the open article, review boxes).

They answer what a general store query answers, cheaper: the document list
holds ids and an article opens at once, so these return plain rows, never
build objects per row beyond a named tuple.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from annotator.core.model import GOLD, STATES, Span
from annotator.store import learning
from annotator.store.base import StoreBase


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


class ViewsMixin(StoreBase):
    """Queries the GUI runs on its own thread, tuned for its views."""

    def unranked_match_ids(
        self,
        annotator: str,
        query: str,
        *,
        state: str | None = None,
        source: str | None = None,
        has_suggestions: bool | None = None,
    ) -> list[int]:
        """Ids of full-text matches of ``query`` passing the other filters, in document order.

        Ranking 80,000 matches of a common word costs ~130 ms where counting
        them costs 3 ms: the document list ranks (``filter_documents``) only
        when the matches are few.
        """
        if not any(ch.isalnum() for ch in query):
            return []  # only quotes or punctuation (a lone '"'): nothing to look for, no FTS syntax error
        args: dict[str, Any] = {"q": self._dialect.fts_query(query), "a": annotator}
        if self._dialect.name == "postgresql":
            return self._server_match_ids(args, state=state, source=source, has_suggestions=has_suggestions)
        where = ["documents_fts MATCH :q"]
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
        return [r[0] for r in self._conn.execute(sql, args)]

    def _server_match_ids(
        self, args: dict[str, Any], *, state: str | None, source: str | None, has_suggestions: bool | None
    ) -> list[int]:
        # The server reads the tsvector column on documents: no second table to join.
        join, cond, _rank = self._dialect.fts_filter("d")
        sql = "SELECT d.id FROM documents d" + join
        where = [cond]
        if state:
            if state not in STATES:
                raise ValueError(f"state must be one of {STATES}")
            sql += " LEFT JOIN document_status st ON st.document_id = d.id AND st.annotator = :a"
            where.append("coalesce(st.state, 'todo') = :s")
            args["s"] = state
        if source:
            where.append("d.source = :src")
            args["src"] = source
        if has_suggestions is not None:
            cond = "EXISTS (SELECT 1 FROM suggestions g WHERE g.document_id = d.id)"
            where.append(cond if has_suggestions else f"NOT {cond}")
        sql += " WHERE " + " AND ".join(where) + " ORDER BY d.id"
        return [r[0] for r in self._conn.execute(sql, args)]

    def span_rows(self, document_id: int, annotator: str) -> list[SpanRow]:
        """The annotator's spans on a document (what ``spans`` returns, as rows, unordered)."""
        rows = self._conn.execute(
            'SELECT id, document_id, annotator, layer, start, "end", label, origin, score, note FROM spans'
            " WHERE document_id = ? AND annotator = ?", (document_id, annotator))
        return list(map(SpanRow._make, rows))

    def pending_suggestion_rows(self, document_id: int, annotator: str) -> list[SpanRow]:
        """Suggestions the annotator has not decided on, in their view (``suggestions(pending_for=...)``, as rows)."""
        mine = learning.memory_suggester(annotator)
        rows = self._conn.execute(
            'SELECT g.id, g.document_id, NULL, g.layer, g.start, g."end", g.label, g.origin, g.score, NULL'
            " FROM suggestions g WHERE g.document_id = ? AND NOT EXISTS (SELECT 1 FROM suggestion_decisions x"
            f" WHERE x.suggestion_id = g.id AND x.annotator = ?) AND {learning.viewer_filter('g')}",
            (document_id, annotator, mine, mine))
        return list(map(SpanRow._make, rows))

    def documents_with_annotator_work(self) -> list[tuple[int, str]]:
        """``(id, title)`` of documents where an annotator other than gold has a status or a span."""
        return self._conn.execute(
            "SELECT d.id, d.title FROM documents d WHERE EXISTS (SELECT 1 FROM document_status s"
            " WHERE s.document_id = d.id AND s.annotator != ?) OR EXISTS (SELECT 1 FROM spans p"
            " WHERE p.document_id = d.id AND p.annotator != ?) ORDER BY d.id", (GOLD, GOLD)).fetchall()
