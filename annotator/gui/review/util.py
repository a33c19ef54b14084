"""Small Qt helpers of the review package."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox


def find_data(combo: QComboBox, value: Any) -> int:
    """Index of the item whose data equals ``value`` (Python equality), or -1.

    ``QComboBox.findData`` compares QVariants and does not match Python tuples."""
    for i in range(combo.count()):
        if combo.itemData(i) == value:
            return i
    return -1
