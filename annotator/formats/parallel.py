"""Worker processes for the tokenizing export writers (``annotator export --n-process N``).

A writer of a token format turns records into output one chunk of whole documents at a
time with a *render* function ``render(chunk, ctx, offset, shared) -> result`` (a string of
CoNLL lines, a DocBin, ...).  :func:`render_chunks` runs it on consecutive chunks and
yields the results in document order:

* with ``ctx.n_process == 1`` in this process, on ``ctx`` itself;
* with more, in a pool of worker processes, each holding its own copy of the context.
  What a chunk adds to the report (alignment issues, token count, annotations the format
  has no place for) comes back with its result and is added to ``ctx`` in document order,
  so the report and the output are the same as with one process (a test compares the
  bytes).  The records are read from the project here, in this process (the progress and
  cancel checks run as they are read); at most ``2 * N`` chunks are out at once, so memory
  stays bounded on a large project.  Leaving early (an error, a cancel) terminates the
  workers: nothing waits for the chunks still out.

A chunk never splits a document's records (its tokens are counted once per document, as
:meth:`ExportContext.tokens` caches them while records of one document follow).
Workers are forked when this process runs one thread only (they start with everything
loaded, spaCy included), otherwise spawned (forking a process with threads, the GUI,
is not safe).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, TypeVar

from annotator.formats.export import ExportContext, ExportRecord, ExportReport

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

R = TypeVar("R")
#: ``render(chunk, ctx, offset, shared)``: ``offset`` is the number of records before the chunk.
Render = Callable[[Sequence[ExportRecord], ExportContext, int, Any], R]

#: Records per chunk: enough work to outweigh sending it to a worker, small enough that a
#: cancel or an error does not wait long and the window of chunks stays small in memory.
CHUNK_RECORDS = 64


def chunks(records: Iterator[ExportRecord], size: int | None = None) -> Iterator[list[ExportRecord]]:
    """Consecutive lists of about ``size`` (:data:`CHUNK_RECORDS`) records, cut only between documents."""
    size = size or CHUNK_RECORDS
    chunk: list[ExportRecord] = []
    for rec in records:
        if len(chunk) >= size and rec.document.id != chunk[-1].document.id:
            yield chunk
            chunk = []
        chunk.append(rec)
    if chunk:
        yield chunk


def render_chunks(records: Iterator[ExportRecord], ctx: ExportContext, render: Render[R],
                  shared: Any = None) -> Iterator[R]:
    """``render`` over consecutive chunks of ``records``, results in order (see the module
    docstring); ``shared`` is handed to every call."""
    offset = 0
    if ctx.n_process <= 1:
        for chunk in chunks(records):
            yield render(chunk, ctx, offset, shared)
            offset += len(chunk)
        return
    from concurrent.futures import ProcessPoolExecutor  # here: every command imports this module

    window: deque[Future[tuple[R, ExportReport, dict[str, int]]]] = deque()
    pool = ProcessPoolExecutor(max_workers=ctx.n_process, mp_context=_start_method(),
                               initializer=_start_worker, initargs=(_spec(ctx),))
    try:
        for chunk in chunks(records):
            window.append(pool.submit(_run, render, chunk, offset, shared))
            offset += len(chunk)
            while len(window) >= 2 * ctx.n_process:
                yield _merge(ctx, window.popleft().result())
        while window:
            yield _merge(ctx, window.popleft().result())
    finally:
        _stop(pool)


def _merge(ctx: ExportContext, done: tuple[R, ExportReport, dict[str, int]]) -> R:
    result, report, unwritten = done
    ctx.report.issues.extend(report.issues)
    ctx.report.tokens += report.tokens
    for what, n in unwritten.items():
        ctx.not_written(what, n)
    return result


def _start_method() -> Any:
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down without waiting for chunks still out (after an error or a cancel)."""
    processes = list(getattr(pool, "_processes", {}).values())  # the executor has no public kill
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join()


def _spec(ctx: ExportContext) -> dict[str, Any]:
    """What a worker needs to build its own context (no report, no token cache)."""
    return {"options": ctx.options, "schema": ctx.schema, "format": ctx.report.format, "out": ctx.report.out,
            "project_name": ctx.project_name, "separately": ctx.separately, "file_names": dict(ctx.file_names),
            "with_relations": ctx.with_relations}


_WORKER: dict[str, Any] = {}


def _start_worker(spec: dict[str, Any]) -> None:
    _WORKER["spec"] = spec


def _run(render: Render[R], chunk: Sequence[ExportRecord], offset: int,
         shared: Any) -> tuple[R, ExportReport, dict[str, int]]:
    """One chunk in a worker, on a fresh context: the result and what it added to the report."""
    spec = _WORKER["spec"]
    ctx = ExportContext(spec["options"], spec["schema"], ExportReport(spec["format"], spec["out"]),
                        spec["project_name"])
    ctx.separately = spec["separately"]
    ctx.file_names = dict(spec["file_names"])
    ctx.with_relations = spec["with_relations"]
    result = render(chunk, ctx, offset, shared)
    return result, ctx.report, ctx.unwritten
