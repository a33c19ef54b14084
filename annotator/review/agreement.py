"""Inter-annotator agreement of a project, as one JSON report (its keys: docs/review.md, "Agreement").

Which documents count
    For a pair of annotators, only documents **both** marked ``done``; with
    ``include_unfinished=True``, every document both have worked on (a span,
    an answer, or a status other than ``todo``).  Documents an annotator
    skipped never count for them.  Multi-annotator figures (Fleiss' kappa,
    Krippendorff's alpha) use each annotator's counted documents and treat
    the rest as missing values; Fleiss needs every annotator on an item, so
    it uses only the documents all of them counted.

Undefined values
    A figure whose formula is 0/0 (one label throughout, no shared document,
    a single annotator, nobody marked a span) is ``null`` in the JSON, and
    ``notes`` (a list of sentences) says why.  Nothing is ever NaN.

The reserved ``gold`` set is left out unless named in ``annotators``.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np

from annotator.core.errors import NotFoundError
from annotator.core.jobs import Progress, ShouldCancel, check_cancel
from annotator.core.model import DEFAULT_LAYER, GOLD
from annotator.core.tokens import token_spans
from annotator.review import span_arrays as sa
from annotator.review import spans as spanm
from annotator.review import stats
from annotator.review.bulk_memory import bulk_arrays
from annotator.review.links import link_agreement
from annotator.review.unitizing import UnitizingSums

if TYPE_CHECKING:
    from annotator.store import Project


def pair_key(a: str, b: str) -> str:
    """The JSON key of a pair: the two names sorted and joined by ``|``."""
    x, y = sorted((a, b))
    return f"{x}|{y}"


def default_annotators(project: Project) -> list[str]:
    """Annotators with any work in the project (spans, answers or a status), gold excluded, sorted."""
    return sorted(project.annotators_with_work() - {GOLD})


def counted_documents(project: Project, annotators: Sequence[str], include_unfinished: bool) -> dict[str, set[int]]:
    """``{annotator: document ids that count for them}`` (see the module docstring)."""
    out: dict[str, set[int]] = {a: set() for a in annotators}
    if not annotators:
        return out
    skipped: dict[str, set[int]] = defaultdict(set)
    for doc_id, ann, state in project.status_rows(annotators):
        if state == "done" or (include_unfinished and state == "in_progress"):
            out[ann].add(doc_id)
        elif state == "skipped":
            skipped[ann].add(doc_id)
    if include_unfinished:
        for doc_id, ann in project.span_or_answer_pairs(annotators):
            if doc_id not in skipped[ann]:
                out[ann].add(doc_id)
    return out


#: Documents the span-layer figures take at a time.  Every figure is a sum over documents (or,
#: for uα and the token alpha, made of such sums), so a block's arrays (a few MB each) are
#: counted and dropped and the next block reuses their memory: over 100,000 documents the
#: whole project at once took 2.2 GB of fresh pages (570,000 page faults; on this VM a fresh
#: page is at times ten times dearer, 12 s of system time), blocks of 5,000 take 460 MB
#: (110,000 faults, most of them the report's own rows); 10,000 and 20,000 took 130,000 and
#: 180,000.
BLOCK_DOCUMENTS = 5_000


def _check_cancel(should_cancel: ShouldCancel | None) -> None:
    check_cancel(should_cancel, "agreement computation cancelled")


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)


def compute_agreement(
    project: Project,
    *,
    layers: Sequence[str] | None = None,
    questions: Sequence[str] | None = None,
    annotators: Sequence[str] | None = None,
    include_unfinished: bool = False,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    block_documents: int | None = None,
) -> dict[str, Any]:
    """Agreement figures for ``project`` (an open :class:`annotator.store.Project`).

    ``layers``/``questions`` default to every span layer and every closed
    question (free-text ones are skipped) of the schema; naming one restricts
    the report to it.  Returns the JSON-ready dict documented in ``docs/review.md``.
    ``block_documents``: how many documents the span layers take at a time (default
    :data:`BLOCK_DOCUMENTS`; the figures do not depend on it, the memory does).
    """
    if block_documents is None:
        block_documents = BLOCK_DOCUMENTS
    if block_documents < 1:
        raise ValueError(f"block_documents must be at least 1, not {block_documents}")
    with bulk_arrays():  # millions of rows in arrays: see bulk_memory for why
        return _compute_agreement(project, layers=layers, questions=questions, annotators=annotators,
                                  include_unfinished=include_unfinished, progress=progress,
                                  should_cancel=should_cancel, block_documents=block_documents)


def _compute_agreement(
    project: Project,
    *,
    layers: Sequence[str] | None,
    questions: Sequence[str] | None,
    annotators: Sequence[str] | None,
    include_unfinished: bool,
    progress: Progress | None,
    should_cancel: ShouldCancel | None,
    block_documents: int = BLOCK_DOCUMENTS,
) -> dict[str, Any]:
    schema = project.schema
    if layers is None and questions is not None:
        layers = []
    if questions is None and layers is not None:
        questions = []
    layer_names = list(layers) if layers is not None else list(schema.layer_names)
    question_names = (
        list(questions) if questions is not None else [q.name for q in schema.questions if not q.free_text]
    )
    for name in layer_names:
        schema.layer(name)  # SchemaError names the valid layers
    for name in question_names:
        schema.question(name)
    names = sorted(dict.fromkeys(annotators)) if annotators is not None else default_annotators(project)
    if annotators is not None:
        # a misspelt name would otherwise show up as "no document both marked done"
        known = set(project.annotators()) | set(default_annotators(project))
        unknown = [n for n in names if n not in known]
        if unknown:
            raise NotFoundError(
                f"no annotator {', '.join(map(repr, unknown))} in {project.path} "
                f"(annotators: {', '.join(sorted(known)) or 'none'})"
            )
    notes: list[str] = []
    counted = counted_documents(project, names, include_unfinished)
    pairs = list(itertools.combinations(names, 2))
    pair_docs = {(a, b): counted[a] & counted[b] for a, b in pairs}
    all_docs = sorted(set().union(*pair_docs.values())) if pairs else []
    if len(names) < 2:
        notes.append(
            f"only one annotator ({names[0]}): agreement needs at least two" if names
            else "no annotator has any work yet: agreement needs at least two"
        )
    for (a, b), docs in pair_docs.items():
        if not docs:
            what = "worked on" if include_unfinished else "marked done"
            notes.append(f"{pair_key(a, b)}: no document both {what}; the pair's figures are null")

    # progress counts questions, then (pair, document) units of each layer
    per_layer = sum(len(d) for d in pair_docs.values())
    steps = len(question_names) + len(layer_names) * per_layer
    result: dict[str, Any] = {
        "documents": len(all_docs),
        "annotators": names,
        "questions": {},
        "layers": {},
        "per_document": [],
        "per_document_questions": [],
        "notes": notes,
    }
    step = 0
    for q in question_names:
        _check_cancel(should_cancel)
        if progress:
            progress(step, steps, f"question {q}")
        result["questions"][q] = _question_agreement(project, q, names, counted, pairs, pair_docs, notes,
                                                     result["per_document_questions"])
        step += 1
    units_done = 0

    def advance(units: int, layer: str) -> None:
        # progress moves every 200 (pair, document) units, as when they were counted one by one
        nonlocal units_done
        for mark in range((units_done // 200 + 1) * 200, units_done + units + 1, 200):
            _check_cancel(should_cancel)
            if progress:
                progress(step + mark, steps, f"layer {layer}")
        units_done += units

    if layer_names:
        if progress:
            progress(step, steps, f"layer {layer_names[0]}")
        sums = _span_layers(project, layer_names, names, counted, pairs, pair_docs, all_docs, advance,
                            should_cancel, block_documents)
        for layer in layer_names:
            result["layers"][layer] = _layer_summary(layer, names, pairs, pair_docs, notes, sums[layer])
            result["per_document"].extend(sums[layer].rows)
    if DEFAULT_LAYER in layer_names:
        # knowledge-base links: per mention both marked, the same entry (docs/kb.md)
        result["links"] = link_agreement(project, names, pair_docs)
    if layers is None and schema.relations:  # relation F1 per pair (label and both ends must match)
        from annotator.review.relations import relation_agreement

        result["relations"] = relation_agreement(project, pair_docs, pair_key)
    if progress:
        progress(steps, steps, "done")
    return result


# -- document questions -------------------------------------------------------


def _question_agreement(
    project: Project,
    question: str,
    names: Sequence[str],
    counted: dict[str, set[int]],
    pairs: Sequence[tuple[str, str]],
    pair_docs: dict[tuple[str, str], set[int]],
    notes: list[str],
    per_document: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    answers: dict[str, dict[int, str]] = {a: {} for a in names}
    for doc_id, ann, value in project.answers_to(question, names):
        if doc_id in counted[ann]:
            answers[ann][doc_id] = value
    docs = sorted(set().union(*(set(v) for v in answers.values()))) if names else []
    ratings = [[answers[a].get(d) for d in docs] for a in names]

    kappas: dict[str, float | None] = {}
    agree = total = 0
    for a, b in pairs:
        shared = sorted(d for d in pair_docs[(a, b)] if d in answers[a] and d in answers[b])
        va = [answers[a][d] for d in shared]
        vb = [answers[b][d] for d in shared]
        agree += sum(x == y for x, y in zip(va, vb, strict=True))
        total += len(shared)
        k = stats.cohen_kappa(va, vb)
        kappas[pair_key(a, b)] = _round(k)
        if k is None and shared:
            notes.append(f"{question}: cohen_kappa {pair_key(a, b)} is null: {stats.why_undefined([va, vb])}")
        elif not shared and pair_docs[(a, b)]:
            notes.append(f"{question}: {pair_key(a, b)} share no answered document")
    if per_document is not None:
        for doc_id in docs:
            given = {a: answers[a][doc_id] for a in names if doc_id in answers[a]}
            pair_items = [(x, y) for x, y in pairs if x in given and y in given and doc_id in pair_docs[(x, y)]]
            if not pair_items:
                continue
            same = sum(given[x] == given[y] for x, y in pair_items)
            per_document.append({"document": doc_id, "question": question,
                                 "agreement": _round(same / len(pair_items)), "answers": given})
    fleiss = stats.fleiss_kappa(ratings) if len(names) >= 2 else None
    alpha = stats.krippendorff_alpha(ratings) if len(names) >= 2 else None
    if len(names) >= 2 and alpha is None:
        notes.append(f"{question}: krippendorff_alpha is null: {stats.why_undefined(ratings)}")
    if len(names) >= 2 and fleiss is None:
        complete = [i for i in range(len(docs)) if all(r[i] is not None for r in ratings)]
        why = (
            "no document was answered by every annotator"
            if not complete
            else stats.why_undefined([[r[i] for i in complete] for r in ratings])
        )
        notes.append(f"{question}: fleiss_kappa is null: {why}")
    return {
        "percent_agreement": _round(agree / total) if total else None,
        "cohen_kappa": kappas,
        "fleiss_kappa": _round(fleiss),
        "krippendorff_alpha": _round(alpha),
    }


# -- span layers --------------------------------------------------------------


class _Unblocked(Exception):
    """A block met what only the whole project at once gives the same figures for: a label
    outside the schema (their order is that of the whole project) or a span reaching past
    its document's text (uα lays the documents end to end)."""


class _PairSums:
    """One annotator pair's counts over the blocks so far."""

    def __init__(self, n_labels: int, n_tags: int) -> None:
        self.n_a = self.n_b = self.exact = self.incomplete = 0
        self.docs = self.tokens = self.differ = 0
        #: per label: n_a, n_b, exact, overlap_a, overlap_b
        self.labels = np.zeros((5, n_labels), dtype=np.int64)
        self.tag_a = np.zeros(n_tags, dtype=np.int64)
        self.tag_b = np.zeros(n_tags, dtype=np.int64)
        self.unitizing = UnitizingSums(2, n_labels)


class _TokenAlphaSums:
    """The rows of :func:`_token_alpha`'s weighted table, block by block: the table of the
    whole project is their union (its rows' order does not matter to
    :func:`~annotator.review.stats.krippendorff_alpha_weighted`, whose sums are exact)."""

    def __init__(self, n_names: int, n_tags: int) -> None:
        self.n_names, self.n_tags = n_names, n_tags
        self.tagged: list[tuple[np.ndarray, np.ndarray]] = []
        self.untagged: dict[int, int] = {}  # coders of a document -> tokens nobody tagged there

    def add(self, counts_doc: np.ndarray, n_tokens: np.ndarray, tags: sa.TagArrays, tag_key: np.ndarray) -> None:
        """A block: ``counts_doc[document, annotator]``, whether the annotator counts the
        document; its documents' token counts and tags."""
        n_tags = self.n_tags
        coders = counts_doc.sum(axis=1)
        unit_doc = coders >= 2
        if not unit_doc.any():
            return
        valid = unit_doc[tags.doc] & counts_doc[tags.doc, tags.ann]
        keys, doc_of, tag = tag_key[valid], tags.doc[valid], tags.tag[valid]
        # each annotator's keys come sorted but for a few retagged documents: a stable sort merges the runs
        order = np.argsort(keys, kind="stable")
        keys, doc_of, tag = keys[order], doc_of[order], tag[order]
        new = np.ones(keys.size, dtype=bool)
        new[1:] = keys[1:] != keys[:-1]
        first = np.flatnonzero(new)
        unit_doc_of = doc_of[first]
        unit_coders = coders[unit_doc_of]
        base = self.n_names + 1
        if base ** n_tags < 2**62:
            # a unit's row of counts is one number in base (annotators + 1): the units come down to
            # the few distinct rows there are, each weighted by how often it occurs
            place = base ** np.arange(n_tags, dtype=np.int64)
            code = unit_coders + np.add.reduceat(place[tag] - 1, first) if first.size else unit_coders
            if base ** n_tags < 2**22:
                occurs = np.bincount(code)
                codes = np.flatnonzero(occurs)
                tagged_weight = occurs[codes]
            else:
                codes, tagged_weight = np.unique(code, return_counts=True)
            tagged = (codes[:, None] // place[None, :]) % base
        else:
            unit = np.cumsum(new) - 1
            tagged = np.bincount(unit * n_tags + tag, minlength=first.size * n_tags).reshape(first.size, n_tags)
            tagged[:, 0] = unit_coders - tagged[:, 1:].sum(axis=1)
            tagged_weight = np.ones(first.size, dtype=np.int64)
        self.tagged.append((tagged.astype(np.int64, copy=False), tagged_weight.astype(np.int64, copy=False)))
        # the untagged tokens: every coder of the document says O
        untagged = n_tokens - np.bincount(unit_doc_of, minlength=n_tokens.size)
        for m in np.unique(coders[unit_doc]).tolist():
            self.untagged[m] = self.untagged.get(m, 0) + int(untagged[unit_doc & (coders == m)].sum())

    def result(self) -> float | None:
        """The alpha over every block added (None: no document has two coders, or it is 0/0)."""
        if not self.untagged:
            return None
        sizes = sorted(self.untagged)
        plain = np.zeros((len(sizes), self.n_tags), dtype=np.int64)
        plain[:, 0] = sizes
        weight = np.array([self.untagged[m] for m in sizes], dtype=np.int64)
        table = np.concatenate([t for t, _w in self.tagged] + [plain])
        weights = np.concatenate([w for _t, w in self.tagged] + [weight])
        return stats.krippendorff_alpha_weighted(table, weights)


class _LayerSums:
    """A span layer's counts over the blocks so far, and its rows per document."""

    def __init__(self, labels: list[str], n_names: int, pairs: Sequence[tuple[str, str]]) -> None:
        self.labels = labels
        self.tag_names = ["O"] + [f"{p}-{lab}" for lab in labels for p in ("B", "I")]
        self.any_spans = False
        self.pairs = {pair: _PairSums(len(labels), len(self.tag_names)) for pair in pairs}
        self.alpha = _TokenAlphaSums(n_names, len(self.tag_names))
        self.rows: list[dict[str, Any]] = []


def _layer_arrays(
    project: Project, layer: str, names: Sequence[str], counted: dict[str, np.ndarray], docs: np.ndarray,
    columns: Sequence[np.ndarray], labels: list[str], whole: bool = True,
) -> tuple[sa.LayerArrays, bool]:
    """The layer's spans by ``names`` on ``docs`` (``columns``: document, annotator, start,
    end and label of its rows of :meth:`~annotator.store.Project.layer_span_arrays`), sorted
    by :func:`~annotator.review.span_arrays.sort_spans`, and whether anyone marked a span on a
    document they count (``counted``: each one's ids).  ``labels`` (the schema's) gets any
    other label, in the order the spans were read; ``whole=False`` (a block of the project)
    raises :class:`_Unblocked` instead."""
    n_ann = len(names)
    doc, ann, start, end, label = columns
    if (label < 0).any():
        if not whole:
            raise _Unblocked
        # labels outside the schema, in the order the per-(document, annotator) lists of spans
        # met them: by the first row of the span's (document, annotator), then by row
        full = project.layer_spans(layer, names)
        first_of: dict[tuple[int, str], int] = {}
        met: list[tuple[int, int, str]] = []
        for k, (d, a, _s, _e, lab) in enumerate(full):
            first = first_of.setdefault((d, a), k)
            if lab not in labels:
                met.append((first, k, lab))
        for _f, _k, lab in sorted(met):
            if lab not in labels:
                labels.append(lab)
        code = {lab: i for i, lab in enumerate(labels)}
        index = {n: i for i, n in enumerate(names)}
        doc = np.array([r[0] for r in full], dtype=np.int64)
        ann = np.array([index[r[1]] for r in full], dtype=np.int64)
        start = np.array([r[2] for r in full], dtype=np.int64)
        end = np.array([r[3] for r in full], dtype=np.int64)
        label = np.array([code[r[4]] for r in full], dtype=np.int64)
    any_spans = False
    for k, name in enumerate(names):
        mine = doc[ann == k]
        if mine.size and counted[name].size and sa.member(mine, counted[name]).any():
            any_spans = True
            break
    where = _positions(docs, doc)
    keep = where >= 0
    spans = sa.LayerArrays(where[keep], ann[keep], start[keep], end[keep], label[keep])
    return sa.sort_spans(spans, docs.size, n_ann, len(labels)), any_spans


def _positions(docs: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Where each of ``ids`` is in the sorted ``docs`` (-1: not there): a look-up table when the
    ids are not too sparse, else binary searches."""
    if docs.size == 0 or ids.size == 0:
        return np.full(ids.size, -1, dtype=np.int64)
    low = int(min(int(docs[0]), int(ids.min())))
    top = int(max(int(docs[-1]), int(ids.max()))) + 1 - low
    if top <= 4 * docs.size + (1 << 20):
        table = np.full(top, -1, dtype=np.int64)
        table[docs - low] = np.arange(docs.size)
        return table[ids - low]
    where = np.searchsorted(docs, ids)
    found = (where < docs.size) & (docs[np.minimum(where, docs.size - 1)] == ids)
    return np.where(found, where, -1)


def _span_layers(
    project: Project, layer_names: Sequence[str], names: Sequence[str], counted: dict[str, set[int]],
    pairs: Sequence[tuple[str, str]], pair_docs: dict[tuple[str, str], set[int]], all_docs: Sequence[int],
    advance: Callable[[int, str], None], should_cancel: ShouldCancel | None, block: int,
) -> dict[str, _LayerSums]:
    """Every span layer's counts over the documents some pair counts (``all_docs``), ``block``
    documents at a time (all at once where a block cannot give the same figures);
    ``advance(units, layer)`` after each pair's (pair, document) units of a block."""
    docs = np.array(sorted(all_docs), dtype=np.int64)
    if docs.size <= block:
        return _span_blocks(project, layer_names, names, counted, pairs, pair_docs, docs, advance,
                            should_cancel, max(docs.size, 1))
    done = 0

    def counting(units: int, layer: str) -> None:
        nonlocal done
        done += units
        advance(units, layer)

    try:
        return _span_blocks(project, layer_names, names, counted, pairs, pair_docs, docs, counting,
                            should_cancel, block)
    except _Unblocked:
        pass

    def catching_up(units: int, layer: str) -> None:
        # the units counted before the blocks gave up are not counted twice
        nonlocal done
        take = max(0, units - done)
        done = max(0, done - units)
        if take:
            advance(take, layer)

    return _span_blocks(project, layer_names, names, counted, pairs, pair_docs, docs, catching_up,
                        should_cancel, docs.size)


def _span_blocks(
    project: Project, layer_names: Sequence[str], names: Sequence[str], counted: dict[str, set[int]],
    pairs: Sequence[tuple[str, str]], pair_docs: dict[tuple[str, str], set[int]], docs: np.ndarray,
    advance: Callable[[int, str], None], should_cancel: ShouldCancel | None, block: int,
) -> dict[str, _LayerSums]:
    labels = [list(project.schema.layer(layer).label_names) for layer in layer_names]
    counted_ids = {n: np.fromiter(counted[n], dtype=np.int64) for n in names}
    pair_ids = {p: np.fromiter(pair_docs[p], dtype=np.int64) for p in pairs}
    name_index = {n: i for i, n in enumerate(names)}
    sums: dict[str, _LayerSums] = {}
    n_blocks = max(1, -(-docs.size // block))
    table = sa.ChunkTable()  # each chunk of text split by spaCy's rules once, for every block

    def read(p: Project, b: int) -> _BlockRows:
        lo, hi = b * block, min((b + 1) * block, docs.size)
        part = docs[lo:hi]
        # the blocks' ranges of ids cover every id: the spans of documents no pair counts say
        # whether anyone marked a span at all (a note), as when the project was read at once
        low = None if b == 0 else int(docs[lo])
        high = None if b == n_blocks - 1 else int(docs[hi])
        which, *columns = p.layer_span_arrays(layer_names, names, labels, None if n_blocks == 1 else (low, high))
        layers, any_spans = [], []
        for k, layer in enumerate(layer_names):
            spans, anyone = _layer_arrays(p, layer, names, counted_ids, part, [c[which == k] for c in columns],
                                          labels[k], whole=n_blocks == 1)
            layers.append(spans)
            any_spans.append(anyone)
        del which, columns
        _check_cancel(should_cancel)
        index = {int(d): i for i, d in enumerate(part.tolist())}
        texts = ((index[d], t) for d, t in p.texts(part.tolist()))
        layout = sa.token_layout(texts, part.size, layers, tick=lambda: _check_cancel(should_cancel), table=table)
        if n_blocks > 1 and any(bool((s.end > layout.n_chars[s.doc]).any()) for s in layers):
            raise _Unblocked
        return _BlockRows(layers, any_spans, layout)

    with _ReadAhead(project, read, n_blocks) as blocks:
        for b in range(n_blocks):
            _check_cancel(should_cancel)
            part = docs[b * block:min((b + 1) * block, docs.size)]
            rows = blocks.get(b)
            for k, layer in enumerate(layer_names):
                if layer not in sums:
                    sums[layer] = _LayerSums(labels[k], len(names), pairs)
                sums[layer].any_spans |= rows.any_spans[k]
            in_pair = {p: sa.member(part, pair_ids[p]) for p in pairs}
            counts_doc = np.zeros((part.size, len(names)), dtype=bool)
            for k, name in enumerate(names):
                counts_doc[:, k] = sa.member(part, counted_ids[name])
            for k, layer in enumerate(layer_names):
                _block_layer(project, layer, k, names, name_index, pairs, part, rows.layers[k], rows.layout, in_pair,
                             counts_doc, sums[layer], advance, should_cancel)
    return sums


class _BlockRows:
    """One block of documents as read and placed: each layer's spans (sorted), whether anyone
    marked a span on a document they count, and the spans placed on the documents' tokens."""

    __slots__ = ("layers", "any_spans", "layout")

    def __init__(self, layers: list[sa.LayerArrays], any_spans: list[bool], layout: sa.TokenLayout) -> None:
        self.layers, self.any_spans, self.layout = layers, any_spans, layout


class _ReadAhead:
    """The blocks, each next one read and placed on its tokens in a worker thread, on a second
    connection (:meth:`Project.read_twin`), while this thread counts the one before.  SQLite
    reads without Python's lock, and reading was a quarter of agreement over 100,000 documents
    (7 of 28 s): the machine's second core now does it meanwhile (20-22 s instead of 28-30 s);
    tokenizing there too took about 2 s more off, though it shares Python's lock with the
    counting.  One block (nothing to overlap) or no twin (inside a transaction, a file being
    built): every block is read here, in turn, as before."""

    def __init__(self, project: Project, read: Callable[[Project, int], _BlockRows], n_blocks: int) -> None:
        self._project, self._read, self._n = project, read, n_blocks
        self._pool: ThreadPoolExecutor | None = None
        self._twin: Project | None = None
        self._next: Future[_BlockRows] | None = None

    def __enter__(self) -> _ReadAhead:
        if self._n > 1:
            pool = ThreadPoolExecutor(1, thread_name_prefix="agreement-read")
            # the twin is opened and closed in the worker thread that reads with it
            twin = pool.submit(self._project.read_twin).result()
            if twin is None:
                pool.shutdown()
            else:
                self._pool, self._twin = pool, twin
                self._next = pool.submit(self._read, twin, 0)
        return self

    def get(self, b: int) -> _BlockRows:
        """Block ``b``'s rows (blocks are asked for in order); the next one is then read ahead."""
        if self._pool is None or self._twin is None or self._next is None:
            return self._read(self._project, b)
        rows = self._next.result()
        self._next = self._pool.submit(self._read, self._twin, b + 1) if b + 1 < self._n else None
        return rows

    def __exit__(self, *exc: object) -> None:
        if self._pool is None:
            return
        try:
            if self._next is not None:  # a cancel or an error: the read under way is finished, not used
                self._next.cancel()
                with contextlib.suppress(Exception):
                    self._next.result()
            if self._twin is not None:
                self._pool.submit(self._twin.close).result()
        finally:
            self._pool.shutdown()


def _block_layer(
    project: Project, layer: str, k_layer: int, names: Sequence[str], name_index: dict[str, int],
    pairs: Sequence[tuple[str, str]], docs: np.ndarray, spans: sa.LayerArrays, layout: sa.TokenLayout,
    in_pairs: dict[tuple[str, str], np.ndarray], counts_doc: np.ndarray, sums: _LayerSums,
    advance: Callable[[int, str], None], should_cancel: ShouldCancel | None,
) -> None:
    """One block's counts of one layer, added to ``sums``."""
    n_ann = len(names)
    labels = sums.labels
    tag_code = {t: i for i, t in enumerate(sums.tag_names)}

    def retag(doc: int, ann: int, rows: list[int]) -> list[tuple[int, int]]:
        # spans of one annotator sharing a token: the tags depend on their order, as iob_tags gives them
        tokens = token_spans(project.get_text(int(docs[doc])))
        mine = [(int(spans.start[r]), int(spans.end[r]), labels[int(spans.label[r])]) for r in rows]
        return sa.iob_codes(tokens, mine, tag_code)

    index = sa.LayerIndex(spans, docs.size, n_ann, len(labels))
    tags = sa.tag_arrays(spans, layout.first[k_layer], layout.stop[k_layer], n_ann, retag, index.rows_by_annotator())
    tag_key = tags.doc * (np.int64(1) << np.int64(32)) + tags.token
    per_pair: list[tuple[str, sa.PairArrays, np.ndarray]] = []
    for a, b in pairs:
        _check_cancel(should_cancel)
        ia, ib = name_index[a], name_index[b]
        in_pair = in_pairs[(a, b)]
        counts, pdocs = index.pair(ia, ib, in_pair)
        advance(pdocs.size, layer)
        per_pair.append((pair_key(a, b), counts, in_pair))
        if not pdocs.size:
            continue
        got = sums.pairs[(a, b)]
        got.docs += pdocs.size
        got.n_a += int(counts.n_a[pdocs].sum())
        got.n_b += int(counts.n_b[pdocs].sum())
        got.exact += int(counts.exact[pdocs].sum())
        got.incomplete += int(counts.incomplete[pdocs].sum())
        got.labels += np.stack((counts.label_n_a, counts.label_n_b, counts.label_exact, counts.label_overlap_a,
                                counts.label_overlap_b)).astype(np.int64)
        got.unitizing.add(*_pair_coders(index, ia, ib, in_pair, pdocs, layout.n_chars))
        n = int(layout.n_tokens[pdocs].sum())
        differ, tag_a, tag_b = _pair_token_counts(tags, tag_key, ia, ib, in_pair, n, len(sums.tag_names))
        got.tokens += n
        got.differ += differ
        got.tag_a += tag_a
        got.tag_b += tag_b
    if n_ann >= 2:
        sums.alpha.add(counts_doc, layout.n_tokens, tags, tag_key)
    sums.rows.extend(_document_rows(layer, docs, per_pair))


def _layer_summary(
    layer: str, names: Sequence[str], pairs: Sequence[tuple[str, str]],
    pair_docs: dict[tuple[str, str], set[int]], notes: list[str], sums: _LayerSums,
) -> dict[str, Any]:
    """A layer's figures (and notes) from its counts over every block."""
    labels, any_spans = sums.labels, sums.any_spans
    if not any_spans and any(pair_docs.values()):
        notes.append(f"{layer}: nobody marked a span in this layer on the counted documents; its figures are null")
    pairwise: dict[str, float | None] = {}
    overlap: dict[str, float | None] = {}
    token_kappa: dict[str, float | None] = {}
    u_alpha: dict[str, float | None] = {}
    per_label: dict[str, dict[str, dict[str, float | None]]] = {
        lab: {"pairwise_f1": {}, "overlap_f1": {}, "unitizing_alpha": {}} for lab in labels
    }
    incomplete = 0
    for a, b in pairs:
        key = pair_key(a, b)
        got = sums.pairs[(a, b)]
        label_n_a, label_n_b, label_exact, label_overlap_a, label_overlap_b = got.labels
        n_a, n_b = got.n_a, got.n_b
        pairwise[key] = _round(spanm.exact_f1(got.exact, n_a, n_b))
        overlap[key] = _round(spanm.overlap_f1(int(label_overlap_a.sum()), int(label_overlap_b.sum()), n_a, n_b))
        incomplete += got.incomplete
        if pair_docs[(a, b)] and n_a + n_b == 0 and any_spans:
            notes.append(f"{layer}: {key} marked no span on their shared documents; F1 is null")
        for i, lab in enumerate(labels):
            la, lb = int(label_n_a[i]), int(label_n_b[i])
            per_label[lab]["pairwise_f1"][key] = _round(spanm.exact_f1(int(label_exact[i]), la, lb))
            per_label[lab]["overlap_f1"][key] = _round(spanm.overlap_f1(
                int(label_overlap_a[i]), int(label_overlap_b[i]), la, lb))
        if got.docs and any_spans:
            u = got.unitizing.result(labels)
            u_alpha[key] = _round(u.alpha)
            for lab in labels:
                per_label[lab]["unitizing_alpha"][key] = _round(u.per_category.get(lab))
        else:
            u_alpha[key] = None
            for lab in labels:
                per_label[lab]["unitizing_alpha"][key] = None
        if got.docs:
            tag_a, tag_b = got.tag_a.copy(), got.tag_b.copy()
            k = stats.cohen_kappa_counts(got.tokens - got.differ, got.tokens, tag_a, tag_b)
            if k is None and any_spans:
                notes.append(f"{layer}: token_kappa {key} is null: both gave every token the same tag")
        else:
            k = None
        token_kappa[key] = _round(k)
    n_ann = len(names)
    alpha = sums.alpha.result() if n_ann >= 2 else None
    if n_ann >= 2 and alpha is None and any(pair_docs.values()) and any_spans:
        notes.append(f"{layer}: token_alpha is null: every token has the same tag")
    return {
        "pairwise_f1": pairwise,
        "overlap_f1": overlap,
        "token_kappa": token_kappa,
        "token_alpha": _round(alpha),
        "unitizing_alpha": u_alpha,
        "per_label": per_label,
        "incomplete": incomplete,
    }


def _document_rows(layer: str, docs: np.ndarray,
                   per_pair: Sequence[tuple[str, sa.PairArrays, np.ndarray]]) -> list[dict[str, Any]]:
    """``per_document`` rows of a layer: for each document some pair counts, the mean of
    those pairs' exact F1 there (the pairs where either marked a span), the differing spans,
    the incomplete units and each pair's F1.  The sums run over the pairs in their order, as
    Python's ``sum`` of the list did (adding 0.0 for a pair without a value changes no bit)."""
    if not per_pair:
        return []
    n = docs.size
    total = np.zeros(n)
    valued = np.zeros(n, dtype=np.int64)
    pairs = np.zeros(n, dtype=np.int64)
    disagreements = np.zeros(n, dtype=np.int64)
    incomplete = np.zeros(n, dtype=np.int64)
    columns = []
    for key, counts, in_pair in per_pair:
        both = np.where(in_pair, counts.n_a + counts.n_b, 0)
        has = in_pair & (both > 0)
        f1 = np.zeros(n)
        f1[has] = 2.0 * counts.exact[has] / both[has]
        total += f1
        valued += has
        pairs += in_pair
        disagreements += np.where(in_pair, both - 2 * counts.exact, 0)
        incomplete += np.where(in_pair, counts.incomplete, 0)
        columns.append((key, in_pair.tolist(), has.tolist(), f1.tolist()))
    rows = []
    at = np.flatnonzero(pairs)
    for i, doc_id, total_i, valued_i, pairs_i, diff_i, inc_i in zip(
            at.tolist(), docs[at].tolist(), total[at].tolist(), valued[at].tolist(), pairs[at].tolist(),
            disagreements[at].tolist(), incomplete[at].tolist(), strict=True):
        rows.append({
            "document": doc_id,
            "layer": layer,
            "f1": _round(total_i / valued_i) if valued_i else None,
            "pairs": pairs_i,
            "disagreements": diff_i,
            "incomplete": inc_i,
            "pair_f1": {key: (_round(f1[i]) if has[i] else None) for key, in_pair, has, f1 in columns if in_pair[i]},
        })
    return rows


def _pair_coders(index: sa.LayerIndex, ia: int, ib: int, in_pair: np.ndarray, pdocs: np.ndarray,
                 n_chars: np.ndarray) -> tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray]], int]:
    """The pair's documents laid end to end in document order, for uα: each coder's
    ``(begins, ends, labels)`` on it (from the index by label, then document, start and end:
    in the order uα takes them) and its length."""
    offset = np.zeros(n_chars.size, dtype=np.int64)
    offset[pdocs] = np.cumsum(n_chars[pdocs]) - n_chars[pdocs]
    length = int(n_chars[pdocs].sum())
    coders = []
    for who in (ia, ib):
        x = index.annotators[who]
        doc = x.doc[x.by_label]
        rows = in_pair[doc]
        rows = x.by_label[rows] if not rows.all() else x.by_label
        off = offset[x.doc[rows]]
        coders.append((off + x.start[rows], off + x.end[rows], x.label[rows]))
    return coders, length


def _pair_token_counts(tags: sa.TagArrays, tag_key: np.ndarray, ia: int, ib: int, in_pair: np.ndarray,
                       n: int, n_tags: int) -> tuple[int, np.ndarray, np.ndarray]:
    """What Cohen's kappa over the IOB tags of every token of the pair's documents (``n``
    tokens) is made of: how many tokens the two tag differently and how many each tags with
    each tag.  The tokens neither tagged are ``O`` for both, so only the tagged ones are looked at."""
    mine = in_pair[tags.doc]
    ra = mine & (tags.ann == ia)
    rb = mine & (tags.ann == ib)
    ka, ta = tag_key[ra], tags.tag[ra]
    kb, tb = tag_key[rb], tags.tag[rb]
    _, at_a, at_b = np.intersect1d(ka, kb, assume_unique=True, return_indices=True)
    differ = (ka.size - at_a.size) + (kb.size - at_b.size) + int(np.count_nonzero(ta[at_a] != tb[at_b]))
    count_a = np.bincount(ta, minlength=n_tags)
    count_b = np.bincount(tb, minlength=n_tags)
    count_a[0] = n - ka.size
    count_b[0] = n - kb.size
    return differ, count_a, count_b


def _token_alpha(
    names: Sequence[str],
    counted: dict[str, set[int]],
    docs: np.ndarray,
    n_tokens: np.ndarray,
    tags: sa.TagArrays,
    tag_key: np.ndarray,
    n_tags: int,
) -> float | None:
    """Krippendorff's alpha over tokens: units are the tokens of every document
    at least two annotators counted; an annotator who did not count a document
    is a missing value there.  Tokens nobody tagged are one weighted row per
    number of coders (:class:`_TokenAlphaSums` over one block)."""
    counts_doc = np.zeros((docs.size, len(names)), dtype=bool)
    for k, name in enumerate(names):
        if counted[name]:
            counts_doc[:, k] = sa.member(docs, np.fromiter(counted[name], dtype=np.int64))
    sums = _TokenAlphaSums(len(names), n_tags)
    sums.add(counts_doc, n_tokens, tags, tag_key)
    return sums.result()


def rank_question_documents(report: dict[str, Any], question: str) -> list[dict[str, Any]]:
    """``per_document_questions`` rows of one question, least agreement first."""
    rows = [r for r in report.get("per_document_questions", []) if r["question"] == question]
    return sorted(rows, key=lambda r: (r["agreement"], r["document"]))


def rank_documents(report: dict[str, Any], layer: str | None = None, pair: str | None = None) -> list[dict[str, Any]]:
    """``per_document`` rows, worst agreement first (lowest F1, then most disagreements).

    With ``pair`` (``"alice|bob"``) only the documents that pair shares, ranked
    by that pair's F1 (the row's ``f1`` is then the pair's)."""
    rows: Iterable[dict[str, Any]] = report.get("per_document", [])
    if layer is not None:
        rows = [r for r in rows if r["layer"] == layer]
    if pair is not None:
        rows = [{**r, "f1": r["pair_f1"][pair]} for r in rows if pair in r.get("pair_f1", {})]
    return sorted(rows, key=lambda r: (1.0 if r["f1"] is None else r["f1"], -r.get("disagreements", 0), r["document"]))
