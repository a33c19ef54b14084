"""What one adjudication step changed in gold (:class:`GoldChange`, enough to undo it)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotator.core.model import GOLD, Span
from annotator.core.relations import Relation

if TYPE_CHECKING:
    from annotator.store import Project


@dataclass
class GoldChange:
    """What one adjudication step changed in gold (enough to undo it)."""

    added: list[int] = field(default_factory=list)
    removed: list[Span] = field(default_factory=list)
    answers_before: dict[str, tuple[str, str | None] | None] = field(default_factory=dict)
    #: gold relations added (uids) and removed (as they were: a removed span takes its relations)
    relations_added: list[str] = field(default_factory=list)
    relations_removed: list[Relation] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing changed."""
        return not (self.added or self.removed or self.answers_before or self.relations_added
                    or self.relations_removed)

    def extend(self, other: GoldChange) -> GoldChange:
        """Add ``other``'s changes (made after these) to this one; returns self."""
        self.added += other.added
        self.removed += other.removed
        for q, before in other.answers_before.items():
            self.answers_before.setdefault(q, before)
        self.relations_added += other.relations_added
        self.relations_removed += other.relations_removed
        return self


def drop_gold_span(project: Project, span_id: int, change: GoldChange) -> None:
    """Delete a gold span, recording it and the relations that go with it in ``change``."""
    change.relations_removed += project.relations_of_span(span_id)
    change.removed.append(project.delete_span(span_id))


class GoldSpans:
    """Gold's spans on one document (one layer, or all), read once; :meth:`put` and
    :meth:`drop` write through it and keep what it holds current, so a step that places
    many spans (the ends of every agreed relation) reads gold once, not once per span."""

    def __init__(self, project: Project, document_id: int, gold: str = GOLD, layer: str | None = None) -> None:
        self.project = project
        self.document_id = document_id
        self.gold = gold
        #: (layer, start, end, label) -> the gold span (the first by position when gold has two)
        self._by_key: dict[tuple[str, int, int, str], Span] = {}
        #: per layer, the spans ordered by start, their starts, and the longest one's length:
        #: the spans overlapping a stretch are found by bisecting, not by a scan per put
        self._layers: dict[str, tuple[list[Span], list[int], list[int]]] = {}
        for s in project.spans(document_id, gold, layer):
            self._hold(s)

    def _hold(self, span: Span) -> None:
        self._by_key.setdefault(span.key, span)
        spans, starts, longest = self._layers.setdefault(span.layer, ([], [], [0]))
        i = bisect.bisect_right(starts, span.start)
        starts.insert(i, span.start)
        spans.insert(i, span)
        longest[0] = max(longest[0], span.end - span.start)

    def find(self, layer: str, start: int, end: int, label: str) -> Span | None:
        """Gold's span with these offsets and label in ``layer``, if any."""
        return self._by_key.get((layer, start, end, label))

    def overlapping(self, span: Span) -> list[Span]:
        """Gold's spans in ``span``'s layer that share a character with it, by position."""
        spans, starts, longest = self._layers.get(span.layer, ([], [], [0]))
        lo = bisect.bisect_right(starts, span.start - longest[0])
        hi = bisect.bisect_left(starts, span.end)
        return [g for g in spans[lo:hi] if g.overlaps(span)]

    def put(self, span: Span, change: GoldChange, *, replace: bool = True) -> int | None:
        """Put ``span`` (its note and origin as given) into gold; returns the gold span's id.

        A gold span with the same layer, offsets and label is kept as it is (nothing is
        recorded).  In a layer without overlaps, gold spans that overlap ``span`` otherwise
        are the reviewer's earlier choice: with ``replace`` (the reviewer chose this one) they
        go first, with their relations, recorded in ``change``; without it nothing is stored
        and the result is None."""
        same = self.find(span.layer, span.start, span.end, span.label)
        if same is not None:
            return same.id
        if not self.project.schema.layer(span.layer).allow_overlap:
            clash = self.overlapping(span)
            if clash and not replace:
                return None
            for g in clash:
                self.drop(g, change)
        [sid] = self.project.add_spans(self.document_id, [span], self.gold)
        change.added.append(sid)
        self._hold(span.with_(id=sid, document_id=self.document_id, annotator=self.gold))
        return sid

    def drop(self, span: Span, change: GoldChange) -> None:
        """Delete a gold span held here (with its relations), recording it in ``change``."""
        assert span.id is not None
        drop_gold_span(self.project, span.id, change)
        spans, starts, _ = self._layers[span.layer]
        i = next(i for i, g in enumerate(spans) if g.id == span.id)
        del spans[i], starts[i]
        if self._by_key.get(span.key) is span:
            del self._by_key[span.key]
            other = next((g for g in spans if g.key == span.key), None)  # gold had it twice
            if other is not None:
                self._by_key[span.key] = other
