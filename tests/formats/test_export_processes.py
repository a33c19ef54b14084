"""``export --n-process N`` (issue 12): the tokenizing formats written by worker processes
are the same bytes, with the same report, as with one process; progress and cancel still work."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.jobs import Cancelled
from annotator.core.model import Document, Span
from annotator.formats import export_project, parallel
from annotator.store import Project

WORDS = "Presiden Joko Widodo bertemu Menteri Pertahanan Rusia Sergei Shoigu di Moskwa pada Selasa".split()


@pytest.fixture
def many(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """150 documents in chunks of 8 records: two annotators (records of one document must stay
    in one chunk), a misaligned span every few documents, a line break, an untitled one."""
    monkeypatch.setattr(parallel, "CHUNK_RECORDS", 8)
    project = Project(tmp_path / "many.db")
    with project.transaction():
        for i in range(150):
            words = [WORDS[(i + k) % len(WORDS)] for k in range(8 + i % 30)]
            text = " ".join(words) + f". Kalimat kedua nomor {i}!\n\"Kutipan,\" katanya."
            doc_id, _ = project.add_document(Document(text=text, title="" if i % 7 == 0 else f"Judul {i}"))
            spans = [Span(0, len(words[0]), "PER")]
            if i % 5 == 3:
                spans.append(Span(len(words[0]) + 2, len(words[0]) + 5, "ORG"))  # inside a word: expanded
            project.add_spans(doc_id, spans, "ana", validate=False)
            if i % 3 == 0:
                project.add_spans(doc_id, [Span(0, len(words[0]) + 1 + len(words[1]), "LOC")], "budi")
    return project


@pytest.mark.parametrize("fmt", ["conll", "conllu", "spacy"])
def test_workers_write_the_same_bytes_and_report(many: Project, tmp_path: Path, fmt: str) -> None:
    one = export_project(many, fmt, tmp_path / f"one.{fmt}", all_annotators=True)
    two = export_project(many, fmt, tmp_path / f"two.{fmt}", all_annotators=True, n_process=2)
    assert (tmp_path / f"one.{fmt}").read_bytes() == (tmp_path / f"two.{fmt}").read_bytes()
    assert one.records == two.records == 150 + 50
    assert one.tokens == two.tokens > 0
    assert one.issues and one.issues == two.issues
    assert one.warnings == two.warnings


def test_cli_n_process_and_progress_to_the_end(many: Project, tmp_path: Path, capsys) -> None:
    seen: list[tuple[int, int]] = []
    export_project(many, "conll", tmp_path / "p.conll", annotator="ana", n_process=2,
                   progress=lambda done, total, _what: seen.append((done, total)))
    assert seen[-1] == (150, 150) and len(seen) > 3
    many.close()
    assert main(["export", str(tmp_path / "many.db"), "--format", "conllu", "--annotator", "ana",
                 "--out", str(tmp_path / "cli.conllu"), "--n-process", "2"]) == 0
    assert "exported 150 record(s)" in capsys.readouterr().out
    with Project(tmp_path / "many.db") as p:
        export_project(p, "conllu", tmp_path / "ref.conllu", annotator="ana")
    assert (tmp_path / "cli.conllu").read_bytes() == (tmp_path / "ref.conllu").read_bytes()


def test_cancel_with_workers_writes_nothing(many: Project, tmp_path: Path) -> None:
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 60  # after a few chunks have gone to the workers

    out = tmp_path / "out"
    with pytest.raises(Cancelled):
        export_project(many, "conll", out / "c.conll", annotator="ana", n_process=2, should_cancel=cancel)
    assert list(out.iterdir()) == []


def test_a_worker_error_comes_back_as_with_one_process(many: Project, tmp_path: Path) -> None:
    from annotator.formats.export import ExportError

    with pytest.raises(ExportError, match="not on token boundaries") as one:
        export_project(many, "conll", tmp_path / "a.conll", annotator="ana", misaligned="fail")
    with pytest.raises(ExportError, match="not on token boundaries") as two:
        export_project(many, "conll", tmp_path / "b.conll", annotator="ana", misaligned="fail", n_process=2)
    assert str(one.value) == str(two.value)
    assert not list(tmp_path.glob("*.conll"))
