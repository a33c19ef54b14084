"""Native JSONL export: one line per document and annotator, spans by character offsets.

::

    {"text", "title", "source", "url", "published", "language", "meta", "annotator", "status",
     "spans": [{"start", "end", "label", "layer", "origin"?, "score"?, "kb_id"?}],
     "labels": {"QUESTION": "VALUE" | {"value", "target"}},
     "relations": [{"label", "head": {"start", "end", "layer", "label"}, "child": {...}}]}

Nothing is tokenised or aligned: every span and relation goes out at its exact offsets, so
the ``jsonl`` reader (which reads this shape and Prodigy's) brings back the same work.  The
ends of a relation are spans of the same line; ``label`` on an end only picks between two
spans with the same offsets and layer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from annotator.formats.base import register_reader
from annotator.formats.export import ExportContext, ExportRecord, register_writer
from annotator.formats.prodigy import read_jsonl
from annotator.formats.relations import native
from annotator.formats.spacy_format import document_user_data


def native_line(rec: ExportRecord, ctx: ExportContext) -> dict[str, Any]:
    """The native JSONL object of one record."""
    fields = document_user_data(rec.document)
    line: dict[str, Any] = {"text": rec.document.text}
    line.update({k: v for k, v in fields.items() if k not in ("id", "meta") and v not in ("", None)})
    if fields["meta"]:
        line["meta"] = fields["meta"]
    if rec.annotator:
        line["annotator"] = rec.annotator
    if rec.status != "todo":
        line["status"] = rec.status
    spans = []
    for layer, group in ctx.layer_spans(rec).items():
        for s in group:
            span: dict[str, Any] = {"start": s.start, "end": s.end, "label": s.label, "layer": layer}
            if s.origin != "human":
                span["origin"] = s.origin
            if s.score is not None:
                span["score"] = s.score
            if s.kb_id:
                span["kb_id"] = s.kb_id
            spans.append(span)
    spans.sort(key=lambda s: (s["start"], s["end"], s["layer"], s["label"]))
    line["spans"] = spans
    if rec.answers:
        line["labels"] = {q: ({"value": v, "target": t} if t else v) for q, (v, t) in rec.answers.items()}
    layers = set(ctx.layers)
    rels = [r for r in rec.relations if r.head.layer in layers and r.child.layer in layers]
    ctx.not_written("relations", len(rec.relations) - len(rels))  # an end's layer was not exported
    if rels:
        line["relations"] = native(rels)
    return line


@register_writer("native", ".jsonl",
                 description="native JSONL: text, spans and relations by character offsets, annotator, status, labels")
def write_native(records: Iterator[ExportRecord], out: Path, ctx: ExportContext) -> None:
    """Write one native JSON line per record to ``out``."""
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(native_line(rec, ctx), ensure_ascii=False) + "\n")


# ``--format native`` on import: the jsonl reader reads native lines (and Prodigy's)
register_reader("native")(read_jsonl)
