"""``annotator suggest`` and ``annotator evaluate``, and the quality bar on idner-news-2k."""

from __future__ import annotations

import json

import pytest

from annotator.cli import main
from tests.conftest import SEED_FILES


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
    assert main(["import", str(db), *map(str, SEED_FILES)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(db), "--reference", "gold"]) == 1
    assert capsys.readouterr().err.startswith("annotator: error: [E103] no annotator 'gold'")
    with pytest.raises(SystemExit):
        main(["suggest", str(db), "--batch-size", "0"])
    assert "must be at least 1" in capsys.readouterr().err


def test_nlp_cmds_doc_filter_min_score_and_label_map(tmp_path, capsys):
    import spacy

    from annotator.core.model import Document, Span
    from annotator.store import Project

    db = tmp_path / "p.db"
    with Project(db) as p:
        a, _ = p.add_document(Document(text="Presiden Joko Widodo tiba di Bandung, kata Wiratmoko."))
        b, _ = p.add_document(Document(text="Orang Sunda datang."))
        p.add_spans(a, [Span(9, 20, "PER")], "gold")
    assert main(["suggest", str(db), "--doc", str(a), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 1
    assert main(["evaluate", str(db), "--reference", "gold", "--json"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert main(["evaluate", str(db), "--reference", "gold", "--json", "--min-score", "0.8"]) == 0
    strict = json.loads(capsys.readouterr().out)
    assert full["documents"] == strict["documents"] == 1 and full["unsuggested"] == 1
    assert strict["fp"] < full["fp"] and strict["tp"] == full["tp"] == 1  # "Wiratmoko" (0.65) and Bandung (0.9)
    nlp = spacy.blank("id")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "NORP", "pattern": "Sunda"}])
    nlp.to_disk(tmp_path / "m")
    assert main(["suggest", str(db), "--model", str(tmp_path / "m"), "--label-map", "NORP=LOC", "--json"]) == 0
    capsys.readouterr()
    with Project(db) as p:
        assert [(s.label, s.origin.split("@")[0]) for s in p.suggestions(b, "entities")] == [("LOC", "model:id_pipeline")]
    with pytest.raises(SystemExit):
        main(["suggest", str(db), "--label-map", "NORP"])
    assert "FROM=TO" in capsys.readouterr().err


def test_nlp_cmds_suggestions_lists_origin_and_score(tmp_path, capsys):
    db = tmp_path / "p.db"
    assert main(["import", str(db), *map(str, SEED_FILES)]) == 0
    assert main(["suggestions", str(db), "1"]) == 0
    assert "no suggestions" in capsys.readouterr().out
    assert main(["suggest", str(db)]) == 0
    capsys.readouterr()
    assert main(["suggestions", str(db), "2", "--layer", "entities", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"layer", "start", "end", "label", "text", "origin", "score"} <= set(rows[0])
    assert {r["layer"] for r in rows} == {"entities"}
    assert any(r["text"] == "Sergei Shoigu" and r["label"] == "PER" for r in rows)
    assert main(["suggestions", str(db), "2"]) == 0
    out = capsys.readouterr().out
    assert "rule:gazetteer" in out and "'Reuters'" in out
    assert main(["suggestions", str(db), "99"]) == 1


def test_nlp_cmds_evaluate_warns_when_the_reference_has_nothing_in_the_layer(tmp_path, capsys):
    from annotator.core.model import Document, Span
    from annotator.store import Project

    db = tmp_path / "e.db"
    with Project(db) as p:
        d, _ = p.add_document(Document(text="Jokowi mengatakan hal itu."))
        p.add_span(d, Span(0, 6, "PER"), "gold")
        p.set_suggestions(d, [Span(0, 6, "PER"), Span(7, 17, "REPORT", layer="cues")], "s", "1")
    assert main(["evaluate", str(db), "--reference", "gold"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert main(["evaluate", str(db), "--reference", "gold", "--layer", "cues"]) == 0
    err = capsys.readouterr().err
    assert "gold has no span in layer 'cues' on the 1 document(s) scored" in err


def test_nlp_cmds_label_map_target_must_be_a_schema_label(tmp_path, capsys):
    """'--label-map PERSON=PRE' (a typo) would silently drop every PERSON entity of the model."""
    from annotator.store import Project

    db = tmp_path / "m.db"
    Project(db).close()
    assert main(["suggest", str(db), "--label-map", "PERSON=PRE,GPE=LOC"]) == 1
    assert "--label-map: 'PRE' is not an entity label of schema 'news'" in capsys.readouterr().err


def test_nlp_cmds_suggestions_unknown_layer_is_named(tmp_path, capsys):
    from annotator.core.model import Document, Span
    from annotator.store import Project

    db = tmp_path / "s.db"
    with Project(db) as p:
        d, _ = p.add_document(Document(text="Jokowi di Jakarta."))
        p.set_suggestions(d, [Span(0, 6, "PER")], "s", "1")
    assert main(["suggestions", str(db), "1", "--layer", "entities"]) == 0
    assert "Jokowi" in capsys.readouterr().out
    assert main(["suggestions", str(db), "1", "--layer", "entity"]) == 1
    assert "layer 'entity' is not in schema" in capsys.readouterr().err
