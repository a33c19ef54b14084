"""Tokens, sentences, alignment and tag schemes."""

from __future__ import annotations

import pytest

from annotator.core.model import Span
from annotator.formats.tokenize import align_spans, encode_tags, sentences, stored_tokens, tokenize


def test_tokenize_uses_stored_tokens_only_when_they_fit() -> None:
    text = "Jokowi di\nJakarta ."
    meta = {"tokens": [[0, 6], [7, 9], [10, 17], [18, 19]]}
    toks = tokenize(text, meta)
    assert [toks.text_of(i) for i in range(len(toks))] == ["Jokowi", "di", "\n", "Jakarta", "."]
    assert "".join(toks.text_of(i) + (" " if toks.ws[i] else "") for i in range(len(toks))) == text
    assert stored_tokens(text, {"tokens": [[0, 6], [5, 9]]}) is None  # overlapping
    assert stored_tokens(text, {"tokens": [[0, 3]]}) is None  # text left uncovered
    assert stored_tokens("ab cd", {"tokens": [[0, 5]]}) is None  # a space inside a token


def test_tokenize_align_policies() -> None:
    text = "Presiden Jokowi berkata."
    toks = tokenize(text)
    span = Span(10, 18, "PER")  # "okowi be": inside two tokens
    aligned, issues = align_spans([span], toks, "expand")
    assert (aligned[0].start, aligned[0].end) == (9, 23) and issues[0][1] == "expanded"
    aligned, issues = align_spans([span], toks, "contract")
    assert aligned == [] and issues[0][1].startswith("skipped")
    aligned, issues = align_spans([Span(8, 15, "PER")], toks, "contract")  # " Jokowi": leading space
    assert (aligned[0].start, aligned[0].end) == (9, 15) and issues[0][1] == "contracted"
    aligned, issues = align_spans([span], toks, "skip")
    assert aligned == [] and issues[0][1] == "skipped"
    aligned, issues = align_spans([span, Span(9, 15, "PER")], toks, "fail")
    assert [t.span.start for t in aligned] == [9] and issues[0][1] == "misaligned"
    with pytest.raises(ValueError):
        align_spans([span], toks, "guess")


def test_tokenize_sentences_at_line_breaks_and_full_stops_never_inside_entities() -> None:
    text = "Kata dia. Lalu\npergi ke Jl.\nSudirman."
    toks = tokenize(text)
    words = lambda a, b: " ".join(toks.text_of(i) for i in range(a, b) if not toks.is_space(i))  # noqa: E731
    assert [words(a, b) for a, b in sentences(toks)] == ["Kata dia .", "Lalu", "pergi ke Jl .", "Sudirman ."]
    jl = next(i for i in range(len(toks)) if toks.text_of(i) == "Jl")
    sud = next(i for i in range(len(toks)) if toks.text_of(i) == "Sudirman")
    assert [words(a, b) for a, b in sentences(toks, keep_together=[(jl, sud + 1)])][-1] == "pergi ke Jl . Sudirman ."


def test_tokenize_tag_schemes_agree_with_spacy() -> None:
    from spacy.training import biluo_to_iob, offsets_to_biluo_tags

    from annotator.formats.tokenize import blank_nlp

    text = "Jokowi dan Prabowo Subianto bertemu Menteri Luar Negeri Rusia di Moskwa hari ini"
    doc = blank_nlp().make_doc(text)
    ents = [(0, 6, "PER"), (11, 27, "PER"), (36, 61, "ORG"), (65, 71, "LOC")]
    spacy_biluo = offsets_to_biluo_tags(doc, ents)
    by_token = [(doc.char_span(a, b).start, doc.char_span(a, b).end, lab) for a, b, lab in ents]
    assert encode_tags(len(doc), by_token, "biluo") == spacy_biluo
    assert encode_tags(len(doc), by_token, "iob2") == biluo_to_iob(spacy_biluo)
