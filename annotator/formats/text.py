"""Plain-text and CSV article readers (native JSONL lives in prodigy.py, which reads both)."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Iterator

from annotator.core.errors import InputError
from annotator.core.model import Document
from annotator.formats.base import ImportRecord, ReadOptions, read_text_file, register_reader

_DOC_FIELDS = ("title", "source", "url", "published", "language")


@register_reader("txt", (".txt",))
def read_txt(path: Path, options: ReadOptions) -> Iterator[ImportRecord]:
    """One article per file; the whole file is the text."""
    text = read_text_file(path)
    if not text.strip():
        raise InputError("empty file", path)
    yield ImportRecord(Document(text=text, meta={"file": path.name}), line=1)


#: The csv module refuses fields over 131,072 characters by default; an article can be longer.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

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
