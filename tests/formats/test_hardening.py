"""Issue 16: hostile import input is one file's error with its name, never a
traceback that stops the import, and nothing is lost without a word."""

from __future__ import annotations

import json
import os

import pytest

from annotator.cli import main
from annotator.formats import import_paths
from annotator.store import Project


def test_deeply_nested_json_is_that_files_error_and_later_files_import(tmp_path, capsys):
    deep = tmp_path / "a_deep.jsonl"
    deep.write_text('{"text": "fine"}\n' + '{"text": "x", "meta": ' + "[" * 100_000 + "\n")
    studio = tmp_path / "b_deep.json"
    studio.write_text("[" * 100_000)
    good = tmp_path / "c_good.txt"
    good.write_text("Presiden Joko Widodo tiba di Jakarta.\n")
    with Project(tmp_path / "p.db") as p:
        report = import_paths(p, [deep, studio, good])
        assert [bool(f.error) for f in report.files] == [True, True, False]
        assert "a_deep.jsonl:2" in report.files[0].error and "nested too deeply" in report.files[0].error
        assert "b_deep.json" in report.files[1].error
        assert p.count_documents() == 1  # the deep file rolled back whole, the good one is in
    assert main(["import", str(tmp_path / "q.db"), str(deep), str(good)]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "1 file(s) failed" in out.out


def test_annotator_names_with_spaces_are_one_annotator(tmp_path, capsys):
    data = tmp_path / "a.jsonl"
    data.write_text(json.dumps({"text": "Joko Widodo di Jakarta.", "annotator": " bob ",
                                "spans": [{"start": 0, "end": 11, "label": "PER"}]}) + "\n")
    path = tmp_path / "p.db"
    assert main(["import", str(path), str(data)]) == 0
    txt = tmp_path / "b.txt"
    txt.write_text("Prabowo di Bandung.\n")
    assert main(["import", str(path), str(txt), "--annotator", "  bob"]) == 0
    with Project(path, create=False) as p:
        assert p.annotators() == ["bob"]
        assert len(p.spans(1, "bob")) == 1
        p.set_status(1, " bob", "done")
        assert p.status(1, "bob") == "done"
        with pytest.raises(ValueError, match="control"):
            p.add_annotator("bo\x00b")
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["import", str(path), str(txt), "--annotator", "   "])
    assert "empty" in capsys.readouterr().err


def test_an_unreadable_sub_folder_is_an_error_not_silence(tmp_path, monkeypatch):
    folder = tmp_path / "articles"
    (folder / "locked").mkdir(parents=True)
    (folder / "one.txt").write_text("Artikel satu tentang Jakarta.\n")
    (folder / "locked" / "two.txt").write_text("Artikel dua tentang Bandung.\n")
    other = tmp_path / "other.txt"
    other.write_text("Artikel lain tentang Medan.\n")
    real_scandir = os.scandir
    locked = str(folder / "locked")

    def scandir(path="."):  # root can read any folder: refuse this one as chmod 000 would
        if str(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with Project(tmp_path / "p.db") as p:
        report = import_paths(p, [folder, other])
        assert not report.ok
        assert "locked" in report.failed[0].error and "Permission denied" in report.failed[0].error
        assert p.count_documents() == 1  # the other path still imported


def test_doccano_label_as_a_string_is_refused_with_the_line(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"text": "Joko Widodo", "label": [[0, 11, "PER"]]}) + "\n"
                    + json.dumps({"text": "Prabowo", "label": "PER"}) + "\n")
    with Project(tmp_path / "p.db") as p:
        report = import_paths(p, [data], fmt="doccano")
        assert not report.ok
        assert "d.jsonl:2" in report.failed[0].error and "'label' must be a list" in report.failed[0].error


def test_csv_fields_longer_than_the_csv_module_default_import(tmp_path):
    body = "Kalimat panjang tentang Jakarta. " * 6000  # ~200,000 characters
    data = tmp_path / "long.csv"
    data.write_text('title,text\nPanjang,"' + body + '"\n')
    with Project(tmp_path / "p.db") as p:
        report = import_paths(p, [data])
        assert report.ok, report.failed
        assert len(p.get_text(1)) >= len(body.strip())


def test_import_warns_about_over_long_documents(tmp_path, monkeypatch, capsys):
    import annotator.formats.project_io as store

    monkeypatch.setattr(store, "LONG_DOCUMENT_CHARS", 5_000, raising=False)  # the real limit is 1,000,000
    long_file = tmp_path / "long.txt"
    long_file.write_text("".join(f"Kalimat ke-{i} tentang Jakarta dan Bandung.\n" for i in range(400)))
    short_file = tmp_path / "short.txt"
    short_file.write_text("Kalimat pendek.\n")
    assert main(["import", str(tmp_path / "p.db"), str(long_file), str(short_file)]) == 0
    err = capsys.readouterr().err
    assert "long.txt:1: document 1" in err and "in pieces" in err
    assert "short.txt" not in err


ENGLISH = ("Defence Minister John Smith pledged on Monday to continue support for Ukraine, according to "
           "officials, and accused Russia of attacks on civilians. He said the government was determined to act.\n")
INDONESIAN = ("Menteri Pertahanan Prabowo Subianto mengatakan pada hari Senin bahwa pemerintah akan terus "
              "mendukung perdamaian, menurut para pejabat yang menuduh pihak lain melanggar kesepakatan.\n")


def test_import_detects_the_language_of_txt_csv_and_folders(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "en.txt").write_text(ENGLISH)
    (folder / "id.txt").write_text(INDONESIAN)
    (tmp_path / "both.csv").write_text("title,text\nen," + json.dumps(ENGLISH) + "\nid," + json.dumps(INDONESIAN) + "\n")
    named = tmp_path / "named.jsonl"
    named.write_text(json.dumps({"text": ENGLISH.replace("Monday", "Tuesday"), "language": "id"}) + "\n")
    with Project(tmp_path / "p.db") as p:
        assert import_paths(p, [folder, tmp_path / "both.csv", named]).ok
        langs = [(p.get_document(i).text[:8], p.get_document(i).language) for i in p.document_ids()]
    assert langs == [("Defence ", "en"), ("Menteri ", "id"), ("Defence ", "en"), ("Menteri ", "id"),
                     ("Defence ", "id")]  # the last one named its language: kept


def test_import_language_option_names_the_language(tmp_path):
    (tmp_path / "a.txt").write_text(INDONESIAN)
    assert main(["import", str(tmp_path / "p.db"), str(tmp_path / "a.txt"), "--language", "en"]) == 0
    with Project(tmp_path / "p.db", create=False) as p:
        assert p.get_document(1).language == "en"


def test_language_detection_abstains_on_short_or_foreign_text():
    from annotator.formats.language import detect_language

    assert detect_language("Jakarta") is None
    assert detect_language("Der Bundeskanzler sagte am Montag in Berlin, dass die Regierung weiter helfen werde.") is None
    assert detect_language(ENGLISH) == "en" and detect_language(INDONESIAN) == "id"
