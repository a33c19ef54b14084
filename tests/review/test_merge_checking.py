"""A merge reads a source while the source's ``quick_check`` still runs in the worker thread
(when opening it writes nothing), and commits nothing of it before every check has passed.
The checks are slowed down here so that the merge is sure to read the files first."""

from __future__ import annotations

import sqlite3
import threading

import pytest

import annotator.review.merge as merge_mod
from annotator.core.errors import ProjectError
from annotator.core.jobs import Cancelled
from annotator.core.model import Span
from annotator.review.merge import merge_projects
from annotator.review.transfer import project_uid
from annotator.store import SCHEMA_VERSION, Project
from annotator.store.project import opens_unchanged
from tests.review.test_merge import TEXTS, _annotator_file, _counts


class Slow:
    """What :func:`slow_checks` saw: the files opened without a check, in order."""

    def __init__(self) -> None:
        self.unchecked: list[str] = []
        self.attached = threading.Event()
        self.held: list[str] = []

    def reset(self) -> None:
        """For the next run: hold its first check again."""
        self.unchecked.clear()
        self.held.clear()
        self.attached.clear()


@pytest.fixture
def slow_checks(monkeypatch):
    """The first source's check starts only once the merge has attached a source to read its
    work (or after 5 s): the merge reads the first file before its check is done.  (The later
    files are checked before the first one's commit, so before they are opened.)"""
    slow = Slow()
    real_prepare, real_project = merge_mod._prepare, Project

    def prepare(src):
        if not slow.held:
            slow.held.append(str(src))
            slow.attached.wait(5)
        return real_prepare(src)

    class Watched(real_project):
        def __init__(self, path, **kw):
            super().__init__(path, **kw)
            if kw.get("check") is False:
                slow.unchecked.append(str(path))

        def attached_source(self, path):
            slow.attached.set()
            return super().attached_source(path)

    monkeypatch.setattr(merge_mod, "_prepare", prepare)
    monkeypatch.setattr("annotator.store.Project", Watched)
    return slow


def _files(tmp_path):
    """Two annotators' files, each with its project id (a file without one is given it by its
    first merge, which then waits for its check: see the last test)."""
    a = _annotator_file(tmp_path / "a.db", "alice", TEXTS[:2], {TEXTS[0]: [(0, 6, "PER"), (15, 20, "PER")]}, stance="FAVOR")
    b = _annotator_file(tmp_path / "b.db", "bob", [TEXTS[2], TEXTS[1], TEXTS[0]], {TEXTS[0]: [(0, 6, "PER")]},
                        stance="AGAINST")
    for path in (a, b):
        with Project(path) as p:
            project_uid(p)
    return a, b


def _damage(path) -> None:
    """Put a cell count out of range in the page of the spans index (every page in the file first)."""
    c = sqlite3.connect(path)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'spans_doc'").fetchone()[0]
    size = c.execute("PRAGMA page_size").fetchone()[0]
    c.close()
    data = bytearray(path.read_bytes())
    data[(page - 1) * size + 3 : (page - 1) * size + 5] = b"\x7f\x7f"
    path.write_bytes(bytes(data))


def test_sources_read_while_checked_give_the_same_review(tmp_path, slow_checks):
    a, b = _files(tmp_path)
    report = merge_projects(tmp_path / "review.db", [a, b])
    assert slow_checks.unchecked == [str(a), str(a)]  # the first file twice (its schema, then its work), before its check
    plain = merge_projects(tmp_path / "plain.db", [a, b])  # checked already in this process: opened checked
    assert report.totals() == plain.totals()
    assert _counts(tmp_path / "review.db") == _counts(tmp_path / "plain.db")


@pytest.mark.parametrize("which", [0, 1])
def test_a_damaged_file_read_before_its_check_stops_the_run_and_leaves_no_new_review(tmp_path, slow_checks, which):
    files = list(_files(tmp_path))
    _damage(files[which])
    review = tmp_path / "review.db"
    with pytest.raises(ProjectError, match=f"{files[which].name} is damaged"):
        merge_projects(review, files)
    assert slow_checks.unchecked == [str(files[0])] * 2  # the first file was read before its check was done
    assert not list(tmp_path.glob("review.db*"))  # the run made the review and committed nothing: gone


def test_a_damaged_file_read_before_its_check_leaves_an_existing_review_as_it_was(tmp_path, slow_checks):
    a, b = _files(tmp_path)
    review = tmp_path / "review.db"
    merge_projects(review, [a])
    slow_checks.reset()
    before = _counts(review)
    with Project(a) as p:
        p.add_span(1, Span(25, 30, "LOC"), "alice")  # new work in a, which the failed run must not merge
    _damage(b)
    with pytest.raises(ProjectError, match=f"{b.name} is damaged"):
        merge_projects(review, [a, b])
    assert _counts(review) == before
    assert slow_checks.unchecked == [str(a)]


def test_a_cancel_in_the_first_file_of_a_new_review_leaves_no_file(tmp_path):
    a, b = _files(tmp_path)
    review = tmp_path / "review.db"
    asked = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) > 1  # not before the first file, then at its first question

    with pytest.raises(Cancelled):
        merge_projects(review, [a, b], should_cancel=cancel)
    assert not list(tmp_path.glob("review.db*"))


def test_opens_unchanged_only_for_a_wal_file_of_this_schema(tmp_path):
    p = tmp_path / "p.db"
    with Project(p):
        pass
    assert opens_unchanged(p)
    c = sqlite3.connect(p)
    c.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")  # an older file: opening upgrades it
    c.close()
    assert not opens_unchanged(p)
    c = sqlite3.connect(p)
    c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    c.execute("PRAGMA journal_mode = DELETE")  # opening switches it to WAL
    c.close()
    assert not opens_unchanged(p)
    (tmp_path / "text.db").write_text("not a database at all, but long enough to have a header " * 3)
    assert not opens_unchanged(tmp_path / "text.db")
    assert not opens_unchanged(tmp_path / "missing.db")
    (tmp_path / "short.db").write_bytes(b"SQLite format 3\0")
    assert not opens_unchanged(tmp_path / "short.db")


def test_a_file_without_its_id_is_given_one_only_once_checked(tmp_path, monkeypatch):
    """Giving a source its project id writes into it: never before its check has passed."""
    from annotator.review.transfer import PROJECT_UID

    a, b = _files(tmp_path)
    c = sqlite3.connect(a)
    c.execute("DELETE FROM settings WHERE key = ?", (PROJECT_UID,))
    c.commit()
    c.close()
    order: list[str] = []
    real_prepare, real_project = merge_mod._prepare, Project

    def prepare(src):
        threading.Event().wait(0.2)  # the merge opens the first file meanwhile
        n = real_prepare(src)
        order.append(f"checked {src}")
        return n

    class Watched(real_project):
        def set_setting(self, key, value):
            if key == PROJECT_UID:
                order.append(f"id {self.path}")
            return super().set_setting(key, value)

    monkeypatch.setattr(merge_mod, "_prepare", prepare)
    monkeypatch.setattr("annotator.store.Project", Watched)
    merge_projects(tmp_path / "review.db", [a, b])
    assert f"id {a}" in order
    assert order.index(f"checked {a}") < order.index(f"id {a}")
