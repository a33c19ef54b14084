"""Agreement on knowledge-base links (docs/kb.md, "Review").

Per mention: for every pair of annotators, the entity spans both marked with the same
offsets and at least one of them linked (suggested or accepted); they agree when both
link the mention to the same entry.  A mention one linked and the other left unlinked
is a disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Collection, Mapping, Sequence

if TYPE_CHECKING:
    from annotator.store import Project


@dataclass(frozen=True, slots=True)
class LinkDisagreement:
    """One mention two or more annotators link differently."""

    document_id: int
    start: int
    end: int
    text: str
    entries: dict[str, str | None]  # annotator -> entry id (None: not linked)


def _links_by_annotator(project: Project, names: Sequence[str], document_id: int | None = None
                        ) -> dict[str, dict[tuple[int, int, int], tuple[str | None, str]]]:
    out: dict[str, dict[tuple[int, int, int], tuple[str | None, str]]] = {}
    for name in names:
        out[name] = {(m.document_id, m.start, m.end): (m.entry_id, m.text)
                     for m in project.kb_mentions(annotator=name, document_id=document_id, linked_only=False)}
    return out


def link_agreement(
    project: Project, names: Sequence[str], pair_docs: Mapping[tuple[str, str], Collection[int]]
) -> dict[str, Any]:
    """``{"pairs": {"a|b": {"mentions", "same_entry", "agreement"}}, "disagreements": [...]}``
    over the documents each pair is compared on (``pair_docs``)."""
    if not project.kb_has_links() or not any(project.kb_mentions(annotator=name, linked_only=True) for name in names):
        # nobody linked a mention: every pair has nothing to compare (and reading every
        # entity span of the project as a mention was most of an agreement run without links)
        return {"pairs": {f"{a}|{b}": {"mentions": 0, "same_entry": 0, "agreement": None} for a, b in pair_docs},
                "disagreements": []}
    by_name = _links_by_annotator(project, names)
    pairs: dict[str, dict[str, Any]] = {}
    differing: dict[tuple[int, int, int], dict[str, str | None]] = {}
    texts: dict[tuple[int, int, int], str] = {}
    for (a, b), docs in pair_docs.items():
        la, lb = by_name.get(a, {}), by_name.get(b, {})
        n = same = 0
        for key in la.keys() & lb.keys():
            if key[0] not in docs:
                continue
            ea, eb = la[key][0], lb[key][0]
            if ea is None and eb is None:
                continue
            n += 1
            if ea == eb:
                same += 1
            else:
                differing.setdefault(key, {}).update({a: ea, b: eb})
                texts[key] = la[key][1]
        pairs[f"{a}|{b}"] = {"mentions": n, "same_entry": same, "agreement": round(same / n, 4) if n else None}
    return {
        "pairs": pairs,
        "disagreements": [
            {"document": k[0], "start": k[1], "end": k[2], "text": texts[k], "entries": v}
            for k, v in sorted(differing.items())
        ],
    }


def document_link_disagreements(project: Project, document_id: int, names: Sequence[str]) -> list[LinkDisagreement]:
    """The mentions of one document the annotators link differently (for the comparison view)."""
    by_name = _links_by_annotator(project, names, document_id)
    out = []
    keys = sorted(set().union(*(set(v) for v in by_name.values()))) if by_name else []
    for key in keys:
        holders = {n: by_name[n][key] for n in names if key in by_name[n]}
        if len(holders) < 2:
            continue
        entries = {n: e for n, (e, _t) in holders.items()}
        if len(set(entries.values())) > 1:
            out.append(LinkDisagreement(key[0], key[1], key[2], next(iter(holders.values()))[1], entries))
    return out

