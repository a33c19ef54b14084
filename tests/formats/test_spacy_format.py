"""spaCy DocBin export/import, checked with spaCy itself (DocBin, debug data, train)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.model import Span
from annotator.formats import export_project, import_paths
from annotator.formats.tokenize import blank_nlp
from annotator.store import Project
from tests.formats.helpers import annotate_seeds, snapshot


@pytest.fixture
def annotated(seeded_project: Project) -> Project:
    """The two seed articles annotated by ana (and a little by budi)."""
    annotate_seeds(seeded_project)
    return seeded_project


def _docs(path: Path) -> list:
    from spacy.tokens import DocBin

    return list(DocBin().from_disk(path).get_docs(blank_nlp().vocab))


def test_spacy_format_docbin_has_ents_layers_and_cats(annotated: Project, tmp_path: Path) -> None:
    out = tmp_path / "ana.spacy"
    report = export_project(annotated, "spacy", out, annotator="ana")
    docs = _docs(out)
    assert len(docs) == 2 and report.records == 2
    overlapping = 0
    for doc, doc_id in zip(docs, annotated.document_ids(), strict=True):
        assert doc.text == annotated.get_text(doc_id)
        want_ents = [(s.start, s.end, s.label) for s in annotated.spans(doc_id, "ana", "entities")]
        assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == want_ents
        assert set(doc.spans) == {"entities", "cues"}
        want_cues = sorted((s.start, s.end, s.label) for s in annotated.spans(doc_id, "ana", "cues"))
        assert sorted((s.start_char, s.end_char, s.label_) for s in doc.spans["cues"]) == want_cues
        overlapping += sum(a.start_char < b.end_char and b.start_char < a.end_char
                           for a in doc.spans["cues"] for b in doc.ents)
        value = annotated.answers(doc_id, "ana")[0].value
        assert doc.cats == {f"stance:{v}": float(v == value) for v in ("FAVOR", "AGAINST", "NEUTRAL")}
        assert doc.user_data["annotator"] == "ana"
        assert tuple(doc.user_data["labels"]["stance"]) == (value, "Rusia")
    assert overlapping, "the QUOTE cue overlaps entities: layers overlap in doc.spans"


def test_spacy_format_overlapping_entities_stay_in_spans_and_are_reported(project: Project, tmp_path: Path) -> None:
    doc_id, _ = project.add_document(__import__("annotator.core.model", fromlist=["Document"]).Document(
        text="Dewan Keamanan Rusia bertemu."))
    project.add_spans(doc_id, [Span(0, 20, "ORG"), Span(15, 20, "LOC")], "ana")
    report = export_project(project, "spacy", tmp_path / "o.spacy")
    (doc,) = _docs(tmp_path / "o.spacy")
    assert [(e.text, e.label_) for e in doc.ents] == [("Dewan Keamanan Rusia", "ORG")]
    assert [(s.text, s.label_) for s in doc.spans["entities"]] == [("Dewan Keamanan Rusia", "ORG"), ("Rusia", "LOC")]
    assert [(i.text, i.action.split(" (")[0]) for i in report.issues] == [("Rusia", "left out of doc.ents")]


def test_spacy_format_split_writes_train_and_dev(annotated: Project, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    report = export_project(annotated, "spacy", out, annotator="ana", split=0.5, seed=3)
    assert sorted(p.name for p in out.iterdir()) == ["dev.spacy", "train.spacy"]
    train, dev = _docs(out / "train.spacy"), _docs(out / "dev.spacy")
    assert len(train) == 1 and len(dev) == 1 and train[0].text != dev[0].text
    assert report.parts == {"train": 1, "dev": 1}
    again = export_project(annotated, "spacy", tmp_path / "again", annotator="ana", split=0.5, seed=3)
    assert _docs(tmp_path / "again" / "train.spacy")[0].text == train[0].text and again.parts == report.parts


def test_spacy_format_all_annotators_are_separate_docs_and_import_back(annotated: Project, tmp_path: Path) -> None:
    out = tmp_path / "all.spacy"
    export_project(annotated, "spacy", out, all_annotators=True)
    docs = _docs(out)
    assert sorted(d.user_data["annotator"] for d in docs) == ["ana", "ana", "budi"]
    with Project(tmp_path / "back.db") as back:
        assert import_paths(back, [out]).ok  # format from the .spacy extension
        assert snapshot(back) == snapshot(annotated)
        assert back.status(back.document_ids()[0], "budi") == "done"


def test_spacy_format_reads_docbin_without_user_data(project: Project, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from spacy.tokens import DocBin
    from spacy.tokens import Span as SpacySpan

    nlp = blank_nlp()
    doc = nlp.make_doc("Menurut Jokowi, PBB harus bertindak.")
    doc.ents = [SpacySpan(doc, 1, 2, "PERSON"), SpacySpan(doc, 3, 4, "ORG")]
    doc.cats = {"stance:FAVOR": 0.0, "stance:AGAINST": 1.0, "stance:NEUTRAL": 0.0, "SPORT": 1.0}
    doc.spans["sc"] = [SpacySpan(doc, 0, 1, "X")]
    DocBin(docs=[doc]).to_disk(tmp_path / "plain.spacy")
    assert import_paths(project, [tmp_path / "plain.spacy"], annotator="ext").ok
    err = capsys.readouterr().err
    assert "doc.cats 'SPORT'" in err and "span group 'sc'" in err
    (doc_id,) = project.document_ids()
    assert [(s.label, s.start, s.end) for s in project.spans(doc_id, "ext")] == [("PER", 8, 14), ("ORG", 16, 19)]
    assert project.answers(doc_id, "ext")[0].value == "AGAINST"


def test_spacy_format_reader_names_a_broken_file(project: Project, tmp_path: Path) -> None:
    bad = tmp_path / "bad.spacy"
    bad.write_bytes(b"not msgpack at all")
    report = import_paths(project, [bad])
    assert not report.ok and "bad.spacy" in report.failed[0].error and "DocBin" in report.failed[0].error


def _spacy(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spacy", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def ner_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stock blank-"id" NER training config from ``spacy init config``."""
    path = tmp_path_factory.mktemp("cfg") / "config.cfg"
    done = _spacy("init", "config", str(path), "--lang", "id", "--pipeline", "ner", "--optimize", "efficiency",
                  cwd=path.parent)
    assert done.returncode == 0, done.stderr
    return path


def test_spacy_format_debug_data_finds_no_misalignment(annotated: Project, tmp_path: Path, ner_config: Path) -> None:
    export_project(annotated, "spacy", tmp_path / "c", annotator="ana", split=0.5)
    done = _spacy("debug", "data", str(ner_config), "--paths.train", "c/train.spacy", "--paths.dev", "c/dev.spacy",
                  cwd=tmp_path)
    out = done.stdout + done.stderr
    assert "Corpus is loadable" in out, out
    assert "misaligned" not in out, out
    assert "No entities consisting of or starting/ending with whitespace" in out, out
    assert "No entities crossing sentence boundaries" in out, out


def test_spacy_format_spacy_train_runs_on_export(annotated: Project, tmp_path: Path, ner_config: Path) -> None:
    export_project(annotated, "spacy", tmp_path / "c", annotator="ana", split=0.5)
    done = _spacy("train", str(ner_config), "--output", "model", "--paths.train", "c/train.spacy",
                  "--paths.dev", "c/dev.spacy", "--training.max_steps", "6", "--training.eval_frequency", "3",
                  cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "model" / "model-last" / "ner").is_dir()
