"""One call that puts the review features into the main window's menus.

``install_review_actions(window)`` needs only what the main window offers by
contract: ``menu(name) -> QMenu``, ``project`` (an open Project: its ``path``),
``runner`` (optional: the window's TaskRunner, shared so jobs queue and every
window hears of the others' writes) and ``annotator`` (the current name, read when an action runs, so switching
annotator is respected: in blind mode an annotator gets the blind-mode notice).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from annotator.gui.review.assign_dialog import AssignDialog
from annotator.gui.review.merge_dialog import MergeDialog
from annotator.gui.review.window import ReviewWindow


def install_review_actions(window: Any) -> dict[str, QAction]:
    """Add File > Merge… and Review > Agreement and adjudication… / Assign… to ``window``."""
    opened: list[Any] = []  # keep the windows and dialogs alive while shown

    def alive(w: Any) -> bool:
        try:
            return bool(w.isVisible())
        except RuntimeError:  # already deleted by Qt (closed with WA_DeleteOnClose)
            return False

    def keep(w: Any) -> Any:
        opened[:] = [o for o in opened if alive(o)]
        opened.append(w)
        return w

    def open_review() -> ReviewWindow:
        review = ReviewWindow(window.project.path, reviewer=window.annotator or "gold", parent=window,
                              runner=getattr(window, "runner", None))
        review.setWindowFlag(Qt.WindowType.Window, True)
        review.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        review.show()
        return keep(review)

    def open_merge() -> MergeDialog:
        dialog = MergeDialog(window.project.path, window, runner=getattr(window, "runner", None))
        dialog.show()
        return keep(dialog)

    def open_assign() -> AssignDialog:
        dialog = AssignDialog(window.project.path, window.project.annotators(), window,
                              runner=getattr(window, "runner", None))
        dialog.show()
        return keep(dialog)

    actions = {}
    for key, menu, text, slot, shortcut, tip in (
        ("merge", "File", "&Merge annotators' projects…", open_merge, None,
         "Bring annotators' project files into this one (matched by text; re-runnable)"),
        ("review", "Review", "&Agreement and adjudication…", open_review, "Ctrl+Shift+R",
         "Inter-annotator agreement, comparison of annotators and the gold version"),
        ("assign", "Review", "A&ssign documents and export packages…", open_assign, None,
         "Give each document to k annotators and write one project file per annotator"),
    ):
        act = QAction(text, window)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setStatusTip(tip)
        act.setToolTip(tip)
        act.triggered.connect(lambda _checked=False, fn=slot: fn())
        window.menu(menu).addAction(act)
        actions[key] = act
    window._review_opened = opened  # noqa: SLF001 - lifetime of the dialogs follows the window
    return actions
