"""The word lists the default suggester is built from.

Everything here is general knowledge shipped in ``resources/``: gazetteers
(``resources/gazetteers/*.txt``, one name per line, ``#`` comments), country
and territory names from CLDR (``babel``), cue lexicons
(``resources/lexicons/cues_LANG.toml``) and the lookup lemma tables of
``spacy-lookups-data`` (used as a vocabulary of ordinary words).

Loading is cached: a pipeline built twice shares one copy.
"""

from __future__ import annotations

import hashlib
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from annotator.core.errors import AnnotatorError
from annotator.paths import resource_path

#: CLDR region codes that are not places an annotator would tag as LOC
#: (the world, groupings, placeholders) or that are organisations (EU, UN).
_CLDR_SKIP = {"001", "EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "XK"}

#: Languages with a cue lexicon in ``resources/lexicons``.
CUE_LANGUAGES = ("id", "en")

GAZETTEER_FILES = (
    "locations.txt", "organisations.txt", "persons.txt", "titles.txt", "org_heads.txt", "loc_heads.txt",
    "given_names.txt", "not_entities.txt", "descriptors.txt",
)


class ResourceError(AnnotatorError):
    """A shipped word list is missing or malformed (names the file and line)."""

    code = "E101"


def read_list(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a word list, in order, without duplicates."""
    if not path.is_file():
        raise ResourceError(f"{path}: word list missing (is the package installed completely?)")
    seen: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            seen.setdefault(line, None)
    return list(seen)


def gazetteer(name: str) -> list[str]:
    """One gazetteer file of ``resources/gazetteers``."""
    return read_list(resource_path("gazetteers", name))


@lru_cache(maxsize=4)
def cldr_territories(languages: tuple[str, ...] = ("id", "en")) -> list[str]:
    """Country and territory names from CLDR in the given languages (plus
    the short forms CLDR offers as variants)."""
    from babel import Locale, UnknownLocaleError

    names: dict[str, None] = {}
    locales = []
    for lang in languages:
        try:
            locales.append(Locale.parse(lang))
        except (UnknownLocaleError, ValueError):
            continue  # a language CLDR does not know: its names are simply not added
    for loc in locales:
        for code, name in loc.territories.items():
            if code in _CLDR_SKIP or code.isdigit():
                continue
            names.setdefault(name, None)
            # "Kongo - Kinshasa", "Hong Kong DAK Tiongkok": keep the part an article uses
            for sep in (" - ", " DAK ", " SAR ", " ("):
                if sep in name:
                    names.setdefault(name.split(sep)[0].strip(), None)
            if name.endswith(")") and " (" in name:  # "Myanmar (Burma)": the other name too
                names.setdefault(name[name.index(" (") + 2 : -1].strip(), None)
    # continents and regions (numeric codes) name places too, except the world
    for loc in locales:
        for code, name in loc.territories.items():
            if code.isdigit() and code != "001":
                names.setdefault(name, None)
    return list(names)


@lru_cache(maxsize=4)
def cldr_cities(languages: tuple[str, ...] = ("id", "en")) -> list[str]:
    """City names from CLDR's time-zone exemplar cities (Jakarta, Urumqi,
    Nouakchott ...) in the given languages."""
    import zoneinfo

    from babel import UnknownLocaleError
    from babel.dates import get_timezone_location

    names: dict[str, None] = {}
    for zone in sorted(zoneinfo.available_timezones()):
        if "/" not in zone or zone.startswith(("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/", "Mexico/")):
            continue
        for lang in languages:
            try:
                city = get_timezone_location(zone, locale=lang, return_city=True)
            except (LookupError, ValueError, UnknownLocaleError):  # zones or languages babel lacks
                continue
            if city and city[0].isupper() and not any(ch.isdigit() for ch in city):
                names.setdefault(city, None)
    return list(names)


@lru_cache(maxsize=4)
def lemma_table(language: str) -> dict[str, str]:
    """The raw ``{form: lemma}`` lookup table of spacy-lookups-data (empty
    when the language has none).  Read from the package's JSON file because
    spaCy's ``Table`` keeps only hashes of the forms."""
    import gzip
    import json
    from importlib import resources

    try:
        pkg = resources.files("spacy_lookups_data") / "data"
    except ModuleNotFoundError:  # pragma: no cover - a declared dependency
        return {}
    for name in (f"{language}_lemma_lookup.json", f"{language}_lemma_lookup.json.gz"):
        path = pkg / name
        if path.is_file():
            raw = path.read_bytes()
            if name.endswith(".gz"):
                raw = gzip.decompress(raw)
            return {str(k): str(v) for k, v in json.loads(raw).items()}
    return {}


@lru_cache(maxsize=4)
def vocabulary(language: str) -> frozenset[str]:
    """Lower-case ordinary words of ``language``: every form and lemma of the
    lookup table.  A capitalised word found here is likely an ordinary word
    that opens a sentence or a title, not a name."""
    words: set[str] = set()
    for form, lemma in lemma_table(language).items():
        words.add(form.lower())
        words.add(lemma.lower())
    return frozenset(words)


@lru_cache(maxsize=4)
def stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words of ``language`` and of English (news quotes English)."""
    from spacy.util import get_lang_class

    words: set[str] = set()
    for lang in {language, "en"}:
        try:
            words |= set(get_lang_class(lang).Defaults.stop_words)
        except (ImportError, KeyError):
            continue
    return frozenset(w.lower() for w in words)


def cue_lexicon_path(language: str) -> Path:
    """``resources/lexicons/cues_LANG.toml``."""
    return resource_path("lexicons", f"cues_{language}.toml")


def load_cue_toml(language: str) -> dict[str, dict[str, list[str]]]:
    """The raw lexicon: ``{CATEGORY: {"lemmas": [...], "phrases": [...], "forms": [...], "exclude": [...]}}``.

    Raises :class:`ResourceError` naming the file when it is malformed.
    """
    path = cue_lexicon_path(language)
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ResourceError(f"{path}: {exc}") from exc
    out: dict[str, dict[str, list[str]]] = {}
    for category, body in data.items():
        if category in ("language", "description"):
            continue
        if not isinstance(body, dict):
            raise ResourceError(f"{path}: [{category}] must be a table with lemmas/phrases/forms lists")
        for key, value in body.items():
            if key not in ("lemmas", "phrases", "forms", "exclude", "description"):
                raise ResourceError(
                    f"{path}: [{category}] has unknown key {key!r} (use lemmas, phrases, forms, exclude)"
                )
            if key != "description" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ResourceError(f"{path}: [{category}].{key} must be a list of strings")
        out[category] = {k: list(v) for k, v in body.items() if k != "description"}
    return out


#: Bump when the rules' code changes in a way that changes output.
RULES_VERSION = "1.0"


def suggester_version(model_origin: str = "", label_map: Mapping[str, str] | None = None) -> str:
    """The version string of the default suggester: rules version, annotator release,
    word-list hash, and with a model its ``NAME@VERSION`` and a hash of the label map
    (what :func:`annotator.nlp.pipeline.pipeline_version` reads off a loaded pipeline;
    computed here without spaCy so that ``suggest`` knows what is up to date before
    loading anything)."""
    from annotator import __version__

    parts = [f"rules-{RULES_VERSION}", f"annotator-{__version__}", resources_fingerprint()]
    if model_origin:
        parts.append(model_origin.removeprefix("model:"))
        joined = ",".join(f"{k}={v}" for k, v in sorted((label_map or {}).items()))
        parts.append(hashlib.sha256(joined.encode()).hexdigest()[:6])
    return "+".join(parts)


def model_folder_origin(model: str) -> str | None:
    """``model:NAME@VERSION`` of a model folder from its ``meta.json`` (as spaCy's
    ``nlp.meta`` gives it once loaded); None when ``model`` is not such a folder."""
    import json

    meta_path = Path(model) / "meta.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or "lang" not in meta:
        return None
    return f"model:{meta['lang']}_{meta.get('name', 'pipeline')}@{meta.get('version', '0.0.0')}"


def resources_fingerprint() -> str:
    """A short hash of every shipped list: part of the suggester version, so
    editing a list makes ``annotator suggest`` redo the documents."""
    h = hashlib.sha256()
    for name in GAZETTEER_FILES:
        p = resource_path("gazetteers", name)
        h.update(name.encode())
        h.update(p.read_bytes() if p.is_file() else b"-")
    for lang in CUE_LANGUAGES:
        p = cue_lexicon_path(lang)
        h.update(p.read_bytes() if p.is_file() else b"-")
    import babel

    h.update(babel.__version__.encode())
    return h.hexdigest()[:10]
