"""A re-merge skips the pairs nothing touched since the source's last clean merge (issue 12), yet a
changed document is synced; time-ordered uids; a merge killed mid-file leaves the review as before it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from annotator.core.model import Document, Span
from annotator.review.merge import merge_projects
from annotator.store import Project
from annotator.store.base import new_uid, new_uids
from annotator.store.merging import SEEN_KEY
from tests.rawdb import connection

TEXTS = [f"Dokumen {i}: Jokowi bertemu Putin di Moskow, Shoigu di Jakarta." for i in range(6)]


def _file(path, name: str, state: str = "done"):
    with Project(path) as p:
        p.add_annotator(name)
        for t in TEXTS:
            doc_id, _ = p.add_document(Document(text=t, title=t[:12]))
            p.add_span(doc_id, Span(12, 18, "PER"), name)
            p.add_span(doc_id, Span(27, 32, "PER"), name)
            p.set_status(doc_id, name, state)
    return path


def _doc(p: Project, i: int) -> int:
    from annotator.core.model import content_hash

    return p.document_id_by_hash(content_hash(TEXTS[i]))


def _work(path, annotator: str) -> dict[int, list[tuple[int, int, str]]]:
    with Project(path) as p:
        return {i: sorted((s.start, s.end, s.label) for s in p.spans(_doc(p, i)) if s.annotator == annotator)
                for i in range(len(TEXTS))}


def _tamper_review(review, annotator: str, i: int) -> None:
    """Change the review's copy of a pair behind the store's back (no event): only a merge that
    reads the pair again puts it back."""
    with Project(review) as p:
        doc = _doc(p, i)
        connection(p).execute("UPDATE spans SET label = 'ORG' WHERE document_id = ? AND annotator = ?", (doc, annotator))
        connection(p).commit()


@pytest.fixture
def merged(tmp_path):
    a, b = _file(tmp_path / "a.db", "alice"), _file(tmp_path / "b.db", "bob")
    review = tmp_path / "review.db"
    first = merge_projects(review, [a, b])
    assert first.totals()["spans_added"] == 4 * len(TEXTS) and not first.conflicts
    return a, b, review


def test_uids_are_32_hex_unique_and_in_the_order_they_were_made():
    uids = [new_uid() for _ in range(20000)]
    assert all(len(u) == 32 and int(u, 16) >= 0 for u in uids)
    assert len(set(uids)) == len(uids)
    assert uids == sorted(uids)  # time first, then a counter within the millisecond
    mixed = [new_uid(), *new_uids(500), new_uid(), *new_uids(3), new_uid()]  # a bulk import's among single ones
    assert mixed == sorted(mixed) and len(set(mixed)) == len(mixed) and all(len(u) == 32 for u in mixed)


def test_spans_and_events_of_a_file_get_uids_in_creation_order(tmp_path):
    from annotator.formats import import_paths

    _file(tmp_path / "a.db", "alice")
    (tmp_path / "more.jsonl").write_text("".join(json.dumps(
        {"text": f"Prabowo di Bandung, berita {i}.", "annotator": "alice",
         "spans": [{"start": 0, "end": 7, "label": "PER"}, {"start": 11, "end": 18, "label": "LOC"}]}) + "\n"
        for i in range(50)))
    with Project(tmp_path / "a.db") as p:
        assert import_paths(p, [tmp_path / "more.jsonl"]).ok  # the bulk path makes its uids in one go
        assert p.count_documents() == len(TEXTS) + 50
        for table in ("spans", "events"):
            uids = [r[0] for r in connection(p).execute(f"SELECT uid FROM {table} ORDER BY id")]
            assert len(uids) > 10 and uids == sorted(uids), table


def test_remerge_of_unchanged_files_skips_every_pair(merged):
    a, b, review = merged
    _tamper_review(review, "alice", 0)
    again = merge_projects(review, [a, b])
    assert sum(s.changes for s in again.sources) == 0 and again.totals()["events"] == 0
    # the pair was not read again: the review's copy keeps what was done to it behind the store's back
    assert _work(review, "alice")[0] == [(12, 18, "ORG"), (27, 32, "ORG")]


def test_remerge_syncs_the_changed_document_and_skips_the_rest(merged):
    a, b, review = merged
    with Project(a) as p:
        d1, d2 = _doc(p, 1), _doc(p, 2)
        p.add_span(d1, Span(0, 7, "MISC"), "alice")
        p.set_status(d2, "alice", "in_progress")
    _tamper_review(review, "alice", 3)  # an untouched pair
    again = merge_projects(review, [a, b])
    sa, sb = again.sources
    assert (sa.spans_added, sa.statuses, sa.events) == (1, 1, 2)
    assert sb.changes == 0 and sb.events == 0
    work = _work(review, "alice")
    assert work[1] == [(0, 7, "MISC"), (12, 18, "PER"), (27, 32, "PER")]
    assert work[3] == [(12, 18, "ORG"), (27, 32, "ORG")]  # skipped
    with Project(review) as p:
        assert p.status(_doc(p, 2), "alice") == "in_progress"
    assert _work(review, "bob") == _work(b, "bob")


def test_documents_another_file_adds_later_do_not_make_a_file_compared_whole(merged, tmp_path):
    a, b, review = merged
    other = tmp_path / "c.db"
    with Project(other) as p:
        p.add_annotator("cici")
        doc, _ = p.add_document(Document(text="Berita lain: Prabowo di Bandung.", title="lain"))
        p.add_span(doc, Span(13, 20, "PER"), "cici")
    assert merge_projects(review, [other]).totals()["new_documents"] == 1  # its add_documents event
    _tamper_review(review, "alice", 0)
    again = merge_projects(review, [a])
    assert again.sources[0].changes == 0
    assert _work(review, "alice")[0] == [(12, 18, "ORG"), (27, 32, "ORG")]  # still skipped


def test_an_edit_in_the_review_makes_the_pair_compared_again(merged):
    a, b, review = merged
    with Project(review) as p:  # through the store: an event records it
        span = next(s for s in p.spans(_doc(p, 4)) if s.annotator == "alice")
        p.delete_span(span.id)
    again = merge_projects(review, [a, b])
    assert again.sources[0].spans_added == 1  # the owner's file puts its span back, as before
    assert _work(review, "alice") == _work(a, "alice")


def test_a_change_without_an_event_in_the_source_makes_it_compared_whole(merged):
    a, b, review = merged
    with Project(a) as p:
        doc = _doc(p, 5)
        connection(p).execute("DELETE FROM spans WHERE document_id = ? AND start = 27", (doc,))
        connection(p).commit()
    _tamper_review(review, "alice", 0)
    again = merge_projects(review, [a, b])
    assert again.sources[0].spans_removed == 1
    assert _work(review, "alice") == _work(a, "alice")  # and the tampered pair is synced again too


def test_an_import_into_the_source_makes_it_compared_whole(merged, tmp_path):
    a, b, review = merged
    with Project(a) as p:
        p.log_event("import", None, None, files=1)  # what a bulk import records: no document
    _tamper_review(review, "alice", 0)
    merge_projects(review, [a, b])
    assert _work(review, "alice") == _work(a, "alice")


def test_another_file_under_the_same_project_id_is_compared_whole(merged, tmp_path):
    a, b, review = merged
    with Project(a) as p:
        suid = p.get_setting("project_uid")
    other = _file(tmp_path / "other.db", "alice")
    with Project(other) as p:
        p.set_setting("project_uid", suid)
        p.add_span(_doc(p, 0), Span(0, 7, "LOC"), "alice")
    report = merge_projects(review, [other])
    assert report.sources[0].spans_added >= 1
    assert _work(review, "alice")[0] == _work(other, "alice")[0]


def test_a_merge_with_conflicts_is_not_remembered_and_reports_them_again(merged, tmp_path):
    a, b, review = merged
    c = _file(tmp_path / "c.db", "alice", state="in_progress")  # alice's work again, different: conflicts
    first = merge_projects(review, [c])
    assert len(first.conflicts) == len(TEXTS)
    with Project(c) as p:
        suid = p.get_setting("project_uid")
    with Project(review) as p:
        assert p.get_setting(SEEN_KEY + suid) is None
    assert len(merge_projects(review, [c]).conflicts) == len(TEXTS)


def test_seen_state_names_the_last_event_of_each_source(merged):
    a, b, review = merged
    with Project(review) as p:
        for src in (a, b):
            with Project(src) as s:
                seen = json.loads(p.get_setting(SEEN_KEY + s.get_setting("project_uid")))
                last = connection(s).execute("SELECT id, uid FROM events ORDER BY id DESC LIMIT 1").fetchone()
            assert (seen["event_id"], seen["event_uid"]) == tuple(last)
            assert seen["review_event_id"] == connection(p).execute("SELECT max(id) FROM events").fetchone()[0]


KILL_ON_SECOND_FILE = textwrap.dedent(
    """
    import os, signal, sys
    from annotator.review.merge import merge_projects
    ticks = []
    def progress(done, total, what=""):
        ticks.append(done)
        if len(ticks) == 2:  # inside the second file's transaction, all its rows written, not committed
            os.kill(os.getpid(), signal.SIGKILL)
    merge_projects(sys.argv[1], sys.argv[2:], progress=progress)
    """
)


def _snapshot(path) -> dict[str, object]:
    c = sqlite3.connect(path)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    out = {t: c.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
           for t in ("documents", "spans", "doc_labels", "document_status", "merge_owners")}
    # the events copied from the sources (by uid), and how many the merges made themselves
    out["events"] = c.execute("SELECT uid, document_id, annotator, action, payload, merged_from FROM events"
                              " WHERE merged_from IS NOT NULL ORDER BY id").fetchall()
    out["own events"] = c.execute("SELECT action, count(*) FROM events WHERE merged_from IS NULL AND action != 'merge'"
                                  " GROUP BY action ORDER BY action").fetchall()
    out["fts"] = c.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'Jokowi'").fetchone()
    c.close()
    return out


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("review_exists", [False, True], ids=["new review", "existing review"])
def test_a_merge_killed_in_the_second_file_leaves_the_review_as_after_the_first(tmp_path, review_exists):
    a = _file(tmp_path / "a.db", "alice")
    with Project(_file(tmp_path / "b.db", "bob")) as p:
        p.add_document(Document(text="Hanya di file B: Prabowo di Bandung.", title="B"))
    review, expected = tmp_path / "review.db", tmp_path / "expected.db"
    if review_exists:
        other = _file(tmp_path / "z.db", "zoe")
        merge_projects(review, [other])
        merge_projects(expected, [other])
    merge_projects(expected, [a])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd(), *sys.path]))
    proc = subprocess.run([sys.executable, "-c", KILL_ON_SECOND_FILE, str(review), str(a), str(tmp_path / "b.db")],
                          env=env, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    with Project(review) as p:  # opens cleanly (the journal rolled back), WAL again
        assert connection(p).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert p.count_documents() == len(TEXTS)
    got, want = _snapshot(review), _snapshot(expected)
    for table in want:
        if table in ("merge_owners",):
            assert [r[:2] for r in got[table]] == [r[:2] for r in want[table]]
        elif table == "documents":
            assert [r[1:3] for r in got[table]] == [r[1:3] for r in want[table]]
        else:
            assert got[table] == want[table], table
    # and merging again finishes the job: bob's work arrives
    report = merge_projects(review, [a, tmp_path / "b.db"])
    assert report.sources[1].spans_added == 2 * len(TEXTS) and report.sources[0].changes == 0


def test_a_salvaged_review_forgets_how_far_each_source_was_merged(merged, tmp_path):
    from annotator.store.check import salvage_project

    a, b, review = merged
    _tamper_review(review, "alice", 0)  # as if salvaging had lost or damaged this pair
    salvage_project(review, tmp_path / "saved.db")
    with Project(tmp_path / "saved.db") as p:
        assert not connection(p).execute("SELECT 1 FROM settings WHERE key LIKE ?", (SEEN_KEY + "%",)).fetchall()
    merge_projects(tmp_path / "saved.db", [a, b])
    assert _work(tmp_path / "saved.db", "alice") == _work(a, "alice")
