"""Relations out and in: the seeds with entities, QUOTE spans and SPEAKER relations go out through
jsonl (Prodigy's shape and the native one), spacy, brat, doccano and labelstudio and come back with exactly the same relations; a
format without relations says how many it left out; foreign shapes (Prodigy, doccano, spaCy's
doc._.rel) read in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.model import content_hash
from annotator.formats import export_project, import_paths
from annotator.nlp.suggest import suggest_project
from annotator.store import Project
from tests.conftest import SEED_FILES

FORMATS = {"jsonl": "out.jsonl", "native": "out.native.jsonl", "spacy": "out.spacy", "brat": "brat", "doccano": "out.doccano.jsonl",
           "labelstudio": "out.json"}


@pytest.fixture(scope="module")
def seeds_with_speakers(tmp_path_factory) -> Path:
    """The seeds: annotator ana accepted every entity and QUOTE suggestion and the suggested
    SPEAKER of each quotation (with the SOURCE span it needs)."""
    path = tmp_path_factory.mktemp("rel") / "seeds.db"
    with Project(path) as p:
        assert import_paths(p, SEED_FILES).ok
        suggest_project(p)
        for doc in p.document_ids():
            for s in p.suggestions(doc):
                if s.layer == "entities" or s.label == "QUOTE":
                    p.accept_suggestion(s.id, "ana")
            for r in p.relation_suggestions(doc):
                if r.label == "SPEAKER" and r.head.label == "QUOTE":
                    p.accept_relation_suggestion(r.id, "ana")
        assert sum(len(p.relations(d, "ana")) for d in p.document_ids()) >= 8
    return path


def _relations(project: Project, who: str) -> dict[str, set[tuple]]:
    return {content_hash(project.get_text(d)): {r.key for r in project.relations(d, who)} for d in project.document_ids()}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_relations_round_trip_exactly(fmt: str, seeds_with_speakers: Path, tmp_path: Path) -> None:
    out = tmp_path / FORMATS[fmt]
    with Project(seeds_with_speakers) as src:
        report = export_project(src, fmt, out, annotator="ana", misaligned="fail")
        want = _relations(src, "ana")
    assert report.relations == sum(len(v) for v in want.values()) and not report.warnings, report.warnings
    with Project(tmp_path / "back.db") as back:
        result = import_paths(back, [out], fmt=fmt, annotator="ana")
        assert result.ok, result.failed
        assert _relations(back, "ana") == want
        again = import_paths(back, [out], fmt=fmt, annotator="ana")  # a second import adds nothing
        assert again.ok and _relations(back, "ana") == want


def test_native_jsonl_writes_the_issue_shape(seeds_with_speakers: Path, tmp_path: Path) -> None:
    """Native lines carry relations as {"label", "head": {"start", "end", "layer"}, "child": {...}},
    both ends spans of the same line."""
    out = tmp_path / "out.native.jsonl"
    with Project(seeds_with_speakers) as src:
        export_project(src, "native", out, annotator="ana")
        want = _relations(src, "ana")
    got: dict[str, set[tuple]] = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        spans = {(s["layer"], s["start"], s["end"]) for s in obj["spans"]}
        keys = got.setdefault(content_hash(obj["text"]), set())
        for r in obj.get("relations", []):
            assert set(r) == {"label", "head", "child"}
            for end in (r["head"], r["child"]):
                assert (end["layer"], end["start"], end["end"]) in spans
            keys.add(((r["head"]["start"], r["head"]["end"]), (r["child"]["start"], r["child"]["end"]), r["label"]))
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in want.items() if v}


def test_a_format_without_relations_reports_them(seeds_with_speakers: Path, tmp_path: Path) -> None:
    with Project(seeds_with_speakers) as src:
        report = export_project(src, "conll", tmp_path / "out.conll", annotator="ana")
        n = sum(len(src.relations(d, "ana")) for d in src.document_ids())
    assert f"conll has no place for relations: {n} left out" in report.warnings


def test_foreign_relation_shapes(tmp_path: Path) -> None:
    text = "Kata Jokowi hari ini."
    prodigy = {"text": text, "_annotator_id": "p", "tokens": [], "spans": [
        {"start": 0, "end": 4, "token_start": 0, "token_end": 0, "label": "REPORT", "layer": "cues"},
        {"start": 5, "end": 11, "token_start": 1, "token_end": 1, "label": "PER"}],
        "relations": [{"head": 0, "child": 1, "label": "SPEAKER",
                       "head_span": {"start": 0, "end": 4, "label": "REPORT"},
                       "child_span": {"start": 5, "end": 11, "label": "PER"}}]}
    doccano = {"text": text, "annotator": "d",
               "entities": [{"id": 7, "label": "REPORT", "start_offset": 0, "end_offset": 4},
                            {"id": 9, "label": "PER", "start_offset": 5, "end_offset": 11}],
               "relations": [{"id": 1, "from_id": 7, "to_id": 9, "type": "SPEAKER"}]}
    (tmp_path / "p.jsonl").write_text(json.dumps(prodigy) + "\n", encoding="utf-8")
    (tmp_path / "d.doccano.jsonl").write_text(json.dumps(doccano) + "\n", encoding="utf-8")
    with Project(tmp_path / "x.db") as p:
        assert import_paths(p, [tmp_path / "p.jsonl"]).ok
        assert import_paths(p, [tmp_path / "d.doccano.jsonl"], fmt="doccano").ok
        for who in ("p", "d"):
            assert {r.key for r in p.relations(1, who)} == {((0, 4), (5, 11), "SPEAKER")}


def test_a_relation_to_a_missing_span_names_the_line(tmp_path: Path) -> None:
    line = {"text": "Kata Jokowi.", "spans": [{"start": 5, "end": 11, "label": "PER"}],
            "relations": [{"label": "SPEAKER", "head": {"start": 0, "end": 4, "layer": "cues"},
                           "child": {"start": 5, "end": 11, "layer": "entities"}}]}
    path = tmp_path / "bad.jsonl"
    path.write_text("\n" + json.dumps(line) + "\n", encoding="utf-8")
    with Project(tmp_path / "x.db") as p:
        report = import_paths(p, [path])
        assert not report.ok and "bad.jsonl:2" in report.failed[0].error and "not a span" in report.failed[0].error
        assert p.count_documents() == 0
