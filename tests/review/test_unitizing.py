"""Krippendorff's unitizing alpha against the worked examples of the literature."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.review.unitizing import distance, documents_alpha, partition, unitizing_alpha


def test_unitizing_distance_matches_krippendorff_2004_examples():
    # Krippendorff (2004), Content Analysis 2nd ed., the distance examples (segments as begin, length)
    def unit(b, length):
        return (b, b + length, True)

    def gap(b, length):
        return (b, b + length, False)

    assert distance(unit(225, 70), unit(220, 80)) == 50
    assert distance(unit(370, 30), unit(355, 20)) == 850
    assert distance(gap(400, 50), unit(400, 20)) == 400
    assert distance(unit(5, 6), unit(4, 2)) == 26
    assert distance(unit(5, 6), unit(6, 4)) == 2
    assert distance(gap(2, 3), unit(2, 2)) + distance(unit(5, 6), gap(4, 7)) == 40
    assert distance(unit(5, 6), gap(4, 3)) == 0  # the unit is not inside that gap


def test_unitizing_krippendorff_2004_worked_example():
    # Krippendorff (2004: p. 254): continuum [150, 450), two coders, categories c and k
    coder_i = [(225, 295, "c"), (370, 400, "c"), (180, 240, "k"), (300, 350, "k")]
    coder_j = [(220, 300, "c"), (355, 375, "c"), (400, 420, "c"), (180, 240, "k"), (300, 350, "k")]
    r = unitizing_alpha({"i": coder_i, "j": coder_j}, 150, 450)
    assert r.observed["c"] == pytest.approx(0.0144, abs=1e-4)
    assert r.expected["c"] == pytest.approx(0.0532, abs=1e-4)
    assert r.per_category["c"] == pytest.approx(0.7286, abs=1e-4)
    assert r.observed["k"] == 0.0
    assert r.expected["k"] == pytest.approx(0.0490, abs=1e-4)
    assert r.per_category["k"] == 1.0
    assert r.alpha == pytest.approx(0.8591, abs=5e-4)


def _example_1995(stretch: int):
    """Krippendorff (1995: p. 57): four pairs of coders, 24 positions each (begin, length)."""
    data = {
        "A": ([(2, 8), (14, 6)], [(4, 4), (15, 2)]),
        "B": ([(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)]),
        "C": ([(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]),
        "D": ([(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)], [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)]),
    }
    return {
        cat: unitizing_alpha(
            {"first": [(b * stretch, (b + n) * stretch, cat) for b, n in first],
             "second": [(b * stretch, (b + n) * stretch, cat) for b, n in second]},
            0, 24 * stretch)
        for cat, (first, second) in data.items()
    }


def test_unitizing_krippendorff_1995_example_observed_disagreement():
    r = _example_1995(1)
    # adjacent units of one coder (B, D) stay separate units here: they are given as such
    assert r["A"].observed["A"] == pytest.approx(0.03125, abs=1e-5)
    assert r["B"].observed["B"] == pytest.approx(2.26736, abs=1e-5)
    assert r["C"].observed["C"] == pytest.approx(0.02777, abs=1e-5)
    assert r["D"].observed["D"] == pytest.approx(0.38715, abs=1e-5)


def test_unitizing_krippendorff_1995_example_alpha_in_the_limit():
    # The published values are for a fine-grained continuum: stretch it (as DKPro's test does).
    r = _example_1995(2000)
    assert r["A"].per_category["A"] == pytest.approx(0.553, abs=0.02)
    assert r["B"].per_category["B"] == pytest.approx(-0.926, abs=0.02)
    assert r["C"].per_category["C"] == pytest.approx(0.679, abs=0.02)
    assert r["D"].per_category["D"] == pytest.approx(0.066, abs=0.02)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 90), st.integers(1, 10), st.sampled_from("XY")), max_size=8))
def test_unitizing_identical_coders_agree_perfectly(spans):
    units = [(b, b + n, c) for b, n, c in spans]
    r = unitizing_alpha({"a": units, "b": units, "c": units}, 0, 100)
    if r.alpha is not None:
        assert r.alpha == pytest.approx(1.0)
    assert all(v == 0.0 for v in r.observed.values())


def test_unitizing_partition_merges_overlaps_and_documents_concatenate():
    assert partition([(2, 5), (4, 8), (10, 12)], 0, 12) == [
        (0, 2, False), (2, 8, True), (8, 10, False), (10, 12, True)]
    joined = documents_alpha([(10, {"a": [(0, 4, "X")], "b": [(0, 4, "X")]}),
                              (10, {"a": [(2, 6, "X")], "b": []})])
    direct = unitizing_alpha({"a": [(0, 4, "X"), (12, 16, "X")], "b": [(0, 4, "X")]}, 0, 20)
    assert joined.alpha == pytest.approx(direct.alpha)
    assert unitizing_alpha({"a": [(0, 4, "X")]}, 0, 10).alpha is None
    with pytest.raises(ValueError, match="missing"):
        documents_alpha([(10, {"a": [], "b": []}), (5, {"a": []})])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.lists(st.lists(
    st.tuples(st.integers(0, 32), st.integers(1, 6), st.sampled_from(["A", "B"])), max_size=5),
    min_size=3, max_size=3)), min_size=1, max_size=4), st.integers(2, 3))
def test_unitizing_arrays_alpha_is_documents_alpha_exactly(docs, n_coders):
    # the vectorised form used by agreement gives the very same floats (its sums are exact too)
    from annotator.review.unitizing import arrays_alpha

    names = ["x", "y", "z"][:n_coders]
    cats = ["A", "B"]
    given_docs = [(length, {c: [(s, s + w, lab) for s, w, lab in per[i]] for i, c in enumerate(names)})
                  for length, per in docs]
    ref = documents_alpha(given_docs, cats)
    offset = 0
    cols: dict[str, list[list[int]]] = {c: [[], [], []] for c in names}
    for length, spans in given_docs:
        for c in names:
            for s, e, lab in spans[c]:
                cols[c][0].append(offset + s)
                cols[c][1].append(offset + e)
                cols[c][2].append(cats.index(lab))
        offset += length
    got = arrays_alpha([tuple(np.array(v, dtype=np.int64) for v in cols[c]) for c in names], offset, 2, cats)
    assert (got.alpha, got.per_category, got.observed, got.expected) == (
        ref.alpha, ref.per_category, ref.observed, ref.expected)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.lists(st.lists(st.tuples(st.integers(0, 29), st.integers(1, 12),
                                                                          st.integers(0, 2)), max_size=4),
                                                         min_size=3, max_size=3)), min_size=1, max_size=5),
       st.integers(2, 3), st.integers(1, 3))
def test_unitizing_sums_over_pieces_are_arrays_alpha_of_the_joined_continuum(pieces, n_coders, n_cats):
    """uα summed piece by piece (agreement's blocks of documents) is the uα of the pieces laid
    end to end, to the bit: gaps that run on from one piece into the next included (pieces
    without a unit, empty pieces, units touching a piece's ends)."""
    from annotator.review.unitizing import UnitizingSums, arrays_alpha

    cats = [f"c{i}" for i in range(n_cats)]
    sums = UnitizingSums(n_coders, n_cats)
    joined: list[list[tuple[int, int, int]]] = [[] for _ in range(n_coders)]
    offset = 0

    def arrays(units):
        units = sorted(units, key=lambda u: (u[2], u[0], u[1]))
        return tuple(np.array([u[i] for u in units], dtype=np.int64) for i in range(3))

    for length, coders in pieces:
        mine = []
        for k in range(n_coders):
            units = [(min(b, length), min(b + w, length), c % n_cats) for b, w, c in coders[k]]
            units = [u for u in units if u[0] < u[1]]
            mine.append(arrays(units))
            joined[k] += [(offset + b, offset + e, c) for b, e, c in units]
        sums.add(mine, length)
        offset += length
    assert sums.result(cats) == arrays_alpha([arrays(u) for u in joined], offset, n_cats, cats)
