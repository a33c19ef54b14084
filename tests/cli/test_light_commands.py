"""Commands that need neither spaCy nor Qt do not load them (issue 12: start-up is most of a
small import), and the FTS set-up written without sqlite-utils is the one it wrote."""

import argparse
import json
import subprocess
import sys

import pytest

from annotator.cli import _command_modules, build_parser, main
from annotator.store import Project
from tests.rawdb import connection

PROBE = """
import sys
from annotator.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("spacy", "thinc", "PySide6", "sqlite_utils", "pandas", "numpy") if m in sys.modules)
print("LOADED", ",".join(heavy))
sys.exit(code)
"""


def _loaded(args, tmp_path):
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": ":".join(sys.path), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    line = [x for x in out.stdout.splitlines() if x.startswith("LOADED")][0]
    return [m for m in line.split(" ", 1)[1].split(",") if m]


def test_import_and_conll_export_load_no_spacy_qt_or_sqlite_utils(tmp_path):
    src = tmp_path / "a.jsonl"
    # an ordinary article: its language is plain from its function words (no n-gram model, no numpy)
    text = ("Presiden Joko Widodo bertemu Vladimir Putin di Moskwa. Pertemuan itu membahas kerja sama yang "
            "sudah lama dan akan diperluas dengan perjanjian baru untuk perdagangan dari kedua negara. Menurut "
            "pejabat yang hadir, mereka juga berbicara tentang keamanan di kawasan itu dan tidak ada kesepakatan "
            "lain yang diumumkan pada hari itu oleh kedua pihak.")
    spans = [{"start": text.index(w), "end": text.index(w) + len(w), "label": lab}
             for w, lab in (("Joko Widodo", "PER"), ("Moskwa", "LOC"))]
    src.write_text(json.dumps({"text": text, "annotator": "ani", "spans": spans}) + "\n", encoding="utf-8")
    db = tmp_path / "p.db"
    assert _loaded(["import", str(db), str(src)], tmp_path) == []  # a new project, migrations included
    out = tmp_path / "o.conll"
    assert _loaded(["export", str(db), "--format", "conll", "--annotator", "ani", "--out", str(out)], tmp_path) == []
    rows = [ln.split() for ln in out.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("-DOC")]
    assert [(r[0], r[-1]) for r in rows if r[-1] != "O"] == [("Joko", "B-PER"), ("Widodo", "I-PER"), ("Moskwa", "B-LOC")]


def test_fts_schema_is_what_sqlite_utils_writes(tmp_path):
    import sqlite_utils

    ref = sqlite_utils.Database(memory=True)
    ref.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, title TEXT, text TEXT, source TEXT)")
    # migration 14: the outlet is the index's third column
    ref["documents"].enable_fts(["title", "text", "source"], fts_version="FTS5", create_triggers=True,
                                tokenize="unicode61 remove_diacritics 2")
    want = {r[0]: r[1] for r in ref.execute("SELECT name, sql FROM sqlite_master WHERE name LIKE 'documents_%'")}
    # migration 7: the same external-content table without word positions (a smaller file)
    want["documents_fts"] = want["documents_fts"].replace('content="documents"\n)',
                                                          'content="documents",\n    detail=column\n)')
    assert "detail=column" in want["documents_fts"]
    with Project(tmp_path / "p.db") as p:
        got = {r[0]: r[1] for r in connection(p).execute(
            "SELECT name, sql FROM sqlite_master WHERE name LIKE 'documents_%'")}
    assert got == want and {"documents_fts", "documents_ai", "documents_ad", "documents_au"} <= set(got)


def test_each_command_module_names_the_commands_it_registers():
    # annotator.cli builds only the parser of the command given, found by each module's COMMANDS
    modules = set(_command_modules().values())
    assert len(modules) >= 9
    for module in modules:
        sub = argparse.ArgumentParser().add_subparsers()
        module.register(sub)
        assert tuple(sub.choices) == module.COMMANDS, module.__name__
    full = build_parser().format_help()
    for name in _command_modules():
        assert f"    {name} " in full or f"    {name}\n" in full, name
        # a command's own parser parses what the full one parses
        assert set(build_parser(name)._subparsers._group_actions[0].choices) == set(  # noqa: SLF001
            _command_modules()[name].COMMANDS)


def test_help_lists_every_command_and_a_command_runs_with_its_module_alone(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for name in ("import", "export", "formats", "suggest", "train", "merge", "agreement", "push", "team", "kb",
                 "screenshot", "check", "stats"):
        assert f"    {name} " in out or f"    {name}\n" in out, name
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    assert "usage: annotator import" in capsys.readouterr().out
    assert main(["formats"]) == 0
    assert "conll" in capsys.readouterr().out
