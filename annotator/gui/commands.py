"""The keyboard (and mouse) commands of the main window: what a key press or a
click on the article does.  The action table (:mod:`annotator.gui.actions`)
binds keys to these; editing itself goes through the window's
:class:`~annotator.gui.session.Session`.

A single-key command (N, X, a digit, the arrows) must not fire while the user
types in a text field: :func:`keyboard_command` is that one guard.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
)

from annotator.core.errors import AnnotatorError
from annotator.core.tokens import snap_to_tokens
from annotator.editing import SPAN, SUGGESTION, Key
from annotator.gui import settings as user_settings
from annotator.gui.opening import open_project

if TYPE_CHECKING:
    from annotator.gui.main_window import MainWindow

F = TypeVar("F", bound=Callable[..., Any])


def user_is_typing() -> bool:
    """True while the focus is in a text field, where keys are text, not commands."""
    w = QApplication.focusWidget()
    if isinstance(w, QLineEdit):
        return True
    if isinstance(w, QPlainTextEdit) and not w.isReadOnly():
        return True
    return isinstance(w, QComboBox) and w.isEditable()


def keyboard_command(fn: F) -> F:
    """Do nothing while :func:`user_is_typing` (the key belongs to the text field)."""

    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if user_is_typing():
            return None
        return fn(*args, **kwargs)

    return guarded  # type: ignore[return-value]


class TypingGuard(QObject):
    """Keys without Ctrl or Alt belong to the text field being typed in: Enter in the stance
    target box picks the entity instead of accepting a suggestion.  (A window shortcut takes the
    key before the field sees it unless the field claims it in ShortcutOverride; this claims it.)"""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ShortcutOverride and user_is_typing() and isinstance(event, QKeyEvent) \
                and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            event.accept()
            return True
        return False


@contextmanager
def busy_cursor() -> Iterator[None]:
    """A wait cursor around a bulk action that runs on the GUI thread (one transaction)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class Commands:
    """The commands of one main window (``window.commands``)."""

    def __init__(self, window: MainWindow) -> None:
        self.w = window
        self.session = window.session

    def _say(self, text: str, ms: int) -> None:
        self.w.statusBar().showMessage(text, ms)

    def _cp(self, pos16: int) -> int:
        return self.session.map.to_codepoint(pos16)

    # -- documents ---------------------------------------------------------------

    @keyboard_command
    def step_document(self, direction: int) -> None:
        """Next or previous document of the list."""
        doc_id = self.w.documents.neighbour(self.w.current_document, direction)
        if doc_id is not None:
            self.w.open_document(doc_id)

    @keyboard_command
    def next_not_done(self) -> None:
        """Go to the next document in the list not done or skipped (wrapping)."""
        docs = self.w.documents
        nxt = docs.first_not_done(self.w.current_document)
        if nxt is None:
            self._say("Every document in the list is done or skipped" if docs.model.rowCount()
                      else "No documents in the list", 6000)
            return
        self.w.open_document(nxt)

    @keyboard_command
    def set_status(self, state: str) -> None:
        """Mark the open document (undoable); done asks about undecided suggestions first."""
        if state == "done" and not self._settle_pending():
            return
        self.session.set_status(state)

    def done_and_next(self) -> None:
        """Mark done (asking about undecided suggestions), then go to the next document not done."""
        self.w.answers.commit_all()
        if self.session.doc_id is None:  # nothing open (a document too long to open): just move on
            self.next_not_done()
            return
        if self._settle_pending() and self.session.set_status("done"):
            self.next_not_done()

    def _settle_pending(self) -> bool:
        """Undecided suggestions are not exported: before marking done, ask whether to accept them.
        False when the user cancelled."""
        s = self.session
        pending = len(s.suggestions)
        if s.doc_id is None or pending == 0 or s.status() == "done":
            return True
        choice = self.confirm_done(pending)
        if choice == "accept":
            with busy_cursor():
                s.accept_all()
        return choice in ("accept", "leave")

    def confirm_done(self, pending: int) -> str:
        """Ask what becomes of ``pending`` undecided suggestions: ``"accept"`` (accept the rest),
        ``"leave"`` (mark done without them) or ``"cancel"``; tests replace this method."""
        box = QMessageBox(QMessageBox.Icon.Question, "Undecided suggestions",
                          f"{pending} suggestion{'s' if pending != 1 else ''} on this document "
                          f"{'are' if pending != 1 else 'is'} neither accepted nor rejected.\n\n"
                          "Only accepted suggestions are exported; undecided ones are left out.", parent=self.w)
        accept = box.addButton("Accept the rest and mark done", QMessageBox.ButtonRole.AcceptRole)
        leave = box.addButton("Mark done, leave them out", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(accept)
        box.exec()
        clicked = box.clickedButton()
        return "accept" if clicked is accept else "leave" if clicked is leave else "cancel"

    def set_language(self, code: str) -> None:
        """The user picked the open document's language: store it and suggest the document again
        (the language picks the cue words and rules)."""
        s = self.session
        if s.doc_id is None:
            return
        try:
            changed = self.w.project.set_language(s.doc_id, code)
        except (AnnotatorError, ValueError) as exc:
            self._say(f"Language not changed: {exc}", 6000)
            return
        if changed:
            self._say(f"Language set to {code}; suggesting this document again…", 6000)
            self.w.suggest_document()

    def go_to_document(self) -> None:
        """Ask for a document id and open it."""
        ids = self.w.info.document_ids()
        if not ids:
            return
        current = self.session.doc_id or ids[0]
        doc_id, ok = QInputDialog.getInt(self.w, "Go to document", f"Document id ({ids[0]}–{ids[-1]}):", current,
                                         ids[0], ids[-1])
        if not ok:
            return
        if doc_id not in set(ids):
            self._say(f"No document {doc_id}", 5000)
            return
        if self.w.documents.model.row_of(doc_id) is None:  # filtered out: show everything again
            self.w.documents.clear_filters()
        self.w.open_document(doc_id)
        self.w.view.setFocus()

    def open_project(self) -> None:
        """Open another project file in a new window."""
        w = self.w
        path, _ = QFileDialog.getOpenFileName(w, "Open project", str(w.info.path.parent),
                                              "Projects (*.db);;All files (*)")
        if path:
            self._open_in_window(path)

    def open_server_project(self) -> None:
        """File > Open server project…: a ``postgresql://`` URL, tried off the GUI thread, in a new window."""
        from annotator.gui.server_dialog import ServerDialog

        dialog = ServerDialog(self.w)
        dialog.opened.connect(self._open_in_window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.w._server_dialog = dialog  # noqa: SLF001 - kept alive while shown
        dialog.open()

    def _open_in_window(self, target: str) -> None:
        w = self.w
        try:
            win = type(w)(open_project(target, w), w.annotator, theme_name=w.theme.name)
        except AnnotatorError as exc:
            QMessageBox.warning(w, "Cannot open project", str(exc))
            return
        win.owns_project = True
        win.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        win.show()

    def switch_annotator(self) -> None:
        """Ask for another name; reopen the project as that annotator."""
        from annotator.gui.annotator_dialog import ask_annotator

        w = self.w
        name = ask_annotator(w.project, w, current=w.annotator)
        if name and name != w.annotator:
            user_settings.remember_annotator(name)
            win = type(w)(w.project, name, theme_name=w.theme.name)
            win.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            win.show()
            self.session.close()
            w.memory.shutdown()
            w.hide()

    def model_dialog(self) -> None:
        """Document > Models…: train, the history of runs, the model that suggests."""
        from annotator.gui.model_dialog import ModelDialog

        w = self.w
        dialog = ModelDialog(w.project.path, w, annotator=w.annotator, main_runner=w.runner,
                             train_runner=w.auto_train.runner)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        w._model_dialog = dialog  # noqa: SLF001 - kept alive while shown
        dialog.show()

    def focus_search(self) -> None:
        """Ctrl+F."""
        self.w.documents.search.setFocus()
        self.w.documents.search.selectAll()

    # -- spans and suggestions ---------------------------------------------------------

    @keyboard_command
    def hotkey(self, key: str) -> None:
        """A number key: relabel the selected item, or pick the active label."""
        s = self.session
        item = s.item_for(s.selected) if s.selected else None
        label = s.label_for_hotkey(key)
        if label is None:
            return
        if item is not None:
            s.relabel(s.selected, label)
        elif s.caret is not None:  # a span typed at the caret: its label becomes the one for new spans
            s.set_active(s.active_layer, label)
            s.create_span(*s.caret, label=label, layer=s.active_layer, exact=True)
        else:
            s.set_active(s.active_layer, label)
            self._say(f"New spans: {s.active_layer} / {label}", 3000)

    @keyboard_command
    def accept_selected(self) -> None:
        """Enter/Space: accept the selected suggestion, then select the next one."""
        if self.w.focusWidget() is self.w.documents.table:  # Enter in the list: go and annotate
            self.w.view.setFocus()
            return
        s = self.session
        if s.selected is None and s.caret is not None:
            s.create_span(*s.caret, exact=True)
            return
        if s.selected is None:
            s.select_next(1, from_cp=self._cp(self.w.view.visible_start()))
            return
        if s.selected[0] == SPAN:
            s.select_next(1)
            return
        new = s.accept(s.selected)
        if new is not None:
            nxt = s.neighbour(new)
            if nxt is not None and nxt[0] == SUGGESTION:
                s.select(nxt)

    @keyboard_command
    def reject_selected(self) -> None:
        """X/Delete: reject the selected suggestion or delete the selected span."""
        self.session.reject()

    @keyboard_command
    def accept_all_label(self) -> None:
        """Accept every pending suggestion with the selected (or active) label."""
        s = self.session
        item = s.item_for(s.selected) if s.selected else None
        layer = item.layer if item else s.active_layer
        label = item.label if item else s.active_label[layer]
        with busy_cursor():
            s.accept_all(label=label, layer=layer)

    @keyboard_command
    def accept_all(self) -> None:
        """Accept every pending suggestion of the document."""
        with busy_cursor():
            self.session.accept_all()

    @keyboard_command
    def step_span(self, direction: int) -> None:
        """Arrow keys: select the next or previous span or suggestion."""
        self.session.select_next(direction, from_cp=self._cp(self.w.view.visible_start()))

    def clear_selection(self) -> None:
        """Esc: no selected span, no token caret."""
        self.session.select(None)
        self.session.caret = None
        self.w.view.set_caret(None)

    @keyboard_command
    def step_caret(self, direction: int) -> None:
        """Ctrl+arrows: move the token caret (then a number key or Enter makes a span there)."""
        self.session.move_caret(direction)

    @keyboard_command
    def move(self, which: str, direction: int, exact: bool = False) -> None:
        """Shift+arrows: move a boundary of the selection by a token (or a character)."""
        if self.session.selected is None:
            self._say("Select a span first (click it, or use ← →)", 4000)
            return
        self.session.move_boundary(self.session.selected, which, direction, exact=exact)

    # -- the mouse on the article ----------------------------------------------------------

    def text_selected(self, start16: int, end16: int, exact: bool) -> None:
        """A drag over the text makes a span (snapped to tokens unless ``exact``)."""
        try:
            self.session.create_span(self._cp(start16), self._cp(end16), exact=exact)
        except AnnotatorError as exc:
            self._say(str(exc), 6000)

    def item_clicked(self, key: Key | None) -> None:
        """A click selects; a click on the selected suggestion accepts it."""
        s = self.session
        if key is not None and key == s.selected and key[0] == SUGGESTION:
            s.accept(key)
        else:
            s.select(key)

    def boundary_dragged(self, key: Key, which: str, pos16: int, exact: bool) -> None:
        """A dragged span edge: the new extent, snapped to tokens unless ``exact``."""
        s = self.session
        item = s.item_for(key)
        if item is None:
            return
        pos = self._cp(pos16)
        if which == "start":
            start, end = min(pos, item.end - 1), item.end
            if not exact:
                snapped = snap_to_tokens(s.text, start, start + 1)
                start = snapped[0] if snapped else start
        else:
            start, end = item.start, max(pos, item.start + 1)
            if not exact:
                snapped = snap_to_tokens(s.text, end - 1, end)
                end = snapped[1] if snapped else end
        s.set_extent(key, start, end)

    def palette_label(self, layer: str, label: str) -> None:
        """A click on a label chip: make it active and relabel the selection of that layer."""
        s = self.session
        item = s.item_for(s.selected) if s.selected else None
        s.set_active(layer, label)
        if item is not None and item.layer == layer:
            s.relabel(s.selected, label)
        self.w.view.setFocus()

    def item_menu(self, key: Key | None, global_pos: Any) -> QMenu | None:
        """Right click on a highlight: the same actions as the keys, for the mouse."""
        if key is None:
            return None
        s = self.session
        s.select(key)
        item = s.item_for(key)
        if item is None:
            return None
        menu = QMenu(self.w)
        if item.is_suggestion:
            menu.addAction(f"Accept {item.label}", lambda: s.accept(key))
            menu.addAction("Reject", lambda: s.reject(key))
            menu.addAction(f"Accept all {item.label} suggestions",
                           lambda: s.accept_all(label=item.label, layer=item.layer))
        else:
            menu.addAction("Delete", lambda: s.reject(key))
        sub = menu.addMenu("Label as")
        for lab in self.w.info.schema.layer(item.layer).labels:
            act = sub.addAction(f"{lab.name}" + (f"\t{lab.hotkey}" if lab.hotkey else ""),
                                lambda name=lab.name: s.relabel(key, name))
            act.setEnabled(lab.name != item.label or item.is_suggestion)
        menu.addSeparator()
        menu.addAction("Extend end by a token\tShift+Right", lambda: s.move_boundary(key, "end", 1))
        menu.addAction("Shrink end by a token\tShift+Left", lambda: s.move_boundary(key, "end", -1))
        menu.addAction("Extend start by a token\tCtrl+Shift+Left", lambda: s.move_boundary(key, "start", -1))
        menu.addAction("Shrink start by a token\tCtrl+Shift+Right", lambda: s.move_boundary(key, "start", 1))
        self.last_menu = menu
        menu.popup(global_pos)
        return menu
