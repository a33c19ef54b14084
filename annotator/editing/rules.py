"""The editing rules: which items a new extent may not overlap, and which
suggestions "accept all" takes.

One overlap rule: in a layer whose schema says ``allow_overlap = false`` an
annotator's spans may not overlap each other; a span made there decides (rejects)
the pending suggestions it overlaps.  Layers that allow overlaps have no conflicts.
"""

from __future__ import annotations

from annotator.core.schema import LabelSchema
from annotator.editing.document import EditedDocument
from annotator.editing.items import SPAN, Key
from annotator.editing.order import ReadingOrder


def overlapping(doc: EditedDocument, schema: LabelSchema, kind: str, layer: str, start: int, end: int,
                ignore: int | None = None) -> list[int]:
    """Ids of ``kind`` items (:data:`SPAN` or :data:`SUGGESTION`) of ``layer`` that
    ``[start, end)`` may not overlap, in reading order (none in a layer that allows
    overlaps; ``ignore`` is the item being resized)."""
    if schema.layer(layer).allow_overlap:
        return []
    out = []
    for key in doc.order.overlapping(start, end):
        if key[0] == kind and key[1] != ignore:
            s = doc.get(key)
            if s is not None and s.layer == layer:
                out.append(key[1])
    return out


def conflicts(doc: EditedDocument, schema: LabelSchema, layer: str, start: int, end: int,
              ignore: int | None = None) -> list[int]:
    """Logical ids of the annotator's spans that forbid ``[start, end)`` in ``layer``."""
    return overlapping(doc, schema, SPAN, layer, start, end, ignore)


def overlap_refusal(doc: EditedDocument, layer: str, conflict: int) -> str:
    """What the annotator is told when an extent overlaps the span ``conflict``."""
    other = doc.spans[conflict]
    return (f"Overlaps {other.label} “{doc.text[other.start:other.end]}”: spans of layer {layer!r} may not overlap "
            "(delete or resize that one first)")


def accept_all_selection(doc: EditedDocument, schema: LabelSchema, label: str | None = None,
                         layer: str | None = None) -> tuple[list[int], int]:
    """The pending suggestions (of ``label``/``layer`` when given) "accept all" takes, in
    reading order, and how many it leaves pending.

    In a layer without overlaps a suggestion is left when it overlaps one of the
    annotator's spans or a suggestion taken before it (the earlier one in reading order wins).
    """
    taken = ReadingOrder(((SPAN, k), s.start, s.end) for k, s in doc.spans.items()
                         if not schema.layer(s.layer).allow_overlap)
    layer_of: dict[Key, str] = {(SPAN, k): s.layer for k, s in doc.spans.items()}
    chosen: list[int] = []
    wanted = 0
    for _start, _neg_end, rank, key in list(doc.order):
        if rank == 0:
            continue
        s = doc.suggestions[key[1]]
        if (label and s.label != label) or (layer and s.layer != layer):
            continue
        wanted += 1
        if not schema.layer(s.layer).allow_overlap:
            if any(layer_of[k] == s.layer for k in taken.overlapping(s.start, s.end)):
                continue
            taken.add(key, s.start, s.end)
            layer_of[key] = s.layer
        chosen.append(key[1])
    return chosen, wanted - len(chosen)
