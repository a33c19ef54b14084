"""Knowledge-base links survive every format that carries them: spaCy DocBin
(ent.kb_id_ and doc.spans), native JSONL ("kb_id"), brat (N lines), CoNLL-U (MISC Entity=)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.model import content_hash
from annotator.formats import export_project, import_paths
from annotator.kb.service import link_project
from annotator.store import Project


def _links(project: Project) -> set[tuple[str, int, int, str, str]]:
    hashes = {i: content_hash(project.get_text(i)) for i in project.document_ids()}
    return {(hashes[m.document_id], m.start, m.end, m.annotator, m.entry_id or "") for m in project.kb_mentions()}


@pytest.mark.parametrize("fmt,name", [("jsonl", "out.jsonl"), ("spacy", "out.spacy"), ("brat", "brat"),
                                      ("conllu", "out.conllu")])
def test_links_round_trip(seed_project: tuple[Project, dict[int, str]], tmp_path: Path, fmt: str,
                          name: str) -> None:
    project, gold = seed_project
    link_project(project)
    first = next(iter(gold))
    project.kb_set_link(first, project.kb_link_of(first).entry_id or "", status="accepted")
    before = _links(project)
    assert len(before) == len(gold)
    out = tmp_path / name
    export_project(project, fmt, out, annotator="ann")
    with Project(tmp_path / "back.db") as back:
        report = import_paths(back, [out], fmt=fmt)
        assert report.ok, report.failed
        assert _links(back) == before
        # entries the file names but the knowledge base lacked are made from the spans
        assert {m.status for m in back.kb_mentions()} == {"accepted"}
        assert back.kb_entry("sergei-shoigu").label == "PER"


def test_formats_write_the_documented_fields(seed_project: tuple[Project, dict[int, str]], tmp_path: Path) -> None:
    import json

    project, _ = seed_project
    link_project(project)
    export_project(project, "jsonl", tmp_path / "o.jsonl", annotator="ann")
    spans = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()[1])["spans"]
    assert {"kb_id": "sergei-shoigu"}.items() <= next(s for s in spans if s["label"] == "PER").items()
    export_project(project, "brat", tmp_path / "b", annotator="ann")
    ann = (tmp_path / "b" / "000002.ann").read_text(encoding="utf-8")
    assert "N4\tReference T4 KB:sergei-shoigu\tSergei Shoigu" in ann.splitlines()
    export_project(project, "conllu", tmp_path / "o.conllu", annotator="ann")
    rows = (tmp_path / "o.conllu").read_text(encoding="utf-8").splitlines()
    assert any(r.startswith("9\tShoigu\t") and "NE=I-PER|Entity=sergei-shoigu" in r for r in rows)
    export_project(project, "spacy", tmp_path / "o.spacy", annotator="ann")
    from spacy.tokens import DocBin

    from annotator.formats.tokenize import blank_nlp

    doc = list(DocBin().from_disk(tmp_path / "o.spacy").get_docs(blank_nlp().vocab))[1]
    assert {(e.text, e.kb_id_) for e in doc.ents} >= {("Sergei Shoigu", "sergei-shoigu"), ("Moskwa", "moskwa")}
    assert ("Min Aung Hlain", "min-aung-hlaing") in {(s.text, s.kb_id_) for s in doc.spans["entities"]}


def test_bad_kb_id_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Shoigu datang.", "spans": [{"start": 0, "end": 6, "label": "PER", "kb_id": 7}]}\n',
                   encoding="utf-8")
    with Project(tmp_path / "p.db") as p:
        report = import_paths(p, [bad])
        assert not report.ok and "bad.jsonl:1" in report.failed[0].error and "kb_id" in report.failed[0].error
        assert p.count_documents() == 0
