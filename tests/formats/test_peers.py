"""Files the peer tools accept as they are, and peer exports read back whole.

The Label Studio files under ``data/labelstudio`` are real exports of Label
Studio 1.23.2 (made by the slow end-to-end test's steps, see
``test_peers_e2e.py``) of :func:`peer_project` exported by our writer:
``export_json_prediction_ids`` is the default ``/export?exportType=JSON``
(predictions as ids), ``snapshot_full_predictions`` a snapshot with
``only_id=false``, and ``snapshot_made_in_labelstudio`` the same tasks
imported without our names (as if annotated in Label Studio: users by id,
gold only as ``ground_truth``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.model import GOLD, Document, Span
from annotator.formats import export_project, import_paths
from annotator.formats.base import ReadOptions, format_for
from annotator.formats.brat import LINE_BREAKS
from annotator.formats.labelstudio import read_labelstudio
from annotator.store import Project
from tests.conftest import SEED_FILES
from tests.formats.helpers import peer_project, snapshot, suggestion_view

DATA = Path(__file__).parent / "data" / "labelstudio"


@pytest.fixture
def team(tmp_path: Path) -> Project:
    """The peer project (see :func:`peer_project`)."""
    with Project(tmp_path / "team.db") as p:
        assert import_paths(p, SEED_FILES).ok
        yield peer_project(p)


def _import(tmp_path: Path, path: Path, name: str = "back.db", **kw) -> tuple[Project, object]:
    project = Project(tmp_path / name)
    report = import_paths(project, [path], **kw)
    assert report.ok, report.failed
    return project, report


# -- Label Studio -------------------------------------------------------------------------


def test_labelstudio_file_names_no_member_and_carries_names_and_status(team: Project, tmp_path: Path) -> None:
    export_project(team, "labelstudio", tmp_path / "ls.json", include_suggestions=True)
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    anns = [a for t in tasks for a in t["annotations"]]
    # completed_by naming a non-member makes Label Studio refuse the whole file (HTTP 400)
    assert anns and not [a for a in anns if "completed_by" in a]
    carried = {(t["meta"]["annotator"][str(a["id"])]["annotator"], t["meta"]["annotator"][str(a["id"])]["status"])
               for t in tasks for a in t["annotations"]}
    assert ("rina@example.org", "done") in carried and ("ana", "in_progress") in carried
    assert ("budi", "skipped") in carried and (GOLD, "done") in carried
    assert [a["ground_truth"] for a in anns if a["annotator"] == GOLD] == [True]
    assert all(a["ground_truth"] is False for a in anns if a["annotator"] != GOLD)


def test_labelstudio_default_export_reports_prediction_ids(team: Project, tmp_path: Path) -> None:
    back, report = _import(tmp_path, DATA / "export_json_prediction_ids.json")
    with back:
        # every span, answer, name, gold and status exact through Label Studio
        assert snapshot(back) == snapshot(team)
        assert suggestion_view(back) == set()
    [result] = report.files
    [said] = [w for w in result.reader_warnings if "prediction" in w]
    assert "2 prediction(s) are listed by id only" in said and "only_id=false" in said


def test_labelstudio_snapshot_brings_predictions_back(team: Project, tmp_path: Path) -> None:
    back, report = _import(tmp_path, DATA / "snapshot_full_predictions.json")
    with back:
        assert snapshot(back) == snapshot(team)
        assert suggestion_view(back) == suggestion_view(team) != set()
        assert back.statuses()[(back.document_ids()[0], GOLD)] == "done"
    assert report.files[0].reader_warnings == []


def test_labelstudio_work_done_in_labelstudio_ground_truth_is_gold(team: Project, tmp_path: Path) -> None:
    path = DATA / "snapshot_made_in_labelstudio.json"
    records = list(read_labelstudio(path, ReadOptions(schema=team.schema)))
    # no names carried: Label Studio's user ids; its ground truth is gold
    assert [r.annotator for r in records] == ["user1", "user1", GOLD, "user1", "user1", "user1"]
    # the documented rule: cancelled is skipped, every other submitted annotation done
    assert [r.status for r in records] == ["done", "done", "done", "done", "skipped", "done"]
    back, report = _import(tmp_path, path)
    with back:
        gold = {(back.get_text(i), s.layer, s.start, s.end, s.label) for i in back.document_ids()
                for s in back.spans(i, GOLD)}
        want = {(team.get_text(i), s.layer, s.start, s.end, s.label) for i in team.document_ids()
                for s in team.spans(i, GOLD)}
        assert gold == want and gold
        export_project(back, "conll", tmp_path / "gold.conll", gold=True)  # failed before: no gold set
    assert any("1 annotation(s) marked ground_truth imported as annotator 'gold'" in w for w in report.files[0].reader_warnings)


def test_import_summary_counts_documents_not_records(tmp_path: Path, capsys) -> None:
    assert main(["import", str(tmp_path / "p.db"), str(DATA / "snapshot_full_predictions.json")]) == 0
    assert "2 document(s) (2 new, 6 record(s))" in capsys.readouterr().out
    assert main(["import", str(tmp_path / "q.db"), str(DATA / "export_json_prediction_ids.json")]) == 0
    out, err = capsys.readouterr()
    # the reader's warning printed once, and counted in the summary
    assert err.count("listed by id only") == 1 and "1 warning(s) above" in out


# -- doccano -----------------------------------------------------------------------------


def test_doccano_lines_all_carry_the_same_keys(team: Project, tmp_path: Path) -> None:
    export_project(team, "doccano", tmp_path / "d.jsonl", all_annotators=True, include_suggestions=True)
    lines = [json.loads(x) for x in (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 8  # suggestions and records without answers among them
    assert {tuple(sorted(x)) for x in lines} == {("annotator", "cats", "id", "label", "labels", "meta", "status", "text")}
    # no nulls either: doccano stores the extra keys as the example's meta
    assert all(v is not None for x in lines for v in x.values())


def _doccano_export_shape(team: Project, tmp_path: Path) -> Path:
    """doccano 1.8.4's JSONL export of our file (its keys: ours flattened from
    its meta, then ``label`` and ``Comments``), first article made longer than
    4 KiB as every real news article is."""
    export_project(team, "doccano", tmp_path / "d.jsonl", annotator="ana")
    out = []
    for n, line in enumerate((tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()):
        obj = json.loads(line)
        if n == 0:
            obj["text"] += "\n" + " ".join(["Paragraf tambahan yang panjang."] * 200)
        out.append(json.dumps({**{k: v for k, v in obj.items() if k != "label"}, "label": obj["label"],
                               "Comments": []}, ensure_ascii=False))
    path = tmp_path / "owner.jsonl"  # what is inside doccano's zip
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    assert len(out[0].encode()) > 4096
    return path


def test_doccano_export_with_long_first_line_is_sniffed(team: Project, tmp_path: Path) -> None:
    path = _doccano_export_shape(team, tmp_path)
    assert format_for(path) == "doccano"
    back, report = _import(tmp_path, path)
    with back:
        n_ana = sum(len(team.spans(i, "ana")) for i in team.document_ids())
        assert report.totals()["spans"] == n_ana > 0
        assert sum(len(back.spans(i, "ana")) for i in back.document_ids()) == n_ana


def test_doccano_spans_read_as_jsonl_are_not_dropped_silently(team: Project, tmp_path: Path) -> None:
    path = _doccano_export_shape(team, tmp_path)
    back, report = _import(tmp_path, path, fmt="jsonl")
    with back:
        assert report.totals()["spans"] == 0
    assert any('"label"' in w and "--format doccano" in w for w in report.files[0].reader_warnings)


# -- brat ----------------------------------------------------------------------------------

_ANN_LINE = re.compile(r"^T\d+\t\S+ \d+ \d+(;\d+ \d+)*\t[^\t]*$")


def test_brat_never_writes_a_line_break_inside_an_ann_line(tmp_path: Path) -> None:
    text = "Presiden Joko\r\nWidodo bertemu\u2028Menteri Luar\x0bNegeri di Jakarta.\r\n"
    with Project(tmp_path / "p.db") as p:
        doc_id, _ = p.add_document(Document(text=text, title="crlf"))
        spans = [Span(9, 21, "PER"), Span(22, 50, "ORG")]
        assert text[9:21] == "Joko\r\nWidodo"
        p.add_spans(doc_id, spans, "ana")
        report = export_project(p, "brat", tmp_path / "out", annotator="ana")
        assert not report.issues
    ann = (tmp_path / "out" / f"{doc_id:06d}.ann").read_text(encoding="utf-8")
    assert not LINE_BREAKS.intersection(ann.replace("\n", ""))
    lines = ann.splitlines()  # what the third-party parsers do
    assert len(lines) == 2 and all(_ANN_LINE.match(x) for x in lines)
    assert lines[0] == "T1\tPER 9 13;15 21\tJoko Widodo"
    with Project(tmp_path / "back.db") as back:
        assert import_paths(back, [tmp_path / "out"]).ok
        assert [(s.start, s.end, s.label) for s in back.spans(back.document_ids()[0], "ana")] == [
            (9, 21, "PER"), (22, 50, "ORG")]


# -- sentences -----------------------------------------------------------------------------

QUOTE = 'Dia datang.\n\n"Kami siap," kata Budi.'


def test_quote_after_a_paragraph_break_opens_the_next_sentence(tmp_path: Path) -> None:
    with Project(tmp_path / "p.db") as p:
        doc_id, _ = p.add_document(Document(text=QUOTE, title="q"))
        p.add_spans(doc_id, [Span(QUOTE.index("Budi"), QUOTE.index("Budi") + 4, "PER")], "ana")
        export_project(p, "conll", tmp_path / "q.conll", annotator="ana")
        export_project(p, "conllu", tmp_path / "q.conllu", annotator="ana")
    blocks = [b for b in (tmp_path / "q.conll").read_text(encoding="utf-8").split("\n\n") if b.strip()]
    sents = [[row.split()[0] for row in b.splitlines() if not row.startswith("-DOCSTART-")] for b in blocks]
    sents = [s for s in sents if s]
    assert sents == [["Dia", "datang", "."], ['"', "Kami", "siap", ",", '"', "kata", "Budi", "."]]
    texts = [x[len("# text = "):] for x in (tmp_path / "q.conllu").read_text(encoding="utf-8").splitlines()
             if x.startswith("# text = ")]
    assert texts == ["Dia datang.", '"Kami siap," kata Budi.']


def test_closing_quote_stays_with_its_sentence(tmp_path: Path) -> None:
    text = 'Dia bilang "siap." Lalu pergi.'
    with Project(tmp_path / "p.db") as p:
        p.add_document(Document(text=text, title="q"))
        export_project(p, "conllu", tmp_path / "q.conllu")
    texts = [x[len("# text = "):] for x in (tmp_path / "q.conllu").read_text(encoding="utf-8").splitlines()
             if x.startswith("# text = ")]
    assert texts == ['Dia bilang "siap."', "Lalu pergi."]


# -- export warnings -----------------------------------------------------------------------


def test_include_suggestions_without_suggestions_does_not_warn(seeded_project: Project, tmp_path: Path) -> None:
    from tests.formats.helpers import annotate_seeds

    annotate_seeds(seeded_project)
    report = export_project(seeded_project, "conll", tmp_path / "a.conll", annotator="ana", include_suggestions=True)
    assert not [w for w in report.warnings if "cannot be told apart" in w]
    ids = seeded_project.document_ids()
    seeded_project.set_suggestions(ids[0], [Span(0, 6, "LOC", origin="rule:x")], suggester="rule:x", version="1")
    report = export_project(seeded_project, "conll", tmp_path / "b.conll", annotator="ana", include_suggestions=True)
    assert [w for w in report.warnings if "cannot be told apart" in w]
