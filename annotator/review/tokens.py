"""Token boundaries for token-level agreement (pure Python, no spaCy).

Everything in :mod:`annotator.review` that needs tokens calls :func:`token_spans`
and nothing else, so the tokenizer can be switched in one place.  It uses the
project-wide ``annotator.core.tokens.token_spans`` (written to agree with
``spacy.blank("id")``) when that module exists, and otherwise a regular
expression that splits words, numbers (with inner ``.,`` as in ``1.500,5``),
and each other non-space character on its own.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

_TOKEN = re.compile(r"\w+(?:[.,'’\-]\w+)*|[^\w\s]", re.UNICODE)


def regex_token_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` code-point offsets of the tokens of ``text`` (fallback tokenizer)."""
    return [m.span() for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=1)
def _impl() -> Callable[[str], list[tuple[int, int]]]:
    try:
        from annotator.core.tokens import token_spans as core_token_spans  # type: ignore[import-not-found]
    except ImportError:
        return regex_token_spans
    return core_token_spans  # pragma: no cover - depends on the gui branch being merged


def token_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` code-point offsets of the tokens of ``text``."""
    return list(_impl()(text))
