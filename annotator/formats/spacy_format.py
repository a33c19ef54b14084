"""spaCy DocBin (``.spacy``): export for ``spacy train``, and import.

Written with ``DocBin(store_user_data=True).to_disk`` (never by hand; filled by
:class:`DocBinAdder`, which appends what ``DocBin.add`` appends, faster): the
entity layer's non-overlapping spans in ``doc.ents``, every exported layer
(overlaps allowed) in ``doc.spans[layer]``, document answers one-hot per
question value in ``doc.cats`` (``"stance:AGAINST": 1.0``, the other values of
an answered question 0.0), and in ``doc.user_data`` the annotator, status,
answers with their targets and the document's title/source/url/date, so an
import restores all of it.  Suggestions (``include_suggestions``) go to
``doc.spans[f"{layer}_suggestions"]``.  Knowledge-base links go out as the spans'
``kb_id_`` (in ``doc.ents`` and ``doc.spans``) and come back as accepted links.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, Iterator, Sequence

from annotator.core.errors import InputError
from annotator.core.model import Document, Span
from annotator.core.relations import RelationRecord, endpoint_of
from annotator.formats.base import ImportRecord, ReadOptions, register_reader, warn
from annotator.formats.export import SUGGESTIONS, ExportContext, ExportRecord, register_writer
from annotator.formats.parallel import render_chunks
from annotator.formats.relations import aligned_ends, find_end, span_key
from annotator.formats.tokenize import blank_nlp, non_overlapping, spacy_tokens, stored_tokens

#: meta keys that are derived from the Doc itself and not repeated in user_data
_DERIVED_META = ("tokens", "sentences", "conll_extra")
SUGGESTION_SUFFIX = "_suggestions"
#: where ``doc._.rel`` lives in ``user_data`` (spaCy's key for an extension attribute)
REL_KEY = ("._.", "rel", None, None)


def cats_of(schema: Any, answers: dict[str, tuple[str, str | None]]) -> dict[str, float]:
    """One-hot ``doc.cats`` for the answered multiple-choice questions."""
    cats: dict[str, float] = {}
    for q in schema.questions:
        if q.free_text or q.name not in answers:
            continue
        value = answers[q.name][0]
        for v in q.values:
            cats[f"{q.name}:{v}"] = 1.0 if v == value else 0.0
    return cats


def document_user_data(doc: Document) -> dict[str, Any]:
    """The document fields kept in ``user_data`` (and in other formats' meta)."""
    return {
        "id": doc.id, "title": doc.title, "source": doc.source, "url": doc.url, "published": doc.published,
        "language": doc.language, "meta": {k: v for k, v in doc.meta.items() if k not in _DERIVED_META},
    }


def build_doc(rec: ExportRecord, ctx: ExportContext, nlp: Any) -> Any:
    """A spaCy ``Doc`` for one record (tokens from the import when kept, else spaCy's)."""
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

    doc = rec.document
    toks = stored_tokens(doc.text, doc.meta)
    if toks is None:
        sdoc = nlp.make_doc(doc.text)
        toks = spacy_tokens(sdoc, doc.text)
    else:
        words, spaces = toks.words_spaces()
        sdoc = Doc(nlp.vocab, words=words, spaces=spaces)
    ctx.set_tokens(doc, toks)
    by_layer = ctx.layer_spans(rec)
    written: dict[tuple[str, int, int, str], Any] = {}
    for layer, spans in by_layer.items():
        aligned = ctx.align(rec, spans, toks)
        written.update((span_key(t.span), t) for t in aligned)
        sdoc.spans[layer] = [SpacySpan(sdoc, t.token_start, t.token_end, label=t.span.label,
                                       kb_id=t.span.kb_id or "") for t in aligned]
        if layer == ctx.options.entity_layer:
            kept, dropped = non_overlapping(aligned)
            for t in dropped:
                ctx.issue(rec, t.span, "left out of doc.ents (overlaps another entity; kept in doc.spans)")
            sdoc.ents = [SpacySpan(sdoc, t.token_start, t.token_end, label=t.span.label, kb_id=t.span.kb_id or "")
                         for t in kept]
    if rec.suggestions:
        pseudo = ExportRecord(doc, SUGGESTIONS)
        for layer, spans in ctx.layer_spans(rec, rec.suggestions).items():
            aligned = ctx.align(pseudo, spans, toks)
            sdoc.spans[layer + SUGGESTION_SUFFIX] = [
                SpacySpan(sdoc, t.token_start, t.token_end, label=t.span.label) for t in aligned
            ]
    if rec.suggestions:  # exact offsets, origin and score (the span groups hold aligned copies)
        sdoc.user_data["suggestions"] = [[s.layer, s.start, s.end, s.label, s.origin, s.score]
                                         for s in rec.suggestions]
    rels = aligned_ends(rec.relations, written, ctx)
    if rels:
        # spaCy's relation-extraction convention: doc._.rel[(head start token, child start token)] = {LABEL: score}
        names = [rt.name for rt in ctx.schema.relations]
        rel: dict[tuple[int, int], dict[str, float]] = {}
        for r, h, c in rels:
            rel.setdefault((h.token_start, c.token_start), dict.fromkeys(names, 0.0))[r.label] = 1.0
        sdoc.user_data[REL_KEY] = rel
        # and exactly, for our own import: [label, head layer, start, end, label, child layer, start, end, label]
        sdoc.user_data["relations"] = [[r.label, h.span.layer, h.start, h.end, h.span.label,
                                        c.span.layer, c.start, c.end, c.span.label] for r, h, c in rels]
    sdoc.cats = cats_of(ctx.schema, rec.answers)
    sdoc.user_data["annotator"] = rec.annotator
    sdoc.user_data["status"] = rec.status
    sdoc.user_data["labels"] = {q: [v, t] for q, (v, t) in rec.answers.items()}
    sdoc.user_data["document"] = document_user_data(doc)
    return sdoc


@register_writer("spacy", ".spacy", token_based=True, own_suggestions=True,
                 description="spaCy DocBin for spacy train: doc.ents, doc.spans[layer], doc.cats")
def write_spacy(records: Iterator[ExportRecord], out: Path, ctx: ExportContext) -> None:
    """Write a DocBin to ``out``.  Chunks of documents go into DocBins of their own (in worker
    processes with ``--n-process``: :mod:`annotator.formats.parallel`) appended in order, as
    ``DocBin.merge`` does it: the file is the same as one DocBin filled document by document
    (its strings are written sorted)."""
    from spacy.tokens import DocBin

    db = DocBin(store_user_data=True)
    for tokens, spaces, strings, cats, flags, span_groups, user_data in render_chunks(records, ctx, _render_spacy):
        db.tokens.extend(tokens)
        db.spaces.extend(spaces)
        db.strings.update(strings)
        db.cats.extend(cats)
        db.flags.extend(flags)
        db.span_groups.extend(span_groups)
        db.user_data.extend(user_data)
    db.to_disk(out)


def _render_spacy(chunk: Sequence[ExportRecord], ctx: ExportContext, _offset: int, _shared: Any) -> tuple[Any, ...]:
    """The parts of a DocBin of ``chunk``'s records, as plain lists and arrays: a DocBin
    itself would travel back from a worker zlib-compressed, to be unpacked here again."""
    from spacy.tokens import DocBin

    nlp = blank_nlp()
    db = DocBin(store_user_data=True)
    add = DocBinAdder(db)
    for rec in chunk:
        add(build_doc(rec, ctx, nlp))
    return db.tokens, db.spaces, db.strings, db.cats, db.flags, db.span_groups, db.user_data


class DocBinAdder:
    """``DocBin.add`` (spaCy 3.8) without its two costs that are not the document's: the same
    parts appended, the same bytes in the file (``tests/formats/test_spacy_docbin_add.py``
    compares them, and fails first if a spaCy release changes ``add``).

    * srsly builds a msgpack ``Packer`` for every object it packs (the user data, every span
      group and the groups together: three or four a document), and each walks catalogue's
      whole registry for encoders (and every installed package's entry points, unless
      ``tokenize._skip_srsly_entry_point_scans`` switched that off: 0.2 ms each, about half of
      exporting a document).  One ``Packer`` made the same way serves the whole chunk.
    * ``add`` reads nine attributes of every token, one Python call each, to collect the
      file's strings; here each attribute's distinct ids are found in the token array and
      each is looked up once in the vocabulary's strings, as the attribute itself does (the
      morphology through a token that has it: its text is not the string of its id).
    """

    #: the token attributes whose strings ``DocBin.add`` keeps, in its order, with the property it reads
    _STRINGS = (("ORTH", "text"), ("TAG", "tag_"), ("LEMMA", "lemma_"), ("NORM", "norm_"), ("MORPH", "morph"),
                ("DEP", "dep_"), ("ENT_TYPE", "ent_type_"), ("ENT_KB_ID", "ent_kb_id_"), ("ENT_ID", "ent_id_"))

    def __init__(self, docbin: Any) -> None:
        import numpy
        import srsly.msgpack
        from spacy import attrs

        self.docbin = docbin
        self.numpy = numpy
        # what srsly.msgpack_dumps makes for every call (msgpack.dumps(data, use_bin_type=True))
        self.packer = srsly.msgpack.Packer(use_bin_type=True)
        self.spacy_attr = attrs.SPACY
        self.string_attrs = [attrs.IDS[name] for name, _ in self._STRINGS]
        self.props = [prop for _, prop in self._STRINGS]

    def __call__(self, doc: Any) -> None:
        """Add ``doc`` to the DocBin as ``DocBin.add(doc)`` would."""
        numpy, db = self.numpy, self.docbin
        array = doc.to_array(db.attrs)
        if len(array.shape) == 1:
            array = array.reshape((array.shape[0], 1))
        db.tokens.append(array)
        spaces = doc.to_array(self.spacy_attr)
        spaces = spaces.reshape((spaces.shape[0], 1))
        db.spaces.append(numpy.asarray(spaces, dtype=bool))
        db.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
        if len(doc):
            values = doc.to_array(self.string_attrs).reshape((len(doc), len(self.props)))
            strings = doc.vocab.strings
            for column, prop in enumerate(self.props):
                if prop == "morph":  # str(token.morph): the analysis's text, "" for none
                    _ids, first = numpy.unique(values[:, column], return_index=True)
                    db.strings.update(str(doc[i].morph) for i in first.tolist())
                else:  # each of these attributes is vocab.strings[its id]: each distinct id read once
                    db.strings.update(strings[h] for h in numpy.unique(values[:, column]).tolist())
        db.cats.append(doc.cats)
        if db.store_user_data:
            db.user_data.append(self.packer.pack(doc.user_data))
        db.span_groups.append(self._span_groups(doc))
        for _key, group in doc.spans.items():
            for span in group:
                db.strings.add(span.label_)
                if span.kb_id in span.doc.vocab.strings:
                    db.strings.add(span.kb_id_)
                if span.id in span.doc.vocab.strings:
                    db.strings.add(span.id_)

    def _span_groups(self, doc: Any) -> bytes:
        """``doc.spans.to_bytes()``, packed by this adder's ``Packer``."""
        if len(doc.spans) == 0:
            return doc.spans._EMPTY_BYTES
        msg: dict[bytes, list[str]] = {}
        for key, group in doc.spans.items():
            output = {"name": group.name, "attrs": group.attrs, "spans": [
                struct.pack(">QQQllll", span.id, span.kb_id, span.label, span.start, span.end, span.start_char,
                            span.end_char) for span in group]}
            msg.setdefault(self.packer.pack(output), []).append(key)
        return self.packer.pack(msg)


def _map_label(label: str, layer: str, options: ReadOptions) -> str | None:
    names = options.schema.layer(layer).label_names
    if label in names:
        return label
    mapped = options.schema.label_map.get(label)
    return mapped if mapped in names else None


def _relations(sdoc: Any, ud: dict[str, Any], spans: list[Span], schema: Any, path: Path, number: int
               ) -> list[RelationRecord]:
    """Our exact ``user_data["relations"]``, else ``doc._.rel`` (ends by start token: the span
    starting there whose layer and label the relation type allows)."""
    raw = ud.get("relations")
    out: list[RelationRecord] = []
    if isinstance(raw, (list, tuple)):
        for item in raw:
            try:
                label, hl, hs, he, hlab, cl, cs, ce, clab = item
            except (TypeError, ValueError) as exc:
                raise InputError(f"doc {number}: malformed user_data relations ({exc})", path) from exc
            head, child = find_end(spans, hs, he, hl, hlab), find_end(spans, cs, ce, cl, clab)
            if head is None or child is None:
                raise InputError(f"doc {number}: a {label} relation joins spans the doc does not hold", path)
            out.append(RelationRecord(str(label), head, child))
        return out
    rel = sdoc.user_data.get(REL_KEY)
    if not isinstance(rel, dict):
        return out
    known = {rt.name: rt for rt in schema.relations}
    for pair, scores in rel.items():
        try:
            h_tok, c_tok = (int(x) for x in pair)
            h_at, c_at = sdoc[h_tok].idx, sdoc[c_tok].idx
        except (TypeError, ValueError, IndexError) as exc:
            raise InputError(f"doc {number}: doc._.rel key {pair!r} is not two token indices ({exc})", path) from exc
        for label, score in (scores or {}).items():
            rt = known.get(str(label))
            if rt is None or not score or score < 0.5:
                continue
            head = next((s for s in spans if s.start == h_at and rt.allows("head", s.layer, s.label)), None)
            child = next((s for s in spans if s.start == c_at and rt.allows("child", s.layer, s.label)), None)
            if head is None or child is None:
                raise InputError(f"doc {number}: doc._.rel {label} at tokens {h_tok}, {c_tok} has no span "
                                 "the relation type allows at an end", path)
            out.append(RelationRecord(rt.name, endpoint_of(head), endpoint_of(child)))
    return out


def _token_offsets(sdoc: Any) -> list[list[int]]:
    """``[[start, end], ...]`` of the non-space tokens, from the token array (a Python object
    per token was about a fifth of reading a DocBin, under the profiler)."""
    import numpy
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    if not len(sdoc):
        return []
    values = sdoc.to_array([IDX, LENGTH, IS_SPACE]).reshape((len(sdoc), 3)).astype(numpy.int64)
    kept = values[values[:, 2] == 0]
    return numpy.stack([kept[:, 0], kept[:, 0] + kept[:, 1]], axis=1).tolist()


@register_reader("spacy", (".spacy",))
def read_spacy(path: Path, options: ReadOptions) -> Iterator[ImportRecord]:
    """Read a DocBin: ``doc.spans`` groups named like schema layers (else
    ``doc.ents`` as entities), answers from ``user_data`` or one-hot ``doc.cats``."""
    from spacy.tokens import DocBin

    try:
        db = DocBin().from_disk(path)
        docs = list(db.get_docs(blank_nlp().vocab))
    except Exception as exc:  # noqa: BLE001 - anything spaCy raises means "not a DocBin"
        raise InputError(f"not a spaCy DocBin ({type(exc).__name__}: {exc})", path) from exc
    schema = options.schema
    layers = set(schema.layer_names)
    records = []
    ignored: dict[str, int] = {}
    for number, sdoc in enumerate(docs, start=1):
        ud = {k: v for k, v in sdoc.user_data.items() if isinstance(k, str)}
        info = ud.get("document") if isinstance(ud.get("document"), dict) else {}
        text = sdoc.text
        if not text.strip():
            raise InputError(f"doc {number} has no text", path)
        meta: dict[str, Any] = dict(info.get("meta") or {})
        meta.setdefault("file", path.name)
        meta["tokens"] = _token_offsets(sdoc)
        spans: list[Span] = []
        suggestions: list[Span] = []
        raw_sugg = ud.get("suggestions")
        for key, group in sdoc.spans.items():
            base = key[: -len(SUGGESTION_SUFFIX)] if key.endswith(SUGGESTION_SUFFIX) else None
            if base in layers:
                if not isinstance(raw_sugg, (list, tuple)):  # another tool's file: the aligned spans, origin unknown
                    for s in group:
                        label = _map_label(s.label_, base, options)
                        if label is not None:
                            suggestions.append(Span(s.start_char, s.end_char, label, base, origin="spacy:" + key))
                continue
            if key not in layers:
                ignored[key] = ignored.get(key, 0) + len(group)
                continue
            for s in group:
                label = _map_label(s.label_, key, options)
                if label is None:
                    raise InputError(f"doc {number}: label {s.label_!r} is not in layer {key!r}", path)
                spans.append(Span(s.start_char, s.end_char, label, key, kb_id=s.kb_id_ or None))
        if "entities" in layers and not len(sdoc.spans.get("entities", [])):  # another tool's file: doc.ents
            for e in sdoc.ents:
                label = _map_label(e.label_, "entities", options)
                if label is None:
                    raise InputError(f"doc {number}: entity label {e.label_!r} is not in the schema", path)
                spans.append(Span(e.start_char, e.end_char, label, "entities", kb_id=e.kb_id_ or None))
        if isinstance(raw_sugg, (list, tuple)):
            try:
                for layer, start, end, label, origin, score in raw_sugg:
                    suggestions.append(Span(int(start), int(end), str(label), str(layer), origin=str(origin),
                                            score=score))
            except (TypeError, ValueError) as exc:
                raise InputError(f"doc {number}: malformed user_data suggestions ({exc})", path) from exc
        answers: dict[str, tuple[str, str | None]] = {}
        if isinstance(ud.get("labels"), dict):
            for q, vt in ud["labels"].items():
                value, target = (vt[0], vt[1] if len(vt) > 1 else None) if isinstance(vt, (list, tuple)) else (vt, None)
                answers[str(q)] = (str(value), str(target) if target else None)
        else:
            known = set()
            for q in schema.questions:
                scores = {v: sdoc.cats.get(f"{q.name}:{v}") for v in q.values}
                scores = {v: s for v, s in scores.items() if s is not None}
                known.update(f"{q.name}:{v}" for v in scores)
                if scores and max(scores.values()) > 0:
                    answers[q.name] = (max(scores, key=lambda v: scores[v]), None)
            for key in sdoc.cats:
                if key not in known:
                    ignored[f"doc.cats {key!r}"] = ignored.get(f"doc.cats {key!r}", 0) + 1
        relations = _relations(sdoc, ud, spans, schema, path, number)
        fields = {k: str(info[k]) for k in ("title", "source", "url", "published", "language") if info.get(k)}
        annotator = ud.get("annotator") or options.annotator
        status = ud.get("status")
        records.append(ImportRecord(
            Document(text=text, meta=meta, **fields),
            annotator=str(annotator) if annotator else None,
            spans=spans, answers=answers,
            status=str(status) if status and status != "todo" else None,
            suggestions=suggestions, relations=relations,
            line=number, clean=False,
        ))
    for key, n in ignored.items():
        if key.startswith("doc.cats "):
            warn(f"{path}: {key} answers no question of the schema (QUESTION:VALUE); {n} doc(s), not imported")
        elif n:
            warn(f"{path}: span group {key!r} is not a layer of the schema; its {n} span(s) were not imported")
    if not records:
        raise InputError("the DocBin holds no documents", path)
    return iter(records)
