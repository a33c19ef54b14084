"""push and pull (store/sync.py): a project copied between a file and a server keeps every row
(uids, timestamps, events, decisions, links); re-runs change nothing; conflicts are reported;
one annotator's part; blind mode; a cancelled or killed copy leaves nothing half-written."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core import Document, ProjectError, Span
from annotator.core.jobs import Cancelled
from annotator.core.kb import KBEntry
from annotator.core.model import AnswerSuggestion
from annotator.formats.export import export_project
from annotator.store import Project
from annotator.store import sync as sync_mod
from annotator.store.sync import copy_project
from tests.demo import TEXT_A, TEXT_C, find, make_demo

QUOTE = '"Kami siap," kata Shoigu kepada Putin.'


def _rich(path: Path) -> Path:
    """The demo project plus two annotators' work of every kind."""
    make_demo(path)
    with Project(path) as p:
        p.add_annotator("rita", "reviewer")
        q, _ = p.add_document(Document(QUOTE, title="Kutipan", source="Antara", meta={"k": "é"}))
        sugg = p.suggestions(1)
        p.accept_suggestion(sugg[0].id, "alice")
        p.reject_suggestion(sugg[1].id, "alice")
        p.accept_suggestion(sugg[0].id, "bob", "ORG")
        shoigu = p.add_span(1, Span(*find(TEXT_A, "Shoigu", 1), "PER", note="kedua"), "alice")
        p.add_span(3, Span(*find(TEXT_C, "Myanmar"), "LOC"), "bob")
        quote = p.add_span(q, Span(0, 12, "QUOTE", "cues"), "alice")
        speaker = p.add_span(q, Span(*find(QUOTE, "Shoigu"), "PER"), "alice")
        p.add_relation(quote, speaker, "SPEAKER")
        p.set_answer(1, "alice", "stance", "FAVOR", target="Rusia")
        p.set_answer(1, "bob", "stance", "AGAINST", target="Rusia")
        p.set_status(1, "alice", "done", add_seconds=12.25)
        p.set_status(3, "bob", "in_progress", add_seconds=3.0)
        p.kb_add_entry(KBEntry("sergei-shoigu", "Sergei Shoigu", "PER", ("Shoigu",), external_ids={"wikidata": "Q1"}))
        p.kb_set_link(shoigu, "sergei-shoigu")
        p.add_assignments([(1, "alice"), (q, "alice"), (1, "bob"), (3, "bob")])
        p.set_setting("blind", "1")
        p.set_answer_suggestions(1, [AnswerSuggestion("stance", "FAVOR", 0.82, "model:stance@1",
                                                      {"FAVOR": 0.82, "AGAINST": 0.18})], "model:stance", "1")
        p.set_model_uncertainty(1, "pipeline", {"entities": (0.42, 3)}, "model:x@1")
    return path


_DUMP = {
    "documents": "SELECT text, title, source, url, published, language, meta, content_hash, original_text,"
                 " removed_lines, created FROM documents ORDER BY id",
    "annotators": "SELECT name, role, created FROM annotators ORDER BY name",
    "settings": "SELECT key, value FROM settings WHERE key != 'project_uid' ORDER BY key",
    "spans": 'SELECT d.content_hash, s.uid, s.annotator, s.layer, s.start, s."end", s.label, s.origin, s.score, s.note,'
             " s.created, s.updated FROM spans s JOIN documents d ON d.id = s.document_id ORDER BY s.uid",
    "relations": "SELECT d.content_hash, r.uid, r.annotator, r.label, r.head_uid, r.child_uid, r.origin, r.score,"
                 " r.created, r.updated FROM relations r JOIN documents d ON d.id = r.document_id ORDER BY r.uid",
    "answers": "SELECT d.content_hash, a.annotator, a.question, a.value, a.target, a.updated FROM doc_labels a"
               " JOIN documents d ON d.id = a.document_id ORDER BY d.content_hash, a.annotator, a.question",
    "status": "SELECT d.content_hash, s.annotator, s.state, s.seconds, s.updated FROM document_status s"
              " JOIN documents d ON d.id = s.document_id ORDER BY d.content_hash, s.annotator",
    "suggestions": 'SELECT d.content_hash, g.layer, g.start, g."end", g.label, g.origin, g.score, g.suggester, g.version'
                   ' FROM suggestions g JOIN documents d ON d.id = g.document_id ORDER BY d.content_hash, g.start,'
                   ' g."end", g.label',
    "decisions": 'SELECT d.content_hash, g.start, g."end", x.annotator, x.decision, s.uid, x.created'
                 " FROM suggestion_decisions x JOIN suggestions g ON g.id = x.suggestion_id JOIN documents d"
                 " ON d.id = g.document_id LEFT JOIN spans s ON s.id = x.span_id ORDER BY d.content_hash, g.start,"
                 " x.annotator",
    "answer_suggestions": "SELECT d.content_hash, g.question, g.suggester, g.value, g.score, g.scores, g.origin,"
                          " g.version, g.created FROM answer_suggestions g JOIN documents d ON d.id = g.document_id"
                          " ORDER BY d.content_hash, g.question, g.suggester",
    "model_uncertainty": "SELECT d.content_hash, u.suggester, u.layer, u.entropy, u.candidates, u.origin"
                         " FROM model_uncertainty u JOIN documents d ON d.id = u.document_id"
                         " ORDER BY d.content_hash, u.suggester, u.layer",
    "kb_entries": "SELECT id, name, label, aliases, description, external_ids, origin FROM kb_entries ORDER BY id",
    "kb_links": "SELECT span_uid, entry_id, origin, score, status FROM kb_links ORDER BY span_uid",
    "assignments": "SELECT d.content_hash, a.annotator FROM assignments a JOIN documents d ON d.id = a.document_id"
                   " ORDER BY d.content_hash, a.annotator",
    "events": "SELECT e.uid, e.ts, e.annotator, d.content_hash, e.action, e.payload FROM events e LEFT JOIN documents d"
              " ON d.id = e.document_id WHERE e.action NOT IN ('push', 'pull') ORDER BY e.id",
}


def _dump(target: str | Path, only: str | None = None) -> dict[str, list[tuple]]:
    with Project(target, create=False) as p:
        out = {k: [tuple(r) for r in p._conn.execute(sql)] for k, sql in _DUMP.items()}
    if only is not None:  # one annotator's part of a full dump
        for key, col in (("spans", 2), ("relations", 2), ("answers", 1), ("status", 1), ("decisions", 3),
                         ("assignments", 1)):
            out[key] = [r for r in out[key] if r[col] == only]
        out["annotators"] = [r for r in out["annotators"] if r[0] == only]
        out["events"] = [r for r in out["events"] if r[2] in (None, only)]
        uids = {r[1] for r in out["spans"]}
        out["kb_links"] = [r for r in out["kb_links"] if r[0] in uids]
    return out


def _export(target: str | Path, out: Path, fmt: str = "labelstudio") -> bytes:
    with Project(target, create=False) as p:
        export_project(p, fmt, out, all_annotators=True)
    return out.read_bytes()


def test_push_then_pull_keeps_every_row_and_the_export_byte_for_byte(tmp_path, pg_url):
    src = _rich(tmp_path / "src.db")
    rep = copy_project(src, pg_url)
    assert rep.new_documents == 4 and rep.spans_added == 6 and not rep.conflicts and not rep.problems
    back = tmp_path / "back.db"
    rep2 = copy_project(pg_url, back)
    assert rep2.new_documents == 4 and rep2.spans_added == 6
    want = _dump(src)
    assert want["spans"] and want["relations"] and want["decisions"] and want["kb_links"] and want["events"]
    assert want["answer_suggestions"] and want["model_uncertainty"]
    assert _dump(pg_url) == want
    assert _dump(back) == want
    for fmt in ("labelstudio", "conll"):
        assert _export(back, tmp_path / f"back.{fmt}", fmt) == _export(src, tmp_path / f"src.{fmt}", fmt)
        assert _export(pg_url, tmp_path / f"pg.{fmt}", fmt) == _export(src, tmp_path / f"src2.{fmt}", fmt)
    # re-runs change nothing and say so; the projects keep their own identities
    again = copy_project(src, pg_url)
    assert again.changes == 0 and again.summary().startswith("nothing to copy")
    assert copy_project(pg_url, back).changes == 0
    assert _dump(pg_url) == want
    with Project(src) as a, Project(pg_url) as b, Project(back) as c:
        assert len({a.get_setting("project_uid"), b.get_setting("project_uid"), c.get_setting("project_uid")}) == 3


def test_new_edits_travel_alone_and_edits_on_both_sides_are_conflicts(tmp_path, pg_url):
    src = _rich(tmp_path / "src.db")
    copy_project(src, pg_url)
    with Project(src) as p:  # alice edits in her file: one span more, one span less
        gone = next(s for s in p.spans(1, "alice") if s.note == "kedua")
        p.delete_span(gone.id)
        p.add_span(3, Span(*find(TEXT_C, "Dewan Keamanan PBB"), "ORG"), "alice")
    rep = copy_project(src, pg_url)
    assert (rep.spans_added, rep.spans_removed, rep.spans_updated) == (1, 1, 0)
    assert rep.kb_links == 0 and not rep.conflicts  # the link went with its span
    assert rep.events == 2 and rep.new_documents == 0  # delete_span, add_span
    assert _dump(pg_url)["spans"] == _dump(src)["spans"]
    # bob works on the server; pushing the file (where bob did nothing since) keeps his work
    with Project(pg_url) as p:
        p.set_status(3, "bob", "done")
    rep = copy_project(src, pg_url)
    assert rep.changes == 0 and rep.newer_there == 1 and not rep.conflicts
    with Project(pg_url) as p:
        assert p.status_record(3, "bob")[0] == "done"
    # both sides change bob's document 1: a conflict, reported, the server's version kept
    with Project(pg_url) as p:
        p.set_answer(1, "bob", "stance", "NEUTRAL")
    with Project(src) as p:
        p.set_answer(1, "bob", "stance", "FAVOR", target="Rusia")
    rep = copy_project(src, pg_url)
    [conflict] = rep.conflicts
    assert conflict.annotator == "bob" and conflict.document_id == 1 and "stance" in conflict.detail
    with Project(pg_url) as p:
        assert p.answer_records(1, "bob")["stance"][0] == "NEUTRAL"
    assert main(["push", str(src), pg_url]) == 1  # the command says so in its exit code


def test_pull_one_annotator_part_and_blind_mode_reads_only_what_alice_may(tmp_path, pg_url):
    src = _rich(tmp_path / "src.db")
    copy_project(src, pg_url)
    part = tmp_path / "alice.db"
    rep = copy_project(pg_url, part, annotator="alice")
    assert rep.documents == 2  # her assigned documents
    got, full = _dump(part), _dump(src, only="alice")
    assert got["spans"] == full["spans"] and got["answers"] == full["answers"] and got["status"] == full["status"]
    assert got["decisions"] == full["decisions"] and got["relations"] == full["relations"]
    assert got["kb_links"] == full["kb_links"] and got["annotators"] == full["annotators"]
    assert not any(r[2] == "bob" for r in got["events"])
    assert {r[7] for r in got["documents"]} == {r[0] for r in full["assignments"]}
    # as alice's own role on a team server in blind mode: she pulls what she may read, without error
    with Project(pg_url) as p:
        p.team_add("alice")
        p.team_add("bob")
    alice_url = pg_url.replace("postgres@", "alice@", 1)
    mine = tmp_path / "mine.db"
    rep = copy_project(alice_url, mine)
    assert not rep.problems and not rep.conflicts
    got = _dump(mine)
    assert got["spans"] == full["spans"] and {r[2] for r in got["events"]} <= {None, "alice"}
    assert not any("bob" in repr(r) for k, rows in got.items() if k != "settings" for r in rows)
    # she edits her file and pushes her part back as herself: the server takes it
    with Project(mine) as p:
        p.add_span(1, Span(*find(TEXT_A, "Moskwa"), "LOC"), "alice")
    rep = copy_project(mine, alice_url, annotator="alice")
    assert rep.spans_added == 1 and not rep.conflicts and not rep.problems
    assert copy_project(mine, alice_url, annotator="alice").changes == 0
    # a file holding bob's work pushed as alice: the server refuses, the message says what to do
    with Project(src) as p:
        p.add_span(3, Span(*find(TEXT_C, "Dewan Keamanan PBB"), "ORG"), "bob")
    with pytest.raises(ProjectError, match="add --annotator NAME"):
        copy_project(src, alice_url)
    with Project(pg_url) as p:
        assert [s.label for s in p.spans(3, "bob")] == ["LOC"]  # nothing of the refused push


def test_a_changed_language_travels_and_the_newer_change_wins(tmp_path, pg_url):
    src = _rich(tmp_path / "src.db")
    copy_project(src, pg_url)
    with Project(src) as p:
        p.set_language(3, "en")
    rep = copy_project(src, pg_url)
    assert rep.languages == 1 and rep.events == 1
    with Project(pg_url) as p:
        assert p.get_document(3).language == "en"
        p.set_language(3, "ms")  # changed on the server since: pushing the file again keeps it
    assert copy_project(src, pg_url).languages == 0
    with Project(pg_url) as p:
        assert p.get_document(3).language == "ms"
    copy_project(pg_url, src)
    with Project(src) as p:
        assert p.get_document(3).language == "ms"


def test_cancel_leaves_nothing_written(tmp_path, pg_url, monkeypatch):
    src = _rich(tmp_path / "src.db")
    monkeypatch.setattr(sync_mod, "BATCH", 1)
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 2  # after two batches were written into the transaction

    with pytest.raises(Cancelled):
        copy_project(src, pg_url, should_cancel=stop)
    with Project(pg_url) as p:
        assert p.count_documents() == 0 and p.annotators() == []
    calls.clear()
    with pytest.raises(Cancelled):
        copy_project(src, tmp_path / "new.db", should_cancel=stop)
    assert not (tmp_path / "new.db").exists()
    # and the next run copies everything
    assert copy_project(src, pg_url).new_documents == 4


def test_a_killed_push_leaves_the_server_as_it_was(tmp_path, pg_url):
    src = _rich(tmp_path / "src.db")
    script = textwrap.dedent(f"""
        import os, signal
        from annotator.store import sync
        sync.BATCH = 1
        def progress(done, total, what=""):
            if done == 2:
                os.kill(os.getpid(), signal.SIGKILL)
        sync.copy_project({str(src)!r}, {pg_url!r}, progress=progress)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=str(Path(__file__).parents[2]))
    assert done.returncode == -9, done.stderr
    with Project(pg_url) as p:
        assert p.count_documents() == 0
        assert p.events() == [] or all(e["action"] != "add_document" for e in p.events())
    assert copy_project(src, pg_url).new_documents == 4
    assert _dump(pg_url)["spans"] == _dump(src)["spans"]


def test_push_and_pull_commands(tmp_path, pg_url, capsys):
    src = _rich(tmp_path / "src.db")
    assert main(["push", str(src), pg_url]) == 0
    assert "copied" in capsys.readouterr().out
    assert main(["push", str(src), pg_url]) == 0
    assert "nothing to copy" in capsys.readouterr().out
    assert main(["pull", pg_url, str(tmp_path / "b.db"), "--annotator", "bob", "--json"]) == 0
    assert '"spans_added": 2' in capsys.readouterr().out
    assert main(["pull", pg_url, str(tmp_path / "c.db"), "--annotator", "nobody"]) == 1
    assert "no annotator 'nobody'" in capsys.readouterr().err
    assert not (tmp_path / "c.db").exists()
    assert main(["push", str(tmp_path / "missing.db"), pg_url]) == 1
    assert "no such project file" in capsys.readouterr().err


def test_a_server_path_hides_the_password_and_still_reopens(pg_url):
    from annotator.store.dialect import ServerURL, project_target

    url = pg_url.replace("postgres@", "postgres:s3cret@", 1) + "?connect_timeout=5"
    with Project(url) as p:
        assert isinstance(p.path, ServerURL) and "s3cret" not in str(p.path) and "s3cret" not in repr(p.path)
        assert p.path.name == p.path.stem == pg_url.rsplit("/", 1)[1]
        assert p.path.resolve() is p.path and project_target(p.path) is p.path
        with Project(p.path) as again:  # a worker thread reopens it with the full URL
            assert again.count_documents() == 0
    assert ServerURL("postgresql:///news?host=/run/pg&dbname=other").name == "other"
    assert isinstance(project_target("x.db"), Path)
