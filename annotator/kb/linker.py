"""The linker: an entry for every entity mention (docs/kb.md, "Linking").

Mentions are taken longest name first (then the most frequent), so full names make
or find their entries before the short forms that refer to them.  For each, in order:

1. **exact / alias / variant**: its key (normalised, titles dropped for persons,
   Indonesian/English variants mapped to one name: Moskwa, Moskow -> moscow) is the
   key of an entry's name or alias;
2. **abbreviation**: an all-capitals word equal to the initials of an entry's name
   (PBB -> Perserikatan Bangsa-Bangsa), or a long name whose initials are an entry;
3. **surname**: a one-word person mention equal to the last word of a person entry
   mentioned in the same article (else the only such entry in the project);
4. **edit distance**: a misspelling (one edit up to 11 letters, two above) of an entry
   with the same label, the same number of words, and context agreeing: the entry is
   mentioned in the same article or in one that shares two other names with it;
5. otherwise a **new entry** named after the mention's most frequent spelling.

A span the annotator linked (accepted) stays as it is and counts as evidence; an
entry the annotator rejected for a span is never proposed for it again.
Pure: mentions and entries in, entries and links out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from annotator.core.jobs import Progress, ShouldCancel, check_cancel
from annotator.core.kb import KBEntry, KBMention, slug
from annotator.kb.names import (
    canonical,
    edit_distance,
    initials,
    looks_like_abbreviation,
    normalise,
    strip_titles,
    typo_limit,
    variant_groups,
)

#: Labels that news text mixes up for one thing (Rusia the country, Rusia the state):
#: an exact name match may cross between them, never to or from a person.
_PLACE_LIKE = frozenset({"LOC", "ORG", "MISC"})

#: Scores per origin: how sure each kind of match is.
SCORES = {"exact": 1.0, "alias": 0.95, "variant": 0.9, "abbreviation": 0.8, "surname": 0.85,
          "surname-project": 0.7, "edit-distance": 0.75, "new": 0.5}


@dataclass(frozen=True, slots=True)
class Link:
    """One proposed link: the span, the entry, how it was found and how sure."""

    span_id: int
    entry_id: str
    origin: str
    score: float


@dataclass(slots=True)
class LinkPlan:
    """What a linker run proposes: entries to create and links to suggest."""

    new_entries: list[KBEntry] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def _display_name(surface: str, label: str) -> str:
    """A name for a new entry: the spelling as written, capitalised when it was shouted
    (``MOSKOW`` in a dateline) unless it is an abbreviation."""
    words = surface.split()
    if label == "PER" and len(words) > 1:
        # titles are not part of a person's name
        kept = len(strip_titles(surface).split())
        words = words[len(words) - kept :] if kept else words
    name = " ".join(words)
    if name.isupper() and len(name.replace(".", "")) > 5:
        name = name.title()
    return name


class _Index:
    """Entries by key, initials and surname, with the articles each is mentioned in."""

    def __init__(self) -> None:
        self.entries: dict[str, KBEntry] = {}
        self.by_key: dict[str, list[str]] = defaultdict(list)
        self.by_initials: dict[str, list[str]] = defaultdict(list)
        self.by_surname: dict[str, list[str]] = defaultdict(list)
        self.docs: dict[str, set[int]] = defaultdict(set)
        self.mentions: Counter[str] = Counter()

    def add(self, entry: KBEntry) -> None:
        self.entries[entry.id] = entry
        for name in entry.names():
            self.add_name(entry.id, name)

    def add_name(self, entry_id: str, name: str) -> None:
        label = self.entries[entry_id].label
        key = canonical(name, label)
        if key and entry_id not in self.by_key[key]:
            self.by_key[key].append(entry_id)
        words = key.split()
        if len(words) >= 2:
            abbr = initials(name)
            if len(abbr) >= 2 and entry_id not in self.by_initials[abbr]:
                self.by_initials[abbr].append(entry_id)
            if label == "PER" and entry_id not in self.by_surname[words[-1]]:
                self.by_surname[words[-1]].append(entry_id)

    def note(self, entry_id: str, document_id: int) -> None:
        self.docs[entry_id].add(document_id)
        self.mentions[entry_id] += 1


def _label_ok(entry_label: str, label: str) -> bool:
    return entry_label == label or (entry_label in _PLACE_LIKE and label in _PLACE_LIKE)


def suggest_links(
    mentions: Sequence[KBMention],
    entries: Iterable[KBEntry],
    rejections: Mapping[int, set[str]] | None = None,
    *,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
) -> LinkPlan:
    """Propose an entry for every mention that has no accepted link (see the module
    docstring for the order of the rules).  ``rejections``: ``{span_id: {entry ids}}``."""
    rejections = rejections or {}
    index = _Index()
    for entry in entries:
        index.add(entry)
    plan = LinkPlan()
    taken_ids = set(index.entries)

    todo: list[KBMention] = []
    for m in mentions:
        if m.status == "accepted" and m.entry_id in index.entries:
            index.note(m.entry_id, m.document_id)
            index.add_name(m.entry_id, m.text)
        else:
            todo.append(m)

    keys = {m.span_id: canonical(m.text, m.label) for m in todo}
    key_freq = Counter(keys.values())
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for m in todo:
        spellings[keys[m.span_id]][m.text.strip()] += 1
    doc_keys: dict[int, set[str]] = defaultdict(set)
    for m in mentions:
        doc_keys[m.document_id].add(canonical(m.text, m.label))
    variants = variant_groups()

    def allowed(m: KBMention, ids: Iterable[str]) -> list[str]:
        banned = rejections.get(m.span_id, set())
        return [i for i in ids if i not in banned and _label_ok(index.entries[i].label, m.label)]

    def best(m: KBMention, ids: list[str]) -> str:
        # same label first, then mentioned in the same article, then the most mentioned
        return max(ids, key=lambda i: (index.entries[i].label == m.label, m.document_id in index.docs[i],
                                       index.mentions[i], i))

    def context_agrees(m: KBMention, entry_id: str) -> bool:
        if m.document_id in index.docs[entry_id]:
            return True
        mine = doc_keys[m.document_id] - {keys[m.span_id]}
        return any(len(mine & doc_keys[d]) >= 2 for d in index.docs[entry_id])

    def match(m: KBMention) -> tuple[str, str] | None:
        key = keys[m.span_id]
        ids = allowed(m, index.by_key.get(key, ()))
        if ids:
            entry = index.entries[best(m, ids)]
            norm = normalise(m.text)
            if norm == normalise(entry.name) or (m.label == "PER" and key == canonical(entry.name, "PER")):
                return entry.id, "exact"
            if any(normalise(a) == norm for a in entry.aliases):
                return entry.id, "alias"
            return entry.id, "variant" if norm in variants else "alias"
        if looks_like_abbreviation(m.text.strip()):
            ids = [i for i in allowed(m, index.by_initials.get(key.replace(" ", ""), ())) if index.entries[i].label != "PER"]
            if ids:
                return best(m, ids), "abbreviation"
        if len(key.split()) >= 2 and m.label != "PER":
            abbr = initials(m.text)
            ids = [i for i in allowed(m, index.by_key.get(abbr, ())) if index.entries[i].label != "PER"]
            if ids and all(looks_like_abbreviation(index.entries[i].name) for i in ids):
                return best(m, ids), "abbreviation"
        words = key.split()
        if m.label == "PER" and len(words) == 1:
            ids = [i for i in allowed(m, index.by_surname.get(words[0], ())) if index.entries[i].label == "PER"]
            here = [i for i in ids if m.document_id in index.docs[i]]
            if len(here) == 1:
                return here[0], "surname"
            if not here and len(ids) == 1:
                return ids[0], "surname-project"
        limit = typo_limit(key)
        if limit:
            close = []
            for entry_id, entry in index.entries.items():
                if entry.label != m.label or entry_id in rejections.get(m.span_id, ()):
                    continue
                for name in entry.names():
                    other = canonical(name, entry.label)
                    if len(other.split()) == len(words) and edit_distance(key, other, limit) <= limit:
                        if context_agrees(m, entry_id):
                            close.append(entry_id)
                        break
            if close:
                return best(m, close), "edit-distance"
        return None

    order = sorted(todo, key=lambda m: (-len(keys[m.span_id].split()), -key_freq[keys[m.span_id]],
                                        m.document_id, m.start))
    surfaces: dict[str, set[str]] = defaultdict(set)
    new_ids: set[str] = set()
    for n, m in enumerate(order):
        if n % 200 == 0:
            check_cancel(should_cancel)
            if progress:
                progress(n, len(order), "linking")
        if not keys[m.span_id]:
            continue  # no letters or digits ("–", a stray quote): nothing to name an entry after
        found = match(m)
        if found is None:
            key = keys[m.span_id]
            name = _display_name(spellings[key].most_common(1)[0][0], m.label)
            entry_id = _free_id(name, taken_ids)
            taken_ids.add(entry_id)
            entry = KBEntry(entry_id, name, m.label, origin="link")
            index.add(entry)
            plan.new_entries.append(entry)
            new_ids.add(entry_id)
            found = (entry_id, "new")
        entry_id, origin = found
        index.note(entry_id, m.document_id)
        if origin not in ("exact", "surname", "surname-project") and entry_id in new_ids:
            # a new entry learns the other spellings that reach it (Moskwa on Moskow);
            # not a bare surname, which would then match every Widodo in the project
            surfaces[entry_id].add(m.text.strip())
            index.add_name(entry_id, m.text)
        plan.links.append(Link(m.span_id, entry_id, origin, SCORES[origin]))
    if progress:
        progress(len(order), len(order), "linking")
    plan.new_entries = [e.with_(aliases=_distinct_aliases(e.name, surfaces[e.id])) for e in plan.new_entries]
    return plan


def _distinct_aliases(name: str, surfaces: Iterable[str]) -> tuple[str, ...]:
    """Spellings that differ from the name and from each other once normalised."""
    seen = {normalise(name)}
    out = []
    for s in sorted(surfaces, key=lambda s: (s.isupper(), s)):
        if normalise(s) not in seen:
            seen.add(normalise(s))
            out.append(s)
    return tuple(out)


def _free_id(name: str, taken: set[str]) -> str:
    base = slug(name)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def clusters(links: Iterable[Link]) -> dict[str, set[int]]:
    """``{entry_id: {span ids}}``: the grouping a set of links makes."""
    out: dict[str, set[int]] = defaultdict(set)
    for link in links:
        out[link.entry_id].add(link.span_id)
    return dict(out)

