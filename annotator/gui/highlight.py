"""Span highlighting of the article: per-block format ranges (QTextLayout),
the way QSyntaxHighlighter does it, driven by a span index.

Why not ExtraSelections or ``mergeCharFormat``: 20,000 extra selections are
repainted as a flat list on every paint, and char formats live in the
document (undo, fragment splitting).  Per-block ``QTextLayout.setFormats``
keeps the formats out of the document, costs one Python call per span on a
full build, and an edit re-formats only the blocks the changed span touches.

Offsets here are UTF-16 (Qt's); :class:`Item` carries both systems and the
conversion is done once, by the session, through ``Utf16Map``.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Callable, Iterable

from PySide6.QtGui import QColor, QTextBlock, QTextCharFormat, QTextDocument, QTextLayout

from annotator.core.schema import LabelSchema
from annotator.editing import SPAN, Item, Key
from annotator.gui.themes import Theme


def item_tooltip(item: Item) -> str:
    """What the tooltip says: label, layer, origin and score."""
    what = "suggestion" if item.is_suggestion else "span"
    score = f", score {item.score:.2f}" if item.score is not None else ""
    return f"<b>{item.label}</b> <i>({item.layer} {what})</i><br>origin: {item.origin}{score}"


class SpanHighlighter:
    """Keeps the article's format ranges in step with a set of :class:`Item`."""

    def __init__(self, document: QTextDocument, schema: LabelSchema, theme: Theme) -> None:
        self.document = document
        self.schema = schema
        self.theme = theme
        self._formats: dict[tuple[str, str, str], QTextCharFormat] = {}
        self._underline_layers = {lay.name for lay in schema.layers if lay.style == "underline"}
        self._items: dict[Key, Item] = {}
        self._block_items: list[list[Item]] = []
        self._block_starts: list[int] = []
        self._blocks: list[QTextBlock] = []
        #: more format ranges for a block (the relation arcs' room above the lines), None: none
        self.block_extras: Callable[[QTextBlock, list[tuple[int, int]]], list[QTextLayout.FormatRange]] | None = None

    # -- formats -------------------------------------------------------------

    def reformat(self, numbers: Iterable[int] | None = None) -> None:
        """Apply the formats of these blocks (None: all) again (their extras changed)."""
        if numbers is None:
            self._apply_blocks(range(len(self._blocks)), whole=True)
        else:
            self._apply_blocks(sorted(n for n in numbers if 0 <= n < len(self._blocks)))

    def set_theme(self, theme: Theme) -> None:
        """Switch theme and re-format everything."""
        self.theme = theme
        self._formats.clear()
        self._apply_blocks(range(len(self._blocks)), whole=True)

    def char_format(self, layer: str, label: str, kind: str) -> QTextCharFormat:
        """The (cached) format for a label drawn as span or suggestion."""
        key = (layer, label, kind)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            try:
                colour = QColor(self.schema.layer(layer).label(label).colour)
            except Exception:  # noqa: BLE001 - a label the schema lost still shows, in grey
                colour = QColor("#999999")
            line = QColor(colour)
            if layer in self._underline_layers:
                # cues: underline only, so an entity's background under it stays visible
                fmt.setUnderlineColor(line)
                if kind == SPAN:
                    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                    fmt.setFontUnderline(True)
                else:
                    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            else:
                bg = QColor(colour)
                if kind == SPAN:
                    bg.setAlpha(self.theme.span_alpha)
                else:
                    bg.setAlpha(self.theme.suggestion_alpha)
                    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                    fmt.setUnderlineColor(line)
                fmt.setBackground(bg)
            self._formats[key] = fmt
        return fmt

    # -- items ---------------------------------------------------------------

    def set_items(self, items: Iterable[Item]) -> None:
        """Replace every item and re-format the whole document (opening an article)."""
        self._blocks = []
        self._block_starts = []
        block = self.document.begin()
        while block.isValid():
            self._blocks.append(block)
            self._block_starts.append(block.position())
            block = block.next()
        self._block_items = [[] for _ in self._blocks]
        self._items = {}
        starts = self._block_starts
        block_items = self._block_items
        by_key = self._items
        nb = len(starts)
        b = 0
        last = -1
        for item in items:
            s16 = item.start16
            if s16 < last:  # not in reading order: a bisect per item instead of one walk
                b = 0
            last = s16
            while b + 1 < nb and starts[b + 1] <= s16:
                b += 1
            by_key[item.key] = item
            if b + 1 >= nb or starts[b + 1] >= item.end16:
                block_items[b].append(item)
            else:
                for bb in range(b, bisect_right(starts, item.end16 - 1)):
                    block_items[bb].append(item)
        self._apply_blocks(range(nb), whole=True)

    def update(self, removed: Iterable[Key] = (), added: Iterable[Item] = ()) -> None:
        """Remove and add items, re-formatting only the blocks they touch."""
        touched: set[int] = set()
        for key in removed:
            item = self._items.pop(key, None)
            if item is None:
                continue
            for b in self._block_range(item):
                self._block_items[b] = [i for i in self._block_items[b] if i.key != key]
                touched.add(b)
        for item in added:
            old = self._items.get(item.key)
            if old is not None:
                for b in self._block_range(old):
                    self._block_items[b] = [i for i in self._block_items[b] if i.key != item.key]
                    touched.add(b)
            touched.update(self._index(item))
        self._apply_blocks(sorted(touched))

    def item(self, key: Key) -> Item | None:
        """The item with ``key``, if shown."""
        return self._items.get(key)

    def items(self) -> list[Item]:
        """Every item (no particular order)."""
        return list(self._items.values())

    def items_at(self, pos16: int) -> list[Item]:
        """Items covering UTF-16 position ``pos16`` (spans first, then suggestions)."""
        if not self._block_starts:
            return []
        b = bisect_right(self._block_starts, pos16) - 1
        if b < 0:
            return []
        hits = [i for i in self._block_items[b] if i.start16 <= pos16 < i.end16]
        hits.sort(key=lambda i: (i.is_suggestion, i.end16 - i.start16))
        return hits

    # -- internals -----------------------------------------------------------

    def _block_range(self, item: Item) -> range:
        first = bisect_right(self._block_starts, item.start16) - 1
        last = bisect_right(self._block_starts, max(item.start16, item.end16 - 1)) - 1
        return range(max(first, 0), last + 1)

    def _index(self, item: Item) -> range:
        self._items[item.key] = item
        blocks = self._block_range(item)
        for b in blocks:
            self._block_items[b].append(item)
        return blocks

    def _apply_blocks(self, numbers: Iterable[int], whole: bool = False) -> None:
        doc = self.document
        underline = self._underline_layers
        fmt_cache = self._formats
        extras = self.block_extras
        for b in numbers:
            block = self._blocks[b]
            bstart = self._block_starts[b]
            bend = bstart + block.length() - 1
            items = self._block_items[b]
            if len(items) > 1:
                # suggestions under spans; cues (underline) last so they merge on top
                items.sort(key=lambda i: (i.layer in underline, not i.is_suggestion, i.start16))
            ranges = []
            for it in items:
                s = it.start16 if it.start16 > bstart else bstart
                e = it.end16 if it.end16 < bend else bend
                if e <= s:
                    continue
                r = QTextLayout.FormatRange()
                r.start = s - bstart
                r.length = e - s
                fmt = fmt_cache.get((it.layer, it.label, it.key[0]))
                r.format = fmt if fmt is not None else self.char_format(it.layer, it.label, it.key[0])
                ranges.append(r)
            if extras is not None:
                ranges += extras(block, [(r.start, r.start + r.length) for r in ranges])
            block.layout().setFormats(ranges)
            if not whole:
                doc.markContentsDirty(bstart, block.length())
        if whole:
            doc.markContentsDirty(0, doc.characterCount())

    def block_items(self, number: int) -> list[Item]:
        """Items touching block ``number`` (for the view's overlay painting)."""
        if 0 <= number < len(self._block_items):
            return self._block_items[number]
        return []

    def underline_layer(self, layer: str) -> bool:
        """True when ``layer`` is drawn as underline (cues)."""
        return layer in self._underline_layers
