"""Chance-corrected agreement coefficients for nominal data (pure numpy).

Every function returns ``None`` where the coefficient is undefined (the
denominator is zero: a single category in all the data, no item rated by two
coders, fewer than two coders) instead of NaN, so callers can print or
serialise the result and say why.  :func:`why_undefined` gives the reason in
words.  The tests cross-check each function against scikit-learn,
statsmodels and the ``krippendorff`` package on generated data.

Missing values are ``None`` in the inputs.
"""

from __future__ import annotations

from typing import Hashable, Sequence

import numpy as np

Value = Hashable | None


def _codes(*columns: Sequence[Value]) -> tuple[list[np.ndarray], list[Hashable]]:
    """Map values to integer codes (-1 = missing); categories in first-seen order."""
    index: dict[Hashable, int] = {}
    out = []
    for col in columns:
        arr = np.empty(len(col), dtype=np.int64)
        for i, v in enumerate(col):
            if v is None:
                arr[i] = -1
            else:
                arr[i] = index.setdefault(v, len(index))
        out.append(arr)
    return out, list(index)


def percent_agreement(a: Sequence[Value], b: Sequence[Value]) -> float | None:
    """Share of items both coders rated on which they agree (None: no such item)."""
    if len(a) != len(b):
        raise ValueError(f"the two codings differ in length ({len(a)} vs {len(b)})")
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not pairs:
        return None
    return sum(x == y for x, y in pairs) / len(pairs)


def cohen_kappa_codes(a: np.ndarray, b: np.ndarray, n_categories: int | None = None) -> float | None:
    """Cohen's kappa of two integer code arrays of equal length (no missing values).

    ``None`` when there are no items or the expected agreement is 1 (both coders
    used one and the same category throughout: kappa is 0/0).
    """
    if a.shape != b.shape:
        raise ValueError("the two codings differ in length")
    n = a.size
    if n == 0:
        return None
    k = int(n_categories if n_categories is not None else max(int(a.max()), int(b.max())) + 1)
    return cohen_kappa_counts(int(np.count_nonzero(a == b)), n, np.bincount(a, minlength=k), np.bincount(b, minlength=k))


def cohen_kappa_counts(agree: int, n: int, count_a: np.ndarray, count_b: np.ndarray) -> float | None:
    """Cohen's kappa from its counts: ``agree`` of ``n`` items coded alike, and how many items
    each coder put in each category (integer arrays of one length).  The arithmetic of
    :func:`cohen_kappa_codes`, which calls it, so both give the same float."""
    if n == 0:
        return None
    observed = float(agree) / n
    pa = count_a / n
    pb = count_b / n
    expected = float(pa @ pb)
    if expected >= 1.0 - 1e-12:
        return None
    return (observed - expected) / (1.0 - expected)


def cohen_kappa(a: Sequence[Value], b: Sequence[Value]) -> float | None:
    """Cohen's kappa over the items both coders rated (missing = ``None`` is skipped)."""
    if len(a) != len(b):
        raise ValueError(f"the two codings differ in length ({len(a)} vs {len(b)})")
    keep = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not keep:
        return None
    (ca, cb), cats = _codes([x for x, _ in keep], [y for _, y in keep])
    return cohen_kappa_codes(ca, cb, len(cats))


def fleiss_kappa_counts(counts: np.ndarray) -> float | None:
    """Fleiss' kappa from an items x categories table of rater counts.

    Every row must sum to the same number of raters n >= 2.  ``None`` when
    there are no items, fewer than two raters, or one category takes every rating.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] == 0:
        return None
    n = counts.sum(axis=1)
    if not np.allclose(n, n[0]):
        raise ValueError("Fleiss' kappa needs the same number of ratings for every item")
    raters = float(n[0])
    if raters < 2:
        return None
    items = counts.shape[0]
    p_j = counts.sum(axis=0) / (items * raters)
    p_i = (np.square(counts).sum(axis=1) - raters) / (raters * (raters - 1))
    p_bar = float(p_i.mean())
    p_e = float(np.square(p_j).sum())
    if p_e >= 1.0 - 1e-12:
        return None
    return (p_bar - p_e) / (1.0 - p_e)


def fleiss_kappa(ratings: Sequence[Sequence[Value]]) -> float | None:
    """Fleiss' kappa of ``ratings[coder][item]``, over the items every coder rated."""
    if len(ratings) < 2:
        return None
    n_items = len(ratings[0])
    if any(len(r) != n_items for r in ratings):
        raise ValueError("every coder needs a value (or None) for every item")
    complete = [i for i in range(n_items) if all(r[i] is not None for r in ratings)]
    if not complete:
        return None
    cols, cats = _codes(*[[r[i] for i in complete] for r in ratings])
    counts = np.zeros((len(complete), len(cats)), dtype=np.int64)
    for col in cols:
        counts[np.arange(len(complete)), col] += 1
    return fleiss_kappa_counts(counts)


def krippendorff_alpha_counts(unit_counts: np.ndarray) -> float | None:
    """Krippendorff's alpha (nominal) from a units x categories table of value counts.

    Units with fewer than two values are not pairable and drop out (that is how
    alpha treats missing values).  ``None`` when no unit is pairable or every
    pairable value is the same category (expected disagreement 0).
    """
    counts = np.asarray(unit_counts, dtype=np.float64)
    if counts.ndim != 2 or counts.size == 0:
        return None
    m = counts.sum(axis=1)
    counts = counts[m >= 2]
    m = m[m >= 2]
    if counts.shape[0] == 0:
        return None
    n = float(m.sum())
    # Observed coincidences on the diagonal: sum_u sum_c n_uc (n_uc - 1) / (m_u - 1).
    diag = float(((counts * (counts - 1)).sum(axis=1) / (m - 1)).sum())
    n_c = counts.sum(axis=0)
    expected_disagreement = n * n - float(np.square(n_c).sum())
    if expected_disagreement <= 1e-12:
        return None
    observed_disagreement = n - diag
    return 1.0 - (n - 1.0) * observed_disagreement / expected_disagreement


def krippendorff_alpha_weighted(unit_counts: np.ndarray, weights: np.ndarray) -> float | None:
    """:func:`krippendorff_alpha_counts` of a table whose row ``i`` stands for ``weights[i]``
    identical units (integer counts and weights): a million tokens nobody tagged are one row.
    The sums are exact integers (grouped by how many values a unit has), so the value is
    that of the expanded table up to the last bit of a float."""
    counts = np.asarray(unit_counts, dtype=np.int64)
    w = np.asarray(weights, dtype=np.int64)
    if counts.ndim != 2 or counts.size == 0:
        return None
    m = counts.sum(axis=1)
    keep = (m >= 2) & (w > 0)
    counts, m, w = counts[keep], m[keep], w[keep]
    if counts.shape[0] == 0:
        return None
    n = int((w * m).sum())
    # sum_u sum_c n_uc (n_uc - 1) / (m_u - 1): an integer numerator per value of m_u
    inner = (counts * (counts - 1)).sum(axis=1) * w
    diag = 0.0
    for size in np.unique(m).tolist():
        diag += int(inner[m == size].sum()) / (size - 1)
    n_c = (counts * w[:, None]).sum(axis=0)
    expected_disagreement = float(n * n - sum(int(x) * int(x) for x in n_c))
    if expected_disagreement <= 1e-12:
        return None
    observed_disagreement = n - diag
    return 1.0 - (n - 1.0) * observed_disagreement / expected_disagreement


def krippendorff_alpha(ratings: Sequence[Sequence[Value]]) -> float | None:
    """Krippendorff's alpha, nominal, of ``ratings[coder][item]`` with ``None`` for missing."""
    if not ratings:
        return None
    n_items = len(ratings[0])
    if any(len(r) != n_items for r in ratings):
        raise ValueError("every coder needs a value (or None) for every item")
    cols, cats = _codes(*ratings)
    if not cats:
        return None
    counts = np.zeros((n_items, len(cats)), dtype=np.int64)
    for col in cols:
        present = col >= 0
        np.add.at(counts, (np.nonzero(present)[0], col[present]), 1)
    return krippendorff_alpha_counts(counts)


def why_undefined(ratings: Sequence[Sequence[Value]]) -> str:
    """In words, why a coefficient over ``ratings[coder][item]`` has no value."""
    if len(ratings) < 2:
        return "fewer than two annotators"
    n_items = len(ratings[0]) if ratings else 0
    pairable = [i for i in range(n_items) if sum(r[i] is not None for r in ratings) >= 2]
    if not pairable:
        return "no item was answered by two annotators"
    values = {r[i] for r in ratings for i in pairable if r[i] is not None}
    if len(values) == 1:
        return f"every answer is {next(iter(values))!r}: chance agreement is 1, so the coefficient is 0/0"
    return "undefined"
