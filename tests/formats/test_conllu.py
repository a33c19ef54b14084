"""CoNLL-U export and import: # text, SpaceAfter=No, NE tags in MISC, spaCy's converter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from annotator.core.model import Document, Span
from annotator.formats import export_project, import_paths
from annotator.formats.conllu import escape_spaces, unescape_spaces
from annotator.store import Project
from tests.formats.helpers import annotate_seeds, snapshot


def test_conllu_export_writes_text_spaceafter_and_ne_misc(project: Project, tmp_path: Path) -> None:
    text = "Kata Jokowi (Presiden RI), Jakarta.\nBaru 😀 lagi."
    doc_id, _ = project.add_document(Document(text=text, title="Judul"))
    project.add_spans(doc_id, [Span(5, 11, "PER"), Span(27, 34, "LOC")], "ana")
    project.set_answer(doc_id, "ana", "stance", "NEUTRAL")
    export_project(project, "conllu", tmp_path / "x.conllu")
    lines = (tmp_path / "x.conllu").read_text(encoding="utf-8").split("\n")
    assert "# text = Kata Jokowi (Presiden RI), Jakarta." in lines
    assert "# text = Baru 😀 lagi." in lines
    assert "# answer.stance = NEUTRAL" in lines and "# annotator = ana" in lines
    rows = [ln.split("\t") for ln in lines if ln and not ln.startswith("#")]
    assert all(len(r) == 10 for r in rows)
    by_form = {r[1]: r[9] for r in rows}
    assert by_form["Jokowi"] == "NE=B-PER"
    assert by_form["("] == "SpaceAfter=No"
    assert by_form["Jakarta"] == "NE=B-LOC|SpaceAfter=No"
    assert by_form["."] == "SpaceAfter=No"  # the last token: nothing follows
    assert rows[[r[1] for r in rows].index("Jakarta") + 1][9] == "SpacesAfter=\\n"
    with Project(tmp_path / "back.db") as back:
        assert import_paths(back, [tmp_path / "x.conllu"]).ok
        assert snapshot(back) == snapshot(project)
        assert back.get_document(back.document_ids()[0]).title == "Judul"


def test_conllu_export_spacy_convert_reads_entities(seeded_project: Project, tmp_path: Path) -> None:
    from spacy.tokens import DocBin

    from annotator.formats.tokenize import blank_nlp

    annotate_seeds(seeded_project)
    export_project(seeded_project, "conllu", tmp_path / "s.conllu", annotator="ana")
    (tmp_path / "conv").mkdir()
    done = subprocess.run([sys.executable, "-m", "spacy", "convert", str(tmp_path / "s.conllu"),
                           str(tmp_path / "conv"), "--converter", "conllu", "--n-sents", "1000"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    docs = list(DocBin().from_disk(tmp_path / "conv" / "s.spacy").get_docs(blank_nlp().vocab))
    got = [(e.text, e.label_) for d in docs for e in d.ents]
    want = [(s.text_in(seeded_project.get_text(i)), s.label) for i in seeded_project.document_ids()
            for s in seeded_project.spans(i, "ana", "entities")]
    assert got == want and len(want) > 10


def test_conllu_reads_multiword_tokens_and_documents(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "ud.conllu"
    path.write_text(
        "# newdoc id = a\n# sent_id = 1\n# text = Bukunya di Jakarta.\n"
        "1-2\tBukunya\t_\t_\t_\t_\t_\t_\t_\t_\n1\tBuku\tbuku\tNOUN\t_\t_\t0\troot\t_\t_\n"
        "2\tnya\tnya\tPRON\t_\t_\t1\tnmod\t_\t_\n3\tdi\tdi\tADP\t_\t_\t4\tcase\t_\t_\n"
        "4\tJakarta\tJakarta\tPROPN\t_\t_\t1\tnmod\t_\tNE=B-LOC|SpaceAfter=No\n5\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\tSpaceAfter=No\n"
        "\n# newdoc id = b\n# sent_id = 2\n1\tHalo\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n",
        encoding="utf-8",
    )
    assert import_paths(project, [path], annotator="ud").ok
    texts = [project.get_text(i) for i in project.document_ids()]
    assert texts == ["Bukunya di Jakarta.", "Halo"]
    (span,) = project.spans(project.document_ids()[0])
    assert span.text_in(texts[0]) == "Jakarta"


def test_conllu_escapes_every_whitespace_run() -> None:
    for ws in [" ", "  ", "\n", "\r\n", "\t", "\u00a0", "\u2028 ", "\\"]:
        assert "\n" not in escape_spaces(ws) and "|" not in escape_spaces(ws)
        assert unescape_spaces(escape_spaces(ws)) == ws


def test_conllu_bad_ne_tag_names_the_line_and_imports_nothing(project: Project, tmp_path: Path) -> None:
    """A tag the decoder cannot read used to become O: the entity vanished without a word."""
    path = tmp_path / "bad.conllu"
    path.write_text(
        "# text = Jokowi di Jakarta\n1\tJokowi\t_\t_\t_\t_\t_\t_\t_\tNE=B-PER\n2\tdi\t_\t_\t_\t_\t_\t_\t_\t_\n"
        "3\tJakarta\t_\t_\t_\t_\t_\t_\t_\tNE=Q-LOC|SpaceAfter=No\n",
        encoding="utf-8",
    )
    report = import_paths(project, [path], annotator="ud")
    assert not report.ok and "bad.conllu:4: not a NER tag in MISC: 'Q-LOC'" in report.failed[0].error
    assert project.count_documents() == 0
