"""Prodigy-style JSONL: export, and the ``jsonl`` reader for both dialects.

One line per document and annotator::

    {"text", "meta", "_input_hash", "_task_hash", "tokens": [{text,start,end,id,ws}],
     "spans": [{start,end,token_start,token_end,label,layer}], "answer",
     "_annotator_id", "_session_id", "options": [...], "accept": [...],
     "labels": {...}, "status"}

``token_end`` is inclusive (Prodigy's convention).  Choice questions are
``options`` (``{"id": "stance:AGAINST", "text": "stance: AGAINST"}``) with the
chosen ids in ``accept``; ``labels`` repeats the answers with their targets
(and free-text answers) in the native JSONL shape.  ``answer`` is ``ignore``
for documents the annotator skipped, else ``accept``.

The ``jsonl`` reader registered here replaces the native one from
:mod:`annotator.formats.text`: it reads native lines exactly as before and
Prodigy lines (``_annotator_id``, ``tokens``, ``accept``) too, so every
export of this module imports back with ``--format jsonl``.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any, Iterator

from annotator.core.errors import InputError, detail
from annotator.core.model import DEFAULT_LAYER, Document, Span
from annotator.formats.base import ImportRecord, ReadOptions, iter_json_lines, register_reader, warn
from annotator.formats.export import ExportContext, ExportRecord, register_writer, suggestions_back
from annotator.formats.labels import map_label
from annotator.formats.relations import aligned_ends, parse_native, span_key
from annotator.formats.spacy_format import document_user_data

_DOC_FIELDS = ("title", "source", "url", "published", "language")


def _hash(*parts: str) -> int:
    """A stable signed 32-bit hash like Prodigy's ``_input_hash``."""
    h = zlib.crc32("\u241f".join(parts).encode("utf-8"))
    return h - (1 << 32) if h >= 1 << 31 else h


def prodigy_task(rec: ExportRecord, ctx: ExportContext) -> dict[str, Any]:
    """The Prodigy task dict of one record."""
    doc = rec.document
    toks = ctx.tokens(doc)
    text = doc.text
    tokens = [
        {"text": text[a:b], "start": a, "end": b, "id": i, "ws": ws}
        for i, (a, b, ws) in enumerate(zip(toks.starts, toks.ends, toks.ws, strict=True))
    ]
    spans = []
    written: dict[tuple[str, int, int, str], dict[str, Any]] = {}
    for layer, group in ctx.layer_spans(rec).items():
        for t in ctx.align(rec, group, toks):
            span: dict[str, Any] = {"start": t.start, "end": t.end, "token_start": t.token_start,
                                    "token_end": t.token_end - 1, "label": t.span.label, "layer": layer}
            written[span_key(t.span)] = span
            if t.span.origin != "human":
                span["origin"] = t.span.origin
            if t.span.score is not None:
                span["score"] = t.span.score
            if t.span.kb_id:
                span["kb_id"] = t.span.kb_id
            spans.append(span)
    spans.sort(key=lambda s: (s["start"], s["end"], s["layer"], s["label"]))
    meta = document_user_data(doc)
    meta = {"title": meta.pop("title"), **{k: v for k, v in meta.items() if v not in ("", None, {})}}
    who = rec.annotator or ""
    task: dict[str, Any] = {
        "text": text,
        "meta": meta,
        "_input_hash": _hash(text),
        "tokens": tokens,
        "spans": spans,
    }
    options = [{"id": f"{q.name}:{v}", "text": f"{q.name}: {v}"} for q in ctx.schema.questions
               if not q.free_text for v in q.values]
    if options:
        task["options"] = options
        task["accept"] = [f"{q}:{v}" for q, (v, _t) in rec.answers.items()
                          if not ctx.schema.question(q).free_text] if rec.answers else []
    if rec.answers:
        task["labels"] = {q: ({"value": v, "target": t} if t else v) for q, (v, t) in rec.answers.items()}
    relations = [{"head": h["token_end"], "child": c["token_end"], "head_span": h, "child_span": c, "label": r.label}
                 for r, h, c in aligned_ends(rec.relations, written, ctx)]
    if relations:  # Prodigy's rel.manual shape (ends by their last token, with the spans)
        task["relations"] = relations
    task["_task_hash"] = _hash(text, json.dumps(spans, sort_keys=True), json.dumps(task.get("accept", [])))
    task["answer"] = "ignore" if rec.status == "skipped" else "accept"
    if rec.status != "todo":
        task["status"] = rec.status
    if who:
        task["_annotator_id"] = who
        task["_session_id"] = f"{ctx.project_name}-{who}" if ctx.project_name else who
    return task


@register_writer("jsonl", ".jsonl", token_based=True,
                 description="Prodigy-style JSONL: text, tokens, spans with token_start/token_end, answer")
def write_prodigy(records: Iterator[ExportRecord], out: Path, ctx: ExportContext) -> None:
    """Write one JSON line per record to ``out``."""
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(prodigy_task(rec, ctx), ensure_ascii=False) + "\n")


# -- reading -----------------------------------------------------------------------------


def _span_offsets(s: dict[str, Any], tokens: list[Any] | None, path: Path, line: int, i: int) -> tuple[int, int]:
    if "start" in s and "end" in s:
        return s["start"], s["end"]
    if tokens and "token_start" in s and "token_end" in s:
        try:
            return tokens[s["token_start"]]["start"], tokens[s["token_end"]]["end"]
        except (IndexError, KeyError, TypeError) as exc:
            raise InputError(f"span {i + 1}: token_start/token_end do not fit the tokens", path, line) from exc
    raise InputError(f'span {i + 1} needs "start" and "end" (or token_start/token_end with "tokens")', path, line)


_PRODIGY_KEYS = ("tokens", "_input_hash", "_task_hash", "_annotator_id", "_session_id", "answer", "accept")
_PRODIGY_KEY_SET = frozenset(_PRODIGY_KEYS)


def _parse_spans(obj: dict[str, Any], text: str, path: Path, line: int, options: ReadOptions,
                 labels: dict[tuple[str, str, bool], str | None] | None = None,
                 foreign: bool | None = None) -> list[Span]:
    """Spans of one line.  Prodigy lines (``foreign``) may carry another tool's label names
    (PERSON, GPE) and go through the schema's ``label_map``; native lines are
    our own format and must use the schema's labels."""
    if foreign is None:
        foreign = not _PRODIGY_KEY_SET.isdisjoint(obj)
    raw = obj.get("spans") or []
    if not isinstance(raw, list):
        raise InputError('"spans" must be a list', path, line)
    tokens = obj.get("tokens") if isinstance(obj.get("tokens"), list) else None
    out = []
    for i, s in enumerate(raw):
        if not isinstance(s, dict) or "label" not in s:
            raise InputError(f'span {i + 1} must be an object with a "label"', path, line)
        start, end = _span_offsets(s, tokens, path, line, i)
        layer = str(s.get("layer") or DEFAULT_LAYER)
        key = (layer, str(s["label"]), foreign)
        if labels is not None and key in labels:
            label = labels[key]
        else:
            label = map_label(options.schema, layer, key[1])
            if not foreign and label != s["label"]:
                label = None
            if labels is not None:
                labels[key] = label
        if label is None:
            raise InputError(f"span {i + 1}: label {s['label']!r} is not in layer {layer!r} of the schema", path, line)
        kb_id = s.get("kb_id")
        if kb_id is not None and (not isinstance(kb_id, str) or not kb_id.strip()):
            raise InputError(f'span {i + 1}: "kb_id" must be a knowledge-base id (text)', path, line)
        # positional: a tenth of a million-span import's reading went to keyword handling
        span = Span(start, end, label, layer, None, str(s.get("origin", "human")), s.get("score"), None, None, None,
                    kb_id or None)
        try:
            if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
                span.validate(text)  # raises the error that says what is wrong
        except ValueError as exc:
            raise InputError(f"span {i + 1} ({start}-{end} {label}): {detail(exc)}", path, line) from exc
        out.append(span)
    return out


def _parse_answers(obj: dict[str, Any], path: Path, line: int, options: ReadOptions) -> dict[str, tuple[str, str | None]]:
    out: dict[str, tuple[str, str | None]] = {}
    raw = obj.get("labels")
    if raw is not None and not isinstance(raw, dict):
        raise InputError('"labels" must be an object {"QUESTION": "VALUE"}', path, line)
    for question, value in (raw or {}).items():
        target = None
        if isinstance(value, dict):
            target = value.get("target")
            value = value.get("value")
        out[str(question)] = (str(value), str(target) if target else None)
    accept = obj.get("accept")
    if isinstance(accept, list):
        for choice in accept:
            q, sep, v = str(choice).partition(":")
            if sep and q not in out and q in {x.name for x in options.schema.questions}:
                out[q] = (v, None)
            elif not sep:  # a bare value: the question whose values hold it
                owners = [x.name for x in options.schema.questions if choice in x.values]
                if len(owners) == 1 and owners[0] not in out:
                    out[owners[0]] = (str(choice), None)
    for q, (v, _t) in out.items():
        try:
            options.schema.check_answer(q, v)
        except ValueError as exc:
            raise InputError(detail(exc), path, line) from exc
    return out


@register_reader("jsonl", (".jsonl", ".ndjson"))
def read_jsonl(path: Path, options: ReadOptions) -> Iterator[ImportRecord]:
    """Native or Prodigy-style JSONL (see module docstring), one record at a time (a
    million-line file is stored in batches, never held whole)."""
    count = 0
    rejected = 0
    foreign_spans: list[int] = []  # lines holding spans under another tool's keys
    labels: dict[tuple[str, str, bool], str | None] = {}  # (layer, label, foreign) -> the schema's label
    # A plain article line ({"text", "title"?, ...}) costs a few dict look-ups: every optional part
    # is looked at only when its key is there (a million-line import spends its time here).
    for number, obj in iter_json_lines(path):
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError('missing or empty "text"', path, number)
        given = obj.get("meta") or {}
        if not isinstance(given, dict):
            raise InputError('"meta" must be an object', path, number)
        meta = dict(given)
        inner = meta.pop("meta", None)  # our export nests the document's own meta
        if isinstance(inner, dict):
            meta = {**inner, **{k: v for k, v in meta.items() if k not in _DOC_FIELDS and k != "id"}}
        fields = {}
        for k in _DOC_FIELDS:
            value = obj.get(k) or given.get(k)
            if value:
                fields[k] = str(value)
        annotator = obj.get("annotator") or obj.get("_annotator_id")
        status = obj.get("status")
        answer = obj.get("answer")
        if answer == "reject":
            rejected += 1
        if not status and answer == "ignore":
            status = "skipped"
        foreign = not _PRODIGY_KEY_SET.isdisjoint(obj)
        tokens = obj.get("tokens")
        if isinstance(tokens, list) and tokens and all(isinstance(t, dict) and "start" in t for t in tokens):
            meta["tokens"] = [[t["start"], t["end"]] for t in tokens if not str(t.get("text", "x")).isspace()]
        spans = _parse_spans(obj, text, path, number, options, labels, foreign) if obj.get("spans") else []
        if "spans" not in obj and ("label" in obj or "entities" in obj) and any(
                isinstance(obj.get(k), list) and obj[k] for k in ("label", "entities")):
            foreign_spans.append(number)
        relations = parse_native(obj["relations"], spans, path, number) if "relations" in obj else []
        count += 1
        yield suggestions_back(ImportRecord(
            Document(text=text, meta=meta, **fields),
            annotator=str(annotator) if annotator else None,
            spans=spans,
            answers=_parse_answers(obj, path, number, options) if "labels" in obj or "accept" in obj else {},
            status=str(status) if status else None,
            line=number,
            relations=relations,
            # an annotation tool's export holds the text as annotated: never clean it
            clean=not foreign,
        ))
    if rejected:
        warn(f"{path}: {rejected} line(s) have answer 'reject'; their spans were imported as given")
    if foreign_spans:
        # never a file of spans imported as 0 spans without a word
        warn(f"{path}: {len(foreign_spans)} line(s) (first: line {foreign_spans[0]}) hold spans under "
             "\"label\"/\"entities\" (doccano's keys), not \"spans\": imported without them; "
             "import again with --format doccano")
    if not count:
        raise InputError("empty file", path)
