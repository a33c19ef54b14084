"""The spaCy writer's ``DocBinAdder`` makes the DocBin that ``DocBin.add`` makes, byte for byte.

The adder repeats ``DocBin.add`` of spaCy 3.8 without its per-call costs (a msgpack Packer per
object, nine attribute reads per token).  These tests are what keeps it honest: every kind of
document the exporter writes, and documents with what it never sets (tags, lemmas, morphs,
dependencies, entity ids), go in both ways and must give the same file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.model import Document, Span
from annotator.formats import export_project
from annotator.formats.spacy_format import DocBinAdder
from annotator.formats.tokenize import blank_nlp
from annotator.store import Project
from tests.formats.helpers import annotate_seeds


def _both_ways(docs: list) -> tuple[bytes, bytes]:
    from spacy.tokens import DocBin

    plain, fast = DocBin(store_user_data=True), DocBin(store_user_data=True)
    add = DocBinAdder(fast)
    for doc in docs:
        plain.add(doc)
        add(doc)
    assert fast.strings == plain.strings  # the set, before to_bytes sorts it
    return plain.to_bytes(), fast.to_bytes()


def _rich_docs() -> list:
    """Documents with every attribute DocBin.add reads, some set by hand as a trained pipeline would."""
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

    nlp = blank_nlp()
    docs = []
    doc = nlp.make_doc("Presiden Jokowi bertemu  Putin di Moskow,\n\nkata Kremlin.")
    doc.ents = [SpacySpan(doc, 1, 2, label="PER", kb_id="Q3099"), SpacySpan(doc, 4, 5, label="PER", span_id="putin")]
    doc.spans["entities"] = list(doc.ents) + [SpacySpan(doc, 0, 2, label="PER")]
    doc.spans["cues"] = [SpacySpan(doc, 8, 9, label="SAY")]
    doc.spans["empty"] = []
    for i, token in enumerate(doc):
        token.tag_ = "NNP" if i % 2 else "VB"
        token.lemma_ = token.text.lower()
        token.dep_ = "nsubj" if i == 1 else "dep"
        token.norm_ = token.text.upper() if i == 3 else token.norm_
    doc[1].set_morph("Number=Sing|Person=3")
    doc[2].set_morph("Mood=Ind")
    doc[3].set_morph("_")  # the empty analysis: its id's string is "_", str(token.morph) is ""
    doc[1].ent_id_ = "jokowi"
    doc.cats = {"stance:FAVOR": 1.0, "stance:AGAINST": 0.0}
    doc.user_data["annotator"] = "ana"
    doc.user_data[("._.", "rel", None, None)] = {(1, 4): {"MEETS": 1.0}}
    docs.append(doc)
    docs.append(nlp.make_doc(""))  # no token at all
    docs.append(nlp.make_doc("   \n "))  # only whitespace
    words = Doc(nlp.vocab, words=["Sama", "sama", "SAMA", "sama"], spaces=[True, True, False, False])
    words.spans["entities"] = [SpacySpan(words, 0, 2, label="MISC")]  # a group, no doc.ents
    docs.append(words)
    unknown = Doc(nlp.vocab, words=["tanpa", "spasi"])  # spaces not given: has_unknown_spaces
    docs.append(unknown)
    return docs


def test_the_adder_writes_what_docbin_add_writes_for_documents_with_every_attribute() -> None:
    plain, fast = _both_ways(_rich_docs())
    assert fast == plain


class _PlainAdd:
    """What the writer did before: DocBin.add itself."""

    def __init__(self, docbin) -> None:
        self.docbin = docbin

    def __call__(self, doc) -> None:
        self.docbin.add(doc)


def test_an_export_is_the_file_docbin_add_made(seeded_project: Project, tmp_path: Path, monkeypatch) -> None:
    import annotator.formats.spacy_format as spacy_format

    annotate_seeds(seeded_project)
    doc_id, _ = seeded_project.add_document(Document(text="Dewan Keamanan Rusia bertemu di Jenewa."))
    seeded_project.add_spans(doc_id, [Span(0, 20, "ORG"), Span(15, 20, "LOC"), Span(32, 38, "LOC")], "ana")
    seeded_project.add_document(Document(text="Tanpa anotasi apa pun."))
    for options in ({"annotator": "ana", "include_suggestions": True}, {"all_annotators": True}):
        fast = tmp_path / "fast.spacy"
        export_project(seeded_project, "spacy", fast, force=True, **options)
        with monkeypatch.context() as m:
            m.setattr(spacy_format, "DocBinAdder", _PlainAdd)
            plain = tmp_path / "plain.spacy"
            export_project(seeded_project, "spacy", plain, force=True, **options)
        assert fast.read_bytes() == plain.read_bytes(), options


def test_an_export_reads_back_as_spacy_wrote_it(seeded_project: Project, tmp_path: Path) -> None:
    from spacy.tokens import DocBin

    annotate_seeds(seeded_project)
    out = tmp_path / "ana.spacy"
    export_project(seeded_project, "spacy", out, annotator="ana")
    docs = list(DocBin().from_disk(out).get_docs(blank_nlp().vocab))
    # the strings of every token and label are in the file: spaCy rebuilds each text and label from them
    for doc, doc_id in zip(docs, seeded_project.document_ids(), strict=True):
        assert doc.text == seeded_project.get_text(doc_id)
        assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [
            (s.start, s.end, s.label) for s in seeded_project.spans(doc_id, "ana", "entities")]


@pytest.mark.parametrize("attribute", ["tag_", "lemma_", "dep_"])
def test_a_string_only_one_token_has_is_kept(attribute: str) -> None:
    nlp = blank_nlp()
    doc = nlp.make_doc("satu dua tiga")
    setattr(doc[2], attribute, "langka")
    plain, fast = _both_ways([doc])
    assert fast == plain


def test_srsly_skips_its_entry_point_scan_only_when_there_is_nothing_to_find() -> None:
    import numpy
    import srsly
    from srsly.msgpack import msgpack_decoders, msgpack_encoders

    blank_nlp()  # where the scan is switched off
    for registry in (msgpack_encoders, msgpack_decoders):
        assert registry.get_entry_points() == {}  # this environment's packages offer none
        assert registry.entry_points is False
        assert "numpy" in registry.get_all()  # srsly's own, registered in code, still found
    array = numpy.arange(6, dtype="int32").reshape(2, 3)
    assert (srsly.msgpack_loads(srsly.msgpack_dumps({"a": array}))["a"] == array).all()


@pytest.mark.parametrize("text", ["", "   \n", "Jokowi bertemu  Putin di Moskow,\n\nkata Kremlin.", "a\u00a0b  c\t\td🙂e ."])
def test_token_offsets_read_from_the_array_are_the_tokens_offsets(text: str) -> None:
    from annotator.formats.spacy_format import _token_offsets

    doc = blank_nlp().make_doc(text)
    assert _token_offsets(doc) == [[t.idx, t.idx + len(t)] for t in doc if not t.is_space]
