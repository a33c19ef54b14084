"""The language of an imported article, when its input names none.

Detection uses py3langid (an offline character n-gram model shipped in the
wheel, ~2 MB; loaded once, ~2 s) on the first :data:`SAMPLE_CHARS` characters.
The tool has cue lexicons and rules for Indonesian and English, so the
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


def detect_language(text: str) -> str | None:
    """``"id"``, ``"en"`` or None (see the module docstring for the rules)."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.split()) < MIN_WORDS:
        return None
    language, confidence = _model().classify(sample)
    if confidence < MIN_CONFIDENCE:
        return None
    return _KNOWN.get(str(language))
