"""doccano JSONL export and import."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.model import Document, Span
from annotator.formats import export_project, import_paths
from annotator.formats.base import format_for
from annotator.store import Project
from tests.formats.helpers import snapshot


def test_doccano_export_writes_label_triples(project: Project, tmp_path: Path) -> None:
    doc_id, _ = project.add_document(Document(text="😀 Jokowi mengatakan hal itu."))
    project.add_spans(doc_id, [Span(2, 8, "PER"), Span(9, 19, "REPORT", "cues")], "ana")
    project.set_answer(doc_id, "ana", "stance", "FAVOR")
    export_project(project, "doccano", tmp_path / "d.jsonl")
    (obj,) = [json.loads(x) for x in (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()]
    assert obj["label"] == [[2, 8, "PER"], [9, 19, "REPORT"]]  # code points: the emoji counts one
    assert obj["text"][2:8] == "Jokowi" and obj["id"] == doc_id
    assert obj["cats"] == ["stance:FAVOR"] and obj["annotator"] == "ana"
    assert format_for(tmp_path / "d.jsonl") == "doccano"  # sniffed, though .jsonl
    with Project(tmp_path / "back.db") as back:
        assert import_paths(back, [tmp_path / "d.jsonl"]).ok
        assert snapshot(back) == snapshot(project)


def test_doccano_reader_takes_the_relations_variant(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "rel.jsonl"
    line = {"id": 7, "text": "Prabowo ke Moskwa", "entities": [
        {"id": 1, "label": "PERSON", "start_offset": 0, "end_offset": 7},
        {"id": 2, "label": "LOC", "start_offset": 11, "end_offset": 17}], "relations": []}
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert import_paths(project, [path], fmt="doccano", annotator="x").ok
    (doc_id,) = project.document_ids()
    assert [(s.label, s.start, s.end) for s in project.spans(doc_id, "x")] == [("PER", 0, 7), ("LOC", 11, 17)]


def test_doccano_reader_rejects_an_unknown_label_naming_the_line(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "a b", "label": [[0, 1, "PER"]]}\n{"text": "c d", "label": [[0, 1, "WEAPON"]]}\n')
    report = import_paths(project, [path], fmt="doccano")
    assert not report.ok and "bad.jsonl:2" in report.failed[0].error and "WEAPON" in report.failed[0].error
