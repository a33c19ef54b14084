"""The CLI: import, stats, list, show, and the no-display message."""

import json
import os
import subprocess
import sys

import pytest

from annotator.cli import main
from tests.conftest import ROOT, SEED_FILES


def _stats(capsys, db):
    capsys.readouterr()
    assert main(["stats", str(db), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_import_seeds_twice_reports_two_documents(tmp_path, capsys):
    db = tmp_path / "x.db"
    assert main(["import", str(db), *map(str, SEED_FILES)]) == 0
    out = _stats(capsys, db)
    assert out["documents"] == 2
    assert {"documents", "annotators", "spans", "suggestions"} <= set(out)
    assert main(["import", str(db), *map(str, SEED_FILES)]) == 0
    assert _stats(capsys, db)["documents"] == 2


def test_cli_import_failure_exit_code_and_message(tmp_path, capsys):
    db = tmp_path / "x.db"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a"}\nnot json\n', encoding="utf-8")
    assert main(["import", str(db), str(bad), str(SEED_FILES[0])]) == 1
    err = capsys.readouterr().err
    assert "bad.jsonl:2" in err
    assert _stats(capsys, db)["documents"] == 1


def test_cli_list_and_show_removed(tmp_path, capsys):
    db = tmp_path / "x.db"
    main(["import", str(db), *map(str, SEED_FILES)])
    capsys.readouterr()
    assert main(["list", str(db)]) == 0
    listing = capsys.readouterr().out
    assert "Rusia Nyatakan Perkuat Hubungan Militer dengan Myanmar" in listing
    assert main(["show", str(db), "2", "--removed"]) == 0
    removed = capsys.readouterr().out
    assert "Baca juga: Baru Dibentuk" in removed and "Terkini Lainnya" in removed
    assert main(["show", str(db), "2"]) == 0
    shown = capsys.readouterr().out
    assert "MOSKWA, KOMPAS.com" in shown and "Baca juga" not in shown
    assert main(["show", str(db), "99"]) == 1
    assert "no document 99" in capsys.readouterr().err


def test_cli_no_display_says_so_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(
        [sys.executable, "-m", "annotator", str(tmp_path / "x.db")], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert "Abort" not in proc.stderr


def test_cli_python_m_and_help(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "annotator", "--help"], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0
    for cmd in ("import", "list", "show", "stats"):
        assert cmd in proc.stdout


def test_cli_gui_options_before_the_project_reach_the_gui(tmp_path, monkeypatch):
    seen = {}

    def fake_open_gui(argv):
        seen["argv"] = argv
        return 0

    monkeypatch.setattr("annotator.cli.gui_cmd.open_gui", fake_open_gui)
    assert main(["--annotator", "alice", str(tmp_path / "x.db")]) == 0
    assert seen["argv"] == ["--annotator", "alice", str(tmp_path / "x.db")]
    assert main([]) == 0 and seen["argv"] == []


def test_cli_output_into_a_closed_pipe_is_no_traceback(tmp_path):
    """'annotator show big.db 1 | head -1' must not end in a BrokenPipeError traceback."""
    from annotator.core.model import Document
    from annotator.store import Project

    db = tmp_path / "big.db"
    with Project(db) as p:  # far more than a pipe buffer holds, so the writer blocks until head exits
        p.add_document(Document(text="\n".join(f"Kalimat nomor {i} di dalam artikel." for i in range(20000))))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "annotator", "show", str(db), "1"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err
    assert proc.returncode == 1


def test_cli_import_schema_applies_to_a_new_project_only(tmp_path, capsys):
    from annotator.store import Project

    db = tmp_path / "x.db"
    # a misspelt schema must not leave a project file with the default schema behind
    assert main(["import", str(db), str(SEED_FILES[0]), "--schema", "nosuch"]) == 1
    assert "no schema file" in capsys.readouterr().err and not db.exists()
    custom = tmp_path / "custom.toml"
    custom.write_text((ROOT / "resources" / "schemas" / "news.toml").read_text(encoding="utf-8")
                      .replace('name = "news"', 'name = "custom"').replace('{ name = "MISC"', '{ name = "EVENT"'),
                      encoding="utf-8")
    assert main(["import", str(db), str(SEED_FILES[0])]) == 0
    # the project holds news-schema work: a different --schema is refused, not swapped in silently
    assert main(["import", str(db), str(SEED_FILES[1]), "--schema", str(custom)]) == 1
    assert "already uses schema 'news'" in capsys.readouterr().err
    with Project(db, create=False) as p:
        assert p.schema.name == "news" and p.count_documents() == 1
    assert main(["import", str(db), str(SEED_FILES[1]), "--schema", "news"]) == 0  # the same schema is fine
    new = tmp_path / "new.db"
    assert main(["import", str(new), str(SEED_FILES[1]), "--schema", str(custom)]) == 0
    with Project(new, create=False) as p:
        assert "EVENT" in p.schema.layer("entities").label_names


def test_cli_import_sentences_per_doc_zero_is_refused(tmp_path, capsys):
    conll = tmp_path / "a.conll"
    conll.write_text("Jokowi B-PER\nke O\nBandung B-LOC\n\nAni B-PER\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["import", str(tmp_path / "x.db"), str(conll), "--sentences-per-doc", "0"])
    assert "--sentences-per-doc: must be at least 1, not 0" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_cli_environment_errors_are_one_line(tmp_path, capsys):
    """A file where a folder must go (or no permission, a full disk) is the environment's fault: no traceback."""
    db = tmp_path / "x.db"
    assert main(["import", str(db), str(SEED_FILES[0])]) == 0
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    capsys.readouterr()
    assert main(["package", str(db), "--annotator", "ana", "--documents", "1",
                 "--out", str(blocker / "sub" / "ana.db")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("annotator: error: ") and "blocker" in err and len(err.strip().splitlines()) == 1


def test_cli_list_unknown_annotator_is_an_error(tmp_path, capsys):
    db = tmp_path / "x.db"
    f = tmp_path / "a.jsonl"
    f.write_text('{"text": "Jokowi di Jakarta.", "annotator": "alice", "status": "done"}\n', encoding="utf-8")
    assert main(["import", str(db), str(f)]) == 0
    assert main(["list", str(db), "--annotator", "alice"]) == 0
    assert "done" in capsys.readouterr().out
    assert main(["list", str(db), "--annotator", "alcie"]) == 1
    assert "no annotator 'alcie'" in capsys.readouterr().err
