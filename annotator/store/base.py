"""What every part of the :class:`~annotator.store.Project` facade shares.

The facade is one class assembled from per-aggregate mixins (documents, spans
and suggestions, answers, status, review tables, transfer, view queries).  Each
mixin talks to the connection that ``Project`` opens; this base declares what
they rely on so each module reads (and type-checks) on its own.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

if TYPE_CHECKING:
    from collections.abc import Callable

    from annotator.core.model import Span
    from annotator.core.schema import LabelSchema
    from annotator.store.dialect import Dialect


def now() -> str:
    """UTC timestamp with microseconds (sortable text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


_uid_lock = threading.Lock()
_uid_last = [0, 0]  # the last uid's milliseconds and counter (this process)


def _uuid7_hex(ms: int, counter: int, rand32: int) -> str:
    # 48 bits of milliseconds, version 7, 12 bits of the counter, RFC 4122 variant, its other
    # 30 bits, 32 random bits: the hex sorts by (milliseconds, counter)
    v = ((ms << 80) | (7 << 76) | ((counter >> 30) << 64) | (2 << 62) | ((counter & 0x3FFFFFFF) << 32) | rand32)
    return f"{v:032x}"


def new_uid() -> str:
    """A fresh identity for a span or an event (kept when rows are copied between files).

    An RFC 9562 UUID version 7 as 32 hex digits (the same form as the uuid4 hex of older
    files, and made without importing ``uuid``, which imports ``platform`` at start-up):
    48 bits of Unix milliseconds, a 42-bit counter that starts at a random value each
    millisecond and counts up within it, 32 random bits (``os.urandom``, so forked workers
    differ).  Uids made one after the other in a process sort in the order they were made,
    so the unique uid indexes of spans and events take them near their end (a merge or an
    import inserts along the index instead of at random pages: issue 12).  Nothing reads the
    time back out of a uid; older files keep their uuid4 uids, and both kinds mix freely."""
    ms = time.time_ns() // 1_000_000
    with _uid_lock:
        if ms > _uid_last[0]:
            _uid_last[0], _uid_last[1] = ms, int.from_bytes(os.urandom(4), "big")
        else:  # the same millisecond (or the clock went back): count on from the last one
            _uid_last[1] += 1
        ms, seq = _uid_last
    return _uuid7_hex(ms, seq, int.from_bytes(os.urandom(4), "big"))


def new_uids(n: int) -> list[str]:
    """``n`` fresh uids as :func:`new_uid` makes them, in order, for a bulk write (one clock
    read, one random draw)."""
    ms = time.time_ns() // 1_000_000
    with _uid_lock:
        if ms > _uid_last[0]:
            _uid_last[0], _uid_last[1] = ms, int.from_bytes(os.urandom(4), "big") - 1
        ms, first = _uid_last[0], _uid_last[1] + 1
        _uid_last[1] += n
    raw = os.urandom(4 * n)
    return [_uuid7_hex(ms, first + i, int.from_bytes(raw[4 * i : 4 * i + 4], "big")) for i in range(n)]


def fts_query(text: str) -> str:
    """The user's search words as an FTS5 query that cannot be a syntax error: each
    token is one quoted string, all of them must match.  A word of several tokens
    ("Kompas.com", "2021-06") becomes its tokens, each on its own: the index keeps no
    word positions (migration 7), so it cannot look for them side by side.  The words are
    looked for in the title and text only: the index holds the outlet too (migration 14),
    which a search must not find."""
    words = " ".join('"' + token + '"' for token in _TOKEN.findall(text))
    return "{title text} : (" + words + ")" if words else ""


def fts_outlet(source: str) -> str:
    """The FTS5 condition that the outlet column holds every token of ``source`` ("" when it
    has none), to AND to a search so the index intersects the two itself (migration 14).  It
    can also match a longer outlet name: the caller keeps its exact ``source =`` test."""
    words = " ".join('"' + token + '"' for token in _TOKEN.findall(source))
    return "source : (" + words + ")" if words else ""


#: What the index's tokenizer (unicode61) keeps as a token: runs of letters and digits.
_TOKEN = re.compile(r"[^\W_]+")


def event_source_sql(row: str = "events", ranges: str = "event_sources") -> str:
    """SQL for an ``events`` row's source file (``row``: how the query names the row): the
    column ``merged_from`` when set, else the ``project_uid`` of the merge whose range of ids in
    the table ``ranges`` holds the row (``event_sources``, migration 17), else NULL (an event
    made in that file)."""
    return (f"coalesce({row}.merged_from, (SELECT r.source FROM {ranges} r WHERE r.first_id ="
            f" (SELECT max(x.first_id) FROM {ranges} x WHERE x.first_id <= {row}.id) AND r.last_id >= {row}.id))")


#: An ``events`` row's source file as the readers give it (``payload_with_source``), for a
#: query whose FROM names the table ``events`` without an alias.
EVENT_SOURCE_SQL = event_source_sql()


def payload_with_source(payload: str, source: str | None) -> str:
    """An event's payload text as a reader sees it: a merged event (``events.merged_from`` set,
    migration 15) gets ``"merged_from": source`` appended to its object as stored, byte for byte
    what merges before migration 15 wrote into the text (docs/review.md): text that is not JSON
    becomes ``{"raw": text, "merged_from": source}``; other JSON, or an object that has the key
    already (an event merged twice), is kept as it is.  ``source`` None: ``payload`` unchanged."""
    if source is None:
        return payload
    tail = ', "merged_from": ' + json.dumps(source, ensure_ascii=False) + "}"
    try:
        data = json.loads(payload)
    except ValueError:
        return '{"raw": ' + json.dumps(payload, ensure_ascii=False) + tail
    if not isinstance(data, dict) or "merged_from" in data:
        return payload
    if not data:
        return "{" + tail[2:]
    return payload.rstrip(" \t\n\r")[:-1] + tail


def marks(n: int) -> str:
    """``?, ?, ...`` for an ``IN (...)`` list of ``n`` values."""
    return ",".join("?" * n)


#: Values per ``IN (...)`` list: stays under SQLite's variable limit.
CHUNK = 900


def id_chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """``ids`` distinct and ascending, as ints, in lists of at most :data:`CHUNK` (one
    ``IN (...)`` each): a query about some documents reads those, not the project's every row."""
    unique = sorted({int(i) for i in ids})
    for k in range(0, len(unique), CHUNK):
        yield unique[k : k + CHUNK]


def stored_hash(h: str) -> bytes:
    """A content hash as the store keeps it (migration 16): the SHA-256's 32 bytes, a BLOB in a
    file and ``bytea`` on a server, half the 64 hex digits callers see (issue 12: the hash and
    its unique index were 14% of a million-article file beside its text).  ``ValueError`` for
    anything that is not hex."""
    return bytes.fromhex(h)


def hash_hex(value: bytes) -> str:
    """A stored content hash as callers, exports and event payloads see it: 64 hex digits."""
    return value.hex()


class StoreBase:
    """Attributes and methods the aggregate mixins use; :class:`Project` provides them."""

    path: Path
    _conn: sqlite3.Connection
    _dialect: Dialect
    _depth: int
    _building: Path | None

    if TYPE_CHECKING:

        def _publish(self, *, reopen: bool) -> None: ...

    if TYPE_CHECKING:  # provided by Project and the other mixins

        def transaction(self) -> AbstractContextManager[None]: ...

        @property
        def schema(self) -> LabelSchema: ...

        def _log(self, action: str, annotator: str | None, document_id: int | None, **payload: Any) -> None: ...

        def get_text(self, document_id: int) -> str: ...

        def count_documents(self) -> int: ...

        def annotators(self) -> list[str]: ...

        def _ensure_annotator(self, name: str) -> str: ...

        def _check_span(self, document_id: int, span: Span, text: str | None = None) -> None: ...

        def add_span(
            self, document_id: int, span: Span, annotator: str | None = None, *, validate: bool = True,
            uid: str | None = None,
        ) -> int: ...

        def delete_span(self, span_id: int) -> Span: ...

        def get_span(self, span_id: int) -> Span: ...

        def _delete_relations_of_span(self, span_id: int) -> None: ...

        def accept_suggestion(
            self, suggestion_id: int, annotator: str, label: str | None = None, *, uid: str | None = None
        ) -> int: ...

    def _bigger_page_cache(self, kib: int) -> Callable[[], None]:
        """Give the project file's connection a page cache of ``kib`` KiB for a bulk write (an
        import, a merge: indexes taking inserts at random places stay in memory instead of being
        spilled and read back); returns what puts back the size it had."""
        conn = self._conn
        before = int(conn.execute("PRAGMA main.cache_size").fetchone()[0])
        conn.execute(f"PRAGMA main.cache_size = -{int(kib)}")
        return lambda: conn.execute(f"PRAGMA main.cache_size = {before}")
