"""Issue 16: damaged, foreign, read-only and full project files get a clear
error (never a raw sqlite message or a traceback), nothing is changed before a
file is known to be a project, and what can be read can be recovered."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core import Document, ProjectError, Span
from annotator.store import Project
from tests.rawdb import connection


def check_project(path):
    from annotator.store.check import check_project as check  # imported late: the old code has no check

    return check(path)


def salvage_project(path, out):
    from annotator.store.check import salvage_project as salvage

    return salvage(path, out)


def _make(path: Path, n: int = 40) -> Path:
    with Project(path) as p:
        for i in range(n):
            doc_id, _ = p.add_document(Document(text=f"Article {i}: Joko Widodo visited Jakarta today.", title=f"t{i}"))
            p.add_span(doc_id, Span(10 + len(str(i)), 21 + len(str(i)), "PER"), "alice")
    return path


def test_search_with_fts_syntax_never_raises(project):
    project.add_document(Document(text='He said "no" to the AND/OR question (again)*.'))
    for query in ['"', '""', 'a"b', "(", "NEAR(", "*", "no AND", '"no']:
        assert isinstance(project.search(query), list)
    assert project.search('"no') == project.search("no") != []


def test_a_foreign_sqlite_file_is_refused_before_anything_changes(tmp_path):
    other = tmp_path / "other.db"
    c = sqlite3.connect(other)
    c.execute("CREATE TABLE x (a)")
    c.commit()
    c.close()
    before = other.read_bytes()
    with pytest.raises(ProjectError, match="not an annotator project"):
        Project(other)
    assert other.read_bytes() == before  # not switched to WAL
    assert sqlite3.connect(other).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_damaged_user_version_is_a_clear_error(tmp_path):
    path = _make(tmp_path / "p.db", 2)
    c = sqlite3.connect(path)
    c.execute("PRAGMA user_version = -1")
    c.close()
    with pytest.raises(ProjectError, match="damaged"):
        Project(path)
    assert main(["stats", str(path)]) == 1


def _flip_text(path: Path, needle: bytes) -> None:
    data = bytearray(path.read_bytes())
    at = data.find(needle)
    assert at > 0
    data[at : at + 3] = b"\xff\xfe\xff"
    path.write_bytes(bytes(data))


def test_byte_flips_in_text_are_a_clear_error_and_salvage_keeps_the_rest(tmp_path, capsys):
    path = _make(tmp_path / "p.db")
    _flip_text(path, b"Article 17:")
    with Project(path) as p:
        with pytest.raises(ProjectError, match="damaged"):
            p.get_document(18)
        assert p.get_text(17).startswith("Article 16")
    assert main(["show", str(path), "18"]) == 1
    assert "damaged" in capsys.readouterr().err
    report = check_project(path)
    assert not report.ok and any("document 18" in p for p in report.problems)
    out = tmp_path / "saved.db"
    assert main(["check", str(path), "--salvage", str(out)]) == 0
    with Project(out, create=False) as saved:
        assert saved.count_documents() == 40
        assert len(saved.spans(5, "alice")) == 1
        assert "\ufffd" in saved.get_text(18)  # the damaged bytes are marked, the rest of the text is there


def _damage_index(path: Path, index: str) -> None:
    c = sqlite3.connect(path)
    page = c.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
    size = c.execute("PRAGMA page_size").fetchone()[0]
    c.close()
    data = bytearray(path.read_bytes())
    for k in range(12, 40):
        data[(page - 1) * size + k] ^= 0x55
    path.write_bytes(bytes(data))


def test_a_damaged_index_is_found_on_open_and_check_says_what_to_do(tmp_path, capsys):
    path = _make(tmp_path / "p.db")
    _damage_index(path, "spans_doc")
    with pytest.raises(ProjectError, match="annotator check"):
        Project(path)
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "--salvage" in err
    out = tmp_path / "saved.db"
    report = salvage_project(path, out)
    assert report.copied["spans"] == 40 and report.copied["documents"] == 40
    assert check_project(out).ok
    with Project(out, create=False) as saved:
        assert len(saved.spans(3, "alice")) == 1
        # the salvaged file's full-text index (external content) is built from the copied documents
        assert sorted(saved.search("Jakarta", limit=100)) == list(range(1, 41))
        connection(saved).execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")


def test_check_on_a_sound_file_and_salvage_never_overwrites(tmp_path, capsys):
    path = _make(tmp_path / "p.db", 3)
    assert main(["check", str(path)]) == 0
    assert "ok" in capsys.readouterr().out
    existing = tmp_path / "there.db"
    existing.write_text("keep me")
    assert main(["check", str(path), "--salvage", str(existing)]) == 1
    assert existing.read_text() == "keep me"


def test_disk_full_is_reported_as_disk_full_not_cannot_rollback(tmp_path):
    path = _make(tmp_path / "p.db", 2)
    with Project(path) as p:
        with pytest.raises(ProjectError, match="disk is full"):
            with p.transaction():
                connection(p).execute("INSERT INTO settings(key, value) VALUES ('x', 'y')")
                # what SQLite does on SQLITE_FULL: the transaction is already rolled back
                connection(p).execute("ROLLBACK")
                raise sqlite3.OperationalError("database or disk is full")
        assert p.get_setting("x") is None
        p.set_setting("x", "z")  # the connection still works
        assert p.get_setting("x") == "z"


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def readonly_folder(tmp_path):
    """A folder holding a project that cannot be written: a read-only bind
    mount as root (root ignores file modes), the folder's mode otherwise."""
    src = tmp_path / "src"
    src.mkdir()
    _make(src / "p.db", 5)
    if os.geteuid() != 0:
        os.chmod(src / "p.db", 0o444)
        os.chmod(src, 0o555)
        yield src
        os.chmod(src, 0o755)
        return
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if not (_mount("--bind", str(src), str(mnt)) and _mount("-o", "remount,bind,ro", str(mnt))):
        subprocess.run(["umount", str(mnt)], capture_output=True)
        pytest.fail("running as root but cannot bind-mount read-only: the read-only test needs it")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=True)


def test_read_only_project_works_for_reading_commands(readonly_folder, tmp_path, capsys):
    path = readonly_folder / "p.db"
    assert main(["stats", str(path)]) == 0
    assert "documents: 5" in capsys.readouterr().out
    assert main(["list", str(path)]) == 0
    out = tmp_path / "out.jsonl"
    assert main(["export", str(path), "--format", "jsonl", "--out", str(out), "--all-annotators"]) == 0
    assert len(out.read_text().splitlines()) == 5
    with Project(path, create=False) as p:
        assert p.readonly
        with pytest.raises(ProjectError, match="read-only"):
            p.add_annotator("bob")
    capsys.readouterr()
    article = tmp_path / "a.txt"
    article.write_text("A new article about Bandung.\n")
    assert main(["import", str(path), str(article)]) == 1
    assert "read-only" in capsys.readouterr().err
    assert main(["import", str(readonly_folder / "new.db"), str(article)]) == 1
    assert "read-only" in capsys.readouterr().err


def test_a_real_full_disk_keeps_the_project_whole(tmp_path, capsys):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the simulated disk-full test covers the message")
    mnt = tmp_path / "small"
    mnt.mkdir()
    src = _make(tmp_path / "p.db", 20)
    size = src.stat().st_size + 96 * 1024
    if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)):
        pytest.fail("running as root but cannot mount a tmpfs")
    try:
        shutil.copy(src, mnt / "p.db")
        big = tmp_path / "big.jsonl"
        big.write_text("".join(json.dumps({"text": f"Unique {i} text " * 300}) + "\n" for i in range(200)))
        assert main(["import", str(mnt / "p.db"), str(big)]) == 1
        assert "disk is full" in capsys.readouterr().err
        assert check_project(mnt / "p.db").ok
        with Project(mnt / "p.db", create=False) as p:
            assert p.count_documents() == 20
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_a_damaged_table_definition_is_a_clear_error_and_salvage_reads_the_rest(tmp_path, capsys):
    path = _make(tmp_path / "p.db", 10)
    data = bytearray(path.read_bytes())
    at = data.find(b"tablesettingssettings")  # the sqlite_master row of table settings
    assert at > 0
    data[at + 7 : at + 9] = b"\xd4\x41"  # SQLite's complaint now quotes bytes that are not UTF-8
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match="damaged"):
        Project(path)
    assert main(["stats", str(path)]) == 1
    assert main(["check", str(path)]) == 1
    out = tmp_path / "saved.db"
    assert main(["check", str(path), "--salvage", str(out)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    with Project(out, create=False) as saved:
        assert saved.count_documents() == 10
        assert len(saved.spans(4, "alice")) == 1


def test_a_damaged_stored_schema_is_a_clear_error_and_salvage_opens(tmp_path, capsys):
    # a byte flip inside the stored label schema (settings 'schema', JSON) once gave a
    # JSONDecodeError traceback on every command while 'check' said ok
    path = _make(tmp_path / "p.db", 3)
    c = sqlite3.connect(path)
    stored = c.execute("SELECT value FROM settings WHERE key = 'schema'").fetchone()[0]
    c.execute("UPDATE settings SET value = ? WHERE key = 'schema'", (stored.replace('"colour"', '?colour"', 1),))
    c.commit()
    c.close()
    with pytest.raises(ProjectError, match="annotator check"):
        Project(path, create=False)
    assert main(["stats", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "label schema" in err
    report = check_project(path)
    assert not report.ok and any("label schema" in p for p in report.problems)
    out = tmp_path / "saved.db"
    assert main(["check", str(path), "--salvage", str(out)]) == 0
    with Project(out, create=False) as saved:  # the damaged setting is left behind; the default schema serves
        assert saved.count_documents() == 3
        assert len(saved.spans(2, "alice")) == 1


def test_check_on_a_foreign_sqlite_file_says_not_a_project_not_damaged(tmp_path, capsys):
    # 'check' once called another program's SQLite file damaged (schema version 0) and advised a salvage
    path = tmp_path / "other.db"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE t(x)")
    c.commit()
    c.close()
    before = path.read_bytes()
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr()
    text = err.out + err.err
    assert "not an annotator project" in text and "['t']" in text
    assert "damaged" not in text and "--salvage" not in text
    assert path.read_bytes() == before
