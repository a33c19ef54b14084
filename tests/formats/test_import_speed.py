"""What the import's fast paths (issue 12) must keep: JSONL lines read by orjson give what
the json module gave (and its errors), a document copy keeps every field, the language of
each document is still its own, and the page cache is put back after a file."""

from __future__ import annotations

import dataclasses
import json

import pytest

from annotator.core.errors import InputError
from annotator.core.model import Document
from annotator.formats import import_paths
from annotator.formats.base import iter_json_lines
from annotator.formats.language import QUICK_CHARS, detect_language
from annotator.formats.project_io import _with
from tests.rawdb import connection

INDONESIAN = ("Presiden Joko Widodo mengatakan bahwa pemerintah akan terus mendukung kerja sama dengan "
              "negara tetangga, dan ini juga untuk keamanan kawasan yang lebih baik pada tahun ini. ")
ENGLISH = ("The minister said on Monday that the government was determined to act, and that the aid "
           "would arrive in the coming weeks, as it has been planned with the allies of the country. ")


def test_lines_read_as_the_json_module_reads_them(tmp_path):
    lines = [
        '{"text": "a", "n": 1, "f": 1.5e300, "u": "\\u00e9\\ud83d\\ude00", "nested": {"x": [1, null, true]}}',
        '{"text": "big", "n": 123456789012345678901234567890, "neg": -9223372036854775809}',  # beyond 64 bits
        '{"text": "nan", "score": NaN, "inf": Infinity}',  # json accepts these, orjson does not
        '{"text": "lone \\ud800 surrogate"}',
        "   ",  # blank lines are skipped
        "\u00a0",  # a no-break space only: blank too (str.strip), though orjson refuses it
        '{"text": "last", "k": 1, "k": 2}',
    ]
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = list(iter_json_lines(path))
    want = [(i, json.loads(line)) for i, line in enumerate(lines, start=1) if line.strip()]
    assert [n for n, _ in got] == [n for n, _ in want] == [1, 2, 3, 4, 7]
    for (_, a), (_, b) in zip(got, want, strict=True):
        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert type(got[1][1]["n"]) is int and got[1][1]["n"] == 123456789012345678901234567890


@pytest.mark.parametrize(("line", "message"), [
    ('{"text": "a",}', "broken JSON (Expecting property name enclosed in double quotes at column 14)"),
    ('["a list"]', "each line must be a JSON object"),
    ('{"text": "a"', "broken JSON (Expecting ',' delimiter at column 13)"),
])
def test_errors_name_the_line_as_before(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "first"}\n{"text": "second"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(iter_json_lines(path))
    assert err.value.line == 3 and message in str(err.value)


def test_a_bad_utf8_byte_is_named_with_its_offset(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "first"}\n{"text": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r"byte 0xe9 at offset 31") as err:
        list(iter_json_lines(path))
    assert err.value.line == 2


def test_a_document_copy_keeps_every_field():
    values = {"text": "teks", "title": "t", "source": "s", "url": "u", "published": "2021", "language": "en",
              "meta": {"k": 1}, "id": 7, "original_text": "asli", "removed_lines": ("x",)}
    assert set(values) == {f.name for f in dataclasses.fields(Document)}, "a new Document field: pass it in _with"
    copy = _with(Document(**values), "judul", "id")
    assert dataclasses.asdict(copy) == {**values, "title": "judul", "language": "id"}


def test_each_document_keeps_its_own_language_in_a_long_file(project, tmp_path):
    """An English article among Indonesian ones, and one whose first characters are not clear."""
    rows = [{"text": f"{INDONESIAN * 3} Nomor {i}."} for i in range(40)]
    rows[25] = {"text": ENGLISH * 3}
    # the quick look at the first QUICK_CHARS characters sees only numbers: the longer sample decides
    rows[30] = {"text": " ".join(str(n) for n in range(QUICK_CHARS // 3)) + " " + ENGLISH * 4}
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert import_paths(project, [path]).ok
    langs = [project.get_document(i).language for i in project.document_ids()]
    assert langs[25] == "en" and langs[30] == "en"
    assert langs.count("id") == 38
    assert detect_language(rows[30]["text"]) == "en"


def test_page_cache_is_put_back_after_an_import(project, tmp_path):
    conn = connection(project)
    before = conn.execute("PRAGMA main.cache_size").fetchone()[0]
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps({"text": f"Artikel nomor {i} di Jakarta."}) + "\n" for i in range(30)))
    assert import_paths(project, [path]).ok
    assert conn.execute("PRAGMA main.cache_size").fetchone()[0] == before


def test_languages_told_by_the_worker_are_the_ones_detected_here(project, tmp_path, monkeypatch):
    """Batches of 4: the worker process tells the languages of the next batch while one is stored."""
    import threading

    from annotator.formats import project_io
    from annotator.formats.language import detect_language

    monkeypatch.setattr(project_io, "BATCH", 4)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # as on the command line
    told: list[object] = []
    take = project_io.LanguageAhead.take
    monkeypatch.setattr(project_io.LanguageAhead, "take",
                        staticmethod(lambda handle: told.append(handle is not None) or take(handle)))
    rows = [{"text": (ENGLISH if i % 3 == 0 else INDONESIAN) * 2 + f" {i}"} for i in range(14)]
    rows[5]["language"] = "en"  # named: kept, not detected
    rows[7] = {"text": "Der Bundeskanzler sagte am Montag in Berlin, dass die Regierung weiter helfen werde."}
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert import_paths(project, [path]).ok
    assert told == [True, True, True, True]  # 4 + 4 + 4 + 2 records, each batch told while the one before is stored
    got = [project.get_document(i).language for i in project.document_ids()]
    want = [r.get("language") or detect_language(r["text"]) or "id" for r in rows]
    assert got == want and want.count("en") == 6
    assert len([e for e in project.events() if e["action"] == "import"]) == 4


def test_languages_told_while_the_index_fills_leave_the_triggers_and_index_whole(project, tmp_path):
    """Detection runs while SQLite fills the search index in another thread; the English rows
    then get their language with the update trigger set aside and put back as it was."""
    conn = connection(project)
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()
    rows = [{"text": (ENGLISH if i % 4 == 0 else INDONESIAN) * 2 + f" nomor{i}"} for i in range(32)]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert import_paths(project, [path]).ok
    assert conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall() == triggers
    got = [project.get_document(i).language for i in project.document_ids()]
    assert got == ["en" if i % 4 == 0 else "id" for i in range(32)]
    assert conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')") is not None
    assert project.filtered_ids_page("x", query="nomor8") == [9]
    assert len(project.filtered_ids_page("x", query="minister")) == 8


def test_spans_read_with_every_field_in_place(project, tmp_path):
    """The reader builds spans positionally (cheaper): each value lands in its own field."""
    from annotator.formats.base import ReadOptions
    from annotator.formats.prodigy import read_jsonl

    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"text": "Joko Widodo di Jakarta.", "spans": [
        {"start": 0, "end": 11, "label": "PER", "origin": "model:x@1", "score": 0.5, "kb_id": "Q1"}]}) + "\n")
    [rec] = list(read_jsonl(path, ReadOptions(schema=project.schema)))
    [span] = rec.spans
    assert (span.start, span.end, span.label, span.layer, span.annotator, span.origin, span.score, span.id,
            span.document_id, span.note, span.kb_id) == (0, 11, "PER", "entities", None, "model:x@1", 0.5, None,
                                                         None, None, "Q1")
