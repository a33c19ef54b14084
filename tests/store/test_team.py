"""A team on a server project: annotators are roles, and blind mode holds against ``psql``."""

from __future__ import annotations

import json
import subprocess

import psycopg
import pytest

from annotator.cli import main
from annotator.core import Document, ProjectError, Span
from annotator.store import Project
from tests.pgcluster import find_bin


def _as(url: str, role: str) -> str:
    return url.replace("postgres@", f"{role}@", 1)


def _psql(url: str, sql: str) -> str:
    psql = find_bin("psql")
    assert psql, "psql not found (it comes with the PostgreSQL client package)"
    done = subprocess.run([psql, url, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def team(pg_url):
    """A server project with annotators alice and bob, reviewer rita; bob has worked on a document."""
    with Project(pg_url) as p:
        p.team_add("alice")
        p.team_add("bob")
        p.team_add("rita", "reviewer")
        doc, _ = p.add_document(Document(text="Putin bertemu Shoigu di Kremlin", title="Rusia"))
        other, _ = p.add_document(Document(text="Banjir di Jakarta", title="Cuaca"))
        p.set_suggestions(doc, [Span(0, 5, "PER", origin="rules"), Span(14, 20, "PER", origin="rules")], "rules", "1")
        sugg = p.suggestions(doc)
    with Project(_as(pg_url, "bob")) as p:
        p.add_span(doc, Span(24, 31, "LOC", note="BOBSECRET note"), "bob")
        p.accept_suggestion(sugg[0].id, "bob")
        p.reject_suggestion(sugg[1].id, "bob")
        p.set_answer(doc, "bob", "stance", "AGAINST", target="Rusia")
        p.set_answer(doc, "bob", "note", "BOBSECRET answer")
        p.set_status(doc, "bob", "done", add_seconds=31.5)
    with Project(_as(pg_url, "alice")) as p:
        p.add_span(doc, Span(0, 5, "PER"), "alice")
    return {"url": pg_url, "doc": doc, "other": other}


def _readable(url: str) -> list[str]:
    """Every table and view the role of ``url`` may SELECT from, outside the system catalogs, plus pg_stats."""
    rows = _psql(url, "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables"
                      " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                      " AND has_table_privilege(quote_ident(table_schema) || '.' || quote_ident(table_name), 'SELECT')")
    return [r for r in rows.split() if r] + ["pg_catalog.pg_stats"]


def test_team_blind_mode_holds_against_psql(team):
    url = team["url"]
    # statistics too: ANALYZE fills pg_stats with most common values
    _psql(url, "ANALYZE")
    alice, rita = _as(url, "alice"), _as(url, "rita")
    tables = _readable(alice)
    assert {"public.spans", "public.doc_labels", "public.events", "public.document_status"} <= set(tables)
    everything_alice_reads = "".join(_psql(alice, f"SELECT * FROM {t}") for t in tables)
    assert "alice" in everything_alice_reads  # she reads her own work
    assert "bob" not in everything_alice_reads and "BOBSECRET" not in everything_alice_reads
    assert "24|31" not in _psql(alice, 'SELECT start, "end" FROM public.spans')
    # the same reads as the reviewer do show bob's work: the check above can fail
    everything_rita_reads = "".join(_psql(rita, f"SELECT * FROM {t}") for t in _readable(rita))
    assert "BOBSECRET note" in everything_rita_reads and "BOBSECRET answer" in everything_rita_reads
    assert "bob" in _psql(rita, "SELECT annotator FROM events")


def test_team_writes_are_enforced_by_the_server(team):
    url, doc = team["url"], team["doc"]
    with Project(_as(url, "alice")) as p:
        for write in (lambda: p.add_span(doc, Span(0, 5, "PER"), "bob"),
                      lambda: p.set_answer(doc, "bob", "stance", "FAVOR", target="Rusia"),
                      lambda: p.set_setting("blind", "0")):
            with pytest.raises(ProjectError, match="row-level security|permission denied"):
                write()
    with psycopg.connect(_as(url, "alice"), autocommit=True) as raw:
        for sql in ("UPDATE events SET action = 'x'", "DELETE FROM events", "DELETE FROM spans WHERE annotator = 'bob'"):
            try:
                cur = raw.execute(sql)
                assert cur.rowcount == 0, sql  # RLS: bob's rows are invisible, so untouched
            except psycopg.errors.InsufficientPrivilege:
                pass
    with Project(_as(url, "rita")) as p:
        assert len(p.spans(doc, "bob")) == 2


def test_team_blind_off_and_assignments(team):
    url, doc, other = team["url"], team["doc"], team["other"]
    alice = _as(url, "alice")
    with Project(alice) as p:
        assert p.document_ids() == [doc, other]
    with Project(_as(url, "rita")) as p:
        p.set_setting("blind", "0")
    with Project(alice) as p:
        # blind mode off: she reads bob's work
        assert {s.annotator for s in p.spans(doc)} == {"alice", "bob"}
    with Project(_as(url, "rita")) as p:
        p.add_assignments([(other, "alice")])
    with Project(alice) as p:
        # assigned one document: she sees only that one
        assert p.document_ids() == [other]


def test_team_command_add_list_remove(pg_url, capsys, tmp_path):
    assert main(["team", pg_url, "--add", "dina", "--role", "reviewer"]) == 0
    assert main(["team", pg_url, "--add", "emil"]) == 0
    capsys.readouterr()
    assert main(["team", pg_url, "--list", "--json"]) == 0
    members = json.loads(capsys.readouterr().out)
    assert {"name": "dina", "role": "reviewer"} in members and {"name": "emil", "role": "annotator"} in members
    assert main(["team", pg_url, "--remove", "emil"]) == 0
    with pytest.raises(ProjectError, match="permission denied|cannot connect"):
        Project(_as(pg_url, "emil"))
    assert main(["team", pg_url, "--remove", "emil"]) == 1
    assert "not in the team" in capsys.readouterr().err
    Project(tmp_path / "p.db").close()
    assert main(["team", str(tmp_path / "p.db"), "--list"]) == 1
    assert "needs a server project" in capsys.readouterr().err
