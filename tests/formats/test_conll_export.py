"""CoNLL-2003 export: line-for-line with an imported file, read back by spaCy's converter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.model import Document, Span
from annotator.formats import export_project, import_paths
from annotator.formats.export import ExportError
from annotator.store import Project
from tests.formats.helpers import annotate_seeds, snapshot


def _lines(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n").split("\n")


def test_conll_export_reproduces_idner_line_for_line(project: Project, idner_dir: Path, tmp_path: Path) -> None:
    src = idner_dir / "train.txt"
    assert import_paths(project, [src]).ok
    report = export_project(project, "conll", tmp_path / "plain.conll", docstart=False)
    assert not report.issues and report.spans > 2000
    assert _lines(tmp_path / "plain.conll") == _lines(src)
    # with document lines: the same file once the -DOCSTART- line and the blank after it are dropped
    export_project(project, "conll", tmp_path / "docs.conll")
    lines = _lines(tmp_path / "docs.conll")
    assert lines.count("-DOCSTART- -X- O O") == project.count_documents()
    kept = [ln for i, ln in enumerate(lines) if ln != "-DOCSTART- -X- O O" and (i == 0 or lines[i - 1] != "-DOCSTART- -X- O O")]
    assert kept == _lines(src)


def _ents_by_tokens(doc) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(" ".join(t.text for t in e), e.label_) for e in doc.ents]


def test_conll_export_spacy_convert_reads_the_same_entities(seeded_project: Project, tmp_path: Path) -> None:
    from spacy.tokens import DocBin

    from annotator.formats.tokenize import blank_nlp

    annotate_seeds(seeded_project)
    export_project(seeded_project, "conll", tmp_path / "seeds.conll", annotator="ana")
    export_project(seeded_project, "spacy", tmp_path / "seeds.spacy", annotator="ana")
    (tmp_path / "conv").mkdir()
    done = subprocess.run([sys.executable, "-m", "spacy", "convert", str(tmp_path / "seeds.conll"),
                           str(tmp_path / "conv"), "--converter", "ner"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    vocab = blank_nlp().vocab
    converted = list(DocBin().from_disk(tmp_path / "conv" / "seeds.spacy").get_docs(vocab))
    ours = list(DocBin().from_disk(tmp_path / "seeds.spacy").get_docs(vocab))
    assert len(converted) == len(ours) == 2  # -DOCSTART- -X- O O splits the documents
    for a, b in zip(converted, ours, strict=True):
        assert _ents_by_tokens(a) == _ents_by_tokens(b)
        assert len(a.ents) > 5


@pytest.mark.parametrize("scheme", ["iob1", "iob2", "biluo"])
def test_conll_export_schemes_import_back_to_the_same_spans(project: Project, tmp_path: Path, scheme: str) -> None:
    doc_id, _ = project.add_document(Document(text="Jokowi bertemu Prabowo Subianto di Jakarta."))
    project.add_spans(doc_id, [Span(0, 6, "PER"), Span(15, 31, "PER"), Span(35, 42, "LOC")], "ana")
    export_project(project, "conll", tmp_path / "x.conll", scheme=scheme)
    tags = [ln.split()[-1] for ln in _lines(tmp_path / "x.conll") if ln and not ln.startswith("-DOCSTART-")]
    expected = {
        "iob1": ["I-PER", "O", "I-PER", "I-PER", "O", "I-LOC", "O"],
        "iob2": ["B-PER", "O", "B-PER", "I-PER", "O", "B-LOC", "O"],
        "biluo": ["U-PER", "O", "B-PER", "L-PER", "O", "U-LOC", "O"],
    }[scheme]
    assert tags == expected
    with Project(tmp_path / "back.db") as back:
        assert import_paths(back, [tmp_path / "x.conll"], annotator="ana").ok
        assert snapshot(back)["spans"] == snapshot(project)["spans"]


def test_conll_export_iob1_marks_adjacent_entities_of_one_type(project: Project, tmp_path: Path) -> None:
    doc_id, _ = project.add_document(Document(text="Jokowi Prabowo datang"))
    project.add_spans(doc_id, [Span(0, 6, "PER"), Span(7, 14, "PER")], "ana")
    export_project(project, "conll", tmp_path / "x.conll", scheme="iob1")
    tags = [ln.split()[-1] for ln in _lines(tmp_path / "x.conll") if ln and not ln.startswith("-DOCSTART-")]
    assert tags == ["I-PER", "B-PER", "O"]


def test_conll_export_never_breaks_a_sentence_inside_an_entity(project: Project, tmp_path: Path) -> None:
    text = "Kata Dr.\nSiti Nurbaya di Jakarta. Lalu pergi."
    doc_id, _ = project.add_document(Document(text=text))
    project.add_spans(doc_id, [Span(5, 21, "PER")], "ana")
    report = export_project(project, "conll", tmp_path / "x.conll")
    assert not report.issues
    blocks = (tmp_path / "x.conll").read_text().strip().split("\n\n")[1:]
    assert len(blocks) == 2  # split after "Jakarta ." but not at the line break inside the name
    assert [ln.split()[-1] for ln in blocks[0].split("\n")][:5] == ["O", "B-PER", "I-PER", "I-PER", "O"]


def test_conll_export_reports_misaligned_spans_per_policy(project: Project, tmp_path: Path) -> None:
    doc_id, _ = project.add_document(Document(text="Pemerintah Indonesia menolak.", title="t"))
    project.add_spans(doc_id, [Span(11, 17, "LOC")], "ana")  # "Indone": half a token
    for policy, action, tags in [
        ("expand", "expanded", ["O", "B-LOC", "O", "O"]),
        ("skip", "skipped", ["O", "O", "O", "O"]),
        ("contract", "skipped (no whole token inside)", ["O", "O", "O", "O"]),
    ]:
        out = tmp_path / f"{policy}.conll"
        report = export_project(project, "conll", out, misaligned=policy)
        (issue,) = report.issues
        assert (issue.document_id, issue.text, issue.action) == (doc_id, "Indone", action)
        assert [ln.split()[-1] for ln in _lines(out) if ln and not ln.startswith("-DOC")] == tags
    with pytest.raises(ExportError, match="not on token boundaries.*Indone"):
        export_project(project, "conll", tmp_path / "fail.conll", misaligned="fail")
    assert not (tmp_path / "fail.conll").exists()
    assert not list(tmp_path.glob(".fail.conll*")), "no temporary file left behind"


def test_conll_export_warns_about_what_it_cannot_carry(seeded_project: Project, tmp_path: Path) -> None:
    annotate_seeds(seeded_project)
    report = export_project(seeded_project, "conll", tmp_path / "x.conll", all_annotators=True)
    text = " ".join(report.warnings)
    assert "layer 'cues'" in text and "document answers" in text and "annotator names" in text
