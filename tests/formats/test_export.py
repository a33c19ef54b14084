"""The export framework: choosing annotations, safety of the output, progress, cancel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.jobs import Cancelled
from annotator.core.model import Document, Span
from annotator.formats import export_project
from annotator.formats.export import _WRITERS, ExportError, register_writer
from annotator.store import Project
from tests.formats.helpers import annotate_seeds


@pytest.fixture
def annotated(seeded_project: Project) -> Project:
    annotate_seeds(seeded_project)
    return seeded_project


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_export_refuses_to_overwrite_without_force(annotated: Project, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    out.write_text("keep me")
    with pytest.raises(ExportError, match="exists; pass --force"):
        export_project(annotated, "jsonl", out, annotator="ana")
    assert out.read_text() == "keep me"
    export_project(annotated, "jsonl", out, annotator="ana", force=True)
    assert len(_jsonl(out)) == 2


@pytest.fixture
def broken_writer():  # type: ignore[no-untyped-def]
    @register_writer("broken-test", ".txt")
    def write(records, out, ctx):  # type: ignore[no-untyped-def]
        with out.open("w") as fh:
            for rec in records:
                fh.write(rec.document.text[:10])
                raise OSError("disk full")

    yield "broken-test"
    _WRITERS.pop("broken-test", None)


def test_export_failure_leaves_no_half_written_file(annotated: Project, tmp_path: Path, broken_writer: str) -> None:
    tmp_path = tmp_path / "out"
    out = tmp_path / "x.txt"
    with pytest.raises(OSError, match="disk full"):
        export_project(annotated, broken_writer, out, annotator="ana")
    assert list(tmp_path.iterdir()) == []
    out.write_text("old export")
    with pytest.raises(OSError):
        export_project(annotated, broken_writer, out, annotator="ana", force=True)
    assert out.read_text() == "old export"  # a failed --force keeps the previous output
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_export_cancel_writes_nothing(annotated: Project, tmp_path: Path) -> None:
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 1

    tmp_path = tmp_path / "out"
    with pytest.raises(Cancelled):
        export_project(annotated, "spacy", tmp_path / "c", annotator="ana", split=0.5, should_cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_export_reports_progress_to_the_end(project: Project, tmp_path: Path) -> None:
    for i in range(60):
        project.add_document(Document(text=f"Dokumen nomor {i}."))
    seen: list[tuple[int, int]] = []
    report = export_project(project, "conll", tmp_path / "x.conll", progress=lambda d, t, w: seen.append((d, t)))
    assert seen[-1] == (60, 60) and (25, 60) in seen and report.documents == 60
    assert "no annotator has any work" in report.warnings[0]


def test_export_asks_whose_annotations_when_ambiguous(annotated: Project, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"several annotators .*ana, budi.*--annotator NAME, --gold or --all-annotators"):
        export_project(annotated, "jsonl", tmp_path / "x.jsonl")
    with pytest.raises(ExportError, match="no annotator 'zed'"):
        export_project(annotated, "jsonl", tmp_path / "x.jsonl", annotator="zed")
    with pytest.raises(ExportError, match="choose one of"):
        export_project(annotated, "jsonl", tmp_path / "x.jsonl", annotator="ana", gold=True)


def test_export_gold_is_the_default_once_adjudicated(annotated: Project, tmp_path: Path) -> None:
    first = annotated.document_ids()[0]
    annotated.add_span(first, Span(0, 6, "LOC"), "gold")
    export_project(annotated, "jsonl", tmp_path / "g.jsonl")
    tasks = _jsonl(tmp_path / "g.jsonl")
    assert {t["_annotator_id"] for t in tasks if "_annotator_id" in t} == {"gold"}
    assert [len(t["spans"]) for t in tasks] == [1, 0]


def test_export_only_done_keeps_finished_documents(annotated: Project, tmp_path: Path) -> None:
    first, second = annotated.document_ids()
    annotated.set_status(second, "ana", "in_progress")
    report = export_project(annotated, "jsonl", tmp_path / "d.jsonl", annotator="ana", only_done=True)
    assert [t["meta"]["id"] for t in _jsonl(tmp_path / "d.jsonl")] == [first] and report.documents == 1
    assert "--only-done: 1 document(s) left out, not marked done by ana" in report.warnings
    report = export_project(annotated, "jsonl", tmp_path / "all.jsonl", all_annotators=True, only_done=True)
    assert sorted(t["_annotator_id"] for t in _jsonl(tmp_path / "all.jsonl")) == ["ana", "budi"]


def test_export_suggestions_only_when_asked(annotated: Project, tmp_path: Path) -> None:
    first = annotated.document_ids()[0]
    annotated.set_suggestions(first, [Span(0, 6, "LOC", origin="model:x@1", score=0.5)], suggester="x", version="1")
    export_project(annotated, "jsonl", tmp_path / "no.jsonl", annotator="ana")
    assert all(t["_annotator_id"] == "ana" for t in _jsonl(tmp_path / "no.jsonl"))
    export_project(annotated, "jsonl", tmp_path / "yes.jsonl", annotator="ana", include_suggestions=True)
    sugg = [t for t in _jsonl(tmp_path / "yes.jsonl") if t["_annotator_id"] == "suggestions"]
    assert len(sugg) == 1 and sugg[0]["spans"][0]["origin"] == "model:x@1" and sugg[0]["spans"][0]["score"] == 0.5


def test_export_layer_option_picks_the_tag_layer(annotated: Project, tmp_path: Path) -> None:
    report = export_project(annotated, "conll", tmp_path / "cues.conll", annotator="ana", layer="cues")
    tags = {ln.split()[-1] for ln in (tmp_path / "cues.conll").read_text().splitlines() if ln and "DOCSTART" not in ln}
    assert "B-REPORT" in tags and not any(t.endswith("PER") for t in tags)
    assert not any("entities" in w for w in report.warnings)  # the other layer was not asked for
    with pytest.raises(ExportError, match="layer 'nope'"):
        export_project(annotated, "conll", tmp_path / "n.conll", annotator="ana", layer="nope")


def test_export_split_of_a_folder_format_and_bad_fraction(annotated: Project, tmp_path: Path) -> None:
    report = export_project(annotated, "brat", tmp_path / "b", annotator="ana", split=0.5, seed=1)
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["dev", "train"]
    assert len(list((tmp_path / "b" / "train").glob("*.ann"))) == 1 and report.parts == {"train": 1, "dev": 1}
    with pytest.raises(ExportError, match="between 0 and 1"):
        export_project(annotated, "spacy", tmp_path / "s", annotator="ana", split=1.5)


def test_export_output_has_ordinary_permissions(annotated: Project, tmp_path: Path) -> None:
    import os

    out = tmp_path / "x.jsonl"
    export_project(annotated, "jsonl", out, annotator="ana")
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize(("fmt", "keeps_origin"), [
    ("spacy", True), ("jsonl", True), ("labelstudio", True), ("conllu", False), ("brat", False), ("doccano", False)])
def test_export_suggestions_come_back_as_suggestions(annotated: Project, tmp_path: Path, fmt: str,
                                                     keeps_origin: bool) -> None:
    from annotator.formats import import_paths
    from tests.formats.helpers import gazetteer_spans

    for doc_id in annotated.document_ids():
        sugg = [s.with_(origin="rule:gazetteer", score=0.75) for s in gazetteer_spans(annotated.get_text(doc_id))
                if s.layer == "entities"]
        annotated.set_suggestions(doc_id, sugg, suggester="rules", version="1")
    out = tmp_path / f"x.{fmt}"
    report = export_project(annotated, fmt, out, annotator="ana", include_suggestions=True)
    assert not report.issues

    def view(p: Project) -> set:
        return {(p.get_text(i), s.layer, s.start, s.end, s.label) + ((s.origin, s.score) if keeps_origin else ())
                for i in p.document_ids() for s in p.suggestions(i)}

    with Project(tmp_path / "back.db") as back:
        assert import_paths(back, [out], fmt=fmt).ok
        assert view(back) == view(annotated) and len(view(back)) > 10
        assert "suggestions" not in back.annotators()  # never someone's spans
        assert {s.annotator for i in back.document_ids() for s in back.spans(i)} == {"ana"}


def test_export_force_never_deletes_a_folder_of_other_files(annotated: Project, tmp_path: Path) -> None:
    """--force replaces an earlier export; it must not wipe a folder the user pointed at by mistake."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "config.cfg").write_text("keep me")
    with pytest.raises(ExportError, match="is a folder"):
        export_project(annotated, "conll", folder, annotator="ana", force=True)
    with pytest.raises(ExportError, match=r"holds files this export would not write \(config.cfg\)"):
        export_project(annotated, "spacy", folder, annotator="ana", split=0.5, force=True)
    with pytest.raises(ExportError, match="config.cfg"):
        export_project(annotated, "brat", folder, annotator="ana", force=True)
    assert [p.name for p in folder.iterdir()] == ["config.cfg"]
    assert (folder / "config.cfg").read_text() == "keep me"
    # an earlier export of the same kind is still replaced
    export_project(annotated, "brat", tmp_path / "b", annotator="ana", split=0.5, seed=1)
    export_project(annotated, "brat", tmp_path / "b", annotator="ana", split=0.5, seed=2, force=True)
    export_project(annotated, "spacy", tmp_path / "s", annotator="ana", split=0.5)
    report = export_project(annotated, "spacy", tmp_path / "s", annotator="ana", split=0.5, force=True)
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["dev.spacy", "train.spacy"]
    assert report.parts == {"train": 1, "dev": 1}


def test_export_gold_without_a_gold_set_is_refused(annotated: Project, tmp_path: Path) -> None:
    out = tmp_path / "train.spacy"
    with pytest.raises(ExportError, match="no gold set .*adjudicate"):
        export_project(annotated, "spacy", out, gold=True)
    assert not out.exists()


def test_export_only_done_says_when_it_leaves_everything_out(annotated: Project, tmp_path: Path) -> None:
    """'adjudicate --auto' never marks gold done: '--gold --only-done' must not write an empty file silently."""
    for doc_id in annotated.document_ids():
        annotated.add_span(doc_id, Span(0, 5, "LOC"), "gold")
    report = export_project(annotated, "conll", tmp_path / "g.conll", gold=True, only_done=True)
    assert report.records == 0
    assert report.warnings == ["--only-done: 2 document(s) left out, not marked done by gold; nothing was exported; "
                               "gold is marked done in the review window ('annotator review', Ctrl+D) "
                               "or by 'annotator adjudicate --auto --mark-done'"]
