"""Knowledge-base files: JSONL (one entry per line) and CSV (docs/kb.md, "Files").

JSONL: ``{"id", "name", "label", "aliases": [...], "description", "external_ids": {...}}``;
only ``name`` and ``label`` are required (a missing id is made from the name).
CSV: the header ``id,name,label,aliases,description,external_ids``; aliases separated
by ``|``, external ids as ``source:id`` separated by ``|`` (``wikidata:Q193213``).

A file is read and checked whole before anything is stored: a bad line is an
:class:`InputError` naming the file and line, and the project keeps nothing of it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from annotator.core.errors import InputError
from annotator.core.kb import KB_LABELS, KBEntry, slug

if TYPE_CHECKING:
    from annotator.store import Project

CSV_FIELDS = ("id", "name", "label", "aliases", "description", "external_ids")


def _fmt(path: Path, fmt: str | None) -> str:
    chosen = (fmt or path.suffix.lstrip(".")).lower()
    if chosen not in ("jsonl", "csv"):
        raise InputError("knowledge-base files are .jsonl or .csv (or say --format jsonl|csv)", path)
    return chosen


def _entry(record: dict[str, Any], path: Path, line: int) -> KBEntry:
    name = record.get("name")
    label = record.get("label")
    if not isinstance(name, str) or not name.strip():
        raise InputError("an entry needs a name", path, line)
    if label not in KB_LABELS:
        raise InputError(f"label must be one of {', '.join(KB_LABELS)}, not {label!r}", path, line)
    aliases = record.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise InputError("aliases must be a list of names", path, line)
    ext = record.get("external_ids") or {}
    if not isinstance(ext, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in ext.items()):
        raise InputError("external_ids must map a source to an id (text)", path, line)
    entry_id = record.get("id") or slug(name)
    if not isinstance(entry_id, str):
        raise InputError("id must be text", path, line)
    return KBEntry(entry_id, name.strip(), str(label), tuple(aliases), str(record.get("description") or ""),
                   ext, origin="import")


def read_kb_file(path: str | Path, fmt: str | None = None) -> list[KBEntry]:
    """Every entry of a knowledge-base file, checked (file and line on the first error)."""
    path = Path(path)
    kind = _fmt(path, fmt)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read ({exc})", path) from exc
    entries: list[KBEntry] = []
    if kind == "jsonl":
        for n, raw in enumerate(text.splitlines(), 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InputError(f"broken JSON ({exc.msg})", path, n) from exc
            if not isinstance(record, dict):
                raise InputError("each line must be a JSON object", path, n)
            entries.append(_entry(record, path, n))
    else:
        reader = csv.DictReader(io.StringIO(text))
        missing = {"name", "label"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(f"the CSV header lacks {', '.join(sorted(missing))}", path, 1)
        for row in reader:
            n = reader.line_num
            ext: dict[str, str] = {}
            for item in filter(None, (row.get("external_ids") or "").split("|")):
                source, sep, value = item.partition(":")
                if not sep or not source.strip() or not value.strip():
                    raise InputError(f"external id {item!r} is not source:id", path, n)
                ext[source.strip()] = value.strip()
            record = {**row, "aliases": [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()],
                      "external_ids": ext}
            entries.append(_entry(record, path, n))
    seen: set[str] = set()
    for e in entries:
        if e.id in seen:
            raise InputError(f"entry id {e.id!r} appears twice", path)
        seen.add(e.id)
    return entries


def write_kb_file(entries: Sequence[KBEntry], path: str | Path, fmt: str | None = None) -> int:
    """Write entries as JSONL or CSV (whole file or nothing: written beside it, then
    renamed); returns how many."""
    path = Path(path)
    kind = _fmt(path, fmt)
    buf = io.StringIO()
    if kind == "jsonl":
        for e in entries:
            buf.write(json.dumps(_record(e), ensure_ascii=False) + "\n")
    else:
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for e in entries:
            writer.writerow([e.id, e.name, e.label, "|".join(e.aliases), e.description,
                             "|".join(f"{k}:{v}" for k, v in e.external_ids.items())])
    _write_atomically(path, buf.getvalue())
    return len(entries)


def _record(e: KBEntry) -> dict[str, Any]:
    return {"id": e.id, "name": e.name, "label": e.label, "aliases": list(e.aliases), "description": e.description,
            "external_ids": dict(e.external_ids)}


def _write_atomically(path: Path, text: str) -> None:
    if not path.parent.is_dir():
        raise InputError(f"folder {path.parent} does not exist", path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_kb(project: Project, path: str | Path, fmt: str | None = None) -> tuple[int, int]:
    """Read a file whole, then add or replace its entries in one transaction."""
    return project.kb_upsert_entries(read_kb_file(path, fmt))


def export_kb(project: Project, path: str | Path, fmt: str | None = None) -> int:
    """Write the project's knowledge base to a file."""
    return write_kb_file(project.kb_entries(), path, fmt)


def iter_records(entries: Iterable[KBEntry]) -> list[dict[str, Any]]:
    """The JSONL records of entries."""
    return [_record(e) for e in entries]
