"""Merging entity candidates from several sources into one non-overlapping set.

Precedence (docs/nlp.md, "Precedence when merging"): the candidate with the **higher score**
wins; on equal scores the **longer** span wins, then the one that starts
**earlier**.  Scores are set so that, by default,

    curated lists (0.9) > title patterns (0.85) > organisation/place heads (0.8)
    > an installed spaCy model (0.75, ``model_score``) > document-level
    coreference (0.7) > context rules (0.6-0.65) > acronyms (0.45)
    > capitalised sequences (0.3).

So a model overrides guesses but never a name the lists know; raise
``model_score`` above 0.9 to let a trusted model override everything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Candidate:
    """A suggested span before it becomes a :class:`annotator.core.Span`."""

    start: int
    end: int
    label: str
    origin: str
    score: float
    layer: str = "entities"

    @property
    def length(self) -> int:
        """Characters covered."""
        return self.end - self.start


def resolve_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the best candidates so that no two overlap (see module docstring);
    returns them in text order.  Exact duplicates collapse into one."""
    ranked = sorted(candidates, key=lambda c: (-c.score, -c.length, c.start, c.label, c.origin))
    taken: list[Candidate] = []
    # the entity counts per document are small (tens to hundreds): a linear
    # overlap scan over the kept ones is cheaper than an interval tree here
    for cand in ranked:
        if cand.end <= cand.start:
            continue
        if any(cand.start < t.end and t.start < cand.end for t in taken):
            continue
        taken.append(cand)
    return sorted(taken, key=lambda c: (c.start, c.end))


def dedupe(candidates: list[Candidate]) -> list[Candidate]:
    """Drop repeats of the same (start, end, label) keeping the best score
    (for layers where overlaps are allowed, such as ``cues``)."""
    best: dict[tuple[int, int, str], Candidate] = {}
    for c in candidates:
        key = (c.start, c.end, c.label)
        if key not in best or c.score > best[key].score:
            best[key] = c
    return sorted(best.values(), key=lambda c: (c.start, c.end, c.label))


def join_abbreviations(text: str, merged: list[Candidate]) -> list[Candidate]:
    """One mention for an organisation's long form and its abbreviation in
    brackets: "Komisi Pemilihan Umum (KPU)" is one ORG span, not two.

    ``merged`` is non-overlapping and in text order; so is the result."""
    out: list[Candidate] = []
    i = 0
    while i < len(merged):
        c = merged[i]
        if c.label == "ORG" and i + 1 < len(merged):
            nxt = merged[i + 1]
            between = text[c.end : nxt.start]
            after = text[nxt.end : nxt.end + 1]
            if nxt.label == "ORG" and between in (" (", "(") and after == ")":
                out.append(Candidate(c.start, nxt.end + 1, c.label, c.origin, max(c.score, nxt.score), c.layer))
                i += 2
                continue
        out.append(c)
        i += 1
    return out
