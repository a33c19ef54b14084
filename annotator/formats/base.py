"""Import framework: readers turn files into :class:`ImportRecord` objects,
:func:`import_paths` stores them one file per transaction.

A reader must read and validate the whole file before anything is stored, so
a bad line leaves nothing of that file behind; other files still import.
New formats register with :func:`register_reader`.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from annotator.core.errors import InputError
from annotator.core.model import Document, Span
from annotator.core.relations import RelationRecord
from annotator.core.schema import LabelSchema


@dataclass
class ImportRecord:
    """One document with (optionally) one annotator's work on it."""

    document: Document
    annotator: str | None = None
    spans: list[Span] = field(default_factory=list)
    #: question -> (value, target)
    answers: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    status: str | None = None
    #: machine suggestions (Label Studio predictions, spaCy ``*_suggestions``
    #: span groups); stored per ``origin`` as that suggester's, never as anyone's spans
    suggestions: list[Span] = field(default_factory=list)
    line: int | None = None  # where it started in its file, for errors
    #: relations between spans of ``spans`` (by position)
    relations: list[RelationRecord] = field(default_factory=list)
    #: False for inputs whose text must stay as given (token-based formats).
    clean: bool = True

    @property
    def has_annotations(self) -> bool:
        """True when it carries spans or answers (then its text is never cleaned)."""
        return bool(self.spans or self.answers)


@dataclass(frozen=True)
class ReadOptions:
    """What a reader needs to know."""

    schema: LabelSchema
    clean: bool = True
    annotator: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: language of documents whose input names none; None: detect it (:mod:`annotator.formats.language`)
    language: str | None = None


class Reader(Protocol):
    """Reads one file; raises :class:`InputError` naming the file and line."""

    def __call__(self, path: Path, options: ReadOptions) -> Iterator[ImportRecord]: ...


@dataclass(frozen=True)
class ReaderInfo:
    """A registered format."""

    name: str
    read: Reader
    extensions: tuple[str, ...]
    directory: bool = False  # reads a whole folder (brat)
    #: Recognises the format from a file's first lines (``.txt`` can be CoNLL).
    sniff: Callable[[str], bool] | None = None


_READERS: dict[str, ReaderInfo] = {}


def register_reader(
    name: str,
    extensions: Iterable[str] = (),
    *,
    directory: bool = False,
    sniff: Callable[[str], bool] | None = None,
) -> Callable[[Reader], Reader]:
    """Decorator: make ``name`` available to ``annotator import --format``.

    ``sniff(head)`` gets the start of a file whose extension is ambiguous
    (its first 4 KiB, always extended to the end of the first line) and
    says whether it is this format.
    """

    def wrap(func: Reader) -> Reader:
        _READERS[name] = ReaderInfo(name, func, tuple(e.lower() for e in extensions), directory, sniff)
        return func

    return wrap


def readers() -> dict[str, ReaderInfo]:
    """Every registered format.

    The built-in ones are all there: importing this module runs the package's
    ``__init__`` first, which imports every built-in format module.
    """
    return dict(_READERS)


def format_for(path: Path) -> str:
    """Guess a format from a file name; :class:`InputError` when unknown."""
    if path.is_dir():
        folder_format = _folder_format(path)
        if folder_format is None:
            raise InputError("a folder of no known format; pass --format", path)
        return folder_format
    name = path.name.lower()
    best = ""
    found = None
    for info in readers().values():
        for ext in info.extensions:
            if name.endswith(ext) and len(ext) > len(best):
                best, found = ext, info.name
    if found is None:
        raise InputError("unknown file type; pass --format (one of: " + ", ".join(sorted(readers())) + ")", path)
    if path.is_file():
        head = _head(path)
        for info in readers().values():
            if info.name != found and info.sniff is not None and info.sniff(head):
                return info.name
    return found


#: How far :func:`_head` reads to finish a first line (a news article is far shorter).
_HEAD_LIMIT = 64 * 1024 * 1024


def _head(path: Path) -> str:
    """The first 4 KiB of ``path`` and the rest of its first line: a JSON line
    cut in the middle parses as nothing, so a doccano file whose first
    article is longer than 4 KiB was once taken for another format."""
    try:
        with path.open("rb") as fh:
            data = fh.read(4096)
            while b"\n" not in data and len(data) < _HEAD_LIMIT:
                more = fh.read(1 << 16)
                if not more:
                    break
                data += more
    except OSError:
        return ""
    return data.decode("utf-8", errors="replace")


def _folder_format(folder: Path) -> str | None:
    """The format that reads ``folder`` whole, if every file in it belongs to
    that format (brat: ``NAME.ann`` with its ``NAME.txt``/``NAME.json``, and
    ``.conf`` files); a folder mixing other files is read file by file."""
    files = [f for f in folder.rglob("*") if f.is_file() and not f.name.startswith(".")]
    for info in readers().values():
        if not info.directory:
            continue
        anchors = {f.with_suffix("") for f in files if any(f.name.lower().endswith(e) for e in info.extensions)}
        if anchors and all(f.with_suffix("") in anchors or f.suffix.lower() == ".conf" for f in files):
            return info.name
    return None


def read_text_file(path: Path) -> str:
    """Read UTF-8 text (a BOM is dropped); errors name the line of a bad byte."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", path, line) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of a JSON-lines file, read as a
    stream (a file of a million articles is never held whole); :class:`InputError` names
    the line of broken JSON, of a non-object or of a bad UTF-8 byte.

    A plain line (no ``\\r``) is parsed by orjson straight from its bytes (it checks the
    UTF-8 itself), a third of the standard parser's cost.  Anything orjson refuses, and a
    line with a run of 19 digits (an integer beyond 64 bits would come out of orjson as a
    float), goes through the standard ``json`` module as before: what it accepts (NaN, a
    lone surrogate escape, big integers) imports the same, and what it refuses is reported
    with the same message."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path) from exc
    with handle:
        number = 0
        offset = 0
        for raw in handle:
            if number and b"\r" not in raw:
                number += 1
                offset += len(raw)
                try:
                    if _LONG_NUMBER in raw.translate(_DIGITS):
                        raise ValueError("orjson reads integers beyond 64 bits as floats: the json module reads it")
                    obj = _fast_loads(raw)
                except ValueError:  # orjson.JSONDecodeError; also a blank line
                    if not raw.strip():
                        continue
                    obj = _json_line(raw.rstrip(b"\n"), path, number, offset - len(raw))
                    if obj is None:
                        continue
                if type(obj) is not dict:
                    raise InputError("each line must be a JSON object", path, number)
                yield number, obj
                continue
            at_line = offset
            offset += len(raw)
            if not number and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
                at_line += 3
            pos = 0
            # "\r\n" and a lone "\r" end a line too, as read_text_file counts them
            for part in raw.rstrip(b"\n").removesuffix(b"\r").split(b"\r"):
                number += 1
                pos += len(part) + 1
                obj = _json_line(part, path, number, at_line + pos - len(part) - 1)
                if obj is None:
                    continue
                if not isinstance(obj, dict):
                    raise InputError("each line must be a JSON object", path, number)
                yield number, obj


#: Every digit as "0", every other byte as a space: a run of 19 digits may be an integer beyond
#: 64 bits (which orjson would read as a float, json as an int).
_DIGITS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_NUMBER = b"0" * 19


def _json_line(part: bytes, path: Path, number: int, at: int) -> Any:
    """One line parsed by the standard ``json`` module (None for a blank line); ``at`` is
    the line's byte offset in the file, for the message about a bad UTF-8 byte."""
    import json

    try:
        line = part.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte 0x{part[exc.start]:02x} at offset {at + exc.start})",
                         path, number) from exc
    if not line.strip():
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"broken JSON ({exc.msg} at column {exc.colno})", path, number) from exc
    except RecursionError:
        raise InputError("JSON nested too deeply to read", path, number) from None


def _fast_loads(raw: bytes) -> Any:
    """orjson's ``loads`` (imported on first use: only JSON inputs need it)."""
    global _fast_loads
    import orjson

    _fast_loads = orjson.loads
    return orjson.loads(raw)


@dataclass
class FileResult:
    """What happened to one input file."""

    path: str
    documents: int = 0  # distinct documents (a task with two annotations is one)
    new_documents: int = 0
    spans: int = 0
    answers: int = 0
    relations: int = 0
    error: str | None = None
    #: records read (one per document and annotator)
    records: int = 0
    #: ids of the documents stored from this file
    doc_ids: set[int] = field(default_factory=set)
    #: things that imported but deserve a word (over-long documents); printed by the CLI
    warnings: list[str] = field(default_factory=list)
    #: the reader's warnings about this file (already printed on stderr by :func:`warn`)
    reader_warnings: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """The outcome of one import call."""

    files: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        """Files that were not imported."""
        return [f for f in self.files if f.error]

    @property
    def ok(self) -> bool:
        """True when every file imported."""
        return not self.failed

    def totals(self) -> dict[str, int]:
        """Sums over the imported files (a failed file was rolled back: its counts are not sums of anything)."""
        stored = [f for f in self.files if not f.error]
        return {
            "files": len(stored),
            "failed": len(self.failed),
            # a document in two files (or two records of one file) is one document
            "documents": len(set().union(*(f.doc_ids for f in stored))) if stored else 0,
            "records": sum(f.records for f in stored),
            "new_documents": sum(f.new_documents for f in stored),
            "spans": sum(f.spans for f in stored),
            "labels": sum(f.answers for f in stored),
            "warnings": sum(len(f.warnings) + len(f.reader_warnings) for f in self.files),
        }


def expand_paths(paths: Iterable[str | Path], fmt: str | None) -> list[Path]:
    """Folders become their files (sorted; hidden ones skipped), unless the
    format reads whole folders."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            if fmt and readers().get(fmt, ReaderInfo(fmt, None, ())).directory:  # type: ignore[arg-type]
                out.append(p)
                continue
            if fmt is None and _folder_format(p) is not None:
                # a brat folder: its .txt and .json files are not articles and tasks of their own
                out.append(p)
                continue
            known = {e for info in readers().values() for e in info.extensions}
            files = sorted(
                f for f in _walk_files(p)
                if not f.name.startswith(".") and (fmt or any(f.name.lower().endswith(e) for e in known))
            )
            out.extend(files)
        else:
            out.append(p)
    return out


def _walk_files(folder: Path) -> list[Path]:
    """Every file under ``folder``; a sub-folder that cannot be read is an
    :class:`InputError` (it used to be skipped without a word)."""
    import os

    files: list[Path] = []
    unreadable: list[str] = []

    def note(exc: OSError) -> None:
        unreadable.append(f"{exc.filename}: {exc.strerror or exc}")

    for root, dirs, names in os.walk(folder, onerror=note):
        dirs.sort()
        files.extend(Path(root) / n for n in names if (Path(root) / n).is_file())
    if unreadable:
        raise InputError("cannot read sub-folder(s): " + "; ".join(unreadable) + " (nothing of this folder was "
                         "imported; fix the permissions or import the readable files by name)", folder)
    return files


#: Where :func:`warn` also puts a message: the current file's ``FileResult.warnings``.
_WARNINGS: list[list[str]] = []


@contextmanager
def collecting_warnings(into: list[str]) -> Iterator[None]:
    """While reading one file: :func:`warn` also appends to ``into``."""
    _WARNINGS.append(into)
    try:
        yield
    finally:
        _WARNINGS.pop()


def warn(message: str) -> None:
    """Print a reader's recoverable oddity on stderr as it happens, and keep it
    in the import report of the file being read (``FileResult.reader_warnings``)."""
    print(f"warning: {message}", file=sys.stderr)
    if _WARNINGS:
        _WARNINGS[-1].append(message)
