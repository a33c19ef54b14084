"""The review commands end to end through annotator.cli.main."""

from __future__ import annotations

import json

import pytest

from annotator.cli import main
from annotator.core.model import GOLD
from annotator.store import Project
from tests.review.factory import build, tok_to_chars, words_text


def _files(tmp_path):
    texts = [words_text(6, salt=1), words_text(6, salt=2)]
    per = (*tok_to_chars(0, 2), "PER")
    loc = (*tok_to_chars(3, 4), "LOC")
    a, _ = build(tmp_path / "a.db", texts, {"alice": {
        0: {"spans": [per, loc], "answers": {"stance": "FAVOR"}, "state": "done"},
        1: {"spans": [per], "answers": {"stance": "AGAINST"}, "state": "done"}}})
    b, _ = build(tmp_path / "b.db", texts[::-1], {"bob": {
        1: {"spans": [per], "answers": {"stance": "FAVOR"}, "state": "done"},
        0: {"spans": [per], "answers": {"stance": "FAVOR"}, "state": "done"}}})
    a.close()
    b.close()
    return tmp_path / "a.db", tmp_path / "b.db"


def test_review_cmds_merge_then_agreement_json(tmp_path, capsys):
    a, b = _files(tmp_path)
    review = tmp_path / "review.db"
    assert main(["merge", str(review), str(a), str(b)]) == 0
    assert "merged 2 file(s)" in capsys.readouterr().out
    assert main(["merge", str(review), str(a), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["totals"]["spans_added"] == 0 and again["sources"][0]["conflicts"] == []
    assert main(["agreement", str(review), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 2 and report["annotators"] == ["alice", "bob"]
    assert report["layers"]["entities"]["pairwise_f1"]["alice|bob"] == round(2 * 2 / 5, 6)
    assert report["layers"]["entities"]["incomplete"] == 1
    assert report["questions"]["stance"]["percent_agreement"] == 0.5
    assert main(["agreement", str(review), "--layer", "entities"]) == 0
    out = capsys.readouterr().out
    assert "alice|bob" in out and "question" not in out


def test_review_cmds_merge_conflict_exit_code(tmp_path, capsys):
    a, _ = _files(tmp_path)
    other, _ = build(tmp_path / "c.db", [words_text(6, salt=1)], {"alice": {0: {"spans": [], "state": "todo",
                                                                               "answers": {"stance": "NEUTRAL"}}}})
    other.close()
    review = tmp_path / "review.db"
    main(["merge", str(review), str(a)])
    assert main(["merge", str(review), str(tmp_path / "c.db")]) == 1
    assert "conflict" in capsys.readouterr().err


def test_review_cmds_assign_package_blind_adjudicate(tmp_path, capsys):
    a, b = _files(tmp_path)
    review = tmp_path / "review.db"
    main(["merge", str(review), str(a), str(b)])
    assert main(["assign", str(review), "--annotators", "alice,bob,cici", "--overlap", "2"]) == 0
    assert "assigned 4 document slot(s)" in capsys.readouterr().out
    assert main(["package", str(review), "--out", str(tmp_path / "pk")]) == 0
    assert sorted(p.name for p in (tmp_path / "pk").iterdir() if p.suffix == ".db") == ["alice.db", "bob.db", "cici.db"]
    assert main(["blind", str(review)]) == 0 and "blind mode: on" in capsys.readouterr().out
    assert main(["package", str(review), "--annotator", "alice", "--out", str(tmp_path / "x.db"),
                 "--include-others"]) == 1
    assert "blind mode" in capsys.readouterr().err
    assert main(["role", str(review), "rina", "reviewer"]) == 0 and "rina: reviewer" in capsys.readouterr().out
    assert main(["role", str(review), "alice"]) == 0 and "alice: annotator" in capsys.readouterr().out
    assert main(["role", str(review), "gold", "annotator"]) == 1
    capsys.readouterr()
    assert main(["adjudicate", str(review), "--auto"]) == 0
    assert "2 agreed span(s) and 1 agreed answer(s)" in capsys.readouterr().out
    with Project(review) as p:
        assert sum(len(p.spans(d, GOLD)) for d in p.document_ids()) == 2


@pytest.mark.gui
def test_review_cmds_review_opens_window_and_quits(qtbot, tmp_path):
    a, b = _files(tmp_path)
    review = tmp_path / "review.db"
    main(["merge", str(review), str(a), str(b)])
    assert main(["review", str(review), "--quit-after", "300"]) == 0


def test_review_cmds_adjudicate_refuses_a_bad_layer_or_minimum(tmp_path, capsys):
    db = tmp_path / "r.db"
    Project(db).close()
    assert main(["adjudicate", str(db), "--auto", "--layer", "entity"]) == 1
    assert "layer 'entity' is not in schema" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["adjudicate", str(db), "--auto", "--min-annotators", "0"])
    assert "must be at least 1" in capsys.readouterr().err


def test_review_cmds_package_file_names_stay_inside_out(tmp_path, capsys):
    a, b = _files(tmp_path)
    review = tmp_path / "review.db"
    main(["merge", str(review), str(a), str(b)])
    assert main(["assign", str(review), "--annotators", "../evil,tim/budi", "--overlap", "2"]) == 0
    out = tmp_path / "pk"
    assert main(["package", str(review), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["evil.db", "tim_budi.db"]
    assert not (tmp_path / "evil.db").exists()
    with Project(out / "tim_budi.db", create=False) as p:  # the package is still for the name as given
        assert p.get_setting("package_for") == "tim/budi"
