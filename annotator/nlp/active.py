"""Active ordering: the documents where the suggestions are least certain first.

The uncertainty of a document is the **mean binary entropy** of the scores of
the suggestions its annotator sees (``H(p) = -p log2 p - (1-p) log2 (1-p)``,
1 bit at p = 0.5, 0 at p = 0 or 1): a document full of confident
suggestions (curated names, the project memory's unanimous decisions) needs
little more than accepting; one full of coin-flips (capitalised guesses,
contested memory, a model at its threshold) is where an annotator's decisions
teach the most.  The mean rather than the sum, so a long article does not
come first only for being long; entropy rather than the margin between two
labels because most suggestions carry one label with one score.  Documents
without any suggestion come last (nothing to judge them by), then by id.

With a trained model suggesting, the merged suggestions' scores say little
about the model (its entities enter the merge with one fixed score), so
``annotator suggest`` also stores the **model's own** uncertainty per document
(``model_uncertainty``): the mean binary entropy of its NER's entity
probabilities from a beam search (width 16, candidates from 0.1 up; the
Prodigy ner.teach way).  Where a document has it, its uncertainty is the mean
of that and the suggestion-score figure (on idner dev each alone ranked the
documents' errors worse than the two together; docs/nlp.md).  A document
whose beam found no candidate has a model figure of 0 (sure there is nothing).
Pure Python, no spaCy: the GUI's document list can sort by it.
"""

from __future__ import annotations

import math
from typing import Any

from annotator.store import Project

#: States of documents the queue leaves out (the annotator is through with them).
FINISHED = ("done", "skipped")


def entropy(p: float) -> float:
    """Binary entropy of ``p`` in bits (0 outside the open interval)."""
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def document_uncertainty(project: Project, annotator: str | None, layer: str | None = "entities"
                         ) -> dict[int, tuple[float, int, str]]:
    """``{document_id: (uncertainty, how many figures it averages, "model" or "suggestions")}``:
    the mean entropy of the scores of the suggestions ``annotator`` sees, averaged with the
    suggesting model's own uncertainty where that was stored ("model"); documents with neither
    are absent."""
    out: dict[int, tuple[float, int, str]] = {
        d: (sum(map(entropy, scores)) / len(scores), len(scores), "suggestions")
        for d, scores in project.suggestion_scores(annotator or "", layer).items() if scores}
    if layer is not None:
        for d, (value, n) in project.model_uncertainty(layer).items():
            if d in out:  # the mean of the two: each alone ranks worse (docs/nlp.md, "Active ordering")
                out[d] = ((out[d][0] + value) / 2, out[d][1] + n, "model")
            else:
                out[d] = (value, n, "model")
    return out


def uncertainty_by_document(project: Project, annotator: str | None, layer: str | None = "entities"
                            ) -> dict[int, float]:
    """``{document_id: uncertainty}`` (:func:`document_uncertainty`), for sorting."""
    return {d: v for d, (v, _n, _src) in document_uncertainty(project, annotator, layer).items()}


def most_useful_first(ids: list[int], uncertainty: dict[int, float]) -> list[int]:
    """``ids`` most uncertain first, those without suggestions last, ties by id."""
    return sorted(ids, key=lambda d: (d not in uncertainty, -uncertainty.get(d, 0.0), d))


def uncertainty_queue(project: Project, annotator: str | None, *, layer: str | None = "entities",
                      include_finished: bool = False) -> list[dict[str, Any]]:
    """Documents in "most useful first" order for ``annotator``: ``[{"id",
    "uncertainty", "suggestions", "source", "title", "state"}]``, most uncertain first
    (``source``: "model" when the suggesting model's own uncertainty was used).
    With no annotator: the shared suggestions, every document."""
    # "" has no memory view: the shared suggestions
    scores = project.suggestion_scores(annotator or "", layer)
    known = document_uncertainty(project, annotator, layer)
    states = ({d: st for (d, who), st in project.statuses(annotator).items() if who == annotator}
              if annotator else {})
    rows = []
    for info in project.document_infos():
        doc_id = info.id
        state = states.get(doc_id, "todo")
        if state in FINISHED and not include_finished:
            continue
        value, _n, source = known.get(doc_id, (None, 0, None))
        rows.append({"id": doc_id, "uncertainty": None if value is None else round(value, 4),
                     "suggestions": len(scores.get(doc_id, [])), "source": source, "title": info.title,
                     "state": state})
    rows.sort(key=lambda r: (r["uncertainty"] is None, -(r["uncertainty"] or 0.0), r["id"]))
    return rows
