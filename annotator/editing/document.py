"""The open document as the editing layer holds it: text, the annotator's spans,
the pending suggestions and their reading order."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Iterable

from annotator.core.offsets import Utf16Map
from annotator.core.relations import Endpoint, Relation, SuggestedRelation
from annotator.editing.items import SPAN, SUGGESTION, Item, Key, SpanLike, make_item
from annotator.editing.order import ReadingOrder

if TYPE_CHECKING:
    from annotator.editing.operations import Change


class EditedDocument:
    """One annotator's view of one document, kept in step with the store by the operations.

    ``spans`` maps logical span ids to the spans as stored (carrying their real
    ids), ``suggestions`` maps suggestion ids to the suggestions still pending
    for the annotator.  ``doc_id`` is None for the empty document (nothing open).
    """

    def __init__(self, doc_id: int | None = None, text: str = "", spans: dict[int, SpanLike] | None = None,
                 suggestions: dict[int, SpanLike] | None = None, relations: dict[str, Relation] | None = None,
                 relation_suggestions: dict[int, SuggestedRelation] | None = None) -> None:
        self.doc_id = doc_id
        self.text = text
        self.map = Utf16Map(text)
        self.spans: dict[int, SpanLike] = spans or {}
        self.suggestions: dict[int, SpanLike] = suggestions or {}
        #: the annotator's relations by uid (endpoints: real span ids and uids)
        self.relations: dict[str, Relation] = relations or {}
        #: suggested relations pending for the annotator, by id (endpoints by position)
        self.relation_suggestions: dict[int, SuggestedRelation] = relation_suggestions or {}
        self.order = ReadingOrder(self._extents())

    def _extents(self) -> Iterable[tuple[Key, int, int]]:
        for k, s in self.spans.items():
            yield (SPAN, k), s.start, s.end
        for k, s in self.suggestions.items():
            yield (SUGGESTION, k), s.start, s.end

    # -- reading ------------------------------------------------------------------

    def get(self, key: Key) -> SpanLike | None:
        """The span or pending suggestion under ``key``."""
        return self.spans.get(key[1]) if key[0] == SPAN else self.suggestions.get(key[1])

    def item_for(self, key: Key) -> Item | None:
        """The item of a span or pending suggestion, None if there is none."""
        span = self.get(key)
        return None if span is None else make_item(key, span, self.map.to_utf16)

    def items(self) -> list[Item]:
        """Every item, in reading order."""
        to16 = self.map.to_utf16
        spans, suggs = self.spans, self.suggestions
        out = []
        for _start, _neg_end, rank, key in self.order:  # already in reading order
            s = spans[key[1]] if rank == 0 else suggs[key[1]]
            out.append(Item(key, s.start, s.end, to16(s.start), to16(s.end), s.layer, s.label, s.origin, s.score))
        return out

    def ordered_keys(self) -> list[Key]:
        """Keys in reading order (start, then longer first)."""
        return self.order.keys()

    def neighbour(self, key: Key) -> Key | None:
        """The item after ``key`` in reading order (before it at the end)."""
        return self.order.neighbour(key)

    def span_text(self, key: Key) -> str:
        """The covered text of an item ('' for an unknown key)."""
        s = self.get(key)
        return self.text[s.start : s.end] if s is not None else ""

    def short(self, start: int, end: int, n: int = 30) -> str:
        """``[start, end)`` on one line, cut to ``n`` characters: how undo texts quote the text."""
        s = self.text[start:end].replace("\n", " ")
        return s if len(s) <= n else s[: n - 1] + "…"

    def entity_texts(self, layer: str) -> list[str]:
        """The choices for a stance target: the distinct texts of ``layer``'s items (the annotator's
        spans and the pending suggestions), case variants as one ("Rusia", "RUSIA": the annotator's
        spelling, else the most frequent), texts with no letter left out, sorted ignoring case."""
        spellings: dict[str, Counter[str]] = {}
        own: dict[str, str] = {}
        text = self.text
        for start, neg_end, rank, key in self.order:
            s = self.get(key)
            if s is None or s.layer != layer:
                continue
            t = " ".join(text[start:-neg_end].split())
            if not any(ch.isalpha() for ch in t):
                continue
            fold = t.casefold()
            spellings.setdefault(fold, Counter())[t] += 1
            if rank == 0:
                own.setdefault(fold, t)
        def best(counts: Counter[str]) -> str:  # most frequent; on a tie a capitalised name ("Rusia")
            return max(counts, key=lambda t: (counts[t], t[:1].isupper() and not t.isupper()))

        chosen = [own.get(fold) or best(counts) for fold, counts in spellings.items()]
        return sorted(chosen, key=lambda t: (t.casefold(), t))

    def endpoint_key(self, end: Endpoint) -> Key | None:
        """The item at a suggested relation's endpoint: the annotator's span with that layer and
        extent (the same label first), else such a pending suggestion; None when there is neither."""
        found: list[tuple[int, Key]] = []
        for key in self.order.overlapping(end.start, end.end):
            s = self.get(key)
            if s is not None and (s.layer, s.start, s.end) == (end.layer, end.start, end.end):
                found.append(((0 if key[0] == SPAN else 2) + (0 if s.label == end.label else 1), key))
        return min(found)[1] if found else None

    # -- after an operation ----------------------------------------------------------

    def settle(self, change: Change) -> tuple[list[Key], list[Item]]:
        """Bring the reading order in step after ``change``; returns the keys that are
        gone and the items that are new or changed (each touched key once, as it ends up)."""
        touched = dict.fromkeys([*change.removed, *(key for key, _span in change.added)])
        removed: list[Key] = []
        added: list[Item] = []
        for key in touched:
            span = self.get(key)
            if span is None:
                self.order.remove(key)
                removed.append(key)
            else:
                self.order.add(key, span.start, span.end)
                added.append(make_item(key, span, self.map.to_utf16))
        return removed, added
