"""``annotator export`` from the terminal."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.cli import main
from annotator.core.model import Span
from annotator.formats import import_paths
from annotator.store import Project
from tests.conftest import SEED_FILES
from tests.formats.helpers import annotate_seeds


def _project(path: Path, misaligned: bool = False) -> Path:
    with Project(path) as p:
        assert import_paths(p, SEED_FILES).ok
        annotate_seeds(p)
        if misaligned:
            p.add_span(p.document_ids()[0], Span(1, 4, "PER"), "ana")
    return path


def test_export_cmds_writes_and_refuses_to_overwrite(project_path: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _project(project_path)
    out = tmp_path / "x.spacy"
    assert main(["export", str(project_path), "--format", "spacy", "--out", str(out), "--annotator", "ana"]) == 0
    assert "exported 2 record(s) of 2 document(s)" in capsys.readouterr().out
    before = out.read_bytes()
    assert main(["export", str(project_path), "-f", "spacy", "-o", str(out), "--annotator", "ana"]) == 1
    assert "exists; pass --force" in capsys.readouterr().err and out.read_bytes() == before
    assert main(["export", str(project_path), "-f", "spacy", "-o", str(out), "--annotator", "ana", "--force"]) == 0


def test_export_cmds_lists_misaligned_spans_and_writes_the_report(project_path: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _project(project_path, misaligned=True)
    report = tmp_path / "issues.tsv"
    code = main(["export", str(project_path), "-f", "conll", "-o", str(tmp_path / "x.conll"), "--annotator", "ana",
                 "--misaligned", "contract", "--report", str(report)])
    assert code == 0
    err = capsys.readouterr().err
    assert "'OSK': skipped (no whole token inside)" in err and "has no place for spans of layer 'cues'" in err
    rows = report.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("document\ttitle\tannotator") and any("\tOSK\tskipped" in r for r in rows[1:])
    code = main(["export", str(project_path), "-f", "conll", "-o", str(tmp_path / "y.conll"), "--annotator", "ana",
                 "--misaligned", "fail"])
    assert code == 1 and "not on token boundaries" in capsys.readouterr().err
    assert not (tmp_path / "y.conll").exists()


def test_export_cmds_split_and_json(project_path: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _project(project_path)
    out = tmp_path / "corpus"
    assert main(["export", str(project_path), "-f", "spacy", "-o", str(out), "--annotator", "ana",
                 "--split", "0.5", "--seed", "7", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["parts"] == {"train": 1, "dev": 1} and sorted(Path(f).name for f in data["files"]) == [
        "dev.spacy", "train.spacy"]
    assert main(["export", str(project_path), "-f", "conll", "-o", str(tmp_path / "z.conll")]) == 1
    assert "several annotators" in capsys.readouterr().err


def test_export_cmds_formats_lists_every_reader_and_writer(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["formats"]) == 0
    rows = {line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines()}
    for name in ("spacy", "jsonl", "conll", "conllu", "brat", "doccano", "labelstudio"):
        assert rows[name] == "import/export"
    assert rows["txt"] == "import"


def test_export_cmds_gold_before_adjudication_is_an_error(project_path: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _project(project_path)
    out = tmp_path / "train.spacy"
    assert main(["export", str(project_path), "-f", "spacy", "-o", str(out), "--gold", "--split", "0.5"]) == 1
    assert "no gold set" in capsys.readouterr().err and not out.exists()


def test_export_cmds_report_never_replaces_the_export_or_another_file(project_path: Path, tmp_path: Path,
                                                                        capsys) -> None:  # type: ignore[no-untyped-def]
    _project(project_path, misaligned=True)
    out = tmp_path / "x.conll"
    base = ["export", str(project_path), "-f", "conll", "--annotator", "ana"]
    assert main([*base, "-o", str(out), "--report", str(out)]) == 1
    assert "is the export itself" in capsys.readouterr().err and not out.exists()
    keep = tmp_path / "notes.tsv"
    keep.write_text("mine")
    assert main([*base, "-o", str(out), "--report", str(keep)]) == 1
    assert "notes.tsv exists; pass --force" in capsys.readouterr().err and keep.read_text() == "mine"
    # a report in a folder that does not exist yet is written there, like --out
    nested = tmp_path / "reports" / "x.tsv"
    assert main([*base, "-o", str(out), "--report", str(nested)]) == 0
    assert nested.read_text(encoding="utf-8").startswith("document\t") and out.read_text().strip()
