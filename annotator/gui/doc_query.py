"""The document list's ids: ranked, a page at a time, or every id; and the open article's
span rows.

The queries live in the store (``annotator/store/views.py``); this module decides how
the list uses them.  Ranking every match of a common word in a million articles costs a
second, and even reading every match's id costs hundreds of milliseconds, so the list
reads matches in document order a page at a time (:class:`PagedIds`, the first page in a
few milliseconds) and ranks by relevance only when every match fits in one page.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, Callable, Sequence, overload

from annotator.store import Project
from annotator.store.views import SpanRow

__all__ = ["FETCH", "RANK_LIMIT", "PagedIds", "SpanRow", "document_ids", "load_pending_suggestions",
           "load_spans"]

#: At most this many matches (after the other filters) are ranked best first; more are in document order.
RANK_LIMIT = 1000
#: Ids read per page when the list scrolls past what it holds.
FETCH = 2000


class PagedIds(Sequence[int]):
    """Ids in ascending order read a page at a time: ``len`` is what has been read so far,
    :attr:`complete` says whether that is all of them."""

    def __init__(self, fetch: Callable[[int, int], list[int]], first: list[int], complete: bool) -> None:
        self._fetch = fetch
        self._ids = list(first)
        self.complete = complete

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, i: int) -> int: ...

    @overload
    def __getitem__(self, i: slice) -> list[int]: ...

    def __getitem__(self, i: Any) -> Any:
        return self._ids[i]

    def next_page(self, n: int | None = None) -> list[int]:
        """The next ``n`` ids (:data:`FETCH` by default; not yet added: :meth:`extend` them);
        empty when complete."""
        if self.complete:
            return []
        n = n or FETCH
        page = self._fetch(self._ids[-1] if self._ids else 0, n)
        if len(page) < n:
            self.complete = True
        return page

    def extend(self, page: list[int]) -> None:
        """Add a page read by :meth:`next_page`."""
        self._ids.extend(page)

    def index_of(self, doc_id: int) -> int | None:
        """The position of ``doc_id`` among the ids read (binary search: they ascend)."""
        i = bisect_left(self._ids, doc_id)
        return i if i < len(self._ids) and self._ids[i] == doc_id else None

    def last(self) -> int:
        """The highest id read (0 when none)."""
        return self._ids[-1] if self._ids else 0


def document_ids(project: Project, annotator: str, *, query: str | None = None, state: str | None = None,
                 source: str | None = None, has_suggestions: bool | None = None) -> tuple[Sequence[int], bool]:
    """Ids matching every given filter and whether they are ranked by relevance: every id
    without a filter (a ``range`` when they run without a gap), the ranked matches when
    they are at most :data:`RANK_LIMIT`, else a :class:`PagedIds` in document order."""
    if not query and not state and not source and has_suggestions is None:
        return project.all_document_ids(), False

    def fetch(after: int, limit: int) -> list[int]:
        return project.filtered_ids_page(annotator, query=query, state=state, source=source,
                                         has_suggestions=has_suggestions, after=after, limit=limit)

    first = fetch(0, RANK_LIMIT + 1)
    if len(first) <= RANK_LIMIT:
        if query and first:  # few enough to rank: best matches first
            if not state and not source and has_suggestions is None:  # these are every match: one scan ranks them
                return project.filter_documents(annotator, query=query), True
            # a filter left these of maybe many matches of the word: only these are ranked
            return project.rank_documents(query, first), True
        return first, False
    return PagedIds(fetch, first, complete=False), False


def load_spans(project: Project, document_id: int, annotator: str) -> list[SpanRow]:
    """The annotator's spans on a document (what ``Project.spans`` returns, as rows)."""
    return project.span_rows(document_id, annotator)


def load_pending_suggestions(project: Project, document_id: int, annotator: str) -> list[SpanRow]:
    """Suggestions the annotator has not decided on (``Project.suggestions(pending_for=...)``, as rows)."""
    return project.pending_suggestion_rows(document_id, annotator)
