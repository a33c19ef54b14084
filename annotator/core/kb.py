"""The project knowledge base as domain objects: entries and the links of entity
spans to them (docs/kb.md).  Plain frozen dataclasses: no SQL, no Qt, no spaCy."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

#: The labels an entry may carry (the ``entities`` layer of the news schema).
KB_LABELS = ("PER", "ORG", "LOC", "MISC")

#: What a link can be: proposed by the linker, confirmed by a person, or turned down
#: (a rejected link is kept so the linker never proposes the same entry again).
LINK_STATUSES = ("suggested", "accepted", "rejected")


@dataclass(frozen=True, slots=True)
class KBEntry:
    """A person, organisation, place or other named thing the project's articles mention.

    ``id`` is a readable, stable text id (``sergei-shoigu``) that goes out in every export
    format; ``external_ids`` holds ids a user already knows (``{"wikidata": "Q193213"}``):
    nothing is fetched from the network.  ``origin`` is ``user``, ``import`` or ``link``
    (made by the linker for a name not yet in the knowledge base).
    """

    id: str
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    external_ids: Mapping[str, str] = field(default_factory=dict)
    origin: str = "user"

    def names(self) -> tuple[str, ...]:
        """The name and every alias."""
        return (self.name, *self.aliases)

    def with_(self, **changes: Any) -> KBEntry:
        """A copy with some fields changed."""
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class KBMention:
    """One linked entity span: where it is, who marked it, and the state of its link."""

    span_id: int
    span_uid: str
    document_id: int
    start: int
    end: int
    label: str
    annotator: str
    text: str
    entry_id: str | None = None
    origin: str = ""
    score: float | None = None
    status: str = ""


@dataclass(frozen=True, slots=True)
class KBLink:
    """A span's link as stored (keyed by the span's uid): what an undo puts back."""

    entry_id: str
    origin: str = "human"
    score: float | None = None
    status: str = "accepted"


def slug(name: str) -> str:
    """A readable entry id from a name: ``Sergei Shoigu`` -> ``sergei-shoigu`` (ASCII, dashes)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "entry"
