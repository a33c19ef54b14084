"""Label Studio tasks: annotations per annotator, suggestions as predictions."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.model import Document, Span
from annotator.formats import export_project, import_paths
from annotator.formats.labelstudio import labelstudio_config
from annotator.store import Project
from tests.formats.helpers import annotate_seeds, snapshot


def test_labelstudio_export_groups_annotators_and_predictions(seeded_project: Project, tmp_path: Path) -> None:
    annotate_seeds(seeded_project)
    first = seeded_project.document_ids()[0]
    text = seeded_project.get_text(first)
    i = text.index("Kremlin")
    seeded_project.set_suggestions(first, [Span(i, i + 7, "ORG", origin="rule:gazetteer", score=0.9)],
                                   suggester="rules", version="1")
    report = export_project(seeded_project, "labelstudio", tmp_path / "ls.json", include_suggestions=True)
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    assert len(tasks) == 2 and report.records == 3  # every annotator by default
    task = next(t for t in tasks if t["id"] == first)
    assert task["data"]["text"] == text
    assert sorted(a["annotator"] for a in task["annotations"]) == ["ana", "budi"]
    assert all("completed_by" not in a for a in task["annotations"])  # Label Studio refuses names there
    ana = next(a for a in task["annotations"] if a["annotator"] == "ana")
    for r in ana["result"]:
        if r["type"] == "labels":
            v = r["value"]
            assert text[v["start"]:v["end"]] == v["text"] and r["to_name"] == "text"
            assert r["from_name"] in ("entities", "cues")
    assert {"from_name": "stance", "type": "choices"}.items() <= next(
        r for r in ana["result"] if r["type"] == "choices").items()
    (pred,) = task["predictions"]
    assert pred["model_version"] == "rule:gazetteer" and pred["score"] == 0.9
    assert pred["result"][0]["value"]["labels"] == ["ORG"]
    assert "<Labels name=\"entities\"" in labelstudio_config(seeded_project.schema)


def test_labelstudio_import_several_annotators_round_trip(seeded_project: Project, tmp_path: Path) -> None:
    annotate_seeds(seeded_project)
    seeded_project.add_span(seeded_project.document_ids()[1], Span(0, 5, "LOC"), "rina@example.org")
    export_project(seeded_project, "labelstudio", tmp_path / "ls.json")
    with Project(tmp_path / "back.db") as back:
        assert import_paths(back, [tmp_path / "ls.json"]).ok
        assert snapshot(back) == snapshot(seeded_project)
        assert set(back.annotators()) >= {"ana", "budi", "rina@example.org"}
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    # no completed_by, not even for an email: Label Studio refuses a whole file naming a non-member
    assert not [a for t in tasks for a in t["annotations"] if "completed_by" in a]
    carried = [p["annotator"] for t in tasks for p in t["meta"]["annotator"].values()]
    assert "rina@example.org" in carried and "ana" in carried


def test_labelstudio_reader_handles_user_ids_and_utf16_offsets(project: Project, tmp_path: Path) -> None:
    text = "😀😀 Jokowi"
    task = {"id": 1, "data": {"text": text}, "annotations": [
        {"completed_by": 3, "result": [{"from_name": "label", "to_name": "text", "type": "labels",
                                        "value": {"start": 5, "end": 11, "text": "Jokowi", "labels": ["PER"]}}]},
        {"completed_by": {"email": "ana@example.org"}, "was_cancelled": True, "result": []}],
        "predictions": [{"result": [{"type": "labels", "value": {"start": 3, "end": 9, "labels": ["PER"]}}]}]}
    (tmp_path / "t.json").write_text(json.dumps([task]), encoding="utf-8")
    assert import_paths(project, [tmp_path / "t.json"]).ok
    (doc_id,) = project.document_ids()
    (span,) = project.spans(doc_id, "user3")
    assert (span.start, span.end) == (3, 9)  # UTF-16 offsets 5-11 recognised from the result's text
    assert project.status(doc_id, "ana@example.org") == "skipped"


def test_labelstudio_reader_refuses_offsets_that_match_nothing(project: Project, tmp_path: Path) -> None:
    task = {"data": {"text": "abc def"}, "annotations": [{"completed_by": 1, "result": [
        {"type": "labels", "from_name": "entities", "value": {"start": 0, "end": 3, "text": "xyz", "labels": ["PER"]}}]}]}
    (tmp_path / "t.json").write_text(json.dumps([task]), encoding="utf-8")
    report = import_paths(project, [tmp_path / "t.json"])
    assert not report.ok and "do not match" in report.failed[0].error


def test_labelstudio_unannotated_document_is_a_task_without_annotations(project: Project, tmp_path: Path) -> None:
    project.add_document(Document(text="Belum dianotasi."))
    export_project(project, "labelstudio", tmp_path / "ls.json")
    (task,) = json.loads((tmp_path / "ls.json").read_text())
    assert task["annotations"] == [] and task["data"]["text"] == "Belum dianotasi."


def test_labelstudio_reader_warns_about_results_it_cannot_store(project: Project, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    task = {"data": {"text": "Jokowi ke Jakarta"}, "annotations": [{"completed_by": 1, "result": [
        {"type": "labels", "from_name": "label", "value": {"start": 0, "end": 6, "text": "Jokowi", "labels": ["PER"]}},
        {"type": "relation", "from_id": "a", "to_id": "b"},
        {"type": "choices", "from_name": "sentiment", "value": {"choices": ["Positive"]}}]}]}
    (tmp_path / "t.json").write_text(json.dumps([task]), encoding="utf-8")
    assert import_paths(project, [tmp_path / "t.json"]).ok
    err = capsys.readouterr().err
    assert "type relation not imported" in err and "choices 'sentiment'" in err
