"""Stories: articles that report the same event (docs/kb.md, "Stories").

The method, for every pair of articles that share at least one linked entry:

- **entities**: the weighted Jaccard of their linked entries, each entry weighted by
  its inverse document frequency (``log((N + 20) / df)``: twenty pseudo-documents so a
  tiny project's shared names do not count as common), so two articles that both name
  Min Aung Hlaing and Shoigu count for more than two that both name Indonesia; the
  union's weight counts as at least ``MIN_EVIDENCE`` (8 nats), so sharing one or two
  common names is not enough;
- **text**: the cosine of their TF-IDF vectors over content words (four letters or
  more, folded; the same idf);
- **date**: ``1 - days apart / 7`` (0 beyond a week), ``0.5`` when either date is
  unknown (the published date, else the first ``d/m/yyyy`` in the text).

``score = 0.5 * entities + 0.35 * text + 0.15 * date``; pairs at ``threshold`` (0.3)
or above are joined, and a story is a group of two or more articles joined directly
or through others whose every member scores at least ``threshold / 2`` against the
group on average (average linkage, so one loose pair does not chain two events).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping, Sequence

from annotator.core.jobs import ShouldCancel, check_cancel
from annotator.kb.names import fold

THRESHOLD = 0.3
WEIGHTS = (0.5, 0.35, 0.15)
#: An entry named in more articles than this share gives no candidate pairs (too common).
MAX_POSTING = 300
#: The least weight (in nats of idf) the entity score divides by.
MIN_EVIDENCE = 8.0
#: Documents added to N in every idf: in a project of a handful of articles, a name
#: two of them share is not thereby common (idf stays meaningful as N grows).
PSEUDO_DOCS = 20

_WORDS = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_DMY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True, slots=True)
class StoryDoc:
    """What grouping needs of an article."""

    id: int
    outlet: str
    text: str
    published: str = ""
    entries: frozenset[str] = frozenset()


@dataclass(slots=True)
class Story:
    """A group of articles on one event."""

    id: str
    documents: list[int]
    outlets: list[str]
    entries: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """The ``annotator stories --json`` shape."""
        return {"id": self.id, "documents": self.documents, "outlets": self.outlets, "entries": self.entries}


def article_date(published: str, text: str) -> date | None:
    """The published date, else the first ``d/m/yyyy`` in the text (Indonesian news
    gives "Senin (21/6/2021)"); None when neither is there or valid."""
    for m in (_ISO.search(published or ""),):
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                pass
    m = _DMY.search(text[:3000])
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            return None
    return None


def _tfidf(docs: Sequence[StoryDoc]) -> dict[int, dict[str, float]]:
    counts = {d.id: Counter(fold(w) for w in _WORDS.findall(d.text)) for d in docs}
    df: Counter[str] = Counter()
    for c in counts.values():
        df.update(c.keys())
    n = len(docs)
    vectors: dict[int, dict[str, float]] = {}
    for doc_id, c in counts.items():
        vec = {w: (1 + math.log(k)) * math.log((n + PSEUDO_DOCS) / df[w]) for w, k in c.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors[doc_id] = {w: v / norm for w, v in vec.items()}
    return vectors


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def pair_scores(docs: Sequence[StoryDoc], should_cancel: ShouldCancel | None = None) -> dict[tuple[int, int], float]:
    """The score of every pair of articles sharing a linked entry (see the module docstring)."""
    n = len(docs)
    df: Counter[str] = Counter()
    posting: dict[str, list[int]] = defaultdict(list)
    for d in docs:
        df.update(d.entries)
        for e in d.entries:
            posting[e].append(d.id)
    idf = {e: math.log((n + PSEUDO_DOCS) / k) for e, k in df.items()}
    by_id = {d.id: d for d in docs}
    dates = {d.id: article_date(d.published, d.text) for d in docs}
    vectors = _tfidf(docs)
    pairs: set[tuple[int, int]] = set()
    for ids in posting.values():
        if len(ids) <= MAX_POSTING:
            pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    scores: dict[tuple[int, int], float] = {}
    w_ent, w_text, w_date = WEIGHTS
    for k, (a, b) in enumerate(sorted(pairs)):
        if k % 5000 == 0:
            check_cancel(should_cancel)
        ea, eb = by_id[a].entries, by_id[b].entries
        # the union's weight is at least MIN_EVIDENCE, so two articles naming only one
        # or two common names (Jakarta, Indonesia) do not look alike by that alone
        union = max(sum(idf[e] for e in ea | eb), MIN_EVIDENCE)
        ent = sum(idf[e] for e in ea & eb) / union
        da, db = dates[a], dates[b]
        closeness = 0.5 if da is None or db is None else max(0.0, 1 - abs((da - db).days) / 7)
        scores[(a, b)] = w_ent * ent + w_text * _cosine(vectors[a], vectors[b]) + w_date * closeness
    return scores


def group_stories(
    docs: Sequence[StoryDoc], threshold: float = THRESHOLD, should_cancel: ShouldCancel | None = None
) -> list[Story]:
    """Stories of two or more articles, ordered by their first article."""
    scores = pair_scores(docs, should_cancel)
    group_of: dict[int, int] = {d.id: d.id for d in docs}
    members: dict[int, set[int]] = {d.id: {d.id} for d in docs}

    def average(g: set[int], h: set[int]) -> float:
        total = sum(scores.get((min(a, b), max(a, b)), 0.0) for a in g for b in h)
        return total / (len(g) * len(h))

    for (a, b), s in sorted(scores.items(), key=lambda kv: -kv[1]):
        if s < threshold:
            break
        ga, gb = group_of[a], group_of[b]
        if ga == gb or average(members[ga], members[gb]) < threshold / 2:
            continue
        for x in members[gb]:
            group_of[x] = ga
        members[ga] |= members.pop(gb)
    by_id = {d.id: d for d in docs}
    groups = sorted((sorted(m) for m in members.values() if len(m) > 1), key=lambda m: m[0])
    stories = []
    for i, ids in enumerate(groups, 1):
        outlets = list(dict.fromkeys(by_id[d].outlet or "unknown outlet" for d in ids))
        shared = Counter(e for d in ids for e in by_id[d].entries)
        stories.append(Story(f"story-{i}", ids, outlets, sorted(e for e, k in shared.items() if k > 1)))
    return stories


def story_docs(documents: Iterable[tuple[int, str, str, str]], entries: Mapping[int, set[str]]) -> list[StoryDoc]:
    """StoryDocs from ``(id, outlet, published, text)`` rows and ``{document: entries}``."""
    return [StoryDoc(i, outlet, text, published, frozenset(entries.get(i, ())))
            for i, outlet, published, text in documents]
