"""Issue 16: names that become paths stay inside --out and stay distinct, and
no command writes over the project file or over a file without --force."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core import Document, Span
from annotator.review.assign import assign_documents
from annotator.store import Project

HOSTILE = ["..", ".", "annotator", "a/b", "a_b", "CON"]


def _project(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with Project(path) as p:
        for i in range(3):
            doc_id, _ = p.add_document(Document(text=f"Joko Widodo ke Jakarta {i}.", title=f"t{i}"))
            for who in HOSTILE:
                p.add_span(doc_id, Span(0, 11, "PER"), who)
        assign_documents(p, HOSTILE, overlap=len(HOSTILE))
    return path


def _files(folder: Path) -> set[Path]:
    return {f for f in folder.rglob("*") if f.is_file()}


def test_brat_per_annotator_folders_stay_inside_out_and_apart(tmp_path, capsys):
    project = _project(tmp_path / "work" / "p.db")
    out = tmp_path / "work" / "brat"
    before = _files(tmp_path / "work")
    assert main(["export", str(project), "--format", "brat", "--out", str(out), "--all-annotators"]) == 0
    assert "safe, distinct folder names" in capsys.readouterr().err
    outside = {f for f in _files(tmp_path / "work") - before if not f.is_relative_to(out)}
    assert outside == set()
    folders = {f.parent for f in _files(out) if f.suffix == ".ann"}
    assert len(folders) == len(HOSTILE)  # one folder each: nobody's files overwrite anybody's
    assert all(f.parent == out for f in folders)
    # a second export into the parent without --force is refused, and never touches the project
    assert main(["export", str(project), "--format", "brat", "--out", str(out), "--all-annotators"]) == 1


def test_package_gives_hostile_names_distinct_files_inside_out(tmp_path, capsys):
    project = _project(tmp_path / "p.db")
    out = tmp_path / "packages"
    assert main(["package", str(project), "--out", str(out)]) == 0
    made = sorted(f.name for f in out.iterdir() if f.suffix == ".db")
    assert len(made) == len(HOSTILE)
    assert "package file name for '..'" in capsys.readouterr().err
    for f in out.iterdir():
        with Project(f, create=False) as pkg:
            assert pkg.count_documents() == 3
    assert _files(tmp_path) - _files(out) == {project}


def test_no_command_writes_over_the_project_file(tmp_path, capsys):
    project = _project(tmp_path / "p.db")
    before = project.read_bytes()
    for argv in (
        ["export", str(project), "--format", "jsonl", "--out", str(project), "--force", "--all-annotators"],
        ["export", str(project), "--format", "jsonl", "--out", str(tmp_path / "x.jsonl"), "--report",
         str(project), "--force", "--all-annotators"],
        ["export", str(project), "--format", "brat", "--out", str(tmp_path), "--force", "--all-annotators"],
        ["screenshot", str(project), "--out", str(project)],
        ["screenshot", str(project), "--out", str(project), "--force"],
    ):
        assert main(argv) == 1, argv
        assert "project" in capsys.readouterr().err
    assert project.read_bytes() == before
    with Project(project, create=False) as p:
        assert p.count_documents() == 3


def test_screenshot_follows_exports_overwrite_rule(tmp_path, capsys):
    project = _project(tmp_path / "p.db")
    precious = tmp_path / "notes.png"
    precious.write_bytes(b"not a screenshot")
    assert main(["screenshot", str(project), "--out", str(precious)]) == 1
    assert "--force" in capsys.readouterr().err
    assert precious.read_bytes() == b"not a screenshot"


@pytest.mark.parametrize("name", ["..", "a/b", "CON", "x" * 300])
def test_safe_file_names_are_single_safe_components(name):
    from annotator.core.names import safe_file_names

    stem = safe_file_names([name, "annotator"])[name]
    assert "/" not in stem and "\\" not in stem and not stem.startswith(".") and stem.lower() != "con"
    assert stem != "annotator" and 0 < len(stem) <= 64


def test_every_command_taking_a_name_reads_it_in_its_normal_form(tmp_path, capsys):
    # ' bob' is bob everywhere: 'role P " bob" reviewer' once printed "not registered" with exit 0
    # and left bob an annotator; evaluate --reference " bob" said there is no such annotator
    path = tmp_path / "p.db"
    with Project(path) as p:
        doc_id, _ = p.add_document(Document(text="Joko Widodo ke Jakarta.", title="t"))
        p.add_span(doc_id, Span(0, 11, "PER"), "bob")
        p.add_span(doc_id, Span(0, 11, "PER"), "ann")
    assert main(["role", str(path), " bob", "reviewer"]) == 0
    assert "bob: reviewer" in capsys.readouterr().out
    with Project(path, create=False) as p:
        assert p.annotator_role("bob") == "reviewer"
        assert p.annotator_role(" bob ") == "reviewer"
    assert main(["agreement", str(path), "--annotators", " bob,  ann "]) == 0
    capsys.readouterr()
    main(["evaluate", str(path), "--reference", " bob"])
    assert "no annotator" not in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["role", str(path), "   "])
    assert "empty" in capsys.readouterr().err
