"""Token boundaries without spaCy, agreeing with ``spacy.blank("id")``.

The GUI snaps selections to tokens and moves span boundaries token by token on
its own thread, where loading spaCy is not allowed (docs/architecture.md, "Layer rules").  This
module re-implements spaCy's tokenizer algorithm (split on whitespace, then
peel prefixes and suffixes, then split infixes, with the exceptions table)
driven by the very patterns and exceptions of spaCy's Indonesian tokenizer,
dumped into ``resources/tokenizer/id.json`` by ``scripts/gen_tokenizer_data.py``.

Tokenization is local to each run of non-space characters, so the functions
that look at one place of a long text (:func:`snap_to_tokens`,
:func:`tokens_near`) only tokenize the few runs there.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Any, Callable, Iterator

from annotator.paths import resource_path

_NONSPACE = re.compile(r"\S+")


class _Unknown(Exception):
    """A pattern the guard analysis does not follow (it then guards nothing)."""


_ZERO_WIDTH = {"AT", "ASSERT", "ASSERT_NOT"}
_ONE_CHAR = {"LITERAL", "NOT_LITERAL", "IN", "ANY"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _ends(items: list[Any], last: bool) -> tuple[list[Any], bool]:
    """The one-character items a match of ``items`` can begin (or, ``last``, end) with, and
    whether it can match the empty string."""
    found: list[Any] = []
    for op, av in reversed(items) if last else items:
        name = str(op)
        if name in _ZERO_WIDTH:
            continue
        if name in _ONE_CHAR:
            return [*found, (op, av)], False
        if name == "SUBPATTERN":
            if av[1] or av[2]:  # scoped flags ((?i:...)) would not follow the items out
                raise _Unknown(name)
            sub, empty = _ends(list(av[3].data), last)
        elif name == "BRANCH":
            parts = [_ends(list(b.data), last) for b in av[1]]
            sub, empty = [x for p in parts for x in p[0]], any(p[1] for p in parts)
        elif name in _REPEATS:
            sub, empty = _ends(list(av[2].data), last)
            empty = empty or av[0] == 0
        else:
            raise _Unknown(name)
        found.extend(sub)
        if not empty:
            return found, False
    return found, True


def _all_end_at_end(items: list[Any]) -> bool:
    """Whether every match of ``items`` ends with ``$`` (each alternative's last item)."""
    if len(items) == 1 and str(items[0][0]) == "BRANCH":
        return all(_all_end_at_end(list(b.data)) for b in items[0][1][1])
    return bool(items) and str(items[-1][0]) == "AT" and str(items[-1][1]) == "AT_END"


def _guard(parsed: Any, items: list[Any]) -> re.Pattern[str]:
    """One pattern matching a single character that could be one of ``items``."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    state = parsed.state
    branch = [_parser.SubPattern(state, [item]) for item in items]
    return _compiler.compile(_parser.SubPattern(state, [(_parser.BRANCH, (None, branch))]), state.flags)


def _guarded_search(pattern: str) -> Callable[[str], re.Match[str] | None]:
    """``re.compile(pattern).search``, made cheap where it cannot match: when no character of
    the string could begin a match (alternatives anchored with ``^``: when its first could
    not).  The answer is always the full pattern's (the guard only says "no match" where there
    is none; a pattern it cannot read is not guarded).  spaCy's prefix pattern is hundreds of
    alternatives tried at every position: a word the cache has not seen cost about 130
    microseconds.  (Suffixes and infixes: :class:`_Narrowed`.)"""
    full = re.compile(pattern)
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern)
        top = list(parsed.data)
        branches = [list(b.data) for b in top[0][1][1]] if len(top) == 1 and str(top[0][0]) == "BRANCH" else [top]
        # alternatives anchored with ^ match at the start only: their first character is s[0]
        anchored = [b for b in branches if b and str(b[0][0]) == "AT" and str(b[0][1]) == "AT_BEGINNING"]
        free = [b for b in branches if not any(b is x for x in anchored)]
        first_items: list[Any] = []
        for b in anchored:
            got, empty = _ends(b, last=False)
            if empty:
                return full.search
            first_items.extend(got)
        items: list[Any] = []
        for b in free:
            got, empty = _ends(b, last=False)
            if empty:
                return full.search
            items.extend(got)
        guard = _guard(parsed, items) if items else None
        start_guard = _guard(parsed, first_items) if first_items else None
    except Exception:  # noqa: BLE001 - any surprise: no guard, the plain search
        return full.search
    search = full.search
    anywhere = guard.search if guard is not None else None
    at_start = start_guard.match if start_guard is not None else None

    def search_any(s: str) -> re.Match[str] | None:
        if (at_start is not None and at_start(s) is not None) or (anywhere is not None and anywhere(s) is not None):
            return search(s)
        return None

    return search_any


class _Narrowed:
    """A pattern that is one alternation (``a|b|c``), searched with only the alternatives that
    could match the string at hand, in their order.  A match of an alternative begins (or, with
    ``at_end``, where every alternative ends at ``$``, ends) with a character its guard allows;
    one that allows no character of the string (with ``at_end``: not its last) cannot match
    anywhere in it, so leaving it out changes no answer of ``search`` or ``finditer``.  spaCy's
    suffix and infix patterns are 88 and 15 alternatives tried at every position: a number like
    ``0.4161.`` took 13 microseconds for its suffix and 10 for its infixes, and agreement over
    100,000 documents splits as many such chunks as it meets (each once).  A pattern this does
    not follow (an alternative that can match empty, a construct the guard analysis does not
    read, an alternative not ending at ``$`` with ``at_end``) is searched whole."""

    def __init__(self, pattern: str, at_end: bool) -> None:
        self.full = re.compile(pattern)
        self._masks: dict[str, int] = {}
        self._patterns: dict[int, re.Pattern[str] | None] = {0: None}
        self._guards: list[Callable[[str], re.Match[str] | None]] | None = None
        self._at_end = at_end
        try:
            from re import _parser  # type: ignore[attr-defined]

            parsed = _parser.parse(pattern)
            top = list(parsed.data)
            if len(top) != 1 or str(top[0][0]) != "BRANCH":
                return
            branches = list(top[0][1][1])
            guards = []
            for b in branches:
                items = list(b.data)
                if at_end and not _all_end_at_end(items):
                    return
                got, empty = _ends(items, last=at_end)
                if empty or not got:
                    return
                guards.append(_guard(parsed, got).fullmatch)
            self._parsed, self._branches, self._guards = parsed, branches, guards
        except Exception:  # noqa: BLE001 - any surprise: the whole pattern, always right
            self._guards = None

    def _mask(self, ch: str) -> int:
        """The alternatives whose guard allows ``ch``, as bits (cached per character)."""
        mask = self._masks.get(ch)
        if mask is None:
            assert self._guards is not None
            mask = sum(1 << i for i, g in enumerate(self._guards) if g(ch) is not None)
            self._masks[ch] = mask
        return mask

    def _pattern(self, mask: int) -> re.Pattern[str] | None:
        """The alternation of the alternatives in ``mask``, in their order (compiled once)."""
        if mask not in self._patterns:
            from re import _compiler, _parser  # type: ignore[attr-defined]

            chosen = [b for i, b in enumerate(self._branches) if mask >> i & 1]
            state = self._parsed.state
            self._patterns[mask] = _compiler.compile(
                _parser.SubPattern(state, [(_parser.BRANCH, (None, chosen))]), state.flags)
        return self._patterns[mask]

    def pattern_for(self, s: str) -> re.Pattern[str] | None:
        """The pattern that answers for ``s`` (None: nothing can match in it)."""
        if self._guards is None or not s:
            return self.full
        if self._at_end:
            # "$" also matches before a final newline: there the whole pattern decides
            return self.full if s[-1] == "\n" else self._pattern(self._mask(s[-1]))
        mask = 0
        for ch in set(s):
            mask |= self._mask(ch)
        return self._pattern(mask)

    def search(self, s: str) -> re.Match[str] | None:
        """``re.compile(pattern).search(s)``."""
        p = self.pattern_for(s)
        return p.search(s) if p is not None else None

    def finditer(self, s: str) -> Iterator[re.Match[str]]:
        """``re.compile(pattern).finditer(s)``."""
        p = self.pattern_for(s)
        return p.finditer(s) if p is not None else iter(())


class _Rules:
    """spaCy's patterns and exceptions for one language."""

    def __init__(self, lang: str = "id") -> None:
        data = json.loads(resource_path("tokenizer", f"{lang}.json").read_text(encoding="utf-8"))
        self.prefix_search: Callable[[str], re.Match[str] | None] = _guarded_search(data["prefix"])
        self.suffix_search: Callable[[str], re.Match[str] | None] = _Narrowed(data["suffix"], at_end=True).search
        self.infix_finditer: Callable[[str], Iterator[re.Match[str]]] = _Narrowed(data["infix"], at_end=False).finditer
        self.url_match = re.compile(data["url"]).match if data.get("url") else None
        self.token_match = re.compile(data["token_match"]).match if data.get("token_match") else None
        self.specials: dict[str, list[str]] = {s: [s] for s in data["special_single"]}
        self.specials.update(data["special_multi"])

    def find_prefix(self, s: str) -> int:
        """Length of the prefix spaCy would split off ``s`` (0 for none)."""
        m = self.prefix_search(s)
        return (m.end() - m.start()) if m else 0

    def find_suffix(self, s: str) -> int:
        """Length of the suffix spaCy would split off ``s`` (0 for none)."""
        m = self.suffix_search(s)
        return (m.end() - m.start()) if m else 0


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    return _Rules("id")


@lru_cache(maxsize=65536)
def _split_chunk(chunk: str) -> tuple[str, ...]:
    """The token strings of one whitespace-free chunk (spaCy's ``_tokenize``)."""
    r = _rules()
    special = r.specials.get(chunk)
    if special is not None:
        return tuple(special)
    prefixes: list[str] = []
    suffixes: list[str] = []
    string = chunk
    last_size = -1
    # Tokenizer._split_affixes
    while string and len(string) != last_size:
        if r.token_match and r.token_match(string):
            break
        if string in r.specials:
            break
        last_size = len(string)
        pre_len = r.find_prefix(string)
        prefix = minus_pre = ""
        if pre_len:
            prefix, minus_pre = string[:pre_len], string[pre_len:]
            if minus_pre and minus_pre in r.specials:
                string = minus_pre
                prefixes.append(prefix)
                break
        suf_len = r.find_suffix(string[pre_len:])
        suffix = minus_suf = ""
        if suf_len:
            suffix, minus_suf = string[-suf_len:], string[:-suf_len]
            if minus_suf and minus_suf in r.specials:
                string = minus_suf
                suffixes.append(suffix)
                break
        if pre_len and suf_len and (pre_len + suf_len) <= len(string):
            string = string[pre_len:-suf_len]
            prefixes.append(prefix)
            suffixes.append(suffix)
        elif pre_len:
            string = minus_pre
            prefixes.append(prefix)
        elif suf_len:
            string = minus_suf
            suffixes.append(suffix)
        if string and string in r.specials:
            break
    # Tokenizer._attach_tokens
    out = list(prefixes)
    if string:
        special = r.specials.get(string)
        if special is not None:
            out.extend(special)
        elif (r.token_match and r.token_match(string)) or (r.url_match and r.url_match(string)):
            out.append(string)
        else:
            matches = list(r.infix_finditer(string))
            if not matches:
                out.append(string)
            else:
                start = 0
                for m in matches:
                    i_start, i_end = m.start(), m.end()
                    if i_start == 0:
                        continue
                    if i_start != start:
                        out.append(string[start:i_start])
                    if i_start != i_end:
                        out.append(string[i_start:i_end])
                    start = i_end
                if string[start:]:
                    out.append(string[start:])
    out.extend(reversed(suffixes))
    return tuple(_merge_specials(out, r.specials)) if len(out) > 1 else tuple(out)


def _merge_specials(tokens: list[str], specials: dict[str, list[str]], longest: int = 4) -> list[str]:
    """spaCy's special-case matcher pass: a run of tokens that spells an
    exception containing punctuation (``8)``, ``a.n.``) becomes that exception."""
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        for j in range(min(n, i + longest), i + 1, -1):
            joined = "".join(tokens[i:j])
            if joined in specials:
                out.extend(specials[joined])
                i = j
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _chunk_tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pos = start
    spans = []
    for piece in _split_chunk(text[start:end]):
        spans.append((pos, pos + len(piece)))
        pos += len(piece)
    return spans


def token_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` code-point offsets of every non-space token of ``text``.

    Agrees with ``[(t.idx, t.idx + len(t)) for t in spacy.blank("id")(text) if not t.is_space]``
    on ordinary news text (checked by tests on the seeds and idner-news-2k).
    """
    out: list[tuple[int, int]] = []
    split = _split_chunk
    for m in _NONSPACE.finditer(text):
        a, b = m.span()
        pieces = split(text[a:b])
        if len(pieces) == 1:  # most chunks are one token: no loop, no slicing
            out.append((a, b))
            continue
        for piece in pieces:
            out.append((a, a + len(piece)))
            a += len(piece)
    return out


def full_tokens(text: str) -> tuple[list[int], list[int], list[bool], list[bool]]:
    """Every token of ``text`` as spaCy's ``Doc`` holds them, whitespace tokens included:
    parallel lists ``(starts, ends, ws, space)``, where ``ws`` is spaCy's ``whitespace_``
    (one space follows) and ``space`` its ``is_space``.  One pass over the text (the
    export of a large project tokenizes every document with it)."""
    starts: list[int] = []
    ends: list[int] = []
    ws: list[bool] = []
    space: list[bool] = []
    split = _split_chunk
    pos = 0
    for m in _NONSPACE.finditer(text):
        a, b = m.span()
        if a > pos:  # the gap: one space goes to the token before, the rest is a whitespace token
            if starts and text[pos] == " ":
                ws[-1] = True
                pos += 1
            if a > pos:
                starts.append(pos)
                ends.append(a)
                ws.append(False)
                space.append(True)
        pieces = split(text[a:b])
        if len(pieces) == 1:
            starts.append(a)
            ends.append(b)
            ws.append(False)
            space.append(False)
        else:
            for piece in pieces:
                starts.append(a)
                a += len(piece)
                ends.append(a)
                ws.append(False)
                space.append(False)
        pos = b
    n = len(text)
    if n > pos:
        if starts and text[pos] == " ":
            ws[-1] = True
            pos += 1
        if n > pos:
            starts.append(pos)
            ends.append(n)
            ws.append(False)
            space.append(True)
    return starts, ends, ws, space


def tokens_near(text: str, start: int, end: int, context: int = 1) -> list[tuple[int, int]]:
    """The tokens overlapping ``[start, end)`` plus ``context`` whole whitespace
    chunks on each side: enough to snap or step a boundary without tokenizing
    the whole text."""
    n = len(text)
    start = max(0, min(start, n))
    end = max(start, min(end, n))
    lo = start
    for _ in range(context + 1):
        while lo > 0 and text[lo - 1].isspace():
            lo -= 1
        while lo > 0 and not text[lo - 1].isspace():
            lo -= 1
    hi = end
    for _ in range(context + 1):
        while hi < n and text[hi].isspace():
            hi += 1
        while hi < n and not text[hi].isspace():
            hi += 1
    return [(lo + s, lo + e) for s, e in token_spans(text[lo:hi])]


def snap_to_tokens(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Widen ``[start, end)`` to whole tokens and trim surrounding space.

    Returns None when the range holds no token (only whitespace).
    """
    toks = [t for t in tokens_near(text, start, end, context=0) if t[0] < end and start < t[1]]
    if not toks:
        return None
    return toks[0][0], toks[-1][1]


def step_boundary(text: str, start: int, end: int, which: str, direction: int) -> tuple[int, int]:
    """Move one boundary of ``[start, end)`` by one token.

    ``which`` is ``"start"`` or ``"end"``, ``direction`` -1 (left) or +1
    (right).  A span never becomes empty: shrinking past its last token is a
    no-op.  Boundaries not on token edges move to the nearest edge first.
    """
    toks = tokens_near(text, start, end, context=2)
    starts = [s for s, _ in toks]
    ends = [e for _, e in toks]
    if which == "start":
        if direction < 0:
            i = bisect_left(starts, start) - 1
            new = starts[i] if i >= 0 else start
        else:
            i = bisect_right(starts, start)
            new = starts[i] if i < len(starts) else start
            if new >= end:
                return start, end
        return new, end
    if direction > 0:
        i = bisect_right(ends, end)
        new = ends[i] if i < len(ends) else end
    else:
        i = bisect_left(ends, end) - 1
        new = ends[i] if i >= 0 else end
        if new <= start:
            return start, end
    return start, new
