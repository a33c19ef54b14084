"""The GUI's read-only fast paths agree with the store's own queries."""

from __future__ import annotations

import pytest

from annotator.core.model import Span
from annotator.gui.doc_query import SpanRow, load_pending_suggestions, load_spans
from annotator.store import Project

pytestmark = pytest.mark.gui


def test_doc_query_rows_match_store_queries(demo_project: Project):
    demo_project.add_spans(1, [Span(0, 8, "PER"), Span(9, 13, "REPORT", "cues", note="n")], "ani")
    demo_project.add_span(1, Span(0, 8, "ORG"), "budi")
    first = demo_project.suggestions(1)[0]
    demo_project.reject_suggestion(first.id, "ani")
    assert sorted(load_spans(demo_project, 1, "ani")) == sorted(
        SpanRow(s.id, s.document_id, s.annotator, s.layer, s.start, s.end, s.label, s.origin, s.score, s.note)
        for s in demo_project.spans(1, "ani"))
    pending = load_pending_suggestions(demo_project, 1, "ani")
    expected = demo_project.suggestions(1, pending_for="ani")
    assert sorted((r.id, r.start, r.end, r.label, r.layer, r.origin, r.score) for r in pending) == sorted(
        (g.id, g.start, g.end, g.label, g.layer, g.origin, g.score) for g in expected)
    assert first.id not in {r.id for r in pending}
    assert len(load_pending_suggestions(demo_project, 1, "budi")) == 5


def test_doc_query_row_with_gives_a_real_span(demo_project: Project):
    row = load_spans(demo_project, 1, "ani") or None
    assert row is None
    demo_project.add_span(1, Span(0, 8, "PER"), "ani")
    (row,) = load_spans(demo_project, 1, "ani")
    span = row.with_(label="ORG")
    assert isinstance(span, Span) and span.label == "ORG" and span.start == 0 and span.annotator == "ani"
