"""Knowledge-base operations: link, unlink, accept or reject a suggested link, new entry,
merge, split and delete entries, each returning its change and the operation that
reverts it (see :mod:`annotator.editing.operations`), so they sit on the same undo
stack as every span edit.

Links are named by span uid, which the store keeps when a deleted span comes back
(undo), so a link edit undone after its span was deleted and restored still finds it.
None of these touch the open document's spans: their change only says ``kb``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotator.core.kb import KBEntry, KBLink
from annotator.editing.operations import Applied, Change

if TYPE_CHECKING:
    from annotator.editing.editor import Editor


@dataclass(frozen=True)
class SetLink:
    """Give a span (by uid) exactly ``link``: linked, accepted, rejected, or none (None)."""

    span_uid: str
    link: KBLink | None

    def apply(self, editor: Editor) -> Applied:
        """Write the link; inverse: the link the span had."""
        before = editor.project.kb_link_by_uid(self.span_uid)
        editor.project.kb_put_link(self.span_uid, self.link)
        return Applied(Change(kb=True), SetLink(self.span_uid, before))


@dataclass(frozen=True)
class AddEntry:
    """Store a new entry under its id (picked when the edit was planned)."""

    entry: KBEntry

    def apply(self, editor: Editor) -> Applied:
        """Store it; inverse: delete it."""
        editor.project.kb_restore_entry(self.entry)
        return Applied(Change(kb=True), DeleteEntry(self.entry.id))


@dataclass(frozen=True)
class DeleteEntry:
    """Delete an entry with its links."""

    entry_id: str

    def apply(self, editor: Editor) -> Applied:
        """Delete it; inverse: store it again with the links it had."""
        project = editor.project
        entry = project.kb_entry(self.entry_id)
        links = project.kb_entry_links(self.entry_id)
        project.kb_delete_entry(self.entry_id)
        return Applied(Change(kb=True), RestoreEntry(entry, tuple(links.items())))


@dataclass(frozen=True)
class RestoreEntry:
    """Store a deleted entry again under its id, with its links (by span uid)."""

    entry: KBEntry
    links: tuple[tuple[str, KBLink], ...] = ()

    def apply(self, editor: Editor) -> Applied:
        """Store it; inverse: delete it."""
        editor.project.kb_restore_entry(self.entry, dict(self.links))
        return Applied(Change(kb=True), DeleteEntry(self.entry.id))


@dataclass(frozen=True)
class MergeEntries:
    """Merge ``drop_id`` into ``keep_id`` (its links move, its names become aliases)."""

    keep_id: str
    drop_id: str

    def apply(self, editor: Editor) -> Applied:
        """Merge; inverse: :class:`UnmergeEntries` with both entries and the links that moved."""
        project = editor.project
        keep, drop = project.kb_entry(self.keep_id), project.kb_entry(self.drop_id)
        moved = project.kb_entry_links(self.drop_id)
        project.kb_merge(self.keep_id, self.drop_id)
        return Applied(Change(kb=True), UnmergeEntries(keep, drop, tuple(moved.items())))


@dataclass(frozen=True)
class UnmergeEntries:
    """Take a merge back: the kept entry as it was, the merged one again with its links."""

    keep: KBEntry
    drop: KBEntry
    links: tuple[tuple[str, KBLink], ...]

    def apply(self, editor: Editor) -> Applied:
        """Restore both; inverse: merge again."""
        editor.project.kb_update_entry(self.keep)
        editor.project.kb_restore_entry(self.drop, dict(self.links))
        return Applied(Change(kb=True), MergeEntries(self.keep.id, self.drop.id))
