"""Prodigy-style JSONL export, and the jsonl reader for both dialects."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.model import Document, Span
from annotator.formats import export_project, import_paths
from annotator.store import Project
from tests.formats.helpers import annotate_seeds, snapshot


def test_prodigy_export_has_the_prodigy_fields(seeded_project: Project, tmp_path: Path) -> None:
    annotate_seeds(seeded_project)
    export_project(seeded_project, "jsonl", tmp_path / "x.jsonl", all_annotators=True)
    tasks = [json.loads(line) for line in (tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(t["_annotator_id"] for t in tasks) == ["ana", "ana", "budi"]  # one line per document and annotator
    for task in tasks:
        assert {"text", "tokens", "spans", "answer", "_annotator_id", "_session_id", "meta", "_input_hash",
                "_task_hash"} <= set(task)
        tokens = task["tokens"]
        assert [t["id"] for t in tokens] == list(range(len(tokens)))
        assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == task["text"]
        for s in task["spans"]:
            assert tokens[s["token_start"]]["start"] == s["start"]
            assert tokens[s["token_end"]]["end"] == s["end"]  # token_end is inclusive
            assert task["text"][s["start"]:s["end"]]
        assert task["answer"] == "accept"
    ana = next(t for t in tasks if t["_annotator_id"] == "ana")
    assert {"id": "stance:AGAINST", "text": "stance: AGAINST"} in ana["options"]
    assert ana["accept"] == [f"stance:{ana['labels']['stance']['value']}"]


def test_prodigy_reader_imports_prodigy_and_native_lines(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    prodigy = {"text": "Jokowi di Jakarta", "tokens": [
        {"text": "Jokowi", "start": 0, "end": 6, "id": 0, "ws": True},
        {"text": "di", "start": 7, "end": 9, "id": 1, "ws": True},
        {"text": "Jakarta", "start": 10, "end": 17, "id": 2, "ws": False}],
        "spans": [{"token_start": 0, "token_end": 0, "label": "PERSON"}, {"start": 10, "end": 17, "label": "GPE"}],
        "accept": ["AGAINST"], "answer": "ignore", "_annotator_id": "news-ana", "_session_id": "news-ana"}
    native = {"text": "Teks asli.", "annotator": "budi", "spans": [{"start": 0, "end": 4, "label": "MISC"}],
              "labels": {"stance": "FAVOR"}}
    path.write_text(json.dumps(prodigy) + "\n" + json.dumps(native) + "\n", encoding="utf-8")
    report = import_paths(project, [path])
    assert report.ok, report.failed
    first, second = project.document_ids()
    assert [(s.label, s.start, s.end) for s in project.spans(first, "news-ana")] == [("PER", 0, 6), ("LOC", 10, 17)]
    assert project.answers(first, "news-ana")[0].value == "AGAINST"
    assert project.status(first, "news-ana") == "skipped"  # answer "ignore"
    assert project.get_document(first).meta["tokens"] == [[0, 6], [7, 9], [10, 17]]
    assert [(s.label, s.annotator) for s in project.spans(second)] == [("MISC", "budi")]


def test_prodigy_reader_names_the_bad_line(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok"}\n{"text": "x", "spans": [{"start": 0, "end": 9, "label": "PER"}]}\n')
    report = import_paths(project, [path])
    assert not report.ok and "bad.jsonl:2" in report.failed[0].error
    assert project.count_documents() == 0  # the whole file or nothing


def test_prodigy_export_keeps_status_and_imports_back(project: Project, tmp_path: Path) -> None:
    doc_id, _ = project.add_document(Document(text="Menurut PBB, Rusia 🇷🇺 menolak."))
    project.add_spans(doc_id, [Span(8, 11, "ORG"), Span(13, 18, "LOC"), Span(0, 7, "REPORT", "cues")], "ana")
    project.set_status(doc_id, "ana", "skipped")
    export_project(project, "jsonl", tmp_path / "x.jsonl")
    (task,) = [json.loads(x) for x in (tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()]
    assert task["answer"] == "ignore" and task["status"] == "skipped"
    with Project(tmp_path / "back.db") as back:
        assert import_paths(back, [tmp_path / "x.jsonl"]).ok
        assert snapshot(back) == snapshot(project)
        assert back.status(back.document_ids()[0], "ana") == "skipped"
