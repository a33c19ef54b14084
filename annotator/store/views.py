"""Read-only queries tuned for the GUI's views (the document list, the open article, review boxes).

They answer what a general store query answers, cheaper: the document list
holds ids and an article opens at once, so these return plain rows, never
build objects per row beyond a named tuple.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from annotator.core.model import GOLD, STATES, Span
from annotator.store import learning
from annotator.store.base import StoreBase, fts_outlet, fts_query


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


#: Matches a filter side counts up to when picking which side drives a page (see ``filtered_ids_page``).
_DRIVE_CAP = 2000


class ViewsMixin(StoreBase):
    """Queries the GUI runs on its own thread, tuned for its views."""

    def filtered_ids_page(
        self,
        annotator: str,
        *,
        query: str | None = None,
        state: str | None = None,
        source: str | None = None,
        has_suggestions: bool | None = None,
        after: int = 0,
        limit: int = 1000,
    ) -> list[int]:
        """Up to ``limit`` ids above ``after`` matching every given filter, in document order.

        The document list reads its rows a page at a time with this (keyset paging: the
        next page starts after the last id shown), so a word in 700,000 of a million
        articles lists its first page in a millisecond where reading every match took
        hundreds.  The filters are index lookups per candidate (the outlet and status
        indexes of migration 6), never a read of the article record; without a search
        the most selective index drives the scan.
        """
        if query is not None and not fts_query(query):
            return []  # only quotes or punctuation: nothing to look for, no FTS syntax error
        if state and state not in STATES:
            raise ValueError(f"state must be one of {STATES}")
        args: dict[str, Any] = {"a": annotator, "after": int(after), "src": source, "s": state,
                                "q": self._dialect.fts_query(query) if query else None}
        if self._dialect.name == "postgresql":
            return self._server_page(args, query=bool(query), state=state, source=source,
                                     has_suggestions=has_suggestions, limit=limit)
        # Each filter that can list its own ids in order: (FROM, id column, condition, EXISTS test of {c}).
        sides: list[tuple[str, str, str, str]] = []
        if query and source and fts_outlet(source):
            # the outlet's words join the search (migration 14): the index intersects the word's
            # articles with the outlet's itself, so a word and an outlet that never meet are no
            # scan of either; the exact outlet test below stays (a longer name holds the words too)
            args["q"] = f"{args['q']} AND {fts_outlet(source)}"
        if query:
            sides.append(("documents_fts f", "f.rowid", "documents_fts MATCH :q",
                          "EXISTS (SELECT 1 FROM documents_fts y WHERE documents_fts MATCH :q AND y.rowid = {c})"))
        if state and state != "todo" and source:
            # a state and an outlet together: one index range holds exactly the documents with both
            # (migration 13), so two large sets that never meet are no scan of either
            sides.append(("status_sources ss INDEXED BY status_sources_filter", "ss.document_id",
                          "ss.annotator = :a AND ss.state = :s AND ss.source = :src",
                          "EXISTS (SELECT 1 FROM status_sources x WHERE x.annotator = :a AND x.document_id = {c}"
                          " AND x.state = :s AND x.source = :src)"))
        elif state and state != "todo":
            sides.append(("document_status st", "st.document_id", "st.annotator = :a AND st.state = :s",
                          "EXISTS (SELECT 1 FROM document_status x WHERE x.document_id = {c}"
                          " AND x.annotator = :a AND x.state = :s)"))
        if source and not (state and state != "todo"):
            sides.append(("documents d INDEXED BY source_documents", "d.id", "d.source = :src",
                          "EXISTS (SELECT 1 FROM documents o INDEXED BY source_documents"
                          " WHERE o.source = :src AND o.id = {c})"))
        if has_suggestions:
            sides.append(("suggestions g INDEXED BY suggestions_doc", "g.document_id", "1",
                          "EXISTS (SELECT 1 FROM suggestions x WHERE x.document_id = {c})"))
        if not sides:
            sides.append(("documents d", "d.id", "1", ""))
        # The smallest side drives (a word in 700,000 articles and a status three of them have:
        # three index rows, each tested against the full-text index), the others are tests.
        driver = sides[0]
        if len(sides) > 1:
            sizes = [self._conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {frm} WHERE {cond} AND {col} > :after"
                                        f" LIMIT {_DRIVE_CAP})", args).fetchone()[0] for frm, col, cond, _t in sides]
            driver = sides[sizes.index(min(sizes))]
        frm, col, cond, _test = driver
        where = [cond, f"{col} > :after"] + [t.format(c=col) for side in sides if side is not driver for t in [side[3]]]
        if state == "todo":  # no row for the annotator means to do
            where.append("NOT EXISTS (SELECT 1 FROM document_status x"
                         f" WHERE x.document_id = {col} AND x.annotator = :a AND x.state != 'todo')")
        if has_suggestions is False:
            where.append(f"NOT EXISTS (SELECT 1 FROM suggestions x WHERE x.document_id = {col})")
        distinct = "DISTINCT " if frm.startswith("suggestions") else ""
        sql = f"SELECT {distinct}{col} FROM {frm} WHERE " + " AND ".join(where) + f" ORDER BY {col} LIMIT {int(limit)}"
        return [r[0] for r in self._conn.execute(sql, args)]

    def _server_page(
        self, args: dict[str, Any], *, query: bool, state: str | None, source: str | None,
        has_suggestions: bool | None, limit: int,
    ) -> list[int]:
        # The server reads the tsvector column on documents (no second table to join) and
        # its planner picks the driving index itself.
        sql = "SELECT d.id FROM documents d"
        where = ["d.id > :after"]
        if query:
            join, cond, _rank = self._dialect.fts_filter("d")
            sql += join
            where.append(cond)
        if state:
            sql += " LEFT JOIN document_status st ON st.document_id = d.id AND st.annotator = :a"
            where.append("coalesce(st.state, 'todo') = :s")
        if source:
            where.append("d.source = :src")
        if has_suggestions is not None:
            cond = "EXISTS (SELECT 1 FROM suggestions g WHERE g.document_id = d.id)"
            where.append(cond if has_suggestions else f"NOT {cond}")
        sql += " WHERE " + " AND ".join(where) + f" ORDER BY d.id LIMIT {int(limit)}"
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
