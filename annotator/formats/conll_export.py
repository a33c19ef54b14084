"""CoNLL-2003 export: token first, tag last, one sentence per block.

Documents are separated by ``-DOCSTART- -X- O O`` (the only spelling spaCy's
``convert`` recognises) followed by a blank line.  Tags are IOB2 by default,
IOB1 or BILUO on request.  A document imported from CoNLL keeps its tokens,
sentences and middle columns (``meta["tokens"]``, ``["sentences"]``,
``["conll_extra"]``), so it is written back line for line; other documents
are tokenized as spaCy does it (``tokenize.tokenize``) and their middle columns are ``_``.

CoNLL has one tag per token: only the entity layer is written, overlapping
entities keep the longest (the others are listed in the report), and
whitespace is not kept (the importer rebuilds text by detokenisation).
"""

from __future__ import annotations

import io
from itertools import accumulate, chain, compress
from operator import not_
from pathlib import Path
from typing import Any, Iterator, Sequence, TextIO

from annotator.formats.export import ExportContext, ExportRecord, ExportReport, register_writer
from annotator.formats.parallel import render_chunks
from annotator.formats.tokenize import Tokens, TokenSpan, encode_tags, sentences, space_flags

DOCSTART = "-DOCSTART- -X- O O"
OVERLAP_ACTION = "left out (overlaps another entity; one tag per token)"


def _content_rank(tokens: Tokens) -> tuple[list[int], list[int]]:
    """The non-space token indices, and for every token index ``i`` (and ``len``) how many
    non-space tokens come before it (its position in the content list when it is one)."""
    word = list(map(not_, space_flags(tokens)))
    return list(compress(range(len(word)), word)), list(accumulate(word, initial=0))


def _entities_on(kept: list[TokenSpan], rank: list[int]) -> list[tuple[int, int, str]]:
    # an entity's first and last tokens are never whitespace (align_spans), so ranks map them
    ents = []
    for t in kept:
        a, b = rank[t.token_start], rank[t.token_end]
        if b > a:
            ents.append((a, b, t.span.label))
    return ents


def record_rows(rec: ExportRecord, ctx: ExportContext, why: str = OVERLAP_ACTION, *, answers: bool = False) -> tuple[
    Tokens, list[int], list[str], list[list[str]] | None, list[tuple[int, int]]
]:
    """Tokens, non-space token indices, tags, stored middle columns and
    sentences (over positions in the non-space list) of one record.
    ``answers``: the caller writes the document answers itself."""
    doc = rec.document
    tokens = ctx.tokens(doc)
    by_layer = ctx.layer_spans(rec)
    layer = ctx.options.entity_layer
    for other, spans in by_layer.items():
        if other != layer:
            ctx.not_written(f"spans of layer {other!r}", len(spans))
    kept = ctx.entities(rec, by_layer.get(layer, []), tokens, why)
    if rec.answers and not answers:
        ctx.not_written("document answers", len(rec.answers))
    content, rank = _content_rank(tokens)
    tags = encode_tags(len(content), _entities_on(kept, rank), ctx.options.scheme)
    extra = doc.meta.get("conll_extra")
    stored = doc.meta.get("tokens")
    # middle columns belong to the stored tokens: use them only when those are the tokens written
    if not (isinstance(extra, list) and isinstance(stored, list) and len(extra) == len(stored) == len(content)):
        extra = None
    sents = sentences(tokens, doc.meta, [(t.token_start, t.token_end) for t in kept])
    return tokens, content, tags, extra, [(rank[a], rank[b]) for a, b in sents]


@register_writer("conll", ".conll", token_based=True, names_annotators=False,
                 description="CoNLL-2003 NER columns (IOB2/IOB1/BILUO), -DOCSTART- between documents")
def write_conll(records: Iterator[ExportRecord], out: Path, ctx: ExportContext) -> None:
    """Write CoNLL-2003 columns to ``out``: a blank line between blocks and a
    newline after the last line (a file imported from CoNLL comes back equal).

    Chunks of documents are rendered on their own (in worker processes with
    ``--n-process``, :mod:`annotator.formats.parallel`); a chunk's text starts without the
    blank line that separates it from the one before, which is written here."""
    records = iter(records)
    first = next(records, None)
    if first is None:
        out.write_text("", encoding="utf-8")
        return
    # the first record's stored middle columns set how many every line has (else 2: "_ _")
    _tokens, _content, _tags, extra, _sents = record_rows(first, _scratch(ctx))
    n_extra = len(extra[0]) if extra else 2
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        started = False
        for text in render_chunks(chain([first], records), ctx, _render_conll, n_extra):
            if text:
                fh.write(("\n" if started else "") + text)
                started = True


def _scratch(ctx: ExportContext) -> ExportContext:
    """A context like ``ctx`` whose report nothing reads (for a look ahead at one record)."""
    scratch = ExportContext(ctx.options, ctx.schema, ExportReport(ctx.report.format, ctx.report.out),
                            ctx.project_name)
    scratch.separately = ctx.separately
    return scratch


def _render_conll(chunk: Sequence[ExportRecord], ctx: ExportContext, _offset: int, n_extra: int) -> str:
    """The CoNLL lines of ``chunk`` as if nothing came before it."""
    buf = io.StringIO()
    started = False
    for rec in chunk:
        tokens, content, tags, extra, sents = record_rows(rec, ctx)
        if ctx.options.docstart:
            buf.write(("\n" if started else "") + DOCSTART + "\n")
            started = True
        started = _write_sentences(buf, tokens, content, tags, extra, sents, n_extra, started)
    return buf.getvalue()


def _write_sentences(fh: TextIO, tokens: Tokens, content: list[int], tags: list[str],
                     extra: list[list[str]] | None, sents: list[tuple[int, int]], n_extra: int,
                     started: bool) -> bool:
    text = tokens.text
    starts, ends = tokens.starts, tokens.ends
    blank = ["_"] * n_extra
    if extra is None:  # the usual case: one string per line, no per-token tuple
        mid = " " + " ".join(blank) + " " if n_extra else " "
        for a, b in sents:
            words = [text[starts[i] : ends[i]] for i in content[a:b]]
            body = "\n".join([w + mid + tag for w, tag in zip(words, tags[a:b], strict=True)])
            fh.write(("\n" if started else "") + body + "\n")
            started = True
        return started
    for a, b in sents:
        lines: list[str] = [""] if started else []
        for k in range(a, b):
            i = content[k]
            cols: list[Any] = extra[k] if extra is not None else blank
            if len(cols) != n_extra:
                cols = (list(cols) + blank)[:n_extra]
            lines.append(" ".join((text[starts[i] : ends[i]], *cols, tags[k])))
        fh.write("\n".join(lines) + "\n")
        started = True
    return started
