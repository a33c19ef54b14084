"""Span-layer agreement between two annotators (pure Python).

A span here is a ``(start, end, label)`` triple of code-point offsets (end
exclusive) within one document and one layer.

* **exact F1**: ``2|A ∩ B| / (|A| + |B|)`` with multiset intersection, the
  entity-level F1 of either annotator scored against the other (it is symmetric).
* **overlap F1**: a span counts as matched when the other annotator has a span
  of the same label sharing at least one character; precision is the matched
  share of B, recall the matched share of A, F1 their harmonic mean.
* **incomplete**: spans of one annotator the other has nothing at all over
  (no span of any label overlapping): units one coder saw and the other missed.
* **IOB tags**: one tag per token for token-level kappa and alpha.

Undefined values (both annotators marked nothing) are ``None``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

SpanTriple = tuple[int, int, str]


@dataclass
class PairCounts:
    """Running counts for one annotator pair; add documents with :meth:`add`."""

    n_a: int = 0
    n_b: int = 0
    exact: int = 0
    overlap_a: int = 0  # spans of A matched (same label, overlapping) by some span of B
    overlap_b: int = 0
    incomplete: int = 0

    def add(self, a: Sequence[SpanTriple], b: Sequence[SpanTriple]) -> None:
        """Add one document's spans of the two annotators."""
        self.n_a += len(a)
        self.n_b += len(b)
        self.exact += exact_matches(a, b)
        self.overlap_a += overlap_matched(a, b)
        self.overlap_b += overlap_matched(b, a)
        self.incomplete += unmatched_any(a, b) + unmatched_any(b, a)

    def merge(self, other: PairCounts) -> None:
        """Add another set of counts to these."""
        self.n_a += other.n_a
        self.n_b += other.n_b
        self.exact += other.exact
        self.overlap_a += other.overlap_a
        self.overlap_b += other.overlap_b
        self.incomplete += other.incomplete

    def add_by_label(self, a: Sequence[SpanTriple], b: Sequence[SpanTriple]) -> dict[str, PairCounts]:
        """:meth:`add` one document and return its counts per label: each what ``add`` of only
        that label's spans gives, except ``incomplete`` (counted in the total only), in one pass
        over the spans instead of one per label."""
        self.incomplete += unmatched_any(a, b) + unmatched_any(b, a)
        out: dict[str, PairCounts] = {}
        for s in a:
            one = out.get(s[2])
            if one is None:
                one = out[s[2]] = PairCounts()
            one.n_a += 1
        for s in b:
            one = out.get(s[2])
            if one is None:
                one = out[s[2]] = PairCounts()
            one.n_b += 1
        for (_s, _e, lab), n in (Counter(a) & Counter(b)).items():
            out[lab].exact += n
        index_b = _label_index(b)
        index_a = _label_index(a)
        for s in a:
            if index_b[s[2]].any_overlap(s[0], s[1]) if s[2] in index_b else False:
                out[s[2]].overlap_a += 1
        for s in b:
            if index_a[s[2]].any_overlap(s[0], s[1]) if s[2] in index_a else False:
                out[s[2]].overlap_b += 1
        for one in out.values():
            self.n_a += one.n_a
            self.n_b += one.n_b
            self.exact += one.exact
            self.overlap_a += one.overlap_a
            self.overlap_b += one.overlap_b
        return out

    @property
    def f1(self) -> float | None:
        """Exact-match F1 (None when neither annotator marked anything)."""
        return exact_f1(self.exact, self.n_a, self.n_b)

    @property
    def overlap_f1(self) -> float | None:
        """Overlap-match F1 (None when neither annotator marked anything)."""
        return overlap_f1(self.overlap_a, self.overlap_b, self.n_a, self.n_b)


def exact_matches(a: Iterable[SpanTriple], b: Iterable[SpanTriple]) -> int:
    """``|A ∩ B|`` as multisets of (start, end, label)."""
    return sum((Counter(a) & Counter(b)).values())


def exact_f1(matched: int, n_a: int, n_b: int) -> float | None:
    """``2 matched / (n_a + n_b)``; None when both are empty."""
    if n_a + n_b == 0:
        return None
    return 2.0 * matched / (n_a + n_b)


class _Index:
    """Spans sorted by start with the running maximum of their ends, so "does
    any span overlap [start, end)?" is one binary search: among the spans that
    start before ``end``, the furthest-reaching one must end after ``start``."""

    __slots__ = ("max_end", "starts")

    def __init__(self, spans: Iterable[SpanTriple]) -> None:
        ordered = sorted(spans)
        self.starts = [x[0] for x in ordered]
        self.max_end: list[int] = []
        reach = -1
        for x in ordered:
            reach = max(reach, x[1])
            self.max_end.append(reach)

    def any_overlap(self, start: int, end: int) -> bool:
        hi = bisect_left(self.starts, end)
        return hi > 0 and self.max_end[hi - 1] > start


def _label_index(spans: Sequence[SpanTriple]) -> dict[str, _Index]:
    by_label: dict[str, list[SpanTriple]] = {}
    for s in spans:
        by_label.setdefault(s[2], []).append(s)
    return {lab: _Index(v) for lab, v in by_label.items()}


def overlap_matched(a: Sequence[SpanTriple], b: Sequence[SpanTriple]) -> int:
    """How many spans of A overlap a span of B with the same label."""
    index = _label_index(b)
    n = 0
    for s in a:
        entry = index.get(s[2])
        if entry is not None and entry.any_overlap(s[0], s[1]):
            n += 1
    return n


def unmatched_any(a: Sequence[SpanTriple], b: Sequence[SpanTriple]) -> int:
    """How many spans of A have no span of B (any label) overlapping them."""
    index = _Index(b)
    return sum(1 for s in a if not index.any_overlap(s[0], s[1]))


def overlap_f1(matched_a: int, matched_b: int, n_a: int, n_b: int) -> float | None:
    """Harmonic mean of recall ``matched_a/n_a`` and precision ``matched_b/n_b``."""
    if n_a + n_b == 0:
        return None
    if n_a == 0 or n_b == 0:
        return 0.0
    recall = matched_a / n_a
    precision = matched_b / n_b
    if precision + recall == 0:
        return 0.0
    return 2.0 * precision * recall / (precision + recall)


def iob_tags(tokens: Sequence[tuple[int, int]], spans: Sequence[SpanTriple]) -> list[str]:
    """IOB2 tags of ``tokens`` for ``spans``.

    A token belongs to a span when they share a character, so a span that
    does not sit on token boundaries still tags the tokens it touches.  Where
    spans overlap (layers that allow it) a token takes the span that starts
    first (the longer one on a tie), since IOB can hold only one.
    """
    tags = ["O"] * len(tokens)
    owner = [-1] * len(tokens)
    starts = [t[0] for t in tokens]
    ordered = sorted(spans, key=lambda s: (s[0], -s[1], s[2]))
    for k, (start, end, label) in enumerate(ordered):
        i = max(0, bisect_left(starts, start) - 1)
        first = True
        while i < len(tokens) and tokens[i][0] < end:
            if tokens[i][1] > start and owner[i] == -1:
                owner[i] = k
                tags[i] = ("B-" if first else "I-") + label
                first = False
            elif tokens[i][1] > start and owner[i] != k:
                first = False  # part of this span is hidden under an earlier one
            i += 1
    return tags
