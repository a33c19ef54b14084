"""The CLI: annotator kb, link, stories."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.cli import main
from annotator.store import Project
from tests.conftest import IDNER, SEED_FILES
from tests.kb.conftest import mark_seed_entities


def _seed_db(tmp_path: Path) -> Path:
    db = tmp_path / "p.db"
    assert main(["import", str(db), *map(str, SEED_FILES)]) == 0
    with Project(db) as p:
        mark_seed_entities(p)
    return db


def _json(capsys, argv: list[str]):  # noqa: ANN001, ANN202
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_link_then_kb_json_lists_entries_with_suggested_mentions(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    db = _seed_db(tmp_path)
    report = _json(capsys, ["link", str(db), "--annotator", "ann", "--json"])
    assert report["mentions"] == len(report["links"]) > 80
    assert {"span", "entry", "origin", "score"} <= set(report["links"][0])
    kb = _json(capsys, ["kb", str(db), "--json"])
    shoigu = next(e for e in kb if e["name"] == "Sergei Shoigu")
    assert shoigu["label"] == "PER" and len(shoigu["mentions"]) == 4
    m = shoigu["mentions"][0]
    assert {"document", "start", "end", "annotator", "status"} <= set(m) and m["status"] == "suggested"
    # accept one, reject another: statuses show, the rejected one leaves the listing
    span_ids = [k["span"] for k in report["links"] if k["entry"] == shoigu["id"]]
    assert main(["link", str(db), "--accept", str(span_ids[0])]) == 0
    assert main(["link", str(db), "--reject", str(span_ids[1])]) == 0
    shoigu = next(e for e in _json(capsys, ["kb", str(db), "--json"]) if e["id"] == shoigu["id"])
    assert sorted(m["status"] for m in shoigu["mentions"]) == ["accepted", "suggested", "suggested"]
    # a re-run keeps the decisions: the rejected span is not proposed the same entry again
    _json(capsys, ["link", str(db), "--json"])
    with Project(db) as p:
        assert p.kb_link_of(span_ids[0]).status == "accepted"
        assert p.kb_link_of(span_ids[1]).entry_id != shoigu["id"]


def test_kb_export_import_round_trip_jsonl_and_csv(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    db = _seed_db(tmp_path)
    assert main(["link", str(db)]) == 0
    with Project(db) as p:
        p.kb_update_entry(p.kb_entry("sergei-shoigu").with_(description="Russian defence minister",
                                                            external_ids={"wikidata": "Q193213"},
                                                            aliases=("Shoigu", "Sergey Shoygu")))
        before = p.kb_entries()
    for ext in ("jsonl", "csv"):
        out = tmp_path / f"kb.{ext}"
        assert main(["kb", str(db), "--export", str(out)]) == 0
        fresh = tmp_path / f"fresh-{ext}.db"
        Project(fresh).close()
        assert main(["kb", str(fresh), "--import", str(out)]) == 0
        with Project(fresh) as p:
            got = p.kb_entries()
        assert [(e.id, e.name, e.label, e.aliases, e.description, dict(e.external_ids)) for e in got] == [
            (e.id, e.name, e.label, e.aliases, e.description, dict(e.external_ids)) for e in before]


def test_kb_import_bad_line_names_file_and_line_and_keeps_nothing(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    db = tmp_path / "p.db"
    Project(db).close()
    bad = tmp_path / "kb.jsonl"
    bad.write_text('{"name": "Joko Widodo", "label": "PER"}\n{"name": "X", "label": "PERSON"}\n', encoding="utf-8")
    assert main(["kb", str(db), "--import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "kb.jsonl:2" in err and "PERSON" in err and "Traceback" not in err
    csv_bad = tmp_path / "kb.csv"
    csv_bad.write_text("id,name,label,aliases,description,external_ids\na,A,PER,,,wikidata\n", encoding="utf-8")
    assert main(["kb", str(db), "--import", str(csv_bad)]) == 1
    assert "kb.csv:2" in capsys.readouterr().err
    with Project(db) as p:
        assert p.kb_entries() == []


def test_kb_merge_moves_mentions_and_keeps_names(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    db = _seed_db(tmp_path)
    assert main(["link", str(db)]) == 0
    assert main(["kb", str(db), "--merge", "kremlin", "rusia"]) == 0
    kb = {e["id"]: e for e in _json(capsys, ["kb", str(db), "--json"])}
    assert "rusia" not in kb
    assert "Rusia" in kb["kremlin"]["aliases"] and len(kb["kremlin"]["mentions"]) == 18


def test_seed_story_and_idner_articles_stay_out(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    assert IDNER.is_dir(), f"{IDNER} is missing: this test needs ../shared/data/idner-news-2k"
    db = _seed_db(tmp_path)
    assert main(["import", str(db), str(IDNER / "train.txt"), str(IDNER / "dev.txt"),
                 "--sentences-per-doc", "20"]) == 0
    assert main(["link", str(db)]) == 0
    stories = _json(capsys, ["stories", str(db), "--json"])
    seed = [s for s in stories if 1 in s["documents"] or 2 in s["documents"]]
    assert len(seed) == 1 and seed[0]["documents"] == [1, 2], stories
    assert seed[0]["outlets"] == ["Arrahmah.com", "Kompas.com"]
    with Project(db) as p:
        assert p.count_documents() > 80
    capsys.readouterr()
    assert main(["stories", str(db)]) == 0
    assert "story-1: 2 articles from Arrahmah.com, Kompas.com" in capsys.readouterr().out
