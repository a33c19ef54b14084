"""Tokens, sentences and span alignment for the token-based formats.

Character offsets are the truth in the store; spaCy, CoNLL, CoNLL-U and
Prodigy need tokens.  A document imported from a token format keeps its
tokens in ``meta["tokens"]`` (and sentences in ``meta["sentences"]``), and
those are used as they are, so a CoNLL file comes back out line for line.
Every other document is tokenized as ``spacy.blank("id")`` does it, by
:func:`annotator.core.tokens.token_spans` (spaCy's own rules run in pure
Python, identical on the seeds, idner-news-2k and the benchmark corpus), so the
text formats never load spaCy (1.9 s of CPU) and agree with the GUI's
snapping; the spaCy writer tokenizes with spaCy itself.

A *full* token list covers the text: concatenating each token and one space
when ``ws`` is set gives the text back exactly (whitespace that is not a
single space becomes its own whitespace token, as spaCy does it).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from annotator.core.model import Span
from annotator.core.tokens import full_tokens

#: What to do with a span whose ends are not on token boundaries.
MISALIGNED_POLICIES = ("expand", "contract", "skip", "fail")

_nlp: Any = None


def blank_nlp() -> Any:
    """The shared ``spacy.blank("id")`` pipeline (loaded on first use)."""
    global _nlp
    if _nlp is None:
        import spacy

        _nlp = spacy.blank("id")
        _skip_srsly_entry_point_scans()
        # only the tokenizer runs here (no parser's memory to protect), so a
        # very long article must not stop an export
        _nlp.max_length = 100_000_000
    return _nlp


def _skip_srsly_entry_point_scans() -> None:
    """Stop srsly from looking through every installed package's entry points on each msgpack
    call when there are none for it.  Its encoder and decoder registries do that scan whenever
    a ``Packer`` or an unpacking is made (0.2 ms each: three or four times for every document a
    DocBin writes or reads, about half of reading a ``.spacy`` file), over the entry points
    catalogue read once at its import, so the answer cannot change in this process: when it is
    "none", skipping the scan changes nothing but the time."""
    from srsly.msgpack import msgpack_decoders, msgpack_encoders

    for registry in (msgpack_encoders, msgpack_decoders):
        if registry.entry_points and not registry.get_entry_points():
            registry.entry_points = False


@dataclass(frozen=True, slots=True)
class Tokens:
    """A document's tokens: parallel lists of start and end offsets and whether
    a single space follows.  Whitespace tokens are included (``is_space``)."""

    starts: list[int]
    ends: list[int]
    ws: list[bool]
    text: str
    #: ``is_space`` of every token when the tokenizer knew it (else computed on demand)
    space: list[bool] | None = None

    def __len__(self) -> int:
        return len(self.starts)

    def text_of(self, i: int) -> str:
        """The text of token ``i``."""
        return self.text[self.starts[i] : self.ends[i]]

    def is_space(self, i: int) -> bool:
        """True for a whitespace-only token (dropped by CoNLL and CoNLL-U).

        A token is either all whitespace or holds none (spaCy splits at every
        change, stored tokens are checked), so its first character decides.
        """
        return self.text[self.starts[i]].isspace()

    def count_words(self) -> int:
        """How many tokens are not whitespace."""
        if self.space is not None:
            return len(self.space) - sum(self.space)
        t = self.text
        return sum(1 for a in self.starts if not t[a].isspace())

    def words_spaces(self) -> tuple[list[str], list[bool]]:
        """``words`` and ``spaces`` for ``spacy.tokens.Doc``."""
        t = self.text
        return [t[a:b] for a, b in zip(self.starts, self.ends, strict=True)], list(self.ws)


def _from_offsets(text: str, offsets: Sequence[tuple[int, int]]) -> Tokens:
    """Full token list from non-whitespace token offsets: gaps become ``ws``
    flags or whitespace tokens so the text is covered exactly."""
    starts: list[int] = []
    ends: list[int] = []
    ws: list[bool] = []

    def gap(a: int, b: int) -> None:
        if a >= b:
            return
        g = text[a:b]
        if starts and g[0] == " " and not ws[-1]:
            ws[-1] = True
            a += 1
            if a >= b:
                return
        starts.append(a)
        ends.append(b)
        ws.append(False)

    pos = 0
    for a, b in offsets:
        gap(pos, a)
        starts.append(a)
        ends.append(b)
        ws.append(False)
        pos = b
    gap(pos, len(text))
    return Tokens(starts, ends, ws, text)


def stored_tokens(text: str, meta: Mapping[str, Any]) -> Tokens | None:
    """Tokens kept by a token-format import, or None when absent or not
    consistent with ``text`` (then the caller tokenizes afresh)."""
    raw = meta.get("tokens")
    if not isinstance(raw, list) or not raw:
        return None
    pos = 0
    offsets: list[tuple[int, int]] = []
    n = len(text)
    try:
        for a, b in raw:
            if not (isinstance(a, int) and isinstance(b, int)) or a < pos or b <= a or b > n:
                return None
            tok = text[a:b]
            if any(c.isspace() for c in tok) or (a > pos and not text[pos:a].isspace()):
                return None
            offsets.append((a, b))
            pos = b
    except (TypeError, ValueError):
        return None
    if pos < n and not text[pos:].isspace():
        return None
    return _from_offsets(text, offsets)


def spacy_tokens(doc: Any, text: str | None = None) -> Tokens:
    """Tokens of a spaCy ``Doc`` (read as arrays: iterating Token objects is slow);
    pass the ``text`` it was made from when at hand (``doc.text`` joins every token)."""
    from spacy.attrs import IDX, LENGTH, SPACY

    if text is None:
        text = doc.text
    if len(doc) == 0:
        return Tokens([], [], [], text)
    arr = doc.to_array([IDX, LENGTH, SPACY])
    starts = arr[:, 0].tolist()
    ends = (arr[:, 0] + arr[:, 1]).tolist()
    ws = arr[:, 2].astype(bool).tolist()
    return Tokens(starts, ends, ws, text)


def tokenize(text: str, meta: Mapping[str, Any] | None = None) -> Tokens:
    """The document's tokens: stored ones if valid, else spaCy's (``spacy.blank("id")``'s
    tokens, computed without loading spaCy: see the module docstring)."""
    stored = stored_tokens(text, meta or {})
    if stored is not None:
        return stored
    starts, ends, ws, space = full_tokens(text)
    return Tokens(starts, ends, ws, text, space)


def space_flags(tokens: Tokens) -> list[bool]:
    """``is_space`` of every token, computed once for the loops over a document."""
    if tokens.space is not None:
        return tokens.space
    text = tokens.text
    return [text[a].isspace() for a in tokens.starts]


# -- sentences ----------------------------------------------------------------

_SENT_END = re.compile(r"^(?:[.!?]+|\.\.\.|…)$")
_CLOSERS = re.compile(r"^[\"'”’)\]»]+$")
_SENT_END_FIRST = frozenset(".!?…")
_CLOSERS_FIRST = frozenset("\"'”’)]»")


def sentences(
    tokens: Tokens, meta: Mapping[str, Any] | None = None, keep_together: Iterable[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Sentences as ``(first_token, last_token_exclusive)`` over the non-space
    tokens' indices in ``tokens``.

    Stored sentences (from a CoNLL import) are used when they fit; otherwise
    a sentence ends at a line break and after ``. ! ?`` (plus closing quotes
    written right after them; a quote after a space or line break opens the
    next sentence).
    No boundary is ever put inside a ``keep_together`` token range (an
    entity), so a tag sequence never starts with ``I-``.
    """
    n = len(tokens)
    text, starts, ends = tokens.text, tokens.starts, tokens.ends
    space = space_flags(tokens)
    content = [i for i in range(n) if not space[i]]
    if not content:
        return []
    stored = (meta or {}).get("sentences")
    breaks: set[int] = set()  # token indices (into tokens) that start a sentence
    if isinstance(stored, list) and stored and meta and meta.get("tokens") and len(content) == len(meta["tokens"]):
        try:
            for a, _b in stored:
                if 0 < a < len(content):
                    breaks.add(content[a])
        except (TypeError, ValueError):
            breaks = set()
    else:
        newline_before = False
        prev_end = False
        sent_end, closers = _SENT_END.match, _CLOSERS.match
        for i in range(n):
            t = text[starts[i] : ends[i]]
            if space[i]:
                if any(c in "\n\r\u2028\u2029\x85" for c in t):
                    newline_before = True
                continue
            if newline_before or prev_end:
                breaks.add(i)
            first = t[0]  # both patterns need their first character: skip the regex for words
            if first in _SENT_END_FIRST and sent_end(t):
                prev_end = True
            elif (prev_end and first in _CLOSERS_FIRST and closers(t) and not newline_before and not space[i - 1]
                  and starts[i] == ends[i - 1]):
                # a closing quote sits right after the full stop; one after a space
                # or a line break opens the next sentence
                breaks.discard(i)
                prev_end = True
            else:
                prev_end = False
            newline_before = False
    if breaks:
        ordered = sorted(breaks)
        for a, b in keep_together:  # never break inside an entity
            for i in ordered[bisect_right(ordered, a) : bisect_left(ordered, b)]:
                breaks.discard(i)
    out: list[tuple[int, int]] = []
    start = content[0]
    for i in content[1:]:
        if i in breaks:
            out.append((start, i))
            start = i
    out.append((start, n))
    return out


# -- alignment ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlignmentIssue:
    """A span that did not fall on token boundaries (or could not be kept)."""

    document_id: int | None
    title: str
    annotator: str | None
    layer: str
    start: int
    end: int
    label: str
    text: str
    action: str  # expanded, contracted, skipped, left out (overlap)
    new_start: int | None = None
    new_end: int | None = None

    def describe(self) -> str:
        """One line for a terminal: document, span, text, action."""
        moved = f" -> {self.new_start}-{self.new_end}" if self.new_start is not None else ""
        who = f" [{self.annotator}]" if self.annotator else ""
        return (f"doc {self.document_id} {self.title[:40]!r}{who}: {self.layer} {self.start}-{self.end} "
                f"{self.label} {self.text!r}: {self.action}{moved}")


@dataclass(frozen=True, slots=True)
class TokenSpan:
    """A span mapped onto tokens: ``token_start`` inclusive, ``token_end`` exclusive."""

    span: Span
    token_start: int
    token_end: int
    start: int
    end: int


def align_spans(
    spans: Iterable[Span], tokens: Tokens, policy: str = "expand"
) -> tuple[list[TokenSpan], list[tuple[Span, str, int | None, int | None]]]:
    """Map spans onto tokens.

    Returns ``(aligned, issues)``; ``issues`` holds ``(span, action, new_start,
    new_end)`` for every span that was moved or dropped.  With ``fail`` the
    misaligned spans are returned as issues with action ``misaligned`` and the
    caller stops.  Whitespace tokens never start or end a span.
    """
    if policy not in MISALIGNED_POLICIES:
        raise ValueError(f"misaligned must be one of {', '.join(MISALIGNED_POLICIES)}, not {policy!r}")
    starts, ends = tokens.starts, tokens.ends
    aligned: list[TokenSpan] = []
    issues: list[tuple[Span, str, int | None, int | None]] = []
    for s in spans:
        i = bisect_left(starts, s.start)
        j = bisect_left(ends, s.end)
        exact = (i < len(starts) and starts[i] == s.start and j < len(ends) and ends[j] == s.end and j >= i
                 and not tokens.is_space(i) and not tokens.is_space(j))
        if exact:
            aligned.append(TokenSpan(s, i, j + 1, s.start, s.end))
            continue
        if policy == "fail":
            issues.append((s, "misaligned", None, None))
            continue
        if policy == "skip":
            issues.append((s, "skipped", None, None))
            continue
        if policy == "expand":
            # first token ending after start, last token starting before end
            a = bisect_right(ends, s.start)
            b = bisect_left(starts, s.end) - 1
        else:  # contract: tokens wholly inside
            a = bisect_left(starts, s.start)
            b = bisect_right(ends, s.end) - 1
        while a <= b and a < len(starts) and tokens.is_space(a):
            a += 1
        while b >= a and b >= 0 and tokens.is_space(b):
            b -= 1
        if a > b or a >= len(starts) or b < 0:
            issues.append((s, "skipped (no whole token inside)" if policy == "contract" else "skipped", None, None))
            continue
        ns, ne = starts[a], ends[b]
        aligned.append(TokenSpan(s, a, b + 1, ns, ne))
        if ns <= s.start and ne >= s.end:
            action = "expanded"
        elif ns >= s.start and ne <= s.end:
            action = "contracted"
        else:
            action = "moved"
        issues.append((s, action, ns, ne))
    return aligned, issues


def non_overlapping(spans: Sequence[TokenSpan]) -> tuple[list[TokenSpan], list[TokenSpan]]:
    """Keep the longest (then earliest) of overlapping token spans, as
    ``spacy.util.filter_spans`` does; returns ``(kept, dropped)``."""
    order = sorted(spans, key=lambda t: (-(t.token_end - t.token_start), t.token_start))
    taken: set[int] = set()
    kept: list[TokenSpan] = []
    dropped: list[TokenSpan] = []
    for t in order:
        if any(i in taken for i in range(t.token_start, t.token_end)):
            dropped.append(t)
            continue
        taken.update(range(t.token_start, t.token_end))
        kept.append(t)
    kept.sort(key=lambda t: t.token_start)
    return kept, dropped


# -- tag schemes --------------------------------------------------------------

TAG_SCHEMES = ("iob1", "iob2", "biluo")


def encode_tags(n: int, entities: Iterable[tuple[int, int, str]], scheme: str = "iob2") -> list[str]:
    """Tags for ``n`` tokens from non-overlapping ``(first, last_exclusive, label)``."""
    if scheme not in TAG_SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(TAG_SCHEMES)}, not {scheme!r}")
    tags = ["O"] * n
    ents = sorted(entities)
    prev_end, prev_label = -1, None
    for a, b, label in ents:
        if scheme == "biluo":
            if b - a == 1:
                tags[a] = f"U-{label}"
            else:
                tags[a] = f"B-{label}"
                for k in range(a + 1, b - 1):
                    tags[k] = f"I-{label}"
                tags[b - 1] = f"L-{label}"
        else:
            first = "B" if scheme == "iob2" or (prev_end == a and prev_label == label) else "I"
            tags[a] = f"{first}-{label}"
            for k in range(a + 1, b):
                tags[k] = f"I-{label}"
        prev_end, prev_label = b, label
    return tags
