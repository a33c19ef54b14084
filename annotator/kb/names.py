"""Name matching for entity linking: normalisation, Indonesian/English variants,
initials and edit distance (docs/kb.md).  Pure Python: no Qt, no spaCy, no SQL."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache

from annotator.core.errors import InputError
from annotator.paths import resource_path

#: Words left out of initials: "Liga Nasional untuk Demokrasi" -> LND, "Bank of England" -> BE.
_FUNCTION_WORDS = frozenset(
    "dan untuk dari di ke yang atau serta bagi pada oleh the of and for in on at to de la le du des van von".split()
)

#: Titles and roles that precede a person's name in news text; not part of the name.
_TITLES = frozenset(
    "presiden menteri jenderal jend jenderal gen letjen mayjen brigjen kolonel perdana pm wakil raja ratu pangeran"
    " sekjen gubernur wali kota bupati ketua direktur dr prof ir h hj kh tuan nyonya nona bapak ibu pak bu mr mrs ms"
    " sir president minister general king queen prince".split()
)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents: ``Moskwá`` -> ``moskwa``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokens(name: str) -> list[str]:
    """The words of a name, folded; hyphenated words split (``Bangsa-Bangsa`` -> two)."""
    return _WORD.findall(fold(name))


def normalise(name: str) -> str:
    """The comparison form of a name: folded words joined by one space, a trailing
    possessive or outlet suffix dropped (``Kompas.com`` -> ``kompas com``)."""
    return " ".join(tokens(name))


def strip_titles(name: str) -> str:
    """The normalised name without leading titles (``Jenderal Min Aung Hlaing`` -> ``min aung hlaing``)."""
    words = tokens(name)
    while len(words) > 1 and words[0] in _TITLES:
        words = words[1:]
    return " ".join(words)


def initials(name: str) -> str:
    """Initials of the content words, lower case: ``Perserikatan Bangsa-Bangsa`` -> ``pbb``."""
    return "".join(w[0] for w in tokens(name) if w not in _FUNCTION_WORDS)


def looks_like_abbreviation(surface: str) -> bool:
    """A short all-capitals word (``PBB``, ``NATO``, ``TNI``) that may stand for a longer name."""
    letters = surface.replace(".", "").strip()
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()


@lru_cache(maxsize=1)
def variant_groups() -> dict[str, str]:
    """``{normalised variant: canonical name}`` from ``resources/kb/variants.toml``."""
    path = resource_path("kb", "variants.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read the name variants ({exc})") from exc
    out: dict[str, str] = {}
    for i, group in enumerate(data.get("groups", []), 1):
        if not isinstance(group, list) or not group or not all(isinstance(g, str) for g in group):
            raise InputError(f"{path}: group {i} must be a list of names")
        for name in group:
            out[normalise(name)] = group[0]
    return out


def canonical(name: str, label: str = "PER") -> str:
    """The key names are matched on: the normalised name (without titles for a
    person), mapped to its variant group's first name when it has one (``Moskwa`` ->
    ``moscow``)."""
    key = strip_titles(name) if label == "PER" else normalise(name)
    group = variant_groups().get(key)
    return normalise(group) if group else key


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance; stops early (returning ``limit + 1``) once it exceeds ``limit``."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    if limit is not None and len(a) - len(b) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def typo_limit(key: str) -> int:
    """How many edits still count as a misspelling of a name this long: none below 6
    characters (``Rusia``/``Russia`` are variants, not typos), one up to 11, two above."""
    n = len(key)
    return 0 if n < 6 else 1 if n < 12 else 2
