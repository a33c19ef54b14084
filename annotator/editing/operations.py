"""Operations: each applies one change to the store and the open document and
returns it together with its inverse.

``op.apply(editor)`` runs inside the caller's transaction and returns
:class:`Applied`: the :class:`Change` (what the views must redraw, whether the
status or the answers changed) and the operation that undoes it.  Applying the
inverse returns the operation that redoes it, and so on: an undo stack needs
nothing but the operation to apply next (``gui.session`` has one generic
``QUndoCommand``).  Inverses are computed when applied, from what is stored
then, which is why typing in a note can fold many writes into one undo step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Protocol, Sequence

from annotator.core.errors import NotFoundError
from annotator.core.kb import KBLink
from annotator.core.model import Span
from annotator.core.relations import Relation
from annotator.editing.items import REL, SPAN, SUGGESTION, Key, RelKey, SpanLike

if TYPE_CHECKING:
    from annotator.editing.editor import Editor


@dataclass
class Change:
    """What an operation changed on the open document."""

    removed: list[Key] = field(default_factory=list)
    added: list[tuple[Key, SpanLike]] = field(default_factory=list)
    #: the annotator's new state on the document, when it changed
    status: str | None = None
    #: the document answers changed
    answers: bool = False
    #: the span the operation made or changed (the one to select afterwards)
    made: Key | None = None
    #: relations (and suggested relations) added, changed or removed
    relations: list[RelKey] = field(default_factory=list)
    #: knowledge-base entries or links changed (the entity box and the browser redraw)
    kb: bool = False

    def extend(self, other: Change) -> Change:
        """Append ``other`` (keeps order: later changes win)."""
        self.removed.extend(other.removed)
        self.added.extend(other.added)
        self.status = other.status or self.status
        self.answers = self.answers or other.answers
        self.made = other.made or self.made
        self.relations.extend(other.relations)
        self.kb = self.kb or other.kb
        return self


class Applied(NamedTuple):
    """An operation's result: the change and the operation that reverts it."""

    change: Change
    inverse: Operation


class Operation(Protocol):
    """One undoable step; ``apply`` runs inside a store transaction."""

    def apply(self, editor: Editor) -> Applied:
        """Write the step to the store and the open document."""
        ...


@dataclass(frozen=True)
class Steps:
    """Several operations as one: applied in order, undone in reverse order."""

    ops: Sequence[Operation]

    def apply(self, editor: Editor) -> Applied:
        """Apply each step; the inverse undoes them last first."""
        change = Change()
        inverses: list[Operation] = []
        for op in self.ops:
            c, inv = op.apply(editor)
            change.extend(c)
            inverses.append(inv)
        return Applied(change, Steps(inverses[::-1]))


@dataclass(frozen=True)
class AddSpan:
    """Store a span for the annotator (again under ``logical``, its ``uid`` and with the
    ``relations`` and knowledge-base ``link`` it had, when re-doing or undoing a delete)."""

    span: SpanLike
    logical: int | None = None
    uid: str | None = None
    relations: tuple[Relation, ...] = ()
    link: KBLink | None = None

    def apply(self, editor: Editor) -> Applied:
        """Store the span; inverse: delete it."""
        doc = editor.doc
        assert doc.doc_id is not None
        change = editor.mark_started()
        span = self.span
        real = editor.project.add_span(doc.doc_id, span.with_(id=None, origin=span.origin or "human"),
                                       editor.annotator, uid=self.uid)
        logical = editor.aliases.bind(self.logical, real)
        stored = span.with_(id=real, annotator=editor.annotator, document_id=doc.doc_id)
        doc.spans[logical] = stored
        key = (SPAN, logical)
        change.extend(Change(added=[(key, stored)], made=key))
        for rel in self.relations:
            back = editor.project.restore_relation(rel)
            doc.relations[back.uid] = back
            change.relations.append((REL, back.uid))
        change.kb = _restore_link(editor, self.uid, self.link)
        return Applied(change, DeleteSpan(logical))


def _restore_link(editor: Editor, uid: str | None, link: KBLink | None) -> bool:
    """Link a span brought back under ``uid`` as it was; False when there is nothing to restore
    (an entry the linker has dropped since is not brought back: the span stays unlinked)."""
    if uid is None or link is None:
        return False
    try:
        editor.project.kb_put_link(uid, link)
    except NotFoundError:
        return False
    return True


@dataclass(frozen=True)
class DeleteSpan:
    """Delete one of the annotator's spans."""

    logical: int

    def apply(self, editor: Editor) -> Applied:
        """Delete the span (already gone is fine); inverse: store it again under the same logical id."""
        change = editor.mark_started()
        span = editor.doc.spans.pop(self.logical, None)
        real = editor.aliases.real(self.logical)
        uid: str | None = None
        rels: list[Relation] = []
        link: KBLink | None = None
        try:
            uid = editor.project.span_uid(real)
            rels = editor.project.relations_of_span(real)  # the store deletes them with the span
            link = editor.project.kb_link_by_uid(uid)  # the foreign key deletes it with the span
            gone: SpanLike = editor.project.delete_span(real)
        except NotFoundError:
            if span is None:
                return Applied(change, Steps(()))
            gone = span
        for rel in rels:
            editor.doc.relations.pop(rel.uid, None)
        inverse = AddSpan(span if span is not None else gone, self.logical, uid, tuple(rels), link)
        return Applied(change.extend(Change(removed=[(SPAN, self.logical)],
                                            relations=[(REL, r.uid) for r in rels], kb=link is not None)), inverse)


@dataclass(frozen=True)
class UpdateSpan:
    """Give a span new boundaries and label."""

    logical: int
    start: int
    end: int
    label: str

    def apply(self, editor: Editor) -> Applied:
        """Update the stored span; inverse: the extent and label it had."""
        change = editor.mark_started()
        before = editor.doc.spans.get(self.logical) or editor.project.get_span(editor.aliases.real(self.logical))
        new = editor.project.update_span(editor.aliases.real(self.logical), start=self.start, end=self.end,
                                         label=self.label)
        editor.doc.spans[self.logical] = new
        key = (SPAN, self.logical)
        inverse = UpdateSpan(self.logical, before.start, before.end, before.label)
        # its relations carry their ends' extents and labels: read them again so the list and the
        # schema check (Editor.relation_problem) see the span as it is now
        rels = editor.project.relations_of_span(editor.aliases.real(self.logical)) if editor.doc.relations else []
        for rel in rels:
            editor.doc.relations[rel.uid] = rel
        return Applied(change.extend(Change(added=[(key, new)], made=key, relations=[(REL, r.uid) for r in rels])),
                       inverse)


@dataclass(frozen=True)
class Accept:
    """Accept a suggestion: optionally as another ``label``, optionally resized to ``extent``."""

    suggestion_id: int
    label: str | None = None
    logical: int | None = None
    extent: tuple[int, int] | None = None
    uid: str | None = None
    link: KBLink | None = None

    def apply(self, editor: Editor) -> Applied:
        """Store the accepted span and the decision; inverse: :class:`Unaccept`."""
        doc = editor.doc
        change = editor.mark_started()
        real = editor.project.accept_suggestion(self.suggestion_id, editor.annotator, self.label, uid=self.uid)
        logical = editor.aliases.bind(self.logical, real)
        stored: Span = editor.project.get_span(real)
        if self.extent is not None:
            stored = editor.project.update_span(real, start=self.extent[0], end=self.extent[1])
        doc.spans[logical] = stored
        doc.suggestions.pop(self.suggestion_id, None)
        key = (SPAN, logical)
        change.extend(Change(removed=[(SUGGESTION, self.suggestion_id)], added=[(key, stored)], made=key))
        change.kb = _restore_link(editor, self.uid, self.link)
        return Applied(change, Unaccept(self.suggestion_id, logical, self.label, self.extent))


@dataclass(frozen=True)
class Unaccept:
    """Take an acceptance back: the span goes, the suggestion is pending again."""

    suggestion_id: int
    logical: int
    label: str | None = None
    extent: tuple[int, int] | None = None

    def apply(self, editor: Editor) -> Applied:
        """Delete the span and forget the decision; inverse: accept again the same way."""
        doc, project = editor.doc, editor.project
        rel_keys: list[RelKey] = []
        uid: str | None = None
        link: KBLink | None = None
        try:
            uid = project.span_uid(editor.aliases.real(self.logical))  # a redo stores it under the same uid
            link = project.kb_link_by_uid(uid)  # linked since: a redo links it again
            for rel in project.relations_of_span(editor.aliases.real(self.logical)):
                doc.relations.pop(rel.uid, None)
                rel_keys.append((REL, rel.uid))
            project.delete_span(editor.aliases.real(self.logical))
        except NotFoundError:
            pass
        project.undo_decision(self.suggestion_id, editor.annotator)
        doc.spans.pop(self.logical, None)
        change = Change(removed=[(SPAN, self.logical)], relations=rel_keys, kb=link is not None)
        inverse = Accept(self.suggestion_id, self.label, self.logical, self.extent, uid, link)
        try:
            sugg = project.get_suggestion(self.suggestion_id)
        except NotFoundError:  # a new suggester run replaced it: undo removes the span only
            return Applied(change, inverse)
        doc.suggestions[self.suggestion_id] = sugg
        change.added.append(((SUGGESTION, self.suggestion_id), sugg))
        return Applied(change, inverse)


@dataclass(frozen=True)
class Reject:
    """Reject a pending suggestion."""

    suggestion_id: int

    def apply(self, editor: Editor) -> Applied:
        """Record the rejection; inverse: :class:`Unreject`."""
        change = editor.mark_started()
        editor.project.reject_suggestion(self.suggestion_id, editor.annotator)
        editor.doc.suggestions.pop(self.suggestion_id, None)
        return Applied(change.extend(Change(removed=[(SUGGESTION, self.suggestion_id)])), Unreject(self.suggestion_id))


@dataclass(frozen=True)
class Unreject:
    """Take a rejection back: the suggestion is pending again."""

    suggestion_id: int

    def apply(self, editor: Editor) -> Applied:
        """Forget the decision; inverse: reject again."""
        editor.project.undo_decision(self.suggestion_id, editor.annotator)
        try:
            sugg = editor.project.get_suggestion(self.suggestion_id)
        except NotFoundError:  # replaced by a newer suggester run
            return Applied(Change(), Reject(self.suggestion_id))
        editor.doc.suggestions[self.suggestion_id] = sugg
        return Applied(Change(added=[((SUGGESTION, self.suggestion_id), sugg)]), Reject(self.suggestion_id))


@dataclass(frozen=True)
class SetAnswer:
    """Answer a document question, or with ``value`` None withdraw the answer."""

    question: str
    value: str | None
    target: str | None = None

    def apply(self, editor: Editor) -> Applied:
        """Write the answer; inverse: the answer stored before (or none)."""
        doc_id = editor.doc.doc_id
        assert doc_id is not None
        before = editor.answers().get(self.question)
        change = editor.mark_started()
        if self.value:
            editor.project.set_answer(doc_id, editor.annotator, self.question, self.value, self.target or None)
        else:
            editor.project.clear_answer(doc_id, editor.annotator, self.question)
        inverse = SetAnswer(self.question, before.value if before else None, before.target if before else None)
        return Applied(change.extend(Change(answers=True)), inverse)


@dataclass(frozen=True)
class SetStatus:
    """Set the annotator's state on the document (done, skipped, ...)."""

    state: str

    def apply(self, editor: Editor) -> Applied:
        """Write the state; inverse: the state before."""
        doc_id = editor.doc.doc_id
        assert doc_id is not None
        before = editor.project.status(doc_id, editor.annotator)
        editor.project.set_status(doc_id, editor.annotator, self.state)
        return Applied(Change(status=self.state), SetStatus(before))
