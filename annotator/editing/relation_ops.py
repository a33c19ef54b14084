"""Relation operations: each returns its change and the operation that reverts it
(see :mod:`annotator.editing.operations`).

Relations are named by uid, which the store keeps across undo and redo (a
deleted relation comes back under the same uid, between the spans that carry
its endpoints' uids), so no alias table is needed for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotator.core.errors import NotFoundError
from annotator.core.relations import Endpoint, Relation
from annotator.editing.items import REL, REL_SUGGESTION
from annotator.editing.operations import Applied, Change

if TYPE_CHECKING:
    from annotator.editing.editor import Editor


@dataclass(frozen=True)
class AddRelation:
    """Relate two of the annotator's spans with ``label``.  An end is a logical span id, or
    an :class:`Endpoint` naming the span by position (a suggestion accepted in an earlier step
    of the same edit, whose id is not known when the edit is planned)."""

    head: int | Endpoint
    child: int | Endpoint
    label: str

    def _real(self, editor: Editor, end: int | Endpoint) -> int:
        if isinstance(end, Endpoint):
            # the reading order is settled after the whole edit: look in the spans themselves
            found = [k for k, s in editor.doc.spans.items() if (s.layer, s.start, s.end) == (end.layer, end.start,
                                                                                          end.end)]
            if not found:
                raise NotFoundError(f"no span at {end.start}-{end.end} to relate")
            end = found[0]
        return editor.aliases.real(end)

    def apply(self, editor: Editor) -> Applied:
        """Store the relation; inverse: delete it."""
        change = editor.mark_started()
        rel = editor.project.add_relation(self._real(editor, self.head), self._real(editor, self.child), self.label)
        editor.doc.relations[rel.uid] = rel
        change.relations.append((REL, rel.uid))
        return Applied(change, DeleteRelation(rel.uid))


@dataclass(frozen=True)
class RestoreRelation:
    """Store again a deleted relation under its uid."""

    relation: Relation

    def apply(self, editor: Editor) -> Applied:
        """Store it; inverse: delete it."""
        change = editor.mark_started()
        rel = editor.project.restore_relation(self.relation)
        editor.doc.relations[rel.uid] = rel
        change.relations.append((REL, rel.uid))
        return Applied(change, DeleteRelation(rel.uid))


@dataclass(frozen=True)
class DeleteRelation:
    """Delete one of the annotator's relations."""

    uid: str

    def apply(self, editor: Editor) -> Applied:
        """Delete it; inverse: :class:`RestoreRelation`."""
        change = editor.mark_started()
        old = editor.project.delete_relation(self.uid)
        editor.doc.relations.pop(self.uid, None)
        change.relations.append((REL, self.uid))
        return Applied(change, RestoreRelation(old))


@dataclass(frozen=True)
class RelabelRelation:
    """Give a relation another label."""

    uid: str
    label: str

    def apply(self, editor: Editor) -> Applied:
        """Relabel it; inverse: the label it had."""
        change = editor.mark_started()
        before = editor.project.get_relation(self.uid).label
        rel = editor.project.relabel_relation(self.uid, self.label)
        editor.doc.relations[self.uid] = rel
        change.relations.append((REL, self.uid))
        return Applied(change, RelabelRelation(self.uid, before))


@dataclass(frozen=True)
class AcceptRelation:
    """Accept a suggested relation (its endpoints are the annotator's spans by then: the plan
    accepts or adds them in earlier steps)."""

    suggestion_id: int
    label: str | None = None

    def apply(self, editor: Editor) -> Applied:
        """Store the relation and the decision; inverse: :class:`UnacceptRelation`."""
        change = editor.mark_started()
        rel = editor.project.accept_relation_suggestion(self.suggestion_id, editor.annotator, self.label)
        editor.doc.relations[rel.uid] = rel
        editor.doc.relation_suggestions.pop(self.suggestion_id, None)
        change.relations.extend([(REL_SUGGESTION, self.suggestion_id), (REL, rel.uid)])
        return Applied(change, UnacceptRelation(self.suggestion_id, rel.uid, self.label))


@dataclass(frozen=True)
class UnacceptRelation:
    """Take an acceptance back: the relation goes, the suggestion is pending again."""

    suggestion_id: int
    uid: str
    label: str | None = None

    def apply(self, editor: Editor) -> Applied:
        """Forget the decision (the store deletes the relation); inverse: accept again."""
        editor.project.undo_relation_decision(self.suggestion_id, editor.annotator)
        editor.doc.relations.pop(self.uid, None)
        change = Change(relations=[(REL, self.uid)])
        _pending_again(editor, self.suggestion_id, change)
        return Applied(change, AcceptRelation(self.suggestion_id, self.label))


@dataclass(frozen=True)
class RejectRelation:
    """Reject a suggested relation."""

    suggestion_id: int

    def apply(self, editor: Editor) -> Applied:
        """Record the rejection; inverse: :class:`UnrejectRelation`."""
        change = editor.mark_started()
        editor.project.reject_relation_suggestion(self.suggestion_id, editor.annotator)
        editor.doc.relation_suggestions.pop(self.suggestion_id, None)
        change.relations.append((REL_SUGGESTION, self.suggestion_id))
        return Applied(change, UnrejectRelation(self.suggestion_id))


@dataclass(frozen=True)
class UnrejectRelation:
    """Take a rejection back."""

    suggestion_id: int

    def apply(self, editor: Editor) -> Applied:
        """Forget the decision; inverse: reject again."""
        editor.project.undo_relation_decision(self.suggestion_id, editor.annotator)
        change = Change()
        _pending_again(editor, self.suggestion_id, change)
        return Applied(change, RejectRelation(self.suggestion_id))


def _pending_again(editor: Editor, suggestion_id: int, change: Change) -> None:
    try:  # a newer suggester run may have replaced it
        editor.doc.relation_suggestions[suggestion_id] = editor.project.get_relation_suggestion(suggestion_id)
    except NotFoundError:
        return
    change.relations.append((REL_SUGGESTION, suggestion_id))
