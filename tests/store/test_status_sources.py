"""Migration 13: every stored state with its document's outlet (``status_sources``), kept in step
by triggers, so the document list's status-and-outlet filter reads exactly its matches from one
index range: a status and an outlet that no article has together are answered at once."""

from __future__ import annotations

import random

from annotator.core import Document
from annotator.store import Project
from tests.rawdb import connection

OUTLETS = ("Kompas", "Detik", "Tempo", "Antara")
STATES = ("todo", "in_progress", "done", "skipped")


def _derived(p: Project) -> list[tuple]:
    return sorted(connection(p).execute("SELECT annotator, document_id, state, source FROM status_sources"))


def _expected(p: Project) -> list[tuple]:
    return sorted(connection(p).execute(
        "SELECT st.annotator, st.document_id, st.state, d.source FROM document_status st"
        " JOIN documents d ON d.id = st.document_id"))


def _project(path, n: int = 60) -> Project:
    p = Project(path)
    for i in range(n):
        p.add_document(Document(text=f"Artikel {i} tentang militer dan kudeta di Jakarta.", title=f"t{i}",
                                source=OUTLETS[i % 4]))
    return p


def test_the_derived_rows_follow_every_way_a_state_or_an_outlet_changes(tmp_path):
    rnd = random.Random(3)
    with _project(tmp_path / "p.db") as p:
        conn = connection(p)
        ids = p.document_ids()
        for step in range(300):
            doc, who = rnd.choice(ids), rnd.choice(("ani", "budi", "citra"))
            kind = step % 6
            if kind in (0, 1):  # the store's upsert (insert, then update of the state)
                p.set_status(doc, who, rnd.choice(STATES))
            elif kind == 2:  # merge, sync and transfer write states with INSERT OR REPLACE
                p.set_status(doc, who, "todo")
                with p.transaction():
                    conn.execute("INSERT OR REPLACE INTO document_status(document_id, annotator, state, seconds,"
                                 " updated) VALUES (?, ?, ?, 0, 'x')", (doc, who, rnd.choice(STATES)))
            elif kind == 3:  # an outlet corrected
                with p.transaction():
                    conn.execute("UPDATE documents SET source = ? WHERE id = ?", (rnd.choice(OUTLETS), doc))
            elif kind == 4:
                with p.transaction():
                    conn.execute("DELETE FROM document_status WHERE document_id = ? AND annotator = ?", (doc, who))
            elif step % 60 == 5:  # a document deleted: its states go with it (cascade)
                with p.transaction():
                    conn.execute("DELETE FROM documents WHERE id = ?", (doc,))
                ids.remove(doc)
            assert _derived(p) == _expected(p), step
        assert len(_derived(p)) > 50


def test_status_and_outlet_pages_are_the_plain_answer_and_read_one_index(tmp_path):
    rnd = random.Random(9)
    with _project(tmp_path / "p.db", 200) as p:
        for doc in p.document_ids():
            # done only on odd ids, and Detik/Antara hold the even ones: done + Detik never meet
            state = "done" if doc % 2 else rnd.choice(("skipped", "in_progress"))
            p.set_status(doc, "ani", state)
        for query in (None, "militer", "zzz"):
            for state in ("done", "skipped", "in_progress", "todo"):
                for source in OUTLETS:
                    plain = p.filter_documents("ani", query=query, state=state, source=source)
                    got, after = [], 0
                    while page := p.filtered_ids_page("ani", query=query, state=state, source=source,
                                                      after=after, limit=7):
                        got += page
                        after = page[-1]
                    assert got == sorted(plain), (query, state, source)
        assert p.filtered_ids_page("ani", query="militer", state="done", source="Detik") == []
        plan = " ".join(r[-1] for r in connection(p).execute(
            "EXPLAIN QUERY PLAN SELECT ss.document_id FROM status_sources ss INDEXED BY status_sources_filter"
            " WHERE ss.annotator = 'ani' AND ss.state = 'done' AND ss.source = 'Kompas' AND ss.document_id > 0"
            " ORDER BY ss.document_id LIMIT 10"))
        assert "status_sources_filter" in plan and "TEMP B-TREE" not in plan  # an index range, in id order


def test_ranking_a_first_page_ranks_only_its_ids_in_the_order_of_a_full_search(tmp_path):
    with _project(tmp_path / "p.db", 40) as p:
        with p.transaction():
            connection(p).execute("UPDATE documents SET title = 'militer militer' WHERE id % 7 = 0")
        every = p.filter_documents(query="militer")
        some = sorted(every[::3])
        assert p.rank_documents("militer", some) == [i for i in every if i in set(some)]
        assert p.rank_documents("tidakada", some) == [] and p.rank_documents('"', some) == []


def test_an_older_project_gets_the_rows_of_its_stored_states(tmp_path):
    path = tmp_path / "p.db"
    with _project(path, 20) as p:
        for doc in p.document_ids()[:12]:
            p.set_status(doc, "ani", "done" if doc % 2 else "skipped")
        conn = connection(p)
        with p.transaction():  # as a project of schema 12 was
            for trigger in ("status_sources_ai", "status_sources_au", "status_sources_ad", "status_sources_source"):
                conn.execute(f"DROP TRIGGER {trigger}")
            conn.execute("DROP TABLE status_sources")
            conn.execute("PRAGMA user_version = 12")
    with Project(path) as p:
        assert p.schema_version >= 13
        assert len(_derived(p)) == 12 and _derived(p) == _expected(p)
        p.set_status(1, "budi", "done")
        assert _derived(p) == _expected(p)


def test_an_import_writes_the_rows_the_triggers_would_and_puts_the_triggers_back(tmp_path):
    import json

    from annotator.formats import import_paths

    with _project(tmp_path / "p.db", 30) as p:
        conn = connection(p)
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()
        p.set_status(1, "ani", "skipped")
        src = tmp_path / "a.jsonl"
        rows = [{"text": f"Artikel {i} tentang militer dan kudeta di Jakarta.", "source": OUTLETS[i % 4],
                 "annotator": "ani", "status": STATES[i % 4]} for i in range(40)]  # 30 stored, 10 new
        rows.append({**rows[5], "status": "done"})  # the same pair again: the last state wins
        src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        assert import_paths(p, [src]).ok
        assert conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
                            ).fetchall() == triggers
        assert _derived(p) == _expected(p) and len(_derived(p)) == 40
        assert p.status(6, "ani") == "done"
