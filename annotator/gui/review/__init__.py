"""The review window (agreement, comparison, adjudication) and File > Merge."""

from __future__ import annotations

from pathlib import Path

from annotator.gui.review.assign_dialog import AssignDialog
from annotator.gui.review.merge_dialog import MergeDialog
from annotator.gui.review.window import ReviewWindow
from annotator.gui.review.wiring import install_review_actions

__all__ = ["AssignDialog", "MergeDialog", "ReviewWindow", "install_review_actions", "run_review"]


def run_review(path: Path, reviewer: str = "gold", quit_after_ms: int | None = None) -> int:
    """Open the review window as an application (``annotator review PROJECT``)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    window = ReviewWindow(path, reviewer=reviewer)
    window.show()
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, window.close)
        QTimer.singleShot(quit_after_ms + 50, app.quit)
    return int(app.exec())
