"""Helpers of the review-window tests."""

from __future__ import annotations

from typing import Any


def merged(qtbot: Any, window: Any) -> None:
    """Wait until the comparison view's background merges of agreements into gold have ended
    (opening a document queues one on the window's task runner)."""
    view = window.compare
    qtbot.waitUntil(lambda: view.merges is not None and not view.merges.pending, timeout=10000)
