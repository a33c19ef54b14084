"""Items and keys: what the editing layer (and every view) calls a span or a pending suggestion.

A key names an item across edits: ``("span", logical id)`` or
``("suggestion", suggestion id)``.  Span keys carry the *logical* id (see
:mod:`annotator.editing.aliases`), so a key stays valid when undo/redo stores
the span again under a new row id.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Protocol

from annotator.core.model import Span

#: ("span", logical span id) or ("suggestion", suggestion id)
Key = tuple[str, int]

SPAN = "span"
SUGGESTION = "suggestion"

#: ("relation", relation uid) or ("relation_suggestion", suggested relation id)
RelKey = tuple[str, str | int]

REL = "relation"
REL_SUGGESTION = "relation_suggestion"


class SpanLike(Protocol):
    """What the editing layer reads of a span or suggestion: a :class:`Span`,
    or a lighter row with the same field names (the GUI's tuned reads)."""

    @property
    def id(self) -> int | None: ...  # noqa: D102
    @property
    def start(self) -> int: ...  # noqa: D102
    @property
    def end(self) -> int: ...  # noqa: D102
    @property
    def label(self) -> str: ...  # noqa: D102
    @property
    def layer(self) -> str: ...  # noqa: D102
    @property
    def origin(self) -> str: ...  # noqa: D102
    @property
    def score(self) -> float | None: ...  # noqa: D102

    def with_(self, **changes: Any) -> Span: ...  # noqa: D102


class Item(NamedTuple):
    """One item of the open document: a human span of the annotator or a pending suggestion.

    Offsets in both systems: code points (``start``/``end``) and the UTF-16
    units Qt widgets use (``start16``/``end16``).  A NamedTuple, not a frozen
    dataclass: opening an article builds 20,000 of them and a tuple is five
    times cheaper to make.
    """

    key: Key
    start: int  # code points
    end: int
    start16: int  # UTF-16 units
    end16: int
    layer: str
    label: str
    origin: str
    score: float | None = None

    @property
    def kind(self) -> str:
        """``span`` or ``suggestion``."""
        return self.key[0]

    @property
    def is_suggestion(self) -> bool:
        """True for a machine suggestion not yet decided."""
        return self.key[0] == SUGGESTION


def make_item(key: Key, span: SpanLike, to_utf16: Callable[[int], int]) -> Item:
    """The :class:`Item` of ``span`` under ``key`` (``to_utf16`` converts offsets)."""
    return Item(key, span.start, span.end, to_utf16(span.start), to_utf16(span.end), span.layer, span.label,
                span.origin, span.score)
