"""Every export imports back: same documents, spans and labels (property tests).

Random texts mix Indonesian words, punctuation, emoji and other characters
outside the BMP, odd whitespace (tabs, no-break spaces, line separators) and
line breaks.  Token formats get spans on token boundaries (a misaligned span
is the alignment tests' business); the character formats get any spans.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annotator.core.model import Span
from annotator.formats import export_project, import_paths
from annotator.formats.brat import LINE_BREAKS
from annotator.formats.tokenize import tokenize
from annotator.store import Project
from tests.formats.helpers import make_project, snapshot, token_view

WORDS = ["Jokowi", "Prabowo", "Jakarta", "Rusia", "menentang", "kata", "yang", "di", "PBB", "Dewan", "Keamanan",
         "2021", "21/6/2021", "e-KTP", "Sri", "Mulyani", "😀", "𝒳ara", "🇮🇩", "👍🏽", "𠀋字", "naïve", "Ωmega",
         "(", ")", ",", ".", "!", "?", "\"", "'s", "–", "…", "Rp10.000", "a.n.", "@akun", "#tagar"]
SEPS = [" ", " ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2028", ""]

LABELS = {"entities": ["PER", "ORG", "LOC", "MISC"], "cues": ["SUPPORT", "OPPOSE", "REPORT", "QUOTE"]}

tokenize("warm up")  # load spaCy here, not inside a strategy (it touches the random module)

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.data_too_large])


@st.composite
def texts(draw: st.DrawFn) -> str:
    """A random article-like text with at least one word."""
    n = draw(st.integers(1, 25))
    parts = []
    for i in range(n):
        if i:
            parts.append(draw(st.sampled_from(SEPS)))
        parts.append(draw(st.one_of(st.sampled_from(WORDS), st.text(
            st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp", "Co", "Cn")), min_size=1, max_size=4))))
    text = "".join(parts)
    if draw(st.booleans()):
        text = draw(st.sampled_from(["\n", " ", "😀 "])) + text
    return text if text.strip() else "kata"


@st.composite
def documents(draw: st.DrawFn, token_aligned: bool, overlap: bool) -> list:
    """1-3 documents, each with spans and answers by one or two annotators."""
    out = []
    seen = set()
    for _ in range(draw(st.integers(1, 3))):
        text = draw(texts())
        if text in seen:
            continue
        seen.add(text)
        if token_aligned:
            toks = tokenize(text)
            bounds = [(toks.starts[i], toks.ends[i]) for i in range(len(toks)) if not toks.is_space(i)]
        spans_by: dict[str, list[Span]] = {}
        labels_by: dict[str, dict] = {}
        for who in draw(st.sampled_from([["ana"], ["ana", "budi"]])):
            spans: list[Span] = []
            used: set[int] = set()
            for _k in range(draw(st.integers(0, 4))):
                layer = draw(st.sampled_from(["entities", "cues"])) if overlap else "entities"
                if token_aligned:
                    a = draw(st.integers(0, len(bounds) - 1))
                    b = draw(st.integers(a, min(a + 3, len(bounds) - 1)))
                    start, end = bounds[a][0], bounds[b][1]
                else:
                    start = draw(st.integers(0, len(text) - 1))
                    end = draw(st.integers(start + 1, min(len(text), start + 12)))
                if not overlap or layer == "entities":
                    if any(i in used for i in range(start, end)):
                        continue
                    used.update(range(start, end))
                span = Span(start, end, draw(st.sampled_from(LABELS[layer])), layer)
                if all(s.key != span.key for s in spans):
                    spans.append(span)
            spans_by[who] = spans
            if draw(st.booleans()):
                labels_by[who] = {"stance": (draw(st.sampled_from(["FAVOR", "AGAINST", "NEUTRAL"])),
                                             draw(st.sampled_from([None, "Rusia", "PBB 😀"])))}
        out.append((text, spans_by, labels_by))
    return out


STATES = st.dictionaries(st.tuples(st.integers(0, 2), st.sampled_from(["ana", "budi"])),
                         st.sampled_from(["todo", "in_progress", "done", "skipped"]), max_size=4)


def _roundtrip(fmt: str, docs: list, statuses: dict | None = None, **kwargs) -> tuple[dict, dict, object]:
    with tempfile.TemporaryDirectory() as tmp:
        src = make_project(Path(tmp) / "src.db", docs, statuses)
        try:
            out = Path(tmp) / f"out.{fmt}"
            report = export_project(src, fmt, out, all_annotators=True, misaligned="fail", **kwargs)
            with Project(Path(tmp) / "new.db") as dst:
                result = import_paths(dst, [out], fmt=fmt)
                assert result.ok, result.failed
                return snapshot(src), snapshot(dst), report
        finally:
            src.close()


@pytest.mark.parametrize("fmt", ["spacy", "jsonl", "conllu"])
def test_roundtrip_token_formats_keep_text_spans_and_labels(fmt: str) -> None:
    @SETTINGS
    @given(documents(token_aligned=True, overlap=fmt != "conllu"), STATES)
    def check(docs: list, statuses: dict) -> None:
        before, after, report = _roundtrip(fmt, docs, statuses)
        assert not report.issues
        assert after == before

    check()


@pytest.mark.parametrize("fmt", ["brat", "doccano", "labelstudio"])
def test_roundtrip_character_formats_keep_any_span(fmt: str) -> None:
    @SETTINGS
    @given(documents(token_aligned=False, overlap=True), STATES)
    def check(docs: list, statuses: dict) -> None:
        if fmt == "brat":  # a line break at a span's edge cannot be written (reported; tested in test_brat)
            docs = [(t, {w: [s for s in ss if t[s.start] not in LINE_BREAKS and t[s.end - 1] not in LINE_BREAKS]
                         for w, ss in sb.items()}, lb)
                    for t, sb, lb in docs]
        before, after, report = _roundtrip(fmt, docs, statuses)
        assert not report.issues
        assert after == before

    check()


def test_roundtrip_conll_keeps_tokens_and_entities() -> None:
    @SETTINGS
    @given(documents(token_aligned=True, overlap=False))
    def check(docs: list) -> None:
        docs = [(t, {"ana": sb.get("ana", [])}, {}) for t, sb, _lb in docs]  # CoNLL names no annotator
        # CoNLL carries tokens, not the whitespace between them: texts that differ only in
        # whitespace ('Jokowi', '\nJokowi') come back as one document (the import's dedup).
        assume(len({tuple(t.split()) for t, _sb, _lb in docs}) == len(docs))
        with tempfile.TemporaryDirectory() as tmp:
            src = make_project(Path(tmp) / "src.db", docs)
            try:
                out = Path(tmp) / "out.conll"
                report = export_project(src, "conll", out, annotator="ana", misaligned="fail")
                assert not report.issues
                with Project(Path(tmp) / "new.db") as dst:
                    assert import_paths(dst, [out], fmt="conll").ok
                    assert token_view(dst) == token_view(src)
            finally:
                src.close()

    check()


@pytest.mark.parametrize("policy", ["expand", "contract", "skip"])
def test_roundtrip_every_moved_or_dropped_span_is_reported(policy: str) -> None:
    """Spans anywhere in the text: what comes back is exactly the aligned spans
    plus the reported new offsets; nothing changes without a report line."""

    @SETTINGS
    @given(documents(token_aligned=False, overlap=True))
    def check(docs: list) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            src = make_project(Path(tmp) / "src.db", docs)
            try:
                out = Path(tmp) / "out.jsonl"
                report = export_project(src, "jsonl", out, all_annotators=True, misaligned=policy)
                with Project(Path(tmp) / "new.db") as dst:
                    assert import_paths(dst, [out]).ok
                    after = snapshot(dst)["spans"]
                before = snapshot(src)["spans"]
                text_of = {i: src.get_text(i) for i in src.document_ids()}
            finally:
                src.close()
        reported = {(text_of[i.document_id], i.annotator, i.layer, i.start, i.end, i.label): i for i in report.issues}
        assert len(reported) == len(report.issues)
        expected = set()
        for text, who, layer, start, end, label in before:
            issue = reported.pop((text, who, layer, start, end, label), None)
            if issue is None:
                expected.add((text, who, layer, start, end, label))  # on token boundaries: unchanged
            elif issue.new_start is not None:
                assert issue.action in ("expanded", "contracted", "moved")
                expected.add((text, who, layer, issue.new_start, issue.new_end, label))
            else:
                assert issue.action.startswith("skipped")
        assert not reported
        assert after == expected

    check()
