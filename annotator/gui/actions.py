"""The main window's actions as data: one row per action (name, text, menu,
keys, command).  :func:`build_actions` turns the table into menu entries and
shortcuts; :func:`shortcut_rows` turns the same table into the Help >
Keyboard shortcuts (F1) list, so the menus and the list cannot disagree.

A command is ``command(window)``; most call one of the keyboard commands of
:class:`annotator.gui.commands.Commands` (``window.commands``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from annotator.core.schema import LabelSchema
from annotator.gui.dialogs import ShortcutsDialog, show_about

if TYPE_CHECKING:
    from annotator.gui.main_window import MainWindow

MENUS = ("File", "Edit", "View", "Document", "Review", "Help")

SK = QKeySequence.StandardKey
K = Qt.Key
Command = Callable[["MainWindow"], Any]


@dataclass(frozen=True)
class ActionSpec:
    """One row of the action table.

    ``menu`` is a top-level menu, or ``"Edit/Apply &label"`` for a submenu;
    ``keys`` are anything :class:`QKeySequence` takes (a standard key with no
    binding on this platform falls back to ``fallback``); ``make`` builds the
    action itself (undo and redo come from the undo stack); ``separator``
    puts a line above the action.
    """

    name: str
    text: str
    menu: str
    keys: tuple[Any, ...] = ()
    command: Command | None = None
    tip: str = ""
    checkable: bool = False
    separator: bool = False
    fallback: str = ""
    make: Callable[[MainWindow], QAction] | None = None

    @property
    def top_menu(self) -> str:
        """The menu bar entry the action sits under."""
        return self.menu.split("/")[0]


def cmd(name: str, *args: Any) -> Command:
    """The command calling ``window.commands.<name>(*args)``."""
    return lambda w: getattr(w.commands, name)(*args)


def win(name: str, *args: Any) -> Command:
    """The command calling ``window.<name>(*args)``."""
    return lambda w: getattr(w, name)(*args)


A = ActionSpec
FILE_ACTIONS = (
    A("open", "&Open project…", "File", (SK.Open,), cmd("open_project")),
    A("open_server", "Open &server project…", "File", ("Ctrl+Shift+O",), cmd("open_server_project"),
      tip="Open a project on a PostgreSQL server (postgresql://USER@HOST/DB)"),
    A("import", "&Import articles…", "File", ("Ctrl+I",), win("import_dialog"),
      tip="Import .txt, .jsonl or .csv files in the background"),
    A("export", "&Export…", "File", ("Ctrl+Shift+E",), win("export_dialog"),
      tip="Write training data (spaCy, CoNLL, JSONL, brat, ...) in the background", separator=True),
    A("switch_annotator", "Switch &annotator…", "File", (), cmd("switch_annotator")),
    # some platforms (offscreen, bare X11) define no Quit key: fall back to the common one
    A("quit", "&Quit", "File", (SK.Quit,), lambda w: w.close(), separator=True, fallback="Ctrl+Q"),
)
EDIT_ACTIONS = (
    A("undo", "&Undo", "Edit", (SK.Undo,), make=lambda w: w.session.undo_stack.createUndoAction(w, "&Undo")),
    A("redo", "&Redo", "Edit", (SK.Redo, "Ctrl+Shift+Z"),  # Ctrl+Shift+Z: Linux's, not everywhere
      make=lambda w: w.session.undo_stack.createRedoAction(w, "&Redo")),
    A("accept", "&Accept suggestion", "Edit", (K.Key_Return, K.Key_Enter, K.Key_Space), cmd("accept_selected"),
      separator=True),
    A("reject", "Reject suggestion / &delete span", "Edit", (K.Key_X, SK.Delete, K.Key_Backspace),
      cmd("reject_selected")),
    A("accept_label", "Accept all suggestions of this &label", "Edit", (K.Key_A,), cmd("accept_all_label")),
    A("accept_all", "Accept all suggestions in &document", "Edit", ("Shift+A",), cmd("accept_all")),
    *(A(f"label_{n}", f"Label {n}", "Edit/Apply &label", (str(n),), cmd("hotkey", str(n)), separator=n == 1)
      for n in range(1, 10)),
    A("layer", "Switch active &layer", "Edit", (K.Key_L,), lambda w: w.session.cycle_layer()),
    A("next_span", "&Next span", "Edit", (K.Key_Right,), cmd("step_span", 1), separator=True),
    A("prev_span", "&Previous span", "Edit", (K.Key_Left,), cmd("step_span", -1)),
    A("next_token", "Token caret to the next token", "Edit", ("Ctrl+Right",), cmd("step_caret", 1)),
    A("prev_token", "Token caret to the previous token", "Edit", ("Ctrl+Left",), cmd("step_caret", -1)),
    A("end_right", "Move end one token right", "Edit", ("Shift+Right",), cmd("move", "end", 1)),
    A("end_left", "Move end one token left", "Edit", ("Shift+Left",), cmd("move", "end", -1)),
    A("start_left", "Move start one token left", "Edit", ("Ctrl+Shift+Left",), cmd("move", "start", -1)),
    A("start_right", "Move start one token right", "Edit", ("Ctrl+Shift+Right",), cmd("move", "start", 1)),
    A("end_right_char", "Move end one character right", "Edit", ("Alt+Shift+Right",), cmd("move", "end", 1, True)),
    A("end_left_char", "Move end one character left", "Edit", ("Alt+Shift+Left",), cmd("move", "end", -1, True)),
    A("deselect", "Clear selection", "Edit", (K.Key_Escape,), cmd("clear_selection")),
)
VIEW_ACTIONS = (
    A("dark", "&Dark theme", "View", ("Ctrl+Shift+D",), win("toggle_theme"), checkable=True),
    A("label_tags", "Label &tags on highlights", "View", ("Ctrl+T",), win("toggle_label_tags"), checkable=True,
      tip="Write each span's label next to it, so labels are not told by colour alone"),
    A("zoom_in", "Zoom &in", "View", (SK.ZoomIn,), lambda w: w.view.zoomIn(1)),
    A("zoom_out", "Zoom &out", "View", (SK.ZoomOut,), lambda w: w.view.zoomOut(1)),
    A("find", "&Search documents", "View", (SK.Find,), cmd("focus_search")),
    A("focus_article", "Focus the &article", "View", ("Ctrl+E",), lambda w: w.view.setFocus()),
)
DOCUMENT_ACTIONS = (
    A("next_doc", "&Next document", "Document", (K.Key_N, K.Key_PageDown), cmd("step_document", 1)),
    A("prev_doc", "&Previous document", "Document", (K.Key_P, K.Key_PageUp), cmd("step_document", -1)),
    A("next_todo", "Next &not done", "Document", ("Shift+N",), cmd("next_not_done")),
    A("goto", "&Go to document…", "Document", ("Ctrl+L",), cmd("go_to_document")),
    A("done", "Mark &done", "Document", (K.Key_D,), cmd("set_status", "done"), separator=True),
    A("done_next", "Mark done and go to next not done", "Document", ("Ctrl+Return",), cmd("done_and_next")),
    A("skip", "Mark &skipped", "Document", (K.Key_S,), cmd("set_status", "skipped")),
    A("reopen", "&Reopen (in progress)", "Document", ("Shift+D",), cmd("set_status", "in_progress")),
)
SUGGEST_ACTIONS = (
    A("suggest_doc", "Suggest for this &document", "Document", ("Ctrl+G",), win("suggest_document"), separator=True,
      tip="Run the suggesters on the open document again (in the background)"),
    A("suggest", "Suggest for the &project", "Document", ("Ctrl+Shift+G",), win("suggest_project"),
      tip="Run the suggesters on every document that changed (in the background)"),
    A("models", "&Models…", "Document", (), cmd("model_dialog"),
      tip="Train a model from the project's annotations, see the runs, pick the one that suggests"),
)
HELP_ACTIONS = (
    # Review: the review part adds its windows to this menu (annotator.gui.review.wiring)
    A("stats", "My &progress…", "Review", (),
      lambda w: QMessageBox.information(w, "My progress", w.info.progress_text(w.annotator))),
    A("shortcuts", "&Keyboard shortcuts", "Help", (SK.HelpContents,),
      lambda w: ShortcutsDialog(w.shortcut_rows(), w).exec()),
    A("about", "&About", "Help", (), lambda w: show_about(w, w.info.path)),
)


def question_actions(schema: LabelSchema) -> list[ActionSpec]:
    """Ctrl+1..9 answer each closed document question (from the project's schema)."""
    out = []
    for q in schema.questions:
        if q.free_text:
            continue
        for i, value in enumerate(q.values[:9]):
            out.append(A(f"{q.name}_{value}", f"{q.name.capitalize()}: {value}", "Document", (f"Ctrl+{i + 1}",),
                         lambda w, q=q.name, i=i: w.answers.choose(q, i), separator=not out))
    return out


def action_table(schema: LabelSchema) -> list[ActionSpec]:
    """Every action of the main window, in menu order."""
    return [*FILE_ACTIONS, *EDIT_ACTIONS, *VIEW_ACTIONS, *DOCUMENT_ACTIONS, *question_actions(schema),
            *SUGGEST_ACTIONS, *HELP_ACTIONS]


def _sequences(spec: ActionSpec) -> list[QKeySequence]:
    seqs: list[QKeySequence] = []
    for k in spec.keys:
        if isinstance(k, SK):
            bound = QKeySequence.keyBindings(k)
            seqs.extend(bound if bound else ([QKeySequence(spec.fallback)] if spec.fallback else []))
        else:
            seqs.append(QKeySequence(k))
    return list(dict.fromkeys(seqs))  # a standard key may already hold an explicit one


def build_actions(window: MainWindow, table: Sequence[ActionSpec]) -> dict[str, QAction]:
    """Create the menus (:data:`MENUS`) and one window-wide action per row; returns them by name."""
    bar = window.menuBar()
    menus = window.menus
    for name in MENUS:
        menus[name] = bar.addMenu(f"&{name}")
    actions: dict[str, QAction] = {}
    for spec in table:
        act = spec.make(window) if spec.make is not None else QAction(spec.text, window)
        seqs = _sequences(spec)
        if seqs:
            act.setShortcuts(seqs)
        act.setCheckable(spec.checkable)
        if spec.tip:
            act.setStatusTip(spec.tip)
            act.setToolTip(spec.tip)
        if spec.command is not None:
            act.triggered.connect(lambda _checked=False, c=spec.command: c(window))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if spec.separator:
            menus[spec.top_menu].addSeparator()
        if spec.menu not in menus:  # a submenu, made when its first action comes
            top, _, sub = spec.menu.partition("/")
            menus[spec.menu] = menus[top].addMenu(sub)
        menus[spec.menu].addAction(act)
        window.addAction(act)
        actions[spec.name] = act
    return actions


def shortcut_rows(table: Sequence[ActionSpec], actions: dict[str, QAction]) -> list[tuple[str, str, str]]:
    """``(menu, action, keys)`` for every row of ``table``, grouped by menu (the F1 list).

    The text and keys are read from the built action (label actions are renamed
    for the active layer; a label number with no label on it is left out)."""
    rows = []
    for menu in MENUS:
        for spec in table:
            act = actions.get(spec.name)
            if spec.top_menu != menu or act is None or "(none in" in act.text():
                continue
            keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts())
            rows.append((menu, act.text().replace("&", ""), keys))
    return rows
