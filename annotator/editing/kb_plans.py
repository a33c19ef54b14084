"""Planning knowledge-base edits: each ``plan_*`` checks the request and returns an
:class:`~annotator.editing.editor.Edit` of :mod:`~annotator.editing.kb_ops` operations
(undoable like every other edit) or a :class:`~annotator.editing.editor.NoEdit` saying why not.

Spans are given by their id in the store (what the entity box and the browser hold) and
named by uid in the operations, so an undo finds them after a delete and its undo.
"""

from __future__ import annotations

from typing import Sequence

from annotator.core.errors import NotFoundError
from annotator.core.kb import KB_LABELS, KBEntry, KBLink
from annotator.editing.editor import Edit, NoEdit, Plan
from annotator.editing.kb_ops import AddEntry, DeleteEntry, MergeEntries, SetLink
from annotator.editing.operations import Operation, Steps
from annotator.store import Project


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text[:30]}…”" if len(text) > 30 else f"“{text}”"


def plan_link(project: Project, span_id: int, entry_id: str) -> Plan:
    """Link a span to an entry (accepted, by a person)."""
    m = project.kb_link_of(span_id)
    entry = project.kb_entry(entry_id)
    if m.entry_id == entry_id and m.status == "accepted":
        return NoEdit(f"{_quoted(m.text)} is already linked to {entry.name}")
    return Edit(f"Link {_quoted(m.text)} to {entry.name}", SetLink(m.span_uid, KBLink(entry_id)))


def plan_decide(project: Project, span_id: int, status: str) -> Plan:
    """Accept (``accepted``) or turn down (``rejected``) the entry a span is linked to."""
    m = project.kb_link_of(span_id)
    if m.entry_id is None:
        return NoEdit(f"{_quoted(m.text)} is not linked")
    if m.status == status:
        return NoEdit()
    name = project.kb_entry(m.entry_id).name
    verb = "Accept link" if status == "accepted" else "Reject link"
    return Edit(f"{verb} {_quoted(m.text)} → {name}",
                SetLink(m.span_uid, KBLink(m.entry_id, m.origin or "human", m.score, status)))


def plan_unlink(project: Project, span_id: int) -> Plan:
    """Remove a span's link (whatever its status)."""
    m = project.kb_link_of(span_id)
    if project.kb_link_by_uid(m.span_uid) is None:
        return NoEdit()
    return Edit(f"Unlink {_quoted(m.text)}", SetLink(m.span_uid, None))


def plan_new_entry(project: Project, span_id: int) -> Plan:
    """A new entry named after the span, linked to it."""
    m = project.kb_link_of(span_id)
    name = " ".join(m.text.split())
    if not name:
        return NoEdit("A span of spaces names no entry")
    entry = KBEntry(project.kb_free_entry_id(name), name, m.label if m.label in KB_LABELS else "MISC")
    return Edit(f"New entry {name}", Steps([AddEntry(entry), SetLink(m.span_uid, KBLink(entry.id))]))


def plan_split(project: Project, entry_id: str, span_ids: Sequence[int], name: str) -> Plan:
    """Move the links of ``span_ids`` from ``entry_id`` to a new entry called ``name`` (same label)."""
    name = name.strip()
    if not name or not span_ids:
        return NoEdit("Choose the mentions to split off and a name")
    old = project.kb_entry(entry_id)
    steps: list[Operation] = []
    new = KBEntry(project.kb_free_entry_id(name), name, old.label)
    for span_id in span_ids:
        m = project.kb_link_of(span_id)
        if m.entry_id != entry_id:
            raise NotFoundError(f"span {span_id} is not linked to {entry_id!r}")
        steps.append(SetLink(m.span_uid, KBLink(new.id)))
    return Edit(f"Split {len(span_ids)} mention(s) off {old.name} as {name}", Steps([AddEntry(new), *steps]))


def plan_merge(project: Project, entry_ids: Sequence[str]) -> Plan:
    """Merge every other entry into the first."""
    if len(entry_ids) < 2:
        return NoEdit("Select two or more entries to merge (the first keeps its name)")
    keep = project.kb_entry(entry_ids[0])
    others = [e for e in dict.fromkeys(entry_ids[1:]) if e != keep.id]
    if not others:
        return NoEdit("Select two or more entries to merge (the first keeps its name)")
    return Edit(f"Merge {len(others)} entr{'y' if len(others) == 1 else 'ies'} into {keep.name}",
                Steps([MergeEntries(keep.id, other) for other in others]))


def plan_delete_entries(project: Project, entry_ids: Sequence[str]) -> Plan:
    """Delete entries with their links."""
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        return NoEdit("Select the entries to delete")
    for entry_id in ids:
        project.kb_entry(entry_id)  # an unknown id is an error before anything is written
    what = project.kb_entry(ids[0]).name if len(ids) == 1 else f"{len(ids)} entries"
    return Edit(f"Delete entry {what}", Steps([DeleteEntry(e) for e in ids]))
