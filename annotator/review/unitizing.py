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

import numpy as np

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


# -- the same figures over arrays (agreement over a large project) -----------------------------

#: Integer sums are done in int64 when a bound on them stays under this; otherwise in Python
#: integers (object arrays), so the Fractions below are the exact values either way.
_INT64_SAFE = float(2**62)


def _exact(*arrays: np.ndarray, bound: float) -> tuple[np.ndarray, ...]:
    """``arrays`` as int64 when ``bound`` (a float estimate of the largest sum) allows, else as
    Python integers."""
    dtype: type = np.int64 if bound < _INT64_SAFE else object
    return tuple(a.astype(dtype, copy=False) for a in arrays)


def merged_units(begin: np.ndarray, end: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """One coder's units of one category as :func:`partition` keeps them: overlapping spans
    merged (:func:`_merge`), then clipped to ``[0, length)`` (empty ones dropped); sorted.
    Spans that already come by (begin, end), as agreement passes them, are not sorted again."""
    if begin.size == 0:
        return begin.astype(np.int64), end.astype(np.int64)
    b, e = begin.astype(np.int64, copy=False), end.astype(np.int64, copy=False)
    if not ((b[1:] > b[:-1]) | ((b[1:] == b[:-1]) & (e[1:] >= e[:-1]))).all():
        order = np.lexsort((e, b))
        b, e = b[order], e[order]
    reach = np.maximum.accumulate(e)
    first = np.ones(b.size, dtype=bool)
    first[1:] = b[1:] >= reach[:-1]
    at = np.flatnonzero(first)
    ub, ue = b[at], np.maximum.reduceat(e, at)
    ub, ue = np.maximum(ub, 0), np.minimum(ue, length)
    keep = ub < ue
    return ub[keep], ue[keep]


def _segments(ub: np.ndarray, ue: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The partition of ``[0, length)`` into these (sorted, disjoint) units and the gaps
    between them: ``(begins, ends, is_unit)``, in order."""
    prev_end = np.concatenate(([0], ue))
    gap_b = prev_end
    gap_e = np.concatenate((ub, [length]))
    b = np.empty(ub.size * 2 + 1, dtype=np.int64)
    e = np.empty_like(b)
    unit = np.zeros(b.size, dtype=bool)
    b[0::2], e[0::2] = gap_b, gap_e
    b[1::2], e[1::2] = ub, ue
    unit[1::2] = True
    keep = b < e
    return b[keep], e[keep], unit[keep]


def _pair_disagreement_arrays(g: tuple[np.ndarray, np.ndarray, np.ndarray],
                              h: tuple[np.ndarray, np.ndarray, np.ndarray]) -> int:
    """:func:`_pair_disagreement` of two partitions of one continuum: the overlapping pairs
    of segments are those sharing an elementary interval between two boundaries."""
    gb, ge, gu = g
    hb, he, hu = h
    # both lists of begins are sorted: a merge, not a sort (a begin twice gives the same pair twice,
    # dropped below)
    cuts = np.sort(np.concatenate((gb, hb)), kind="stable")
    i = np.searchsorted(ge, cuts, side="right")
    j = np.searchsorted(he, cuts, side="right")
    new = np.ones(cuts.size, dtype=bool)
    new[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
    i, j = i[new], j[new]
    g_u, h_u = gu[i], hu[j]
    both = g_u & h_u
    g_in = g_u & ~h_u & (hb[j] <= gb[i]) & (ge[i] <= he[j])
    h_in = h_u & ~g_u & (gb[i] <= hb[j]) & (he[j] <= ge[i])
    # overlapping units differ at each end by less than the longer unit
    longest = float(max(int((ge - gb)[gu].max(initial=0)), int((he - hb)[hu].max(initial=0))))
    bound = 2.0 * i.size * longest * longest + 1
    u_gb, u_ge, u_hb, u_he = _exact(gb[i[both]], ge[i[both]], hb[j[both]], he[j[both]], bound=bound)
    (g_len,) = _exact((ge - gb)[i[g_in]], bound=bound)
    (h_len,) = _exact((he - hb)[j[h_in]], bound=bound)
    total = ((u_gb - u_hb) ** 2 + (u_ge - u_he) ** 2).sum() + (g_len**2).sum() + (h_len**2).sum()
    return int(total)


def category_disagreements_arrays(
    coders: Sequence[tuple[np.ndarray, np.ndarray]], length: int
) -> tuple[Fraction, Fraction]:
    """:func:`category_disagreements` on ``[0, length)`` with each coder's units as arrays
    ``(begins, ends)``: the same exact ``(D_o, D_e)``."""
    m = len(coders)
    parts = [_segments(*merged_units(b, e, length), length) for b, e in coders]
    observed = 0
    for i in range(m):
        for j in range(i + 1, m):
            observed += 2 * _pair_disagreement_arrays(parts[i], parts[j])
    d_o = Fraction(observed, m * (m - 1) * length * length)
    unit_lengths = np.concatenate([(e - b)[u] for b, e, u in parts])
    gaps = np.sort(np.concatenate([(e - b)[~u] for b, e, u in parts]))
    n_c, n_gaps = unit_lengths.size, gaps.size
    longest = float(unit_lengths.max(initial=0))
    total_gaps = float(gaps.sum())
    bound = n_c * (n_c * 2.0 * longest**3 + 3.0 * longest**2 * (total_gaps + longest * n_gaps)) + length * length * m * m
    lu, gaps = _exact(unit_lengths, gaps, bound=bound)
    suffix = np.zeros(n_gaps + 1, dtype=gaps.dtype)
    if n_gaps:
        suffix[:-1] = np.cumsum(gaps[::-1])[::-1]
    k = np.searchsorted(gaps.astype(np.int64), unit_lengths, side="left")
    numerator3 = int(((n_c - 1) * (2 * lu**3 - 3 * lu**2 + lu) + 3 * lu * lu * (suffix[k] - (lu - 1) * (n_gaps - k))).sum())
    denominator = m * length * (m * length - 1) - int((lu * (lu - 1)).sum())
    if denominator <= 0:
        return d_o, Fraction(0)
    return d_o, Fraction(2 * numerator3, 3 * length * denominator)


def arrays_alpha(
    coders: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], length: int, n_categories: int,
    categories: Sequence[str],
) -> UnitizingResult:
    """:func:`documents_alpha` with every document already laid end to end: each coder's
    ``(begins, ends, category codes)`` on one continuum ``[0, length)``; ``categories[c]``
    names code ``c``."""
    if len(coders) < 2 or length <= 0:
        return UnitizingResult(alpha=None)
    return _result((categories[c], *category_disagreements_arrays(
        [(b[cat == c], e[cat == c]) for b, e, cat in coders], length)) for c in range(n_categories))


def _result(disagreements: Iterable[tuple[str, Fraction, Fraction]]) -> UnitizingResult:
    """uα and its parts from each category's ``(name, D_o, D_e)``."""
    result = UnitizingResult(alpha=None)
    total_o = total_e = Fraction(0)
    for name, d_o, d_e in disagreements:
        result.observed[name] = float(d_o)
        result.expected[name] = float(d_e)
        result.per_category[name] = float(1 - d_o / d_e) if d_e > 0 else None
        total_o += d_o
        total_e += d_e
    result.alpha = float(1 - total_o / total_e) if total_e > 0 else None
    return result


def _histogram(values: Sequence[np.ndarray], counts: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of several ``(values, counts)`` pieces, sorted, with their summed counts."""
    if not values:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    distinct, where = np.unique(np.concatenate(values), return_inverse=True)
    total = np.zeros(distinct.size, dtype=np.int64)
    np.add.at(total, where, np.concatenate(counts))
    return distinct, total


class UnitizingSums:
    """uα of ``n_coders`` coders over a continuum given piece by piece (:meth:`add`, in order):
    the same exact figures as :func:`arrays_alpha` over the pieces laid end to end, keeping per
    category only the observed sum and how often each unit and gap length occurs (agreement
    over a large project takes its documents a block at a time).

    Why the pieces add up: no unit crosses from one piece into the next, so the overlapping
    segments of two coders are those of each piece, but for gaps, which join across a piece's
    end; gap against gap adds nothing to D_o and a unit inside a gap is inside its piece's
    part of it, so only D_e needs the joined gaps, which :meth:`add` carries over."""

    def __init__(self, n_coders: int, n_categories: int) -> None:
        self.n_coders, self.n_categories = n_coders, n_categories
        self.length = 0
        self.observed = [0] * n_categories
        #: per category: pieces of (distinct lengths, how many) of units and of closed gaps
        self.units: list[tuple[list[np.ndarray], list[np.ndarray]]] = [([], []) for _ in range(n_categories)]
        self.gaps: list[tuple[list[np.ndarray], list[np.ndarray]]] = [([], []) for _ in range(n_categories)]
        #: per category and coder: the gap still open at the end of the pieces so far
        self.carry = [[0] * n_coders for _ in range(n_categories)]

    @staticmethod
    def _keep(into: tuple[list[np.ndarray], list[np.ndarray]], lengths: np.ndarray) -> None:
        if lengths.size:
            values, counts = np.unique(lengths, return_counts=True)
            into[0].append(values)
            into[1].append(counts.astype(np.int64))

    def add(self, coders: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], length: int) -> None:
        """The next piece, ``[0, length)``: each coder's ``(begins, ends, category codes)`` on it,
        every unit inside it."""
        if len(coders) != self.n_coders:
            raise ValueError(f"{len(coders)} coders given, {self.n_coders} expected")
        if length <= 0:
            return
        m = self.n_coders
        for c in range(self.n_categories):
            parts = [_segments(*merged_units(b[cat == c], e[cat == c], length), length) for b, e, cat in coders]
            for i in range(m):
                for j in range(i + 1, m):
                    self.observed[c] += 2 * _pair_disagreement_arrays(parts[i], parts[j])
            carry = self.carry[c]
            for k, (b, e, u) in enumerate(parts):
                self._keep(self.units[c], (e - b)[u])
                if not u.any():  # one gap over the whole piece: it stays open
                    carry[k] += length
                    continue
                gap = (e - b)[~u]
                lead = 0 if u[0] else int(gap[0])
                inner = gap[(0 if u[0] else 1):(gap.size if u[-1] else gap.size - 1)]
                if carry[k] + lead:
                    inner = np.concatenate(([carry[k] + lead], inner))
                self._keep(self.gaps[c], inner)
                carry[k] = 0 if u[-1] else int(gap[-1])
        self.length += length

    def _expected(self, c: int) -> Fraction:
        """D_e of category ``c`` (:func:`category_disagreements_arrays`' formula over the counted
        lengths, in Python integers)."""
        m, length = self.n_coders, self.length
        lu, nu = _histogram(*self.units[c])
        open_gaps = [np.array([g], dtype=np.int64) for g in self.carry[c] if g]
        gv, gn = _histogram(self.gaps[c][0] + open_gaps, self.gaps[c][1] + [np.ones(1, dtype=np.int64)
                                                                           for _ in open_gaps])
        n_c = int(nu.sum())
        # over the gaps at least as long as each unit: their count and their summed lengths
        k = np.searchsorted(gv, lu, side="left")
        gap_total = gv.astype(object) * gn.astype(object)
        suffix = np.zeros(gv.size + 1, dtype=object)
        count_ge = np.zeros(gv.size + 1, dtype=object)
        if gv.size:
            suffix[:-1] = np.cumsum(gap_total[::-1])[::-1]
            count_ge[:-1] = np.cumsum(gn.astype(object)[::-1])[::-1]
        u, w = lu.astype(object), nu.astype(object)
        numerator3 = int(((w * ((n_c - 1) * (2 * u**3 - 3 * u**2 + u)
                                + 3 * u * u * (suffix[k] - (u - 1) * count_ge[k])))).sum()) if u.size else 0
        denominator = m * length * (m * length - 1) - (int((w * u * (u - 1)).sum()) if u.size else 0)
        if denominator <= 0:
            return Fraction(0)
        return Fraction(2 * numerator3, 3 * length * denominator)

    def result(self, categories: Sequence[str]) -> UnitizingResult:
        """uα over every piece added: :func:`arrays_alpha` of the pieces laid end to end;
        ``categories[c]`` names code ``c``."""
        m, length = self.n_coders, self.length
        if m < 2 or length <= 0:
            return UnitizingResult(alpha=None)
        return _result((categories[c], Fraction(self.observed[c], m * (m - 1) * length * length), self._expected(c))
                       for c in range(self.n_categories))
