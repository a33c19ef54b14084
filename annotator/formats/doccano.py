"""doccano JSONL: export and import.

Export, one line per document and annotator::

    {"id": 1, "text": "...", "label": [[0, 6, "PER"], ...], "cats": ["stance:AGAINST"],
     "labels": {"stance": {"value": "AGAINST", "target": "Rusia"}}, "annotator": "ana", "meta": {...}}

``label`` holds ``[start, end, LABEL]`` triples in code points (what doccano's
Python side stores); names used by several layers are written ``LAYER_LABEL``
(:mod:`annotator.formats.labels`).  The reader also takes the relations
variant (``entities`` with ``start_offset``/``end_offset``), the intent
variant (``entities`` triples + ``cats``) and classification lines whose
``label`` is a list of answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from annotator.core.errors import InputError, detail
from annotator.core.model import Document, Span
from annotator.formats.base import ImportRecord, ReadOptions, iter_json_lines, register_reader
from annotator.formats.export import ExportContext, ExportRecord, register_writer, suggestions_back
from annotator.formats.labels import flat_label, unflatten
from annotator.formats.relations import aligned_ends, by_id, span_key
from annotator.formats.spacy_format import document_user_data


@register_writer("doccano", ".jsonl", description="doccano JSONL with [start, end, label] triples")
def write_doccano(records: Iterator[ExportRecord], out: Path, ctx: ExportContext) -> None:
    """Write doccano JSONL to ``out``."""
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        for number, rec in enumerate(records, start=1):
            doc = rec.document
            triples = [[s.start, s.end, flat_label(ctx.schema, s.layer, s.label)]
                       for spans in ctx.layer_spans(rec).values() for s in spans]
            triples.sort()
            # Every line carries the same keys, empty ones included: doccano reads a file
            # into one table, and a key missing on some lines becomes NaN in their meta,
            # which its database refuses for the whole file ("JSON_VALID(meta)").
            obj: dict[str, Any] = {
                "id": doc.id if doc.id is not None else number, "text": doc.text, "label": triples,
                "cats": [f"{q}:{v}" for q, (v, _t) in rec.answers.items() if not ctx.schema.question(q).free_text],
                "labels": {q: ({"value": v, "target": t} if t else v) for q, (v, t) in rec.answers.items()},
                "annotator": rec.annotator or "",
                "status": rec.status,
            }
            # doccano's relation shape beside the triples (on every line when the project has
            # relations, for the same keys): entities with ids and the relations between them
            if ctx.with_relations:
                obj["entities"], obj["relations"] = [], []
            if rec.relations:
                obj["entities"] = [{"id": i, "label": lab, "start_offset": a, "end_offset": b}
                                   for i, (a, b, lab) in enumerate(triples, start=1)]
                ids = {(a, b, lab): i for i, (a, b, lab) in enumerate(triples, start=1)}
                keyed = {span_key(s): ids[(s.start, s.end, flat_label(ctx.schema, s.layer, s.label))]
                         for spans in ctx.layer_spans(rec).values() for s in spans}
                obj["relations"] = [{"id": k, "from_id": h, "to_id": c, "type": r.label}
                                    for k, (r, h, c) in enumerate(aligned_ends(rec.relations, keyed, ctx), start=1)]
            info = document_user_data(doc)
            info.pop("id")
            obj["meta"] = {k: v for k, v in info.items() if v not in ("", None, {})}
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")


def sniff_doccano(head: str) -> bool:
    """A first JSON line with ``label`` (and no ``spans``) or doccano ``entities``
    (``head`` holds the whole first line, however long)."""
    first = head.split("\n", 1)[0]
    try:
        obj = json.loads(first)
    except ValueError:
        return False
    if not isinstance(obj, dict) or "text" not in obj or "spans" in obj:
        return False
    if isinstance(obj.get("label"), list):
        return True
    ents = obj.get("entities")
    return isinstance(ents, list) and bool(ents) and (isinstance(ents[0], list) or "start_offset" in ents[0])


def _entity_triples(obj: dict[str, Any], path: Path, line: int) -> tuple[list[tuple[Any, Any, str]], list[str]]:
    triples: list[tuple[Any, Any, str]] = []
    classes: list[str] = []
    for key in ("label", "labels", "entities"):
        raw = obj.get(key)
        if key != "labels" and raw is not None and not isinstance(raw, list):
            # "label": "PER" would otherwise import the text with no span and no word
            raise InputError(f"{key!r} must be a list ([[start, end, LABEL], ...] or [CLASS, ...]), "
                             f"not {type(raw).__name__} {raw!r:.40}", path, line)
        if not isinstance(raw, list):
            continue
        for item in raw:
            if isinstance(item, (list, tuple)) and len(item) == 3:
                triples.append((item[0], item[1], str(item[2])))
            elif isinstance(item, dict) and "start_offset" in item:
                triples.append((item["start_offset"], item["end_offset"], str(item.get("label"))))
            elif isinstance(item, str):
                classes.append(item)
            else:
                raise InputError(f"{key!r}: cannot read {item!r} (want [start, end, LABEL])", path, line)
    if isinstance(obj.get("cats"), list):
        classes.extend(str(c) for c in obj["cats"])
    return triples, classes


@register_reader("doccano", (".doccano.jsonl",), sniff=sniff_doccano)
def read_doccano(path: Path, options: ReadOptions) -> Iterator[ImportRecord]:
    """Read doccano JSONL (see module docstring)."""
    schema = options.schema
    records = []
    for number, obj in iter_json_lines(path):
        text = obj.get("text") if "text" in obj else obj.get("data")
        if not isinstance(text, str) or not text.strip():
            raise InputError('missing or empty "text"', path, number)
        triples, classes = _entity_triples(obj, path, number)
        spans = []
        for start, end, name in triples:
            where = unflatten(schema, name)
            if where is None:
                raise InputError(f"label {name!r} is not in the schema", path, number)
            span = Span(start, end, where[1], where[0])
            try:
                span.validate(text)
            except ValueError as exc:
                raise InputError(f"[{start}, {end}, {name!r}]: {detail(exc)}", path, number) from exc
            spans.append(span)
        spans = list(dict.fromkeys(spans))  # our export repeats the triples as relation "entities"
        relations = []
        if isinstance(obj.get("relations"), list) and obj["relations"]:
            by_entity = {}
            for e in obj.get("entities") or []:
                if isinstance(e, dict) and "id" in e:
                    where = unflatten(schema, str(e.get("label")))
                    found = [s for s in spans if where is not None and (s.start, s.end, s.layer, s.label) ==
                             (e.get("start_offset"), e.get("end_offset"), where[0], where[1])]
                    if found:
                        by_entity[e["id"]] = found[0]
            relations = by_id([(r.get("type"), r.get("from_id"), r.get("to_id")) for r in obj["relations"]
                               if isinstance(r, dict)], by_entity, path, number, "relation")
        answers: dict[str, tuple[str, str | None]] = {}
        raw_labels = obj.get("labels") if isinstance(obj.get("labels"), dict) else {}
        for q, v in raw_labels.items():
            answers[str(q)] = (str(v["value"]), v.get("target")) if isinstance(v, dict) else (str(v), None)
        for c in classes:
            q, sep, v = c.partition(":")
            if not sep:
                owners = [x.name for x in schema.questions if c in x.values]
                if len(owners) != 1:
                    raise InputError(f"class {c!r} answers no question of the schema (or several)", path, number)
                q, v = owners[0], c
            answers.setdefault(q, (v, None))
        for q, (v, _t) in answers.items():
            try:
                schema.check_answer(q, v)
            except ValueError as exc:
                raise InputError(detail(exc), path, number) from exc
        meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
        inner = meta.get("meta") if isinstance(meta.get("meta"), dict) else {}
        fields = {k: str(meta[k]) for k in ("title", "source", "url", "published", "language") if meta.get(k)}
        annotator = obj.get("annotator") or obj.get("user") or options.annotator
        records.append(suggestions_back(ImportRecord(
            Document(text=text, meta={**inner, "file": path.name}, **fields),
            annotator=str(annotator) if annotator else None,
            spans=spans, answers=answers, relations=relations,
            status=str(obj["status"]) if obj.get("status") and obj["status"] != "todo" else None,
            line=number, clean=False,
        )))
    if not records:
        raise InputError("empty file", path)
    return iter(records)
