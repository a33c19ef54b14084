"""brat standoff export and import."""

from __future__ import annotations

from pathlib import Path

from annotator.core.model import Document, Span
from annotator.formats import export_project, import_paths
from annotator.store import Project
from tests.formats.helpers import annotate_seeds, snapshot


def test_brat_export_writes_txt_ann_and_conf(project: Project, tmp_path: Path) -> None:
    text = "Menteri Sergei\nShoigu 😀 di Moskwa."
    doc_id, _ = project.add_document(Document(text=text, title="Shoigu"))
    project.add_spans(doc_id, [Span(8, 21, "PER", note="nama\tpanjang"), Span(27, 33, "LOC"),
                               Span(0, 7, "REPORT", "cues")], "ana")
    export_project(project, "brat", tmp_path / "brat")
    name = f"{doc_id:06d}"
    assert (tmp_path / "brat" / f"{name}.txt").read_text(encoding="utf-8") == text
    ann = (tmp_path / "brat" / f"{name}.ann").read_text(encoding="utf-8").splitlines()
    assert ann == ["T1\tREPORT 0 7\tMenteri", "T2\tPER 8 14;15 21\tSergei Shoigu", "#1\tAnnotatorNotes T2\tnama panjang",
                   "T3\tLOC 27 33\tMoskwa"]
    conf = (tmp_path / "brat" / "annotation.conf").read_text()
    assert "[entities]\nPER\nORG\nLOC\nMISC\nSUPPORT" in conf and "<OVERLAP>" in conf
    assert "PER\tbgColor:#56B4E9" in (tmp_path / "brat" / "visual.conf").read_text()
    with Project(tmp_path / "back.db") as back:
        assert import_paths(back, [tmp_path / "brat"], fmt="brat").ok
        assert snapshot(back) == snapshot(project)
        assert [s.note for s in back.spans(back.document_ids()[0], layer="entities")] == ["nama panjang", None]


def test_brat_export_reports_a_line_break_at_a_span_edge(project: Project, tmp_path: Path) -> None:
    doc_id, _ = project.add_document(Document(text="Jokowi\nberkata"))
    project.add_spans(doc_id, [Span(0, 7, "PER")], "ana")
    report = export_project(project, "brat", tmp_path / "b")
    (issue,) = report.issues
    assert issue.action.startswith("contracted") and (issue.new_start, issue.new_end) == (0, 6)


def test_brat_all_annotators_get_folders_and_import_back(seeded_project: Project, tmp_path: Path) -> None:
    annotate_seeds(seeded_project)
    export_project(seeded_project, "brat", tmp_path / "b", all_annotators=True)
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["ana", "budi"]
    with Project(tmp_path / "back.db") as back:
        assert import_paths(back, [tmp_path / "b"], fmt="brat").ok
        assert snapshot(back) == snapshot(seeded_project)


def test_brat_reader_skips_relations_with_a_warning(project: Project, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.txt").write_text("Jokowi ke Jakarta", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tPERSON 0 6\tJokowi\nT2\tLOC 10 17\tJakarta\nR1\tGoes Arg1:T1 Arg2:T2\n")
    assert import_paths(project, [tmp_path / "a.ann"], fmt="brat", annotator="x").ok
    assert [(s.label, s.start) for s in project.spans(project.document_ids()[0])] == [("PER", 0), ("LOC", 10)]
    assert "relation" in capsys.readouterr().err


def test_brat_export_folder_imports_back_without_format(seeded_project: Project, tmp_path: Path) -> None:
    """'annotator import P BRAT_FOLDER' used to take its .txt files as bare articles and fail on every .json."""
    annotate_seeds(seeded_project)
    export_project(seeded_project, "brat", tmp_path / "b", annotator="ana")
    with Project(tmp_path / "back.db") as back:
        report = import_paths(back, [tmp_path / "b"])
        assert report.ok, report.failed
        assert back.count_documents() == 2
        assert snapshot(back)["spans"] == {s for s in snapshot(seeded_project)["spans"] if s[1] == "ana"}
    # a folder that also holds other files is still read file by file
    (tmp_path / "mixed").mkdir()
    (tmp_path / "mixed" / "a.txt").write_text("Jokowi ke Jakarta", encoding="utf-8")
    (tmp_path / "mixed" / "a.ann").write_text("T1\tPER 0 6\tJokowi\n", encoding="utf-8")
    (tmp_path / "mixed" / "article.txt").write_text("Artikel lain tanpa anotasi.", encoding="utf-8")
    with Project(tmp_path / "mixed.db") as mixed:
        assert import_paths(mixed, [tmp_path / "mixed"]).ok
        assert {mixed.get_text(i) for i in mixed.document_ids()} == {"Jokowi ke Jakarta", "Artikel lain tanpa anotasi."}


def test_brat_ann_text_that_does_not_match_the_txt_is_an_error(project: Project, tmp_path: Path) -> None:
    """Offsets that point at other words (a .txt edited after annotation, another encoding) must not import."""
    (tmp_path / "a.txt").write_text("Presiden Jokowi ke Jakarta", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tPER 9 15\tJokowi\nT2\tLOC 0 7\tJakarta\n", encoding="utf-8")
    report = import_paths(project, [tmp_path / "a.ann"], fmt="brat")
    assert not report.ok and "a.ann:2: T2: the .ann quotes 'Jakarta' but 0-7 of a.txt is 'Preside'" in report.failed[0].error
    assert project.count_documents() == 0
