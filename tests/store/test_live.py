"""Live server projects: change notices heard by other sessions, blind mode kept in the notices,
concurrent sessions on one document, a lost listening connection."""

from __future__ import annotations

import json
import threading
import time

import psycopg
import pytest

from annotator.core import Document, ProjectError, Span
from annotator.store import Project
from annotator.store.live import CHANNEL, Change, ChangeListener


def _as(url: str, role: str) -> str:
    return url.replace("postgres@", f"{role}@", 1)


def _collect(listener: ChangeListener, until, seconds: float = 5.0) -> list[Change]:
    """Notices until ``until(notices)`` holds or ``seconds`` pass."""
    got: list[Change] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not until(got):
        got += listener.wait(0.2)
    return got


def test_live_a_change_is_heard_by_another_session_after_commit_only(pg_url):
    with Project(pg_url) as writer:
        doc, _ = writer.add_document(Document(text="Putin bertemu Shoigu di Kremlin"))
        with Project(pg_url) as reader:
            listener = reader.change_listener()
            assert listener is not None
            try:
                # a transaction that fails sends nothing; nothing is sent before COMMIT either
                with pytest.raises(RuntimeError):
                    with writer.transaction():
                        writer.add_span(doc, Span(0, 5, "PER"), "alice")
                        raise RuntimeError("the action fails half-way")
                assert listener.wait(0.5) == []
                writer.add_span(doc, Span(0, 5, "PER"), "alice")
                writer.set_status(doc, "alice", "done")
                got = _collect(listener, lambda g: {"spans", "status"} <= {c.kind for c in g})
                assert {(c.document_id, c.kind) for c in got} >= {(doc, "spans"), (doc, "status")}
                # the notices name the session that wrote: a window skips its own
                assert {c.pid for c in got} == {writer.session_pid} != {reader.session_pid}
                # a change made by another client than annotator (plain SQL) is heard too: triggers
                with psycopg.connect(pg_url, autocommit=True) as raw:
                    raw.execute("UPDATE documents SET title = 'Rusia' WHERE id = %s", (doc,))
                got = _collect(listener, lambda g: any(c.kind == "documents" for c in g))
                assert Change(doc, "documents", None, got[0].pid) in got
            finally:
                listener.close()
    with Project(pg_url) as again:
        assert again.spans(doc)[0].label == "PER"


def test_live_file_projects_have_no_listener(tmp_path):
    with Project(tmp_path / "p.db") as p:
        assert p.change_listener() is None and p.session_pid is None


def test_live_notices_keep_blind_mode(pg_url):
    with Project(pg_url) as owner:
        owner.team_add("alice")
        owner.team_add("bob")
        doc, _ = owner.add_document(Document(text="Putin bertemu Shoigu di Kremlin"))
    raw_payloads: list[str] = []
    with psycopg.connect(_as(pg_url, "alice"), autocommit=True) as alice:
        alice.execute(f"LISTEN {CHANNEL}")
        with Project(_as(pg_url, "bob")) as bob:
            bob.add_span(doc, Span(24, 31, "LOC", note="BOBSECRET"), "bob")
            bob.set_answer(doc, "bob", "note", "BOBSECRET answer")
            raw_payloads += [n.payload for n in alice.notifies(timeout=2, stop_after=2)]
            with Project(pg_url) as owner:
                owner.set_setting("blind", "off")
            bob.add_span(doc, Span(0, 5, "PER"), "bob")
            raw_payloads += [n.payload for n in alice.notifies(timeout=2, stop_after=2)]
    notices = [json.loads(p) for p in raw_payloads]
    # in blind mode, what alice can hear names a document and a kind only
    assert notices[:2] == [{"doc": doc, "kind": "spans", "annotator": None},
                           {"doc": doc, "kind": "answers", "annotator": None}]
    assert not any("BOBSECRET" in p or "LOC" in p or "24" in p for p in raw_payloads)
    # with blind mode off the team may read each other's work, and the notice says whose it is
    assert {"doc": doc, "kind": "spans", "annotator": "bob"} in notices[2:]


def test_live_two_annotators_on_one_document_keep_each_others_work(pg_url):
    text = "Presiden Joko Widodo bertemu Vladimir Putin di Moskwa. " * 3
    with Project(pg_url) as p:
        doc, _ = p.add_document(Document(text=text))
        p.set_suggestions(doc, [Span(i, i + 5, "PER", origin="rules") for i in range(0, 150, 10)], "rules", "1")
        suggestions = [s.id for s in p.suggestions(doc)]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(name: str) -> None:
        try:
            with Project(pg_url) as mine:
                start.wait()
                for sid in suggestions:  # both accept the same suggestions at the same moment
                    mine.accept_suggestion(sid, name)
                mine_spans = mine.spans(doc, name)
                for span in mine_spans[::2]:  # then each relabels and deletes their own
                    mine.update_span(span.id, label="ORG")
                for span in mine_spans[1::4]:
                    mine.delete_span(span.id)
                mine.set_status(doc, name, "done")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Project(pg_url) as p:
        for name in ("alice", "bob"):
            spans = p.spans(doc, name)
            assert len(spans) == len(suggestions) - len(range(1, len(suggestions), 4))
            assert sum(s.label == "ORG" for s in spans) == len(range(0, len(suggestions), 2))
            assert p.status(doc, name) == "done"


def test_live_listener_reports_a_lost_connection_and_comes_back(pg_url, pg_admin_url):
    with Project(pg_url) as p:
        doc, _ = p.add_document(Document(text="Putin di Kremlin"))
        listener = p.change_listener()
        assert listener is not None
        try:
            ChangeListener.RETRY_PAUSES = (0.1,)
            pid = listener._conn.info.backend_pid  # noqa: SLF001 - the test plays the network
            with psycopg.connect(pg_admin_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            got = _collect(listener, lambda g: any(c.kind == "reconnected" for c in g))
            assert [c.kind for c in got][-2:] == ["lost", "reconnected"] and listener.connected
            p.add_span(doc, Span(0, 5, "PER"), "alice")  # heard again after reconnecting
            assert (doc, "spans") in {(c.document_id, c.kind) for c in
                                      _collect(listener, lambda g: any(c.kind == "spans" for c in g))}
        finally:
            listener.close()
            ChangeListener.RETRY_PAUSES = (0.5, 1.0, 2.0, 5.0)
    assert listener.wait(0.1) == []


def test_live_listener_on_an_unreachable_server_says_so(pg_url):
    bad = pg_url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(ProjectError, match="cannot listen for changes"):
        ChangeListener(bad)


def test_live_a_bulk_change_is_one_notice_to_read_everything(pg_url):
    with Project(pg_url) as writer, Project(pg_url) as reader:
        listener = reader.change_listener()
        assert listener is not None
        try:
            with writer.transaction():
                for i in range(300):
                    writer.add_document(Document(text=f"Artikel nomor {i} tentang banjir di Jakarta."))
            got = _collect(listener, lambda g: any(c.kind == "many" for c in g))
            assert any(c.kind == "many" for c in got) and len(got) < 200
        finally:
            listener.close()


def test_live_an_edit_is_saved_even_when_its_notices_cannot_be_sent(pg_url):
    with Project(pg_url) as p:
        doc, _ = p.add_document(Document(text="Putin bertemu Shoigu di Kremlin"))
        with psycopg.connect(pg_url, autocommit=True) as raw:  # the notices' transaction fails after COMMIT
            raw.execute("ALTER FUNCTION annotator_flush_notices() RENAME TO gone")
        p.add_span(doc, Span(0, 5, "PER"), "alice")  # no error: the edit is committed
        p.set_status(doc, "alice", "done")
        with Project(pg_url) as other:
            assert [s.label for s in other.spans(doc)] == ["PER"] and other.status(doc, "alice") == "done"


def test_live_a_bulk_change_stops_reading_the_blind_setting_once_it_is_many(pg_url):
    """Once a transaction's notices have become "many", a changed row costs its trigger no read
    of the blind setting (it read it for every row of a bulk import before looking)."""
    with Project(pg_url) as writer, Project(pg_url) as reader:
        listener = reader.change_listener()
        assert listener is not None
        try:
            with writer.transaction():
                for i in range(600):
                    writer.add_document(Document(text=f"Artikel nomor {i} tentang banjir di Jakarta."))
                # the settings table's reads in this transaction: the triggers' look at 'blind'
                reads = writer._conn.execute(
                    "SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables"
                    " WHERE relname = 'settings'").fetchone()[0]
            assert reads < 300  # about 160 notices fit before "many"; 600 rows read it 600 times
            got = _collect(listener, lambda g: any(c.kind == "many" for c in g))
            assert any(c.kind == "many" for c in got) and len(got) < 200  # the notices are what they were
        finally:
            listener.close()


def test_live_migration_12_reinstalls_the_notice_function(pg_url, monkeypatch):
    """A server project made before migration 12 gets the reordered notice function when opened."""
    from annotator.store import project as project_module

    monkeypatch.setattr(project_module, "SCHEMA_VERSION", 11)
    with Project(pg_url) as p:
        assert p.schema_version == 11
    with psycopg.connect(pg_url, autocommit=True) as raw:  # as migration 10 left it, in substance
        raw.execute("CREATE OR REPLACE FUNCTION annotator_notice(doc bigint, kind text, who text) RETURNS void"
                    " LANGUAGE plpgsql AS $f$ BEGIN PERFORM pg_notify('annotator_changes', 'old'); END $f$")
    monkeypatch.undo()
    with Project(pg_url) as p:
        assert p.schema_version == project_module.SCHEMA_VERSION >= 12
        doc, _ = p.add_document(Document(text="Putin bertemu Shoigu di Kremlin"))
        with psycopg.connect(pg_url, autocommit=True) as raw:
            source = raw.execute("SELECT prosrc FROM pg_proc WHERE proname = 'annotator_notice'").fetchone()[0]
        assert "IF pending = many THEN" in source and "'old'" not in source
        with Project(pg_url) as reader:
            listener = reader.change_listener()
            try:
                p.add_span(doc, Span(0, 5, "PER"), "alice")
                got = _collect(listener, lambda g: any(c.kind == "spans" for c in g))
                assert (doc, "spans") in {(c.document_id, c.kind) for c in got}
            finally:
                listener.close()
