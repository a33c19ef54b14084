"""The array building blocks of agreement at scale against the plain per-document code they
stand for: tokens (``core.tokens.token_spans``), pair counts (``spans.PairCounts``), IOB tags
(``spans.iob_tags``) and token alpha (the table of every unit)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.tokens import token_spans
from annotator.review import span_arrays as sa
from annotator.review import stats
from annotator.review.agreement import _token_alpha
from annotator.review.spans import PairCounts, iob_tags

# characters that split, join or space tokens in spaCy's Indonesian rules, and plain ones
PIECES = list("abcAB .,-'\"()?!:;/\n\t0123%$") + [
    "\u00a0", "\u2003", "\u3000", "é", "°C.", "km", "Rp10.000", "U.S.", "https://a.b/c", "  ", "tahun-tahun",
    "Jl.", "10km", "(AFP)", "…", "—", "🇮🇩",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=30).map("".join), min_size=1, max_size=6))
def test_text_tokens_are_token_spans(texts):
    table = sa.ChunkTable()  # shared across texts, as across the batches of one agreement
    for text in texts:
        starts, ends = sa.text_tokens(text, table)
        assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == token_spans(text)


def test_text_tokens_on_a_batch_of_documents():
    docs = ["Presiden Joko Widodo (Jokowi) bertemu Putin di Moskwa, Rusia.", "Harga naik 10% jadi Rp10.000/kg.",
            "Jl. Sudirman no. 5 — “kata dia”…", "", "   ", "U.S. dan °C. tahun-tahun"]
    joined = "\n".join(docs)
    starts, ends = sa.text_tokens(joined, sa.ChunkTable())
    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == token_spans(joined)


@st.composite
def layer_spans(draw, n_docs=4, n_ann=3, n_labels=3):
    rows = draw(st.lists(st.tuples(st.integers(0, n_docs - 1), st.integers(0, n_ann - 1), st.integers(0, 12),
                                   st.integers(1, 4), st.integers(0, n_labels - 1)), max_size=40))
    spans = sa.LayerArrays(*(np.array([r[k] for r in rows], dtype=np.int64) for k in range(5)))
    spans.end = spans.start + spans.end  # the third column drew a length
    return spans


def _triples(spans: sa.LayerArrays, doc: int, ann: int) -> list[tuple[int, int, str]]:
    rows = np.flatnonzero((spans.doc == doc) & (spans.ann == ann))
    return [(int(spans.start[r]), int(spans.end[r]), f"L{int(spans.label[r])}") for r in rows]


@settings(max_examples=150, deadline=None)
@given(layer_spans(), st.lists(st.booleans(), min_size=4, max_size=4))
def test_layer_index_pair_counts_are_pair_counts(spans, pair_docs):
    n_docs, n_ann, n_labels = 4, 3, 3
    index = sa.LayerIndex(sa.sort_spans(spans, n_docs, n_ann, n_labels), n_docs, n_ann, n_labels)
    in_pair = np.array(pair_docs, dtype=bool)
    for a, b in itertools.permutations(range(n_ann), 2):
        counts, pdocs = index.pair(a, b, in_pair)
        assert pdocs.tolist() == np.flatnonzero(in_pair).tolist()
        per_label: dict[str, PairCounts] = {}
        for d in pdocs.tolist():
            one = PairCounts()
            for lab, c in one.add_by_label(_triples(spans, d, a), _triples(spans, d, b)).items():
                per_label.setdefault(lab, PairCounts()).merge(c)
            assert (counts.n_a[d], counts.n_b[d], counts.exact[d], counts.incomplete[d]) == (
                one.n_a, one.n_b, one.exact, one.incomplete)
        for k in range(n_labels):
            ref = per_label.get(f"L{k}", PairCounts())
            assert (counts.label_n_a[k], counts.label_n_b[k], counts.label_exact[k], counts.label_overlap_a[k],
                    counts.label_overlap_b[k]) == (ref.n_a, ref.n_b, ref.exact, ref.overlap_a, ref.overlap_b)


@settings(max_examples=100, deadline=None)
@given(layer_spans())
def test_sort_spans_one_key_or_lexsort_the_same_order(spans):
    n_docs, n_ann, n_labels = 4, 3, 3
    packed = sa.sort_spans(spans, n_docs, n_ann, n_labels)
    # bounds too wide for one int64 key: the lexicographic sort
    wide = sa.sort_spans(spans, 2**40, n_ann, n_labels)
    key = list(zip(packed.doc.tolist(), packed.start.tolist(), packed.end.tolist(), packed.label.tolist(),
                   packed.ann.tolist(), strict=True))
    assert key == sorted(key)
    for got in (packed, wide):
        # each row is the one it came from
        for col in ("doc", "ann", "start", "end", "label"):
            assert getattr(got, col).tolist() == getattr(spans, col)[got.row].tolist()
        assert sorted(got.row.tolist()) == list(range(spans.doc.size))
    assert key == list(zip(wide.doc.tolist(), wide.start.tolist(), wide.end.tolist(), wide.label.tolist(),
                           wide.ann.tolist(), strict=True))


@settings(max_examples=150, deadline=None)
@given(layer_spans(n_docs=3, n_ann=2, n_labels=2))
def test_tag_arrays_are_iob_tags(spans):
    """Every (document, annotator)'s tags are those of ``iob_tags``: spans that share a token
    through ``retag`` (given the rows in the order they were read), the rest by arrays."""
    n_docs, n_ann, n_labels = 3, 2, 2
    texts = [" ".join(f"w{i}" for i in range(10)) for _ in range(n_docs)]  # tokens of 2 characters, 1 space
    tokens = [token_spans(t) for t in texts]
    ordered = sa.sort_spans(spans, n_docs, n_ann, n_labels)
    layout = sa.token_layout(enumerate(texts), n_docs, [ordered])
    tag_names = ["O"] + [f"{p}-L{k}" for k in range(n_labels) for p in ("B", "I")]
    code = {t: i for i, t in enumerate(tag_names)}

    def retag(doc, ann, rows):
        return sa.iob_codes(tokens[doc], [(int(ordered.start[r]), int(ordered.end[r]), f"L{int(ordered.label[r])}")
                                          for r in rows], code)

    tags = sa.tag_arrays(ordered, layout.first[0], layout.stop[0], n_ann, retag)
    got = {(d, a, t): g for d, a, t, g in zip(tags.doc.tolist(), tags.ann.tolist(), tags.token.tolist(),
                                              tags.tag.tolist(), strict=True)}
    assert len(got) == tags.doc.size  # one tag per (document, annotator, token)
    expected = {}
    for d, a in itertools.product(range(n_docs), range(n_ann)):
        for t, tag in enumerate(iob_tags(tokens[d], _triples(spans, d, a))):
            if tag != "O":
                expected[(d, a, t)] = code[tag]
    assert got == expected


@settings(max_examples=100, deadline=None)
@given(layer_spans(n_docs=3, n_ann=3, n_labels=2), st.lists(st.lists(st.booleans(), min_size=3, max_size=3),
                                                             min_size=3, max_size=3))
def test_token_alpha_from_distinct_rows_is_the_full_table(spans, counted_by):
    """Token alpha from the distinct rows of counts, weighted, is alpha over every token's row."""
    n_docs, n_ann, n_labels = 3, 3, 2
    texts = [" ".join(f"w{i}" for i in range(8)) for _ in range(n_docs)]
    ordered = sa.sort_spans(spans, n_docs, n_ann, n_labels)
    layout = sa.token_layout(enumerate(texts), n_docs, [ordered])
    tags = sa.tag_arrays(ordered, layout.first[0], layout.stop[0], n_ann, lambda d, a, rows: [])
    names = ["a", "b", "c"]
    counted = {n: {d for d in range(n_docs) if counted_by[k][d]} for k, n in enumerate(names)}
    docs = np.arange(n_docs)
    tag_key = tags.doc * (np.int64(1) << np.int64(32)) + tags.token
    n_tags = 1 + 2 * n_labels
    fast = _token_alpha(names, counted, docs, layout.n_tokens, tags, tag_key, n_tags)
    # the same with 40 tag columns (nobody uses the extra ones): too many for one number per row
    wide = _token_alpha(names, counted, docs, layout.n_tokens, tags, tag_key, 40)
    # every token a row of its own
    rows = []
    for d in range(n_docs):
        coders = [k for k, n in enumerate(names) if d in counted[n]]
        if len(coders) < 2:
            continue
        for t in range(int(layout.n_tokens[d])):
            row = [0] * n_tags
            for k in coders:
                hit = np.flatnonzero((tags.doc == d) & (tags.ann == k) & (tags.token == t))
                row[int(tags.tag[hit[0]]) if hit.size else 0] += 1
            rows.append(row)
    full = stats.krippendorff_alpha_weighted(np.array(rows).reshape(-1, n_tags), np.ones(len(rows), dtype=np.int64))
    assert fast == wide == full
