"""The reading-order index of a document's items, kept sorted incrementally.

Entries are ``(start, -end, rank, key)``: by start, longer first, spans before
suggestions.  Insertions and removals are bisections, and :meth:`overlapping`
looks only at a window of entries (bounded by the longest item) instead of
scanning an article's 20,000 items.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from typing import Iterable, Iterator

from annotator.editing.items import SPAN, Key

Entry = tuple[int, int, int, Key]


def _entry(key: Key, start: int, end: int) -> Entry:
    return (start, -end, 0 if key[0] == SPAN else 1, key)


class ReadingOrder:
    """Keys sorted in reading order, with the extent of each."""

    def __init__(self, items: Iterable[tuple[Key, int, int]] = ()) -> None:
        order = [_entry(key, start, end) for key, start, end in items]
        order.sort()
        self._order = order
        self._entry_of = {e[3]: e for e in order}
        self._max_len = max((-e[1] - e[0] for e in order), default=1)

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._order)

    def __contains__(self, key: object) -> bool:
        return key in self._entry_of

    def keys(self) -> list[Key]:
        """Every key in reading order."""
        return [e[3] for e in self._order]

    def key_at(self, i: int) -> Key:
        """The key at position ``i`` of the order."""
        return self._order[i][3]

    def add(self, key: Key, start: int, end: int) -> None:
        """Insert (or move) ``key`` with the extent ``[start, end)``."""
        self.remove(key)
        entry = _entry(key, start, end)
        insort(self._order, entry)
        self._entry_of[key] = entry
        self._max_len = max(self._max_len, end - start)

    def remove(self, key: Key) -> None:
        """Drop ``key`` if present."""
        entry = self._entry_of.pop(key, None)
        if entry is not None:
            i = bisect_left(self._order, entry)
            if i < len(self._order) and self._order[i] == entry:
                del self._order[i]

    def index(self, key: Key) -> int | None:
        """Position of ``key`` in reading order, None if absent."""
        entry = self._entry_of.get(key)
        return None if entry is None else bisect_left(self._order, entry)

    def position(self, cp: int) -> int:
        """Position of the first item starting at or after code point ``cp``."""
        return bisect_left(self._order, (cp,))

    def neighbour(self, key: Key) -> Key | None:
        """The item after ``key`` in reading order (the one before at the end): where a
        selection goes when its item is removed."""
        i = self.index(key)
        if i is None:
            return None
        if i + 1 < len(self._order):
            return self._order[i + 1][3]
        return self._order[i - 1][3] if i > 0 else None

    def overlapping(self, start: int, end: int) -> list[Key]:
        """Keys whose extent overlaps ``[start, end)``: the one overlap test of the editing rules."""
        lo = bisect_left(self._order, (start - self._max_len,))
        hi = bisect_left(self._order, (end,))
        return [e[3] for e in self._order[lo:hi] if -e[1] > start]
