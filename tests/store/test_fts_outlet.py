"""Migration 14: the outlet is a column of the full-text index, so a search with an outlet filter
is one FTS5 query (the index intersects the word's articles with the outlet's); the user's words
are still looked for in the title and text only."""

from __future__ import annotations

import json
import random

from annotator.core import Document
from annotator.store import Project
from annotator.store.migrations import _FTS_SQL
from tests.rawdb import connection

WORDS = ("militer", "kudeta", "jakarta", "post", "tempo", "harga", "minyak", "daily")
#: outlets whose names share words with each other and with the articles
OUTLETS = ("Tempo", "Jakarta Post", "Jakarta Post Weekly", "Post", "Kompas.com", "English Daily", "", "—")
STATES = ("todo", "in_progress", "done", "skipped")


def _pages(p: Project, **filters) -> list[int]:
    """Every id the document list would page through (7 at a time)."""
    got, after = [], 0
    while page := p.filtered_ids_page("ani", after=after, limit=7, **filters):
        got += page
        after = page[-1]
    return got


def _index_matches_documents(p: Project) -> None:
    # FTS5's own check of an external-content index against the table it indexes (rank 1)
    connection(p).execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")


def test_an_outlets_name_is_not_found_by_a_plain_search(project):
    tempo_text, _ = project.add_document(Document(text="Majalah tempo menulis.", title="Satu", source="Kompas"))
    only_outlet, _ = project.add_document(Document(text="Berita militer.", title="Dua", source="Tempo"))
    project.add_document(Document(text="Berita lain.", title="Tiga", source="Jakarta Post"))
    assert project.filter_documents(query="Tempo") == [tempo_text]
    assert project.filtered_ids_page("ani", query="tempo") == [tempo_text]
    assert project.rank_documents("tempo", [tempo_text, only_outlet]) == [tempo_text]
    assert project.filtered_ids_page("ani", query="jakarta post") == []
    assert project.filtered_ids_page("ani", query="militer", source="Tempo") == [only_outlet]
    assert project.filtered_ids_page("ani", query="tempo", source="Tempo") == []
    assert project.filtered_ids_page("ani", query="tempo", source="Kompas") == [tempo_text]


def test_search_and_outlet_pages_are_the_plain_filter_on_random_articles(project):
    rnd = random.Random(14)
    docs: dict[int, tuple[set[str], str, str]] = {}
    for i in range(150):
        title = " ".join(rnd.choices(WORDS, k=2))
        text = f"{' '.join(rnd.choices(WORDS, k=rnd.randint(0, 5)))} nomor{i}."
        source = rnd.choice(OUTLETS)
        doc, _ = project.add_document(Document(text=text, title=title, source=source))
        state = rnd.choice(STATES + (None,))
        if state:
            project.set_status(doc, "ani", state)
        docs[doc] = (set(f"{title} {text}".replace(".", " ").split()), source, state or "todo")
    for query in ("militer", "jakarta post", "tempo", "daily kudeta", "nomor7", "zzz"):
        for source in OUTLETS[:-2] + ("Jakarta",):
            for state in (None, "done", "todo"):
                want = [d for d, (words, src, st) in sorted(docs.items())
                        if set(query.split()) <= words and src == source and state in (None, st)]
                got = _pages(project, query=query, source=source, state=state)
                assert got == want, (query, source, state)
                assert sorted(project.filter_documents("ani", query=query, source=source, state=state)) == want
    assert _pages(project, query="militer", source="Jakarta Post")  # the case is not vacuous


def _fill(tmp_path, n: int = 40) -> Project:
    p = Project(tmp_path / "p.db")
    rnd = random.Random(5)
    for i in range(n):
        doc, _ = p.add_document(Document(text=f"{' '.join(rnd.choices(WORDS, k=4))} nomor{i}.", title=f"t{i}",
                                         source=rnd.choice(OUTLETS)))
        if i % 3:
            p.set_status(doc, "ani", rnd.choice(STATES))
    return p


def _answers(p: Project) -> dict[tuple, list[int]]:
    return {(q, s, st): _pages(p, query=q, source=s, state=st)
            for q in ("militer", "post", "tempo jakarta") for s in (None,) + OUTLETS[:-2] for st in (None, "done")}


def test_a_project_of_schema_13_gets_the_outlet_in_its_index_and_the_same_answers(tmp_path):
    with _fill(tmp_path) as p:
        before = _answers(p)
        conn = connection(p)
        with p.transaction():  # the index as schema 13 had it: title and text
            for trigger in ("documents_ai", "documents_ad", "documents_au"):
                conn.execute(f"DROP TRIGGER {trigger}")
            conn.execute("DROP TABLE documents_fts")
            conn.execute(_FTS_SQL[0].replace('content="documents"\n)', 'content="documents",\n    detail=column\n)'))
            conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
            for statement in _FTS_SQL[1:]:
                conn.execute(statement)
            conn.execute("PRAGMA user_version = 13")
    with Project(tmp_path / "p.db") as p:
        assert p.schema_version >= 14
        _index_matches_documents(p)
        assert connection(p).execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH"
                                     " 'source : (jakarta post)'").fetchone()[0] > 0
        assert _answers(p) == before
        with p.transaction():  # the triggers keep the outlet in step
            connection(p).execute("UPDATE documents SET source = 'Tempo' WHERE id % 2 = 0")
            connection(p).execute("DELETE FROM documents WHERE id % 5 = 0")
        _index_matches_documents(p)


def test_a_bulk_import_and_a_merge_index_the_outlet(tmp_path):
    from annotator.formats import import_paths
    from annotator.review.merge import merge_projects

    src = tmp_path / "a.jsonl"
    rows = [{"text": f"Artikel {i} tentang militer.", "title": f"t{i}", "source": OUTLETS[i % 6]} for i in range(50)]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with Project(tmp_path / "a.db") as p:
        assert import_paths(p, [src]).ok  # 50 rows: the bulk path (trigger off, one fill)
        _index_matches_documents(p)
        assert _pages(p, query="militer", source="Post") == [i + 1 for i in range(50) if i % 6 == 3]
    merge_projects(tmp_path / "review.db", [tmp_path / "a.db"])
    with Project(tmp_path / "review.db") as r:
        _index_matches_documents(r)
        assert r.filter_documents(query="militer", source="Jakarta Post")
        assert sorted(r.filter_documents(query="militer", source="Jakarta Post")) == \
            _pages(r, query="militer", source="Jakarta Post")
