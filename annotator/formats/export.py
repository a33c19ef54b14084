"""Export framework: writers registered per format, mirroring the readers.

:func:`export_project` picks whose annotations to write (one annotator, the
adjudicated ``gold`` set, or every annotator as separate records), builds one
:class:`ExportRecord` per document and annotator, and hands them to the
format's writer.  Writers of token formats map spans onto tokens with
:func:`ExportContext.align`, which records every span that is not on token
boundaries in the report (never silently).

Safety: nothing is written over an existing output without ``force``, and
every output is first written under a temporary name next to its target and
renamed into place only when complete, so a failed or cancelled export leaves
no half-written file.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Protocol

from annotator.core.errors import AnnotatorError
from annotator.core.jobs import Progress, ShouldCancel, check_cancel
from annotator.core.model import GOLD, Document, Span
from annotator.core.names import is_project_file, renamed, safe_file_names
from annotator.core.relations import RelationRecord
from annotator.formats.tokenize import (
    MISALIGNED_POLICIES,
    TAG_SCHEMES,
    AlignmentIssue,
    Tokens,
    TokenSpan,
    align_spans,
    non_overlapping,
    tokenize,
)

if TYPE_CHECKING:
    from annotator.store import Project

#: Formats whose writers carry relations (the others report every relation as left out).
RELATION_FORMATS = frozenset({"jsonl", "native", "spacy", "brat", "doccano", "labelstudio"})

#: Pseudo-annotator under which machine suggestions are written by formats
#: that have no separate place for them.
SUGGESTIONS = "suggestions"


def suggestions_back(rec: Any) -> Any:
    """For readers: a record of the pseudo-annotator ``suggestions`` (how
    formats without a place for suggestions carry them) becomes suggestions
    again, not an annotator's spans."""
    if rec.annotator == SUGGESTIONS:
        rec.suggestions = [s if s.origin != "human" else s.with_(origin="import") for s in rec.spans]
        rec.spans = []
        rec.annotator = None
    return rec


class ExportError(AnnotatorError):
    """The export cannot be done as asked (output exists, misaligned spans
    with ``fail``, unknown annotator...)."""

    code = "E010"


@dataclass
class ExportRecord:
    """One document with one annotator's work on it (``annotator`` None: no one's)."""

    document: Document
    annotator: str | None
    spans: list[Span] = field(default_factory=list)
    #: question -> (value, target)
    answers: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    status: str = "todo"
    #: machine suggestions (only with ``include_suggestions``)
    suggestions: list[Span] = field(default_factory=list)
    #: every annotator's record of this document (Label Studio groups them)
    index: int = 0
    #: relations between spans of ``spans`` (by position)
    relations: list[RelationRecord] = field(default_factory=list)


@dataclass
class ExportOptions:
    """The choices of one export."""

    layers: tuple[str, ...] | None = None  # None: every layer of the schema
    entity_layer: str = "entities"  # the layer written as doc.ents / CoNLL tags
    scheme: str = "iob2"
    misaligned: str = "expand"
    include_suggestions: bool = False
    docstart: bool = True  # CoNLL: -DOCSTART- lines between documents


@dataclass
class ExportReport:
    """What an export wrote and what it had to change."""

    format: str
    out: str
    files: list[str] = field(default_factory=list)
    documents: int = 0
    records: int = 0
    spans: int = 0
    answers: int = 0
    relations: int = 0
    tokens: int = 0
    unannotated: int = 0
    parts: dict[str, int] = field(default_factory=dict)
    issues: list[AlignmentIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for a terminal or a status bar."""
        parts = ", ".join(f"{k}: {v}" for k, v in self.parts.items())
        out = (f"exported {self.records} record(s) of {self.documents} document(s), {self.spans} span(s), "
               f"{self.answers} answer(s) as {self.format} to {self.out}")
        if parts:
            out += f" ({parts})"
        if self.issues:
            out += f"; {len(self.issues)} span(s) not on token boundaries or left out (see report)"
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (CLI ``--json``)."""
        return {
            "format": self.format, "out": self.out, "files": self.files, "documents": self.documents,
            "records": self.records, "spans": self.spans, "labels": self.answers, "relations": self.relations,
            "tokens": self.tokens,
            "unannotated": self.unannotated, "parts": self.parts, "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
            "issues": [
                {"document": i.document_id, "title": i.title, "annotator": i.annotator, "layer": i.layer,
                 "start": i.start, "end": i.end, "label": i.label, "text": i.text, "action": i.action,
                 "new_start": i.new_start, "new_end": i.new_end}
                for i in self.issues
            ],
        }


class ExportContext:
    """What a writer gets besides the records: options, schema, the report,
    and token helpers that cache one document's tokens."""

    def __init__(self, options: ExportOptions, schema: Any, report: ExportReport, project_name: str = "") -> None:
        self.options = options
        self.schema = schema
        self.report = report
        self.project_name = project_name
        self._tok_key: tuple[int | None, str] | None = None
        self._tokens: Tokens | None = None
        #: True when every annotator is written as separate records
        self.separately = False
        #: (layer or what) -> how many spans/answers the format could not carry
        self.unwritten: dict[str, int] = {}
        #: annotator name -> safe, unique file or folder name (set by export_project)
        self.file_names: dict[str, str] = {}
        #: the project holds relations (set by export_project): formats whose lines must all
        #: carry the same keys add their relation keys to every line, or to none
        self.with_relations = False
        #: worker processes for the writers that render in chunks (annotator.formats.parallel)
        self.n_process = 1

    def file_name(self, annotator: str) -> str:
        """The annotator's file/folder name: never a path, never another annotator's."""
        if annotator not in self.file_names:
            self.file_names = safe_file_names([*self.file_names, annotator])
        return self.file_names[annotator]

    def not_written(self, what: str, n: int = 1) -> None:
        """Count annotations the format has no place for (summarised as a warning)."""
        if n:
            self.unwritten[what] = self.unwritten.get(what, 0) + n

    @property
    def layers(self) -> tuple[str, ...]:
        """Layers to write."""
        return self.options.layers or tuple(self.schema.layer_names)

    def tokens(self, doc: Document) -> Tokens:
        """The document's tokens (cached while records of one document follow)."""
        key = (doc.id, doc.content_hash if doc.id is None else "")
        if self._tok_key != key or self._tokens is None:
            self._tokens = tokenize(doc.text, doc.meta)
            self._tok_key = key
            self.report.tokens += self._tokens.count_words()
        return self._tokens

    def set_tokens(self, doc: Document, tokens: Tokens) -> None:
        """Give precomputed tokens (batched tokenization)."""
        self._tok_key = (doc.id, doc.content_hash if doc.id is None else "")
        self._tokens = tokens
        self.report.tokens += tokens.count_words()

    def issue(self, rec: ExportRecord, span: Span, action: str, new_start: int | None = None,
              new_end: int | None = None) -> None:
        """Record one span that was moved or left out."""
        doc = rec.document
        self.report.issues.append(AlignmentIssue(
            doc.id, doc.title, rec.annotator, span.layer, span.start, span.end, span.label,
            doc.text[span.start : span.end], action, new_start, new_end,
        ))

    def align(self, rec: ExportRecord, spans: Iterable[Span], tokens: Tokens) -> list[TokenSpan]:
        """Spans on tokens per ``--misaligned``; every change goes into the report."""
        aligned, issues = align_spans(spans, tokens, self.options.misaligned)
        for span, action, ns, ne in issues:
            self.issue(rec, span, action, ns, ne)
        if self.options.misaligned == "fail" and issues:
            doc = rec.document
            shown = "; ".join(
                f"{s.layer} {s.start}-{s.end} {s.label} {doc.text[s.start:s.end]!r}" for s, _a, _b, _c in issues[:5]
            )
            raise ExportError(
                f"document {doc.id} ({doc.title[:60]!r}): {len(issues)} span(s) not on token boundaries: {shown}"
                " (use --misaligned expand|contract|skip to export anyway)"
            )
        return aligned

    def entities(self, rec: ExportRecord, spans: Iterable[Span], tokens: Tokens, why: str) -> list[TokenSpan]:
        """Aligned, non-overlapping entities (for tags and ``doc.ents``); the
        overlapping ones left out are reported with ``why``."""
        aligned = self.align(rec, spans, tokens)
        kept, dropped = non_overlapping(aligned)
        for t in dropped:
            self.issue(rec, t.span, why)
        return kept

    def layer_spans(self, rec: ExportRecord, spans: list[Span] | None = None) -> dict[str, list[Span]]:
        """The record's spans grouped by the exported layers."""
        out: dict[str, list[Span]] = {name: [] for name in self.layers}
        for s in rec.spans if spans is None else spans:
            if s.layer in out:
                out[s.layer].append(s)
        return out


class Writer(Protocol):
    """Writes records to ``out`` (a temporary path: a file, or a folder for
    ``directory`` writers)."""

    def __call__(self, records: Iterator[ExportRecord], out: Path, ctx: ExportContext) -> None: ...


@dataclass(frozen=True)
class WriterInfo:
    """A registered export format."""

    name: str
    write: Writer
    extension: str  # of the output file, or "" for folders
    directory: bool = False
    #: spans must be mapped onto tokens (the misaligned policy applies)
    token_based: bool = False
    #: write every annotator by default (Label Studio: annotations per annotator)
    all_annotators_default: bool = False
    #: suggestions have their own place in the format (else a "suggestions" record)
    own_suggestions: bool = False
    description: str = ""
    #: the format records who annotated (CoNLL does not)
    names_annotators: bool = True


_WRITERS: dict[str, WriterInfo] = {}


def register_writer(
    name: str,
    extension: str = "",
    *,
    directory: bool = False,
    token_based: bool = False,
    all_annotators_default: bool = False,
    own_suggestions: bool = False,
    description: str = "",
    names_annotators: bool = True,
) -> Callable[[Writer], Writer]:
    """Decorator: make ``name`` available to ``annotator export --format``."""

    def wrap(func: Writer) -> Writer:
        _WRITERS[name] = WriterInfo(name, func, extension, directory, token_based, all_annotators_default,
                                    own_suggestions, description, names_annotators)
        return func

    return wrap


def writers() -> dict[str, WriterInfo]:
    """Every registered export format.

    The built-in ones are all there: importing this module runs the package's
    ``__init__`` first, which imports every built-in format module.
    """
    return dict(_WRITERS)


# -- choosing what to export ---------------------------------------------------


def annotators_with_work(project: Project) -> list[str]:
    """Annotators with at least one span, answer or status in the project."""
    have = project.annotators_with_work()
    order = [a for a in project.annotators() if a in have]
    return order + sorted(have - set(order))


def choose_annotators(
    project: Project, *, annotator: str | None, gold: bool, all_annotators: bool, info: WriterInfo
) -> tuple[list[str], bool]:
    """``(names, each_separately)`` for the export; :class:`ExportError` when
    the choice is ambiguous or names someone unknown."""
    if sum(bool(x) for x in (annotator, gold, all_annotators)) > 1:
        raise ExportError("choose one of --annotator NAME, --gold and --all-annotators")
    working = annotators_with_work(project)
    if annotator:
        if annotator not in project.annotators() and annotator not in working:
            known = ", ".join(project.annotators()) or "none"
            raise ExportError(f"no annotator {annotator!r} in {project.path} (annotators: {known})")
        return [annotator], False
    if gold:
        if GOLD not in working:
            # without this, --gold on an unadjudicated project wrote bare texts: training data with no entities
            raise ExportError(
                f"no gold set in {project.path} yet: adjudicate first ('annotator adjudicate PROJECT --auto' "
                "or 'annotator review PROJECT'), or choose --annotator NAME"
            )
        return [GOLD], False
    if all_annotators or info.all_annotators_default:
        return working, True
    if GOLD in working:
        return [GOLD], False
    if len(working) == 1:
        return working, False
    if not working:
        return [], False
    raise ExportError(
        f"several annotators have work in {project.path} ({', '.join(working)}): "
        "choose --annotator NAME, --gold or --all-annotators"
    )


def _answers(project: Project, doc_id: int, annotator: str) -> dict[str, tuple[str, str | None]]:
    return {lab.question: (lab.value, lab.target) for lab in project.answers(doc_id, annotator)}


def iter_records(
    project: Project,
    doc_ids: list[int],
    names: list[str],
    separately: bool,
    *,
    only_done: bool,
    include_suggestions: bool,
    layers: tuple[str, ...] | None,
    suggestions_inline: bool,
) -> Iterator[ExportRecord | Document]:
    """Records in document order; a bare :class:`Document` marks a document
    that produced no record (counted, never written)."""
    statuses = project.statuses()
    linked = project.kb_has_links()  # knowledge-base links go out as kb_id (docs/kb.md)
    for doc in project.iter_documents(doc_ids):
        assert doc.id is not None
        recs: list[ExportRecord] = []
        for name in names:
            state = statuses.get((doc.id, name), "todo")
            if only_done and state != "done":
                continue
            spans = project.spans(doc.id, name)
            if layers:
                spans = [s for s in spans if s.layer in layers]
            if linked and spans:
                kb = project.kb_links_for_spans([s.id for s in spans if s.id is not None])
                spans = [s.with_(kb_id=kb[s.id]) if s.id in kb else s for s in spans]
            answers = _answers(project, doc.id, name)
            if separately and not spans and not answers and state == "todo":
                continue
            rec = ExportRecord(doc, name, spans, answers, state)
            rec.relations = [RelationRecord(r.label, r.head_end, r.child_end) for r in project.relations(doc.id, name)
                             if r.head_end is not None and r.child_end is not None
                             and (not layers or (r.head_end.layer in layers and r.child_end.layer in layers))]
            recs.append(rec)
        if not names and not only_done:
            recs.append(ExportRecord(doc, None))
        if separately and not recs and not only_done:
            recs.append(ExportRecord(doc, None))
        if include_suggestions:
            sugg = project.suggestions(doc.id)
            if layers:
                sugg = [s for s in sugg if s.layer in layers]
            if sugg:
                if suggestions_inline:
                    if not recs:
                        recs.append(ExportRecord(doc, None))
                    for r in recs:
                        r.suggestions = sugg
                else:
                    recs.append(ExportRecord(doc, SUGGESTIONS, sugg, {}, "todo"))
        if not recs:
            yield doc
        for i, r in enumerate(recs):
            r.index = i
            yield r


# -- safe output ------------------------------------------------------------------


def _temp_sibling(out: Path, directory: bool) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{out.name}.part-"
    if directory:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=out.parent))
    fd, name = tempfile.mkstemp(prefix=prefix, dir=out.parent)
    os.close(fd)
    return Path(name)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _current_umask() -> int:
    """The process umask, read once at import (``os.umask`` can only be read by
    setting it, which must not happen while worker threads create files)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _finish(tmp: Path) -> None:
    """Give the output ordinary modes (mkstemp/mkdtemp make private ones) and
    flush a file to disk before it is renamed into place."""
    if tmp.is_dir():
        os.chmod(tmp, 0o777 & ~_UMASK)
        for p in tmp.rglob("*"):
            os.chmod(p, (0o777 if p.is_dir() else 0o666) & ~_UMASK)
        return
    os.chmod(tmp, 0o666 & ~_UMASK)
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())


#: Files an export folder (brat, or any format with ``split``) is made of.
_EXPORT_FOLDER_FILE = re.compile(r"^(\d+\.(txt|ann|json)|annotation\.conf|visual\.conf)$")


def _check_replaceable(out: Path, info: WriterInfo, split: bool) -> None:
    """``force`` replaces an earlier export, never anything else: a file
    format's ``out`` that is a folder, or a folder holding files no export
    writes (a training config, other data), is refused, since replacing
    it would delete them."""
    if not out.is_dir() or out.is_symlink():
        return
    if not (info.directory or split):
        raise ExportError(f"{out} is a folder; --out names the {info.name} file to write")
    parts = {f"train{info.extension}", f"dev{info.extension}"} if split and info.extension else set()
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name not in parts and not (info.directory and _EXPORT_FOLDER_FILE.match(path.name)):
            raise ExportError(
                f"{out} holds files this export would not write ({path.relative_to(out)}); --force replaces "
                "an earlier export only, never other files: choose another --out"
            )


def _put_in_place(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` to ``out``.  A file replaces a file atomically; any other
    old output (allowed by force) is moved aside first and removed only once
    the new one is in place, so a failure leaves the old output."""
    _finish(tmp)
    if not out.exists() or (out.is_file() and tmp.is_file()):
        os.replace(tmp, out)
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.replace(out, old)
    try:
        os.replace(tmp, out)
    except OSError:
        os.replace(old, out)
        raise
    _remove(old)


# -- the entry point -------------------------------------------------------------------




def export_project(
    project: Project,
    fmt: str,
    out: str | Path,
    *,
    annotator: str | None = None,
    gold: bool = False,
    all_annotators: bool = False,
    layer: str | Iterable[str] | None = None,
    split: float | None = None,
    seed: int = 0,
    only_done: bool = False,
    include_suggestions: bool = False,
    scheme: str = "iob2",
    misaligned: str = "expand",
    docstart: bool = True,
    doc_ids: Iterable[int] | None = None,
    force: bool = False,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    n_process: int = 1,
) -> ExportReport:
    """Export ``project`` (an open :class:`annotator.store.Project`) as ``fmt`` to ``out``.

    ``split`` (a train fraction in (0, 1)) makes ``out`` a folder holding
    ``train.EXT`` and ``dev.EXT`` (documents shuffled with ``seed``; every
    record of one document goes to the same part).  ``layer`` restricts the
    layers written (the first one named is the one written as entities/tags).
    Raises :class:`ExportError` (nothing written) when the output exists
    without ``force``, when a span is misaligned under ``misaligned="fail"``,
    or :class:`~annotator.core.jobs.Cancelled` when ``should_cancel()`` turns true.
    ``n_process`` > 1 tokenizes and renders in that many worker processes where the format
    supports it (CoNLL, CoNLL-U, spaCy; :mod:`annotator.formats.parallel`); the output is
    the same byte for byte.
    """
    started = time.perf_counter()
    info = writers().get(fmt)
    if info is None:
        raise ExportError(f"unknown export format {fmt!r} (one of: {', '.join(sorted(writers()))})")
    if scheme not in TAG_SCHEMES:
        raise ExportError(f"--scheme must be one of {', '.join(TAG_SCHEMES)}, not {scheme!r}")
    if misaligned not in MISALIGNED_POLICIES:
        raise ExportError(f"--misaligned must be one of {', '.join(MISALIGNED_POLICIES)}, not {misaligned!r}")
    if n_process < 1:
        raise ExportError(f"--n-process must be 1 or more, not {n_process}")
    if split is not None and not 0.0 < split < 1.0:
        raise ExportError(f"--split is the train fraction, between 0 and 1 (exclusive), not {split}")
    layers: tuple[str, ...] | None = None
    if layer:
        layers = (layer,) if isinstance(layer, str) else tuple(layer)
        for name in layers:
            try:
                project.schema.layer(name)
            except AnnotatorError as exc:
                raise ExportError(exc.detail) from exc
    out = Path(out)
    if is_project_file(out, project.path):  # --force replaces an export, never the project it comes from
        raise ExportError(f"--out {out} is the project file {project.path} (or holds it); name another file")
    if out.exists() and not force:
        raise ExportError(f"{out} exists; pass --force to replace it")
    _check_replaceable(out, info, split is not None)
    names, separately = choose_annotators(project, annotator=annotator, gold=gold,
                                          all_annotators=all_annotators, info=info)
    options = ExportOptions(
        layers=layers, entity_layer=layers[0] if layers else "entities", scheme=scheme, misaligned=misaligned,
        include_suggestions=include_suggestions, docstart=docstart,
    )
    report = ExportReport(format=fmt, out=str(out))
    if not names:
        report.warnings.append("no annotator has any work in this project: writing the texts only")
    ctx = ExportContext(options, project.schema, report, project_name=project.path.stem)
    ctx.with_relations = project.count_relations() > 0
    ctx.separately = separately
    ctx.n_process = n_process
    ctx.file_names = safe_file_names(names + ([SUGGESTIONS] if include_suggestions else []))
    if info.directory and separately and renamed(ctx.file_names):
        report.warnings.append("annotator names made into safe, distinct folder names: "
                               + ", ".join(renamed(ctx.file_names)))
    if options.entity_layer not in project.schema.layer_names and info.token_based:
        report.warnings.append(f"the schema has no layer {options.entity_layer!r}: no entities or tags are written")

    ids = list(doc_ids) if doc_ids is not None else project.document_ids()
    parts: list[tuple[str, list[int]]]
    if split is not None:
        shuffled = list(ids)
        random.Random(seed).shuffle(shuffled)
        n_train = round(len(shuffled) * split)
        train = set(shuffled[:n_train])
        parts = [("train", [i for i in ids if i in train]), ("dev", [i for i in ids if i not in train])]
        for name, part in parts:
            if not part:
                report.warnings.append(f"the {name} part is empty ({len(ids)} document(s), split {split})")
    else:
        parts = [("", ids)]

    total = len(ids)
    done = 0
    not_done = 0
    wrote_suggestions = False
    tmp = _temp_sibling(out, info.directory or split is not None)
    try:
        for part_name, part_ids in parts:
            if split is not None:
                target = tmp / (f"{part_name}{info.extension}" if not info.directory else part_name)
                if info.directory:
                    target.mkdir()
            else:
                target = tmp
            count_before = report.records

            def records(part_ids: list[int] = part_ids) -> Iterator[ExportRecord]:
                nonlocal done, not_done, wrote_suggestions
                last: int | None = None
                for item in iter_records(
                    project, part_ids, names, separately, only_done=only_done,
                    include_suggestions=include_suggestions, layers=layers,
                    suggestions_inline=info.own_suggestions,
                ):
                    doc = item if isinstance(item, Document) else item.document
                    if doc.id != last:
                        last = doc.id
                        check_cancel(should_cancel, "export cancelled; nothing was written")
                        done += 1
                        if progress and (done % 25 == 0 or done == total):
                            progress(done, total, doc.title)
                        if isinstance(item, Document):
                            not_done += 1  # only --only-done leaves a document without a record
                            continue
                        report.documents += 1
                    if isinstance(item, Document):
                        continue
                    report.records += 1
                    if item.annotator == SUGGESTIONS or item.suggestions:
                        wrote_suggestions = True
                    if not item.spans and not item.answers:
                        report.unannotated += 1
                    report.spans += len(item.spans)
                    report.answers += len(item.answers)
                    report.relations += len(item.relations)
                    if item.relations and fmt not in RELATION_FORMATS:
                        ctx.not_written("relations", len(item.relations))
                    yield item

            info.write(records(), target, ctx)
            if split is not None:
                report.parts[part_name] = report.records - count_before
                report.files.append(str(out / target.name))
        check_cancel(should_cancel, "export cancelled; nothing was written")
        _put_in_place(tmp, out)
    except BaseException:
        _remove(tmp)
        raise
    if split is None:
        report.files.append(str(out))
    if not info.names_annotators and ((separately and len(names) > 1) or wrote_suggestions):
        # only when suggestions were written: a project without any has nothing to confuse
        who = names + ([SUGGESTIONS] if wrote_suggestions else [])
        report.warnings.append(
            f"{fmt} does not record annotator names: the records of {', '.join(who)} cannot be told apart "
            "(re-importing the file merges them under one name)"
        )
    for what, n in ctx.unwritten.items():
        report.warnings.append(f"{fmt} has no place for {what}: {n} left out")
    if not_done:
        # said out loud: gold is never marked done by 'adjudicate --auto', so
        # '--gold --only-done' can leave out everything
        report.warnings.append(
            f"--only-done: {not_done} document(s) left out, not marked done by {', '.join(names) or 'anyone'}"
            + ("; nothing was exported" if not report.records else "")
            + ("; gold is marked done in the review window ('annotator review', Ctrl+D) or by 'annotator adjudicate --auto --mark-done'" if GOLD in names else "")
        )
    if report.unannotated and names:
        report.warnings.append(
            f"{report.unannotated} record(s) carry no spans or answers (written as unannotated text; "
            "--only-done keeps finished documents only)"
        )
    if progress:
        progress(total, total, "")
    report.seconds = time.perf_counter() - started
    return report
