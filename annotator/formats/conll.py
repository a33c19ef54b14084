"""CoNLL NER import: token first, tag last, blank line between sentences.

Tag schemes IOB1, IOB2 and BILUO/IOBES are all read by one decoder (an entity
starts at ``B``/``U``/``S``, or at an ``I``/``L``/``E`` that does not continue an
entity of the same type), ``-DOCSTART-`` lines in both spellings split
documents, and ``sentences_per_doc`` groups sentences when there are none.

Tokens are joined into text with light detokenisation (no space before closing
punctuation) and every token's offsets are kept in ``meta["tokens"]`` (with
sentence boundaries and any middle columns), so spans map back exactly and an
export reproduces the file line for line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from annotator.core.errors import InputError
from annotator.core.model import Document, Span
from annotator.formats.base import ImportRecord, ReadOptions, read_text_file, register_reader

DEFAULT_SENTENCES_PER_DOC = 10

_NO_SPACE_BEFORE = re.compile(r"^[,.;:!?%)\]}]+$|^'s$|^n't$")
_NO_SPACE_AFTER = re.compile(r"^[(\[{]$")
_TAG = re.compile(r"^(?:(?P<prefix>[BIOLUES])(?:[-_](?P<label>.+))?)$")


@dataclass
class ConllToken:
    """One token line."""

    text: str
    tag: str
    extra: list[str]
    line: int


@dataclass
class ConllDoc:
    """Sentences of one document, and the line it started on."""

    sentences: list[list[ConllToken]] = field(default_factory=list)
    line: int = 1


def is_docstart(first_column: str) -> bool:
    """``-DOCSTART-`` in either spelling (``-DOCSTART- -X- O O`` or ``-X- -X- O``)."""
    return first_column == "-DOCSTART-"


def parse_conll(text: str, path: Path | str = "<conll>") -> tuple[list[ConllDoc], bool]:
    """Split a CoNLL file into documents of sentences of tokens.

    Returns ``(documents, had_docstart)``.  Bad lines raise :class:`InputError`.
    """
    docs: list[ConllDoc] = [ConllDoc()]
    sentence: list[ConllToken] = []
    had_docstart = False
    ncols: int | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            if sentence:
                docs[-1].sentences.append(sentence)
                sentence = []
            continue
        cols = line.split("\t") if "\t" in line else line.split()
        if is_docstart(cols[0]):
            had_docstart = True
            if sentence:
                docs[-1].sentences.append(sentence)
                sentence = []
            if docs[-1].sentences:
                docs.append(ConllDoc(line=number))
            else:
                docs[-1].line = number
            continue
        if len(cols) < 2:
            raise InputError(f"expected at least two columns (token ... tag), got {line!r}", path, number)
        if ncols is None:
            ncols = len(cols)
        elif len(cols) != ncols:
            raise InputError(f"expected {ncols} columns like the lines before, got {len(cols)}", path, number)
        tag = cols[-1]
        if not _TAG.match(tag):
            raise InputError(f"not a NER tag: {tag!r} (want O, B-X, I-X, L-X, U-X)", path, number)
        sentence.append(ConllToken(cols[0], tag, cols[1:-1], number))
    if sentence:
        docs[-1].sentences.append(sentence)
    return [d for d in docs if d.sentences], had_docstart


def decode_tags(tags: list[str]) -> list[tuple[int, int, str]]:
    """Entities ``(first_token, last_token_exclusive, label)`` from IOB1/IOB2/BILUO tags."""
    entities: list[tuple[int, int, str]] = []
    start: int | None = None
    label: str | None = None

    def close(end: int) -> None:
        nonlocal start, label
        if start is not None and label is not None:
            entities.append((start, end, label))
        start, label = None, None

    for i, tag in enumerate(tags):
        m = _TAG.match(tag)
        prefix, lab = (m["prefix"], m["label"]) if m else ("O", None)
        if prefix == "O" or lab is None:
            close(i)
            continue
        if prefix in ("B", "U", "S") or label != lab or start is None:
            close(i)
            start, label = i, lab
        if prefix in ("U", "S", "L", "E"):
            close(i + 1)
    close(len(tags))
    return entities


def join_tokens(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Text and token offsets for a sentence (light detokenisation)."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    for i, tok in enumerate(tokens):
        if i > 0 and not _NO_SPACE_BEFORE.match(tok) and not _NO_SPACE_AFTER.match(tokens[i - 1]):
            parts.append(" ")
            pos += 1
        parts.append(tok)
        offsets.append((pos, pos + len(tok)))
        pos += len(tok)
    return "".join(parts), offsets


def _doc_record(doc: ConllDoc, path: Path, index: int, options: ReadOptions) -> ImportRecord:
    schema = options.schema
    layer = schema.layer("entities")
    texts: list[str] = []
    token_offsets: list[list[int]] = []
    sentence_bounds: list[list[int]] = []
    extras: list[list[str]] = []
    spans: list[Span] = []
    pos = 0
    ntok = 0
    for s_i, sent in enumerate(doc.sentences):
        if s_i:
            texts.append("\n")
            pos += 1
        text, offs = join_tokens([t.text for t in sent])
        texts.append(text)
        first = ntok
        for (a, b), tok in zip(offs, sent, strict=True):
            token_offsets.append([pos + a, pos + b])
            extras.append(tok.extra)
        for t0, t1, label in decode_tags([t.tag for t in sent]):
            mapped = label if label in layer.label_names else schema.label_map.get(label)
            if mapped is None or mapped not in layer.label_names:
                raise InputError(
                    f"entity label {label!r} is not in the schema (labels: {', '.join(layer.label_names)})",
                    path, sent[t0].line,
                )
            spans.append(Span(start=pos + offs[t0][0], end=pos + offs[t1 - 1][1], label=mapped, layer="entities"))
        ntok += len(sent)
        sentence_bounds.append([first, ntok])
        pos += len(text)
    meta: dict = {"file": path.name, "format": "conll", "tokens": token_offsets, "sentences": sentence_bounds}
    if any(extras):
        meta["conll_extra"] = extras
    full = "".join(texts)
    return ImportRecord(
        Document(text=full, title=f"{path.stem} #{index + 1}", meta=meta),
        annotator=options.annotator,
        spans=spans,
        line=doc.line,
        clean=False,
    )


def sniff_conll(head: str) -> bool:
    """True when the first lines look like CoNLL NER (columns ending in a tag)."""
    lines = [ln for ln in head.split("\n")[:-1] if ln.strip()][:30]
    if len(lines) < 3:
        return False
    tagged = 0
    for ln in lines:
        cols = ln.split()
        if cols[0] == "-DOCSTART-":
            continue
        if len(cols) < 2 or len(cols) > 12 or not _TAG.match(cols[-1]):
            return False
        tagged += 1
    return tagged >= 3


@register_reader("conll", (".conll", ".conll03", ".iob", ".bio", ".ner"), sniff=sniff_conll)
def read_conll(path: Path, options: ReadOptions) -> Iterator[ImportRecord]:
    """Read a CoNLL NER file (see module docstring)."""
    content = read_text_file(path)
    if not content.strip():
        raise InputError("empty file", path)
    docs, had_docstart = parse_conll(content, path)
    per_doc = options.extra.get("sentences_per_doc")
    if not had_docstart or per_doc:
        n = int(per_doc or DEFAULT_SENTENCES_PER_DOC)
        if n < 1:
            raise InputError("--sentences-per-doc must be at least 1", path)
        # Group within each -DOCSTART- document (or the whole file when there
        # are none): a group never spans two documents of the source.
        docs = [
            ConllDoc(sentences=d.sentences[i : i + n], line=d.sentences[i][0].line)
            for d in docs
            for i in range(0, len(d.sentences), n)
        ]
    if not docs:
        raise InputError("no tokens in file", path)
    return iter([_doc_record(d, path, i, options) for i, d in enumerate(docs)])
