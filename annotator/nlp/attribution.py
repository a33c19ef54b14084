"""Attribution: who said each quotation and attributed statement, who holds each stance cue
and toward whom.  Suggested relations from the text and the span suggestions of one document.

Pure Python over the suggester's spans (no spaCy): runs after the span suggester, on
what it stored.  Patterns, Indonesian and English:

- after a quotation or as the attribution word: ``kata/ujar/ucap/ungkap/tutur/jelas/
  imbuh/tambah X``, ``menurut X``, ``said X``, ``according to X`` (speaker after the word);
- ``X mengatakan/menegaskan/menyatakan/menyerukan/menuntut ...``, ``X said/told/added``
  (speaker before the word, the nearest person or organisation of the clause);
- ``..., tambahnya/katanya/ujarnya``, ``he said``, and pronoun speakers (``kata dia``):
  the speaker of the previous attribution.

The speaker is the entity span (PER or ORG; adjacent entity spans of one label form
one name, "Majelis Umum" + "PBB").  Where the text names no one ("kata juru bicara
junta", "Resolusi itu ... menuntut"), the speaker is the noun phrase as a span of its
own: layer ``cues``, label ``SOURCE`` (the schema's label for an unnamed speaker or
holder), origin ``rule:attribution``.  Holders and targets of stance cues come from
the clause around the cue: the nearest person or organisation before it, the nearest
entity after it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Sequence

from annotator.core.model import Span
from annotator.core.relations import Endpoint, SuggestedRelation

#: Identifies the rules' output (stored as the relations' origin).
ORIGIN = "rule:attribution"

S_EXPLICIT = 0.9  # "kata X", "X mengatakan" right at the quotation
S_CLAUSE = 0.75  # the speaker of a verb earlier in the quotation's sentence
S_PREVIOUS = 0.7  # "tambahnya", "kata dia": the previous speaker
S_PHRASE = 0.55  # an unnamed speaker as a noun phrase
S_HOLDER = 0.5
S_TARGET = 0.4

# the word, then the speaker
_POST = {"kata", "ujar", "ucap", "ungkap", "tutur", "jelas", "imbuh", "tambah", "sebut", "papar", "tegas", "menurut",
         "said", "says", "according", "sambung", "lanjut", "terang", "beber"}
# the speaker, then the word
_PRE = {"mengatakan", "menegaskan", "menyatakan", "menjelaskan", "menambahkan", "mengungkapkan", "menuturkan",
        "menyampaikan", "menyebut", "menyebutkan", "mengaku", "mengakui", "menyerukan", "menuntut", "mendesak",
        "memperingatkan", "melaporkan", "mengklaim", "menerangkan", "membeberkan", "memaparkan", "berkata",
        "bertanya", "menilai", "mengingatkan", "said", "says", "told", "added", "stated", "warned", "urged",
        "demanded", "claimed", "announced", "reported"}
# the word names the previous speaker ("tambahnya" = "he/she added")
_PREVIOUS = {"katanya", "ujarnya", "ucapnya", "ungkapnya", "tuturnya", "jelasnya", "imbuhnya", "tambahnya",
             "tegasnya", "sebutnya", "terangnya", "sambungnya", "lanjutnya", "paparnya"}
_PRONOUNS = {"dia", "ia", "beliau", "mereka", "nya", "he", "she", "they", "saya", "kami", "aku"}
# words that end a speaker phrase after the attribution word
_STOP = {"dalam", "pada", "di", "kepada", "saat", "ketika", "seperti", "yang", "melalui", "sebelum", "setelah",
         "jelang", "usai", "sembari", "sambil", "dan", "untuk", "dari", "dikutip", "bahwa", "in", "on",
         "at", "to", "that", "when", "during", "after", "before", "and", "who"}
_STANCE = {"SUPPORT", "OPPOSE", "CRITICISE", "CONCERN", "COMMIT", "ACCUSE"}
_SPEAKER_LABELS = {"PER", "ORG"}

_TOKEN = re.compile(r"\w+(?:[-'.]\w+)*|[^\w\s]", re.UNICODE)
_SENT_END = re.compile(r"[.!?](?=\s)|\n")
_OPENERS = {"namun", "sementara", "itu", "sebelumnya", "selain", "kemudian", "however", "meanwhile", "but", "tetapi",
            "tapi", "dan", "lalu", "the"}


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower()


class _Doc:
    """The text's tokens, sentences and speaker candidates."""

    def __init__(self, text: str, spans: Sequence[Span]) -> None:
        self.text = text
        self.toks = [_Tok(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        self.starts = [t.start for t in self.toks]
        quotes = [(s.start, s.end) for s in spans if s.layer == "cues" and s.label == "QUOTE"]
        # sentence ends outside quotations (a quotation may hold several sentences)
        self.ends = [m.end() for m in _SENT_END.finditer(text)
                     if not any(a <= m.start() < b for a, b in quotes) or text[m.start()] == "\n"]
        self.ents = sorted((s for s in spans if s.layer == "entities"), key=lambda s: (s.start, -s.end))
        self.speakers = self._runs([s for s in self.ents if s.label in _SPEAKER_LABELS])

    def _runs(self, ents: list[Span]) -> list[Endpoint]:
        """Adjacent entity spans of one label separated by one space form one name."""
        out: list[Endpoint] = []
        for s in ents:
            if out and out[-1].label == s.label and self.text[out[-1].end:s.start] == " ":
                out[-1] = Endpoint("entities", out[-1].start, s.end, s.label)
            elif not out or s.start >= out[-1].end:
                out.append(Endpoint("entities", s.start, s.end, s.label))
        return out

    def sentence(self, pos: int) -> tuple[int, int]:
        """``[start, end)`` of the sentence holding ``pos``."""
        i = bisect_right(self.ends, pos)
        return (self.ends[i - 1] if i else 0), (self.ends[i] if i < len(self.ends) else len(self.text))

    def tok_index(self, pos: int) -> int:
        """The index of the first token starting at or after ``pos``."""
        return bisect_left(self.starts, pos)

    def speaker_at(self, pos: int) -> Endpoint | None:
        for sp in self.speakers:
            if sp.start == pos:
                return sp
        return None

    def speaker_ending_before(self, pos: int, floor: int) -> Endpoint | None:
        """The nearest speaker candidate ending before ``pos`` and starting at or after ``floor``."""
        best = None
        for sp in self.speakers:
            if floor <= sp.start and sp.end <= pos:
                best = sp
        return best


def _phrase(doc: _Doc, first: int, last: int) -> Endpoint | None:
    """A SOURCE endpoint over tokens ``first..last`` (inclusive), if it is a short noun phrase."""
    if last < first or last - first > 5:
        return None
    words = doc.toks[first:last + 1]
    if any(not t.text[0].isalnum() for t in words):
        return None
    if len(words) == 1 and words[0].low in _PRONOUNS:
        return None
    start, end = words[0].start, words[-1].end
    if any((e.start, e.end) == (start, end) for e in doc.ents):
        return None  # a place or a name of another kind, not an unnamed speaker
    return Endpoint("cues", start, end, "SOURCE")


def _after(doc: _Doc, pos: int, limit: int) -> tuple[Endpoint | None, bool]:
    """The speaker after an attribution word ending at ``pos`` (before ``limit``):
    ``(endpoint, is_pronoun)``."""
    i = doc.tok_index(pos)
    if i < len(doc.toks) and doc.toks[i].low == "to" and i and doc.toks[i - 1].low == "according":
        i += 1
    j = i
    window: list[int] = []
    while j < len(doc.toks) and doc.toks[j].start < limit and len(window) < 10:
        t = doc.toks[j]
        if t.text in ".;:!?“”\"«»(" or t.low in _STOP:
            break
        window.append(j)
        j += 1
    if not window:
        return None, False
    if doc.toks[window[0]].low in _PRONOUNS:
        return None, True
    found = [doc.speaker_at(doc.toks[k].start) for k in window]
    named = [f for f in found if f is not None]
    for want in ("PER", "ORG"):
        for f in named:
            if f.label == want:
                return f, False
    # no name: the noun phrase up to the first comma
    last = window[0]
    for k in window[1:]:
        if doc.toks[k].text == ",":
            break
        last = k
    return _phrase(doc, window[0], last), False


def _before(doc: _Doc, verb: _Tok, floor: int) -> tuple[Endpoint | None, bool]:
    """The speaker of a verb such as ``mengatakan``: the nearest person or organisation before it
    in its sentence (from ``floor``), else the sentence's opening noun phrase."""
    i = doc.tok_index(verb.start)
    if i and doc.toks[i - 1].low in _PRONOUNS:
        return None, True
    sp = doc.speaker_ending_before(verb.start, floor)
    if sp is not None and len(doc.toks[doc.tok_index(sp.end):i]) <= 15:
        return sp, False
    # the opening noun phrase of the sentence ("Resolusi itu –...– juga menuntut")
    k = doc.tok_index(floor)
    while k < i and (doc.toks[k].low in _OPENERS or not doc.toks[k].text[0].isalnum()):
        k += 1
    last = k
    while (last + 1 < i and doc.toks[last + 1].text[0].isalnum() and doc.toks[last + 1].low not in _PRE
           and doc.toks[last + 1].low not in _STOP):
        last += 1
    if k < i and doc.toks[k].low in _PRONOUNS:
        return None, True
    return _phrase(doc, k, min(last, k + 3)), False


def suggest_relations(text: str, spans: Sequence[Span]) -> tuple[list[Span], list[SuggestedRelation]]:
    """Suggested SPEAKER relations for QUOTE and REPORT cues, HOLDER and TARGET for stance
    cues; returns ``(new SOURCE spans, relations)``.  ``spans`` are the document's suggestions."""
    doc = _Doc(text, spans)
    heads = sorted((s for s in spans if s.layer == "cues" and s.label in ("QUOTE", "REPORT")),
                   key=lambda s: (s.start, s.end))
    quotes = [s for s in heads if s.label == "QUOTE"]
    rels: list[SuggestedRelation] = []
    sources: dict[tuple[int, int], Span] = {}
    previous: Endpoint | None = None

    def relate(head: Span, child: Endpoint | None, score: float, label: str = "SPEAKER") -> None:
        if child is None or child.start < head.end and head.start < child.end:
            return
        if child.layer == "cues":
            sources.setdefault((child.start, child.end), Span(child.start, child.end, "SOURCE", "cues",
                                                             origin=ORIGIN, score=score))
        rels.append(SuggestedRelation(label, Endpoint(head.layer, head.start, head.end, head.label), child,
                                      origin=ORIGIN, score=score))

    def speaker_of_word(tok: _Tok, floor: int, limit: int) -> tuple[Endpoint | None, float]:
        """The speaker an attribution word names, with the score; (None, 0) if it names none."""
        low = tok.low
        if low in _PREVIOUS:
            return previous, S_PREVIOUS
        if low in _POST:
            sp, pronoun = _after(doc, tok.end, limit)
        elif low in _PRE:
            sp, pronoun = _before(doc, tok, floor)
        else:
            return None, 0.0
        if pronoun:
            return previous, S_PREVIOUS
        if sp is None:
            return None, 0.0
        return sp, S_PHRASE if sp.layer == "cues" else S_EXPLICIT

    for head in heads:
        s_start, s_end = doc.sentence(head.start)
        if head.label == "REPORT":
            if any(q.start <= head.start and head.end <= q.end for q in quotes):
                continue  # a speech verb inside a quotation is part of the quoted words
            words = [t for t in doc.toks[doc.tok_index(head.start):doc.tok_index(head.end)]]
            found = None
            for t in words:
                sp, score = speaker_of_word(t, s_start, s_end)
                if sp is not None:
                    found = (sp, score)
                    break
            if found:
                relate(head, found[0], found[1])
                previous = found[0]
            continue
        # a quotation: the attribution right after it, then a verb earlier in its sentence,
        # then an attribution later in the sentence (before the next quotation)
        nxt = next((q.start for q in quotes if q.start >= head.end), len(text))
        _q_start, q_end = doc.sentence(head.end)
        limit = min(max(q_end, s_end), nxt)
        after = [t for t in doc.toks[doc.tok_index(head.end):doc.tok_index(limit)] if t.text[0].isalnum()]
        speaker: tuple[Endpoint | None, float] = (None, 0.0)
        if after:
            first = after[0]
            gap = text[head.end:first.start]
            if len(gap) <= 4 and first.low in _POST | _PREVIOUS:
                speaker = speaker_of_word(first, s_start, limit)
            elif len(gap) <= 4 and doc.speaker_at(first.start) is not None:
                sp = doc.speaker_at(first.start)
                assert sp is not None
                k = doc.tok_index(sp.end)
                if k < len(doc.toks) and doc.toks[k].low in _PRE:
                    speaker = (sp, S_EXPLICIT)
        if speaker[0] is None:
            before = [t for t in doc.toks[doc.tok_index(s_start):doc.tok_index(head.start)]
                      if t.low in _PRE or t.low in ("menurut", "according")]
            if before:
                verb = before[-1]
                sp, score = speaker_of_word(verb, s_start, head.start)
                speaker = (sp, S_CLAUSE if sp is not None and score == S_EXPLICIT else score)
        if speaker[0] is None:
            for t in after:
                if t.low in _POST | _PREVIOUS | _PRE:
                    speaker = speaker_of_word(t, s_start, limit)
                    if speaker[0] is not None:
                        speaker = (speaker[0], min(speaker[1], S_CLAUSE))
                        break
        if speaker[0] is not None:
            relate(head, speaker[0], speaker[1])
            previous = speaker[0]

    for cue in (s for s in spans if s.layer == "cues" and s.label in _STANCE):
        s_start, s_end = doc.sentence(cue.start)
        holder = doc.speaker_ending_before(cue.start, s_start)
        if holder is not None and len(doc.toks[doc.tok_index(holder.end):doc.tok_index(cue.start)]) <= 10:
            relate(cue, holder, S_HOLDER, "HOLDER")
        target = next((e for e in doc.ents if cue.end <= e.start < s_end), None)
        if target is not None and len(doc.toks[doc.tok_index(cue.end):doc.tok_index(target.start)]) <= 10:
            relate(cue, Endpoint("entities", target.start, target.end, target.label), S_TARGET, "TARGET")
    seen: set[tuple[object, ...]] = set()
    unique = []
    for r in rels:
        if r.key not in seen:
            seen.add(r.key)
            unique.append(r)
    return list(sources.values()), unique
