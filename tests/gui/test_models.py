"""Item models: Qt's model tester, lazy row fetching, filters."""

from __future__ import annotations

import pytest

from annotator.editing import SPAN, SUGGESTION, Item
from annotator.gui.models import DocumentTableModel, SpanListModel
from annotator.store import Project

pytestmark = pytest.mark.gui


def test_models_document_model_passes_qt_model_tester(qtmodeltester, demo_project: Project):
    model = DocumentTableModel(demo_project, "ani")
    qtmodeltester.check(model)
    model.set_filter(query="Shoigu")
    qtmodeltester.check(model)


def test_models_document_model_fetches_only_the_pages_shown(qapp, demo_project: Project, monkeypatch):
    from annotator.core.model import Document

    with demo_project.transaction():
        for i in range(997):
            demo_project.add_document(Document(f"Artikel nomor {i} tentang Jakarta.", title=f"Artikel {i}"))
    calls: list[int] = []
    real = demo_project.document_infos
    monkeypatch.setattr(demo_project, "document_infos", lambda ids, annotator=None, **kw: (
        calls.append(len(ids)), real(ids, annotator, **kw))[1])
    model = DocumentTableModel(demo_project, "ani")
    assert model.rowCount() == 1000 and calls == []
    assert model.data(model.index(999, 1)) == "Artikel 996"
    assert calls == [DocumentTableModel.PAGE]  # one page, not 1,000 rows
    model.data(model.index(998, 4))
    assert len(calls) == 1  # cached


def test_models_document_model_shows_status_of_its_annotator_only(qapp, demo_project: Project):
    demo_project.set_status(2, "budi", "done")
    demo_project.set_status(1, "ani", "skipped")
    model = DocumentTableModel(demo_project, "ani")
    assert [model.data(model.index(r, 4)) for r in range(3)] == ["skipped", "to do", "to do"]
    demo_project.set_status(3, "ani", "done")
    model.refresh_document(3)
    assert model.data(model.index(2, 4)) == "done"


def test_models_document_model_filters(qapp, demo_project: Project):
    model = DocumentTableModel(demo_project, "ani")
    model.set_filter(query="Myanmar")
    assert model.ids() == [3]
    model.set_filter(source="Detik")
    assert model.ids() == [2]
    model.set_filter(has_suggestions=True)
    assert model.ids() == [1, 3]
    model.set_filter(query='"unbalanced')  # FTS syntax is quoted by the store; never a crash
    assert model.rowCount() in (0, 1, 2, 3)


def _items() -> list[Item]:
    return [
        Item((SUGGESTION, 7), 10, 15, 10, 15, "entities", "LOC", "rule:x", 0.5),
        Item((SPAN, 1), 0, 5, 0, 5, "entities", "PER", "human"),
        Item((SPAN, 2), 0, 9, 0, 9, "cues", "REPORT", "human"),
    ]


def test_models_span_list_passes_qt_model_tester_and_orders_by_position(qtmodeltester):
    model = SpanListModel({("entities", "PER"): "#56B4E9"})
    model.set_items("Jokowi berkata di Jakarta", _items())
    qtmodeltester.check(model)
    assert [model.key(r) for r in range(3)] == [(SPAN, 2), (SPAN, 1), (SUGGESTION, 7)]
    assert model.data(model.index(2, 2)) == "rule:x 0.50"
    model.update_items([(SPAN, 1)], [Item((SPAN, 3), 18, 25, 18, 25, "entities", "LOC", "human")])
    assert [model.key(r) for r in range(3)] == [(SPAN, 2), (SUGGESTION, 7), (SPAN, 3)]
    assert model.row_of((SPAN, 3)) == 2


def test_models_many_search_hits_keep_document_order(qapp, demo_project: Project, monkeypatch):
    import annotator.gui.doc_query as dq

    model = DocumentTableModel(demo_project, "ani")
    model.set_filter(query="di")
    ranked_ids = model.ids()
    assert model.ranked and sorted(ranked_ids) == [1, 2, 3]
    monkeypatch.setattr(dq, "RANK_LIMIT", 1)
    model.set_filter(query="di")
    assert model.ids() == [1, 2, 3] and not model.ranked
    model.set_filter(query="di", source="Kompas.com")
    assert model.ids() == [1, 3]
    demo_project.set_status(3, "ani", "done")
    model.set_filter(query="di", state="done", has_suggestions=True)
    assert model.ids() == [3]


def test_document_list_rows_over_a_range_of_ids(project, tmp_path):
    """An unfiltered list without gaps holds a range of ids (a million rows cost nothing)."""
    from annotator.formats import import_paths
    from annotator.gui.models import DocumentTableModel
    from tests.formats.test_bulk_import import _article, _write

    import_paths(project, [_write(tmp_path / "r.jsonl", [_article(i) for i in range(5)])])
    model = DocumentTableModel(project, "ani")
    assert model.rowCount() == 5 and [model.doc_id(r) for r in range(5)] == [1, 2, 3, 4, 5]
    assert model.row_of(4) == 3 and model.row_of(99) is None and model.info(2).id == 3
    model.set_filter(state="done")
    assert model.ids() == [1, 2, 3, 4, 5] and model.row_of(5) == 4
