"""The language of an imported article, when its input names none.

Most articles are answered by counting function words (:func:`_clear_case`): in
their first :data:`QUICK_CHARS` characters, and when those are not clear, in the
first :data:`SAMPLE_CHARS`.  The rest go to py3langid (an offline character
n-gram model shipped in the wheel, ~2 MB; loaded once, ~2 s) on the first
:data:`SAMPLE_CHARS` characters.  Every document is looked at on its own (a file
of Indonesian articles may hold an English one).  The tool has cue lexicons and rules for Indonesian and English, so the
answer is one of those or nothing:

* ``id`` for Indonesian, and for Malay (the model confuses the two, and the
  Indonesian lexicon is the closer one);
* ``en`` for English;
* ``None`` (the project default, ``id``, stays) when the text is too short to
  tell (under :data:`MIN_WORDS` words), the model is unsure (below
  :data:`MIN_CONFIDENCE`), or the text is in another language.

``annotator import --language LANG`` names the language of every document
whose input does not, and skips detection.
"""

from __future__ import annotations

import threading
from typing import Any

#: Characters looked at (the start of an article says enough, and costs ~1 ms).
SAMPLE_CHARS = 2000
#: Fewer words than this: no guess.
MIN_WORDS = 8
#: Below this (normalised) probability: no guess.
MIN_CONFIDENCE = 0.8
#: Detected language -> the language the tool works in.
_KNOWN = {"id": "id", "ms": "id", "en": "en"}

_identifier: Any = None
_lock = threading.Lock()


def _model() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


#: Function words that are frequent in one of the two languages and rare in every other
#: (Malay shares the Indonesian ones, and Malay counts as Indonesian here).
_ID_WORDS = frozenset("yang dan di dengan untuk dari ini itu tidak dalam akan pada juga oleh ke karena "
                      "adalah bahwa telah sudah atau kata mereka kami saat".split())
_EN_WORDS = frozenset("the and of to in is that was for with on are as by this from have has were "
                      "been which said would their".split())
#: The same, as the bytes :func:`_words` returns.
_ID_BYTES = frozenset(w.encode() for w in _ID_WORDS)
_EN_BYTES = frozenset(w.encode() for w in _EN_WORDS)
#: The quick answer needs this many function words of one language, from at least
#: this many different ones, and none of the other's beyond :data:`_CLEAR_OTHER`.
_CLEAR_HITS = 12
_CLEAR_DISTINCT = 5
_CLEAR_OTHER = 1
_SHORT_HITS = 4
#: Characters the quick answer looks at first; only when they are not clear does it look at
#: all of :data:`SAMPLE_CHARS` (about 80 words already hold a dozen function words).
QUICK_CHARS = 600
#: ASCII letters stay, every other byte becomes a space (UTF-8 bytes of other characters too).
_LETTERS = bytes(b if 97 <= b <= 122 else 32 for b in range(256))


def _words(sample: str) -> list[bytes]:
    """The sample's lower-cased words as runs of ASCII letters.

    The function words are ASCII, so runs of ASCII letters find every one of them, also next to
    punctuation or a curly quote; this stays in C (a regex over the text cost twice as much, the
    largest single cost of importing a million short articles).  A word with letters beyond
    ASCII comes out in pieces, which only shifts the word count the thresholds scale with."""
    return sample.lower().encode("utf-8", "surrogatepass").translate(_LETTERS).split()


def _clear_case(sample: str) -> str | None:
    """``id`` or ``en`` when the sample's function words leave no doubt, else None.

    Most imported articles are plainly one of the two; a word count answers those
    in microseconds, where the n-gram model takes half a millisecond per article and
    half a second to load (a million-article import would spend minutes in it).
    Anything less clear-cut goes to the model.  Where the model is sure, both agree
    (tests: idner-news-2k, the benchmark corpus, English text); where it abstains on a
    plainly Indonesian article (one seed, at 0.74), this says ``id``, which is the
    project default such a document would have got anyway."""
    words = _words(sample)
    id_hits = sum(map(_ID_BYTES.__contains__, words))
    en_hits = sum(map(_EN_BYTES.__contains__, words))
    # a short article has fewer function words: one word in eight, at least four different ones
    hits = min(_CLEAR_HITS, max(_SHORT_HITS, len(words) // 8))
    distinct = min(_CLEAR_DISTINCT, hits)
    if id_hits >= hits and en_hits <= _CLEAR_OTHER and len(_ID_BYTES.intersection(words)) >= distinct:
        return "id"
    if en_hits >= hits and id_hits <= _CLEAR_OTHER and len(_EN_BYTES.intersection(words)) >= distinct:
        return "en"
    return None


def detect_language(text: str) -> str | None:
    """``"id"``, ``"en"`` or None (see the module docstring for the rules)."""
    if len(text) > QUICK_CHARS and (clear := _clear_case(text[:QUICK_CHARS])) is not None:
        return clear
    sample = text[:SAMPLE_CHARS]
    if len(sample.split(None, MIN_WORDS)) < MIN_WORDS:  # at most MIN_WORDS + 1 pieces: counts to MIN_WORDS
        return None
    clear = _clear_case(sample)
    if clear is not None:
        return clear
    return model_language(sample)


def model_language(sample: str) -> str | None:
    """The n-gram model's answer for ``sample`` (the rules of the module docstring)."""
    language, confidence = _model().classify(sample)
    if confidence < MIN_CONFIDENCE:
        return None
    return _KNOWN.get(str(language))


def detect_languages(texts: list[str | None]) -> list[str | None]:
    """:func:`detect_language` of each text (None stays None): one call per batch, for a
    worker process (:class:`annotator.formats.project_io.LanguageAhead`)."""
    return [None if text is None else detect_language(text) for text in texts]
