"""brat standoff: a folder of ``NAME.txt`` + ``NAME.ann``, with ``annotation.conf``.

Export writes ``NNNNNN.txt`` (the text exactly) and ``NNNNNN.ann`` with lines
``T1<TAB>PER 0 6<TAB>Jokowi``; a span that crosses a line break is written as
fragments ``0 5;6 10`` (brat fragments cannot hold line breaks); a span note
becomes ``#1<TAB>AnnotatorNotes T1<TAB>note``, a knowledge-base link a normalisation
line ``N1<TAB>Reference T1 KB:ENTRY<TAB>text`` (read back as an accepted link).  ``NNNNNN.json`` beside them
keeps what brat has no place for (title, annotator, status, document
answers); ``annotation.conf`` and ``visual.conf`` (colours) let brat open the
folder as it is.  With several annotators each gets a sub-folder.

Import reads such a folder (or one ``.ann`` file): fragments are joined back
into one span, ``R`` lines of the schema's relation types become relations (``R1<TAB>SPEAKER
Arg1:T3 Arg2:T5``), other relations, events and attributes are counted and skipped with a
warning, the annotator comes from the ``.json`` sidecar, else the sub-folder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

from annotator.core.errors import InputError, detail
from annotator.core.model import Document, Span
from annotator.formats.base import ImportRecord, ReadOptions, register_reader, warn
from annotator.formats.export import SUGGESTIONS, ExportContext, ExportRecord, register_writer, suggestions_back
from annotator.formats.labels import flat_label, unflatten
from annotator.formats.relations import aligned_ends, by_id, span_key
from annotator.formats.spacy_format import document_user_data

#: Characters that end a line for some reader: str.splitlines() (what Python
#: brat parsers use), CR alone included.  No ``.ann`` line may hold one.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at line breaks (CR, LF and the other
    :data:`LINE_BREAKS`), empty pieces dropped: fragments end before the
    line break characters, as brat itself writes them."""
    out = []
    a = start
    for i in range(start, end):
        if text[i] in LINE_BREAKS:
            if i > a:
                out.append((a, i))
            a = i + 1
    if end > a:
        out.append((a, end))
    return out


def annotation_conf(schema: Any, layers: tuple[str, ...]) -> str:
    """``annotation.conf``: every exported label as an entity type, overlaps allowed."""
    names = [flat_label(schema, layer, lab) for layer in layers for lab in schema.layer(layer).label_names]

    def args(ends: Any) -> str:
        return "|".join(flat_label(schema, lay, lab) for lay, labs in ends.items() if lay in layers
                        for lab in (labs or schema.layer(lay).label_names))

    rels = "".join(f"{rt.name}\tArg1:{args(rt.head)}, Arg2:{args(rt.child)}\n" for rt in schema.relations
                   if args(rt.head) and args(rt.child))
    return ("[entities]\n" + "\n".join(names) + "\n\n[relations]\n" + rels +
            "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\n[events]\n\n[attributes]\n")


def visual_conf(schema: Any, layers: tuple[str, ...]) -> str:
    """``visual.conf`` with the schema's colours and descriptions."""
    labels, drawing = [], []
    for layer in layers:
        for lab in schema.layer(layer).labels:
            name = flat_label(schema, layer, lab.name)
            labels.append(f"{name} | {lab.description or lab.name}" if lab.description else name)
            drawing.append(f"{name}\tbgColor:{lab.colour}")
    return "[labels]\n" + "\n".join(labels) + "\n\n[drawing]\n" + "\n".join(drawing) + "\n"


@register_writer("brat", "", directory=True, description="brat standoff folder: .txt + .ann + annotation.conf")
def write_brat(records: Iterator[ExportRecord], out: Path, ctx: ExportContext) -> None:
    """Write a brat folder at ``out`` (already created)."""
    out.mkdir(parents=True, exist_ok=True)
    folders: set[Path] = set()
    for number, rec in enumerate(records, start=1):
        doc = rec.document
        folder = out
        if rec.annotator and (ctx.separately or rec.annotator == SUGGESTIONS):
            folder = out / ctx.file_name(rec.annotator)  # "..", "a/b": never outside out, never shared
        folder.mkdir(exist_ok=True)
        folders.add(folder)
        name = f"{doc.id:06d}" if doc.id is not None else f"{number:06d}"
        (folder / f"{name}.txt").write_text(doc.text, encoding="utf-8", newline="")
        lines: list[str] = []
        t = n = k = 0
        tids: dict[tuple[str, int, int, str], int] = {}
        ordered = sorted((s for spans in ctx.layer_spans(rec).values() for s in spans),
                         key=lambda s: (s.start, s.end, s.layer, s.label))
        for s in ordered:
            frags = fragments(doc.text, s.start, s.end)
            if not frags:
                ctx.issue(rec, s, "skipped (only line breaks; brat cannot hold it)")
                continue
            if frags[0][0] != s.start or frags[-1][1] != s.end:
                ctx.issue(rec, s, "contracted (line break at the edge; brat fragments cannot hold it)",
                          frags[0][0], frags[-1][1])
            t += 1
            tids[span_key(s)] = t
            where = ";".join(f"{a} {b}" for a, b in frags)
            shown = " ".join(doc.text[a:b] for a, b in frags)
            lines.append(f"T{t}\t{flat_label(ctx.schema, s.layer, s.label)} {where}\t{shown}")
            if s.note:
                n += 1
                lines.append(f"#{n}\tAnnotatorNotes T{t}\t{' '.join(s.note.split())}")
            if s.kb_id:  # a normalisation line: the knowledge-base entry (docs/kb.md)
                k += 1
                lines.append(f"N{k}\tReference T{t} KB:{s.kb_id}\t{shown}")
        for rn, (r, h, c) in enumerate(aligned_ends(rec.relations, tids, ctx), start=1):
            lines.append(f"R{rn}\t{r.label} Arg1:T{h} Arg2:T{c}")
        (folder / f"{name}.ann").write_text("".join(line + "\n" for line in lines), encoding="utf-8", newline="\n")
        side = document_user_data(doc)
        side.update({"annotator": rec.annotator, "status": rec.status,
                     "labels": {q: [v, tg] for q, (v, tg) in rec.answers.items()}})
        (folder / f"{name}.json").write_text(json.dumps(side, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for folder in folders or {out}:
        (folder / "annotation.conf").write_text(annotation_conf(ctx.schema, ctx.layers), encoding="utf-8")
        (folder / "visual.conf").write_text(visual_conf(ctx.schema, ctx.layers), encoding="utf-8")


_T = re.compile(r"^T(\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t?(.*)$")
_R = re.compile(r"^R\d+\t(\S+) Arg1:(T\d+) Arg2:(T\d+)\s*$")
_NOTE = re.compile(r"^#\d+\tAnnotatorNotes (T\d+)\t?(.*)$")
_NORM = re.compile(r"^N\d+\tReference (T\d+) KB:(\S+)(?:\t.*)?$")


def _read_ann(ann: Path, root: Path, options: ReadOptions) -> ImportRecord:
    txt = ann.with_suffix(".txt")
    if not txt.is_file():
        raise InputError(f"no text file {txt.name} beside it", ann)
    try:
        text = txt.read_bytes().decode("utf-8-sig")  # offsets count the file's characters as they are
        content = ann.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 ({exc.reason})", ann) from exc
    spans: dict[str, Span] = {}
    notes: dict[str, str] = {}
    kb_ids: dict[str, str] = {}
    skipped = 0
    schema = options.schema
    relation_names = {rt.name for rt in schema.relations}
    rel_ids: list[tuple[str, str, str]] = []
    for number, line in enumerate(content.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        m = _T.match(line)
        if m:
            where = unflatten(schema, m.group(2))
            if where is None:
                raise InputError(f"entity type {m.group(2)!r} is not a label of the schema", ann, number)
            pairs = [tuple(int(x) for x in frag.split()) for frag in m.group(3).split(";")]
            start, end = min(a for a, _ in pairs), max(b for _, b in pairs)
            span = Span(start, end, where[1], where[0])
            try:
                span.validate(text)
            except ValueError as exc:
                raise InputError(detail(exc), ann, number) from exc
            # brat repeats the span's text: a mismatch means the offsets are off (another
            # encoding, a changed .txt), and importing would mark the wrong words
            quoted, actual = m.group(4).split(), " ".join(text[a:b] for a, b in pairs).split()
            if quoted and quoted != actual:
                raise InputError(f"T{m.group(1)}: the .ann quotes {' '.join(quoted)[:40]!r} but {start}-{end} of "
                                 f"{txt.name} is {' '.join(actual)[:40]!r}", ann, number)
            spans[f"T{m.group(1)}"] = span
            continue
        m = _NOTE.match(line)
        if m:
            notes[m.group(1)] = m.group(2)
            continue
        m = _NORM.match(line)
        if m:
            kb_ids[m.group(1)] = m.group(2)
        m = _R.match(line)
        if m and m.group(1) in relation_names:
            rel_ids.append((m.group(1), m.group(2), m.group(3)))
            continue
        if line[0] in "RE*AMN#":
            skipped += 1
            continue
        raise InputError(f"not a brat standoff line: {line[:60]!r}", ann, number)
    if skipped:
        warn(f"{ann}: {skipped} relation/event/attribute/normalisation line(s) skipped (only text-bound spans import)")
    side_path = ann.with_suffix(".json")
    side: dict[str, Any] = {}
    if side_path.is_file():
        try:
            side = json.loads(side_path.read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:
            raise InputError(f"broken sidecar JSON ({exc})", side_path) from exc
    annotator = side.get("annotator")
    if not annotator and ann.parent != root:
        annotator = ann.parent.name
    answers = {}
    for q, vt in (side.get("labels") or {}).items():
        answers[str(q)] = (str(vt[0]), vt[1] if len(vt) > 1 and vt[1] else None)
    fields = {k: str(side[k]) for k in ("title", "source", "url", "published", "language") if side.get(k)}
    meta = dict(side.get("meta") or {})
    meta["file"] = txt.name
    return suggestions_back(ImportRecord(
        Document(text=text, meta=meta, **fields),
        relations=by_id(rel_ids, spans, ann, None, "relation"),
        annotator=annotator or options.annotator,
        spans=[s.with_(note=notes.get(k), kb_id=kb_ids.get(k)) for k, s in spans.items()],
        answers=answers,
        status=side.get("status") if side.get("status") not in (None, "todo") else None,
        line=1, clean=False,
    ))


@register_reader("brat", (".ann",), directory=True)
def read_brat(path: Path, options: ReadOptions) -> Iterator[ImportRecord]:
    """Read a brat folder (recursively) or one ``.ann`` file."""
    if path.is_dir():
        anns = sorted(path.rglob("*.ann"))
        root = path
    else:
        anns = [path.with_suffix(".ann")]
        root = path.parent
    if not anns:
        raise InputError("no .ann files in the folder", path)
    return iter([_read_ann(a, root, options) for a in anns])
