"""The annotation session: the Qt adapter of :class:`annotator.editing.Editor`.

The editing rules and the store writes live in :mod:`annotator.editing`; this
class adds what needs Qt: signals that tell the views what changed, the
selection and the keyboard caret, and a ``QUndoStack`` whose one command type
(:class:`_EditCommand`) applies an editing operation and, on undo, the inverse
the operation returned.  The undo stack is the session's, not the document's:
undoing an action made on another document first switches back to it.
"""

from __future__ import annotations

import sqlite3
import time

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.core.errors import AnnotatorError
from annotator.core.model import Answer
from annotator.core.offsets import Utf16Map
from annotator.core.tokens import tokens_near
from annotator.editing import Applied, Change, Edit, Editor, Item, Key, NoEdit, Operation, Plan, SpanLike
from annotator.gui.doc_query import load_pending_suggestions, load_spans
from annotator.store import Project


def _fast_loader(project: Project, doc_id: int, annotator: str) -> tuple[list[SpanLike], list[SpanLike]]:
    # the view's tuned reads: an article with 20,000 items opens at once
    return load_spans(project, doc_id, annotator), load_pending_suggestions(project, doc_id, annotator)


class _EditCommand(QUndoCommand):
    """The one undo command: redo applies an operation, undo applies the inverse it returned."""

    #: commands with the same merge key (and document) fold into one undo step
    _MERGE_IDS: dict[str, int] = {}

    def __init__(self, session: Session, doc_id: int | None, edit: Edit) -> None:
        super().__init__(edit.text)
        self._session = session
        self._doc_id = doc_id
        self._next: Operation = edit.op
        self._merge = f"{edit.merge}@{doc_id}" if edit.merge else None
        #: the change of the last apply, None when it failed
        self.change: Change | None = None

    def id(self) -> int:  # noqa: A003 - Qt API
        if self._merge is None:
            return -1
        return self._MERGE_IDS.setdefault(self._merge, len(self._MERGE_IDS) + 1)

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        """Typing a note commits every pause; one undo step takes the note back whole.

        The inverse this command holds restores what was there before the first
        write, and applying it returns the operation that redoes the last one."""
        if not isinstance(other, _EditCommand) or other._merge != self._merge or other._doc_id != self._doc_id:
            return False
        self.setText(other.text())
        return True

    def redo(self) -> None:
        self._apply()

    def undo(self) -> None:
        self._apply()

    def _apply(self) -> None:
        applied = self._session._apply(self._doc_id, self._next)
        if applied is None:  # the store refused: the step leaves the stack
            self.change = None
            self.setObsolete(True)
        else:
            self.change, self._next = applied


class Session(QObject):
    """One annotator's work on a project: the open document, its items,
    the selection, the active layer and label, and the undo stack."""

    documentOpened = Signal(int)  # noqa: N815 - Qt signal naming
    itemsChanged = Signal(list, list)  # noqa: N815 - removed keys, added Items
    selectionChanged = Signal(object)  # noqa: N815 - Key or None
    statusChanged = Signal(int, str)  # noqa: N815
    answersChanged = Signal(int)  # noqa: N815
    activeChanged = Signal(str, str)  # noqa: N815 - layer, label
    message = Signal(str)
    caretChanged = Signal(object)  # noqa: N815 - (start, end) code points of the token caret, or None
    saved = Signal(bool, str)  # a write ended: stored (True) or refused (False), and what it was
    relationsChanged = Signal(list)  # noqa: N815 - RelKeys added, changed or removed
    kbChanged = Signal()  # noqa: N815 - knowledge-base entries or links changed

    def __init__(self, project: Project, annotator: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        self.schema = project.schema
        self.editor = Editor(project, annotator, _fast_loader)
        self.undo_stack = QUndoStack(self)
        self.selected: Key | None = None
        self.active_layer = self.schema.layers[0].name
        self.active_label = {lay.name: lay.labels[0].name for lay in self.schema.layers}
        self._opened_at = time.monotonic()
        #: the keyboard's token caret (code points): where a number key makes a span when nothing is selected
        self.caret: tuple[int, int] | None = None

    # -- the open document, as the editor holds it ------------------------------------

    @property
    def doc_id(self) -> int | None:
        """The open document's id (None before one is opened)."""
        return self.editor.doc.doc_id

    @property
    def text(self) -> str:
        """The open document's text."""
        return self.editor.doc.text

    @property
    def map(self) -> Utf16Map:
        """Code point <-> UTF-16 offsets of the open document."""
        return self.editor.doc.map

    @property
    def spans(self) -> dict[int, SpanLike]:
        """The annotator's spans by logical id."""
        return self.editor.doc.spans

    @property
    def suggestions(self) -> dict[int, SpanLike]:
        """Pending suggestions by id."""
        return self.editor.doc.suggestions

    # -- documents -------------------------------------------------------------

    def open_document(self, doc_id: int) -> None:
        """Show ``doc_id`` (records the time spent on the previous one)."""
        if doc_id == self.doc_id:
            return
        self.flush_time()
        self.editor.open(doc_id)
        self.selected = None
        self.caret = None
        self._opened_at = time.monotonic()
        self.documentOpened.emit(doc_id)
        self.selectionChanged.emit(None)
        self.caretChanged.emit(None)

    def close_document(self) -> None:
        """Leave the open document (records its time): nothing is open afterwards."""
        self.flush_time()
        self.editor.close()
        self.selected = None
        self.caret = None
        self.selectionChanged.emit(None)
        self.caretChanged.emit(None)

    def reload(self) -> None:
        """Re-read the open document's items from the store."""
        if self.doc_id is None:
            return
        self.editor.reload()
        self.documentOpened.emit(self.doc_id)

    def flush_time(self) -> None:
        """Add the time spent on the open document to its status (kept across restarts)."""
        if self.doc_id is None:
            return
        elapsed = time.monotonic() - self._opened_at
        self._opened_at = time.monotonic()
        if elapsed >= 1.0:
            try:
                self.editor.record_time(elapsed)
            except AnnotatorError as exc:
                self.message.emit(str(exc))

    # -- items -----------------------------------------------------------------

    def item_for(self, key: Key) -> Item | None:
        """The view item of a span or pending suggestion of the open document."""
        return self.editor.doc.item_for(key)

    def items(self) -> list[Item]:
        """Every item of the open document, in reading order."""
        return self.editor.doc.items()

    def ordered_keys(self) -> list[Key]:
        """Keys in reading order (start, then longer first)."""
        return self.editor.doc.ordered_keys()

    def neighbour(self, key: Key) -> Key | None:
        """The item after ``key`` in reading order (before it at the end)."""
        return self.editor.doc.neighbour(key)

    def span_text(self, key: Key) -> str:
        """The covered text of an item."""
        return self.editor.doc.span_text(key)

    def entity_texts(self) -> list[str]:
        """Distinct entity texts of the article (the annotator's first, then
        suggested ones), in reading order: the choices for a stance target."""
        return self.editor.doc.entity_texts(self.schema.layers[0].name)

    # -- selection and navigation -----------------------------------------------

    def select(self, key: Key | None) -> None:
        """Select an item (None clears)."""
        item = self.item_for(key) if key is not None else None
        self.selected = key if item is not None else None
        # the label for new spans stays what the user picked: selecting (or undo landing on) a cue must not
        # turn the next dragged span into a cue
        if item is not None:
            if self.caret is not None:  # the caret continues from the selection from now on
                self.caret = None
                self.caretChanged.emit(None)
        self.selectionChanged.emit(self.selected)

    def move_caret(self, direction: int) -> tuple[int, int] | None:
        """Move the token caret to the next (or previous) token and clear the
        selection: the keyboard way to a place where no span is yet."""
        if self.doc_id is None or not self.text:
            return None
        text = self.text
        item = self.item_for(self.selected) if self.selected else None
        if self.caret is not None:
            here = self.caret
        elif item is not None:
            here = (item.start, item.end)
        else:
            here = (0, 0) if direction > 0 else (len(text), len(text))
        if direction > 0:
            toks = [t for t in tokens_near(text, here[1], min(len(text), here[1] + 1), context=1)
                    if t[0] >= here[1] and t != here]
            if not toks and here == (0, 0):
                toks = tokens_near(text, 0, 1, context=1)
            new = toks[0] if toks else self.caret
        else:
            toks = [t for t in tokens_near(text, max(0, here[0] - 1), here[0], context=1)
                    if t[1] <= here[0] and t != here]
            new = toks[-1] if toks else self.caret
        if new is None:
            return None
        self.caret = new
        if self.selected is not None:
            self.selected = None
            self.selectionChanged.emit(None)
        self.caretChanged.emit(new)
        return new

    def select_next(self, direction: int = 1, from_cp: int | None = None) -> Key | None:
        """Select the next (or previous) item in reading order."""
        order = self.editor.doc.order
        if not len(order):
            return None
        current = order.index(self.selected) if self.selected is not None else None
        if current is not None:
            i = max(0, min(current + direction, len(order) - 1))
        else:
            i = min(order.position(from_cp if from_cp is not None else 0), len(order) - 1)
            if direction < 0:
                i = max(0, i - 1) if from_cp is not None else len(order) - 1
        key = order.key_at(i)
        self.select(key)
        return key

    def set_active(self, layer: str, label: str | None = None) -> None:
        """Make ``layer`` (and ``label`` of it) the ones new spans get."""
        lay = self.schema.layer(layer)
        if label is not None:
            lay.label(label)
            self.active_label[layer] = label
        self.active_layer = layer
        self.activeChanged.emit(layer, self.active_label[layer])

    def cycle_layer(self) -> str:
        """Switch to the next layer of the schema."""
        names = self.schema.layer_names
        nxt = names[(names.index(self.active_layer) + 1) % len(names)]
        self.set_active(nxt)
        self.message.emit(f"Active layer: {nxt}")
        return nxt

    def label_for_hotkey(self, hotkey: str, layer: str | None = None) -> str | None:
        """The label of ``layer`` (default: the selection's layer, else the active one) with ``hotkey``."""
        if layer is None:
            item = self.item_for(self.selected) if self.selected else None
            layer = item.layer if item else self.active_layer
        for lab in self.schema.layer(layer).labels:
            if lab.hotkey == hotkey:
                return lab.name
        return None

    # -- running edits -----------------------------------------------------------

    def _push(self, edit: Edit, *, project_wide: bool = False) -> Change | None:
        """Apply ``edit`` as one undo step; its change, or None when the store refused it.
        A ``project_wide`` edit (merging knowledge-base entries) belongs to no document:
        undoing it does not switch documents."""
        assert project_wide or self.doc_id is not None
        cmd = _EditCommand(self, None if project_wide else self.doc_id, edit)
        self.undo_stack.push(cmd)
        return cmd.change

    def run_project_edit(self, plan: Plan) -> bool:
        """Push an edit of the whole project (no document need be open) as one undo step."""
        if isinstance(plan, NoEdit):
            if plan.message:
                self.message.emit(plan.message)
            return False
        return self._push(plan, project_wide=True) is not None

    def run_edit(self, plan: Plan) -> bool:
        """Push any planned edit as one undo step (a :class:`NoEdit` is told); False when nothing was stored."""
        if isinstance(plan, NoEdit):
            if plan.message:
                self.message.emit(plan.message)
            return False
        return self._push(plan) is not None

    def _run(self, plan: Plan) -> Key | None:
        """Push a planned span edit and select what it made; a :class:`NoEdit` is told and its key returned."""
        if isinstance(plan, NoEdit):
            if plan.select and plan.result is not None:
                self.select(plan.result)
            if plan.message:
                self.message.emit(plan.message)
            return plan.result
        change = self._push(plan)
        if change is None or change.made is None:
            return None
        self.select(change.made)
        if plan.done:  # after the selection's own hint, so it is what the status bar shows
            self.message.emit(plan.done)
        return change.made

    def _apply(self, doc_id: int | None, op: Operation) -> Applied | None:
        """Run ``op`` for the undo stack and publish its change; None when the store refused it."""
        if doc_id is not None and doc_id != self.doc_id:
            self.open_document(doc_id)
        try:
            applied, removed, added = self.editor.apply(op)
        except (AnnotatorError, ValueError, sqlite3.Error) as exc:
            # the store rolled back; re-read so the view shows what is stored
            self.reload()
            self.message.emit(f"Not saved: {exc}")
            self.saved.emit(False, str(exc))
            return None
        change = applied.change
        self.saved.emit(True, op.__class__.__name__)
        self.itemsChanged.emit(removed, added)
        if self.selected is not None and self.item_for(self.selected) is None:
            self.selected = None
            self.selectionChanged.emit(None)
        if change.status is not None:
            self.statusChanged.emit(doc_id, change.status)
        if change.answers:
            self.answersChanged.emit(doc_id)
        if change.relations:
            self.relationsChanged.emit(list(change.relations))
        if change.kb:
            self.kbChanged.emit()
        return applied

    # -- editing actions -------------------------------------------------------

    def create_span(self, start: int, end: int, label: str | None = None, layer: str | None = None,
                    *, exact: bool = False) -> Key | None:
        """Create a span over code points ``[start, end)``, snapped to whole tokens unless ``exact``
        (see :meth:`Editor.plan_create`); the active layer and label by default."""
        if self.doc_id is None:
            return None
        layer = layer or self.active_layer
        return self._run(self.editor.plan_create(start, end, label or self.active_label[layer], layer, exact=exact))

    def accept(self, key: Key | None = None, label: str | None = None) -> Key | None:
        """Accept a suggestion (optionally as another label of its layer)."""
        key = key or self.selected
        if key is None:
            return None
        return self._run(self.editor.plan_accept(key, label))

    def accept_all(self, label: str | None = None, layer: str | None = None) -> int:
        """Accept every pending suggestion (of ``label``/``layer`` when given) in one step.

        Suggestions that would overlap a span in a layer without overlaps are
        left pending; returns how many were accepted.
        """
        if self.doc_id is None:
            return 0
        plan = self.editor.plan_accept_all(label, layer)
        if isinstance(plan, NoEdit):
            self.message.emit(plan.message or "")
            return 0
        if self._push(plan) is None:
            return 0
        self.message.emit(plan.done or "")
        return plan.count

    def reject(self, key: Key | None = None) -> bool:
        """Reject a suggestion, or delete a span: the X/Delete key."""
        key = key or self.selected
        if key is None:
            return False
        nxt = self.neighbour(key)
        plan = self.editor.plan_reject(key)
        ok = isinstance(plan, Edit) and self._push(plan) is not None
        if ok and nxt is not None:
            self.select(nxt)
        return ok

    def delete_span(self, logical: int) -> bool:
        """Delete one of the annotator's spans."""
        plan = self.editor.plan_delete(logical)
        return isinstance(plan, Edit) and self._push(plan) is not None

    def relabel(self, key: Key | None, label: str) -> Key | None:
        """Give a span another label of its layer; a suggestion is accepted with it."""
        key = key or self.selected
        if key is None:
            return None
        return self._run(self.editor.plan_relabel(key, label))

    def move_boundary(self, key: Key | None, which: str, direction: int, *, exact: bool = False) -> Key | None:
        """Move the start or end of an item by one token (one character when ``exact``)."""
        key = key or self.selected
        extent = self.editor.boundary_step(key, which, direction, exact=exact) if key else None
        if extent is None:
            return None
        return self.set_extent(key, *extent)

    def set_extent(self, key: Key | None, start: int, end: int) -> Key | None:
        """Give an item new boundaries (a suggestion is accepted, then resized)."""
        key = key or self.selected
        if key is None:
            return None
        return self._run(self.editor.plan_extent(key, start, end))

    # -- document answers and status ---------------------------------------------

    def answers(self) -> dict[str, Answer]:
        """The annotator's answers on the open document by question."""
        return self.editor.answers()

    def set_answer(self, question: str, value: str | None, target: str | None = None) -> bool:
        """Answer (or with ``value`` None/empty, withdraw) a document question."""
        if self.doc_id is None:
            return False
        plan = self.editor.plan_answer(question, value, target)
        return isinstance(plan, NoEdit) or self._push(plan) is not None

    def status(self) -> str:
        """The annotator's state on the open document."""
        return self.editor.status()

    def set_status(self, state: str) -> bool:
        """Mark the open document done, skipped, in progress or todo (undoable)."""
        if self.doc_id is None:
            return False
        plan = self.editor.plan_status(state)
        return isinstance(plan, NoEdit) or self._push(plan) is not None

    def close(self) -> None:
        """Record time spent; the store has every change already.  Once: a window closed twice
        (pytest-qt closes the windows of a test again) has nothing more to record."""
        if getattr(self, "_closed", False):
            return
        self._closed = True
        self.flush_time()

