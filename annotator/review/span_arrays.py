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

from array import array
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from annotator.core.tokens import _split_chunk, token_spans
from annotator.review.spans import iob_tags

#: Shift that puts a group number above any offset in one int64 key (offsets < 2**32).
_SHIFT = np.int64(1) << np.int64(32)
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
    row: np.ndarray | None = None  # each span's place in the order the spans were read (after sort_spans)

    def take(self, mask: np.ndarray) -> LayerArrays:
        """The rows where ``mask`` holds."""
        return LayerArrays(self.doc[mask], self.ann[mask], self.start[mask], self.end[mask], self.label[mask],
                           None if self.row is None else self.row[mask])


def sort_spans(spans: LayerArrays, n_docs: int, n_annotators: int, n_labels: int) -> LayerArrays:
    """The spans by (document, start, end, label, annotator), as :class:`LayerIndex` and
    :func:`token_layout` take them, each with its ``row`` in ``spans``.  One sort of one
    int64 key holding every column where their bounds allow, then the columns read back
    from the sorted keys: a gather of five columns in a random order cost more than the sort."""
    n = spans.doc.size
    top = int(spans.end.max()) if n else 0
    columns = [(spans.doc, n_docs), (spans.start, top), (spans.end, top), (spans.label, n_labels),
               (spans.ann, n_annotators)]
    widths = [max(int(bound), 1).bit_length() for _c, bound in columns]
    if sum(widths) > 63:
        order = np.lexsort((spans.ann, spans.label, spans.end, spans.start, spans.doc))
        return LayerArrays(spans.doc[order], spans.ann[order], spans.start[order], spans.end[order],
                           spans.label[order], order)
    key = np.zeros(n, dtype=np.int64)
    for (col, _b), width in zip(columns, widths, strict=True):
        key <<= np.int64(width)
        key |= col
    order = np.argsort(key)
    key = key[order]
    out = []
    for width in reversed(widths):
        out.append(key & np.int64((1 << width) - 1))
        key >>= np.int64(width)
    ann, label, end, start, doc = out
    return LayerArrays(doc, ann, start, end, label, order)


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


def _packed_order(columns: Sequence[tuple[np.ndarray, int]]) -> np.ndarray:
    """The rows sorted by several non-negative integer columns (most significant first), each
    given with an upper bound: one key of bit fields in an int64 where the bounds allow (one
    sort instead of a lexicographic one), else ``np.lexsort``."""
    widths = [max(int(bound), 1).bit_length() for _c, bound in columns]
    if sum(widths) <= 63:
        key = np.zeros(columns[0][0].size, dtype=np.int64)
        for (col, _b), width in zip(columns, widths, strict=True):
            key <<= np.int64(width)
            key |= col
        return np.argsort(key, kind="stable")
    return np.lexsort(tuple(col for col, _b in reversed(columns)))


@dataclass
class _AnnotatorSpans:
    """One annotator's spans of a layer, by (document, start, end, label), and the keys the
    overlap searches go by (computed once, used by every pair the annotator is in)."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray
    by_label: np.ndarray  # positions of the rows above in (label, document, start, end) order
    doc_key: np.ndarray  # document * 2**32 + start, sorted
    doc_reach: np.ndarray  # running maximum of document * 2**32 + end
    label_key: np.ndarray  # (label * n_docs + document) * 2**32 + start, sorted
    label_reach: np.ndarray


class LayerIndex:
    """A layer's spans (by :func:`sort_spans`) arranged once for the counts of every annotator
    pair: the groups of identical spans (document, start, end, label) with how many each
    annotator has, and each annotator's spans in the orders the overlap searches need.
    Per pair that is a few binary searches where one pair's own sorts were most of the time
    of agreement."""

    def __init__(self, spans: LayerArrays, n_docs: int, n_annotators: int, n_labels: int) -> None:
        self.spans = spans
        self.n_docs, self.n_ann, self.n_labels = n_docs, n_annotators, n_labels
        doc, start, end, label, ann = spans.doc, spans.start, spans.end, spans.label, spans.ann
        new = np.ones(doc.size, dtype=bool)
        new[1:] = (doc[1:] != doc[:-1]) | (start[1:] != start[:-1]) | (end[1:] != end[:-1]) | (
            label[1:] != label[:-1])
        group = np.cumsum(new) - 1
        n_groups = int(group[-1]) + 1 if group.size else 0
        #: per group of identical spans: its document, label and each annotator's count
        self.group_doc, self.group_label = doc[new], label[new]
        self.group_count = np.bincount(group * n_annotators + ann,
                                       minlength=n_groups * n_annotators).reshape(n_groups, n_annotators)
        self.doc_count = np.bincount(spans.doc * n_annotators + spans.ann,
                                     minlength=n_docs * n_annotators).reshape(n_docs, n_annotators)
        self.annotators: list[_AnnotatorSpans] = []
        self._rows: list[np.ndarray] = []
        # labels are small: a stable sort by them is a radix sort that keeps (document, start)
        small = np.int16 if n_labels < 2**15 else np.int64
        for k in range(n_annotators):
            mine = ann == k
            self._rows.append(np.flatnonzero(mine))
            d, s, e, lab = doc[mine], start[mine], end[mine], label[mine]
            by_label = np.argsort(lab.astype(small), kind="stable")
            base = d * _SHIFT
            lab_base = (lab[by_label] * n_docs + d[by_label]) * _SHIFT
            self.annotators.append(_AnnotatorSpans(
                d, s, e, lab, by_label, base + s, np.maximum.accumulate(base + e) if d.size else base,
                lab_base + s[by_label],
                np.maximum.accumulate(lab_base + e[by_label]) if d.size else lab_base))

    @staticmethod
    def _covered(key: np.ndarray, reach: np.ndarray, q_base: np.ndarray, q_start: np.ndarray,
                 q_end: np.ndarray) -> np.ndarray:
        """For each query span (its group * 2**32 in ``q_base``), whether a span of the same
        group overlaps it (shares a character): :meth:`spans._Index.any_overlap` for every query
        at once.  Among the spans of the group that start before the query ends, the one
        reaching furthest must end after it starts."""
        out = np.zeros(q_base.size, dtype=bool)
        if q_base.size == 0 or key.size == 0:
            return out
        pos = np.searchsorted(key, q_base + q_end, side="left") - 1
        ok = pos >= 0
        out[ok] = reach[pos[ok]] > q_base[ok] + q_start[ok]
        return out

    def overlaps(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """For each span of ``a`` (in its order): whether ``b`` has a span of the same label
        overlapping it (in ``a``'s label order), and whether ``b`` has any span overlapping it."""
        x, y = self.annotators[a], self.annotators[b]
        lab = x.by_label
        same = self._covered(y.label_key, y.label_reach, x.label_key - x.start[lab], x.start[lab], x.end[lab])
        any_ = self._covered(y.doc_key, y.doc_reach, x.doc_key - x.start, x.start, x.end)
        return same, any_

    def pair(self, a: int, b: int, in_pair: np.ndarray) -> tuple[PairArrays, np.ndarray]:
        """Counts of the pair ``(a, b)`` over the documents where ``in_pair`` (indexed by
        document index) holds: per document over all documents (the caller picks the pair's)
        and per label; and the indexes of the pair's documents.  The numbers
        :class:`~annotator.review.spans.PairCounts` gives per document (tests compare them)."""
        n_docs, n_labels = self.n_docs, self.n_labels
        x, y = self.annotators[a], self.annotators[b]
        mine_a, mine_b = in_pair[x.doc], in_pair[y.doc]
        matched = np.minimum(self.group_count[:, a], self.group_count[:, b])
        keep = in_pair[self.group_doc] & (matched > 0)
        exact = np.bincount(self.group_doc[keep], weights=matched[keep], minlength=n_docs).astype(np.int64)
        label_exact = np.bincount(self.group_label[keep], weights=matched[keep], minlength=n_labels).astype(np.int64)
        same_a, any_a = self.overlaps(a, b)
        same_b, any_b = self.overlaps(b, a)
        lone_a = mine_a & ~any_a
        lone_b = mine_b & ~any_b
        over_a = mine_a[x.by_label] & same_a
        over_b = mine_b[y.by_label] & same_b
        counts = PairArrays(
            n_a=np.where(in_pair, self.doc_count[:, a], 0), n_b=np.where(in_pair, self.doc_count[:, b], 0),
            exact=exact,
            incomplete=np.bincount(x.doc[lone_a], minlength=n_docs) + np.bincount(y.doc[lone_b], minlength=n_docs),
            label_n_a=np.bincount(x.label[mine_a], minlength=n_labels),
            label_n_b=np.bincount(y.label[mine_b], minlength=n_labels),
            label_exact=label_exact,
            label_overlap_a=np.bincount(x.label[x.by_label][over_a], minlength=n_labels),
            label_overlap_b=np.bincount(y.label[y.by_label][over_b], minlength=n_labels),
        )
        return counts, np.flatnonzero(in_pair)

    def rows_by_annotator(self) -> np.ndarray:
        """Every row of the layer (indexes into :attr:`spans`) by (annotator, document, start)."""
        return np.concatenate(self._rows) if self._rows else np.zeros(0, dtype=np.int64)


# -- tokens ----------------------------------------------------------------------------------


class ChunkTable(dict[str, int]):
    """Every whitespace-free chunk met so far, split once by spaCy's rules
    (:func:`annotator.core.tokens.token_spans`): an id per chunk and, per id, how many tokens
    it is and (for chunks of several tokens) where each token starts and ends in it.  The
    numbers sit in ``array('q')`` buffers, read by numpy without a copy, so a batch of text
    costs one dictionary look-up per chunk and no Python loop over its tokens."""

    def __init__(self) -> None:
        super().__init__()
        self.n_tokens = array("q")  # per id
        self.first_piece = array("q")  # per id: index into the piece arrays (chunks of several tokens)
        self.piece_start = array("q")  # offset of a token in its chunk
        self.piece_end = array("q")

    def __missing__(self, chunk: str) -> int:
        pieces = _split_chunk(chunk)
        key = self[chunk] = len(self.n_tokens)
        self.n_tokens.append(len(pieces))
        self.first_piece.append(len(self.piece_start))
        if len(pieces) != 1:
            pos = 0
            for piece in pieces:
                self.piece_start.append(pos)
                pos += len(piece)
                self.piece_end.append(pos)
        return key


def _word_edges(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of non-space characters starts and ends (``str.isspace``, which is also
    what ``str.split()`` and the ``\\S`` of :mod:`re` go by)."""
    if text.isascii():  # one byte a character: a quarter of the memory traffic
        codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        word = ~_SPACE[:256][codes]
    else:
        codes32 = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        word = ~_SPACE[np.minimum(codes32, 0x3001)]
    padded = np.zeros(word.size + 2, dtype=np.int8)
    padded[1:-1] = word
    step = padded[1:] - padded[:-1]
    return np.flatnonzero(step == 1), np.flatnonzero(step == -1)


def text_tokens(text: str, table: ChunkTable) -> tuple[np.ndarray, np.ndarray]:
    """``(starts, ends)`` of the tokens of ``text``: :func:`annotator.core.tokens.token_spans`
    as two arrays, the chunks' tokens looked up in ``table`` (filled as chunks are met)."""
    c_start, c_end = _word_edges(text)
    chunks = text.split()
    if len(chunks) != c_start.size:  # never seen; the plain tokenizer is the rule
        spans = token_spans(text)
        return (np.array([x for x, _ in spans], dtype=np.int64).reshape(-1),
                np.array([y for _, y in spans], dtype=np.int64).reshape(-1))
    ids = np.fromiter(map(table.__getitem__, chunks), dtype=np.int64, count=len(chunks))
    per = np.frombuffer(table.n_tokens, dtype=np.int64)[ids] if ids.size else ids
    several = np.flatnonzero(per != 1)
    if several.size == 0:
        return c_start, c_end
    starts = np.repeat(c_start, per)
    ends = np.repeat(c_end, per)
    # the tokens of the chunks of several: the chunk's start plus each piece's offset
    m_per = per[several]
    m_first = (np.cumsum(per) - per)[several]
    k = np.arange(int(m_per.sum())) - np.repeat(np.cumsum(m_per) - m_per, m_per)
    at = np.repeat(m_first, m_per) + k
    piece = np.repeat(np.frombuffer(table.first_piece, dtype=np.int64)[ids[several]], m_per) + k
    base = np.repeat(c_start[several], m_per)
    starts[at] = base + np.frombuffer(table.piece_start, dtype=np.int64)[piece]
    ends[at] = base + np.frombuffer(table.piece_end, dtype=np.int64)[piece]
    return starts, ends


@dataclass
class TokenLayout:
    """Per document, how many tokens it has; per span of each layer, the tokens it touches
    (``first`` to ``stop``, exclusive, as indexes into the document's tokens)."""

    n_tokens: np.ndarray
    n_chars: np.ndarray
    first: list[np.ndarray]
    stop: list[np.ndarray]


def token_layout(texts: Iterable[tuple[int, str]], n_docs: int, layers: Sequence[LayerArrays],
                 tick: Callable[[], None] | None = None, table: ChunkTable | None = None) -> TokenLayout:
    """Tokenize the documents (``(index, text)`` in index order, the tokens of
    :func:`annotator.core.tokens.token_spans`) in batches and place every span of ``layers``
    on them.  A span touches the tokens it shares a character with.  ``table``: the chunks
    already split (by earlier calls), if the caller keeps them."""
    n_tokens = np.zeros(n_docs, dtype=np.int64)
    n_chars = np.zeros(n_docs, dtype=np.int64)
    first = [np.zeros(s.doc.size, dtype=np.int64) for s in layers]
    stop = [np.zeros(s.doc.size, dtype=np.int64) for s in layers]
    # each layer's rows in document order, so a batch's spans are one slice
    orders = [np.argsort(s.doc, kind="stable") for s in layers]
    sorted_docs = [s.doc[o] for s, o in zip(layers, orders, strict=True)]
    table = ChunkTable() if table is None else table
    batch: list[tuple[int, str]] = []

    def flush() -> None:
        idx = np.array([i for i, _ in batch], dtype=np.int64)
        joined = "\n".join(t for _, t in batch)
        lengths = np.array([len(t) for _, t in batch], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
        starts, ends = text_tokens(joined, table)
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
               retag: Callable[[int, int, list[int]], list[tuple[int, int]]],
               by_annotator: np.ndarray | None = None) -> TagArrays:
    """IOB tags of every (document, annotator) with spans: the span's first token B-, the rest
    I-.  Where two spans of one annotator touch one token, which span the token goes to
    depends on their order: ``retag(document, annotator, rows)`` tags those from the rows of
    the spans (in row order) with :func:`~annotator.review.spans.iob_tags` and returns
    ``(token, tag)`` (the rows in the order the spans were read: ``spans.row``, if set).  ``by_annotator``: every row by (annotator, document, start), if the
    caller has that order (:meth:`LayerIndex.rows_by_annotator`).  The tags come by
    (annotator, document, token), those of retagged documents after all the rest."""
    n_docs = int(spans.doc.max()) + 1 if spans.doc.size else 0
    if by_annotator is None:
        top = int(spans.end.max()) if spans.doc.size else 0
        by_annotator = _packed_order([(spans.ann, n_annotators), (spans.doc, n_docs), (spans.start, top)])
    # a span's first token never decreases with its start: by start is by first token
    order = by_annotator[(stop > first)[by_annotator]]
    g = spans.ann[order] * n_docs + spans.doc[order]
    f, t = first[order], stop[order]
    reach = np.maximum.accumulate(g * _SHIFT + t) if g.size else g
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
    if bad_groups.size:
        every = spans.ann[by_annotator] * n_docs + spans.doc[by_annotator]
        for grp in bad_groups.tolist():
            ann, doc = divmod(int(grp), n_docs)
            lo, hi = np.searchsorted(every, [grp, grp + 1])
            members = by_annotator[lo:hi]
            members = members[np.argsort(spans.row[members])] if spans.row is not None else np.sort(members)
            got = retag(doc, ann, members.tolist())
            if got:
                tok = np.array([x for x, _ in got], dtype=np.int64)
                parts.append((np.full(tok.size, doc), np.full(tok.size, ann), tok,
                              np.array([y for _, y in got], dtype=np.int64)))
    if len(parts) == 1:  # (no retagged document: the arrays as they came, not copied again)
        return TagArrays(*(np.asarray(a, dtype=np.int64) for a in parts[0]))
    return TagArrays(*(np.concatenate([p[i] for p in parts]).astype(np.int64, copy=False) for i in range(4)))


def iob_codes(tokens: list[tuple[int, int]], spans: list[tuple[int, int, str]], code: dict[str, int]) -> list[tuple[int, int]]:
    """``(token, tag code)`` of the tokens :func:`iob_tags` does not tag ``O``."""
    return [(i, code[t]) for i, t in enumerate(iob_tags(tokens, spans)) if t != "O"]
