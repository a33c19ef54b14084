"""The document list reads filtered and searched rows a page at a time (issue 12: a
million articles), and the pages agree with the store's full queries."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

import annotator.gui.doc_query as dq
import annotator.store.views as views
from annotator.core.model import Document, Span
from annotator.gui.models import DocumentTableModel
from annotator.store import Project
from annotator.store.imports import ImportItem
from annotator.store.migrations import MIGRATIONS, SCHEMA_VERSION

pytestmark = pytest.mark.gui

OUTLETS = ("Kompas.com", "Detik", "Tempo")


def _fill(project: Project, n: int) -> None:
    """``n`` articles: every one says "berita", one in seven "langka"; three outlets; states by id."""
    from annotator.core.model import content_hash

    items = []
    for i in range(1, n + 1):
        text = f"Artikel {i} berita hari ini" + (" langka" if i % 7 == 0 else "") + "."
        state = "done" if i % 3 == 0 else "skipped" if i % 5 == 0 else None
        items.append(ImportItem(Document(text=text, title=f"T{i}", source=OUTLETS[i % 3]), content_hash(text),
                                annotator="ani" if state else None, status=state))
    project.import_documents(items)
    for doc_id in (4, 8, 9, 21):
        project.set_suggestions(doc_id, [Span(0, 7, "ORG", origin="rules")], "t", "1")


def _expected(project: Project, **filters) -> list[int]:
    return sorted(project.filter_documents("ani", **filters))


FILTERS = [
    dict(zip(("query", "state", "source", "has_suggestions"), combo, strict=True))
    for combo in itertools.product((None, "berita", "langka"), (None, "todo", "done", "skipped"),
                                   (None, "Detik"), (None, True, False))
]


@pytest.mark.parametrize("cap", [1, 2000])
def test_pages_of_every_filter_combination_match_the_full_query(project: Project, monkeypatch, cap):
    """Whichever filter drives the scan (the smallest, or the first when all are large), the
    pages put together are exactly the documents the full query finds, in document order."""
    monkeypatch.setattr(views, "_DRIVE_CAP", cap)
    _fill(project, 60)
    for filters in FILTERS:
        kwargs = {k: v for k, v in filters.items() if v is not None}
        pages, after = [], 0
        while page := project.filtered_ids_page("ani", after=after, limit=4, **kwargs):
            pages += page
            after = page[-1]
        assert pages == _expected(project, **kwargs), kwargs


def test_the_list_shows_a_first_page_and_reads_the_rest_as_needed(qapp, project: Project, monkeypatch):
    monkeypatch.setattr(dq, "RANK_LIMIT", 5)
    monkeypatch.setattr(dq, "FETCH", 7)
    _fill(project, 60)
    model = DocumentTableModel(project, "ani")
    model.set_filter(query="berita", source="Detik")
    every = _expected(project, query="berita", source="Detik")
    assert len(every) == 20
    # a first page only (RANK_LIMIT + 1 rows), in document order, not ranked, more to come
    assert model.rowCount() == 6 and not model.complete and not model.ranked
    assert [model.doc_id(r) for r in range(6)] == every[:6]
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 13 and [model.doc_id(r) for r in range(13)] == every[:13]
    # a row past those read reads up to it; an id past them too
    assert model.row_of(every[16]) == 16 and model.rowCount() >= 17
    assert model.row_of(every[16] + 1) is None  # not a Detik article
    assert model.ids() == every and model.complete and not model.canFetchMore()
    assert model.info(19).id == every[19]


def test_few_matches_are_ranked_and_complete(qapp, project: Project):
    _fill(project, 60)
    model = DocumentTableModel(project, "ani")
    model.set_filter(query="langka", state="done")
    assert model.ranked and model.complete
    assert sorted(model.ids()) == _expected(project, query="langka", state="done") == [21, 42]
    model.set_filter(query="langka", state="skipped", source="Tempo")
    assert model.ids() == [35]
    model.set_filter(query="langka", state="skipped", source="Kompas.com")  # every third article is done
    assert model.ids() == [] and model.rowCount() == 0 and model.complete


def test_next_document_steps_past_the_rows_read(qapp, project: Project, monkeypatch):
    from annotator.gui.document_panel import DocumentPanel

    monkeypatch.setattr(dq, "RANK_LIMIT", 3)
    monkeypatch.setattr(dq, "FETCH", 3)
    _fill(project, 30)
    panel = DocumentPanel(project, "ani")
    panel.search.setText("berita")
    panel.apply_filters()
    assert panel.model.rowCount() == 4
    assert panel.neighbour(4, 1) == 5 and panel.model.rowCount() == 7
    panel.table.setModel(None)  # the view would read more pages after the project closes
    panel.deleteLater()


def test_a_version_4_project_migrates_and_its_search_and_filters_work(tmp_path):
    """A project written before the filter indexes (migration 6) opens, gets them, and its
    search still finds what it held."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    from annotator.store.migrations import migration_database

    db = migration_database(conn)
    conn.execute("BEGIN")
    for migration in MIGRATIONS[:4]:
        migration(db)
    conn.execute("PRAGMA user_version = 4")
    conn.execute("INSERT INTO documents(text, source, content_hash, created) VALUES"
                 " ('Presiden bertemu menteri.', 'Detik', 'h1', 'now'), ('Menteri lain.', 'Tempo', 'h2', 'now')")
    conn.execute("COMMIT")
    conn.close()
    with Project(path, create=False) as p:
        assert p.schema_version == SCHEMA_VERSION
        indexes = {r[0] for r in p._conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"source_documents", "status_state"} <= indexes and "status_annotator" not in indexes
        assert p.search("menteri") and sorted(p.search("menteri")) == [1, 2]
        assert p.filtered_ids_page("x", query="menteri", source="Tempo") == [2]
        plan = " ".join(str(r) for r in p._conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM documents INDEXED BY source_documents WHERE source = 'Tempo'"))
        assert "source_documents" in plan


def test_external_content_index_follows_imports_edits_and_deletes(project: Project):
    """The full-text index holds no copy of the text (external content, no positions) and
    stays in step with the documents through a bulk import (its trigger dropped and put
    back), a single add, an update and a delete."""
    from annotator.core.model import content_hash

    _fill(project, 40)  # the bulk path: the insert trigger is dropped and restored
    conn = project._conn
    fts_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'documents_fts'").fetchone()[0]
    assert 'content="documents"' in fts_sql and "detail=column" in fts_sql
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")} >= {
        "documents_ai", "documents_ad", "documents_au"}
    doc_id, _ = project.add_document(Document(text="Kabar Kompas.com tentang zirkonium."))
    assert project.search("zirkonium") == [doc_id]
    assert project.search("Kompas.com") == [doc_id]  # a word of two tokens: both, not a phrase
    assert project.filtered_ids_page("ani", query="kompas.com") == [doc_id]
    project.set_language(doc_id, "en")  # an update re-indexes the row
    assert project.search("zirkonium") == [doc_id]
    with project.transaction():
        conn.execute("DELETE FROM documents WHERE id = ?", (7,))
    assert 7 not in project.search("berita") and len(project.search("berita", limit=100)) == 39
    # FTS5's own check compares the index with the documents table
    conn.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")
    assert project.document_id_by_hash(content_hash("Kabar Kompas.com tentang zirkonium.")) == doc_id
