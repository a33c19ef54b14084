"""A first merge into an empty review copies the source's spans and event log as SQLite stores
them (store/merging.py ``merge_copy_whole_log``, ``_spans_copy_as_stored``), and a merged
event's source is the range of ids its merge gave it (migration 17, ``event_sources``).

The review such a merge makes is compared, row for row, with the one the row-by-row copy makes
of the same files (the fast path switched off), and the cases where the fast path must not be
taken (a hand-edited source, a source that is itself a review) are checked to come out as the
row-by-row copy would have them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.core.kb import KBEntry
from annotator.core.model import Document, Span
from annotator.review.merge import merge_projects
from annotator.review.transfer import project_uid
from annotator.store import Project
from annotator.store.base import EVENT_SOURCE_SQL
from annotator.store.merging import MergeSourceMixin
from tests.rawdb import connection

TEXTS = ['"Kami siap," kata Shoigu kepada Putin di Moskow.', "Jokowi bertemu Putin di Moskow.",
         "Shoigu mengecam NATO di Brussel."]


def _at(text: str, needle: str) -> tuple[int, int]:
    return text.index(needle), text.index(needle) + len(needle)


def _source(path: Path, name: str, texts: list[str] = TEXTS) -> Path:
    """An annotator's file: spans, a relation, a knowledge-base link, an answer and a status on
    each document, one span deleted (its events stay in the log)."""
    with Project(path) as p:
        p.add_annotator(name)
        for text in texts:
            doc, _ = p.add_document(Document(text, title=text[:12]))
            putin = p.add_span(doc, Span(*_at(text, "Putin" if "Putin" in text else "Shoigu"), "PER"), name)
            place = p.add_span(doc, Span(*_at(text, "Moskow" if "Moskow" in text else "Brussel"), "LOC"), name)
            if text.startswith('"'):
                quote = p.add_span(doc, Span(*_at(text, "Kami siap,"), "QUOTE", "cues"), name)
                p.add_relation(quote, putin, "SPEAKER")
                entry = p.kb_add_entry(KBEntry(id="vladimir-putin", name="Vladimir Putin", label="PER"))
                p.kb_set_link(putin, entry.id)
            p.delete_span(place)
            p.add_span(doc, Span(*_at(text, "di"), "MISC"), name)
            p.set_answer(doc, name, "stance", "FAVOR")
            p.set_status(doc, name, "done")
    return path


def _row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the copy as stored off: every merge goes row by row, as before it existed."""
    monkeypatch.setattr(MergeSourceMixin, "merge_copy_whole_log", lambda self, suid: None)
    monkeypatch.setattr(MergeSourceMixin, "_spans_copy_as_stored", lambda self: False)


def _snapshot(path: Path, sources: list[Path]) -> dict[str, object]:
    """Everything a review holds of its sources, by content hash and uid (not by row id)."""
    uids: set[str] = set()
    for src in sources:
        with sqlite3.connect(src) as c:
            uids |= {r[0] for r in c.execute("SELECT uid FROM events")}
    with Project(path) as p:
        c = connection(p)
        docs = {r[0]: r[1] for r in c.execute("SELECT id, content_hash FROM documents")}
        return {
            "documents": sorted(c.execute("SELECT content_hash, text, title FROM documents")),
            "spans": sorted((docs[r[0]], *r[1:]) for r in c.execute(
                'SELECT document_id, uid, annotator, layer, start, "end", label, origin, score, note, created, updated'
                " FROM spans")),
            "relations": sorted((docs[r[0]], *r[1:]) for r in c.execute(
                "SELECT document_id, uid, annotator, label, head_uid, child_uid FROM relations")),
            "links": sorted(c.execute("SELECT span_uid, entry_id FROM kb_links")),
            "answers": sorted((docs[r[0]], *r[1:]) for r in c.execute(
                "SELECT document_id, annotator, question, value FROM doc_labels")),
            "status": sorted((docs[r[0]], *r[1:]) for r in c.execute(
                "SELECT document_id, annotator, state FROM document_status")),
            "owners": sorted((docs[r[0]], *r[1:]) for r in c.execute(
                "SELECT document_id, annotator, source_uid FROM merge_owners")),
            # the sources' events as a reader sees them (the payload with its merged_from)
            "events": sorted((e["uid"], e["ts"], e["annotator"], docs.get(e["document_id"]), e["action"],
                              json.dumps(e["payload"], sort_keys=True)) for e in p.events() if e["uid"] in uids),
        }


def test_a_first_merge_copies_the_log_and_spans_as_stored_with_their_ids(tmp_path: Path) -> None:
    sources = [_source(tmp_path / f"{n}.db", n) for n in ("alice", "bob")]
    review = tmp_path / "review.db"
    merge_projects(review, sources)
    with Project(sources[0]) as a:
        first = project_uid(a)
        own_events = connection(a).execute("SELECT id, uid FROM events ORDER BY id").fetchall()
        own_spans = connection(a).execute("SELECT id, uid FROM spans ORDER BY id").fetchall()
    with Project(sources[1]) as b:
        second = project_uid(b)
    with Project(review) as p:
        c = connection(p)
        # the first source's rows kept their ids (the copy as stored); nothing written into each row
        assert c.execute(f"SELECT id, uid FROM events WHERE id <= {own_events[-1][0]} ORDER BY id").fetchall() == own_events
        assert c.execute("SELECT id, uid FROM spans WHERE annotator = 'alice' ORDER BY id").fetchall() == own_spans
        assert c.execute("SELECT count(*) FROM events WHERE merged_from IS NOT NULL").fetchone()[0] == 0
        ranges = c.execute("SELECT first_id, last_id, source FROM event_sources ORDER BY first_id").fetchall()
        assert [r[2] for r in ranges] == [first, second]
        assert ranges[0][:2] == (own_events[0][0], own_events[-1][0])
        # every source's event reads with the file it came from; the review's own with none
        by_uid = {e["uid"]: e for e in p.events()}
    for src, suid in zip(sources, (first, second), strict=True):
        with sqlite3.connect(src) as s:
            for (uid,) in s.execute("SELECT uid FROM events"):
                assert by_uid.pop(uid)["payload"]["merged_from"] == suid
    assert by_uid and all("merged_from" not in e["payload"] for e in by_uid.values())
    assert {e["action"] for e in by_uid.values()} >= {"add_annotator", "merge"}


def test_the_copy_as_stored_makes_the_review_the_row_by_row_copy_makes(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    sources = [_source(tmp_path / f"{n}.db", n) for n in ("alice", "bob")]
    fast, slow = tmp_path / "fast.db", tmp_path / "slow.db"
    fast_report = merge_projects(fast, sources)
    with monkeypatch.context() as m:
        _row_by_row(m)
        slow_report = merge_projects(slow, sources)
    assert fast_report.totals() == slow_report.totals()
    assert _snapshot(fast, sources) == _snapshot(slow, sources)
    # and both re-merge to nothing
    for review in (fast, slow):
        again = merge_projects(review, sources)
        assert sum(s.changes for s in again.sources) == 0 and again.totals()["events"] == 0
    with sqlite3.connect(fast) as c:
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_hand_edited_source_goes_row_by_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source holding events and spans of a document it does not have (removed by hand, keys
    off): the copy as stored would bring them along; the row-by-row copy leaves them out."""
    sources = [_source(tmp_path / f"{n}.db", n) for n in ("alice", "bob")]
    with sqlite3.connect(sources[0]) as c:
        c.execute("PRAGMA foreign_keys = OFF")
        gone = c.execute("SELECT id FROM documents ORDER BY id DESC LIMIT 1").fetchone()[0]
        c.execute("DELETE FROM documents WHERE id = ?", (gone,))
        assert c.execute("SELECT count(*) FROM spans WHERE document_id = ?", (gone,)).fetchone()[0] > 0
    fast, slow = tmp_path / "fast.db", tmp_path / "slow.db"
    merge_projects(fast, sources)
    with monkeypatch.context() as m:
        _row_by_row(m)
        merge_projects(slow, sources)
    assert _snapshot(fast, sources) == _snapshot(slow, sources)
    with sqlite3.connect(fast) as c:
        assert c.execute("SELECT count(*) FROM events WHERE document_id NOT IN (SELECT id FROM documents)").fetchone()[0] == 0
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_review_merged_into_another_keeps_where_each_event_came_from(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A source that is itself a review names the files of its events by ranges of its own: the
    copy as stored is not taken for it, and each event keeps its first file."""
    alice, bob = (_source(tmp_path / f"{n}.db", n) for n in ("alice", "bob"))
    inner = tmp_path / "inner.db"
    merge_projects(inner, [alice, bob])
    with Project(inner) as p:
        inner_events = {e["uid"]: e["payload"].get("merged_from") for e in p.events()}
        inner_uid = project_uid(p)
    outer = tmp_path / "outer.db"
    merge_projects(outer, [inner])
    with Project(outer) as p:
        outer_events = {e["uid"]: e["payload"].get("merged_from") for e in p.events()}
        rows = connection(p).execute("SELECT count(*) FROM events WHERE merged_from IS NOT NULL").fetchone()[0]
    # alice's and bob's events still name their files; the inner review's own events name it
    assert {u: outer_events[u] for u in inner_events} == {u: f or inner_uid for u, f in inner_events.items()}
    assert rows == sum(1 for f in inner_events.values() if f)
    # the same as the row-by-row copy gives
    with monkeypatch.context() as m:
        _row_by_row(m)
        slow = tmp_path / "slow.db"
        merge_projects(slow, [inner])
    with Project(slow) as p:
        assert {e["uid"]: e["payload"].get("merged_from") for e in p.events() if e["uid"] in inner_events} == {
            u: outer_events[u] for u in inner_events}


def test_event_sources_come_with_the_upgrade_and_older_merged_rows_read_as_before(tmp_path: Path) -> None:
    """A review merged before migration 17 has the source in each row's merged_from: after the
    upgrade it reads the same, and a later merge into it records ranges."""
    sources = [_source(tmp_path / f"{n}.db", n, TEXTS[:1]) for n in ("alice", "bob")]
    review = tmp_path / "review.db"
    merge_projects(review, sources[:1])
    with sqlite3.connect(review) as c:
        # as migration 15's merges stored it: the source in every copied row, no ranges
        c.execute(f"UPDATE events SET merged_from = {EVENT_SOURCE_SQL} WHERE merged_from IS NULL")
        c.execute("DROP TABLE event_sources")
        version = c.execute("PRAGMA user_version").fetchone()[0]
        c.execute(f"PRAGMA user_version = {version - 1}")
    with Project(review) as p:
        before = {e["uid"]: e["payload"].get("merged_from") for e in p.events()}
        assert connection(p).execute("SELECT count(*) FROM event_sources").fetchone()[0] == 0
    merge_projects(review, sources)
    with Project(review) as p:
        after = {e["uid"]: e["payload"].get("merged_from") for e in p.events()}
        with Project(sources[1]) as b:
            bob_uid = project_uid(b)
        assert connection(p).execute("SELECT source FROM event_sources").fetchall() == [(bob_uid,)]
    assert {u: after[u] for u in before} == before
    assert {after[u] for u in after if u not in before and after[u]} == {bob_uid}


def test_a_merged_review_pushed_to_a_server_keeps_where_each_event_came_from(tmp_path: Path, pg_url: str) -> None:
    """The ranges are a file's: pushing the review to a server (and pulling it back) writes each
    copied event's source into its payload there, as readers gave it here."""
    from annotator.store.sync import copy_project

    sources = [_source(tmp_path / f"{n}.db", n) for n in ("alice", "bob")]
    review = tmp_path / "review.db"
    merge_projects(review, sources)
    with Project(review) as p:
        here = {e["uid"]: e["payload"] for e in p.events()}
    assert sum(1 for payload in here.values() if payload.get("merged_from")) > 10
    copy_project(review, pg_url)
    back = tmp_path / "back.db"
    copy_project(pg_url, back)
    for where in (pg_url, back):
        with Project(where, create=False) as p:
            there = {e["uid"]: e["payload"] for e in p.events() if e["action"] not in ("push", "pull")}
        assert {u: there[u].get("merged_from") for u in here} == {u: here[u].get("merged_from") for u in here}
