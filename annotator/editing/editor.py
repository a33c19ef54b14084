"""The editor: one annotator's edits on a project, without Qt.

Each ``plan_*`` method checks an edit against the rules and returns either an
:class:`Edit` (an undo text and the :mod:`operation <annotator.editing.operations>`
that does it) or a :class:`NoEdit` (why nothing is to be done, and what to
select instead).  :meth:`Editor.apply` then runs an operation in one store
transaction and brings the open document in step.  The GUI's session is a thin
adapter: it pushes the edit on a ``QUndoStack`` and publishes the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from annotator.core.errors import SchemaError
from annotator.core.model import Answer, Span
from annotator.core.relations import Endpoint, Relation
from annotator.core.tokens import snap_to_tokens, step_boundary
from annotator.editing import rules
from annotator.editing.aliases import IdAliases
from annotator.editing.document import EditedDocument
from annotator.editing.items import REL, REL_SUGGESTION, SPAN, SUGGESTION, Item, Key, RelKey, SpanLike
from annotator.editing.operations import (
    Accept,
    AddSpan,
    Applied,
    Change,
    DeleteSpan,
    Operation,
    Reject,
    SetAnswer,
    SetStatus,
    Steps,
    UpdateSpan,
)
from annotator.editing.relation_ops import AcceptRelation, AddRelation, DeleteRelation, RejectRelation, RelabelRelation
from annotator.store import Project

#: Reads a document's items for an annotator: (their spans, the suggestions pending for them).
Loader = Callable[[Project, int, str], tuple[Iterable[SpanLike], Iterable[SpanLike]]]


def store_loader(project: Project, doc_id: int, annotator: str) -> tuple[list[Span], list[Span]]:
    """The default :data:`Loader`: the store's general queries."""
    return project.spans(doc_id, annotator), project.suggestions(doc_id, pending_for=annotator)


@dataclass(frozen=True)
class Edit:
    """An edit ready to apply: the undo text, the operation, and for the undo stack a merge key
    (edits with the same key on the same document fold into one undo step)."""

    text: str
    op: Operation
    merge: str | None = None
    #: what to tell the annotator once it is applied
    done: str | None = None
    #: how many items it decides (accept all)
    count: int = 0


@dataclass(frozen=True)
class NoEdit:
    """Nothing to apply: ``message`` says why (None: nothing worth saying); ``result``
    is the key the caller returns, selected first when ``select``."""

    message: str | None = None
    result: Key | None = None
    select: bool = False


Plan = Edit | NoEdit


class Editor:
    """The editing domain for one annotator on a project: the open document, id aliases, the rules."""

    def __init__(self, project: Project, annotator: str, loader: Loader = store_loader) -> None:
        self.project = project
        self.annotator = annotator
        self.schema = project.schema
        self.aliases = IdAliases()
        self.doc = EditedDocument()
        self._loader = loader

    # -- documents ---------------------------------------------------------------

    def open(self, doc_id: int) -> EditedDocument:
        """Read ``doc_id``'s text and items; it becomes the open document."""
        text = self.project.get_text(doc_id)
        self.doc = self._read(doc_id, text)
        return self.doc

    def close(self) -> None:
        """Nothing open afterwards (the empty document)."""
        self.doc = EditedDocument()

    def reload(self) -> EditedDocument:
        """Read the open document's items again (after a failed write, or a change from elsewhere)."""
        if self.doc.doc_id is not None:
            self.doc = self._read(self.doc.doc_id, self.doc.text)
        return self.doc

    def _read(self, doc_id: int, text: str) -> EditedDocument:
        spans, suggestions = self._loader(self.project, doc_id, self.annotator)
        logical = self.aliases.logical
        rels = {r.uid: r for r in self.project.relations(doc_id, self.annotator)}
        pending = {r.id: r for r in self.project.relation_suggestions(doc_id, pending_for=self.annotator)
                   if r.id is not None}
        return EditedDocument(doc_id, text, {logical(s.id): s for s in spans if s.id is not None},
                              {g.id: g for g in suggestions if g.id is not None}, rels, pending)

    def apply(self, op: Operation) -> tuple[Applied, list[Key], list[Item]]:
        """Run ``op`` in one store transaction; returns what it did with its inverse, and the
        keys removed and items added or changed for the views.  On an error the store has
        rolled back and the open document may be stale: :meth:`reload` it."""
        with self.project.transaction():
            applied = op.apply(self)
        removed, added = self.doc.settle(applied.change)
        return applied, removed, added

    def mark_started(self) -> Change:
        """The first change on a document moves it from todo to in progress."""
        doc_id = self.doc.doc_id
        assert doc_id is not None
        if self.project.status(doc_id, self.annotator) == "todo":
            self.project.set_status(doc_id, self.annotator, "in_progress")
            return Change(status="in_progress")
        return Change()

    def answers(self) -> dict[str, Answer]:
        """The annotator's answers on the open document by question."""
        if self.doc.doc_id is None:
            return {}
        return {d.question: d for d in self.project.answers(self.doc.doc_id, self.annotator)}

    def status(self) -> str:
        """The annotator's state on the open document."""
        return self.project.status(self.doc.doc_id, self.annotator) if self.doc.doc_id is not None else "todo"

    def record_time(self, seconds: float) -> None:
        """Add ``seconds`` spent on the open document to its status (not an undoable edit)."""
        if self.doc.doc_id is not None:
            state = self.project.status(self.doc.doc_id, self.annotator)
            self.project.set_status(self.doc.doc_id, self.annotator, state, add_seconds=round(seconds, 1))

    # -- planning span edits --------------------------------------------------------

    def _overlap(self, layer: str, start: int, end: int, ignore: int | None = None) -> NoEdit | None:
        found = rules.conflicts(self.doc, self.schema, layer, start, end, ignore)
        return NoEdit(rules.overlap_refusal(self.doc, layer, found[0])) if found else None

    def _suggestions_over(self, layer: str, start: int, end: int, ignore: int | None = None) -> list[Operation]:
        """Rejections of the pending suggestions a span over ``[start, end)`` decides."""
        return [Reject(g) for g in rules.overlapping(self.doc, self.schema, SUGGESTION, layer, start, end, ignore)]

    def plan_create(self, start: int, end: int, label: str, layer: str, *, exact: bool = False) -> Plan:
        """A span of ``label`` over ``[start, end)``, snapped to whole tokens unless ``exact``.

        A pending suggestion with the same extent and label is accepted instead
        (keeping its origin); pending suggestions it overlaps in a layer without
        overlaps are rejected in the same step.
        """
        doc = self.doc
        self.schema.check_span(layer, label)
        if not exact:
            snapped = snap_to_tokens(doc.text, start, end)
            if snapped is None:
                return NoEdit("Nothing to annotate there (only spaces)")
            start, end = snapped
        else:
            start, end = max(0, start), min(len(doc.text), end)
            if end <= start:
                return NoEdit()
        for key in doc.order.overlapping(start, end):
            s = doc.get(key)
            if s is None or (s.layer, s.start, s.end, s.label) != (layer, start, end, label):
                continue
            if key[0] == SPAN:
                return NoEdit("That span is already there", key, select=True)
            return self.plan_accept(key)
        refused = self._overlap(layer, start, end)
        if refused:
            return refused
        span = Span(start=start, end=end, label=label, layer=layer, origin="human")
        return Edit(f"Add {label} “{doc.short(start, end)}”",
                    Steps([*self._suggestions_over(layer, start, end), AddSpan(span)]))

    def plan_accept(self, key: Key, label: str | None = None) -> Plan:
        """Accept a suggestion (optionally as another label of its layer)."""
        sugg = self.doc.suggestions.get(key[1]) if key[0] == SUGGESTION else None
        if sugg is None:
            return NoEdit(result=key if key[0] == SPAN else None)
        label = label or sugg.label
        self.schema.check_span(sugg.layer, label)
        refused = self._overlap(sugg.layer, sugg.start, sugg.end)
        if refused:
            return refused
        verb = "Accept" if label == sugg.label else f"Accept as {label}"
        accept = Accept(key[1], None if label == sugg.label else label)
        return Edit(f"{verb} “{self.doc.short(sugg.start, sugg.end)}”",
                    Steps([*self._suggestions_over(sugg.layer, sugg.start, sugg.end, ignore=key[1]), accept]))

    def plan_accept_all(self, label: str | None = None, layer: str | None = None) -> Plan:
        """Accept every pending suggestion (of ``label``/``layer`` when given) in one step,
        leaving those that would overlap (see :func:`rules.accept_all_selection`)."""
        chosen, left = rules.accept_all_selection(self.doc, self.schema, label, layer)
        if not chosen:
            return NoEdit("No suggestions to accept" + (f" ({left} overlap a span)" if left else ""))
        what = f"{label} suggestions" if label else "suggestions"
        return Edit(f"Accept {len(chosen)} {what}", Steps([Accept(sid) for sid in chosen]),
                    done=f"Accepted {len(chosen)} {what}" + (f"; {left} overlapping left pending" if left else ""),
                    count=len(chosen))

    def plan_reject(self, key: Key) -> Plan:
        """Reject a suggestion, or delete a span."""
        if key[0] == SUGGESTION and key[1] in self.doc.suggestions:
            return Edit(f"Reject “{self.doc.span_text(key)[:30]}”", Reject(key[1]))
        if key[0] == SPAN and key[1] in self.doc.spans:
            return self.plan_delete(key[1])
        return NoEdit()

    def plan_delete(self, logical: int) -> Plan:
        """Delete one of the annotator's spans."""
        span = self.doc.spans.get(logical)
        if span is None:
            return NoEdit()
        return Edit(f"Delete {span.label} “{self.doc.short(span.start, span.end)}”", DeleteSpan(logical))

    def plan_relabel(self, key: Key, label: str) -> Plan:
        """Another label of its layer for a span; a suggestion is accepted with it."""
        if key[0] == SUGGESTION:
            return self.plan_accept(key, label)
        span = self.doc.spans.get(key[1])
        if span is None:
            return NoEdit()
        self.schema.check_span(span.layer, label)
        if span.label == label:
            return NoEdit(result=key)
        broken = [p for p in (self.relation_problem(r, {key[1]: label}) for r in self.relations_of(key[1])) if p]
        done = None
        if broken:  # never kept silently, never dropped silently: told, marked, offered to delete
            done = (f"{len(broken)} relation(s) no longer fit: {broken[0]}. They are marked ⚠ in the relation "
                    "list: select one and press Delete, or Edit > Relations > Delete relations that no longer "
                    "fit; Ctrl+Z undoes the relabelling")
        return Edit(f"Relabel “{self.doc.short(span.start, span.end)}” {span.label} → {label}",
                    UpdateSpan(key[1], span.start, span.end, label), done=done)

    def relations_of(self, logical: int) -> list[Relation]:
        """The annotator's relations with span ``logical`` at either end."""
        real = self.aliases.real(logical)
        return [r for r in self.doc.relations.values() if real in (r.head, r.child)]

    def relation_problem(self, rel: Relation, relabelled: dict[int, str] | None = None) -> str | None:
        """Why a stored relation does not fit the schema with its ends' labels as they are
        (``relabelled``: logical span id -> a label it is about to get); None when it fits."""
        ends = []
        for real, end in ((rel.head, rel.head_end), (rel.child, rel.child_end)):
            logical = self.aliases.logical(real)
            span = self.doc.spans.get(logical)
            layer = span.layer if span is not None else (end.layer if end else "")
            label = span.label if span is not None else (end.label if end else "")
            ends.append((layer, (relabelled or {}).get(logical, label)))
        try:
            self.schema.relation(rel.label).check(ends[0], ends[1])
        except SchemaError as exc:
            return exc.detail
        return None

    def invalid_relations(self) -> dict[str, str]:
        """``{uid: why}`` of the open document's relations that no longer fit the schema."""
        out = {}
        for uid, rel in self.doc.relations.items():
            why = self.relation_problem(rel)
            if why:
                out[uid] = why
        return out

    def plan_delete_invalid_relations(self) -> Plan:
        """Delete every relation of the open document that no longer fits the schema (one step)."""
        bad = self.invalid_relations()
        if not bad:
            return NoEdit("Every relation fits the schema")
        return Edit(f"Delete {len(bad)} relation(s) that no longer fit", Steps([DeleteRelation(u) for u in bad]))

    def boundary_step(self, key: Key, which: str, direction: int, *, exact: bool = False) -> tuple[int, int] | None:
        """The extent of ``key`` with its ``which`` boundary ("start"/"end") moved by one token
        (one character when ``exact``) in ``direction``; never empty."""
        s = self.doc.get(key)
        if s is None:
            return None
        if not exact:
            return step_boundary(self.doc.text, s.start, s.end, which, direction)
        start, end = s.start, s.end
        if which == "start":
            start = min(max(0, start + direction), end - 1)
        else:
            end = max(min(len(self.doc.text), end + direction), start + 1)
        return start, end

    def plan_extent(self, key: Key, start: int, end: int) -> Plan:
        """New boundaries for an item (a suggestion is accepted, then resized).  Pending
        suggestions the new extent newly covers are rejected with it."""
        doc = self.doc
        s = doc.get(key)
        if s is None:
            return NoEdit()
        start, end = max(0, start), min(len(doc.text), end)
        if end <= start or (start, end) == (s.start, s.end):
            return NoEdit(result=key)
        refused = self._overlap(s.layer, start, end, ignore=key[1] if key[0] == SPAN else None)
        if refused:
            return refused
        if key[0] == SPAN:
            already = set(rules.overlapping(doc, self.schema, SUGGESTION, s.layer, s.start, s.end))
            covered: list[Operation] = [Reject(g) for g in rules.overlapping(doc, self.schema, SUGGESTION, s.layer,
                                                                             start, end) if g not in already]
            return Edit(f"Resize {s.label} to “{doc.short(start, end)}”",
                        Steps([*covered, UpdateSpan(key[1], start, end, s.label)]))
        return Edit(f"Accept and resize “{doc.short(start, end)}”",
                    Steps([*self._suggestions_over(s.layer, start, end, ignore=key[1]),
                           Accept(key[1], extent=(start, end))]))

    # -- planning document edits -------------------------------------------------------

    def plan_answer(self, question: str, value: str | None, target: str | None = None) -> Plan:
        """Answer (or with ``value`` None or empty, withdraw) a document question."""
        before = self.answers().get(question)
        if value:
            self.schema.check_answer(question, value)
        if before is None and not value:
            return NoEdit()
        if before is not None and before.value == value and (before.target or None) == (target or None):
            return NoEdit()
        shown = (value or "")[:30] + (f" → {target}" if target else "")
        return Edit(f"Set {question}: {shown}" if value else f"Clear {question}",
                    SetAnswer(question, value or None, target or None),
                    merge=f"answer:{question}" if self.schema.question(question).free_text else None)

    def plan_status(self, state: str) -> Plan:
        """Mark the open document done, skipped, in progress or todo."""
        if self.status() == state:
            return NoEdit()
        return Edit(f"Mark {state.replace('_', ' ')}", SetStatus(state))

    # -- planning relation edits ----------------------------------------------------------

    def relation_refusal(self, label: str, end: str, key: Key) -> str | None:
        """Why the item ``key`` cannot be the ``end`` ("head" or "child") of a ``label`` relation
        (None: it can)."""
        s = self.doc.get(key)
        if s is None:
            return "Select a span first"
        rt = self.schema.relation(label)
        if rt.allows(end, s.layer, s.label):
            return None
        want = rt.head if end == "head" else rt.child
        shown = "; ".join(f"{lay} {'/'.join(labs) or 'any'}" for lay, labs in want.items())
        return f"A {label} {end} is a {shown} span, not {s.layer} {s.label}"

    def relation_end(self, key: Key) -> int | Endpoint:
        """How an edit names the item ``key`` as a relation end (a span's logical id, a suggestion's position)."""
        s = self.doc.get(key)
        assert s is not None
        return key[1] if key[0] == SPAN else Endpoint(s.layer, s.start, s.end, s.label)

    def _accept_ends(self, keys: list[Key]) -> list[Operation] | NoEdit:
        """Accept steps for the endpoints that are still suggestions (the overlap rule applies)."""
        steps: list[Operation] = []
        for key in keys:
            if key[0] == SUGGESTION:
                plan = self.plan_accept(key)
                if isinstance(plan, NoEdit):
                    return plan
                steps.append(plan.op)
        return steps

    def plan_relate(self, head: Key, child: Key, label: str) -> Plan:
        """Relate ``head`` to ``child`` with ``label``; a suggestion at either end is accepted in the same step."""
        if head == child:
            return NoEdit("A relation joins two different spans")
        for end, key in (("head", head), ("child", child)):
            refused = self.relation_refusal(label, end, key)
            if refused:
                return NoEdit(refused)
        h, c = self.doc.get(head), self.doc.get(child)
        assert h is not None and c is not None
        for r in self.doc.relations.values():
            if r.label == label and r.head_end is not None and r.child_end is not None and \
                    (r.head_end.start, r.head_end.end, r.child_end.start, r.child_end.end) == (h.start, h.end, c.start, c.end):
                return NoEdit(f"That {label} relation is already there")
        steps = self._accept_ends([head, child])
        if isinstance(steps, NoEdit):
            return steps
        op = AddRelation(self.relation_end(head), self.relation_end(child), label)
        return Edit(f"{label}: “{self.doc.short(h.start, h.end, 20)}” → “{self.doc.short(c.start, c.end, 20)}”",
                    Steps([*steps, op]))

    def plan_relabel_relation(self, key: RelKey, label: str) -> Plan:
        """Another label for a relation (a suggested one is accepted with it)."""
        if key[0] == REL_SUGGESTION:
            return self.plan_accept_relation(key, label)
        rel = self.doc.relations.get(str(key[1]))
        if rel is None or rel.label == label:
            return NoEdit()
        assert rel.head_end is not None and rel.child_end is not None
        try:
            self.schema.relation(label).check((rel.head_end.layer, rel.head_end.label),
                                              (rel.child_end.layer, rel.child_end.label))
        except SchemaError as exc:
            return NoEdit(exc.detail)
        return Edit(f"Relabel relation {rel.label} → {label}", RelabelRelation(rel.uid, label))

    def plan_delete_relation(self, key: RelKey) -> Plan:
        """Delete a relation, or reject a suggested one."""
        if key[0] == REL_SUGGESTION and key[1] in self.doc.relation_suggestions:
            return Edit(f"Reject {self.doc.relation_suggestions[int(key[1])].label} relation",
                        RejectRelation(int(key[1])))
        if key[0] == REL and key[1] in self.doc.relations:
            return Edit(f"Delete {self.doc.relations[str(key[1])].label} relation", DeleteRelation(str(key[1])))
        return NoEdit()

    def plan_accept_relation(self, key: RelKey, label: str | None = None) -> Plan:
        """Accept a suggested relation (optionally as another label); endpoints still suggested are
        accepted, and missing ones added, in the same step."""
        sugg = self.doc.relation_suggestions.get(int(key[1])) if key[0] == REL_SUGGESTION else None
        if sugg is None:
            return NoEdit()
        label = label or sugg.label
        try:
            self.schema.relation(label).check((sugg.head.layer, sugg.head.label), (sugg.child.layer, sugg.child.label))
        except SchemaError as exc:
            return NoEdit(exc.detail)
        steps: list[Operation] = []
        for end in (sugg.head, sugg.child):
            found = self.doc.endpoint_key(end)
            if found is None:
                steps.append(AddSpan(Span(end.start, end.end, end.label, end.layer, origin=sugg.origin)))
            elif found[0] == SUGGESTION:
                more = self._accept_ends([found])
                if isinstance(more, NoEdit):
                    return more
                steps.extend(more)
        accept = AcceptRelation(sugg.id or 0, None if label == sugg.label else label)
        return Edit(f"Accept {label} relation", Steps([*steps, accept]))
