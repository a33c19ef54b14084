"""Relation agreement: for each pair of annotators, how many of their relations on the documents
both finished are the same (label and both ends' offsets), as F1 (pure; the store reads them)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Callable, Iterable

if TYPE_CHECKING:
    from annotator.store import Project


def _f1(both: int, a: int, b: int) -> float | None:
    return round(2 * both / (a + b), 4) if a + b else None


def relation_agreement(project: Project, pair_docs: dict[tuple[str, str], set[int]],
                       name: Callable[[str, str], str]) -> dict[str, Any]:
    """``{"pairs": {"a|b": {"f1", "a", "b", "both", "documents", "per_label": {LABEL: {...}}}}, "f1"}``:
    ``a``/``b`` count each annotator's relations on the pair's documents, ``both`` the identical ones;
    ``f1`` at the top is the mean over pairs with any relation.  ``name(a, b)`` is a pair's key."""
    cache: dict[tuple[int, str], set[tuple[Any, ...]]] = {}
    # a project nobody related spans in reads no document's relations (one query each)
    none = project.count_relations() == 0

    def of(doc: int, who: str) -> set[tuple[Any, ...]]:
        if none:
            return set()
        if (doc, who) not in cache:
            cache[(doc, who)] = {r.key for r in project.relations(doc, who)}
        return cache[(doc, who)]

    pairs: dict[str, Any] = {}
    for (a, b), docs in pair_docs.items():
        ca: Counter[str] = Counter()
        cb: Counter[str] = Counter()
        cboth: Counter[str] = Counter()
        for doc in () if none else docs:  # nothing to count: no loop over every shared document
            ra, rb = of(doc, a), of(doc, b)
            ca.update(k[2] for k in ra)
            cb.update(k[2] for k in rb)
            cboth.update(k[2] for k in ra & rb)
        labels = sorted(set(ca) | set(cb))
        pairs[name(a, b)] = {
            "documents": len(docs), "a": sum(ca.values()), "b": sum(cb.values()), "both": sum(cboth.values()),
            "f1": _f1(sum(cboth.values()), sum(ca.values()), sum(cb.values())),
            "per_label": {lab: {"a": ca[lab], "b": cb[lab], "both": cboth[lab], "f1": _f1(cboth[lab], ca[lab], cb[lab])}
                          for lab in labels},
        }
    scored: Iterable[float] = [p["f1"] for p in pairs.values() if p["f1"] is not None]
    scored = list(scored)
    return {"pairs": pairs, "f1": round(sum(scored) / len(scored), 4) if scored else None}
