"""Relations in files: the shared helpers of the formats that carry them.

Every format names a relation's two ends by something of its own (our JSONL by
offsets and layer, Prodigy by token index and ``head_span``/``child_span``,
brat by ``T`` ids, doccano by entity ids, Label Studio by result ids, spaCy by
start tokens); all of them resolve to spans of the same record here.  What a
writer cannot carry (an end that was left out of the file) is counted with
``ctx.not_written("relations")`` and reported, never dropped without a word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from annotator.core.errors import InputError
from annotator.core.model import Span
from annotator.core.relations import Endpoint, RelationRecord, endpoint_of

#: what ``ExportContext.not_written`` counts relations under
UNWRITTEN = "relations"


def span_key(span: Any) -> tuple[str, int, int, str]:
    """``(layer, start, end, label)`` of a span or endpoint."""
    return (span.layer, span.start, span.end, span.label)


def native(relations: Iterable[RelationRecord]) -> list[dict[str, Any]]:
    """Our JSONL shape: ``{"label", "head": {"start", "end", "layer"}, "child": {...}}`` (plus the ends' labels)."""
    return [{"label": r.label,
             "head": {"start": r.head.start, "end": r.head.end, "layer": r.head.layer, "label": r.head.label},
             "child": {"start": r.child.start, "end": r.child.end, "layer": r.child.layer, "label": r.child.label}}
            for r in relations]


def find_end(spans: Sequence[Span], start: int, end: int, layer: str | None = None, label: str | None = None
             ) -> Endpoint | None:
    """The span of ``spans`` at ``start``-``end`` (and ``layer``/``label`` when given) as an endpoint."""
    best = None
    for s in spans:
        if (s.start, s.end) == (start, end) and (layer is None or s.layer == layer):
            if label is None or s.label == label:
                return endpoint_of(s)
            best = best or endpoint_of(s)
    return best


def parse_native(raw: Any, spans: Sequence[Span], path: Path, line: int | None) -> list[RelationRecord]:
    """Relations of one JSONL line: native ends (``{"start", "end", "layer"}``) or Prodigy ends
    (``head``/``child`` token indices with ``head_span``/``child_span``)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InputError('"relations" must be a list', path, line)
    out = []
    for i, r in enumerate(raw, start=1):
        if not isinstance(r, dict) or "label" not in r:
            raise InputError(f'relation {i} must be an object with a "label"', path, line)
        ends = []
        for side in ("head", "child"):
            where = r.get(side)
            if not isinstance(where, Mapping):
                where = r.get(f"{side}_span")
            if not isinstance(where, Mapping) or "start" not in where or "end" not in where:
                raise InputError(f'relation {i}: "{side}" needs "start" and "end" (or "{side}_span")', path, line)
            found = find_end(spans, where["start"], where["end"], where.get("layer"), where.get("label"))
            if found is None:
                raise InputError(f"relation {i}: its {side} {where['start']}-{where['end']} is not a span of "
                                 "the same line", path, line)
            ends.append(found)
        out.append(RelationRecord(str(r["label"]), ends[0], ends[1]))
    return out


def by_id(relations: Iterable[tuple[str, Any, Any]], ids: Mapping[Any, Span], path: Path, line: int | None,
          what: str) -> list[RelationRecord]:
    """Relations named ``(label, head id, child id)`` over spans by id (brat T ids, doccano and
    Label Studio ids); an unknown id is an error naming it."""
    out = []
    for label, head, child in relations:
        if head not in ids or child not in ids:
            missing = head if head not in ids else child
            raise InputError(f"{what} {label}: no span with id {missing!r}", path, line)
        out.append(RelationRecord(str(label), endpoint_of(ids[head]), endpoint_of(ids[child])))
    return out


def aligned_ends(relations: Iterable[RelationRecord], moved: Mapping[tuple[str, int, int, str], Any], ctx: Any
                 ) -> list[tuple[RelationRecord, Any, Any]]:
    """Relations whose ends are among the written spans (``moved`` maps a span's key to what was
    written for it); the others are counted as not written."""
    out = []
    for r in relations:
        h, c = moved.get(span_key(r.head)), moved.get(span_key(r.child))
        if h is None or c is None:
            ctx.not_written(UNWRITTEN)
            continue
        out.append((r, h, c))
    return out


def store_relations(project: Any, doc_id: int, annotator: str, relations: Sequence[RelationRecord]) -> int:
    """Store a record's relations between ``annotator``'s spans on the document (the record's spans,
    stored just before); one already there is not added again.  Returns how many were added."""
    ids: dict[tuple[str, int, int, str], int] = {}
    loose: dict[tuple[str, int, int], int] = {}
    for s in project.spans(doc_id, annotator):
        ids.setdefault(span_key(s), s.id)
        loose.setdefault((s.layer, s.start, s.end), s.id)
    have = {r.key for r in project.relations(doc_id, annotator)}
    n = 0
    for r in relations:
        if r.key in have:
            continue
        ends = [ids.get(span_key(e)) or loose.get((e.layer, e.start, e.end)) for e in (r.head, r.child)]
        if None in ends:
            raise ValueError(f"a {r.label} relation joins spans the record does not hold")
        project.add_relation(ends[0], ends[1], r.label)
        have.add(r.key)
        n += 1
    return n
