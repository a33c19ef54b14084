"""Write-behind while a new review is filled (store/writeback.py): the kernel is asked to start
writing the file's dirty pages while inside, and nothing runs after."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from annotator.store import writeback


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sync_file_range is Linux's")
def test_linux_has_the_call_and_it_accepts_a_file_opened_for_reading(tmp_path: Path) -> None:
    import os

    start_writing = writeback._sync_file_range()
    assert start_writing is not None
    path = tmp_path / "f.db"
    path.write_bytes(b"x" * (1 << 20))
    fd = os.open(path, os.O_RDONLY)
    try:
        assert start_writing(fd, 0, 0, writeback._WRITE) == 0
    finally:
        os.close(fd)


def test_it_asks_while_inside_and_stops_on_leaving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int, int, int]] = []
    monkeypatch.setattr(writeback, "_sync_file_range", lambda: lambda *args: calls.append(args) or 0)
    path = tmp_path / "review.db"
    path.write_bytes(b"\0" * 4096)
    with writeback.write_behind(path, interval=0.01):
        deadline = time.monotonic() + 5
        while len(calls) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert any(t.name == "write-behind" for t in threading.enumerate())
    assert len(calls) >= 3 and all(c[1:] == (0, 0, writeback._WRITE) for c in calls)
    after = len(calls)
    time.sleep(0.05)
    assert len(calls) == after
    assert not any(t.name == "write-behind" for t in threading.enumerate())


def test_no_call_and_no_file_where_there_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No sync_file_range (not Linux): nothing runs.  A file that is not there: the thread ends,
    and nothing is created."""
    monkeypatch.setattr(writeback, "_sync_file_range", lambda: None)
    with writeback.write_behind(tmp_path / "a.db", interval=0.01):
        assert not any(t.name == "write-behind" for t in threading.enumerate())
    monkeypatch.setattr(writeback, "_sync_file_range", lambda: lambda *args: 0)
    with writeback.write_behind(tmp_path / "missing.db", interval=0.01):
        time.sleep(0.05)
    assert not (tmp_path / "missing.db").exists()
    assert not any(t.name == "write-behind" for t in threading.enumerate())


def test_a_new_review_is_filled_with_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The merge into a new review runs inside it, on the review's file."""
    from annotator.core.model import Document, Span
    from annotator.review.merge import merge_projects
    from annotator.store import Project

    seen: list[Path] = []
    real = writeback.write_behind

    def spy(path: Path, interval: float = 0.5):
        seen.append(Path(path))
        return real(path, interval)

    monkeypatch.setattr("annotator.store.merging.write_behind", spy)
    src = tmp_path / "alice.db"
    with Project(src) as p:
        doc, _ = p.add_document(Document("Jokowi bertemu Putin di Moskow."))
        p.add_span(doc, Span(0, 6, "PER"), "alice")
    review = tmp_path / "review.db"
    merge_projects(review, [src])
    assert seen == [review]
    merge_projects(review, [src])  # an existing review (WAL): no write-behind
    assert seen == [review]
