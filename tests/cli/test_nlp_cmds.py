"""``annotator suggest`` and ``annotator evaluate``, and the quality bar on idner-news-2k."""

from __future__ import annotations

import json

import pytest

from annotator.cli import main


def _run_bar(tmp_path, capsys, split):
    db = tmp_path / "d.db"
    assert main(["import", str(db), str(split), "--annotator", "gold"]) == 0
    capsys.readouterr()
    assert main(["suggest", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("suggested ") and "entities" in out and "cues" in out
    assert main(["evaluate", str(db), "--reference", "gold", "--json"]) == 0
    return db, json.loads(capsys.readouterr().out)


def test_nlp_cmds_quality_bar_on_idner_dev(tmp_path, capsys, idner_dir):
    db, result = _run_bar(tmp_path, capsys, idner_dir / "dev.txt")
    assert set(result) >= {"documents", "precision", "recall", "f1", "per_label"}
    assert result["documents"] == 37
    assert result["f1"] >= 0.55, result
    for label in ("PER", "ORG", "LOC"):
        row = result["per_label"][label]
        assert set(row) >= {"precision", "recall", "f1", "support"}
        assert row["f1"] >= 0.45, (label, row)
    # the text report prints the same figures
    assert main(["evaluate", str(db), "--reference", "gold"]) == 0
    text = capsys.readouterr().out
    assert f"{result['f1']:.3f}" in text.splitlines()[-1] and text.splitlines()[-1].startswith("overall")
    # a second run finds nothing to do
    assert main(["suggest", str(db), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["documents"] == 0 and again["skipped"] == 37


@pytest.mark.slow
def test_nlp_cmds_quality_on_idner_train(tmp_path, capsys, idner_dir):
    _, result = _run_bar(tmp_path, capsys, idner_dir / "train.txt")
    assert result["f1"] >= 0.55, result
    assert all(result["per_label"][lab]["f1"] >= 0.45 for lab in ("PER", "ORG", "LOC")), result


def test_nlp_cmds_errors_are_one_line(tmp_path, capsys):
    assert main(["suggest", str(tmp_path / "none.db")]) == 1
    assert "no such project file" in capsys.readouterr().err
    db = tmp_path / "p.db"
    assert main(["import", str(db), *map(str, __import__("tests.conftest").conftest.SEED_FILES)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(db), "--reference", "gold"]) == 1
    assert capsys.readouterr().err.startswith("annotator: error: [E103] no annotator 'gold'")
    with pytest.raises(SystemExit):
        main(["suggest", str(db), "--batch-size", "0"])
    assert "must be at least 1" in capsys.readouterr().err
