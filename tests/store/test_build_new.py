"""A new project file built aside (``Project(build_new=True)``, what ``annotator import NEW.db``
uses): written once without a WAL, moved into place when its first import commits, and then
the same file an import into an existing project makes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core import InputError
from annotator.formats import import_paths
from annotator.store import Project

TEXT = "Presiden Joko Widodo bertemu Vladimir Putin di Moskwa pada hari Selasa untuk membahas kerja sama. "


def _jsonl(path: Path, n: int, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(start, start + n):
            text = f"Artikel {i}. " + TEXT * 3
            fh.write(json.dumps({"text": text, "annotator": "ani", "status": "done",
                                 "spans": [{"start": text.index("Joko"), "end": text.index("Joko") + 11,
                                            "label": "PER"}]}) + "\n")
    return path


def _dump(path: Path) -> list:
    c = sqlite3.connect(path)
    try:
        return [
            c.execute("SELECT id, text, title, language, content_hash FROM documents ORDER BY id").fetchall(),
            c.execute('SELECT document_id, annotator, layer, start, "end", label FROM spans ORDER BY id').fetchall(),
            c.execute("SELECT document_id, annotator, state FROM document_status ORDER BY document_id").fetchall(),
            c.execute("SELECT action, json_extract(payload, '$.new_documents') FROM events WHERE action = 'import'"
                      ).fetchall(),
            c.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'moskwa' ORDER BY rowid").fetchall(),
            c.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall(),
            c.execute("PRAGMA user_version").fetchone(),
        ]
    finally:
        c.close()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".building") or p.name.endswith("-journal"))


def test_import_into_a_new_file_makes_the_same_project_in_wal_mode(tmp_path):
    src = _jsonl(tmp_path / "a.jsonl", 30)
    Project(tmp_path / "old.db").close()  # an existing (empty) project: the usual way
    assert main(["import", str(tmp_path / "old.db"), str(src)]) == 0
    assert main(["import", str(tmp_path / "new.db"), str(src)]) == 0
    assert _dump(tmp_path / "new.db") == _dump(tmp_path / "old.db")
    c = sqlite3.connect(tmp_path / "new.db")
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA page_size").fetchone()[0] == 16384
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    c.close()
    assert _leftovers(tmp_path) == []
    with Project(tmp_path / "new.db") as p:
        assert p.count_documents() == 30
        assert len(p.filtered_ids_page("ani", query="moskwa")) == 30


def test_nothing_is_at_the_path_until_the_first_import_commits(tmp_path):
    path = tmp_path / "p.db"
    p = Project(path, build_new=True)
    try:
        assert not path.exists()  # built aside: a kill now leaves no project, never half of one
        [building] = [x for x in tmp_path.iterdir() if x.name.endswith(".building")]
        assert building.name.startswith(".p.db.")
        report = import_paths(p, [_jsonl(tmp_path / "a.jsonl", 5)])
        assert report.ok
        assert path.exists() and _leftovers(tmp_path) == []  # committed: in place at once
        # and the project goes on as usual (WAL, the same connection object's API)
        assert import_paths(p, [_jsonl(tmp_path / "b.jsonl", 5, start=5)]).ok
        assert p.count_documents() == 10
    finally:
        p.close()
    with Project(path) as again:
        assert again.count_documents() == 10


def test_a_failed_first_file_keeps_the_empty_project_and_the_next_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok article here"}\n{"text": ""}\n', encoding="utf-8")
    good = _jsonl(tmp_path / "good.jsonl", 4)
    assert main(["import", str(tmp_path / "p.db"), str(bad), str(good)]) == 1  # bad rolled back whole
    with Project(tmp_path / "p.db") as p:
        assert p.count_documents() == 4
    assert _leftovers(tmp_path) == []
    assert main(["import", str(tmp_path / "q.db"), str(bad)]) == 1
    with Project(tmp_path / "q.db") as p:  # as before: the project is made, with nothing in it
        assert p.count_documents() == 0
    assert _leftovers(tmp_path) == []


def test_an_error_inside_the_first_import_rolls_it_back(tmp_path):
    path = tmp_path / "p.db"
    with Project(path, build_new=True) as p:
        with pytest.raises(InputError):
            with p.bulk_import():
                p.set_setting("x", "1")
                raise InputError("stop", path)
        assert not path.exists() and p.get_setting("x") is None  # the in-memory journal rolled it back
    assert path.exists() and _leftovers(tmp_path) == []
    with Project(path) as p:
        assert p.get_setting("x") is None


def test_a_file_that_appears_meanwhile_is_never_replaced(tmp_path):
    path = tmp_path / "p.db"
    p = Project(path, build_new=True)
    Project(path).close()  # another program made the project meanwhile
    with Project(path) as other:
        other.set_setting("mine", "yes")
    report = import_paths(p, [_jsonl(tmp_path / "a.jsonl", 3)])
    p.close()
    assert not report.ok and "created by another program during this import" in report.failed[0].error
    with Project(path) as other:
        assert other.get_setting("mine") == "yes" and other.count_documents() == 0
    assert _leftovers(tmp_path) == []


def test_the_connection_after_the_move_is_opened_once_when_first_used(tmp_path):
    from tests.rawdb import connection

    path = tmp_path / "p.db"
    with Project(path, build_new=True) as p:
        assert import_paths(p, [_jsonl(tmp_path / "a.jsonl", 3)]).ok
        early = connection(p)  # kept from before the reopen
        assert early.execute("SELECT count(*) FROM documents").fetchone()[0] == 3
        assert connection(p) is not early and early.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection(p).execute("SELECT count(*) FROM documents").fetchone()[0] == 3
        p.set_status(1, "ani", "skipped")
    with Project(path, build_new=True) as again:  # the file is there: opened as usual
        assert again.status(1, "ani") == "skipped"


def test_new_uids_are_uuid_hex():
    # version 7 since issue 12's merge (time-ordered: docs/review.md); still an RFC 4122 UUID's hex
    import uuid

    from annotator.store.base import new_uid, new_uids

    uids = {new_uid() for _ in range(2000)} | set(new_uids(2000))
    assert len(uids) == 4000
    for u in list(uids)[:200]:
        parsed = uuid.UUID(hex=u)
        assert parsed.hex == u and parsed.version == 7 and parsed.variant == uuid.RFC_4122


def test_a_build_sweeps_the_files_that_killed_builds_left_but_not_a_running_one(tmp_path):
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process that has ended: its build cannot be running
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        dead = tmp_path / f".p.db.{gone.pid}-0a1b2c3d.building"
        alive = tmp_path / f".p.db.{running.pid}-0a1b2c3d.building"
        odd = tmp_path / ".p.db.notapid.building"
        other = tmp_path / f".q.db.{gone.pid}-0a1b2c3d.building"
        for f in (dead, alive, odd, other):
            f.write_bytes(b"half a file")
        assert main(["import", str(tmp_path / "p.db"), str(_jsonl(tmp_path / "in.jsonl", 3))]) == 0
        left = sorted(x.name for x in tmp_path.iterdir() if x.name.endswith(".building"))
        # the dead build's file is gone; a running build's, a name with no process and another
        # project's stay
        assert left == sorted([alive.name, odd.name, other.name])
        with Project(tmp_path / "p.db") as p:
            assert p.count_documents() == 3
    finally:
        running.kill()
        running.wait()


def test_an_import_into_a_new_name_whose_every_file_fails_makes_no_project(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Halo dunia ini teks."}\n{"text": \n', encoding="utf-8")
    new = tmp_path / "new.db"
    assert main(["import", str(new), str(bad)]) == 1
    assert not new.exists() and not _leftovers(tmp_path)
    out = capsys.readouterr()
    assert "bad.jsonl:2" in out.err and f"{new} was not created" in out.out
    # one good file among them: the project is made with it
    assert main(["import", str(new), str(bad), str(_jsonl(tmp_path / "good.jsonl", 2))]) == 1
    with Project(new) as p:
        assert p.count_documents() == 2
    # and an existing project is never removed by a failed import
    assert main(["import", str(new), str(bad)]) == 1
    with Project(new) as p:
        assert p.count_documents() == 2
