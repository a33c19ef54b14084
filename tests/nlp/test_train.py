"""Training in the tool on a tiny generated project: output loads with spacy.load, runs are
registered, cancelling keeps the best model, the newest model suggests."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.jobs import Cancelled
from annotator.core.model import Document, Span
from annotator.nlp.train import TrainingError, active_model, registered_models, train_project, use_model
from annotator.store import Project

PEOPLE = ["Budi Santoso", "Siti Aminah", "Joko Susilo", "Ani Wijaya", "Rudi Hartono", "Dewi Lestari"]
PLACES = ["Jakarta", "Surabaya", "Bandung", "Medan", "Makassar", "Semarang"]
ORGS = ["Bank Mandiri", "Partai Hijau", "Kementerian Kesehatan"]
VERBS = ["menolak", "mendukung", "mengkritik"]


def tiny_project(path: Path, n: int = 12, seed: int = 3) -> Project:
    """``n`` short documents; alice labelled every name; half carry a stance answer."""
    rng = random.Random(seed)
    p = Project(path)
    p.add_annotator("alice")
    for k in range(n):
        lines, spans = [], []
        pos = 0
        for _ in range(3):
            per, loc, org, verb = rng.choice(PEOPLE), rng.choice(PLACES), rng.choice(ORGS), rng.choice(VERBS)
            line = f"{per} tiba di {loc} lalu {verb} rencana {org} kemarin."
            for needle, label, layer in ((per, "PER", "entities"), (loc, "LOC", "entities"),
                                         (org, "ORG", "entities"), (verb, "OPPOSE", "cues")):
                s = line.index(needle)
                if layer == "cues" and verb != "menolak":
                    continue
                spans.append(Span(pos + s, pos + s + len(needle), label, layer))
            lines.append(line)
            pos += len(line) + 1
        doc_id, _ = p.add_document(Document("\n".join(lines), title=f"doc {k}"))
        p.add_spans(doc_id, spans, "alice")
        if k % 2 == 0:
            p.set_answer(doc_id, "alice", "stance", "AGAINST" if "menolak" in lines[0] else "FAVOR")
    return p


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    """One training run of every component on a tiny project (spaCy's blank pipeline is built once)."""
    folder = tmp_path_factory.mktemp("train")
    epochs: list = []
    with tiny_project(folder / "p.db") as p:
        report = train_project(p, source="alice", out=folder / "model", layers=["entities", "cues"], stance=True,
                               epochs=2, patience=2, eval_split=0.25, progress=epochs.append)
        runs = registered_models(p)
    return folder, report, epochs, runs


def test_train_reports_epochs_and_registers_the_run(trained) -> None:
    _, report, epochs, runs = trained
    assert report.documents == 9 and report.eval_documents == 3
    assert [e.epoch for e in epochs] == [1, 2] and report.best_epoch in (1, 2)
    # per-label scores on the held-back part after every epoch, for each component
    assert set(epochs[-1].scores["entities"]["per_label"]) <= {"PER", "ORG", "LOC", "MISC"}
    assert "cues" in epochs[-1].scores and "stance" in epochs[-1].scores
    assert len(runs) == 1 and runs[0]["source"] == "alice" and runs[0]["documents"] == 9
    assert runs[0]["exists"] and runs[0]["status"] == "complete"
    # the newest run suggests by default only when its held-back score is good enough
    assert runs[0]["active"] == (report.best_score >= 0.7)
    assert runs[0]["layers"] == ["entities", "cues", "stance"]
    assert runs[0]["scores"]["score"] == report.best_score


def test_train_records_what_the_model_learned_from_for_the_memory(trained) -> None:
    """The run and the folder name the model's suggestions' origin and its documents, so the
    project memory leaves those decisions to it (annotator.nlp.memory)."""
    import spacy

    from annotator.nlp.memory import model_folder_documents, trained_documents
    from annotator.nlp.pipeline import model_origin

    folder, report, _, runs = trained
    origin = model_origin(spacy.load(folder / "model")).split("@")[0]
    from_run = trained_documents([runs[0]["settings"]])
    assert from_run == model_folder_documents(folder / "model")
    assert list(from_run) == [origin]
    assert len(from_run[origin] or ()) == report.documents + report.eval_documents == 12


def test_train_output_is_a_spacy_pipeline(trained) -> None:
    import spacy

    folder, report, _, _ = trained
    nlp = spacy.load(folder / "model")
    assert nlp.pipe_names == ["ner", "spancat", "textcat"]
    assert nlp.meta["version"] == f"0.0.{report.best_epoch}"
    doc = nlp("Budi Santoso tiba di Jakarta lalu menolak rencana Bank Mandiri kemarin.")
    assert set(doc.cats) == {"FAVOR", "AGAINST", "NEUTRAL"}
    assert json.loads((folder / "model" / "annotator_training.json").read_text())["best_epoch"] == report.best_epoch


def test_train_cancel_keeps_the_best_model(tmp_path: Path) -> None:
    calls = {"n": 0}

    def cancel_in_second_epoch() -> bool:
        calls["n"] += 1
        return calls["n"] > 5  # 27 lines / batch 8 = 4 batches an epoch: stops early in epoch 2

    with tiny_project(tmp_path / "p.db") as p:
        with pytest.raises(Cancelled) as exc:
            train_project(p, source="alice", out=tmp_path / "model", epochs=10, should_cancel=cancel_in_second_epoch)
        report = exc.value.partial
        assert report.cancelled and report.best_epoch == 1 and len(report.epochs) == 1
        assert registered_models(p)[0]["status"] == "cancelled"
    meta = json.loads((tmp_path / "model" / "meta.json").read_text())
    assert meta["version"] == "0.0.1" and (tmp_path / "model" / "ner" / "model").is_file()
    assert not (tmp_path / "model.writing").exists()

    # Ctrl+C (KeyboardInterrupt) in the third epoch: epoch 1-2's best is on disk and registered
    def interrupt(ep) -> None:
        if ep.epoch == 2:
            raise KeyboardInterrupt

    with Project(tmp_path / "p.db") as p:
        report = train_project(p, source="alice", out=tmp_path / "model2", epochs=10, progress=interrupt)
        assert report.cancelled and report.best_epoch in (1, 2)
        assert len(registered_models(p)) == 2
    meta = json.loads((tmp_path / "model2" / "meta.json").read_text())
    assert meta["version"] == f"0.0.{report.best_epoch}"


def test_train_errors_are_clear(tmp_path: Path) -> None:
    with tiny_project(tmp_path / "p.db", n=1) as p:
        with pytest.raises(TrainingError, match="at least 2"):
            train_project(p, source="alice", out=tmp_path / "m")
        with pytest.raises(TrainingError, match="no annotator 'bob'"):
            train_project(p, source="bob", out=tmp_path / "m")
        with pytest.raises(TrainingError, match="relations"):
            train_project(p, source="alice", out=tmp_path / "m", layers=["relations"])
    assert not (tmp_path / "m").exists()


def test_train_cli_models_and_newest_model_suggests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "p.db")
    tiny_project(Path(db), n=6).close()
    assert main(["train", db, "--annotator", "alice", "--out", str(tmp_path / "models" / "m1"), "--epochs", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["documents"] == 5 and result["run_id"] == 1 and len(result["epochs"]) == 2
    assert main(["models", db, "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["active"]) for r in runs] == [(1, result["score"] >= 0.7)]
    assert main(["models", db, "--use", "1", "--json"]) == 0  # picked: suggests whatever its score
    assert [r["active"] for r in json.loads(capsys.readouterr().out)] == [True]
    # the newest model suggests with the rules; --no-model and 'models --use none' turn it off
    assert main(["suggest", db, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "annotator_alice" in report["version"]
    assert any(o.startswith("model:") for o in report["by_origin"])
    with Project(db) as p:
        use_model(p, "none")
        assert active_model(p) is None
        assert registered_models(p)[0]["active"] is False
        with pytest.raises(TrainingError, match="no training run '7'"):
            use_model(p, "7")
        use_model(p, "newest")
        assert active_model(p) == (p.model_runs()[0] if result["score"] >= 0.7 else None)
    # the rules' tags are the NER's features unless --no-rule-features (a model for plain spacy.load)
    assert result["settings"]["rule_features"] is True
    assert main(["train", db, "--annotator", "alice", "--out", str(tmp_path / "plain"), "--epochs", "1",
                 "--no-rule-features", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["settings"]["rule_features"] is False
    cfg = (tmp_path / "plain" / "config.cfg").read_text()
    assert '"TAG"' not in cfg and '"SHAPE"' in cfg
    assert "annotator_rule_features" not in json.loads((tmp_path / "plain" / "meta.json").read_text())


def test_train_curve_uses_one_held_back_part(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.nlp.train import train_curve

    with tiny_project(tmp_path / "p.db", n=8) as p:
        result = train_curve(p, source="alice", fractions=(0.5, 1.0), epochs=1, patience=1, eval_split=0.25)
        assert result["eval_documents"] == 2
        assert [(pt["fraction"], pt["documents"]) for pt in result["points"]] == [(0.5, 3), (1.0, 6)]
        assert result["delta"] == round(result["points"][1]["score"] - result["points"][0]["score"], 4)
        assert registered_models(p) == []  # a curve registers nothing
        with pytest.raises(TrainingError, match="fractions"):
            train_curve(p, source="alice", fractions=(0.0, 1.0))
    db = str(tmp_path / "p.db")
    assert main(["train-curve", db, "--annotator", "alice", "--epochs", "1", "--json"]) == 0
    points = json.loads(capsys.readouterr().out)["points"]
    assert [pt["fraction"] for pt in points] == [0.25, 0.5, 0.75, 1.0]


def test_trained_model_merge_follows_its_held_back_score(trained, tmp_path: Path) -> None:
    """A competent trained model (held-back score >= 0.7) gets the rule floors; a weak one only fills gaps."""
    import shutil

    from annotator.nlp.pipeline import (
        FEATURE_MODEL_SCORE,
        RULE_FEATURES_META,
        TRAINED_LABEL_FLOORS,
        TRAINED_RULE_FLOOR,
        TRAINING_REPORT,
        WEAK_MODEL_SCORE,
        load_pipeline,
        trained_score,
    )

    folder, _, _, _ = trained
    for score, competent, features in ((0.95, True, True), (0.95, True, False), (0.2, False, True)):
        model = tmp_path / f"m{score}{features}"
        shutil.copytree(folder / "model", model)
        report = json.loads((model / TRAINING_REPORT).read_text())
        (model / TRAINING_REPORT).write_text(json.dumps({**report, "score": score}))
        meta = json.loads((model / "meta.json").read_text())
        assert meta[RULE_FEATURES_META] is True  # the default: the rules' tags are the NER's features
        if not features:
            del meta[RULE_FEATURES_META]
            (model / "meta.json").write_text(json.dumps(meta))
        assert trained_score(str(model)) == score
        nlp = load_pipeline(str(model))
        ents = nlp.get_pipe("annotator_entities")
        assert ("annotator_rule_tags" in nlp.pipe_names) == features
        if competent and features:  # it weighed the rules already: it wins overlaps, the rules fill gaps
            assert (ents.model_score, ents.rule_floor, ents.label_floors) == (FEATURE_MODEL_SCORE, TRAINED_RULE_FLOOR,
                                                                              TRAINED_LABEL_FLOORS)
        elif competent:
            assert (ents.model_score, ents.rule_floor, ents.label_floors) == (0.75, TRAINED_RULE_FLOOR,
                                                                              TRAINED_LABEL_FLOORS)
        else:
            assert (ents.model_score, ents.rule_floor, ents.label_floors) == (WEAK_MODEL_SCORE, 0.0, {})
    assert trained_score(str(tmp_path)) is None  # not a model trained here


def test_the_rules_tags_are_the_ners_features(trained, tmp_path: Path) -> None:
    """The NER embeds the token tags; the suggestion pipeline writes the rules' entities there
    before the NER runs (lemmas first: the rules read them), as in training."""
    import spacy

    from annotator.nlp.pipeline import RULE_TAGS, load_pipeline
    from annotator.nlp.train import TrainData, _examples, rule_candidates

    folder, _, _, _ = trained
    plain = spacy.load(folder / "model")
    assert "TAG" in plain.config["components"]["ner"]["model"]["tok2vec"]["embed"]["attrs"]
    text = "Presiden Joko Widodo tiba di Jakarta kemarin."
    assert all(not t.tag_ for t in plain(text))  # spacy.load alone runs, as a model that saw no rule
    nlp = load_pipeline(str(folder / "model"))
    names = nlp.pipe_names
    assert names.index("annotator_lemmatizer") < names.index(RULE_TAGS) < names.index("ner")
    doc = nlp(text)
    tags = {t.text: t.tag_ for t in doc}
    assert tags["Jakarta"].startswith("B-LOC-") and tags["Joko"].startswith("B-PER-")
    assert tags["Widodo"].startswith("I-PER-") and tags["tiba"] == ""
    # training sees the same tags, on each line of a document cut from the whole document's rules
    data = TrainData([1], [], {1: "Berita pagi.\n" + text}, {1: {"entities": []}}, {}, "id")
    cands = rule_candidates(data, [1])
    (eg,) = [e for e in _examples(plain, data, [1], ["entities"], {"entities": ["PER", "LOC", "ORG"]}, [],
                                   by_line=True, rule_cands=cands) if "Jakarta" in e.predicted.text]
    assert {t.text: t.tag_ for t in eg.predicted} == tags
