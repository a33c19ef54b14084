"""Importing files into a project: read each with its format's reader, then store
the records (cleaning, dedup and validation), one file per transaction."""

from __future__ import annotations

from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from annotator.core.errors import AnnotatorError, InputError, detail
from annotator.core.jobs import Cancelled, Progress, ShouldCancel, check_cancel
from annotator.core.model import (
    LONG_DOCUMENT_CHARS,
    STATES,
    Document,
    Span,
    annotator_name,
    content_hash,
    language_named,
)
from annotator.formats.base import (
    FileResult,
    ImportRecord,
    ImportReport,
    ReadOptions,
    collecting_warnings,
    expand_paths,
    format_for,
    readers,
)
from annotator.formats.relations import store_relations
from annotator.store.imports import ImportItem

if TYPE_CHECKING:
    from annotator.store import Project

#: Spans with no annotator named anywhere are stored under this name.
DEFAULT_IMPORT_ANNOTATOR = "imported"


def cleaned(doc: Document) -> Document:
    """The document with page furniture removed and header metadata kept."""
    from annotator.formats.clean import clean_news_text  # here: its 21 patterns compile on import

    result = clean_news_text(doc.text)
    if not result.changed and not result.meta:
        return doc
    meta = {**result.meta, **dict(doc.meta)}
    return replace(
        doc,
        text=result.text,
        title=doc.title or str(meta.get("title", "")),
        source=doc.source or str(meta.get("outlet") or meta.get("dateline_outlet") or ""),
        published=doc.published or str(meta.get("published", "")),
        meta=meta,
        original_text=doc.text if result.changed else None,
        removed_lines=tuple(result.removed),
    )


def _fallback_title(doc: Document) -> str:
    """The first line of the text (cut at a word near 90 characters): the title of an untitled document."""
    first = doc.text.strip().split("\n", 1)[0]
    return first if len(first) <= 90 else first[:87].rsplit(" ", 1)[0] + "…"


def _language(doc: Document, options: ReadOptions, stored: bool, told: str | None | bool = False) -> str | None:
    """``--language`` or the detected language (None: keep the document's; a text already
    ``stored`` keeps its own); ``told``: what a worker detected for this very text (False: nothing)."""
    if options.language:
        return options.language
    if stored:
        return None
    if told is not False:
        return told  # type: ignore[return-value]
    from annotator.formats.language import detect_language

    return detect_language(doc.text)


class LanguageAhead:
    """Tells the languages of the next batch in a worker process while this one stores the
    batch before (detection was a third of a large import's CPU).

    Only for a file of more than one batch, and only where forking is safe: this process
    runs one thread (the command line; the GUI imports in a thread and detects in place).
    The worker gets the texts that detection would see as they are (a record that may be
    cleaned is detected here, after cleaning) and answers what :func:`detect_language`
    answers, so every document gets the language it got before.  Leaving (an error, a
    cancel) ends the worker at once."""

    def __init__(self, options: ReadOptions) -> None:
        self._options = options
        self._pool: Any = None
        self._off = options.language is not None

    def submit(self, batch: Sequence[ImportRecord]) -> Any:
        """Start detecting ``batch``'s languages; a handle for :meth:`take` (None: detect in place)."""
        if self._off:
            return None
        if self._pool is None:
            import multiprocessing
            import threading

            if threading.active_count() != 1 or "fork" not in multiprocessing.get_all_start_methods():
                self._off = True
                return None
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        from annotator.formats.language import detect_languages

        opts = self._options
        texts = [None if language_named(rec.document) or (
            opts.clean and rec.clean and not rec.has_annotations and not rec.status
            and rec.document.original_text is None) else rec.document.text for rec in batch]
        return self._pool.submit(detect_languages, texts), texts

    @staticmethod
    def take(handle: Any) -> list[str | None | bool] | None:
        """What the worker told for each record (False: nothing asked), or None."""
        if handle is None:
            return None
        future, texts = handle
        told = future.result()
        return [False if text is None else answer for text, answer in zip(texts, told, strict=True)]

    def close(self) -> None:
        """End the worker without waiting for what it still has (after an error or a cancel)."""
        if self._pool is None:
            return
        processes = list(getattr(self._pool, "_processes", {}).values())  # the executor has no public kill
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        self._pool = None


def _with(doc: Document, title: str, language: str) -> Document:
    """``doc`` with its title and language set: ``dataclasses.replace`` by hand (it costs five
    times as much, and a million-article import makes one copy per article).  Every field is
    passed on; tests/formats/test_import_speed.py checks that none is lost."""
    return Document(text=doc.text, title=title, source=doc.source, url=doc.url, published=doc.published,
                    language=language, meta=doc.meta, id=doc.id, original_text=doc.original_text,
                    removed_lines=doc.removed_lines)


#: Records stored per batch (per executemany) inside a file's one transaction.
BATCH = 2000


def store_records(
    project: Project, records: Iterable[ImportRecord], path: Path, options: ReadOptions, result: FileResult,
    *, should_cancel: ShouldCancel | None = None,
) -> None:
    """Store every record of one file in one transaction, in batches of :data:`BATCH`
    (one content-hash query, one ``executemany`` per table and one event per batch);
    :class:`InputError` (naming the file and the record's line) rolls the whole file back.

    The next batch is read before one is stored, and its languages told meanwhile by
    :class:`LanguageAhead`; an error the reader raises in the next batch is raised after
    the batch before it is stored, so a file with two errors reports the earlier one, as
    when the batches were read one at a time."""
    it = iter(records)
    ahead = LanguageAhead(options)
    try:
        with project.bulk_import():
            batch = _read_batch(it)
            if not batch:
                raise InputError("no documents in file (empty?)", path)
            handle = None
            while batch:
                nxt: list[ImportRecord] = []
                error: BaseException | None = None
                if len(batch) >= BATCH:
                    try:
                        nxt = _read_batch(it)
                    except Exception as exc:  # noqa: BLE001 - raised below, after this batch's own errors
                        error = exc
                    if nxt and handle is None:
                        handle = ahead.submit(batch)
                    check_cancel(should_cancel, "import cancelled; files imported before stay imported", None)
                handle_next = ahead.submit(nxt) if nxt else None
                _store_batch(project, batch, path, options, result, told=ahead.take(handle))
                if error is not None:
                    raise error
                batch, handle = nxt, handle_next
    finally:
        ahead.close()


def _read_batch(records: Iterator[ImportRecord]) -> list[ImportRecord]:
    return list(islice(records, BATCH))


def _store_batch(
    project: Project, records: Sequence[ImportRecord], path: Path, options: ReadOptions, result: FileResult,
    *, told: Sequence[str | None | bool] | None = None,
) -> None:
    schema = project.schema
    # Texts stored as given (imported with spans, --no-clean): a bare copy of one is that document, so it
    # is not cleaned. One query for the batch, then the batch's own texts as they are decided.
    raw_hashes = [content_hash(rec.document.text) for rec in records]
    stored_ids = project.known_hashes(raw_hashes)  # reused by import_documents (same transaction)
    looked_up = set(raw_hashes)
    known = set(stored_ids)
    checked: set[tuple[str, str]] = set()  # (layer, label) pairs the schema has
    names: dict[str, str] = {}  # as given -> normal form (one check per name, not per record)
    items: list[ImportItem] = []
    extras: list[tuple[int, ImportRecord, str | None]] = []  # answers and suggestions, stored one by one
    linked: list[int] = []  # items whose spans carry knowledge-base ids (docs/kb.md)
    undetected: set[int] = set()  # id() of the documents whose language is still to tell
    for index, (rec, h) in enumerate(zip(records, raw_hashes, strict=True)):
        try:
            doc = rec.document
            # Clean only a bare article. A status is an annotator's work on the text as given (bob
            # marking it done with no span must land on the document alice's spans are on), and a
            # text already stored as given (imported with spans or --no-clean) is that document.
            if (options.clean and rec.clean and not rec.has_annotations and not rec.status
                    and doc.original_text is None and h not in known):
                doc = cleaned(doc)
                if doc.original_text is not None:
                    h = content_hash(doc.text)
            if not doc.text:
                raise ValueError("a document needs text")
            # one copy of the document for both (a dataclass copy per record is a cost at a million)
            title = doc.title or _fallback_title(doc)
            language = doc.language
            guess = told[index] if told is not None and doc is rec.document else False
            detect = not language_named(doc) and not options.language and guess is False and h not in known
            if not detect and not language_named(doc) and (found := _language(doc, options, h in known, guess)):
                language = found
            if title is not doc.title or language is not doc.language:
                doc = _with(doc, title, language)
            if detect:  # told while the store indexes the batch (import_documents' languages)
                undetected.add(id(doc))
            known.add(h)
            who = rec.annotator or options.annotator
            if who:  # " bob" and "bob" are one annotator
                who = names[who] if who in names else names.setdefault(who, annotator_name(who))
            if rec.spans or rec.status:
                who = who or DEFAULT_IMPORT_ANNOTATOR
            n = len(doc.text)
            for s in rec.spans:
                if (s.layer, s.label) not in checked:
                    schema.check_span(s.layer, s.label)
                    checked.add((s.layer, s.label))
                start, end = s.start, s.end
                if type(start) is not int or type(end) is not int or not 0 <= start < end <= n:
                    s.validate(doc.text)  # raises the error that says what is wrong
                if s.kb_id and (not linked or linked[-1] != len(items)):
                    linked.append(len(items))
            if rec.status and rec.status not in STATES:
                raise InputError(f"status {rec.status!r} is not one of {', '.join(STATES)}", path, rec.line)
            for s in rec.suggestions:
                schema.check_span(s.layer, s.label)
                s.validate(doc.text)
            items.append(ImportItem(doc, h, who, rec.spans, rec.status))
            if rec.answers or rec.suggestions or rec.relations:
                extras.append((len(items) - 1, rec, who))
        except InputError:
            raise
        except (AnnotatorError, ValueError) as exc:
            raise InputError(detail(exc), path, rec.line) from exc
    # cleaned texts have hashes of their own: look those up too, then the store needs no query of its own
    missing = [it.content_hash for it in items if it.content_hash not in looked_up]
    if missing:
        stored_ids.update(project.known_hashes(missing))
    try:
        stored = project.import_documents(items, source=str(path), known=stored_ids,
                                          languages=_teller(undetected) if undetected else None)
    except (AnnotatorError, ValueError) as exc:
        raise InputError(detail(exc), path) from exc
    result.records += len(items)
    result.doc_ids.update(stored.document_ids)
    result.documents = len(result.doc_ids)
    result.new_documents += sum(stored.created)
    result.spans += stored.spans
    for item, doc_id, created, rec in zip(items, stored.document_ids, stored.created, records, strict=True):
        doc = item.document
        if created and len(doc.text) > LONG_DOCUMENT_CHARS:
            result.warnings.append(
                f"{path}:{rec.line or 1}: document {doc_id} ({doc.title[:40]!r}) is {len(doc.text):,} "
                f"characters long (over {LONG_DOCUMENT_CHARS:,}): suggest works on it in pieces and the "
                "workspace may be slow to show it; consider splitting it")
    for index in linked:
        item = items[index]
        _store_links(project, stored.document_ids[index], item.annotator or DEFAULT_IMPORT_ANNOTATOR,
                     item.document.text, item.spans)
    for index, rec, who in extras:
        doc_id = stored.document_ids[index]
        try:
            for question, (value, target) in rec.answers.items():
                project.set_answer(doc_id, who or DEFAULT_IMPORT_ANNOTATOR, question, value, target)
                result.answers += 1
            by_origin: dict[str, list] = {}
            for s in rec.suggestions:
                by_origin.setdefault(s.origin, []).append(s)
            for origin, group in by_origin.items():
                project.set_suggestions(doc_id, group, suggester=origin, version="imported", validate=False)
            if rec.relations:  # between the record's spans, stored above
                result.relations += store_relations(project, doc_id, who or DEFAULT_IMPORT_ANNOTATOR, rec.relations)
        except (AnnotatorError, ValueError) as exc:
            raise InputError(detail(exc), path, rec.line) from exc




def _teller(undetected: set[int]) -> Callable[[Sequence[Document]], list[str | None]]:
    """The detected language of each new document in ``undetected`` (None for the others)."""
    from annotator.formats.language import detect_language

    def tell(docs: Sequence[Document]) -> list[str | None]:
        return [detect_language(d.text) if id(d) in undetected else None for d in docs]

    return tell


def _store_links(project: Project, doc_id: int, who: str, text: str, spans: Sequence[Span]) -> None:
    """Links read from a file (``kb_id`` on spans) become accepted links; an entry the
    knowledge base lacks is made from the span (docs/kb.md)."""
    ids = {s.key: s.id for s in project.spans(doc_id, who)}
    links = {ids[s.key]: (s.kb_id, s.text_in(text), s.label) for s in spans if s.kb_id and ids.get(s.key)}
    project.kb_import_links(links)


def import_paths(
    project: Project,
    paths: Iterable[str | Path],
    *,
    fmt: str | None = None,
    annotator: str | None = None,
    clean: bool = True,
    extra: dict[str, Any] | None = None,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    language: str | None = None,
) -> ImportReport:
    """Import files into ``project`` (a :class:`annotator.store.Project`).

    Each file is one transaction: a file either imports whole or not at all.
    A document whose input names no language gets ``language``, or the
    detected one when that is None (:func:`annotator.formats.language.detect_language`).
    """
    options = ReadOptions(schema=project.schema, clean=clean, annotator=annotator, extra=dict(extra or {}),
                          language=language)
    report = ImportReport()
    files: list[Path] = []
    for given in paths:
        try:
            files.extend(expand_paths([given], fmt))
        except InputError as exc:  # an unreadable sub-folder: that folder fails, the other paths import
            report.files.append(FileResult(str(given), error=str(exc)))
    for i, path in enumerate(files):
        check_cancel(should_cancel, "import cancelled; files imported before stay imported", report)
        result = FileResult(str(path))
        report.files.append(result)
        if progress:
            progress(i, len(files), str(path))
        try:
            if not path.exists():
                raise InputError("no such file or folder", path)
            name = fmt or format_for(path)
            info = readers().get(name)
            if info is None:
                raise InputError(f"unknown format {name!r} (one of: {', '.join(sorted(readers()))})", path)
            with collecting_warnings(result.reader_warnings):  # the reader runs as the batches are stored
                store_records(project, info.read(path, options), path, options, result, should_cancel=should_cancel)
        except Cancelled as exc:  # within a file: that file was rolled back whole
            report.files.pop()
            raise Cancelled(str(exc), report) from None
        except AnnotatorError as exc:
            result.error = str(exc)
        except (OSError, ValueError) as exc:  # a reader's plain error still names the file
            result.error = f"{path}: {exc}"
        except RecursionError:
            result.error = f"{path}: nested too deeply to read (JSON or XML deeper than Python can parse)"
        except Exception as exc:  # noqa: BLE001 - one file's failure, whatever it is, must not stop the others
            result.error = f"{path}: could not be read ({type(exc).__name__}: {exc})"
    if progress:
        progress(len(files), len(files), "")
    return report
