"""Stance cues: a lemma-matched lexicon and direct quotations.

Lexicon entries (``resources/lexicons/cues_LANG.toml``) are matched on a
*key* per token: the lookup lemma of spacy-lookups-data when it knows the
form (``menentang`` -> ``tentang``), otherwise a small Indonesian affix
stripper that only accepts a root the lexicon itself contains (``ditentang``
-> ``tentang``, which the lookup table lacks).  Multi-word cues match key by
key ("campur tangan asing").  ``forms`` match as written.  Quotations between
typographic or straight double quotes become QUOTE spans.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from annotator.nlp.merge import Candidate, dedupe
from annotator.nlp.resources import ResourceError, cue_lexicon_path, lemma_table, load_cue_toml, stop_words

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

S_PHRASE = 0.85
S_LEMMA = 0.8
S_QUOTE = 0.95

# Quotations: typographic pairs, guillemets, low-high German style, straight
# double quotes paired within a line.  The span is the text inside the marks.
_QUOTE_RES = (
    re.compile(r"“([^“”\n]{2,2000}?)”"),
    re.compile(r"«([^«»\n]{2,2000}?)»"),
    re.compile(r"„([^„“”\n]{2,2000}?)[“”]"),
    re.compile(r'"([^"\n]{2,2000}?)"'),
)

_PARTICLES = ("nya", "lah", "kah", "pun", "ku", "mu")
_SUFFIXES = ("kan", "an", "i")
# prefix -> replacements for the first letter it absorbed (meN- and peN- nasalise)
_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("memper", ("",)), ("diper", ("",)), ("ber", ("",)), ("ter", ("",)), ("per", ("",)),
    ("meng", ("", "k")), ("meny", ("s",)), ("mem", ("", "p")), ("men", ("", "t")), ("me", ("",)),
    ("peng", ("", "k")), ("peny", ("s",)), ("pem", ("", "p")), ("pen", ("", "t")), ("pe", ("",)),
    ("di", ("",)), ("ke", ("",)), ("se", ("",)), ("be", ("",)),
)


def indonesian_root_candidates(word: str) -> list[str]:
    """Possible roots of an Indonesian word by affix stripping, most
    conservative first (the caller keeps the first one it knows)."""
    word = word.lower()
    forms = [word]
    for p in _PARTICLES:
        if word.endswith(p) and len(word) - len(p) >= 3:
            forms.append(word[: -len(p)])
    for f in list(forms):
        for s in _SUFFIXES:
            if f.endswith(s) and len(f) - len(s) >= 3:
                forms.append(f[: -len(s)])
    out: list[str] = []
    for f in forms:
        out.append(f)
    for f in forms:
        for prefix, repls in _PREFIXES:
            if f.startswith(prefix) and len(f) - len(prefix) >= 3:
                rest = f[len(prefix) :]
                for r in repls:
                    out.append(r + rest)
                    # a second prefix: "diper-", "keber-", "pertentangan" handled by the table
                    for p2, r2s in _PREFIXES:
                        if (r + rest).startswith(p2) and len(rest) - len(p2) >= 3:
                            out.extend(x + (r + rest)[len(p2) :] for x in r2s)
    seen: dict[str, None] = {}
    for o in out:
        seen.setdefault(o, None)
    return list(seen)


class CueMatcher:
    """One language's lexicon, compiled; call it on a Doc."""

    def __init__(self, language: str) -> None:
        self.language = language
        raw = load_cue_toml(language)
        self.available = bool(raw)
        self.table = lemma_table(language)
        self.stop = stop_words(language) if language == "id" else frozenset()
        self.roots: set[str] = set()
        self.forms: dict[str, str] = {}
        #: (word, category) pairs a lemma must not match ("bertolak" = to depart, not OPPOSE)
        self.exclude: set[tuple[str, str]] = set()
        entries: list[tuple[tuple[str, ...], str, float]] = []
        single: list[tuple[str, str]] = []
        for label, body in raw.items():
            for lemma in body.get("lemmas", []):
                words = lemma.lower().split()
                if len(words) != 1:
                    raise ResourceError(f"{cue_lexicon_path(language)}: [{label}] lemma {lemma!r} has several words;"
                                        " put it in phrases")
                self.roots.add(words[0])
                single.append((words[0], label))
            for form in body.get("exclude", []):
                self.exclude.add((form.lower(), label))
            for form in body.get("forms", []):
                if len(form.split()) != 1:
                    raise ResourceError(f"{cue_lexicon_path(language)}: [{label}] form {form!r} has several words;"
                                        " put it in phrases")
                self.forms.setdefault(form.lower(), label)
        for root, label in single:
            entries.append(((root,), label, S_LEMMA))
        for label, body in raw.items():
            for phrase in body.get("phrases", []):
                words = phrase.lower().split()
                keys = tuple(self._phrase_key(w) for w in words)
                for k in keys:
                    self.roots.add(k)
                entries.append((keys, label, S_PHRASE if len(keys) > 1 else S_LEMMA))
        self.by_first: dict[str, list[tuple[tuple[str, ...], str, float]]] = {}
        for keys, label, score in entries:
            self.by_first.setdefault(keys[0], []).append((keys, label, score))
        for bucket in self.by_first.values():
            bucket.sort(key=lambda e: -len(e[0]))
        self._cache: dict[tuple[str, str], str] = {}

    def _phrase_key(self, word: str) -> str:
        return self.table.get(word, word).lower()

    def key(self, text: str, lemma: str) -> str:
        """The matching key of a token (see module docstring)."""
        low = text.lower()
        lem = (lemma or low).lower()
        if lem == low:
            # the pipeline may lemmatize another language (a model run on this
            # document): look the word up in this lexicon's own language table
            lem = self.table.get(low, low).lower()
        if low in self.stop:
            return low  # function words match only as themselves ("tersebut" is not "sebut")
        if lem != low or self.language != "id":
            return lem
        cached = self._cache.get((low, lem))
        if cached is not None:
            return cached
        result = low
        if low not in self.roots:
            for cand in indonesian_root_candidates(low):
                if cand in self.roots:
                    result = cand
                    break
                looked = self.table.get(cand)
                if looked is not None and looked in self.roots:
                    result = looked
                    break
        self._cache[(low, lem)] = result
        return result

    def __call__(self, doc: Doc) -> list[Candidate]:
        """Cue candidates (overlaps between categories allowed)."""
        out: list[Candidate] = []
        if self.available:
            toks = [t for t in doc if not t.is_space and not t.is_punct]
            keys = [self.key(t.text, t.lemma_) for t in toks]
            per_label: dict[str, list[Candidate]] = {}
            for i, tok in enumerate(toks):
                label = self.forms.get(tok.lower_)
                if label is not None:
                    per_label.setdefault(label, []).append(
                        Candidate(tok.idx, tok.idx + len(tok.text), label, "lexicon:cues", S_LEMMA, "cues"))
                for entry_keys, label, score in self.by_first.get(keys[i], ()):
                    m = len(entry_keys)
                    if m == 1 and (tok.lower_ in self.stop or (tok.lower_, label) in self.exclude):
                        continue  # "tentang" (about) is not "menentang"; stop words match as forms only
                    if tuple(keys[i : i + m]) == entry_keys:
                        last = toks[i + m - 1]
                        per_label.setdefault(label, []).append(
                            Candidate(tok.idx, last.idx + len(last.text), label, "lexicon:cues", score, "cues"))
            # within one category keep the longest of overlapping matches ("kata dia" over "kata")
            for cands in per_label.values():
                cands.sort(key=lambda c: (-(c.end - c.start), c.start))
                kept: list[Candidate] = []
                for c in cands:
                    if not any(c.start < k.end and k.start < c.end for k in kept):
                        kept.append(c)
                out.extend(kept)
        out.extend(find_quotes(doc.text))
        return dedupe(out)


def find_quotes(text: str) -> list[Candidate]:
    """QUOTE spans: the text inside each pair of quotation marks."""
    out: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for rx in _QUOTE_RES:
        for m in rx.finditer(text):
            a, b = m.span(1)
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b - a < 2 or any(a < y and x < b for x, y in taken):
                continue
            taken.append((a, b))
            out.append(Candidate(a, b, "QUOTE", "rule:quote", S_QUOTE, "cues"))
    return out
