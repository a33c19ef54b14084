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


def link_disagreement_text(project: Any, document_id: int, names: list[str]) -> str:
    """The comparison view's note on knowledge-base links the annotators disagree on."""
    from annotator.review.links import document_link_disagreements

    found = document_link_disagreements(project, document_id, names)
    if not found:
        return ""
    lines = [f"Links differ on {len(found)} mention(s):"]
    for d in found[:12]:
        who = "; ".join(f"{n}: {e or 'not linked'}" for n, e in d.entries.items())
        lines.append(f"  “{d.text}” ({d.start}-{d.end}): {who}")
    if len(found) > 12:
        lines.append(f"  … and {len(found) - 12} more")
    return "\n".join(lines)
