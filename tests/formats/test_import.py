"""Article import: seeds, cleaning, JSONL/CSV, dedup, and bad input."""

import json

import pytest

from annotator.formats import import_paths
from annotator.store import Project
from tests.conftest import SEED_FILES

KOMPAS = [f for f in SEED_FILES if f.name.startswith("001")][0]
ARRAHMAH = [f for f in SEED_FILES if f.name.startswith("000")][0]


def _doc_for(project, path):
    for doc_id in project.document_ids():
        doc = project.get_document(doc_id)
        if doc.meta.get("file") == path.name:
            return doc
    raise AssertionError(f"{path.name} not imported")


def test_import_seeds_and_clean_the_scraped_one(seeded_project):
    p = seeded_project
    assert p.count_documents() == 2
    kompas = _doc_for(p, KOMPAS)
    assert kompas.text.startswith("MOSKWA, KOMPAS.com – Menteri Pertahanan Rusia Sergei Shoigu")
    assert "Baca juga" not in kompas.text
    assert "Baca berita tanpa iklan" not in kompas.text
    assert "Terkini Lainnya" not in kompas.text and "Serangan Ukraina di Belgorod" not in kompas.text
    assert "WhatsApp" not in kompas.text and "Login untuk" not in kompas.text
    assert kompas.text.rstrip().endswith("kematian warga sipil di Myanmar.")
    assert kompas.title == "Rusia Nyatakan Perkuat Hubungan Militer dengan Myanmar"
    assert kompas.source == "Kompas.com"
    assert kompas.published == "2021-06-24T12:20+07:00"
    assert kompas.meta["author"] == "Danur Lambang Pristiandaru"
    assert kompas.meta["wire"] == "Reuters"
    assert kompas.meta["dateline"] == "Moskwa"
    # nothing lost: the original is kept and every removed line is listed
    assert kompas.original_text == KOMPAS.read_text(encoding="utf-8")
    removed = list(kompas.removed_lines)
    assert sum(1 for line in removed if line.startswith("Baca juga:")) == 5
    assert "Serangan Ukraina di Belgorod Rusia, 9 Orang Terluka" in removed
    for line in kompas.original_text.splitlines():
        line = line.strip()
        assert not line or line in kompas.text or line in removed
    arr = _doc_for(p, ARRAHMAH)
    assert arr.text == ARRAHMAH.read_text(encoding="utf-8")  # nothing to clean: unchanged
    assert arr.source == "Arrahmah.com" and arr.meta["dateline"] == "Moskow"
    assert arr.original_text is None


def test_import_same_files_twice_gives_same_documents(project):
    import_paths(project, SEED_FILES)
    report = import_paths(project, SEED_FILES)
    assert report.ok
    assert report.totals()["new_documents"] == 0
    assert project.count_documents() == 2


def test_import_no_clean_keeps_text(project):
    import_paths(project, [KOMPAS], clean=False)
    doc = project.get_document(project.document_ids()[0])
    assert doc.text == KOMPAS.read_text(encoding="utf-8")


def test_import_folder(project, seeds_copy):
    report = import_paths(project, [seeds_copy])
    assert report.ok and project.count_documents() == 2


def test_import_jsonl_two_annotators_on_one_text(project, tmp_path):
    text = "Menteri Pertahanan Rusia Sergei Shoigu menentang sanksi."
    lines = [
        {"text": text, "title": "A", "annotator": "alice", "status": "done",
         "spans": [{"start": 25, "end": 38, "label": "PER"}, {"start": 19, "end": 24, "label": "LOC"},
                   {"start": 39, "end": 48, "label": "OPPOSE", "layer": "cues"}],
         "labels": {"stance": "AGAINST"}},
        {"text": text, "annotator": "bob", "spans": [{"start": 25, "end": 38, "label": "PER"}],
         "labels": {"stance": {"value": "NEUTRAL", "target": "Rusia"}}},
    ]
    f = tmp_path / "a.jsonl"
    f.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    report = import_paths(project, [f])
    assert report.ok, report.failed
    assert project.count_documents() == 1
    doc_id = project.document_ids()[0]
    alice = project.spans(doc_id, "alice")
    assert [(s.layer, s.label, s.text_in(text)) for s in alice] == [
        ("entities", "LOC", "Rusia"), ("entities", "PER", "Sergei Shoigu"), ("cues", "OPPOSE", "menentang")]
    assert [(s.label, s.text_in(text)) for s in project.spans(doc_id, "bob")] == [("PER", "Sergei Shoigu")]
    labels = {(x.annotator, x.value, x.target) for x in project.answers(doc_id)}
    assert labels == {("alice", "AGAINST", None), ("bob", "NEUTRAL", "Rusia")}
    assert project.status(doc_id, "alice") == "done"
    # text with spans is never cleaned, and re-importing adds nothing
    assert project.get_document(doc_id).text == text
    import_paths(project, [f])
    assert len(project.spans(doc_id)) == 4


def test_import_csv(project, tmp_path):
    f = tmp_path / "a.csv"
    f.write_text('title,text,source\n"T1","Satu, dua.",X\nT2,Tiga empat,Y\n', encoding="utf-8")
    assert import_paths(project, [f]).ok
    docs = [project.get_document(i) for i in project.document_ids()]
    assert [(d.title, d.text, d.source) for d in docs] == [("T1", "Satu, dua.", "X"), ("T2", "Tiga empat", "Y")]


def _bad(tmp_path, name, content):
    f = tmp_path / name
    f.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return f


BAD_INPUTS = [
    ("bad.txt", b"Halo\nini \xff rusak\n", "bad.txt:2", "UTF-8"),
    ("empty.txt", b"", "empty.txt", "empty"),
    ("blank.txt", b"   \n\n", "blank.txt", "empty"),
    ("broken.jsonl", '{"text": "ok"}\n{"text": "x", \n', "broken.jsonl:2", "broken JSON"),
    ("range.jsonl", '{"text": "ok"}\n{"text": "abc", "spans": [{"start": 0, "end": 9, "label": "PER"}]}\n',
     "range.jsonl:2", "does not fit"),
    ("label.jsonl", '{"text": "abc", "spans": [{"start": 0, "end": 3, "label": "GPE"}]}\n', "label.jsonl:1", "GPE"),
    ("answer.jsonl", '{"text": "abc", "labels": {"stance": "MAYBE"}}\n', "answer.jsonl:1", "MAYBE"),
    ("notext.csv", "title,body2\nx,y\n", "notext.csv:1", "no text column"),
    ("status.jsonl", '{"text": "abc", "status": "finished"}\n', "status.jsonl:1", "finished"),
]


@pytest.mark.parametrize(("name", "content", "where", "what"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_import_bad_input_names_file_and_line_and_stores_nothing(project, tmp_path, name, content, where, what):
    good = _bad(tmp_path, "good.txt", "Artikel yang baik.")
    bad = _bad(tmp_path, name, content)
    report = import_paths(project, [bad, good])
    assert not report.ok
    [failed] = report.failed
    assert where in failed.error and what in failed.error
    # nothing of the bad file, the good file still imported
    assert project.count_documents() == 1
    assert project.get_document(project.document_ids()[0]).text == "Artikel yang baik."
    assert project.spans(project.document_ids()[0]) == []
    # the summary counts what was stored, not what the rolled-back file had got to
    assert report.totals() == {"files": 1, "failed": 1, "documents": 1, "new_documents": 1, "spans": 0, "labels": 0,
                              "records": 1, "warnings": 0}


def test_import_missing_file_and_unknown_type(project, tmp_path):
    odd = _bad(tmp_path, "x.weird", "abc")
    report = import_paths(project, [tmp_path / "nope.txt", odd])
    errors = [f.error for f in report.failed]
    assert "nope.txt" in errors[0] and "no such file" in errors[0]
    assert "x.weird" in errors[1] and "--format" in errors[1]


def test_import_survives_reopen(project_path):
    with Project(project_path) as p:
        import_paths(p, SEED_FILES)
    with Project(project_path) as p:
        assert p.count_documents() == 2


def test_import_one_scraped_text_is_one_document_whoever_annotated_it(project, tmp_path):
    """alice's spans keep a scraped page as given; bob's 'done, nothing to mark' on the same page and a
    later plain import of it must land on that document, not on a cleaned copy of it."""
    raw = SEED_FILES[1].read_text(encoding="utf-8")
    i = raw.index("Myanmar")
    f = tmp_path / "team.jsonl"
    f.write_text(json.dumps({"text": raw, "annotator": "alice", "status": "done",
                             "spans": [{"start": i, "end": i + 7, "label": "LOC"}]}) + "\n"
                 + json.dumps({"text": raw, "annotator": "bob", "status": "done"}) + "\n", encoding="utf-8")
    assert import_paths(project, [f]).ok
    assert import_paths(project, [SEED_FILES[1]]).ok
    [doc_id] = project.document_ids()
    assert project.get_text(doc_id) == raw
    assert project.statuses() == {(doc_id, "alice"): "done", (doc_id, "bob"): "done"}
