"""Offsets helpers.

Code points (Python ``str`` indices), end exclusive, are the truth everywhere
in the store and the formats.  Qt counts UTF-16 code units, so the GUI converts
at its boundary with :class:`Utf16Map` and nowhere else.
"""

from __future__ import annotations

from bisect import bisect_right

from annotator.core.errors import OffsetError


def validate_offsets(text: str, start: int, end: int) -> None:
    """Raise :class:`OffsetError` unless ``0 <= start < end <= len(text)``."""
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise OffsetError(f"offsets must be integers, got start={start!r} end={end!r}")
    if start < 0 or end > len(text) or start >= end:
        raise OffsetError(
            f"span [{start}, {end}) does not fit a text of {len(text)} characters "
            "(need 0 <= start < end <= length)"
        )


class Utf16Map:
    """Convert between code-point offsets and UTF-16 offsets of one text.

    Only characters outside the BMP (emoji, some CJK, flags) take two UTF-16
    units, so the map stores just their positions: O(k) memory for k such
    characters and O(log k) per conversion; plain text costs nothing.
    """

    __slots__ = ("_astral_cp", "_astral_u16", "length", "length_utf16")

    def __init__(self, text: str) -> None:
        self._astral_cp: list[int] = []
        self._astral_u16: list[int] = []
        if not text.isascii():
            extra = 0
            for i, ch in enumerate(text):
                if ord(ch) > 0xFFFF:
                    self._astral_cp.append(i)
                    self._astral_u16.append(i + extra)
                    extra += 1
        self.length = len(text)
        self.length_utf16 = len(text) + len(self._astral_cp)

    @property
    def is_identity(self) -> bool:
        """True when both offset systems agree for every position."""
        return not self._astral_cp

    def to_utf16(self, cp: int) -> int:
        """Code-point offset -> UTF-16 offset."""
        if not self._astral_cp:
            return cp
        return cp + bisect_right(self._astral_cp, cp - 1)

    def to_codepoint(self, u16: int) -> int:
        """UTF-16 offset -> code-point offset.

        An offset inside a surrogate pair (which Qt can produce while a cursor
        moves) rounds down to the start of that character.
        """
        if not self._astral_u16:
            return u16
        # n astral characters start before u16; each took one extra unit.  An
        # offset on a low surrogate counts its own character too, which lands
        # it on that character's start.
        n = bisect_right(self._astral_u16, u16 - 1)
        return u16 - n
