"""CoNLL-U: export and import.

Ten tab-separated columns per token; the entity tag goes in MISC as
``NE=B-PER`` (spaCy's ``convert --converter conllu`` reads it), and the text
is kept exactly: ``SpaceAfter=No`` where no space follows, ``SpacesAfter=``
(UD escapes ``\\s \\t \\n \\r \\\\``, ``\\uXXXX`` for other whitespace) where
more or other whitespace follows, and ``SpacesBefore=`` on a document's
first token.  Each document starts with ``# newdoc id = ...`` and carries its
title, annotator, status and answers as ``# key = value`` comments; each
sentence has ``# sent_id`` and ``# text``.

A knowledge-base link goes on each token of its entity as ``Entity=ENTRY`` in MISC
(docs/kb.md) and comes back as an accepted link.  Only the entity layer fits in the columns; the other layers are counted in
the export report's warnings.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Iterator, Sequence

from annotator.core.errors import InputError
from annotator.core.model import Document, Span
from annotator.formats.base import ImportRecord, ReadOptions, read_text_file, register_reader
from annotator.formats.conll import _TAG, DEFAULT_SENTENCES_PER_DOC, decode_tags
from annotator.formats.conll_export import OVERLAP_ACTION, record_rows
from annotator.formats.export import ExportContext, ExportRecord, register_writer, suggestions_back
from annotator.formats.parallel import render_chunks

_ESC = {" ": "\\s", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\", "|": "\\p"}
_UNESC = re.compile(r"\\(s|t|n|r|p|\\|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})")
_UNESC_MAP = {"s": " ", "t": "\t", "n": "\n", "r": "\r", "p": "|", "\\": "\\"}
_NE = re.compile(r"^(?:NE|name)=(?:([BIOLUES])-(.+)|O)$")


def escape_spaces(ws: str) -> str:
    """UD escape of a whitespace run for ``SpacesAfter``."""
    out = []
    for c in ws:
        if c in _ESC:
            out.append(_ESC[c])
        elif ord(c) > 0xFFFF:
            out.append(f"\\U{ord(c):08X}")
        else:
            out.append(f"\\u{ord(c):04X}")
    return "".join(out)


def unescape_spaces(value: str) -> str:
    """Inverse of :func:`escape_spaces`."""
    def sub(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] in "uU":
            return chr(int(code[1:], 16))
        return _UNESC_MAP[code]

    return _UNESC.sub(sub, value)


def _comment_value(value: str) -> str:
    return re.sub(r"\s", " ", value)


@register_writer("conllu", ".conllu", token_based=True,
                 description="CoNLL-U with # text, SpaceAfter=No and NE=B-PER in MISC")
def write_conllu(records: Iterator[ExportRecord], out: Path, ctx: ExportContext) -> None:
    """Write CoNLL-U to ``out`` (chunks of documents rendered on their own, in worker
    processes with ``--n-process``: :mod:`annotator.formats.parallel`)."""
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        for text in render_chunks(records, ctx, _render_conllu):
            fh.write(text)


def _render_conllu(chunk: Sequence[ExportRecord], ctx: ExportContext, offset: int, _shared: Any) -> str:
    """The CoNLL-U lines of ``chunk``; ``offset`` records come before it (numbers documents without id)."""
    fh = io.StringIO()
    for number, rec in enumerate(chunk, start=offset + 1):
        doc = rec.document
        tokens, content, tags, _extra, sents = record_rows(rec, ctx, OVERLAP_ACTION, answers=True)
        text = doc.text
        starts, ends = tokens.starts, tokens.ends
        doc_key = f"doc{doc.id if doc.id is not None else number}"
        if rec.annotator:
            doc_key += f"-{rec.annotator}"
        head = [f"# newdoc id = {_comment_value(doc_key)}"]
        if doc.title:
            head.append(f"# title = {_comment_value(doc.title)}")
        for key in ("source", "url", "published"):
            if getattr(doc, key):
                head.append(f"# {key} = {_comment_value(getattr(doc, key))}")
        if rec.annotator:
            head.append(f"# annotator = {_comment_value(rec.annotator)}")
        if rec.status and rec.status != "todo":
            head.append(f"# status = {rec.status}")
        for q, (value, target) in rec.answers.items():
            head.append(f"# answer.{q} = {_comment_value(value)}")
            if target:
                head.append(f"# target.{q} = {_comment_value(target)}")
        if not content:
            continue
        lines = head
        kb = _token_entries(rec, ctx, tokens, content, tags)
        for s_i, (a, b) in enumerate(sents, start=1):
            first_c, last_c = content[a], content[b - 1]
            lines.append(f"# sent_id = {_comment_value(doc_key)}-{s_i}")
            lines.append(f"# text = {_comment_value(text[starts[first_c] : ends[last_c]])}")
            for k in range(a, b):
                i = content[k]
                misc = []
                if tags[k] != "O":
                    misc.append(f"NE={tags[k]}")
                    if kb.get(k):
                        misc.append(f"Entity={kb[k]}")
                if k == 0 and starts[i] > 0:
                    misc.append("SpacesBefore=" + escape_spaces(text[: starts[i]]))
                nxt = starts[content[k + 1]] if k + 1 < len(content) else len(text)
                gap = text[ends[i] : nxt]
                if gap == "":
                    misc.append("SpaceAfter=No")
                elif gap != " ":
                    misc.append("SpacesAfter=" + escape_spaces(gap))
                form = text[starts[i] : ends[i]]
                lines.append(f"{k - a + 1}\t{form}\t_\t_\t_\t_\t_\t_\t_\t{'|'.join(misc) or '_'}")
            lines.append("")
        fh.write("\n".join(lines) + "\n")
    return fh.getvalue()


def _token_entries(rec: ExportRecord, ctx: ExportContext, tokens: Any, content: list[int],
                   tags: list[str]) -> dict[int, str]:
    """``{position in content: entry id}`` for tagged tokens inside a linked entity span."""
    linked = [s for s in rec.spans if s.kb_id and s.layer == ctx.options.entity_layer]
    out: dict[int, str] = {}
    if not linked:
        return out
    for k, i in enumerate(content):
        if tags[k] == "O":
            continue
        a, b = tokens.starts[i], tokens.ends[i]
        for s in linked:
            if s.start < b and a < s.end:
                out[k] = str(s.kb_id)
                break
    return out


def _parse_misc(misc: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if misc == "_":
        return out
    for part in misc.split("|"):
        key, sep, value = part.partition("=")
        if sep:
            out[key] = value
        elif part == "O":
            out["NE"] = "O"
    return out


@register_reader("conllu", (".conllu",))
def read_conllu(path: Path, options: ReadOptions) -> Iterator[ImportRecord]:
    """Read CoNLL-U (see module docstring); multiword tokens give the surface
    text, documents split at ``# newdoc`` (else every ``sentences_per_doc``)."""
    content = read_text_file(path)
    if not content.strip():
        raise InputError("empty file", path)
    docs: list[dict[str, Any]] = []
    cur: dict[str, Any] | None = None
    sent: list[tuple[str, dict[str, str], int]] = []
    had_newdoc = False

    def new_doc(line: int) -> dict[str, Any]:
        d: dict[str, Any] = {"comments": {}, "sentences": [], "line": line}
        docs.append(d)
        return d

    def end_sentence() -> None:
        nonlocal sent, cur
        if sent:
            if cur is None:
                cur = new_doc(sent[0][2])
            cur["sentences"].append(sent)
            sent = []

    skip_until = 0
    for number, raw in enumerate(content.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            end_sentence()
            skip_until = 0
            continue
        if line.startswith("#"):
            key, sep, value = line[1:].partition("=")
            key = key.strip()
            if key == "newdoc" or key.startswith("newdoc "):
                end_sentence()
                had_newdoc = True
                cur = new_doc(number)
                cur["comments"]["newdoc"] = value.strip()
            elif sep and cur is not None and not cur["sentences"] and not sent and key not in ("sent_id", "text"):
                cur["comments"][key] = value[1:] if value.startswith(" ") else value
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            raise InputError(f"expected 10 tab-separated columns, got {len(cols)}", path, number)
        tid = cols[0]
        if "." in tid:
            continue  # empty node
        if "-" in tid:
            try:
                a, b = (int(x) for x in tid.split("-"))
            except ValueError as exc:
                raise InputError(f"bad token range {tid!r}", path, number) from exc
            skip_until = b
            sent.append((cols[1], _parse_misc(cols[9]), number))
            continue
        try:
            n = int(tid)
        except ValueError as exc:
            raise InputError(f"bad token id {tid!r}", path, number) from exc
        misc = _parse_misc(cols[9])
        if n <= skip_until:  # a word inside a multiword token: its tag goes to the surface token
            if "NE" in misc and sent and "NE" not in sent[-1][1]:
                sent[-1][1]["NE"] = misc["NE"]
            if "Entity" in misc and sent and "Entity" not in sent[-1][1]:
                sent[-1][1]["Entity"] = misc["Entity"]
            continue
        sent.append((cols[1], misc, number))
    end_sentence()
    if not docs:
        raise InputError("no tokens in file", path)
    if not had_newdoc:
        n = int(options.extra.get("sentences_per_doc") or DEFAULT_SENTENCES_PER_DOC)
        sentences = [s for d in docs for s in d["sentences"]]
        docs = [{"comments": {}, "sentences": sentences[i : i + n], "line": sentences[i][0][2]}
                for i in range(0, len(sentences), n)]
    return iter([_record(d, path, i, options) for i, d in enumerate(docs) if d["sentences"]])


def _record(d: dict[str, Any], path: Path, index: int, options: ReadOptions) -> ImportRecord:
    schema = options.schema
    layer = schema.layer("entities")
    parts: list[str] = []
    offsets: list[list[int]] = []
    bounds: list[list[int]] = []
    tags: list[str] = []
    entities: list[str | None] = []
    lines: list[int] = []
    pos = 0
    all_tokens = [t for s in d["sentences"] for t in s]
    for s in d["sentences"]:
        bounds.append([len(offsets), len(offsets) + len(s)])
        for form, misc, number in s:
            if not offsets and "SpacesBefore" in misc:
                lead = unescape_spaces(misc["SpacesBefore"])
                parts.append(lead)
                pos += len(lead)
            parts.append(form)
            offsets.append([pos, pos + len(form)])
            pos += len(form)
            last = len(offsets) == len(all_tokens)
            if "SpacesAfter" in misc:
                gap = unescape_spaces(misc["SpacesAfter"])
            elif misc.get("SpaceAfter") == "No" or last:
                gap = ""
            else:
                gap = " "
            parts.append(gap)
            pos += len(gap)
            ne = misc.get("NE") or misc.get("name") or "O"
            if not _TAG.match(ne):  # decode_tags would read it as O: the entity would vanish
                raise InputError(f"not a NER tag in MISC: {ne!r} (want O, B-X, I-X, L-X, U-X)", path, number)
            tags.append(ne)
            entities.append(misc.get("Entity") or None)
            lines.append(number)
    text = "".join(parts)
    spans = []
    for t0, t1, label in decode_tags(tags):
        mapped = label if label in layer.label_names else schema.label_map.get(label)
        if mapped not in layer.label_names:
            raise InputError(f"entity label {label!r} is not in the schema (labels: {', '.join(layer.label_names)})",
                             path, lines[t0])
        spans.append(Span(offsets[t0][0], offsets[t1 - 1][1], mapped, "entities", kb_id=entities[t0]))
    c = d["comments"]
    answers: dict[str, tuple[str, str | None]] = {}
    for key, value in c.items():
        if key.startswith("answer."):
            q = key[len("answer."):]
            answers[q] = (value, c.get(f"target.{q}") or None)
    meta = {"file": path.name, "format": "conllu", "tokens": offsets, "sentences": bounds}
    fields = {k: c[k] for k in ("title", "source", "url", "published") if c.get(k)}
    if "title" not in fields:
        fields["title"] = c.get("newdoc") or f"{path.stem} #{index + 1}"
    status = c.get("status")
    return suggestions_back(ImportRecord(
        Document(text=text, meta=meta, **fields),
        annotator=c.get("annotator") or options.annotator,
        spans=spans, answers=answers, status=status or None, line=d["line"], clean=False,
    ))
