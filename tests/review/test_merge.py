"""merge_projects: content-hash matching, uid idempotence, sync, conflicts, packages."""

from __future__ import annotations

import shutil

import pytest

from annotator.core.errors import ProjectError
from annotator.core.model import Document, Span
from annotator.review.assign import assign_documents, export_package
from annotator.review.merge import merge_projects
from annotator.store import Project
from annotator.store.base import EVENT_SOURCE_SQL
from tests.rawdb import connection

TEXTS = ["Jokowi bertemu Putin di Moskow.", "Shoigu mengecam NATO di Brussel.", "Hanya di file B."]


def _annotator_file(path, name, texts, spans_by_text, state="done", stance=None):
    with Project(path) as p:
        p.add_annotator(name)
        for t in texts:
            doc_id, _ = p.add_document(Document(text=t, title=t[:10]))
            for s in spans_by_text.get(t, []):
                p.add_span(doc_id, Span(*s), name)
            if stance:
                p.set_answer(doc_id, name, "stance", stance)
            p.set_status(doc_id, name, state)
    return path


def _counts(path):
    with Project(path) as p:
        return {t: connection(p).execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("documents", "spans", "doc_labels", "document_status", "events")}


@pytest.fixture
def two_files(tmp_path):
    a = _annotator_file(tmp_path / "a.db", "alice", TEXTS[:2], {TEXTS[0]: [(0, 6, "PER"), (15, 20, "PER")]},
                        stance="FAVOR")
    b = _annotator_file(tmp_path / "b.db", "bob", [TEXTS[2], TEXTS[1], TEXTS[0]], {TEXTS[0]: [(0, 6, "PER")]},
                        stance="AGAINST")
    return a, b


def test_merge_matches_documents_by_hash_and_brings_everything(tmp_path, two_files):
    a, b = two_files
    review = tmp_path / "review.db"
    report = merge_projects(review, [a, b])
    assert report.conflicts == []
    t = report.totals()
    assert t["new_documents"] == 3 and t["documents"] == 5
    assert t["spans_added"] == 3 and t["labels"] == 5 and t["statuses"] == 5
    with Project(review) as p:
        doc0 = p.document_id_by_hash(__import__("annotator.core.model", fromlist=["x"]).content_hash(TEXTS[0]))
        assert [(s.annotator, s.start, s.end) for s in p.spans(doc0)] == [
            ("alice", 0, 6), ("bob", 0, 6), ("alice", 15, 20)]
        assert p.status(doc0, "alice") == "done" and p.status(doc0, "bob") == "done"
        assert {d.annotator: d.value for d in p.answers(doc0)} == {"alice": "FAVOR", "bob": "AGAINST"}
        merged_events = [e for e in p.events() if e["payload"].get("merged_from")]
        assert {e["annotator"] for e in merged_events if e["action"] == "add_span"} == {"alice", "bob"}


def test_merge_rerun_adds_nothing(tmp_path, two_files):
    a, b = two_files
    review = tmp_path / "review.db"
    merge_projects(review, [a, b])
    before = _counts(review)
    again = merge_projects(review, [a, b])
    assert sum(s.changes for s in again.sources) == 0 and again.totals()["events"] == 0
    after = _counts(review)
    assert after["events"] == before["events"] + 1  # only the log line of the second merge itself
    assert {k: v for k, v in after.items() if k != "events"} == {k: v for k, v in before.items() if k != "events"}


def test_merge_records_the_documents_it_added_in_one_event_per_source(tmp_path, two_files):
    a, b = two_files
    review = tmp_path / "review.db"
    merge_projects(review, [a, b])
    with Project(review) as p:
        ours = [e for e in p.events() if not e["payload"].get("merged_from")]
        added = [e for e in ours if e["action"] == "add_documents"]
        # a's two texts, then the one text of b's three that a did not have
        assert [(e["payload"]["source"], e["document_id"]) for e in added] == [(str(a), None), (str(b), None)]
        ids = [i for e in added for first, last in e["payload"]["new_documents"] for i in range(first, last + 1)]
        assert sorted(ids) == sorted(p.document_ids()) and len(ids) == 3
        assert not [e for e in ours if e["action"] == "add_document"]  # none of its own per document
        # the sources' own add_document events are copied as they were
        assert sum(e["action"] == "add_document" for e in p.events() if e["payload"].get("merged_from")) == 5
    merge_projects(review, [a, b])  # nothing new: no event of it
    with Project(review) as p:
        assert sum(e["action"] == "add_documents" for e in p.events()) == 2


def test_merge_rerun_syncs_continued_work_and_moved_file(tmp_path, two_files):
    a, b = two_files
    review = tmp_path / "review.db"
    merge_projects(review, [a, b])
    with Project(a) as p:
        doc0 = p.document_ids()[0]
        first, second = p.spans(doc0, "alice")
        p.delete_span(first.id)
        p.update_span(second.id, label="LOC")
        p.add_span(p.document_ids()[1], Span(0, 6, "PER"), "alice")
        p.set_answer(doc0, "alice", "stance", "NEUTRAL")
    moved = tmp_path / "renamed.db"
    shutil.move(a, moved)
    report = merge_projects(review, [moved])
    s = report.sources[0]
    assert report.conflicts == []
    assert (s.spans_added, s.spans_updated, s.spans_removed, s.answers) == (1, 1, 1, 1)
    with Project(review) as p:
        alice = sorted((sp.start, sp.label) for d in p.document_ids() for sp in p.spans(d, "alice"))
        assert alice == [(0, "PER"), (15, "LOC")]


def test_merge_same_name_different_work_is_a_conflict_not_overwritten(tmp_path, two_files):
    a, b = two_files
    review = tmp_path / "review.db"
    merge_projects(review, [a])
    other = _annotator_file(tmp_path / "other-alice.db", "alice", [TEXTS[0]], {TEXTS[0]: [(7, 14, "ORG")]},
                            stance="FAVOR")
    same = _annotator_file(tmp_path / "same-alice.db", "alice", [TEXTS[1]], {}, stance="FAVOR")
    report = merge_projects(review, [other, same])
    assert len(report.conflicts) == 1
    c = report.conflicts[0]
    assert c.annotator == "alice" and c.owner == str(a)
    assert "1 span(s) only in this file, 2 only in the merged version" in c.detail
    assert "conflict" in report.summary()
    with Project(review) as p:
        spans = [(s.start, s.label) for d in p.document_ids() for s in p.spans(d, "alice")]
        assert sorted(spans) == [(0, "PER"), (15, "PER")]  # the first file's work kept


def test_merge_package_roundtrip_is_a_sync(tmp_path, two_files):
    a, b = two_files
    review = tmp_path / "review.db"
    merge_projects(review, [a, b])
    with Project(review) as p:
        assign_documents(p, ["alice", "bob"], overlap=2)
        pkg = export_package(p, "alice", tmp_path / "alice-pkg.db")
    assert pkg.documents == 3 and pkg.spans == 2 and pkg.others == []
    with Project(tmp_path / "alice-pkg.db") as p:
        assert p.annotators() == ["alice"]
        third = [d for d in p.document_ids() if p.get_text(d) == TEXTS[2]][0]
        p.add_span(third, Span(0, 5, "MISC"), "alice")
        p.set_status(third, "alice", "done")
    report = merge_projects(review, [tmp_path / "alice-pkg.db"])
    assert report.conflicts == []
    assert report.sources[0].spans_added == 1
    again = merge_projects(review, [tmp_path / "alice-pkg.db", a])
    assert again.totals()["spans_added"] == 0 and again.conflicts == []


def test_merge_refuses_missing_file_and_skips_itself(tmp_path, two_files):
    a, _ = two_files
    with pytest.raises(ProjectError, match="no such project file"):
        merge_projects(tmp_path / "r.db", [tmp_path / "nope.db"])
    merge_projects(tmp_path / "r.db", [a])
    report = merge_projects(tmp_path / "r.db", [tmp_path / "r.db"])
    assert report.sources[0].skipped and "review project itself" in report.problems[0]


def test_merge_reports_labels_outside_the_review_schema(tmp_path, two_files):
    a, _ = two_files
    other_schema = tmp_path / "other.toml"
    other_schema.write_text('name = "other"\n[layers.entities]\nlabels = [{ name = "PER" }, { name = "EVENT" }]\n')
    src = tmp_path / "src.db"
    with Project(src, schema=other_schema) as p:
        doc, _ = p.add_document(Document(text=TEXTS[0]))
        p.add_spans(doc, [Span(0, 6, "PER"), Span(7, 14, "EVENT")], "dedi")
    review = tmp_path / "review.db"
    merge_projects(review, [a])
    report = merge_projects(review, [src])
    assert report.sources[0].spans_added == 1
    assert any("label entities/EVENT" in p for p in report.problems)


def test_merge_same_span_uid_under_another_annotator_is_reported_not_duplicated(tmp_path, two_files):
    a, _ = two_files
    review = tmp_path / "review.db"
    merge_projects(review, [a])
    edited = tmp_path / "edited.db"
    shutil.copy(a, edited)
    with Project(edited) as p:
        p.add_annotator("dedi")
        connection(p).execute("UPDATE spans SET annotator = 'dedi' WHERE annotator = 'alice'")
        p.set_setting("project_uid", "another-file")  # a copy taken elsewhere, not the same file
    before = _counts(review)["spans"]
    report = merge_projects(review, [edited])
    assert _counts(review)["spans"] == before
    assert len([m for m in report.problems if "is already in the review" in m]) == 2
    assert [c.annotator for c in report.conflicts] == ["alice"]  # her spans are gone in that copy


def test_merge_source_that_cannot_be_written_gets_a_path_identity(two_files):
    import sqlite3

    from annotator.review import transfer

    a, _ = two_files

    class ReadOnly:
        path = a

        def get_setting(self, key, default=None):
            return None

        def set_setting(self, key, value):
            raise sqlite3.OperationalError("attempt to write a readonly database")

    uid = transfer.project_uid(ReadOnly())
    assert uid.startswith("path:") and uid == transfer.project_uid(ReadOnly())


def test_merge_copies_event_payloads_as_written_with_merged_from_appended(tmp_path, two_files):
    a, _ = two_files
    with Project(a) as p:
        connection(p).execute("INSERT INTO events(uid, ts, annotator, document_id, action, payload)"
                              " VALUES ('u-raw', 't', NULL, NULL, 'odd', 'not json'),"
                              " ('u-list', 't', NULL, NULL, 'odd', '[1, 2]'),"
                              " ('u-empty', 't', NULL, NULL, 'odd', '{}'),"
                              " ('u-has', 't', NULL, NULL, 'odd', '{\"merged_from\": \"x\"}'),"
                              " ('u-esc', 't', NULL, NULL, 'odd', '{\"note\": \"a \\\"q\\\" b\", \"x\": 1}'),"
                              " ('u-word', 't', NULL, NULL, 'odd', '{\"note\": \"merged_from\"}'),"
                              " ('u-space', 't', NULL, NULL, 'odd', '{\"x\": [1, {}]}  ')")
        source = {r[0]: r[1] for r in connection(p).execute("SELECT uid, payload FROM events")}
        suid = p.get_setting("project_uid")
    review = tmp_path / "review.db"
    merge_projects(review, [a])
    with Project(a) as p:
        suid = p.get_setting("project_uid")
    with Project(review) as p:
        copied = {r[0]: r[5] for r in p.event_records()}
        stored = {r[0]: r[1:] for r in connection(p).execute(f"SELECT uid, payload, {EVENT_SOURCE_SQL} FROM events")}
        columns = {r[0]: r[1] for r in connection(p).execute("SELECT uid, merged_from FROM events")}
        by_api = {e["uid"]: e["payload"] for e in p.events() if e["uid"] != "u-raw"}
    # stored as the source has it, the file it came from beside it: the range of ids the merge
    # gave them (migration 17), nothing written into each row
    assert {u: stored[u] for u in source} == {u: (text, suid) for u, text in source.items()}
    assert {columns[u] for u in source} == {None}
    assert all(by_api[u] == __import__("json").loads(copied[u]) for u in by_api)
    for uid, text in source.items():
        if uid.startswith("u-"):
            continue
        # byte for byte the source's text, the key appended where it ended
        assert copied[uid] == text[:-1] + f', "merged_from": "{suid}"}}'
        assert __import__("json").loads(copied[uid]) == {**__import__("json").loads(text), "merged_from": suid}
    assert __import__("json").loads(copied["u-raw"]) == {"raw": "not json", "merged_from": suid}
    assert copied["u-list"] == "[1, 2]" and copied["u-has"] == '{"merged_from": "x"}'
    assert copied["u-empty"] == f'{{"merged_from": "{suid}"}}'
    # escapes, the word as a value, trailing space: the key appended to the text as written
    for uid in ("u-esc", "u-word", "u-space"):
        assert copied[uid] == source[uid].rstrip()[:-1] + f', "merged_from": "{suid}"}}'
        assert __import__("json").loads(copied[uid]) == {**__import__("json").loads(source[uid]), "merged_from": suid}


def test_merge_many_documents_keeps_uids_and_remerge_changes_nothing(tmp_path):
    texts = [f"Dokumen nomor {i} tentang Jokowi di Jakarta." for i in range(60)]
    src = tmp_path / "a.db"
    with Project(src) as p:
        p.add_annotator("alice")
        for i, t in enumerate(texts):
            doc, _ = p.add_document(Document(text=t))
            p.add_spans(doc, [Span(22, 28, "PER"), Span(32, 39, "LOC")][: 1 + i % 2], "alice")
            p.set_status(doc, "alice", "done")
        uids = {r[0] for r in connection(p).execute("SELECT uid FROM spans")}
    review = tmp_path / "review.db"
    first = merge_projects(review, [src])
    assert first.totals()["spans_added"] == 90 and first.totals()["new_documents"] == 60
    with Project(review) as p:
        assert {r[0] for r in connection(p).execute("SELECT uid FROM spans")} == uids
    with Project(src) as p:  # the annotator goes on: one span relabelled, one deleted, one document's status
        conn = connection(p)
        conn.execute("UPDATE spans SET label = 'ORG', updated = 'later' WHERE id = 1")
        conn.execute("DELETE FROM spans WHERE id = 2")
        conn.execute("UPDATE document_status SET state = 'in_progress' WHERE document_id = 3")
    again = merge_projects(review, [src]).sources[0]
    assert (again.spans_added, again.spans_updated, again.spans_removed, again.statuses) == (0, 1, 1, 1)
    assert merge_projects(review, [src]).sources[0].changes == 0


#: How merges before migration 15 wrote a copied payload, in SQL (kept as the independent reference
#: that ``payload_with_source`` must reproduce byte for byte).
_OLD_PAYLOAD_SQL = (
    "CASE WHEN NOT json_valid(:p) THEN '{\"raw\": ' || json_quote(:p) || ', \"merged_from\": ' || json_quote(:s) || '}'"
    " WHEN json_type(:p) != 'object' OR json_type(:p, '$.merged_from') IS NOT NULL THEN :p"
    " WHEN json(:p) = '{}' THEN '{\"merged_from\": ' || json_quote(:s) || '}'"
    " ELSE substr(rtrim(:p, char(32, 9, 10, 13)), 1, length(rtrim(:p, char(32, 9, 10, 13))) - 1)"
    " || ', \"merged_from\": ' || json_quote(:s) || '}' END"
)


@pytest.mark.parametrize("payload", [
    "not json", "[1, 2]", "{}", "{ }", '{"merged_from": "x"}', '{"a": 1}', '{"a": 1}\n  ', '{"note": "merged_from"}',
    '{"note": "a \\"q\\" b", "x": [1, {}]}', '{"t": "Dewan Keamanan PBB — é ü"}', '"a string"', "42", "",
    '{"nested": {"merged_from": 1}}', '{"a": "\\u00e9"}',
])
def test_payload_with_source_writes_what_merges_wrote_before(payload):
    import sqlite3

    from annotator.store.base import payload_with_source

    for source in ("0195f1c2a3b44c5d8e9f00112233aabb", 'odd "name" é'):
        old = sqlite3.connect(":memory:").execute(f"SELECT {_OLD_PAYLOAD_SQL}", {"p": payload, "s": source}).fetchone()[0]
        assert payload_with_source(payload, source) == old
    assert payload_with_source(payload, None) == payload


def test_a_damaged_source_stops_the_run_before_anything_is_merged(tmp_path, two_files):
    """The sources are checked in a worker thread while the merge runs; a damaged later file
    still stops the run before the first file's work is committed, naming the damaged file."""
    import sqlite3

    a, b = two_files
    review = tmp_path / "review.db"
    merge_projects(review, [a])  # an existing review, so the run below starts from it
    before = _counts(review)
    with Project(a) as p:  # new work in a, which must not be merged by the failed run
        p.add_span(1, Span(25, 30, "LOC"), "alice")
    c = sqlite3.connect(b)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the file itself, none left in the log
    page = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'spans_doc'").fetchone()[0]
    size = c.execute("PRAGMA page_size").fetchone()[0]
    c.close()
    data = bytearray(b.read_bytes())
    data[(page - 1) * size + 3 : (page - 1) * size + 5] = b"\x7f\x7f"  # the page's cell count, out of range
    b.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match=f"{b.name} is damaged"):
        merge_projects(review, [a, b])
    assert _counts(review) == before
