"""What the story view shows, computed without Qt (docs/kb.md, "The story view"):
one column per article, the linked entities each names lined up by entry, who each
quotes and what, the stance each takes toward a chosen target, and what only one
article has.

Quotes: QUOTE spans of the cues layer (an annotator's, else pending suggestions),
else text in quotation marks.  The speaker comes from the SPEAKER relations whose
head is the quote: one an annotator drew first, then one accepted from a suggestion,
then a suggested one no annotator rejected (both marked as suggested); only a quote
no relation names gets the guess, the nearest person mention in its paragraph.  Stance: an annotator's answer
to the stance question whose target names the chosen entry, else the stance cues
(SUPPORT, OPPOSE, CRITICISE, CONCERN, COMMIT, ACCUSE) in sentences that mention it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from annotator.kb.names import normalise
from annotator.kb.stories import article_date

if TYPE_CHECKING:
    from annotator.core.kb import KBMention
    from annotator.store import Project

CUES_LAYER = "cues"
STANCE_CUES = ("SUPPORT", "OPPOSE", "CRITICISE", "CONCERN", "COMMIT", "ACCUSE")
_QUOTED = re.compile(r"[“\"]([^”\"\n]{12,400})[”\"]")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


@dataclass(slots=True)
class Quote:
    """A quotation in an article and who said it (None when no person is near)."""

    start: int
    end: int
    text: str
    speaker: str | None
    source: str  # "span", "suggestion" or "quotation marks"
    #: where the speaker comes from: "relation" (drawn by an annotator), "accepted suggestion",
    #: "suggested relation", "nearest person" (the guess) or "" (no speaker)
    speaker_source: str = ""

    @property
    def suggested(self) -> bool:
        """The speaker comes from a machine suggestion (accepted or not) or the guess, not a person."""
        return self.speaker_source not in ("relation", "")


@dataclass(slots=True)
class StoryArticle:
    """One column of the story view."""

    document_id: int
    outlet: str
    title: str
    published: str
    quotes: list[Quote] = field(default_factory=list)
    stance: str = ""


@dataclass(slots=True)
class StoryRow:
    """One entry across the articles: how each names it (surfaces and count)."""

    entry_id: str
    name: str
    label: str
    cells: dict[int, list[str]] = field(default_factory=dict)  # document -> surfaces (one per mention)

    @property
    def only_in(self) -> int | None:
        """The one article that names it, when only one does."""
        return next(iter(self.cells)) if len(self.cells) == 1 else None


@dataclass(slots=True)
class StoryTable:
    """The story view's content."""

    articles: list[StoryArticle]
    rows: list[StoryRow]
    target: str | None = None

    def unique_to(self, document_id: int) -> list[StoryRow]:
        """Entries only this article names (highlighted in the view)."""
        return [r for r in self.rows if r.only_in == document_id]


def _paragraph_bounds(text: str, pos: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return a, len(text) if b < 0 else b


#: speaker sources, most trusted first
SPEAKER_SOURCES = ("relation", "accepted suggestion", "suggested relation")


def _speakers(project: Project, doc_id: int, text: str, names_at: dict[tuple[int, int], str]
              ) -> dict[tuple[int, int], tuple[str, str]]:
    """``{(quote start, end): (speaker, source)}`` from the SPEAKER relations of the document.

    Among relations of the best source, the name most of them give wins (annotators may
    disagree); the speaker is the linked entry's name when the child span is linked."""
    votes: dict[tuple[int, int], dict[int, Counter[str]]] = {}

    def vote(head: tuple[int, int], child: tuple[int, int], rank: int) -> None:
        name = names_at.get(child) or text[child[0]:child[1]].strip()
        votes.setdefault(head, {}).setdefault(rank, Counter())[name] += 1

    for rel in project.relations(doc_id):
        if rel.label == "SPEAKER" and rel.head_end is not None and rel.child_end is not None \
                and rel.head_end.label == "QUOTE":
            vote(rel.head_end.extent, rel.child_end.extent, 0 if rel.origin == "human" else 1)
    rejected = project.rejected_relation_suggestions(doc_id)
    for sug in project.relation_suggestions(doc_id):
        if sug.label == "SPEAKER" and sug.head.label == "QUOTE" and sug.id not in rejected:
            vote(sug.head.extent, sug.child.extent, 2)
    out = {}
    for head, ranks in votes.items():
        rank = min(ranks)
        out[head] = (ranks[rank].most_common(1)[0][0], SPEAKER_SOURCES[rank])
    return out


def _quotes(project: Project, doc_id: int, text: str, mentions: Sequence[KBMention], names: dict[str, str]
            ) -> list[Quote]:
    spans = [(s.start, s.end, "span") for s in project.spans(doc_id, layer=CUES_LAYER) if s.label == "QUOTE"]
    if not spans:
        spans = [(s.start, s.end, "suggestion") for s in project.suggestions(doc_id, CUES_LAYER)
                 if s.label == "QUOTE"]
    if not spans:
        spans = [(m.start(1), m.end(1), "quotation marks") for m in _QUOTED.finditer(text)]
    names_at = {(m.start, m.end): names.get(m.entry_id or "", m.text) for m in mentions}
    related = _speakers(project, doc_id, text, names_at) if spans and spans[0][2] != "quotation marks" else {}
    people = [m for m in mentions if m.label == "PER"]
    out = []
    seen: set[tuple[int, int]] = set()
    for start, end, source in sorted(spans):
        if (start, end) in seen:
            continue
        seen.add((start, end))
        speaker, how = related.get((start, end), (None, ""))
        if speaker is None:  # no relation names this quote's speaker: guess the nearest person
            a, b = _paragraph_bounds(text, start)
            near = [m for m in people if a <= m.start < b and not (start <= m.start < end)]
            if near:
                best = min(near, key=lambda m: min(abs(m.start - end), abs(start - m.end)))
                speaker, how = names.get(best.entry_id or "", best.text), "nearest person"
        out.append(Quote(start, end, text[start:end], speaker, source, how))
    return out


def _stance(project: Project, doc_id: int, text: str, target_names: set[str], target_mentions: list[KBMention]
            ) -> str:
    for answer in project.answers(doc_id):
        if answer.question == "stance" and answer.target and normalise(answer.target) in target_names:
            return f"{answer.value} ({answer.annotator})"
    cues = [s for s in project.spans(doc_id, layer=CUES_LAYER) if s.label in STANCE_CUES]
    if not cues:
        cues = [s for s in project.suggestions(doc_id, CUES_LAYER) if s.label in STANCE_CUES]
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
    hit = [(a, b) for a, b in sentences if any(a <= m.start < b for m in target_mentions)]
    counts = Counter(c.label for c in cues if any(a <= c.start < b for a, b in hit))
    if not hit:
        return "does not name the target"
    if not counts:
        return f"names the target ({len(hit)} sentence(s)); no stance cue"
    return "cues: " + ", ".join(f"{n} {label}" for label, n in counts.most_common())


def story_table(project: Project, document_ids: Sequence[int], target: str | None = None) -> StoryTable:
    """The story view's content for these articles; ``target`` is an entry id."""
    entries = {e.id: e for e in project.kb_entries()}
    names = {i: e.name for i, e in entries.items()}
    articles: list[StoryArticle] = []
    rows: dict[str, StoryRow] = {}
    seen: dict[tuple[int, int, int], str] = {}
    for doc_id in document_ids:
        doc = project.get_document(doc_id)
        mentions = [m for m in project.kb_mentions(document_id=doc_id) if m.entry_id]
        # several annotators may mark the same mention: count it once
        unique = []
        for m in mentions:
            key = (doc_id, m.start, m.end)
            if key not in seen:
                seen[key] = m.entry_id or ""
                unique.append(m)
        for m in unique:
            e = entries.get(m.entry_id or "")
            if e is None:
                continue
            row = rows.setdefault(e.id, StoryRow(e.id, e.name, e.label))
            row.cells.setdefault(doc_id, []).append(m.text)
        outlet = doc.source or str(doc.meta.get("outlet") or doc.meta.get("dateline_outlet") or "")
        when = article_date(doc.published, doc.text)
        published = doc.published or (f"{when.isoformat()} (from the text)" if when else "")
        article = StoryArticle(doc_id, outlet or "unknown outlet", doc.title, published,
                               _quotes(project, doc_id, doc.text, unique, names))
        if target in entries:
            target_names = {normalise(n) for n in entries[target].names()}
            article.stance = _stance(project, doc_id, doc.text, target_names,
                                     [m for m in unique if m.entry_id == target])
        articles.append(article)
    order = {label: i for i, label in enumerate(("PER", "ORG", "LOC", "MISC"))}
    ordered = sorted(rows.values(), key=lambda r: (-len(r.cells), order.get(r.label, 9),
                                                  -sum(map(len, r.cells.values())), r.name))
    return StoryTable(articles, ordered, target)

