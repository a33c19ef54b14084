"""Room above the lines for the relation arcs.

``QPlainTextEdit`` lays lines out by their glyphs' heights only (block margins and line
heights of ``QTextBlockFormat`` are ignored), so the arcs would rise over the line above.
When the open article has relations, every fourth space of a paragraph outside the
highlights (and the last such space) gets a format with a taller font, its width taken back by negative letter spacing: each
line with such a space grows by :data:`GAP` pixels above its text, and the arcs are drawn in
that band.  The spaces are set as format ranges of the block layouts (like the highlights),
so the text and its offsets stay as they are.  Only paragraphs that are (or were) in view
get them (:meth:`LineGap.want`): a 100,000-word article would need 25,000 of them at once.
"""

from __future__ import annotations

from typing import Iterable

from PySide6.QtGui import QFont, QFontMetricsF, QTextBlock, QTextCharFormat, QTextLayout

#: pixels of room above each line's text while relations are drawn
GAP = 16.0
#: every how many spaces of a paragraph one is made tall (a line holds more than this many)
EVERY = 4
#: characters of paragraphs given room when an article opens (the first screens; the rest as they scroll in)
FIRST_CHARS = 12_000


class LineGap:
    """Gives the article view's lines room for arcs (``active``) or takes it back."""

    def __init__(self, font: QFont) -> None:
        self.active = False
        #: block numbers whose spaces are tall (those shown so far)
        self.spaced: set[int] = set()
        self._budget = 0
        base = QFontMetricsF(font)
        tall = QFont(font)
        tall.setPointSizeF(font.pointSizeF() * (1 + GAP / max(base.ascent(), 1.0)))
        fmt = QTextCharFormat()
        fmt.setFont(tall)
        fmt.setFontLetterSpacingType(QFont.SpacingType.AbsoluteSpacing)
        fmt.setFontLetterSpacing(base.horizontalAdvance(" ") - QFontMetricsF(tall).horizontalAdvance(" "))
        self._format = fmt
        #: the room each line actually gets (the font's rounding decides the last pixel)
        self.gap = QFontMetricsF(tall).ascent() - base.ascent()

    def reset(self, active: bool) -> None:
        """Room (or none) for a newly shown article: the paragraphs formatted first (in order, when
        the article is shown) get it up to :data:`FIRST_CHARS` characters, the rest as they come
        into view."""
        self.active = active
        self.spaced = set()
        self._budget = FIRST_CHARS if active else 0

    def want(self, numbers: Iterable[int]) -> list[int]:
        """Give these paragraphs room; returns those that had none (to be formatted again)."""
        if not self.active:
            return []
        new = [n for n in numbers if n not in self.spaced]
        self.spaced.update(new)
        return new

    def ranges(self, block: QTextBlock, taken: list[tuple[int, int]]) -> list[QTextLayout.FormatRange]:
        """The tall spaces of one paragraph (none while inactive); ``taken``: the block-relative
        ranges of its highlights, whose spaces stay as they are (a tall space inside a highlight
        would seam its background)."""
        if not self.active:
            return []
        number = block.blockNumber()
        if number not in self.spaced:
            if self._budget <= 0:
                return []
            self.spaced.add(number)  # one of the article's first paragraphs
            self._budget -= block.length()
        text = block.text()
        free = []
        taken = sorted(taken)
        j = 0
        i = text.find(" ")
        while i >= 0:
            while j < len(taken) and taken[j][1] <= i:
                j += 1
            if not (j < len(taken) and taken[j][0] <= i):
                free.append(i)
            i = text.find(" ", i + 1)
        out = []
        fmt = self._format
        last = len(free) - 1
        for k, pos in enumerate(free):
            if k % EVERY == 0 or k == last:
                r = QTextLayout.FormatRange()
                r.start = pos
                r.length = 1
                r.format = fmt
                out.append(r)
        return out
