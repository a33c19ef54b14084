"""The project file: round trips, migrations, transactions, dedup, FTS, events."""

import sqlite3

import pytest

from annotator.core import Document, NotFoundError, OffsetError, ProjectError, SchemaError, Span
from annotator.store import SCHEMA_VERSION, Project
from tests.rawdb import connection


def test_project_migrates_an_empty_file(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    with Project(path) as p:
        assert p.schema_version == SCHEMA_VERSION
        assert p.count_documents() == 0
        assert connection(p).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for t in ("documents", "annotators", "spans", "suggestions", "doc_labels", "document_status", "events"):
        assert t in tables


def test_project_refuses_newer_schema_and_foreign_files(tmp_path):
    newer = tmp_path / "newer.db"
    Project(newer).close()
    c = sqlite3.connect(newer)
    c.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    c.close()
    with pytest.raises(ProjectError, match="newer"):
        Project(newer)
    other = tmp_path / "other.db"
    c = sqlite3.connect(other)
    c.execute("CREATE TABLE x (a)")
    c.commit()
    c.close()
    with pytest.raises(ProjectError, match="not an annotator project"):
        Project(other)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ProjectError):
        Project(junk)
    with pytest.raises(ProjectError, match="no such"):
        Project(tmp_path / "missing.db", create=False)


def test_project_documents_round_trip_and_dedup(project):
    doc = Document(text="Jokowi 🇮🇩 bertemu Putin.", title="T", source="Kompas.com", meta={"k": [1, 2]})
    doc_id, created = project.add_document(doc)
    assert created
    again, created2 = project.add_document(Document(text=doc.text, title="other title"))
    assert again == doc_id and not created2
    back = project.get_document(doc_id)
    assert back.text == doc.text and back.title == "T" and back.source == "Kompas.com"
    assert back.meta == {"k": [1, 2]}
    assert project.count_documents() == 1
    with pytest.raises(NotFoundError):
        project.get_document(999)


def test_project_spans_round_trip_update_delete(project):
    text = "Menteri Sergei Shoigu di Moskwa"
    doc_id, _ = project.add_document(Document(text=text))
    sid = project.add_span(doc_id, Span(8, 21, "PER"), "alice")
    project.add_span(doc_id, Span(25, 31, "LOC"), "bob")
    assert [s.text_in(text) for s in project.spans(doc_id, "alice")] == ["Sergei Shoigu"]
    assert project.annotators() == ["alice", "bob"]
    moved = project.update_span(sid, start=15, label="PER")
    assert moved.text_in(text) == "Shoigu"
    assert project.get_span(sid).start == 15
    removed = project.delete_span(sid)
    assert removed.start == 15
    assert project.spans(doc_id, "alice") == []
    actions = [e["action"] for e in project.events(doc_id)]
    assert actions == ["add_document", "add_span", "add_span", "update_span", "delete_span"]


def test_project_rejects_bad_spans_and_rolls_back(project):
    doc_id, _ = project.add_document(Document(text="abc def"))
    with pytest.raises(OffsetError):
        project.add_span(doc_id, Span(0, 99, "PER"), "a")
    with pytest.raises(SchemaError):
        project.add_span(doc_id, Span(0, 3, "GPE"), "a")
    # all-or-nothing: the good first span of a bad batch is not kept
    with pytest.raises(OffsetError):
        project.add_spans(doc_id, [Span(0, 3, "PER"), Span(4, 50, "LOC")], "a")
    assert project.spans(doc_id) == []


def test_project_suggestions_accept_reject_undo(project):
    text = "Putin dan Shoigu di Kremlin"
    doc_id, _ = project.add_document(Document(text=text))
    project.set_suggestions(
        doc_id, [Span(0, 5, "PER", origin="rule:x", score=0.9), Span(10, 16, "PER", origin="rule:x", score=0.5),
                 Span(20, 27, "ORG", origin="rule:x", score=0.7)], "rules", "1"
    )
    sugg = project.suggestions(doc_id)
    assert [s.text_in(text) for s in sugg] == ["Putin", "Shoigu", "Kremlin"]
    span_id = project.accept_suggestion(sugg[0].id, "alice")
    project.accept_suggestion(sugg[2].id, "alice", label="LOC")
    project.reject_suggestion(sugg[1].id, "alice")
    assert project.suggestions(doc_id, pending_for="alice") == []
    assert len(project.suggestions(doc_id, pending_for="bob")) == 3
    assert [(s.text_in(text), s.label) for s in project.spans(doc_id, "alice")] == [("Putin", "PER"), ("Kremlin", "LOC")]
    assert project.get_span(span_id).origin == "rule:x"
    project.undo_decision(sugg[0].id, "alice")
    assert [s.text_in(text) for s in project.suggestions(doc_id, pending_for="alice")] == ["Putin"]
    assert [s.label for s in project.spans(doc_id, "alice")] == ["LOC"]
    # a new run of the same suggester replaces its suggestions and records the text hash
    project.set_suggestions(doc_id, [Span(0, 5, "PER", origin="rule:x")], "rules", "2")
    assert len(project.suggestions(doc_id)) == 1
    assert project.suggestion_runs("rules")[doc_id][0] == "2"


def test_project_doc_labels_and_status(project):
    doc_id, _ = project.add_document(Document(text="x y z"))
    project.set_answer(doc_id, "alice", "stance", "AGAINST", target="Rusia")
    project.set_answer(doc_id, "alice", "stance", "FAVOR", target="Rusia")
    project.set_answer(doc_id, "bob", "note", "hard one")
    labels = project.answers(doc_id)
    assert [(x.annotator, x.question, x.value, x.target) for x in labels] == [
        ("alice", "stance", "FAVOR", "Rusia"), ("bob", "note", "hard one", None)]
    with pytest.raises(SchemaError):
        project.set_answer(doc_id, "alice", "stance", "MAYBE")
    with pytest.raises(SchemaError):
        project.set_answer(doc_id, "alice", "note", "x", target="Rusia")
    project.set_status(doc_id, "alice", "in_progress", add_seconds=3)
    project.set_status(doc_id, "alice", "done", add_seconds=4.5)
    assert project.status(doc_id, "alice") == "done"
    assert project.status(doc_id, "bob") == "todo"
    assert project.progress("alice") == (1, 1)
    seconds = connection(project).execute("SELECT seconds FROM document_status").fetchone()[0]
    assert seconds == pytest.approx(7.5)
    with pytest.raises(ValueError):
        project.set_status(doc_id, "alice", "finished")


def test_project_fts_search_and_filters(project):
    a, _ = project.add_document(Document(text="Rusia dan Myanmar memperkuat hubungan militer", title="Rusia", source="A"))
    b, _ = project.add_document(Document(text="Banjir di Jakarta", title="Cuaca", source="B"))
    assert project.search("myanmar") == [a]
    assert project.search("jakarta") == [b]
    assert project.search('"hubungan militer"') == [a]
    assert project.search("tidakada") == []
    assert project.filter_documents(source="B") == [b]
    project.set_status(b, "alice", "done")
    assert project.filter_documents("alice", state="done") == [b]
    assert project.filter_documents("alice", state="todo") == [a]
    project.set_suggestions(a, [Span(0, 5, "LOC", origin="r")], "rules", "1")
    assert project.filter_documents(has_suggestions=True) == [a]
    infos = project.document_infos([b, a], "alice")
    assert [(i.id, i.state, i.n_suggestions) for i in infos] == [(b, "done", 0), (a, "todo", 1)]


def test_project_nested_transaction_is_one_commit(project):
    doc_id, _ = project.add_document(Document(text="abc def ghi"))
    with pytest.raises(RuntimeError):
        with project.transaction():
            project.add_span(doc_id, Span(0, 3, "PER"), "a")
            project.add_span(doc_id, Span(4, 7, "PER"), "a")
            raise RuntimeError("boom")
    assert project.spans(doc_id) == []


def test_project_second_writer_gets_clear_busy_error(project_path):
    with Project(project_path) as first:
        first.add_document(Document(text="abc"))
        other = sqlite3.connect(project_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        import annotator.store.project as mod

        connection(first).execute("PRAGMA busy_timeout = 50")
        old = mod.BUSY_TIMEOUT_S
        try:
            with pytest.raises(ProjectError, match="busy"):
                first.add_document(Document(text="def"))
        finally:
            mod.BUSY_TIMEOUT_S = old
            other.execute("ROLLBACK")
            other.close()


def test_project_schema_travels_with_the_file(project_path):
    with Project(project_path) as p:
        assert p.schema.name == "news"
    with Project(project_path) as p:
        assert p.schema.layer("entities").label_names == ("PER", "ORG", "LOC", "MISC")


def test_project_set_suggestions_keeps_decisions_on_unchanged_suggestions(project):
    text = "Putin dan Shoigu di Kremlin"
    doc_id, _ = project.add_document(Document(text=text))
    first = [Span(0, 5, "PER", origin="r"), Span(10, 16, "PER", origin="r"), Span(20, 27, "ORG", origin="r")]
    project.set_suggestions(doc_id, first, "rules", "1")
    by_text = {s.text_in(text): s.id for s in project.suggestions(doc_id)}
    project.reject_suggestion(by_text["Putin"], "alice")
    project.accept_suggestion(by_text["Kremlin"], "alice")
    # a re-run: Putin and Kremlin come back unchanged, Shoigu changes label
    kept = project.set_suggestions(
        doc_id, [Span(0, 5, "PER", origin="r"), Span(10, 16, "LOC", origin="r"), Span(20, 27, "ORG", origin="r")],
        "rules", "2")
    assert kept == 2
    assert [s.text_in(text) for s in project.suggestions(doc_id, pending_for="alice")] == ["Shoigu"]
    assert len(project.suggestions(doc_id, pending_for="bob")) == 3
    decisions = project.suggestion_decisions(doc_id, "alice")
    assert sorted(decisions.values()) == ["accepted", "rejected"]


def test_set_language_forgets_the_documents_suggestion_runs(tmp_path):
    """Issue 16 item 16: the language picks the cue lexicon, so a change makes the next suggest redo it."""
    with Project(tmp_path / "lang.db") as p:
        a, _ = p.add_document(Document("Rusia menolak.", title="a"))
        b, _ = p.add_document(Document("Russia refused.", title="b"))
        assert p.unsuggested_document_ids() == [a, b]
        p.set_suggestions(b, [], suggester="memory:ani", version="1")  # an annotator's memory view only
        assert p.unsuggested_document_ids() == [a, b]
        for doc in (a, b):
            p.set_suggestions(doc, [], suggester="rules", version="1")
        assert p.unsuggested_document_ids() == []
        assert p.set_language(b, " EN ") is True
        assert p.get_document(b).language == "en" and p.get_document(a).language == "id"
        assert p.suggestion_runs("rules") == {a: p.suggestion_runs("rules")[a]}
        assert b in p.suggestion_runs("memory:ani")  # learned from decisions: kept
        assert p.unsuggested_document_ids() == [b]
        assert p.set_language(b, "en") is False  # no change: nothing forgotten, no event
        assert [e["action"] for e in p.events(b)].count("set_language") == 1
        for bad in ("", "e n", "english-uk"):
            with pytest.raises(ValueError):
                p.set_language(a, bad)
        with pytest.raises(NotFoundError):
            p.set_language(99, "en")
