"""CoNLL NER import."""

import pytest

from annotator.formats import import_paths
from annotator.formats.conll import decode_tags, join_tokens


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["B-PER", "I-PER", "O", "B-LOC"], [(0, 2, "PER"), (3, 4, "LOC")]),  # IOB2
        (["I-PER", "I-PER", "B-PER", "O"], [(0, 2, "PER"), (2, 3, "PER")]),  # IOB1
        (["U-PER", "B-ORG", "I-ORG", "L-ORG", "O"], [(0, 1, "PER"), (1, 4, "ORG")]),  # BILUO
        (["B-PER", "I-LOC"], [(0, 1, "PER"), (1, 2, "LOC")]),  # a type change starts anew
        (["O", "O"], []),
    ],
)
def test_conll_decode_tags(tags, expected):
    assert decode_tags(tags) == expected


def test_conll_join_tokens_keeps_offsets():
    text, offs = join_tokens(["Meski", "demikian", ",", "ia", "(", "PKB", ")", "."])
    assert text == "Meski demikian, ia (PKB)."
    assert [text[a:b] for a, b in offs] == ["Meski", "demikian", ",", "ia", "(", "PKB", ")", "."]


def test_conll_import_docstart_both_spellings_and_spans(project, tmp_path):
    f = tmp_path / "x.conll"
    f.write_text(
        "-DOCSTART- -X- O O\n\nJoko NNP B-PER\nWidodo NNP I-PER\ndi IN O\nJakarta NNP B-LOC\n\n"
        "-DOCSTART- -X- -X- O\n\nPBB NNP B-ORG\nmenolak VB O\n.\t.\tO\n",
        encoding="utf-8",
    )
    report = import_paths(project, [f], annotator="gold")
    assert report.ok, report.failed
    ids = project.document_ids()
    assert len(ids) == 2
    t0 = project.get_text(ids[0])
    assert t0 == "Joko Widodo di Jakarta"
    assert [(s.label, s.text_in(t0)) for s in project.spans(ids[0], "gold")] == [("PER", "Joko Widodo"), ("LOC", "Jakarta")]
    t1 = project.get_text(ids[1])
    assert [(s.label, s.text_in(t1)) for s in project.spans(ids[1], "gold")] == [("ORG", "PBB")]


def test_conll_import_idner_dev_sniffed_from_txt(project, idner_dir):
    report = import_paths(project, [idner_dir / "dev.txt"], annotator="gold")
    assert report.ok, report.failed
    # SOURCE.txt: dev has 367 sentences, PER 221 ORG 189 LOC 152
    spans = [s for d in project.document_ids() for s in project.spans(d, "gold")]
    assert len(spans) == 221 + 189 + 152
    assert sum(s.label == "PER" for s in spans) == 221
    sentences = sum(len(project.get_document(d).meta["sentences"]) for d in project.document_ids())
    assert sentences == 367
    # every span starts and ends on a recorded token boundary
    for d in project.document_ids():
        doc = project.get_document(d)
        starts = {a for a, _ in doc.meta["tokens"]}
        ends = {b for _, b in doc.meta["tokens"]}
        for s in project.spans(d, "gold"):
            assert s.start in starts and s.end in ends


def test_conll_sentences_per_doc(project, tmp_path):
    f = tmp_path / "x.conll"
    f.write_text("".join(f"Kata{i} O\n\n" for i in range(5)), encoding="utf-8")
    assert import_paths(project, [f], extra={"sentences_per_doc": 2}).ok
    assert project.count_documents() == 3


def test_conll_bad_lines_name_the_line(project, tmp_path):
    f = tmp_path / "x.conll"
    f.write_text("Joko B-PER\nWidodo B-XYZ\n", encoding="utf-8")
    report = import_paths(project, [f])
    assert "x.conll:2" in report.failed[0].error and "XYZ" in report.failed[0].error
    g = tmp_path / "y.conll"
    g.write_text("Joko NNP B-PER\nWidodo I-PER\n", encoding="utf-8")
    assert "y.conll:2" in import_paths(project, [g]).failed[0].error
    assert project.count_documents() == 0


def test_conll_sentences_per_doc_never_crosses_docstart(project, tmp_path):
    f = tmp_path / "x.conll"
    f.write_text(
        "-DOCSTART- -X- O O\n\nA O\n\nB O\n\nC O\n\n-DOCSTART- -X- O O\n\nD O\n\nE O\n", encoding="utf-8"
    )
    assert import_paths(project, [f], extra={"sentences_per_doc": 2}).ok
    texts = [project.get_text(i) for i in project.document_ids()]
    assert texts == ["A\nB", "C", "D\nE"]
