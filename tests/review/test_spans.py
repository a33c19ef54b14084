"""Span measures: exact/overlap F1, incomplete units, IOB tags (seqeval cross-check)."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics import f1_score
from seqeval.scheme import IOB2

from annotator.review import spans as sm

LABELS = ["PER", "ORG", "LOC"]


@st.composite
def token_spans(draw, n_tokens: int):
    """Non-overlapping token-aligned spans as (tok_start, tok_end_exclusive, label)."""
    out = []
    i = 0
    while i < n_tokens:
        if draw(st.booleans()):
            length = draw(st.integers(1, min(3, n_tokens - i)))
            out.append((i, i + length, draw(st.sampled_from(LABELS))))
            i += length + draw(st.integers(0, 2))
        else:
            i += 1
    return out


def _ref_tags(n: int, spans) -> list[str]:
    tags = ["O"] * n
    for s, e, lab in spans:
        tags[s] = f"B-{lab}"
        for k in range(s + 1, e):
            tags[k] = f"I-{lab}"
    return tags


def _chars(spans, width: int = 3):
    # tokens are "w" * 2 separated by one space: token i covers [3i, 3i + 2)
    return [(s * width, (e - 1) * width + 2, lab) for s, e, lab in spans]


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 25).flatmap(lambda n: st.tuples(st.just(n), token_spans(n), token_spans(n))))
def test_spans_exact_f1_matches_seqeval(data):
    n, a, b = data
    counts = sm.PairCounts()
    counts.add(_chars(a), _chars(b))
    if not a and not b:
        assert counts.f1 is None
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = f1_score([_ref_tags(n, a)], [_ref_tags(n, b)], mode="strict", scheme=IOB2, zero_division=0)
    assert counts.f1 == pytest.approx(ref, abs=1e-9)
    # symmetric
    other = sm.PairCounts()
    other.add(_chars(b), _chars(a))
    assert other.f1 == counts.f1 and other.overlap_f1 == pytest.approx(counts.overlap_f1)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 25).flatmap(lambda n: st.tuples(st.just(n), token_spans(n))))
def test_spans_iob_tags_match_token_spans(data):
    n, a = data
    tokens = [(3 * i, 3 * i + 2) for i in range(n)]
    assert sm.iob_tags(tokens, _chars(a)) == _ref_tags(n, a)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 20).flatmap(lambda n: st.tuples(token_spans(n), token_spans(n))))
def test_spans_overlap_and_incomplete_match_brute_force(data):
    a, b = (_chars(x) for x in data)

    def overlaps(x, y):
        return x[0] < y[1] and y[0] < x[1]

    ma = sum(any(overlaps(x, y) and x[2] == y[2] for y in b) for x in a)
    mb = sum(any(overlaps(y, x) and x[2] == y[2] for x in a) for y in b)
    inc = sum(not any(overlaps(x, y) for y in b) for x in a) + sum(not any(overlaps(y, x) for x in a) for y in b)
    counts = sm.PairCounts()
    counts.add(a, b)
    assert (counts.overlap_a, counts.overlap_b, counts.incomplete) == (ma, mb, inc)
    if a and b and ma + mb:
        p, r = mb / len(b), ma / len(a)
        assert counts.overlap_f1 == pytest.approx(2 * p * r / (p + r))
    assert counts.overlap_f1 is None or counts.overlap_f1 >= (counts.f1 or 0.0) - 1e-12


def test_spans_boundary_disagreement_is_overlap_not_exact():
    a = [(0, 10, "PER")]
    b = [(0, 5, "PER"), (20, 25, "LOC")]
    c = sm.PairCounts()
    c.add(a, b)
    assert c.f1 == 0.0
    assert c.overlap_f1 == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert c.incomplete == 1  # (20, 25) LOC: the other annotator has nothing there


def test_spans_iob_tags_partial_token_and_overlap():
    tokens = [(0, 4), (5, 9), (10, 14)]
    # a span ending mid-token still tags that token; overlapping spans: earliest start wins
    assert sm.iob_tags(tokens, [(2, 7, "PER")]) == ["B-PER", "I-PER", "O"]
    assert sm.iob_tags(tokens, [(5, 14, "ORG"), (0, 9, "PER")]) == ["B-PER", "I-PER", "I-ORG"]


def test_add_by_label_counts_each_label_as_add_on_its_spans_alone():
    import random

    from annotator.review.spans import PairCounts

    rnd = random.Random(3)
    for _ in range(200):
        a = [(s, s + rnd.randint(1, 6), rnd.choice("XYZ")) for s in (rnd.randint(0, 30) for _ in range(rnd.randint(0, 6)))]
        b = [(s, s + rnd.randint(1, 6), rnd.choice("XYZ")) for s in (rnd.randint(0, 30) for _ in range(rnd.randint(0, 6)))]
        whole, split = PairCounts(), PairCounts()
        whole.add(a, b)
        per_label = split.add_by_label(a, b)
        assert split == whole
        for lab in "XYZ":
            alone = PairCounts()
            alone.add([s for s in a if s[2] == lab], [s for s in b if s[2] == lab])
            got = per_label.get(lab, PairCounts())
            assert (got.n_a, got.n_b, got.exact, got.overlap_a, got.overlap_b) == (
                alone.n_a, alone.n_b, alone.exact, alone.overlap_a, alone.overlap_b)
