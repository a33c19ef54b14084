"""Stance suggestions from a trained text classifier: computed by ``annotator suggest`` with the
active model, stored apart from annotators' answers (origin model:..., every value's probability),
listed by ``annotator suggestions``, dropped when the suggesting model has no classifier."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.nlp.suggest import BEAM_WIDTH
from annotator.nlp.train import train_project, use_model
from annotator.store import Project
from tests.nlp.test_train import tiny_project


@pytest.fixture(scope="module")
def stance_model(tmp_path_factory: pytest.TempPathFactory):
    """A tiny project and a model with NER and a stance classifier trained on alice's answers."""
    folder = tmp_path_factory.mktemp("stance")
    with tiny_project(folder / "p.db", n=8) as p:
        report = train_project(p, source="alice", out=folder / "model", layers=["entities"], stance=True, epochs=2,
                               patience=2, eval_split=0.25)
    return folder, report


@pytest.fixture
def project_copy(stance_model, tmp_path: Path) -> Path:
    folder, _ = stance_model
    shutil.copy(folder / "p.db", tmp_path / "p.db")
    return tmp_path / "p.db"


def test_suggest_stores_the_classifier_stance_apart_from_answers(stance_model, project_copy: Path, capsys) -> None:
    _, report = stance_model
    with Project(project_copy) as p:
        use_model(p, str(report.run_id))  # picked (a model of 8 documents may score below the default's bar)
        answers_before = sorted((d, a.value) for d in p.document_ids() for a in p.answers(d))
    assert main(["suggest", str(project_copy), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["answers"] == 8  # one stance per document
    with Project(project_copy) as p:
        for doc_id in p.document_ids():
            [sug] = p.answer_suggestions(doc_id)
            assert sug.question == "stance" and sug.value in ("FAVOR", "AGAINST", "NEUTRAL")
            assert sug.origin.startswith("model:") and sug.origin.endswith(f"@0.0.{report.best_epoch}")
            assert set(sug.scores) == {"FAVOR", "AGAINST", "NEUTRAL"}
            assert sum(sug.scores.values()) == pytest.approx(1.0, abs=1e-3)
            assert sug.score == max(sug.scores.values())
        # never an annotator's answer: what alice answered is as it was, the others answered nothing
        assert sorted((d, a.value) for d in p.document_ids() for a in p.answers(d)) == answers_before
    # listed with the suggestions, text and JSON
    assert main(["suggestions", str(project_copy), "2"]) == 0
    text = capsys.readouterr().out
    assert "answer    stance" in text and "model:" in text
    assert main(["suggestions", str(project_copy), "2", "--layer", "answers", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["layer"] == "answers" and row["question"] == "stance" and row["score"] == max(row["scores"].values())
    assert main(["suggestions", str(project_copy), "2", "--layer", "entities", "--json"]) == 0
    assert all(r["layer"] == "entities" for r in json.loads(capsys.readouterr().out))
    # the model's own uncertainty: its NER's entity probabilities from a beam, recomputed here by hand
    import math

    from annotator.nlp.pipeline import load_pipeline

    nlp = load_pipeline(str(stance_model[0] / "model"))
    ner = nlp.get_pipe("ner")
    before_ner = nlp.pipe_names[:nlp.pipe_names.index("ner")]  # what the NER reads (a rule tagger's tags)
    with Project(project_copy) as p:
        stored = p.model_uncertainty("entities")
        assert sorted(stored) == p.document_ids()
        for doc_id in (1, 4):
            with nlp.select_pipes(enable=before_ner):
                doc = nlp(p.get_text(doc_id))
            probs = [min(v, 1.0) for v in ner.scored_ents(ner.beam_parse(
                [doc], beam_width=BEAM_WIDTH, beam_density=0.0001))[0].values() if v >= 0.1]
            by_hand = sum(-(q * math.log2(q) + (1 - q) * math.log2(1 - q)) if 0 < q < 1 else 0.0
                          for q in probs) / len(probs)
            assert stored[doc_id] == (pytest.approx(by_hand, abs=1e-3), len(probs))
        from annotator.nlp.active import uncertainty_queue

        assert {r["source"] for r in uncertainty_queue(p, None)} == {"model"}
    # the beam can be skipped (it about doubles a run with a model): the uncertainty goes, the stance stays
    assert main(["suggest", str(project_copy), "--force", "--no-uncertainty", "--no-memory", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answers"] == 8
    with Project(project_copy) as p:
        assert p.model_uncertainty("entities") == {}
    # the rules alone (no model): the stale stance suggestions and the model's uncertainty go
    assert main(["suggest", str(project_copy), "--no-model", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answers"] == 0
    with Project(project_copy) as p:
        assert all(p.answer_suggestions(d) == [] for d in p.document_ids())
        assert p.model_uncertainty("entities") == {}


def test_the_classifier_learned_something(stance_model, project_copy: Path) -> None:
    """The stance is in the text (menolak -> AGAINST): the classifier's answers on the documents
    alice answered agree with hers more often than the majority value would."""
    from annotator.nlp.suggest import suggest_project

    _, report = stance_model
    with Project(project_copy) as p:
        use_model(p, str(report.run_id))
        suggest_project(p, memory=False)
        gold = {d: a.value for d in p.document_ids() for a in p.answers(d, "alice") if a.question == "stance"}
        got = {d: p.answer_suggestions(d)[0].value for d in gold}
    assert len(gold) == 4
    agree = sum(got[d] == v for d, v in gold.items())
    majority = max(list(gold.values()).count(v) for v in set(gold.values()))
    assert agree >= majority


def test_answer_suggestions_are_checked_against_the_schema(tmp_path: Path) -> None:
    from annotator.core.errors import SchemaError
    from annotator.core.model import AnswerSuggestion

    with tiny_project(tmp_path / "p.db", n=2) as p:
        with pytest.raises(SchemaError):
            p.set_answer_suggestions(1, [AnswerSuggestion("stance", "MAYBE", 0.9, "model:x@1")], "pipeline", "v")
        p.set_answer_suggestions(1, [AnswerSuggestion("stance", "FAVOR", 0.6, "model:x@1",
                                                      {"FAVOR": 0.6, "AGAINST": 0.3, "NEUTRAL": 0.1})],
                                 "pipeline", "v")
        assert p.answer_suggestions(1)[0].scores["AGAINST"] == 0.3
        assert p.answer_suggestion_scores("stance") == {1: {"FAVOR": 0.6, "AGAINST": 0.3, "NEUTRAL": 0.1}}
        p.set_answer_suggestions(1, [], "pipeline", "v")
        assert p.answer_suggestions(1) == [] and not p.has_answer_suggestions("pipeline")
