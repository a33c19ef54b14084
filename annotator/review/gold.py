"""What one adjudication step changed in gold (:class:`GoldChange`, enough to undo it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotator.core.model import Span
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
