"""Krippendorff's unitizing alpha (uα) over character offsets.

Krippendorff, K. (1995) "On the reliability of unitizing continuous data",
Sociological Methodology 25: 47–76; (2004) *Content Analysis*, 2nd ed., §12.
Each coder's spans of one category partition the continuum into *units* and
*gaps*; two overlapping segments of different coders disagree by

* unit vs unit:  (b_g − b_h)² + (e_g − e_h)²  (begin and end differences squared),
* unit inside a gap of the other coder:  l²  (the unit's length squared),
* otherwise 0,

so boundary slips cost little and a unit the other coder missed costs its
length squared.  Per category c, with m coders on a continuum of length L::

    D_o(c) = Σ_{i≠j} Σ_g Σ_h δ²(g_i, h_j) / (m (m − 1) L²)
    D_e(c) = 2/L · Σ_units [ (N_c − 1)/3 · (2l³ − 3l² + l) + l² Σ_{gaps ≥ l} (l_gap − l + 1) ]
             / ( mL (mL − 1) − Σ_units l (l − 1) )
    uα_c   = 1 − D_o(c) / D_e(c),    uα = 1 − Σ_c D_o(c) / Σ_c D_e(c)

(N_c: units of c over all coders; the gap sum runs over every coder's gaps.)
The tests reproduce the worked examples of Krippendorff (2004, p. 254:
uα = 0.8591, uα_c = 0.7286) and Krippendorff (1995, p. 57).

Several documents are laid end to end into one continuum.  A coder's
overlapping spans of the same category are merged into one unit (uα needs
each coder's units of a category to be disjoint).  ``None`` when undefined
(fewer than two coders, an empty continuum, or no units at all).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

Segment = tuple[int, int, bool]  # (begin, end, is_unit)


@dataclass
class UnitizingResult:
    """uα overall and per category, with the disagreements it is made of."""

    alpha: float | None
    per_category: dict[str, float | None] = field(default_factory=dict)
    observed: dict[str, float] = field(default_factory=dict)
    expected: dict[str, float] = field(default_factory=dict)


def _merge(units: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for b, e in sorted(units):
        if out and b < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((b, e))
    return out


def partition(units: Iterable[tuple[int, int]], begin: int, end: int) -> list[Segment]:
    """The continuum [begin, end) cut into units (True) and the gaps between them (False)."""
    segments: list[Segment] = []
    pos = begin
    for b, e in _merge(units):
        b, e = max(b, begin), min(e, end)
        if b >= e:
            continue
        if b > pos:
            segments.append((pos, b, False))
        segments.append((b, e, True))
        pos = e
    if pos < end:
        segments.append((pos, end, False))
    return segments


def distance(g: Segment, h: Segment) -> int:
    """δ² between two segments of different coders (0 unless they overlap as described above)."""
    gb, ge, gu = g
    hb, he, hu = h
    if gu and hu:
        if gb < he and hb < ge:
            return (gb - hb) ** 2 + (ge - he) ** 2
        return 0
    if gu and not hu:
        return (ge - gb) ** 2 if hb <= gb and ge <= he else 0
    if hu and not gu:
        return (he - hb) ** 2 if gb <= hb and he <= ge else 0
    return 0


def _pair_disagreement(a: list[Segment], b: list[Segment]) -> int:
    """Σ δ² over every overlapping pair of segments of two partitions of one continuum."""
    total = 0
    i = j = 0
    while i < len(a) and j < len(b):
        total += distance(a[i], b[j])
        if a[i][1] < b[j][1]:
            i += 1
        elif b[j][1] < a[i][1]:
            j += 1
        else:
            i += 1
            j += 1
    return total


def category_disagreements(
    coders: Sequence[Sequence[tuple[int, int]]], begin: int, end: int
) -> tuple[Fraction, Fraction]:
    """``(D_o, D_e)`` of one category; ``coders[i]`` are coder i's units as (begin, end)."""
    m = len(coders)
    length = end - begin
    parts = [partition(c, begin, end) for c in coders]
    observed = 0
    for i in range(m):
        for j in range(i + 1, m):
            observed += 2 * _pair_disagreement(parts[i], parts[j])
    d_o = Fraction(observed, m * (m - 1) * length * length)
    unit_lengths = [e - b for p in parts for b, e, u in p if u]
    gaps = sorted(e - b for p in parts for b, e, u in p if not u)
    # suffix sums over the sorted gap lengths: Σ_{gap >= l} (gap - l + 1) = S(l) - (l - 1) * count(l)
    suffix = [0] * (len(gaps) + 1)
    for k in range(len(gaps) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + gaps[k]
    n_c = len(unit_lengths)
    # three times the numerator, summed in integers (one Fraction per unit was most of the time):
    # the same exact value as before, divided once at the end
    numerator3 = 0
    n_gaps = len(gaps)
    for lu in unit_lengths:
        k = bisect_left(gaps, lu)
        numerator3 += (n_c - 1) * (2 * lu**3 - 3 * lu**2 + lu) + 3 * lu * lu * (suffix[k] - (lu - 1) * (n_gaps - k))
    denominator = m * length * (m * length - 1) - sum(lu * (lu - 1) for lu in unit_lengths)
    if denominator <= 0:
        return d_o, Fraction(0)
    return d_o, Fraction(2 * numerator3, 3 * length * denominator)


def unitizing_alpha(
    spans_by_coder: Mapping[str, Iterable[tuple[int, int, str]]],
    begin: int,
    end: int,
    categories: Sequence[str] | None = None,
) -> UnitizingResult:
    """uα of the coders' ``(start, end, label)`` spans on the continuum [begin, end)."""
    coders = list(spans_by_coder)
    by_coder = {c: list(spans_by_coder[c]) for c in coders}
    cats = list(categories) if categories is not None else sorted({s[2] for v in by_coder.values() for s in v})
    result = UnitizingResult(alpha=None)
    if len(coders) < 2 or end <= begin:
        return result
    total_o = total_e = Fraction(0)
    for cat in cats:
        units = [[(s[0], s[1]) for s in by_coder[c] if s[2] == cat] for c in coders]
        d_o, d_e = category_disagreements(units, begin, end)
        result.observed[cat] = float(d_o)
        result.expected[cat] = float(d_e)
        result.per_category[cat] = float(1 - d_o / d_e) if d_e > 0 else None
        total_o += d_o
        total_e += d_e
    result.alpha = float(1 - total_o / total_e) if total_e > 0 else None
    return result


def documents_alpha(
    documents: Sequence[tuple[int, Mapping[str, Iterable[tuple[int, int, str]]]]],
    categories: Sequence[str] | None = None,
) -> UnitizingResult:
    """uα over several documents laid end to end: ``documents`` holds
    ``(text_length, {coder: spans})`` and every coder must be in every entry."""
    offset = 0
    joined: dict[str, list[tuple[int, int, str]]] = {}
    for length, spans in documents:
        for coder, ss in spans.items():
            joined.setdefault(coder, []).extend((offset + s, offset + e, lab) for s, e, lab in ss)
        offset += length
    for _length, spans in documents:
        for coder in joined:
            if coder not in spans:
                raise ValueError(f"coder {coder!r} is missing from a document; uα needs every coder on every one")
    return unitizing_alpha(joined, 0, offset, categories)
