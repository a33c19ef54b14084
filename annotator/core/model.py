"""The domain objects: plain frozen dataclasses, no Qt, no spaCy, no SQL."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from annotator.core.offsets import validate_offsets

#: The reserved annotator name for the adjudicated version.
GOLD = "gold"

#: Document workflow states per annotator.
STATES = ("todo", "in_progress", "done", "skipped")

#: Layer used when an input names none.
DEFAULT_LAYER = "entities"


#: Documents longer than this many characters are "long": import warns about
#: them, suggest runs them in pieces, and the GUI may be slow to show them
#: (spaCy's own limit for one text is 1,000,000 characters).
LONG_DOCUMENT_CHARS = 1_000_000

#: Longest annotator name accepted (names become file names in exports).
MAX_NAME_LENGTH = 100


def annotator_name(name: str) -> str:
    """The one normal form of an annotator name: surrounding spaces removed,
    inner runs of white space made one space.  ``ValueError`` for an empty
    name, control characters or one over :data:`MAX_NAME_LENGTH` characters."""
    import unicodedata

    normal = " ".join(unicodedata.normalize("NFC", str(name)).split())
    if not normal:
        raise ValueError("an annotator needs a name (it is empty)")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in normal):
        raise ValueError(f"annotator name {normal!r} holds control or invisible characters")
    if len(normal) > MAX_NAME_LENGTH:
        raise ValueError(f"annotator name is {len(normal)} characters long (at most {MAX_NAME_LENGTH})")
    return normal


def content_hash(text: str) -> str:
    """The document identity: SHA-256 of its UTF-8 text (dedup on import, merge)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled stretch of a document: code-point offsets, end exclusive.

    The same type carries human spans and machine suggestions; ``origin``
    tells them apart (``human``, ``rule:NAME``, ``model:NAME@VERSION``).
    """

    start: int
    end: int
    label: str
    layer: str = DEFAULT_LAYER
    annotator: str | None = None
    origin: str = "human"
    score: float | None = None
    id: int | None = None
    document_id: int | None = None
    note: str | None = None
    #: the knowledge-base entry the span is linked to, where a format carries it (docs/kb.md)
    kb_id: str | None = None

    def text_in(self, text: str) -> str:
        """The covered text of ``text``."""
        return text[self.start : self.end]

    def validate(self, text: str) -> None:
        """Raise :class:`~annotator.core.errors.OffsetError` if it does not fit ``text``."""
        validate_offsets(text, self.start, self.end)

    @property
    def key(self) -> tuple[str, int, int, str]:
        """Identity for comparison and agreement: (layer, start, end, label)."""
        return (self.layer, self.start, self.end, self.label)

    def overlaps(self, other: Span) -> bool:
        """True when the two spans share at least one character."""
        return self.start < other.end and other.start < self.end

    def with_(self, **changes: Any) -> Span:
        """A copy with some fields changed."""
        return replace(self, **changes)


class _UnnamedLanguage(str):
    """The default language ``"id"`` as a distinct object: equal to "id" everywhere,
    but an import can tell a document whose input named no language (detect it)
    from one that said "id" (keep it).  See :func:`language_named`."""

    __slots__ = ()


#: A :class:`Document`'s language when its input named none (it reads as "id").
UNNAMED_LANGUAGE: str = _UnnamedLanguage("id")


def language_named(doc: Document) -> bool:
    """True when the document's language came from its input, not the default."""
    return not isinstance(doc.language, _UnnamedLanguage)


@dataclass(frozen=True, slots=True)
class Document:
    """An article.  ``text`` is what annotations refer to (after cleaning)."""

    text: str
    title: str = ""
    source: str = ""
    url: str = ""
    published: str = ""
    language: str = UNNAMED_LANGUAGE
    meta: Mapping[str, Any] = field(default_factory=dict)
    id: int | None = None
    original_text: str | None = None
    removed_lines: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        """See :func:`content_hash`."""
        return content_hash(self.text)


@dataclass(frozen=True, slots=True)
class Answer:
    """An annotator's answer to a question about the whole document (e.g. ``stance``).

    The vocabulary (docs/architecture.md, "Words"): the schema asks *questions*, an
    annotator gives *answers*; a *label* is only a span's category.  The table is
    still called ``doc_labels`` and the file formats keep their own field names.
    """

    question: str
    value: str
    annotator: str | None = None
    target: str | None = None
    document_id: int | None = None


@dataclass(frozen=True, slots=True)
class AnswerSuggestion:
    """A suggester's answer to a document question (a trained text classifier's stance):
    ``value`` with probability ``score``, every value's in ``scores``.  Never an annotator's
    answer until one confirms it."""

    question: str
    value: str
    score: float
    origin: str
    scores: dict[str, float] = field(default_factory=dict)
    suggester: str = ""
    document_id: int | None = None



@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A light row for lists: no text, so 100,000 of them stay cheap."""

    id: int
    title: str
    source: str
    published: str
    length: int
    state: str = "todo"
    n_spans: int = 0
    n_suggestions: int = 0
