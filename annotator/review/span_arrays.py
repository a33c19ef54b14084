"""Span-layer agreement over arrays: the figures of :mod:`annotator.review.spans` and the IOB
tags of every counted document, for a whole project at once (pure numpy).

Every span of a layer is one row of integer arrays (document index, annotator index, start,
end, label index), so exact and overlap matches, incomplete units, per-document counts and
the tokens each span covers are a few sorts and binary searches over all documents instead
of a Python loop per document and annotator pair.  The figures are the same numbers
:class:`~annotator.review.spans.PairCounts` and :func:`~annotator.review.spans.iob_tags`
give (tests compare them); where IOB tags depend on the order of spans that share a token,
that annotator's document is tagged by :func:`~annotator.review.spans.iob_tags` itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from annotator.core.tokens import _split_chunk, token_spans
from annotator.review.spans import iob_tags

#: Shift that puts a group number above any offset in one int64 key (offsets < 2**32).
_SHIFT = np.int64(1) << np.int64(32)
_NONSPACE = re.compile(r"\S+")
#: ``str.isspace`` for every code point up to U+3000 (none above it is a space); the last
#: entry stands for every larger one.
_SPACE = np.array([chr(c).isspace() for c in range(0x3001)] + [False])


@dataclass
class LayerArrays:
    """The spans of one layer: parallel arrays, one row per span."""

    doc: np.ndarray  # index into the caller's sorted document ids
    ann: np.ndarray  # index into the annotator names
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray  # index into the layer's labels

    def take(self, mask: np.ndarray) -> LayerArrays:
        """The rows where ``mask`` holds."""
        return LayerArrays(self.doc[mask], self.ann[mask], self.start[mask], self.end[mask], self.label[mask])


@dataclass
class PairArrays:
    """One annotator pair's counts: per document (aligned with the pair's documents) and
    per label (summed over them)."""

    n_a: np.ndarray
    n_b: np.ndarray
    exact: np.ndarray
    incomplete: np.ndarray
    label_n_a: np.ndarray
    label_n_b: np.ndarray
    label_exact: np.ndarray
    label_overlap_a: np.ndarray
    label_overlap_b: np.ndarray


def member(values: np.ndarray, of: np.ndarray) -> np.ndarray:
    """``np.isin(values, of)`` for non-negative integers, by a lookup table (no sort)."""
    if values.size == 0 or of.size == 0:
        return np.zeros(values.size, dtype=bool)
    top = int(max(int(values.max()), int(of.max()))) + 1
    table = np.zeros(top, dtype=bool)
    table[of] = True
    return table[values]


def _covered(q_group: np.ndarray, q_start: np.ndarray, q_end: np.ndarray,
             group: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """For each query span, whether a span of the same group overlaps it (shares a character):
    :meth:`spans._Index.any_overlap` for every query at once.  Among the spans of the group
    that start before the query ends, the one reaching furthest must end after it starts."""
    if q_group.size == 0:
        return np.zeros(0, dtype=bool)
    if group.size == 0:
        return np.zeros(q_group.size, dtype=bool)
    key = group * _SHIFT + start
    order = np.argsort(key, kind="stable")
    key = key[order]
    reach = np.maximum.accumulate(group[order] * _SHIFT + end[order])
    base = q_group * _SHIFT
    # the needles sorted first: a binary search that starts where the last one ended
    needle = base + q_end
    by_needle = np.argsort(needle)
    pos = np.empty(needle.size, dtype=np.int64)
    pos[by_needle] = np.searchsorted(key, needle[by_needle], side="left") - 1
    ok = pos >= 0
    out = np.zeros(q_group.size, dtype=bool)
    out[ok] = reach[pos[ok]] > base[ok] + q_start[ok]
    return out


def pair_arrays(spans: LayerArrays, a: int, b: int, in_pair: np.ndarray, n_docs: int,
                n_labels: int) -> tuple[PairArrays, np.ndarray]:
    """Counts of the pair ``(a, b)`` over the documents where ``in_pair`` (indexed by document
    index) holds.  Returns the counts, per document over all ``n_docs`` (the caller picks the
    pair's), and the document indexes that have any."""
    keep = in_pair[spans.doc]
    sa = spans.take(keep & (spans.ann == a))
    sb = spans.take(keep & (spans.ann == b))
    n_a = np.bincount(sa.doc, minlength=n_docs)
    n_b = np.bincount(sb.doc, minlength=n_docs)
    # exact: the multiset intersection of (start, end, label) per document
    both = LayerArrays(*(np.concatenate((x, y)) for x, y in (
        (sa.doc, sb.doc), (sa.ann, sb.ann), (sa.start, sb.start), (sa.end, sb.end), (sa.label, sb.label))))
    side = np.concatenate((np.zeros(sa.doc.size, dtype=np.int64), np.ones(sb.doc.size, dtype=np.int64)))
    exact = np.zeros(n_docs, dtype=np.int64)
    label_exact = np.zeros(n_labels, dtype=np.int64)
    if sa.doc.size and sb.doc.size:
        # two keys instead of four columns: (document, start) and (end, label)
        k1 = both.doc * _SHIFT + both.start
        k2 = both.end * np.int64(n_labels + 1) + both.label
        order = np.lexsort((k2, k1))
        k1, k2 = k1[order], k2[order]
        cols = [both.doc[order], both.start[order], both.end[order], both.label[order]]
        new = np.zeros(order.size, dtype=bool)
        new[0] = True
        new[1:] = (k1[1:] != k1[:-1]) | (k2[1:] != k2[:-1])
        gid = np.cumsum(new) - 1
        n_groups = int(gid[-1]) + 1
        s = side[order]
        in_a = np.bincount(gid[s == 0], minlength=n_groups)
        in_b = np.bincount(gid[s == 1], minlength=n_groups)
        matched = np.minimum(in_a, in_b)
        first = np.flatnonzero(new)
        exact = np.bincount(cols[0][first], weights=matched, minlength=n_docs).astype(np.int64)
        label_exact = np.bincount(cols[3][first], weights=matched, minlength=n_labels).astype(np.int64)
    # overlap: same label, one character shared; incomplete: nothing of the other at all
    g_a = sa.doc * n_labels + sa.label
    g_b = sb.doc * n_labels + sb.label
    over_a = _covered(g_a, sa.start, sa.end, g_b, sb.start, sb.end)
    over_b = _covered(g_b, sb.start, sb.end, g_a, sa.start, sa.end)
    lone_a = ~_covered(sa.doc, sa.start, sa.end, sb.doc, sb.start, sb.end)
    lone_b = ~_covered(sb.doc, sb.start, sb.end, sa.doc, sa.start, sa.end)
    incomplete = np.bincount(sa.doc[lone_a], minlength=n_docs) + np.bincount(sb.doc[lone_b], minlength=n_docs)
    counts = PairArrays(
        n_a=n_a, n_b=n_b, exact=exact, incomplete=incomplete,
        label_n_a=np.bincount(sa.label, minlength=n_labels), label_n_b=np.bincount(sb.label, minlength=n_labels),
        label_exact=label_exact,
        label_overlap_a=np.bincount(sa.label[over_a], minlength=n_labels),
        label_overlap_b=np.bincount(sb.label[over_b], minlength=n_labels),
    )
    return counts, np.flatnonzero(in_pair)


# -- tokens ----------------------------------------------------------------------------------


class _ChunkTokens(dict[str, int]):
    """How many tokens each whitespace-free chunk splits into (spaCy's rules, cached)."""

    def __missing__(self, chunk: str) -> int:
        n = self[chunk] = len(_split_chunk(chunk))
        return n


@dataclass
class TokenLayout:
    """Per document, how many tokens it has; per span of each layer, the tokens it touches
    (``first`` to ``stop``, exclusive, as indexes into the document's tokens)."""

    n_tokens: np.ndarray
    n_chars: np.ndarray
    first: list[np.ndarray]
    stop: list[np.ndarray]


def token_layout(texts: Iterable[tuple[int, str]], n_docs: int, layers: Sequence[LayerArrays],
                 tick: Callable[[], None] | None = None) -> TokenLayout:
    """Tokenize the documents (``(index, text)`` in index order, the tokens of
    :func:`annotator.core.tokens.token_spans`) in batches and place every span of ``layers``
    on them.  A span touches the tokens it shares a character with."""
    n_tokens = np.zeros(n_docs, dtype=np.int64)
    n_chars = np.zeros(n_docs, dtype=np.int64)
    first = [np.zeros(s.doc.size, dtype=np.int64) for s in layers]
    stop = [np.zeros(s.doc.size, dtype=np.int64) for s in layers]
    # each layer's rows in document order, so a batch's spans are one slice
    orders = [np.argsort(s.doc, kind="stable") for s in layers]
    sorted_docs = [s.doc[o] for s, o in zip(layers, orders, strict=True)]
    chunk_tokens = _ChunkTokens()
    batch: list[tuple[int, str]] = []

    def flush() -> None:
        idx = np.array([i for i, _ in batch], dtype=np.int64)
        joined = "\n".join(t for _, t in batch)
        lengths = np.array([len(t) for _, t in batch], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
        starts, ends = _tokens_of(joined)
        # tokens before each document: its first token's index in the batch
        base = np.searchsorted(starts, offsets, side="left")
        n_chars[idx] = lengths
        n_tokens[idx] = np.searchsorted(starts, offsets + lengths, side="left") - base
        for k in range(len(layers)):
            lo = np.searchsorted(sorted_docs[k], idx[0], side="left")
            hi = np.searchsorted(sorted_docs[k], idx[-1], side="right")
            rows = orders[k][lo:hi]
            if rows.size == 0:
                continue
            spans = layers[k]
            where = np.searchsorted(idx, spans.doc[rows])
            off, length = offsets[where], lengths[where]
            s = off + np.minimum(spans.start[rows], length)
            e = off + np.minimum(spans.end[rows], length)
            f = np.searchsorted(ends, s, side="right")
            t = np.searchsorted(starts, e, side="left")
            first[k][rows] = f - base[where]
            stop[k][rows] = np.maximum(t, f) - base[where]
        batch.clear()
        if tick is not None:
            tick()

    def _tokens_of(text: str) -> tuple[np.ndarray, np.ndarray]:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        word = ~_SPACE[np.minimum(codes, 0x3001)]
        edge = np.diff(np.concatenate(([0], word.view(np.int8), [0])))
        c_start = np.flatnonzero(edge == 1)
        c_end = np.flatnonzero(edge == -1)
        chunks = _NONSPACE.findall(text)
        if len(chunks) != c_start.size:  # never seen; the plain tokenizer is the rule
            spans = token_spans(text)
            return (np.array([x for x, _ in spans], dtype=np.int64), np.array([y for _, y in spans], dtype=np.int64))
        per = np.fromiter(map(chunk_tokens.__getitem__, chunks), dtype=np.int64, count=len(chunks))
        several = np.flatnonzero(per != 1)
        if several.size == 0:
            return c_start, c_end
        t_start = np.repeat(c_start, per)
        t_end = np.repeat(c_end, per)
        at = np.concatenate(([0], np.cumsum(per)[:-1]))
        for i in several.tolist():
            pos = int(c_start[i])
            j = int(at[i])
            for piece in _split_chunk(chunks[i]):
                t_start[j] = pos
                pos += len(piece)
                t_end[j] = pos
                j += 1
        return t_start, t_end

    size = 0
    for item in texts:
        batch.append(item)
        size += len(item[1])
        if size > 4_000_000 or len(batch) >= 5000:
            flush()
            size = 0
    if batch:
        flush()
    return TokenLayout(n_tokens, n_chars, first, stop)


@dataclass
class TagArrays:
    """The tokens a layer tags other than ``O``: one row per (document, annotator, token)."""

    doc: np.ndarray
    ann: np.ndarray
    token: np.ndarray
    tag: np.ndarray  # 1 + 2 * label (B-) or 2 + 2 * label (I-), as agreement codes them


def tag_arrays(spans: LayerArrays, first: np.ndarray, stop: np.ndarray, n_annotators: int,
               retag: Callable[[int, int, list[int]], list[tuple[int, int]]]) -> TagArrays:
    """IOB tags of every (document, annotator) with spans: the span's first token B-, the rest
    I-.  Where two spans of one annotator touch one token, which span the token goes to
    depends on their order: ``retag(document, annotator, rows)`` tags those from the rows of
    the spans with :func:`~annotator.review.spans.iob_tags` and returns ``(token, tag)``."""
    touched = stop > first
    group = spans.doc * n_annotators + spans.ann
    rows = np.flatnonzero(touched)
    order = rows[np.lexsort((first[rows], group[rows]))]
    g, f, t = group[order], first[order], stop[order]
    reach = np.maximum.accumulate(g * _SHIFT + t)
    shared = np.zeros(order.size, dtype=bool)
    shared[1:] = g[1:] * _SHIFT + f[1:] < reach[:-1]
    bad_groups = np.unique(g[shared])
    plain = order[~member(g, bad_groups)]
    n = stop[plain] - first[plain]
    total = int(n.sum())
    span_of = np.repeat(np.arange(plain.size), n)
    offset = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
    rows_p = plain[span_of]
    tag = np.where(offset == 0, 1, 2) + 2 * spans.label[rows_p]
    parts = [(spans.doc[rows_p], spans.ann[rows_p], first[rows_p] + offset, tag)]
    by_group = np.argsort(group, kind="stable")
    sorted_groups = group[by_group]
    for grp in bad_groups.tolist():
        doc, ann = divmod(int(grp), n_annotators)
        lo, hi = np.searchsorted(sorted_groups, [grp, grp + 1])
        members = by_group[lo:hi].tolist()
        got = retag(doc, ann, members)
        if got:
            tok = np.array([x for x, _ in got], dtype=np.int64)
            parts.append((np.full(tok.size, doc), np.full(tok.size, ann), tok,
                          np.array([y for _, y in got], dtype=np.int64)))
    return TagArrays(*(np.concatenate([p[i] for p in parts]).astype(np.int64) for i in range(4)))


def iob_codes(tokens: list[tuple[int, int]], spans: list[tuple[int, int, str]], code: dict[str, int]) -> list[tuple[int, int]]:
    """``(token, tag code)`` of the tokens :func:`iob_tags` does not tag ``O``."""
    return [(i, code[t]) for i, t in enumerate(iob_tags(tokens, spans)) if t != "O"]
