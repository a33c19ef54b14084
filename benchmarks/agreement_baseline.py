"""Agreement as it was computed when issue 12 was filed (main at bf59b39): a Python loop per
document and annotator pair (span matching, IOB tags from every token, unitizing alpha over
lists).  Kept here, not in the package, so ``benchmarks.review_agreement --baseline-documents
N`` can time it against :func:`annotator.review.agreement.compute_agreement` on the same
review project in the same run and check that both give the same report.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np

from annotator.core.errors import NotFoundError
from annotator.core.jobs import Progress, ShouldCancel, check_cancel
from annotator.core.model import DEFAULT_LAYER, GOLD
from annotator.core.tokens import token_spans
from annotator.review import spans as spanm
from annotator.review import stats
from annotator.review.links import link_agreement
from annotator.review.unitizing import documents_alpha

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
) -> dict[str, Any]:
    """Agreement figures for ``project`` (an open :class:`annotator.store.Project`).

    ``layers``/``questions`` default to every span layer and every closed
    question (free-text ones are skipped) of the schema; naming one restricts
    the report to it.  Returns the JSON-ready dict documented in ``docs/review.md``.
    """
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
    texts: dict[int, str] = {}
    tokens_cache: dict[int, list[tuple[int, int]]] = {}
    for layer in layer_names:
        _check_cancel(should_cancel)
        base = step

        def tick(done: int, layer: str = layer, base: int = base) -> None:
            if progress:
                progress(base + done, steps, f"layer {layer}")

        tick(0)
        summary, per_doc = _layer_agreement(
            project, layer, names, counted, pairs, pair_docs, notes, texts, tokens_cache, should_cancel, tick
        )
        result["layers"][layer] = summary
        result["per_document"].extend(per_doc)
        step += per_layer
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


def _load_spans(
    project: Project, layer: str, names: Sequence[str]
) -> dict[tuple[int, str], list[spanm.SpanTriple]]:
    out: dict[tuple[int, str], list[spanm.SpanTriple]] = defaultdict(list)
    for doc_id, ann, start, end, label in project.layer_spans(layer, names):
        out[(doc_id, ann)].append((start, end, label))
    return out


def _layer_agreement(
    project: Project,
    layer: str,
    names: Sequence[str],
    counted: dict[str, set[int]],
    pairs: Sequence[tuple[str, str]],
    pair_docs: dict[tuple[str, str], set[int]],
    notes: list[str],
    texts: dict[int, str],
    tokens_cache: dict[int, list[tuple[int, int]]],
    should_cancel: ShouldCancel | None,
    tick: Callable[[int], None] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    spans = _load_spans(project, layer, names)
    labels = list(project.schema.layer(layer).label_names)
    for sp in spans.values():
        for s in sp:
            if s[2] not in labels:
                labels.append(s[2])
    tag_names = ["O"] + [f"{p}-{lab}" for lab in labels for p in ("B", "I")]
    tag_code = {t: i for i, t in enumerate(tag_names)}

    def tokens(doc_id: int) -> list[tuple[int, int]]:
        if doc_id not in tokens_cache:
            if doc_id not in texts:
                texts[doc_id] = project.get_text(doc_id)
            tokens_cache[doc_id] = token_spans(texts[doc_id])
        return tokens_cache[doc_id]

    tag_cache: dict[tuple[int, str], np.ndarray] = {}

    def tags(doc_id: int, ann: str) -> np.ndarray:
        key = (doc_id, ann)
        if key not in tag_cache:
            tag_cache[key] = np.fromiter(
                (tag_code[t] for t in spanm.iob_tags(tokens(doc_id), spans.get(key, []))), dtype=np.int64
            )
        return tag_cache[key]

    any_spans = any(spans.get((d, n)) for n in names for d in counted[n])
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
    units_done = 0
    doc_pairs: dict[int, list[spanm.PairCounts]] = defaultdict(list)
    doc_pair_keys: dict[int, list[str]] = defaultdict(list)
    for a, b in pairs:
        key = pair_key(a, b)
        total = spanm.PairCounts()
        by_label = {lab: spanm.PairCounts() for lab in labels}
        ta: list[np.ndarray] = []
        tb: list[np.ndarray] = []
        for doc_id in sorted(pair_docs[(a, b)]):
            units_done += 1
            if units_done % 200 == 0:
                _check_cancel(should_cancel)
                if tick is not None:
                    tick(units_done)
            sa = spans.get((doc_id, a), [])
            sb = spans.get((doc_id, b), [])
            one = spanm.PairCounts()
            one_by_label = one.add_by_label(sa, sb)
            doc_pairs[doc_id].append(one)
            doc_pair_keys[doc_id].append(key)
            total.merge(one)
            for lab, counts in one_by_label.items():
                by_label[lab].merge(counts)
            ta.append(tags(doc_id, a))
            tb.append(tags(doc_id, b))
        pairwise[key] = _round(total.f1)
        overlap[key] = _round(total.overlap_f1)
        incomplete += total.incomplete
        if pair_docs[(a, b)] and total.n_a + total.n_b == 0 and any_spans:
            notes.append(f"{layer}: {key} marked no span on their shared documents; F1 is null")
        for lab in labels:
            per_label[lab]["pairwise_f1"][key] = _round(by_label[lab].f1)
            per_label[lab]["overlap_f1"][key] = _round(by_label[lab].overlap_f1)
        docs = sorted(pair_docs[(a, b)])
        if docs and any_spans:
            for doc_id in docs:
                tokens(doc_id)  # loads the text
            u = documents_alpha([(len(texts[d]), {a: spans.get((d, a), []), b: spans.get((d, b), [])}) for d in docs],
                                labels)
            u_alpha[key] = _round(u.alpha)
            for lab in labels:
                per_label[lab]["unitizing_alpha"][key] = _round(u.per_category.get(lab))
        else:
            u_alpha[key] = None
            for lab in labels:
                per_label[lab]["unitizing_alpha"][key] = None
        if ta:
            k = stats.cohen_kappa_codes(np.concatenate(ta), np.concatenate(tb), len(tag_names))
            if k is None and any_spans:
                notes.append(f"{layer}: token_kappa {key} is null: both gave every token the same tag")
        else:
            k = None
        token_kappa[key] = _round(k)

    alpha = _token_alpha(names, counted, tags, len(tag_names)) if len(names) >= 2 else None
    if len(names) >= 2 and alpha is None and any(pair_docs.values()) and any_spans:
        notes.append(f"{layer}: token_alpha is null: every token has the same tag")

    per_doc = []
    for doc_id in sorted(doc_pairs):
        ones = doc_pairs[doc_id]
        f1s = [c.f1 for c in ones if c.f1 is not None]
        per_doc.append(
            {
                "document": doc_id,
                "layer": layer,
                "f1": _round(sum(f1s) / len(f1s)) if f1s else None,
                "pairs": len(ones),
                "disagreements": sum(c.n_a + c.n_b - 2 * c.exact for c in ones),
                "incomplete": sum(c.incomplete for c in ones),
                "pair_f1": {k: _round(c.f1) for k, c in zip(doc_pair_keys[doc_id], ones, strict=True)},
            }
        )
    summary = {
        "pairwise_f1": pairwise,
        "overlap_f1": overlap,
        "token_kappa": token_kappa,
        "token_alpha": _round(alpha),
        "unitizing_alpha": u_alpha,
        "per_label": per_label,
        "incomplete": incomplete,
    }
    return summary, per_doc


def _token_alpha(
    names: Sequence[str],
    counted: dict[str, set[int]],
    tags: Callable[[int, str], np.ndarray],
    n_tags: int,
) -> float | None:
    """Krippendorff's alpha over tokens: units are the tokens of every document
    at least two annotators counted; an annotator who did not count a document
    is a missing value there."""
    per_doc: dict[int, list[str]] = defaultdict(list)
    for ann in names:
        for doc_id in counted[ann]:
            per_doc[doc_id].append(ann)
    # one bincount over (token row, tag) cells of every document instead of np.add.at per coder
    cells = []
    base = 0
    for doc_id in sorted(per_doc):
        coders = per_doc[doc_id]
        if len(coders) < 2:
            continue
        size = tags(doc_id, coders[0]).size
        rows = (np.arange(size, dtype=np.int64) + base) * n_tags
        cells.extend(rows + tags(doc_id, ann) for ann in coders)
        base += size
    if not cells:
        return None
    counts = np.bincount(np.concatenate(cells), minlength=base * n_tags).reshape(base, n_tags)
    return stats.krippendorff_alpha_counts(counts)


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
