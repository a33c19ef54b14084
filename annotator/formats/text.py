"""Plain-text, native JSONL and CSV article readers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterator

from annotator.core.errors import InputError
from annotator.core.model import DEFAULT_LAYER, Document, Span
from annotator.formats.base import ImportRecord, ReadOptions, read_text_file, register_reader

_DOC_FIELDS = ("title", "source", "url", "published", "language")


@register_reader("txt", (".txt",))
def read_txt(path: Path, options: ReadOptions) -> Iterator[ImportRecord]:
    """One article per file; the whole file is the text."""
    text = read_text_file(path)
    if not text.strip():
        raise InputError("empty file", path)
    yield ImportRecord(Document(text=text, meta={"file": path.name}), line=1)


def _spans_of(obj: dict[str, Any], text: str, path: Path, line: int, options: ReadOptions) -> list[Span]:
    spans = []
    raw = obj.get("spans") or []
    if not isinstance(raw, list):
        raise InputError('"spans" must be a list', path, line)
    for i, s in enumerate(raw):
        if not isinstance(s, dict) or "start" not in s or "end" not in s or "label" not in s:
            raise InputError(f'span {i + 1} needs "start", "end" and "label"', path, line)
        layer = str(s.get("layer") or DEFAULT_LAYER)
        span = Span(start=s["start"], end=s["end"], label=str(s["label"]), layer=layer,
                    origin=str(s.get("origin", "human")), score=s.get("score"))
        try:
            options.schema.check_span(layer, span.label)
            span.validate(text)
        except ValueError as exc:
            msg = str(exc).split("] ", 1)[-1]
            raise InputError(f"span {i + 1} ({s.get('start')}-{s.get('end')} {span.label}): {msg}", path, line) from exc
        spans.append(span)
    return spans


def _labels_of(obj: dict[str, Any], path: Path, line: int, options: ReadOptions) -> dict[str, tuple[str, str | None]]:
    raw = obj.get("labels") or {}
    if not isinstance(raw, dict):
        raise InputError('"labels" must be an object {"QUESTION": "VALUE"}', path, line)
    out: dict[str, tuple[str, str | None]] = {}
    for question, value in raw.items():
        target = None
        if isinstance(value, dict):  # {"value": "AGAINST", "target": "Rusia"}
            target = value.get("target")
            value = value.get("value")
        try:
            options.schema.check_answer(question, str(value))
        except ValueError as exc:
            raise InputError(str(exc).split("] ", 1)[-1], path, line) from exc
        out[question] = (str(value), str(target) if target else None)
    return out


@register_reader("jsonl", (".jsonl", ".ndjson"))
def read_jsonl(path: Path, options: ReadOptions) -> Iterator[ImportRecord]:
    """Native JSONL: ``{"text", "title"?, "meta"?, "annotator"?, "status"?, "spans"?, "labels"?}``."""
    content = read_text_file(path)
    records = []
    for number, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"broken JSON ({exc.msg} at column {exc.colno})", path, number) from exc
        if not isinstance(obj, dict):
            raise InputError("each line must be a JSON object", path, number)
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError('missing or empty "text"', path, number)
        meta = obj.get("meta") or {}
        if not isinstance(meta, dict):
            raise InputError('"meta" must be an object', path, number)
        fields = {k: str(obj[k]) for k in _DOC_FIELDS if obj.get(k)}
        records.append(
            ImportRecord(
                document=Document(text=text, meta=meta, **fields),
                annotator=str(obj["annotator"]) if obj.get("annotator") else None,
                spans=_spans_of(obj, text, path, number, options),
                labels=_labels_of(obj, path, number, options),
                status=str(obj["status"]) if obj.get("status") else None,
                line=number,
            )
        )
    if not records:
        raise InputError("empty file", path)
    return iter(records)


_TEXT_COLUMNS = ("text", "body", "content", "article", "isi")


@register_reader("csv", (".csv", ".tsv"))
def read_csv(path: Path, options: ReadOptions) -> Iterator[ImportRecord]:
    """CSV (or TSV) with a header row and a text column; title/source/url/published if present."""
    content = read_text_file(path)
    if not content.strip():
        raise InputError("empty file", path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    column = options.extra.get("text_column")
    if column is None:
        column = next((c for c in _TEXT_COLUMNS if c in header), None)
    if column is None or column.lower() not in header:
        raise InputError(
            f"no text column (looked for {', '.join(_TEXT_COLUMNS)}; header is {', '.join(header) or 'empty'})", path, 1
        )
    names = {h.strip().lower(): h for h in (reader.fieldnames or [])}
    records = []
    try:
        for row in reader:
            number = reader.line_num
            text = row.get(names[column.lower()]) or ""
            if not text.strip():
                raise InputError(f"empty {column!r} cell", path, number)
            fields = {k: row[names[k]] for k in _DOC_FIELDS if k in names and row.get(names[k])}
            meta = {k: v for k, v in row.items() if k and k.strip().lower() not in (column.lower(), *_DOC_FIELDS) and v}
            records.append(ImportRecord(Document(text=text, meta=meta, **fields), line=number))
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", path, reader.line_num) from exc
    if not records:
        raise InputError("no rows below the header", path)
    return iter(records)
