"""Scoring suggestions against a person's (or the gold) spans.

Entity level, exact match on ``(start, end, label)`` in character offsets, on
every document that has suggestions and that the reference worked on
(documents never suggested, or not annotated by the reference, are counted
apart, not as misses or false positives).  Precision, recall and F1 follow the usual
definitions (0 when undefined), as seqeval computes them from IOB tags.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Iterable

from annotator.core.errors import AnnotatorError

if TYPE_CHECKING:
    from annotator.store import Project

#: The ``layer`` name under which :func:`evaluate_project` scores relations.
RELATIONS = "relations"


class EvaluationError(AnnotatorError):
    """Nothing to evaluate (unknown reference, no suggestions yet)."""

    code = "E103"


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (0.0 where a denominator is 0)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score_sets(pairs: Iterable[tuple[set[Any], set[Any]]]) -> dict[str, Any]:
    """Scores from ``(predicted, reference)`` sets per document: of ``(start, end, label)`` for
    spans, of ``((head start, end), (child start, end), label)`` for relations (the label third)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    docs = 0
    for pred, ref in pairs:
        docs += 1
        for key in pred:
            (tp if key in ref else fp)[key[2]] += 1
        for key in ref - pred:
            fn[key[2]] += 1
    labels = sorted(set(tp) | set(fp) | set(fn))
    per_label: dict[str, dict[str, float | int]] = {}
    for lab in labels:
        p, r, f = prf(tp[lab], fp[lab], fn[lab])
        per_label[lab] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                          "support": tp[lab] + fn[lab], "tp": tp[lab], "fp": fp[lab], "fn": fn[lab]}
    T, F, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    p, r, f = prf(T, F, N)
    return {"documents": docs, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": T, "fp": F, "fn": N, "per_label": per_label}


def evaluate_project(
    project: Project,
    reference: str,
    *,
    layer: str = "entities",
    doc_ids: Iterable[int] | None = None,
    suggester: str | None = None,
    min_score: float | None = None,
    viewer: str | None = None,
) -> dict[str, Any]:
    """Current suggestions of ``layer`` against ``reference``'s spans; ``layer`` ``"relations"``
    scores suggested relations against the reference's relations (label and both endpoints'
    offsets must match), with the same keys, ``per_label`` by relation label.

    Returns ``{"documents", "precision", "recall", "f1", "per_label": {LABEL:
    {"precision", "recall", "f1", "support", ...}}, "tp", "fp", "fn",
    "reference", "layer", "unsuggested", "unannotated"}``: only documents that
    have suggestions and that ``reference`` worked on (a span, an answer, or a
    status other than todo/skipped) count; the others are counted in
    ``unsuggested`` and ``unannotated``.  ``suggester`` limits the
    suggestions to one suggester's set (default: all); ``min_score`` keeps
    only suggestions scored at least that (precision/recall trade-off).
    ``viewer`` scores the suggestions that annotator sees (their project-memory
    view where one exists); by default the shared suggestions (no memory view).
    """
    if layer != RELATIONS:
        project.schema.layer(layer)  # SchemaError naming the layers when unknown
    if reference not in project.annotators():
        raise EvaluationError(
            f"no annotator {reference!r} in {project.path} (annotators: {', '.join(project.annotators()) or 'none'})"
        )
    suggested = project.suggested_document_ids(suggester, viewer=viewer)
    wanted = set(doc_ids) if doc_ids is not None else set(project.document_ids())
    if not suggested & wanted:
        raise EvaluationError(f"no suggestions to evaluate in {project.path}: run 'annotator suggest' first")
    # Only documents the reference worked on: scoring every suggestion on a
    # document alice (or gold) has not reached yet as a false positive made
    # precision meaningless for anyone but a fully imported reference.
    worked = project.worked_documents(reference)
    ids = sorted(suggested & wanted & worked)
    if not ids:
        raise EvaluationError(
            f"{reference!r} has not annotated any of the suggested documents in {project.path}: nothing to score"
        )

    def pairs() -> Iterable[tuple[set[Any], set[Any]]]:
        if layer == RELATIONS:  # label and both endpoints' offsets must match
            for doc_id in ids:
                yield (project.relation_suggestion_keys(doc_id, suggester=suggester, min_score=min_score),
                       {r.key for r in project.relations(doc_id, annotator=reference)})
            return
        for doc_id in ids:
            pred = project.suggestion_triples(doc_id, layer, suggester=suggester, min_score=min_score, viewer=viewer)
            ref = {(s.start, s.end, s.label) for s in project.spans(doc_id, annotator=reference, layer=layer)}
            yield pred, ref

    result = score_sets(pairs())
    result.update({"reference": reference, "layer": layer, "unsuggested": len(wanted - suggested),
                   "unannotated": len((suggested & wanted) - worked)})
    if min_score is not None:
        result["min_score"] = min_score
    return result
