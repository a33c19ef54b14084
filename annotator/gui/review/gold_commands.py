"""The undo commands of adjudication: each carries the change it made and
replays its inverse (``annotator.review.adjudicate.undo_change``)."""

from __future__ import annotations

from typing import Callable, Protocol

from PySide6.QtGui import QUndoCommand

from annotator.core.model import GOLD
from annotator.review import adjudicate as adj
from annotator.store import Project


class GoldView(Protocol):
    """What a command needs of the comparison view."""

    project: Project

    def refresh_after_change(self, document_id: int) -> None:
        """Show the document's gold again after a change."""


class GoldCommand(QUndoCommand):
    """One adjudication step on the undo stack.  The first redo performs the
    action; undo and later redos replay the recorded :class:`GoldChange`."""

    def __init__(self, view: GoldView, document_id: int, text: str,
                 action: Callable[[], adj.GoldChange] | None = None, *, done: adj.GoldChange | None = None) -> None:
        """``action`` makes the change on the first redo; ``done`` is a change already made
        (in the background): the first redo then does nothing, the caller shows it."""
        super().__init__(text)
        self._view = view
        self._doc = document_id
        self._action: Callable[[], adj.GoldChange] | None = action
        self._change: adj.GoldChange | None = done
        self._skip_redo = done is not None

    def redo(self) -> None:
        project = self._view.project
        if self._skip_redo:
            self._skip_redo = False
            return
        if self._action is not None:
            self._change = self._action()
            self._action = None
            if self._change.empty:
                self.setObsolete(True)
        else:
            assert self._change is not None
            self._change = adj.undo_change(project, self._doc, self._change)  # the recorded inverse
        self._view.refresh_after_change(self._doc)

    def undo(self) -> None:
        assert self._change is not None
        self._change = adj.undo_change(self._view.project, self._doc, self._change)
        self._view.refresh_after_change(self._doc)


class GoldStatusCommand(QUndoCommand):
    """Set gold's status on a document (undo restores the one before)."""

    def __init__(self, view: GoldView, document_id: int, state: str) -> None:
        super().__init__(f"Mark gold {state}")
        self._view = view
        self._doc = document_id
        self._state = state
        self._before = view.project.status(document_id, GOLD)

    def redo(self) -> None:
        self._view.project.set_status(self._doc, GOLD, self._state)
        self._view.refresh_after_change(self._doc)

    def undo(self) -> None:
        self._view.project.set_status(self._doc, GOLD, self._before)
        self._view.refresh_after_change(self._doc)
