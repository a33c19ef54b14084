"""Batched import (issue 12): one event per batch, dedup within and across batches,
full-text search after a bulk insert, and one transaction per file."""

import json

import pytest

from annotator.formats import import_paths, project_io
from annotator.store import Project
from tests.rawdb import connection


def _write(path, lines):
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def _article(i, word="Jakarta"):
    text = f"Artikel {i}: Presiden Joko Widodo berkunjung ke {word} hari ini. Kalimat penutup nomor {i}."
    start = text.index(word)
    return {"text": text, "annotator": "ani", "status": "done",
            "spans": [{"start": start, "end": start + len(word), "label": "LOC"}]}


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 3 records, so a 10-line file is stored in four batches."""
    monkeypatch.setattr(project_io, "BATCH", 3)


def _count(project, table):
    return connection(project).execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_bulk_import_logs_one_event_per_batch_recording_what_it_added(project, tmp_path, small_batches):
    f = _write(tmp_path / "a.jsonl", [_article(i) for i in range(10)])
    report = import_paths(project, [f])
    assert report.ok and report.totals()["new_documents"] == 10 and report.totals()["spans"] == 10
    events = [e for e in project.events() if e["action"] == "import"]
    assert len(events) == 4  # 3 + 3 + 3 + 1 records
    assert not [e for e in project.events() if e["action"] in ("add_document", "add_span", "set_status")]
    added_docs = sorted(d for e in events for a, b in e["payload"]["new_documents"] for d in range(a, b + 1))
    assert added_docs == project.document_ids()
    added_spans = sorted(i for e in events for i in range(e["payload"]["spans"][0], e["payload"]["spans"][1] + 1))
    assert added_spans == sorted(s.id for d in project.document_ids() for s in project.spans(d))
    assert sum(e["payload"]["spans_by_annotator"]["ani"] for e in events) == 10
    assert sum(e["payload"]["states"]["ani"]["done"] for e in events) == 10
    assert all(e["payload"]["source"] == str(f) for e in events)
    assert all(project.status(d, "ani") == "done" for d in project.document_ids())


def test_bulk_import_dedups_within_a_batch_and_across_batches(project, tmp_path, small_batches):
    a = _article(1)
    b = _article(2)
    other_span = dict(a, spans=[{"start": 0, "end": 7, "label": "ORG"}])
    # a twice in the first batch, again in the third batch with one more span, b in batches 1 and 2
    lines = [a, a, b, b, _article(3), _article(4), a, other_span, _article(5)]
    report = import_paths(project, [_write(tmp_path / "d.jsonl", lines)])
    assert report.ok
    assert report.totals()["records"] == 9 and report.totals()["documents"] == 5
    assert report.totals()["new_documents"] == 5
    assert project.count_documents() == 5
    doc_a = project.document_ids()[0]
    loc = a["spans"][0]
    assert [(s.start, s.end, s.label) for s in project.spans(doc_a, "ani")] == [
        (0, 7, "ORG"), (loc["start"], loc["end"], "LOC")]
    assert _count(project, "spans") == 6  # one per article and the extra ORG on a
    again = import_paths(project, [_write(tmp_path / "d.jsonl", lines)])
    assert again.totals()["new_documents"] == 0 and again.totals()["spans"] == 0
    assert _count(project, "spans") == 6 and project.count_documents() == 5


def test_fts_finds_bulk_imported_documents_and_later_single_adds(project, tmp_path, small_batches):
    lines = [_article(i, word="Surabaya" if i == 7 else "Jakarta") for i in range(40)]
    import_paths(project, [_write(tmp_path / "f.jsonl", lines)])
    hit = project.search("Surabaya")
    assert len(hit) == 1 and "Artikel 7:" in project.get_text(hit[0])
    assert len(project.search("Jakarta", limit=100)) == 39
    # the per-row trigger is back after the bulk insert: a document added alone is indexed too
    from annotator.core import Document

    doc_id, _ = project.add_document(Document(text="Berita dari Makassar."))
    assert project.search("Makassar") == [doc_id]
    triggers = {r[0] for r in connection(project).execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"documents_ai", "documents_ad", "documents_au"} <= triggers


def test_a_bad_line_in_a_late_batch_rolls_the_whole_file_back(project, tmp_path, small_batches):
    good = _write(tmp_path / "good.jsonl", [_article(100)])
    lines = [_article(i) for i in range(8)]
    lines[7] = dict(lines[7], spans=[{"start": 5, "end": 500, "label": "LOC"}])
    bad = _write(tmp_path / "bad.jsonl", lines)
    report = import_paths(project, [good, bad])
    assert report.files[0].error is None and report.files[1].error
    assert "bad.jsonl:8" in report.files[1].error
    # the first two batches of bad.jsonl were written and rolled back with the file
    assert project.count_documents() == 1 and _count(project, "spans") == 1
    assert [e["payload"]["source"] for e in project.events() if e["action"] == "import"] == [str(good)]
    assert len(project.search("Artikel")) == 1
    with Project(project.path) as other:  # what another reader of the file sees
        assert other.count_documents() == 1


def test_cancel_between_batches_keeps_earlier_files_and_drops_the_current_one(project, tmp_path, small_batches):
    from annotator.core.jobs import Cancelled

    first = _write(tmp_path / "1.jsonl", [_article(i) for i in range(2)])
    second = _write(tmp_path / "2.jsonl", [_article(i) for i in range(10, 20)])
    calls = {"n": 0}

    def cancel_in_second_file():
        calls["n"] += 1
        return calls["n"] > 3  # 2 checks before each file + 1 between batches of the second file

    with pytest.raises(Cancelled) as err:
        import_paths(project, [first, second], should_cancel=cancel_in_second_file)
    assert [f.path for f in err.value.partial.files] == [str(first)]
    assert project.count_documents() == 2


def test_all_document_ids_is_a_range_without_gaps_and_a_list_with_one(project, tmp_path):
    import_paths(project, [_write(tmp_path / "r.jsonl", [_article(i) for i in range(5)])])
    ids = project.all_document_ids()
    assert isinstance(ids, range) and list(ids) == project.document_ids() == [1, 2, 3, 4, 5]
    with project.transaction():  # a gap (a hand-edited file): the ids are read one by one
        connection(project).execute("DELETE FROM documents WHERE id = 3")
    assert project.all_document_ids() == [1, 2, 4, 5]

