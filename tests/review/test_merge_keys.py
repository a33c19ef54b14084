"""A merge runs with SQLite's row-by-row foreign-key checks off (store/merging.py
``merge_transaction``): what they guaranteed must still hold, checked here by SQLite's own
``PRAGMA foreign_key_check`` on the merged file and by the cases the checks used to catch."""

from __future__ import annotations

import sqlite3
from contextlib import nullcontext
from pathlib import Path

import pytest

from annotator.core.errors import ProjectError
from annotator.core.kb import KBEntry
from annotator.core.model import Document, Span
from annotator.review.merge import merge_projects
from annotator.store import Project
from tests.rawdb import connection

TEXT = '"Kami siap," kata Shoigu kepada Putin di Moskow.'


def _at(needle: str) -> tuple[int, int]:
    return TEXT.index(needle), TEXT.index(needle) + len(needle)


def _source(path: Path, name: str) -> Path:
    with Project(path) as p:
        doc, _ = p.add_document(Document(TEXT))
        quote = p.add_span(doc, Span(*_at("Kami siap,"), "QUOTE", "cues"), name)
        shoigu = p.add_span(doc, Span(*_at("Shoigu"), "PER"), name)
        p.add_span(doc, Span(*_at("Putin"), "PER"), name)
        p.add_span(doc, Span(*_at("Moskow"), "LOC"), name)
        p.add_relation(quote, shoigu, "SPEAKER")
        entry = p.kb_add_entry(KBEntry(id="sergei-shoigu", name="Sergei Shoigu", label="PER"))
        p.kb_set_link(shoigu, entry.id)
        p.set_status(doc, name, "done")
    return path


def _key_violations(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as c:
        return c.execute("PRAGMA foreign_key_check").fetchall()


def _dangling(path: Path) -> tuple[int, int]:
    """Relations and links that name a span uid the file does not have."""
    with sqlite3.connect(path) as c:
        rel = c.execute("SELECT count(*) FROM relations r WHERE NOT EXISTS (SELECT 1 FROM spans s"
                        " WHERE s.uid = r.head_uid) OR NOT EXISTS (SELECT 1 FROM spans s WHERE s.uid = r.child_uid)")
        links = c.execute("SELECT count(*) FROM kb_links l WHERE NOT EXISTS (SELECT 1 FROM spans s WHERE s.uid = l.span_uid)")
        return rel.fetchone()[0], links.fetchone()[0]


def test_merged_files_keep_every_key(tmp_path: Path) -> None:
    sources = [_source(tmp_path / f"{n}.db", n) for n in ("alice", "bob")]
    review = tmp_path / "review.db"
    merge_projects(review, sources)
    merge_projects(review, sources)
    with Project(review) as p:
        assert len(p.relations(1, "alice")) == len(p.relations(1, "bob")) == 1 and len(p.kb_link_rows()) == 2
    assert _key_violations(review) == [] and _dangling(review) == (0, 0)


def test_a_span_left_out_on_re_merge_takes_its_relation_and_link_along(tmp_path: Path) -> None:
    """What ON DELETE CASCADE did when the merge removed a span: its relation and its link go too."""
    src = _source(tmp_path / "alice.db", "alice")
    review = tmp_path / "review.db"
    merge_projects(review, [src])
    with Project(review) as p:
        [(shoigu_uid, entry, *_)] = p.kb_link_rows()  # the link is on Shoigu
        assert entry == "sergei-shoigu" and len(p.relations(1, "alice")) == 1
    # the source's Shoigu now has a label the review's schema does not know (a hand edit; the row
    # renumbered so that the merge sees the file changed and compares everything)
    with Project(src) as p:
        connection(p).execute("UPDATE spans SET label = 'WEAPON', id = (SELECT max(id) + 1 FROM spans) WHERE uid = ?",
                              (shoigu_uid,))
    report = merge_projects(review, [src])
    assert report.sources[0].spans_removed == 1
    assert any("entities/WEAPON" in problem for problem in report.sources[0].problems)
    with Project(review) as p:
        assert [s.label for s in p.spans(1, "alice")] == ["QUOTE", "PER", "LOC"]  # Shoigu is gone
        assert p.relations(1, "alice") == [] and p.kb_link_rows() == []
    assert _key_violations(review) == [] and _dangling(review) == (0, 0)


def test_work_by_an_annotator_the_source_does_not_list_stops_its_merge(tmp_path: Path) -> None:
    """A damaged source (its own keys broken by a tool that wrote with the checks off): the merge
    of that file stops with a message naming the annotator, and nothing of it is kept."""
    good = _source(tmp_path / "alice.db", "alice")
    bad = _source(tmp_path / "bob.db", "bob")
    with Project(bad) as p:
        raw = connection(p)
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("UPDATE spans SET annotator = 'ghost', id = id + 100 WHERE id = (SELECT max(id) FROM spans)")
    review = tmp_path / "review.db"
    merge_projects(review, [good])
    with pytest.raises(ProjectError, match="bob.db.*'ghost'"):
        merge_projects(review, [bad])
    with Project(review) as p:
        assert p.annotators() == ["alice"] and len(p.spans(1, "alice")) == 4 and p.spans(1, "bob") == []
        # the review's own connection checks keys again after a merge (the setting is per connection)
        assert connection(p).execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert _key_violations(review) == []


def test_the_checks_are_on_again_after_a_merge_transaction(tmp_path: Path) -> None:
    with Project(tmp_path / "r.db") as p:
        for fails in (False, True):
            with pytest.raises(RuntimeError) if fails else nullcontext():
                with p.merge_transaction("x"):
                    assert connection(p).execute("PRAGMA foreign_keys").fetchone()[0] == 0
                    if fails:
                        raise RuntimeError("stop")
            assert connection(p).execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with p.transaction():  # inside another transaction the setting cannot change: it stays on
            with p.merge_transaction("x"):
                assert connection(p).execute("PRAGMA foreign_keys").fetchone()[0] == 1


def _derived_status(path: Path) -> tuple[list[tuple], list[tuple]]:
    """status_sources as stored, and as its triggers would have made it from document_status."""
    with sqlite3.connect(path) as c:
        stored = c.execute("SELECT annotator, document_id, state, source FROM status_sources ORDER BY 1, 2").fetchall()
        derived = c.execute("SELECT s.annotator, s.document_id, s.state, d.source FROM document_status s"
                            " JOIN documents d ON d.id = s.document_id ORDER BY 1, 2").fetchall()
    return stored, derived


def test_status_sources_kept_in_step_by_a_merge_of_many_states(tmp_path: Path) -> None:
    """A first merge writes status_sources (the list's outlet filter) in one statement with its
    trigger set aside; a re-merge of a few changed states goes through the trigger again."""
    sources = []
    for k, name in enumerate(("alice", "bob")):
        with Project(tmp_path / f"{name}.db") as p:
            for i in range(80):
                doc, _ = p.add_document(Document(f"Berita {i} dari Jakarta.", source=("kompas", "tempo")[i % 2]))
                if (i + k) % 5:
                    p.set_status(doc, name, ("done", "in_progress", "skipped")[(i + k) % 3])
        sources.append(tmp_path / f"{name}.db")
    review = tmp_path / "review.db"
    merge_projects(review, sources)
    stored, derived = _derived_status(review)
    assert len(stored) == 128 and stored == derived
    with Project(sources[1]) as p:
        p.set_status(5, "bob", "done")  # had none
        p.set_status(4, "bob", "todo")  # was in progress
    report = merge_projects(review, sources)
    assert report.totals()["statuses"] == 2
    stored, derived = _derived_status(review)
    assert stored == derived and ("bob", 4, "todo", "tempo") in stored
    with Project(review) as p:  # the list's state + outlet filter reads status_sources
        done = p.filtered_ids_page("bob", state="done", source="kompas")
        assert done == [i for i in range(1, 81, 2) if i == 5 or ((i - 1 + 1) % 5 and (i - 1 + 1) % 3 == 0)]
