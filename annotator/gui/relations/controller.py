"""Relations in the workspace: arcs over the article, the relation list, the keyboard
(select the head, press a relation key, select the child and press it again or click
it) and the mouse (select a span, drag from it to another).  Every edit is an editing
plan pushed on the session's undo stack, like span edits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QGroupBox, QLayout, QMenu, QSizePolicy, QVBoxLayout

from annotator.core.relations import Endpoint, Relation, SuggestedRelation
from annotator.editing import REL, REL_SUGGESTION, SPAN, Key, NoEdit, Plan, RelKey
from annotator.gui.commands import keyboard_command
from annotator.gui.relations.line_gap import LineGap
from annotator.gui.relations.overlay import Arc, RelationOverlay
from annotator.gui.relations.panel import RelationList

if TYPE_CHECKING:
    from annotator.gui.main_window import MainWindow


def _short(text: str, n: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


class RelationController(QObject):
    """Owns the overlay and the list of one main window and turns keys and drags into edits."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.session = window.session
        self.schema = window.session.schema
        self.types = {rt.name: rt for rt in self.schema.relations}
        self.view = window.view
        self.overlay = RelationOverlay(self.view)
        self.view.relation_overlay = self.overlay
        self.gap = LineGap(self.view.font())
        self.view.highlighter.block_extras = self.gap.ranges
        self._room_seen: tuple[int, int] | None = None
        self.view.updateRequest.connect(lambda _rect, _dy: self._room_in_view())
        self.panel = RelationList([(rt.name, rt.colour, rt.hotkey) for rt in self.schema.relations], self.describe)
        self.box = QGroupBox("Relations")
        QVBoxLayout(self.box).addWidget(self.panel)
        self.box.layout().setContentsMargins(2, 2, 2, 2)
        self.box.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        # it shares the span list's room and never makes the window's smallest size larger
        self.box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        #: (label, head key) while the keyboard waits for the child
        self.pending: tuple[str, Key] | None = None
        self.selected: RelKey | None = None
        self._by_end: dict[Key, set[RelKey]] = {}
        self._by_pos: dict[tuple[str, int, int], set[RelKey]] = {}  # suggested relations by end position
        s = self.session
        # before the window shows the article (it connects after us): the lines get their room for arcs
        # in the same pass that formats the highlights
        s.documentOpened.connect(lambda _doc: self.refresh(reformat=False))
        s.relationsChanged.connect(self._on_relations_changed)
        s.itemsChanged.connect(self._on_items_changed)
        s.selectionChanged.connect(self._on_span_selected)
        self.view.itemClicked.connect(self._on_item_clicked)
        self.view.relationDragged.connect(self.drag_relate)
        self.panel.relationSelected.connect(self.select)
        self.panel.deleteRequested.connect(self.delete)
        self.panel.acceptRequested.connect(self.accept)
        self.panel.relabelRequested.connect(self.relabel)

    # -- what is drawn and listed -----------------------------------------------------------

    def _end16(self, key: Key | None, fallback: Endpoint | None) -> tuple[int, int] | None:
        item = self.session.item_for(key) if key is not None else None
        if item is not None:
            return item.start16, item.end16
        if fallback is None:
            return None
        to16 = self.session.map.to_utf16
        return to16(fallback.start), to16(fallback.end)

    def _ends(self, rel: Relation | SuggestedRelation) -> tuple[Key | None, Key | None]:
        if isinstance(rel, Relation):
            logical = self.session.editor.aliases.logical
            return (SPAN, logical(rel.head)), (SPAN, logical(rel.child))
        # a suggested relation is drawn at its ends' offsets (no look-up of the items there:
        # 2,500 of those cost a quarter of a second when an article opens); indexed by position
        for end in (rel.head, rel.child):
            self._by_pos.setdefault((end.layer, end.start, end.end), set()).add((REL_SUGGESTION, rel.id or 0))
        return None, None

    def _rel(self, key: RelKey) -> Relation | SuggestedRelation | None:
        doc = self.session.editor.doc
        return doc.relations.get(str(key[1])) if key[0] == REL else doc.relation_suggestions.get(int(key[1]))

    def _arc(self, key: RelKey) -> tuple[Arc, tuple[Key | None, Key | None]] | None:
        rel = self._rel(key)
        if rel is None:
            return None
        ends = self._ends(rel)
        h = self._end16(ends[0], rel.head_end if isinstance(rel, Relation) else rel.head)
        c = self._end16(ends[1], rel.child_end if isinstance(rel, Relation) else rel.child)
        if h is None or c is None:
            return None
        rt = self.types.get(rel.label)
        return Arc(key, h, c, rel.label, rt.colour if rt else "#555555", key[0] == REL_SUGGESTION), ends

    def describe(self, key: RelKey) -> tuple[str, str]:
        """A list row's text and why the relation no longer fits the schema ("": it fits); the
        list asks only for the rows it shows."""
        rel = self._rel(key)
        arc = self.overlay.arcs.get(key)
        if rel is None or arc is None:
            return "", ""
        (h0, h1), (c0, c1) = arc.head16, arc.child16
        text = self.session.text
        from16 = self.session.map.to_codepoint
        row = (f"{rel.label}: “{_short(text[from16(h0):from16(h1)])}” → "
               f"{_short(text[from16(c0):from16(c1)], 20)}")
        if key[0] == REL_SUGGESTION and rel.score is not None:
            row += f"  ({rel.score:.2f})"
        problem = self.session.editor.relation_problem(rel) if isinstance(rel, Relation) else None
        if problem:  # an end was relabelled out of what the type allows: shown, never hidden
            row = f"⚠ {row}"
        return row, problem or ""

    def _build(self, keys: Iterable[RelKey]) -> tuple[list[Arc], list[tuple[RelKey, str, bool]]]:
        arcs, rows = [], []
        by_end = self._by_end
        for key in keys:
            built = self._arc(key)
            if built is None:
                continue
            arc, ends = built
            arcs.append(arc)
            rows.append((key, arc.colour, arc.suggested))
            for end in ends:
                if end is not None:
                    by_end.setdefault(end, set()).add(key)
        return arcs, rows

    def _build_all(self) -> tuple[list[Arc], list[tuple[RelKey, str, bool]]]:
        """Every arc and row of the open document: :meth:`_build` unrolled, because an article
        opens with thousands of relations (a stored relation's ends carry their current offsets:
        the editor reads them again whenever a span moves)."""
        doc = self.session.editor.doc
        logical = self.session.editor.aliases.logical
        to16 = self.session.map.to_utf16
        colours = {name: rt.colour for name, rt in self.types.items()}
        by_end: dict[Key, set[RelKey]] = {}
        by_pos: dict[tuple[str, int, int], set[RelKey]] = {}
        arcs, rows = [], []
        for uid, rel in doc.relations.items():
            he, ce = rel.head_end, rel.child_end
            if he is None or ce is None:
                continue
            key = (REL, uid)
            colour = colours.get(rel.label, "#555555")
            arcs.append(Arc(key, (to16(he.start), to16(he.end)), (to16(ce.start), to16(ce.end)), rel.label, colour))
            rows.append((key, colour, False))
            for end in ((SPAN, logical(rel.head)), (SPAN, logical(rel.child))):
                got = by_end.get(end)
                if got is None:
                    by_end[end] = {key}
                else:
                    got.add(key)
        for sid, sug in doc.relation_suggestions.items():
            he, ce = sug.head, sug.child
            key = (REL_SUGGESTION, sid)
            colour = colours.get(sug.label, "#555555")
            arcs.append(Arc(key, (to16(he.start), to16(he.end)), (to16(ce.start), to16(ce.end)), sug.label, colour,
                            True))
            rows.append((key, colour, True))
            for pos in ((he.layer, he.start, he.end), (ce.layer, ce.start, ce.end)):
                got = by_pos.get(pos)
                if got is None:
                    by_pos[pos] = {key}
                else:
                    got.add(key)
        self._by_end, self._by_pos = by_end, by_pos
        return arcs, rows

    def refresh(self, reformat: bool = True) -> None:
        """Draw and list every relation of the open document again (``reformat``: the article is
        shown already, so a change of the room for arcs formats it again)."""
        self.pending = None
        arcs, rows = self._build_all()
        self._room(any(not a.suggested for a in arcs), reformat)
        self.overlay.set_arcs(arcs)
        # the list in reading order: the overlay's index is that order already
        arcs_at = {key: i for i, key in enumerate(a.key for a in arcs)}
        self.panel.set_rows([rows[arcs_at[k]] for _lo, _hi, k in self.overlay.order()])
        self.select(None)

    def _room(self, wanted: bool, reformat: bool) -> None:
        """Room above the lines while the article has relations of the annotator's own (none with
        only suggested ones: those are drawn at the selection alone, so every article with a
        quotation would otherwise get tall lines and tall highlights for arcs nobody sees).
        Opening an article (``reformat`` False) only decides: the highlighter formats it next,
        its first paragraphs with room; later ones get room as they come into view."""
        self._room_seen = None
        if not reformat:
            self.gap.reset(wanted)
        elif wanted != self.gap.active:
            self.gap.reset(wanted)
            self.view.highlighter.reformat()
            self._room_in_view()
        self.overlay.gap = self.gap.gap if wanted else 0.0

    def _room_in_view(self) -> None:
        """Give room to the paragraphs in view (and a few after) that have none yet."""
        if not self.gap.active:
            return
        view = self.view
        first = view.firstVisibleBlock().blockNumber()
        # updateRequest comes on every cursor blink and hover too: the hit test below only
        # when the view shows other paragraphs than last time
        seen = (first, view.viewport().height())
        if seen == self._room_seen:
            return
        self._room_seen = seen
        last = view.cursorForPosition(view.viewport().rect().bottomLeft()).block().blockNumber()
        new = self.gap.want(range(max(first - 1, 0), last + 3))
        if new:
            view.highlighter.reformat(new)

    def _redo(self, keys: Iterable[RelKey]) -> None:
        keys = list(dict.fromkeys(keys))
        arcs, rows = self._build(keys)
        if not self.gap.active and any(not a.suggested for a in arcs):  # the article's first relation
            self._room(True, True)
        have = {a.key for a in arcs}
        gone = [k for k in keys if k not in have]
        self.overlay.update_arcs(gone, arcs)
        self.panel.update_rows(gone, rows)
        if self.selected in gone:
            self.select(None)

    def _on_relations_changed(self, keys: list[RelKey]) -> None:
        self._redo(keys)

    def _on_items_changed(self, removed: list[Key], added: list) -> None:
        # an end moved, was relabelled or accepted: only the arcs at those spans
        touched = set()
        for key in [*removed, *(item.key for item in added)]:
            touched |= self._by_end.get(key, set())
        if touched:
            self._redo(touched)

    # -- selection --------------------------------------------------------------------------

    def select(self, key: RelKey | None) -> None:
        """Select a relation (its arc thicker, its row current)."""
        self.selected = key
        self.overlay.set_selected(key)
        self.panel.select_key(key)

    # -- making relations --------------------------------------------------------------------

    def _run(self, plan: Plan) -> bool:
        if isinstance(plan, NoEdit):
            if plan.message:
                self.w.statusBar().showMessage(plan.message, 6000)
            return False
        return self.session.run_edit(plan)

    def start(self, label: str, head: Key) -> bool:
        """Remember ``head`` and wait for the child of a ``label`` relation."""
        refused = self.session.editor.relation_refusal(label, "head", head)
        if refused:
            self.w.statusBar().showMessage(refused, 6000)
            return False
        self.pending = (label, head)
        self.w.statusBar().showMessage(f"{label} from “{_short(self.session.span_text(head), 30)}”: select the "
                                       f"child span and press {self.types[label].hotkey} again (or click it); "
                                       "Esc cancels", 15000)
        return True

    def finish(self, child: Key, label: str | None = None) -> bool:
        """Make the pending relation with ``child`` as its child."""
        if self.pending is None:
            return False
        pending_label, head = self.pending
        self.pending = None
        return self._run(self.session.editor.plan_relate(head, child, label or pending_label))

    def relate(self, head: Key, child: Key, label: str) -> bool:
        """Make a ``label`` relation from ``head`` to ``child`` (suggested ends are accepted)."""
        return self._run(self.session.editor.plan_relate(head, child, label))

    def fitting(self, head: Key, child: Key) -> list[str]:
        """The relation types that may join ``head`` to ``child``."""
        editor = self.session.editor
        return [name for name in self.types
                if not editor.relation_refusal(name, "head", head) and not editor.relation_refusal(name, "child", child)]

    def drag_relate(self, head: Key, child: Key) -> bool:
        """A drag from ``head`` to ``child``: the one fitting type at once, else a menu of them."""
        names = self.fitting(head, child)
        if not names:
            self.w.statusBar().showMessage("No relation type joins these two spans", 6000)
            return False
        if len(names) == 1:
            return self.relate(head, child, names[0])
        menu = self.drag_menu(head, child, names)
        menu.popup(self.view.mapToGlobal(self.view.cursorRect().center()))
        return True

    def drag_menu(self, head: Key, child: Key, names: list[str]) -> QMenu:
        """The menu of relation types a drag can make (built, shown by the caller)."""
        menu = QMenu(self.view)
        for name in names:
            menu.addAction(name).triggered.connect(lambda _c=False, n=name: self.relate(head, child, n))
        return menu

    @keyboard_command
    def relation_key(self, label: str) -> bool:
        """A relation key: start from the selected span, or finish at it, or relabel the selected relation."""
        chosen = self.session.selected
        if self.pending is not None:
            if chosen is None or chosen == self.pending[1]:
                self.w.statusBar().showMessage("Select the child span first (arrows or a click)", 6000)
                return False
            return self.finish(chosen, label)
        if chosen is not None:
            return self.start(label, chosen)
        if self.selected is not None:
            return self.relabel(self.selected, label)
        self.w.statusBar().showMessage(f"Select the head span of the {label} relation first", 6000)
        return False

    def _on_item_clicked(self, key: Key | None) -> None:
        if self.pending is not None and key is not None and key != self.pending[1]:
            self.finish(key)

    def _on_span_selected(self, key: Key | None) -> None:
        # the suggested relations at the selected span are drawn (the others are listed only)
        item = self.session.item_for(key) if key is not None else None
        self.overlay.set_focus(set(self._by_pos.get((item.layer, item.start, item.end), ())) if item else set())
        if key is None and self.pending is not None:  # Esc, or the click landed on no span
            self.pending = None
            self.w.statusBar().showMessage("Relation cancelled", 3000)

    # -- changing relations ------------------------------------------------------------------

    def delete(self, key: RelKey | None = None) -> bool:
        """Delete a relation, or reject a suggested one."""
        key = key or self.selected
        return key is not None and self._run(self.session.editor.plan_delete_relation(key))

    def accept(self, key: RelKey | None = None) -> bool:
        """Accept a suggested relation (its ends become spans when they are not)."""
        key = key or self.selected
        return key is not None and self._run(self.session.editor.plan_accept_relation(key))

    def delete_invalid(self) -> bool:
        """Delete every relation that no longer fits the schema (one undo step)."""
        return self._run(self.session.editor.plan_delete_invalid_relations())

    def invalid(self) -> list[RelKey]:
        """The listed relations marked as no longer fitting the schema."""
        return [(REL, u) for u in self.session.editor.invalid_relations()]

    def relabel(self, key: RelKey | None, label: str) -> bool:
        """Another label for a relation (a suggested one is accepted with it)."""
        key = key or self.selected
        return key is not None and self._run(self.session.editor.plan_relabel_relation(key, label))


def install_relations(window: MainWindow) -> RelationController | None:
    """Arcs, the relation list (under the span list) and one action per relation type of the
    schema (Edit menu and the F1 list).  Nothing when the schema has no relation types."""
    from annotator.gui.actions import ActionSpec

    if not window.session.schema.relations:
        return None
    ctl = RelationController(window)
    column = window.span_box.parentWidget()
    column.layout().addWidget(ctl.box, 1)
    menu = window.menu("Edit").addMenu("Relations")
    for rt in window.session.schema.relations:
        act = QAction(f"{rt.name} relation (select head, key, select child)", window)
        if rt.hotkey:
            act.setShortcut(QKeySequence(rt.hotkey))
        act.triggered.connect(lambda _c=False, n=rt.name: ctl.relation_key(n))
        window.addAction(act)
        menu.addAction(act)
        window._actions[f"relation_{rt.name}"] = act  # noqa: SLF001 - the window's action registry
        window.action_table.append(ActionSpec(f"relation_{rt.name}", act.text(), "Edit", tuple(act.shortcuts())))
    menu.addSeparator()
    act = QAction("Delete relations that no longer fit", window)
    act.setStatusTip("Delete the relations marked ⚠ (an end was relabelled to a label the type does not allow)")
    act.triggered.connect(lambda _c=False: ctl.delete_invalid())
    menu.addAction(act)
    window._actions["relation_delete_invalid"] = act  # noqa: SLF001 - the window's action registry
    window.action_table.append(ActionSpec("relation_delete_invalid", act.text(), "Edit", ()))
    return ctl

