"""Pure-Python token boundaries agree with spaCy's Indonesian tokenizer."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.tokens import _rules, snap_to_tokens, step_boundary, token_spans, tokens_near
from annotator.paths import resource_path
from tests.conftest import SEED_FILES


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.blank("id")


def spacy_spans(nlp, text: str) -> list[tuple[int, int]]:
    return [(t.idx, t.idx + len(t)) for t in nlp(text) if not t.is_space]


def idner_text(path: Path) -> str:
    sents, cur = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if cur:
                sents.append(" ".join(cur))
                cur = []
        else:
            cur.append(line.split(" ")[0])
    if cur:
        sents.append(" ".join(cur))
    return "\n".join(sents)


def test_tokens_agree_with_spacy_on_the_seeds(nlp):
    for path in SEED_FILES:
        text = path.read_text(encoding="utf-8")
        assert token_spans(text) == spacy_spans(nlp, text), path.name


@pytest.mark.parametrize("split", ["dev", "train"])
def test_tokens_agree_with_spacy_on_idner(nlp, idner_dir, split):
    text = idner_text(idner_dir / f"{split}.txt")
    ours, theirs = token_spans(text), spacy_spans(nlp, text)
    assert len(theirs) > 5000
    assert ours == theirs


@pytest.mark.parametrize("text", [
    "(24/8),", "Rp50.000", "anak-anak", "Jan. 2021", "https://kompas.com/x?a=1.", "“kata dia”.", "8)", "a.n.",
    "dll.", "21/6/2021", "COVID-19", "20%-nya", "mengatakan:'", "ke-2", "3,5 juta", "e-mail",
])
def test_tokens_agree_with_spacy_on_hard_cases(nlp, text):
    assert token_spans(text) == spacy_spans(nlp, text)


def test_tokens_snap_widens_to_whole_tokens_and_trims_space():
    text = "Menteri Pertahanan Rusia, Sergei Shoigu."
    s = text.index("Pertahanan")
    assert snap_to_tokens(text, s + 2, s + 4) == (s, s + len("Pertahanan"))
    r = text.index("Rusia")
    assert snap_to_tokens(text, r - 1, r + len("Rusia") + 2) == (r, r + len("Rusia,"))
    assert snap_to_tokens(text, r, r + 5) == (r, r + 5)  # the comma is its own token
    assert snap_to_tokens(text, 7, 8) is None  # a space only


def test_tokens_step_boundary_moves_by_one_token_and_never_empties():
    text = "Menteri Pertahanan Rusia, Sergei Shoigu."
    s, e = text.index("Rusia"), text.index("Rusia") + 5
    assert step_boundary(text, s, e, "end", 1) == (s, e + 1)  # the comma
    assert step_boundary(text, s, e, "start", -1) == (text.index("Pertahanan"), e)
    assert step_boundary(text, s, e, "end", -1) == (s, e)  # would empty
    assert step_boundary(text, s, e, "start", 1) == (s, e)
    assert step_boundary(text, 0, 7, "start", -1) == (0, 7)  # at the text's edge
    last = len(text)
    assert step_boundary(text, last - 1, last, "end", 1) == (last - 1, last)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab .,-()\n'\"1%🇮") + ["Rp", "dll.", "Jan."]), max_size=40).map("".join),
       st.data())
def test_tokens_local_view_agrees_with_whole_text(text, data):
    toks = token_spans(text)
    for s, e in toks:
        assert 0 <= s < e <= len(text) and not text[s:e].isspace()
    if not text:
        return
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    near = tokens_near(text, a, b)
    assert [t for t in near if t[0] < b and a < t[1]] == [t for t in toks if t[0] < b and a < t[1]]
    snapped = snap_to_tokens(text, a, b)
    if snapped is not None:
        assert snapped[0] in {t[0] for t in toks}
        assert snapped[1] in {t[1] for t in toks}


_PIECES = list("aZ09.,;:!?()[]{}<>\"'-–—/\\$€%&*+=#@_~^|`") + [
    "US$", "Rp", "km", "’s", "...", "<a href=x>", "http://x.co", "é", "\u00a9", "…", "\n", "Ä", "ß", "²", "8)"]


@functools.lru_cache(maxsize=1)
def _full_patterns():
    data = json.loads(resource_path("tokenizer", "id.json").read_text(encoding="utf-8"))
    return re.compile(data["prefix"]), re.compile(data["suffix"]), re.compile(data["infix"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=9).map("".join))
def test_tokens_guarded_patterns_answer_as_the_full_ones(s):
    # the prefix/suffix/infix searches skip the full pattern only where it cannot match
    prefix, suffix, infix = _full_patterns()
    rules = _rules()
    for full, fast in ((prefix, rules.prefix_search), (suffix, rules.suffix_search)):
        want = full.search(s)
        got = fast(s)
        assert (want and want.span()) == (got and got.span())
    assert [m.span() for m in infix.finditer(s)] == [m.span() for m in rules.infix_finditer(s)]


def test_tokens_narrowed_patterns_answer_as_the_full_ones_on_every_idner_chunk(idner_dir):
    # the suffix and infix searches try only the alternatives that could match the chunk at hand:
    # every distinct chunk of the data set, with the punctuation glued on as articles have it,
    # gets the very matches of the whole patterns
    _prefix, suffix, infix = _full_patterns()
    rules = _rules()
    words = set(idner_text(idner_dir / "train.txt").split()) | set(idner_text(idner_dir / "dev.txt").split())
    chunks = words | {f"{w}." for w in words} | {f"({w})," for w in list(words)[:3000]} | {
        f"{a}-{b}" for a, b in zip(sorted(words)[:2000], sorted(words)[2000:4000], strict=True)}
    assert len(chunks) > 20000
    for s in chunks:
        assert (suffix.search(s) and suffix.search(s).span()) == (
            rules.suffix_search(s) and rules.suffix_search(s).span()), s
        assert [m.span() for m in infix.finditer(s)] == [m.span() for m in rules.infix_finditer(s)], s
