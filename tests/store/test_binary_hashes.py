"""Migration 16: content hashes are stored as the SHA-256's 32 bytes (a BLOB in a file, ``bytea``
on a server) and still deduplicate imports, match documents across files in a merge, and read
as 64 hex digits everywhere a caller, an export or an event payload sees them."""

from __future__ import annotations

import json
import sqlite3

import psycopg

from annotator.core import Document, Span
from annotator.core.model import content_hash
from annotator.formats import import_paths
from annotator.review.merge import merge_projects
from annotator.store import SCHEMA_VERSION, Project
from tests.rawdb import connection

TEXTS = ["Jokowi bertemu Putin di Moskow.", "Shoigu mengecam NATO di Brussel.", "Hanya di file B.",
         "Kabar ketiga tentang zirkonium."]


def _stored_kinds(p: Project) -> set[str]:
    """The storage classes of every stored content hash (documents and suggestion runs)."""
    conn = connection(p)
    return {r[0] for r in conn.execute("SELECT typeof(content_hash) FROM documents UNION"
                                       " SELECT typeof(content_hash) FROM suggestion_runs")}


def _as_schema_15(path) -> None:
    """Put the file back as schema 15 stored it: hex text hashes (the FTS triggers untouched)."""
    with Project(path) as p:
        conn = connection(p)
        with p.transaction():
            conn.execute("UPDATE documents SET content_hash = lower(hex(content_hash))")
            conn.execute("UPDATE suggestion_runs SET content_hash = lower(hex(content_hash))")
            conn.execute("PRAGMA user_version = 15")
        assert _stored_kinds(p) == {"text"}


def _fill(path) -> dict[str, int]:
    with Project(path) as p:
        p.add_annotator("ani")
        ids = {}
        for t in TEXTS[:3]:
            ids[t], _ = p.add_document(Document(text=t, title=t[:12], source="Tempo"))
            p.add_span(ids[t], Span(0, 6, "PER"), "ani")
            p.set_status(ids[t], "ani", "done")
        p.set_suggestions(ids[TEXTS[0]], [Span(7, 14, "LOC")], "rules", "v1")
        return ids


def test_new_hashes_are_32_bytes_and_read_as_hex(tmp_path):
    project = Project(tmp_path / "p.db")
    doc, created = project.add_document(Document(text=TEXTS[0], title="a"))
    assert created
    assert _stored_kinds(project) == {"blob"}
    assert connection(project).execute("SELECT length(content_hash) FROM documents").fetchone()[0] == 32
    assert project.document_hashes() == [(doc, "id", content_hash(TEXTS[0]))]
    assert project.document_id_by_hash(content_hash(TEXTS[0])) == doc
    assert project.document_id_by_hash(content_hash(TEXTS[0]).upper()) == doc
    assert project.document_id_by_hash("not a hash") is None
    assert project.known_hashes([content_hash(TEXTS[0]), content_hash(TEXTS[1])]) == {content_hash(TEXTS[0]): doc}
    # the same text again is the same document; its event shows the hex hash
    assert project.add_document(Document(text=TEXTS[0], title="again")) == (doc, False)
    added = [e for e in project.events() if e["action"] == "add_document"]
    assert [e["payload"]["content_hash"] for e in added] == [content_hash(TEXTS[0])]
    project.set_suggestions(doc, [Span(0, 6, "PER")], "rules", "v1")
    assert project.suggestion_runs("rules") == {doc: ("v1", content_hash(TEXTS[0]))}


def test_a_project_of_schema_15_gets_binary_hashes_and_keeps_its_answers(tmp_path):
    path = tmp_path / "old.db"
    ids = _fill(path)
    with Project(path) as p:
        runs, fts = p.suggestion_runs("rules"), p.search("bertemu")
        trigger = connection(p).execute("SELECT sql FROM sqlite_master WHERE name = 'documents_au'").fetchone()
    _as_schema_15(path)
    with sqlite3.connect(path) as raw:  # a hand-made row (not through Project: that would migrate the file)
        raw.execute("INSERT INTO documents(text, content_hash, created) VALUES ('Dibuat tangan.', 'h1', 'now')")
    raw.close()
    with Project(path) as p:
        assert p.schema_version == SCHEMA_VERSION
        conn = connection(p)
        assert _stored_kinds(p) == {"blob"}
        # every hash is its text's (the hand-made 'h1' too), read back as hex
        assert {h for _, _, h in p.document_hashes()} == {content_hash(t) for t in (*TEXTS[:3], "Dibuat tangan.")}
        assert p.suggestion_runs("rules") == runs == {ids[TEXTS[0]]: ("v1", content_hash(TEXTS[0]))}
        # the index's update trigger is back as it was, and the index still matches the table
        assert conn.execute("SELECT sql FROM sqlite_master WHERE name = 'documents_au'").fetchone() == trigger
        conn.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")
        assert p.search("bertemu") == fts
        # still one document per text: adding or importing a stored text adds nothing
        assert p.add_document(Document(text=TEXTS[1])) == (ids[TEXTS[1]], False)
        src = tmp_path / "more.jsonl"
        src.write_text("".join(json.dumps({"text": t, "title": "x"}) + "\n" for t in TEXTS), encoding="utf-8")
        before = p.count_documents()
        report = import_paths(p, [src], clean=False)
        assert report.ok and p.count_documents() == before + 1
        assert p.document_id_by_hash(content_hash(TEXTS[3])) is not None
        assert conn.execute("SELECT count(*) FROM documents WHERE typeof(content_hash) <> 'blob'").fetchone()[0] == 0


def test_merge_matches_an_older_files_documents_by_hash(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    _fill(a)
    with Project(b) as p:
        p.add_annotator("budi")
        for t in (TEXTS[3], TEXTS[1]):
            doc, _ = p.add_document(Document(text=t, title=t[:12]))
            p.add_span(doc, Span(0, 6, "PER"), "budi")
    _as_schema_15(b)  # merge opens (and so migrates) each source before attaching it
    review = tmp_path / "review.db"
    report = merge_projects(review, [a, b])
    assert report.conflicts == []
    with Project(review) as p:
        assert p.count_documents() == 4
        shared = p.document_id_by_hash(content_hash(TEXTS[1]))
        assert sorted(s.annotator for s in p.spans(shared)) == ["ani", "budi"]
        # the review's own add_document events and those merged from the sources: hex, one text each
        added = {e["payload"]["content_hash"] for e in p.events() if e["action"] == "add_document"}
        assert added == {content_hash(t) for t in TEXTS}
        assert _stored_kinds(p) == {"blob"}
    # again: nothing new (the review's and the sources' hashes are alike)
    assert merge_projects(review, [a, b]).totals()["new_documents"] == 0


def test_salvage_of_an_older_file_stores_binary_hashes(tmp_path):
    from annotator.store.check import salvage_project

    path = tmp_path / "old.db"
    ids = _fill(path)
    _as_schema_15(path)
    salvage_project(path, tmp_path / "copy.db")
    with Project(tmp_path / "copy.db") as p:
        assert _stored_kinds(p) == {"blob"}
        assert p.document_id_by_hash(content_hash(TEXTS[2])) == ids[TEXTS[2]]


def _server_as_schema_15(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as raw:
        raw.execute("ALTER TABLE documents ALTER COLUMN content_hash TYPE text USING encode(content_hash, 'hex')")
        raw.execute("ALTER TABLE suggestion_runs ALTER COLUMN content_hash TYPE text"
                    " USING encode(content_hash, 'hex')")
        raw.execute("INSERT INTO documents(text, content_hash, created) VALUES ('Dibuat tangan.', 'h1', 'now')")
        raw.execute("UPDATE schema_version SET version = 15")


def test_hashes_on_both_backends(target):
    with Project(target) as p:
        p.add_annotator("ani")
        doc, _ = p.add_document(Document(text=TEXTS[0], title="a"))
        p.set_suggestions(doc, [Span(0, 6, "PER")], "rules", "v1")
        assert p.add_document(Document(text=TEXTS[0])) == (doc, False)
        assert p.document_hashes() == [(doc, "id", content_hash(TEXTS[0]))]
        assert p.known_hashes([content_hash(TEXTS[0])]) == {content_hash(TEXTS[0]): doc}
        assert p.suggestion_runs("rules") == {doc: ("v1", content_hash(TEXTS[0]))}
        assert [e["payload"]["content_hash"] for e in p.events() if e["action"] == "add_document"] == [
            content_hash(TEXTS[0])]
    if isinstance(target, str):  # the server: stored as bytea; an older server project is converted
        with psycopg.connect(target) as raw:
            kinds = raw.execute("SELECT table_name, data_type FROM information_schema.columns"
                                " WHERE column_name = 'content_hash' ORDER BY table_name").fetchall()
            assert kinds == [("documents", "bytea"), ("suggestion_runs", "bytea")]
        _server_as_schema_15(target)
        with Project(target) as p:
            assert p.schema_version == SCHEMA_VERSION
            assert p.document_id_by_hash(content_hash(TEXTS[0])) == doc
            assert p.document_id_by_hash(content_hash("Dibuat tangan.")) is not None
            assert p.suggestion_runs("rules") == {doc: ("v1", content_hash(TEXTS[0]))}
            assert p.add_document(Document(text=TEXTS[0])) == (doc, False)


def test_content_hashes_of_given_documents_on_both_backends(target):
    with Project(target) as p:
        first, _ = p.add_document(Document(text=TEXTS[0], title="a"))
        second, _ = p.add_document(Document(text=TEXTS[1], title="b"))
        assert p.content_hashes([second, first, first]) == {first: content_hash(TEXTS[0]),
                                                            second: content_hash(TEXTS[1])}
        # ids that are not there are left out; more ids than one query takes (900) go in several
        assert p.content_hashes([*range(-950, 0), second]) == {second: content_hash(TEXTS[1])}
        assert p.content_hashes([]) == {}
