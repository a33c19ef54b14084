"""Logical span ids that survive undo and redo.

Re-doing a deleted span stores it again under a new row id.  Edits refer to a
span by its *logical* id (the row id it had when first stored, or when first
read) and :class:`IdAliases` maps it to the row id it has now.
"""

from __future__ import annotations


class IdAliases:
    """Two-way map between logical and real (stored) span ids; an unknown id maps to itself."""

    def __init__(self) -> None:
        self._real: dict[int, int] = {}
        self._logical: dict[int, int] = {}

    def real(self, logical: int) -> int:
        """The row id the span ``logical`` is stored under now."""
        return self._real.get(logical, logical)

    def logical(self, real: int) -> int:
        """The logical id of the stored row ``real``."""
        return self._logical.get(real, real)

    def bind(self, logical: int | None, real: int) -> int:
        """Record that ``logical`` (None: a new span, its own logical id) is now stored as ``real``;
        returns the logical id."""
        logical = real if logical is None else logical
        self._real[logical] = real
        self._logical[real] = logical
        return logical
