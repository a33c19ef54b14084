"""Issue 16 item 6: a document longer than spaCy takes in one piece is
suggested in pieces (offsets right to the end), and the other documents are
suggested as always."""

from __future__ import annotations

import pytest

from annotator.core import Document
from annotator.nlp.suggest import PipelineSuggester, suggest_project

PARAGRAPH = "Presiden Joko Widodo berkunjung ke Surabaya pada hari Senin.\n\n"


def test_a_document_over_spacys_max_length_is_suggested_in_pieces(project):
    short_id, _ = project.add_document(Document(text="Prabowo Subianto tiba di Bandung kemarin."))
    long_text = "".join(f"Bagian {i}. " + PARAGRAPH for i in range(700))
    long_id, _ = project.add_document(Document(text=long_text))
    suggester = PipelineSuggester(schema=project.schema)
    suggester.main.max_length = 10_000  # spaCy refuses longer texts; the real limit is 1,000,000
    assert len(long_text) > 4 * suggester.main.max_length
    report = suggest_project(project, suggester=suggester)
    assert report.documents == 2
    assert project.suggestions(short_id, "entities")
    found = project.suggestions(long_id, "entities")
    texts = [long_text[s.start : s.end] for s in found]
    assert texts.count("Joko Widodo") == 700  # every piece, the last one included, at the right offsets
    assert max(s.start for s in found) > len(long_text) - len(PARAGRAPH) - 20


def test_split_text_cuts_at_line_breaks_and_covers_everything():
    from annotator.nlp.suggest import split_text

    text = ("a" * 30 + "\n") * 10 + "b" * 40
    pieces = split_text(text, 100)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 100 for _, p in pieces)
    assert all(text[o : o + len(p)] == p for o, p in pieces)
    assert all(p.endswith("\n") for _, p in pieces[:-1])


@pytest.mark.slow
def test_a_document_over_a_million_characters_is_suggested_with_the_real_limit(project):
    text = "".join(f"Bagian {i}. " + PARAGRAPH for i in range(16_000))
    assert len(text) > 1_000_000  # spaCy's default nlp.max_length
    doc_id, _ = project.add_document(Document(text=text))
    other_id, _ = project.add_document(Document(text="Prabowo Subianto tiba di Bandung kemarin."))
    report = suggest_project(project)
    assert report.documents == 2
    found = [text[s.start : s.end] for s in project.suggestions(doc_id, "entities")]
    assert found.count("Joko Widodo") == 16_000
    assert project.suggestions(other_id, "entities")
