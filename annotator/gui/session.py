"""The annotation session: what one annotator sees and changes on the open document.

Every user action is a :class:`QUndoCommand` whose ``redo``/``undo`` write
through :class:`annotator.store.Project` methods inside one transaction, then
report what changed (keys removed, items added) so the views update only that.
The undo stack is the session's, not the document's: undoing an action made on
another document first switches back to it.

Span ids: re-doing a deleted span stores it again under a new row id, so
commands refer to a *logical* id (the id the span had when first stored) and
the session maps it to the current row id.
"""

from __future__ import annotations

import sqlite3
import time
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.core.errors import AnnotatorError, NotFoundError
from annotator.core.model import DocLabel, Span
from annotator.core.offsets import Utf16Map
from annotator.core.tokens import snap_to_tokens, step_boundary, tokens_near
from annotator.gui.doc_query import SpanRow, load_pending_suggestions, load_spans
from annotator.gui.highlight import SPAN, SUGGESTION, Item, Key
from annotator.store import Project


@dataclass
class Change:
    """What one store operation changed in the open document's items."""

    removed: list[Key] = field(default_factory=list)
    added: list[tuple[Key, Span | SpanRow]] = field(default_factory=list)

    def extend(self, other: Change) -> Change:
        """Append ``other`` (keeps order: later changes win)."""
        self.removed.extend(other.removed)
        self.added.extend(other.added)
        return self


class _Command(QUndoCommand):
    """A session action: ``do`` and ``undo`` return a :class:`Change`."""

    #: commands with the same merge key (and document) fold into one undo step
    _MERGE_IDS: dict[str, int] = {}

    def __init__(self, session: Session, doc_id: int, text: str, do: Callable[[], Change],
                 undo: Callable[[], Change], merge: str | None = None) -> None:
        super().__init__(text)
        self._session = session
        self._doc_id = doc_id
        self._do = do
        self._undo = undo
        self._merge = merge

    def id(self) -> int:  # noqa: A003 - Qt API
        if self._merge is None:
            return -1
        return self._MERGE_IDS.setdefault(self._merge, len(self._MERGE_IDS) + 1)

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        """Typing a note commits every pause; one undo step takes the note back whole."""
        if not isinstance(other, _Command) or other._merge != self._merge or other._doc_id != self._doc_id:
            return False
        self._do = other._do
        self.setText(other.text())
        return True

    def redo(self) -> None:
        self._session._run(self, self._doc_id, self._do)

    def undo(self) -> None:
        self._session._run(self, self._doc_id, self._undo)


class Session(QObject):
    """One annotator's work on a project: the open document, its items,
    the selection, the active layer and label, and the undo stack."""

    documentOpened = Signal(int)  # noqa: N815 - Qt signal naming
    itemsChanged = Signal(list, list)  # noqa: N815 - removed keys, added Items
    selectionChanged = Signal(object)  # noqa: N815 - Key or None
    statusChanged = Signal(int, str)  # noqa: N815
    docLabelsChanged = Signal(int)  # noqa: N815
    activeChanged = Signal(str, str)  # noqa: N815 - layer, label
    message = Signal(str)
    caretChanged = Signal(object)  # noqa: N815 - (start, end) code points of the token caret, or None

    def __init__(self, project: Project, annotator: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        self.schema = project.schema
        self.undo_stack = QUndoStack(self)
        self.doc_id: int | None = None
        self.text = ""
        self.map = Utf16Map("")
        self.spans: dict[int, Span | SpanRow] = {}  # logical id -> span as stored (with its real id)
        self.suggestions: dict[int, Span | SpanRow] = {}  # pending suggestions by id
        self.selected: Key | None = None
        self._alias: dict[int, int] = {}  # logical -> real span id
        self._logical: dict[int, int] = {}  # real -> logical
        # reading order of every item, kept sorted incrementally: (start, -end, kind, key)
        self._order: list[tuple[int, int, int, Key]] = []
        self._order_of: dict[Key, tuple[int, int, int, Key]] = {}
        self._max_len = 1  # longest item: bounds the overlap search
        self.active_layer = self.schema.layers[0].name
        self.active_label = {lay.name: lay.labels[0].name for lay in self.schema.layers}
        self._opened_at = time.monotonic()
        self._failed = False
        #: the keyboard's token caret (code points): where a number key makes a span when nothing is selected
        self.caret: tuple[int, int] | None = None

    # -- documents -------------------------------------------------------------

    def open_document(self, doc_id: int) -> None:
        """Show ``doc_id`` (records the time spent on the previous one)."""
        if doc_id == self.doc_id:
            return
        self.flush_time()
        self.text = self.project.get_text(doc_id)
        self.doc_id = doc_id
        self.map = Utf16Map(self.text)
        self._load_items()
        self.selected = None
        self.caret = None
        self._opened_at = time.monotonic()
        self.documentOpened.emit(doc_id)
        self.selectionChanged.emit(None)
        self.caretChanged.emit(None)

    def reload(self) -> None:
        """Re-read the open document's items from the store."""
        if self.doc_id is None:
            return
        self._load_items()
        self.documentOpened.emit(self.doc_id)

    def _load_items(self) -> None:
        assert self.doc_id is not None
        logical = self._logical
        self.spans = {logical.get(s.id, s.id): s for s in load_spans(self.project, self.doc_id, self.annotator)}
        self.suggestions = {g.id: g for g in load_pending_suggestions(self.project, self.doc_id, self.annotator)}
        order = [(s.start, -s.end, 0, (SPAN, k)) for k, s in self.spans.items()]
        order.extend((s.start, -s.end, 1, (SUGGESTION, k)) for k, s in self.suggestions.items())
        order.sort()
        self._order = order
        self._order_of = {o[3]: o for o in order}
        self._max_len = max((-o[1] - o[0] for o in order), default=1)

    def flush_time(self) -> None:
        """Add the time spent on the open document to its status (kept across restarts)."""
        if self.doc_id is None:
            return
        elapsed = time.monotonic() - self._opened_at
        self._opened_at = time.monotonic()
        if elapsed >= 1.0:
            try:
                state = self.project.status(self.doc_id, self.annotator)
                self.project.set_status(self.doc_id, self.annotator, state, add_seconds=round(elapsed, 1))
            except AnnotatorError as exc:
                self.message.emit(str(exc))

    # -- items -----------------------------------------------------------------

    def item_for(self, key: Key) -> Item | None:
        """The view item of a span or pending suggestion of the open document."""
        kind, ident = key
        span = self.spans.get(ident) if kind == SPAN else self.suggestions.get(ident)
        if span is None:
            return None
        return self._make_item(key, span)

    def _make_item(self, key: Key, span: Span) -> Item:
        to16 = self.map.to_utf16
        return Item(key, span.start, span.end, to16(span.start), to16(span.end), span.layer, span.label,
                    span.origin if key[0] == SPAN else span.origin, span.score)

    def items(self) -> list[Item]:
        """Every item of the open document, in reading order."""
        to16 = self.map.to_utf16
        spans, suggs = self.spans, self.suggestions
        out = []
        for o in self._order:  # already in reading order
            key = o[3]
            s = spans[key[1]] if key[0] == SPAN else suggs[key[1]]
            out.append(Item(key, s.start, s.end, to16(s.start), to16(s.end), s.layer, s.label, s.origin, s.score))
        return out

    def ordered_keys(self) -> list[Key]:
        """Keys in reading order (start, then longer first)."""
        return [o[3] for o in self._order]

    def _order_remove(self, key: Key) -> None:
        entry = self._order_of.pop(key, None)
        if entry is not None:
            i = bisect_left(self._order, entry)
            if i < len(self._order) and self._order[i] == entry:
                del self._order[i]

    def _order_add(self, key: Key, span: Span) -> None:
        self._order_remove(key)
        entry = (span.start, -span.end, 0 if key[0] == SPAN else 1, key)
        insort(self._order, entry)
        self._order_of[key] = entry
        self._max_len = max(self._max_len, span.end - span.start)

    def _index_of(self, key: Key) -> int | None:
        entry = self._order_of.get(key)
        if entry is None:
            return None
        return bisect_left(self._order, entry)

    def _near(self, start: int, end: int) -> list[Key]:
        """Keys of items that may overlap ``[start, end)`` (a bisect window, not a scan)."""
        lo = bisect_left(self._order, (start - self._max_len,))
        hi = bisect_left(self._order, (end,))
        return [o[3] for o in self._order[lo:hi]]

    def span_text(self, key: Key) -> str:
        """The covered text of an item."""
        item = self.item_for(key)
        return self.text[item.start : item.end] if item else ""

    def entity_texts(self) -> list[str]:
        """Distinct entity texts of the article (the annotator's first, then
        suggested ones), in reading order: the choices for a stance target."""
        layer = self.schema.layers[0].name
        seen: dict[str, None] = {}
        later: dict[str, None] = {}
        text = self.text
        for start, neg_end, kind, key in self._order:  # reading order already
            s = self.spans.get(key[1]) if kind == 0 else self.suggestions.get(key[1])
            if s is not None and s.layer == layer:
                (seen if kind == 0 else later).setdefault(text[start:-neg_end], None)
        for t in later:
            seen.setdefault(t, None)
        return list(seen)

    # -- selection and navigation -----------------------------------------------

    def select(self, key: Key | None) -> None:
        """Select an item (None clears)."""
        if key is not None and self.item_for(key) is None:
            key = None
        self.selected = key
        if key is not None:
            item = self.item_for(key)
            assert item is not None
            self.set_active(item.layer, item.label)
            if self.caret is not None:  # the caret continues from the selection from now on
                self.caret = None
                self.caretChanged.emit(None)
        self.selectionChanged.emit(key)

    def move_caret(self, direction: int) -> tuple[int, int] | None:
        """Move the token caret to the next (or previous) token and clear the
        selection: the keyboard way to a place where no span is yet."""
        if self.doc_id is None or not self.text:
            return None
        item = self.item_for(self.selected) if self.selected else None
        if self.caret is not None:
            here = self.caret
        elif item is not None:
            here = (item.start, item.end)
        else:
            here = (0, 0) if direction > 0 else (len(self.text), len(self.text))
        if direction > 0:
            toks = [t for t in tokens_near(self.text, here[1], min(len(self.text), here[1] + 1), context=1)
                    if t[0] >= here[1] and t != here]
            if not toks and here == (0, 0):
                toks = tokens_near(self.text, 0, 1, context=1)
            new = toks[0] if toks else self.caret
        else:
            toks = [t for t in tokens_near(self.text, max(0, here[0] - 1), here[0], context=1)
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
        order = self._order
        if not order:
            return None
        current = self._index_of(self.selected) if self.selected is not None else None
        if current is not None:
            i = max(0, min(current + direction, len(order) - 1))
        else:
            pos = from_cp if from_cp is not None else 0
            i = min(bisect_left(order, (pos,)), len(order) - 1)
            if direction < 0:
                i = max(0, i - 1) if from_cp is not None else len(order) - 1
        key = order[i][3]
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

    # -- running commands --------------------------------------------------------

    def _push(self, text: str, do: Callable[[], Change], undo: Callable[[], Change],
              merge: str | None = None) -> bool:
        assert self.doc_id is not None
        cmd = _Command(self, self.doc_id, text, do, undo, merge=f"{merge}@{self.doc_id}" if merge else None)
        self._failed = False
        self.undo_stack.push(cmd)
        return not self._failed

    def _run(self, cmd: _Command, doc_id: int, fn: Callable[[], Change]) -> None:
        if doc_id != self.doc_id:
            self.open_document(doc_id)
        try:
            with self.project.transaction():
                change = fn()
        except (AnnotatorError, ValueError, sqlite3.Error) as exc:
            # the store rolled back; re-read so the view shows what is stored
            self._failed = True
            cmd.setObsolete(True)
            self.reload()
            self.message.emit(f"Not saved: {exc}")
            return
        self._publish(change)

    def _publish(self, change: Change) -> None:
        # the in-memory dicts are the truth after the change: report each touched key once, as it ends up
        touched = dict.fromkeys([*change.removed, *(key for key, _span in change.added)])
        removed: list[Key] = []
        added: list[Item] = []
        for key in touched:
            item = self.item_for(key)
            self._order_remove(key)
            if item is None:
                removed.append(key)
            else:
                added.append(item)
                self._order_add(key, self.spans[key[1]] if key[0] == SPAN else self.suggestions[key[1]])
        self.itemsChanged.emit(removed, added)
        if self.selected is not None and self.item_for(self.selected) is None:
            self.selected = None
            self.selectionChanged.emit(None)

    def _mark_started(self) -> None:
        """First change on a document moves it from todo to in progress."""
        assert self.doc_id is not None
        if self.project.status(self.doc_id, self.annotator) == "todo":
            self.project.set_status(self.doc_id, self.annotator, "in_progress")
            self.statusChanged.emit(self.doc_id, "in_progress")

    # -- store primitives (each returns a Change; called inside a transaction) -----

    def _real(self, logical: int) -> int:
        return self._alias.get(logical, logical)

    def _p_add_span(self, logical: int | None, span: Span) -> tuple[int, Change]:
        assert self.doc_id is not None
        self._mark_started()
        real = self.project.add_span(self.doc_id, span.with_(id=None, origin=span.origin or "human"), self.annotator)
        logical = real if logical is None else logical
        self._alias[logical] = real
        self._logical[real] = logical
        stored = span.with_(id=real, annotator=self.annotator, document_id=self.doc_id)
        self.spans[logical] = stored
        return logical, Change(added=[((SPAN, logical), stored)])

    def _p_delete_span(self, logical: int) -> Change:
        self._mark_started()
        try:
            self.project.delete_span(self._real(logical))
        except NotFoundError:
            pass
        self.spans.pop(logical, None)
        return Change(removed=[(SPAN, logical)])

    def _p_update_span(self, logical: int, start: int, end: int, label: str) -> Change:
        self._mark_started()
        new = self.project.update_span(self._real(logical), start=start, end=end, label=label)
        self.spans[logical] = new
        return Change(added=[((SPAN, logical), new)])

    def _p_accept(self, sugg_id: int, label: str | None, logical: int | None) -> tuple[int, Change]:
        self._mark_started()
        real = self.project.accept_suggestion(sugg_id, self.annotator, label)
        logical = real if logical is None else logical
        self._alias[logical] = real
        self._logical[real] = logical
        stored = self.project.get_span(real)
        self.spans[logical] = stored
        self.suggestions.pop(sugg_id, None)
        return logical, Change(removed=[(SUGGESTION, sugg_id)], added=[((SPAN, logical), stored)])

    def _p_unaccept(self, sugg_id: int, logical: int) -> Change:
        real = self._real(logical)
        try:
            self.project.delete_span(real)
        except NotFoundError:
            pass
        self.project.undo_decision(sugg_id, self.annotator)
        self.spans.pop(logical, None)
        try:
            sugg = self.project.get_suggestion(sugg_id)
        except NotFoundError:  # a new suggester run replaced it: undo removes the span only
            return Change(removed=[(SPAN, logical)])
        self.suggestions[sugg_id] = sugg
        return Change(removed=[(SPAN, logical)], added=[((SUGGESTION, sugg_id), sugg)])

    def _p_reject(self, sugg_id: int) -> Change:
        self._mark_started()
        self.project.reject_suggestion(sugg_id, self.annotator)
        self.suggestions.pop(sugg_id, None)
        return Change(removed=[(SUGGESTION, sugg_id)])

    def _p_unreject(self, sugg_id: int) -> Change:
        self.project.undo_decision(sugg_id, self.annotator)
        try:
            sugg = self.project.get_suggestion(sugg_id)
        except NotFoundError:  # replaced by a newer suggester run
            return Change()
        self.suggestions[sugg_id] = sugg
        return Change(added=[((SUGGESTION, sugg_id), sugg)])

    # -- overlap rules ---------------------------------------------------------

    def _conflicts(self, layer: str, start: int, end: int, ignore: int | None = None) -> list[int]:
        """Logical ids of the annotator's spans a new extent may not overlap."""
        if self.schema.layer(layer).allow_overlap:
            return []
        out = []
        for kind, k in self._near(start, end):
            s = self.spans.get(k) if kind == SPAN else None
            if s is not None and k != ignore and s.layer == layer and s.start < end and start < s.end:
                out.append(k)
        return out

    def _overlapping_suggestions(self, layer: str, start: int, end: int, ignore: int | None = None) -> list[int]:
        if self.schema.layer(layer).allow_overlap:
            return []
        out = []
        for kind, k in self._near(start, end):
            s = self.suggestions.get(k) if kind == SUGGESTION else None
            if s is not None and k != ignore and s.layer == layer and s.start < end and start < s.end:
                out.append(k)
        return out

    def _refuse_overlap(self, layer: str, conflicts: list[int]) -> None:
        other = self.spans[conflicts[0]]
        self.message.emit(
            f"Overlaps {other.label} “{self.text[other.start:other.end]}”: spans of layer {layer!r} may not overlap "
            "(delete or resize that one first)"
        )

    # -- editing actions -------------------------------------------------------

    def create_span(self, start: int, end: int, label: str | None = None, layer: str | None = None,
                    *, exact: bool = False) -> Key | None:
        """Create a span over code points ``[start, end)``, snapped to whole tokens unless ``exact``.

        A pending suggestion with the same extent and label is accepted instead
        (keeping its origin); pending suggestions it overlaps in a layer without
        overlaps are rejected in the same step.
        """
        if self.doc_id is None:
            return None
        layer = layer or self.active_layer
        label = label or self.active_label[layer]
        self.schema.check_span(layer, label)
        if not exact:
            snapped = snap_to_tokens(self.text, start, end)
            if snapped is None:
                self.message.emit("Nothing to annotate there (only spaces)")
                return None
            start, end = snapped
        else:
            start, end = max(0, start), min(len(self.text), end)
            if end <= start:
                return None
        for kind, k in self._near(start, end):
            s = self.spans.get(k) if kind == SPAN else self.suggestions.get(k)
            if s is None or (s.layer, s.start, s.end, s.label) != (layer, start, end, label):
                continue
            if kind == SPAN:
                self.select((SPAN, k))
                self.message.emit("That span is already there")
                return (SPAN, k)
            return self.accept((SUGGESTION, k))
        conflicts = self._conflicts(layer, start, end)
        if conflicts:
            self._refuse_overlap(layer, conflicts)
            return None
        to_reject = self._overlapping_suggestions(layer, start, end)
        span = Span(start=start, end=end, label=label, layer=layer, origin="human")
        state: dict[str, int] = {}

        def do() -> Change:
            change = Change()
            for g in to_reject:
                change.extend(self._p_reject(g))
            logical, c = self._p_add_span(state.get("logical"), span)
            state["logical"] = logical
            return change.extend(c)

        def undo() -> Change:
            change = self._p_delete_span(state["logical"])
            for g in to_reject:
                change.extend(self._p_unreject(g))
            return change

        if not self._push(f"Add {label} “{self._short(start, end)}”", do, undo):
            return None
        key = (SPAN, state["logical"])
        self.select(key)
        return key

    def accept(self, key: Key | None = None, label: str | None = None) -> Key | None:
        """Accept a suggestion (optionally as another label of its layer)."""
        key = key or self.selected
        if key is None or key[0] != SUGGESTION or key[1] not in self.suggestions:
            return key if key and key[0] == SPAN else None
        sugg = self.suggestions[key[1]]
        label = label or sugg.label
        self.schema.check_span(sugg.layer, label)
        conflicts = self._conflicts(sugg.layer, sugg.start, sugg.end)
        if conflicts:
            self._refuse_overlap(sugg.layer, conflicts)
            return None
        to_reject = self._overlapping_suggestions(sugg.layer, sugg.start, sugg.end, ignore=key[1])
        state: dict[str, int] = {}
        sid = key[1]

        def do() -> Change:
            change = Change()
            for g in to_reject:
                change.extend(self._p_reject(g))
            logical, c = self._p_accept(sid, None if label == sugg.label else label, state.get("logical"))
            state["logical"] = logical
            return change.extend(c)

        def undo() -> Change:
            change = self._p_unaccept(sid, state["logical"])
            for g in to_reject:
                change.extend(self._p_unreject(g))
            return change

        verb = "Accept" if label == sugg.label else f"Accept as {label}"
        if not self._push(f"{verb} “{self._short(sugg.start, sugg.end)}”", do, undo):
            return None
        new = (SPAN, state["logical"])
        self.select(new)
        return new

    def accept_all(self, label: str | None = None, layer: str | None = None) -> int:
        """Accept every pending suggestion (of ``label``/``layer`` when given) in one step.

        Suggestions that would overlap a span in a layer without overlaps are
        left pending; returns how many were accepted.
        """
        if self.doc_id is None:
            return 0
        chosen: list[int] = []
        # per exclusive layer, the taken intervals sorted by start: a bisect window finds overlaps
        taken: dict[str, list[tuple[int, int]]] = {}
        for sp in self.spans.values():
            taken.setdefault(sp.layer, []).append((sp.start, sp.end))
        for intervals in taken.values():
            intervals.sort()
        width = self._max_len
        for o in list(self._order):
            if o[3][0] != SUGGESTION:
                continue
            sid = o[3][1]
            s = self.suggestions[sid]
            if (label and s.label != label) or (layer and s.layer != layer):
                continue
            if not self.schema.layer(s.layer).allow_overlap:
                intervals = taken.setdefault(s.layer, [])
                lo = bisect_left(intervals, (s.start - width,))
                hi = bisect_left(intervals, (s.end,))
                if any(a < s.end and s.start < b for a, b in intervals[lo:hi]):
                    continue
                insort(intervals, (s.start, s.end))
            chosen.append(sid)
        left = sum(1 for s in self.suggestions.values()
                   if (not label or s.label == label) and (not layer or s.layer == layer)) - len(chosen)
        if not chosen:
            self.message.emit("No suggestions to accept" + (f" ({left} overlap a span)" if left else ""))
            return 0
        logicals: dict[int, int] = {}

        def do() -> Change:
            change = Change()
            for sid in chosen:
                logical, c = self._p_accept(sid, None, logicals.get(sid))
                logicals[sid] = logical
                change.extend(c)
            return change

        def undo() -> Change:
            change = Change()
            for sid in reversed(chosen):
                change.extend(self._p_unaccept(sid, logicals[sid]))
            return change

        what = f"{label} suggestions" if label else "suggestions"
        if self._push(f"Accept {len(chosen)} {what}", do, undo):
            self.message.emit(f"Accepted {len(chosen)} {what}" + (f"; {left} overlapping left pending" if left else ""))
            return len(chosen)
        return 0

    def reject(self, key: Key | None = None) -> bool:
        """Reject a suggestion, or delete a span: the X/Delete key."""
        key = key or self.selected
        if key is None:
            return False
        nxt = self._neighbour(key)
        if key[0] == SUGGESTION and key[1] in self.suggestions:
            sid = key[1]
            ok = self._push(f"Reject “{self.span_text(key)[:30]}”", lambda: self._p_reject(sid),
                            lambda: self._p_unreject(sid))
        elif key[0] == SPAN and key[1] in self.spans:
            ok = self.delete_span(key[1])
        else:
            return False
        if ok and nxt is not None:
            self.select(nxt)
        return ok

    def delete_span(self, logical: int) -> bool:
        """Delete one of the annotator's spans."""
        span = self.spans[logical]

        def do() -> Change:
            return self._p_delete_span(logical)

        def undo() -> Change:
            return self._p_add_span(logical, span)[1]

        return self._push(f"Delete {span.label} “{self._short(span.start, span.end)}”", do, undo)

    def relabel(self, key: Key | None, label: str) -> Key | None:
        """Give a span another label of its layer; a suggestion is accepted with it."""
        key = key or self.selected
        if key is None:
            return None
        if key[0] == SUGGESTION:
            return self.accept(key, label)
        logical = key[1]
        span = self.spans.get(logical)
        if span is None:
            return None
        self.schema.check_span(span.layer, label)
        if span.label == label:
            return key
        old = span.label
        ok = self._push(
            f"Relabel “{self._short(span.start, span.end)}” {old} → {label}",
            lambda: self._p_update_span(logical, span.start, span.end, label),
            lambda: self._p_update_span(logical, span.start, span.end, old),
        )
        if ok:
            self.select(key)
        return key if ok else None

    def move_boundary(self, key: Key | None, which: str, direction: int, *, exact: bool = False) -> Key | None:
        """Move the start or end of an item by one token (one character when ``exact``)."""
        key = key or self.selected
        item = self.item_for(key) if key else None
        if item is None:
            return None
        if exact:
            start, end = item.start, item.end
            if which == "start":
                start = min(max(0, start + direction), end - 1)
            else:
                end = max(min(len(self.text), end + direction), start + 1)
        else:
            start, end = step_boundary(self.text, item.start, item.end, which, direction)
        return self.set_extent(key, start, end)

    def set_extent(self, key: Key | None, start: int, end: int) -> Key | None:
        """Give an item new boundaries (a suggestion is accepted, then resized)."""
        key = key or self.selected
        item = self.item_for(key) if key else None
        if item is None or key is None:
            return None
        start, end = max(0, start), min(len(self.text), end)
        if end <= start or (start, end) == (item.start, item.end):
            return key
        logical_ignore = key[1] if key[0] == SPAN else None
        conflicts = self._conflicts(item.layer, start, end, ignore=logical_ignore)
        if conflicts:
            self._refuse_overlap(item.layer, conflicts)
            return None
        if key[0] == SPAN:
            logical = key[1]
            span = self.spans[logical]
            # suggestions the wider span now covers are decided with it (as when creating one)
            covered = [g for g in self._overlapping_suggestions(span.layer, start, end)
                       if not (self.suggestions[g].start < span.end and span.start < self.suggestions[g].end)]

            def do() -> Change:
                change = Change()
                for g in covered:
                    change.extend(self._p_reject(g))
                return change.extend(self._p_update_span(logical, start, end, span.label))

            def undo() -> Change:
                change = self._p_update_span(logical, span.start, span.end, span.label)
                for g in covered:
                    change.extend(self._p_unreject(g))
                return change

            ok = self._push(f"Resize {span.label} to “{self._short(start, end)}”", do, undo)
            if ok:
                self.select(key)
            return key if ok else None
        sid = key[1]
        sugg = self.suggestions[sid]
        to_reject = self._overlapping_suggestions(sugg.layer, start, end, ignore=sid)
        state: dict[str, int] = {}

        def do() -> Change:
            change = Change()
            for g in to_reject:
                change.extend(self._p_reject(g))
            logical, c = self._p_accept(sid, None, state.get("logical"))
            state["logical"] = logical
            change.extend(c)
            return change.extend(self._p_update_span(logical, start, end, sugg.label))

        def undo() -> Change:
            change = self._p_unaccept(sid, state["logical"])
            for g in to_reject:
                change.extend(self._p_unreject(g))
            return change

        if not self._push(f"Accept and resize “{self._short(start, end)}”", do, undo):
            return None
        new = (SPAN, state["logical"])
        self.select(new)
        return new

    # -- document answers and status ---------------------------------------------

    def answers(self) -> dict[str, DocLabel]:
        """The annotator's answers on the open document by question."""
        if self.doc_id is None:
            return {}
        return {d.question: d for d in self.project.doc_labels(self.doc_id, self.annotator)}

    def set_answer(self, question: str, value: str | None, target: str | None = None) -> bool:
        """Answer (or with ``value`` None/empty, withdraw) a document question."""
        if self.doc_id is None:
            return False
        doc_id = self.doc_id
        before = self.answers().get(question)
        if value:
            self.schema.check_answer(question, value)
        if before is None and not value:
            return True
        if before is not None and before.value == value and (before.target or None) == (target or None):
            return True

        def write(v: str | None, t: str | None) -> Callable[[], Change]:
            def fn() -> Change:
                self._mark_started()
                if v:
                    self.project.set_doc_label(doc_id, self.annotator, question, v, t or None)
                else:
                    self.project.clear_doc_label(doc_id, self.annotator, question)
                self.docLabelsChanged.emit(doc_id)
                return Change()
            return fn

        shown = (value or "")[:30] + (f" → {target}" if target else "")
        return self._push(
            f"Set {question}: {shown}" if value else f"Clear {question}",
            write(value, target),
            write(before.value if before else None, before.target if before else None),
            merge=f"answer:{question}" if self.schema.question(question).free_text else None,
        )

    def status(self) -> str:
        """The annotator's state on the open document."""
        return self.project.status(self.doc_id, self.annotator) if self.doc_id is not None else "todo"

    def set_status(self, state: str) -> bool:
        """Mark the open document done, skipped, in progress or todo (undoable)."""
        if self.doc_id is None:
            return False
        doc_id = self.doc_id
        before = self.status()
        if before == state:
            return True

        def write(s: str) -> Callable[[], Change]:
            def fn() -> Change:
                self.project.set_status(doc_id, self.annotator, s)
                self.statusChanged.emit(doc_id, s)
                return Change()
            return fn

        return self._push(f"Mark {state.replace('_', ' ')}", write(state), write(before))

    # -- helpers ---------------------------------------------------------------

    def _short(self, start: int, end: int, n: int = 30) -> str:
        s = self.text[start:end].replace("\n", " ")
        return s if len(s) <= n else s[: n - 1] + "…"

    def _neighbour(self, key: Key) -> Key | None:
        i = self._index_of(key)
        if i is None:
            return None
        if i + 1 < len(self._order):
            return self._order[i + 1][3]
        return self._order[i - 1][3] if i > 0 else None

    def close(self) -> None:
        """Record time spent; the store has every change already."""
        self.flush_time()
