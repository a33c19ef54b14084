"""The document list's choice between ranked and document-order results, and
the open article's span rows.

The queries live in the store (``annotator/store/views.py``); this module
decides how the list uses them.  ``Project.filter_documents`` always ranks
full-text matches; ranking 80,000 matches of a common word costs ~130 ms on
these machines, while counting them costs 3 ms.  The list ranks when the
matches are few enough to read (where order by relevance helps) and keeps
document order otherwise.
"""

from __future__ import annotations

from typing import Sequence

from annotator.store import Project
from annotator.store.views import SpanRow

__all__ = ["RANK_LIMIT", "SpanRow", "document_ids", "load_pending_suggestions", "load_spans"]

#: Above this many matches (after the other filters) the list is in document order, not ranked.
RANK_LIMIT = 5000


def document_ids(project: Project, annotator: str, *, query: str | None = None, state: str | None = None,
                 source: str | None = None, has_suggestions: bool | None = None) -> tuple[Sequence[int], bool]:
    """Ids matching every given filter and whether they are ranked by relevance (with no
    filter, every id: a ``range`` when they run without a gap)."""
    if not query and not state and not source and has_suggestions is None:
        return project.all_document_ids(), False
    if not query:
        return project.filter_documents(annotator, state=state, source=source, has_suggestions=has_suggestions), False
    ids = project.unranked_match_ids(annotator, query, state=state, source=source, has_suggestions=has_suggestions)
    if len(ids) <= RANK_LIMIT:  # few enough to rank: best matches first
        return project.filter_documents(annotator, query=query, state=state, source=source,
                                        has_suggestions=has_suggestions), True
    return ids, False


def load_spans(project: Project, document_id: int, annotator: str) -> list[SpanRow]:
    """The annotator's spans on a document (what ``Project.spans`` returns, as rows)."""
    return project.span_rows(document_id, annotator)


def load_pending_suggestions(project: Project, document_id: int, annotator: str) -> list[SpanRow]:
    """Suggestions the annotator has not decided on (``Project.suggestions(pending_for=...)``, as rows)."""
    return project.pending_suggestion_rows(document_id, annotator)
