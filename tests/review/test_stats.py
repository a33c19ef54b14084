"""The coefficients against scikit-learn, statsmodels and the krippendorff package."""

from __future__ import annotations

import math
import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from annotator.review import stats

LABELS = st.sampled_from(["FAVOR", "AGAINST", "NEUTRAL"])


def _ref(fn, *args, **kwargs) -> float | None:
    """Run a reference implementation; NaN and 'undefined' errors become None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = fn(*args, **kwargs)
        except ValueError:
            return None
    return None if value is None or math.isnan(value) else float(value)


@st.composite
def two_codings(draw, labels=LABELS, missing: bool = False):
    n = draw(st.integers(1, 40))
    value = st.one_of(st.none(), labels) if missing else labels
    return draw(st.lists(value, min_size=n, max_size=n)), draw(st.lists(value, min_size=n, max_size=n))


@settings(max_examples=150, deadline=None)
@given(two_codings())
def test_stats_cohen_kappa_matches_sklearn(data):
    a, b = data
    ours = stats.cohen_kappa(a, b)
    ref = _ref(cohen_kappa_score, a, b)
    if ref is None:
        assert ours is None
    else:
        assert ours == pytest.approx(ref, abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(two_codings(labels=st.just("O")))
def test_stats_cohen_kappa_single_label_is_none(data):
    a, b = data
    assert stats.cohen_kappa(a, b) is None
    assert _ref(cohen_kappa_score, a, b) is None
    assert stats.percent_agreement(a, b) == 1.0
    assert "chance agreement is 1" in stats.why_undefined([a, b])


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 6), st.integers(1, 30), st.data())
def test_stats_fleiss_matches_statsmodels(raters, items, data):
    cats = data.draw(st.integers(1, 4))
    ratings = [data.draw(st.lists(st.integers(0, cats - 1), min_size=items, max_size=items)) for _ in range(raters)]
    table = np.zeros((items, cats), dtype=int)
    for r in ratings:
        table[np.arange(items), r] += 1
    ref = _ref(sm_fleiss, table)
    ours = stats.fleiss_kappa(ratings)
    if ref is None:
        assert ours is None
    else:
        assert ours == pytest.approx(ref, abs=1e-9)
    if ours is not None:
        assert stats.fleiss_kappa_counts(table) == pytest.approx(ours, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5), st.integers(1, 25), st.data())
def test_stats_krippendorff_matches_package_with_missing(coders, items, data):
    ratings = [
        data.draw(st.lists(st.one_of(st.none(), st.sampled_from("abc")), min_size=items, max_size=items))
        for _ in range(coders)
    ]
    codes = {"a": 1.0, "b": 2.0, "c": 3.0}
    matrix = [[np.nan if v is None else codes[v] for v in r] for r in ratings]
    ref = _ref(krippendorff.alpha, reliability_data=matrix, level_of_measurement="nominal")
    ours = stats.krippendorff_alpha(ratings)
    if ref is None:
        assert ours is None
    else:
        assert ours == pytest.approx(ref, abs=1e-9)


def test_stats_krippendorff_textbook_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example: alpha = 0.743.
    nan = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    assert stats.krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)


def test_stats_degenerate_cases_are_none_not_nan():
    assert stats.cohen_kappa([], []) is None
    assert stats.cohen_kappa(["A", None], [None, "B"]) is None
    assert stats.percent_agreement(["A", None], [None, "B"]) is None
    assert stats.fleiss_kappa([["A", "B"]]) is None  # a single annotator
    assert stats.krippendorff_alpha([["A", "B"]]) is None
    assert stats.why_undefined([["A", "B"]]) == "fewer than two annotators"
    assert stats.why_undefined([["A", None], [None, "B"]]) == "no item was answered by two annotators"
    with pytest.raises(ValueError):
        stats.cohen_kappa(["A"], ["A", "B"])


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(0, 3), min_size=3, max_size=3), st.integers(0, 5)),
                min_size=1, max_size=12))
def test_stats_weighted_alpha_is_alpha_of_the_expanded_table(rows):
    # a row standing for w identical units gives alpha of the table with the row written w times
    counts = np.array([r for r, _ in rows], dtype=np.int64)
    weights = np.array([w for _, w in rows], dtype=np.int64)
    expanded = np.repeat(counts, weights, axis=0)
    ours = stats.krippendorff_alpha_weighted(counts, weights)
    ref = stats.krippendorff_alpha_counts(expanded) if expanded.size else None
    if ref is None:
        assert ours is None
    else:
        assert ours == pytest.approx(ref, abs=1e-12)
    # and the reference package agrees, units as columns of coder values (missing = nan)
    width = int(expanded.sum(axis=1).max()) if expanded.size else 0
    if ref is not None and width >= 2:
        data = np.full((width, expanded.shape[0]), np.nan)
        for u, row in enumerate(expanded):
            values = np.repeat(np.arange(row.size), row)
            data[: values.size, u] = values
        assert ours == pytest.approx(_ref(krippendorff.alpha, reliability_data=data,
                                          level_of_measurement="nominal"), abs=1e-9)
