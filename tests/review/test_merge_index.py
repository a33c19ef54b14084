"""A first merge into an empty review takes the source's full-text index as stored (store/merging.py,
``_take_source_index``): the index must be exactly what tokenizing the texts again would give, and
must keep working for the documents later merges and edits add."""

from __future__ import annotations

import shutil
import sqlite3

from annotator.core.model import Document, Span
from annotator.review.merge import merge_projects
from annotator.store import Project
from tests.rawdb import connection

WORDS = ["Jokowi", "Putin", "Moskow", "Shoigu", "NATO", "Brussel", "kerja", "sama", "militer", "Jakarta"]


def _texts(n: int, seed: int) -> list[str]:
    return [" ".join(WORDS[(i * 7 + k * 3 + seed) % len(WORDS)] for k in range(12)) + f" nomor{seed}x{i}."
            for i in range(n)]


def _file(path, name, texts, outlet="Tempo", drop=()):
    with Project(path) as p:
        p.add_annotator(name)
        for i, t in enumerate(texts):
            doc, _ = p.add_document(Document(text=t, title=f"Judul {i} {WORDS[i % 10]}", source=outlet))
            p.add_span(doc, Span(0, 6, "PER"), name)
            p.set_status(doc, name, "done")
        for doc in drop:  # gaps in the ids, as a file whose documents were removed has
            connection(p).execute("DELETE FROM documents WHERE id = ?", (doc,))
    return path


def _index_ok(path) -> None:
    c = sqlite3.connect(path)
    c.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")
    c.close()


def _hits(path) -> dict[str, list[int]]:
    c = sqlite3.connect(path)
    out = {q: [r[0] for r in c.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid", (q,))]
           for q in ["Jokowi", "militer", "kerja AND sama", "nomor1x3", "Judul", "source : Kompas", "source : Tempo",
                     "{title text} : (Putin AND NATO)"]}
    c.close()
    return out


def _rebuilt(path, tmp_path) -> dict[str, list[int]]:
    copy = tmp_path / "rebuilt.db"
    shutil.copy(path, copy)
    c = sqlite3.connect(copy)
    c.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
    c.commit()
    c.close()
    return _hits(copy)


def test_first_merge_takes_the_source_index_and_later_documents_join_it(tmp_path):
    a = _file(tmp_path / "a.db", "alice", _texts(30, 1), drop=(4, 5, 17))
    b = _file(tmp_path / "b.db", "bob", _texts(30, 1)[10:] + _texts(12, 2), outlet="Kompas")
    review = tmp_path / "review.db"
    report = merge_projects(review, [a, b])
    assert report.totals()["new_documents"] == 27 + 1 + 12  # b has one of the texts a lost
    with Project(review) as p:
        ids = [r[0] for r in connection(p).execute("SELECT id FROM documents ORDER BY id")]
    # the first file's documents kept their ids (its index names them), the second's came after
    assert ids[:27] == [i for i in range(1, 31) if i not in (4, 5, 17)] and ids[27:] == list(range(31, 44))
    _index_ok(review)
    hits = _hits(review)
    assert hits == _rebuilt(review, tmp_path)
    assert len(hits["source : Kompas"]) == 13 and len(hits["Jokowi"]) > 0
    # later edits go through the triggers onto the copied index
    with Project(review) as p:
        c = connection(p)
        with p.transaction():
            c.execute("UPDATE documents SET title = 'Ganti Shoigu', source = 'Antara' WHERE id % 3 = 0")
            c.execute("DELETE FROM documents WHERE id % 7 = 0")
    _index_ok(review)
    assert _hits(review) == _rebuilt(review, tmp_path)
    # and a third file's new documents too
    c3 = _file(tmp_path / "c.db", "carol", _texts(5, 3), outlet="Detik")
    merge_projects(review, [c3])
    _index_ok(review)
    assert _hits(review) == _rebuilt(review, tmp_path)


def test_a_source_index_missing_a_row_is_not_taken(tmp_path):
    a = _file(tmp_path / "a.db", "alice", _texts(20, 4))
    with Project(a) as p:  # as if the source's index had lost a document's row
        connection(p).execute("DELETE FROM documents_fts_docsize WHERE id = 3")
    review = tmp_path / "review.db"
    merge_projects(review, [a])
    _index_ok(review)
    hits = _hits(review)
    assert hits == _rebuilt(review, tmp_path) and 3 in hits["Judul"]


def test_a_source_with_random_uids_is_told_from_one_with_time_ordered_ones(tmp_path):
    """The merge's page cache is sized by it (store/merging.py, ``attached_source``)."""
    fresh = _file(tmp_path / "a.db", "alice", _texts(30, 5))
    old = _file(tmp_path / "b.db", "bob", _texts(30, 6))
    with Project(old) as p:  # as files made before uids were time-ordered have them
        c = connection(p)
        with p.transaction():
            for table in ("spans", "events"):
                c.execute(f"UPDATE {table} SET uid = lower(hex(randomblob(16)))")
    with Project(tmp_path / "review.db") as review:
        for source, ordered in ((fresh, True), (old, False)):
            with review.attached_source(source):
                assert review._source_uids_time_ordered() is ordered  # noqa: SLF001
