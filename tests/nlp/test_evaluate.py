"""Evaluation of suggestions, cross-checked against seqeval on token IOB tags."""

from __future__ import annotations

import random

import pytest
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

from annotator.core.model import Document, Span
from annotator.formats import import_paths
from annotator.nlp.evaluate import EvaluationError, evaluate_project
from annotator.nlp.suggest import PIPELINE_SUGGESTER, suggest_project


def _iob(tokens, spans):
    """IOB2 tags over CoNLL tokens for spans that sit on token boundaries."""
    tags = ["O"] * len(tokens)
    start_at = {a: i for i, (a, _) in enumerate(tokens)}
    end_at = {b: i for i, (_, b) in enumerate(tokens)}
    for a, b, label in spans:
        i, j = start_at[a], end_at[b]
        tags[i] = f"B-{label}"
        for k in range(i + 1, j + 1):
            tags[k] = f"I-{label}"
    return tags


def _aligned(tokens, spans):
    starts = {a for a, _ in tokens}
    ends = {b for _, b in tokens}
    return [s for s in spans if s.start in starts and s.end in ends]


def _seqeval(project, reference="gold"):
    y_true, y_pred = [], []
    for d in project.document_ids():
        tokens = project.get_document(d).meta["tokens"]
        gold = [(s.start, s.end, s.label) for s in project.spans(d, reference, "entities")]
        pred = [(s.start, s.end, s.label) for s in project.suggestions(d, "entities")]
        y_true.append(_iob(tokens, gold))
        y_pred.append(_iob(tokens, pred))
    return y_true, y_pred


def _assert_same(ours, y_true, y_pred):
    assert ours["precision"] == pytest.approx(precision_score(y_true, y_pred), abs=1e-4)
    assert ours["recall"] == pytest.approx(recall_score(y_true, y_pred), abs=1e-4)
    assert ours["f1"] == pytest.approx(f1_score(y_true, y_pred), abs=1e-4)
    report = classification_report(y_true, y_pred, output_dict=True, zero_division=0)
    for label, row in ours["per_label"].items():
        theirs = report[label]
        assert row["support"] == theirs["support"], label
        for key in ("precision", "recall", "f1"):
            assert row[key] == pytest.approx(theirs[key if key != "f1" else "f1-score"], abs=1e-4), (label, key)


def test_evaluate_real_suggestions_on_idner_dev_match_seqeval(project, idner_dir):
    assert import_paths(project, [idner_dir / "dev.txt"], annotator="gold").ok
    suggest_project(project)
    # keep only suggestions on CoNLL token boundaries so IOB tags can express them
    # (spaCy splits "Jokowi-JK", which the CoNLL file keeps whole)
    kept = total = 0
    for d in project.document_ids():
        tokens = project.get_document(d).meta["tokens"]
        ents = project.suggestions(d, "entities")
        aligned = _aligned(tokens, ents)
        total += len(ents)
        kept += len(aligned)
        project.set_suggestions(d, aligned + project.suggestions(d, "cues"), PIPELINE_SUGGESTER, "test")
    assert kept / total > 0.95
    ours = evaluate_project(project, "gold")
    assert ours["documents"] == project.count_documents() == 37
    assert set(ours["per_label"]) == {"PER", "ORG", "LOC"}
    _assert_same(ours, *_seqeval(project))


def test_evaluate_perturbed_gold_matches_seqeval(project, idner_dir):
    assert import_paths(project, [idner_dir / "dev.txt"], annotator="gold").ok
    rng = random.Random(3)
    for d in project.document_ids():
        tokens = project.get_document(d).meta["tokens"]
        pred = []
        for s in project.spans(d, "gold"):
            roll = rng.random()
            if roll < 0.15:
                continue  # missed
            if roll < 0.3:
                s = s.with_(label=rng.choice(["PER", "ORG", "LOC", "MISC"]))
            elif roll < 0.4:
                # move the end to the next token boundary when there is one (a boundary error)
                nxt = [b for a, b in tokens if a >= s.end]
                if nxt:
                    s = s.with_(end=nxt[0])
            pred.append(s.with_(annotator=None, origin="rule:test", score=0.5))
        if rng.random() < 0.5 and tokens:
            a, b = tokens[rng.randrange(len(tokens))]
            pred.append(Span(a, b, "ORG", origin="rule:test", score=0.5))
        pred.sort(key=lambda s: (s.start, s.end))
        non_overlapping = []
        for s in pred:
            if not non_overlapping or non_overlapping[-1].end <= s.start:
                non_overlapping.append(s)
        project.set_suggestions(d, non_overlapping, "test", "1")
    ours = evaluate_project(project, "gold")
    assert 0.3 < ours["f1"] < 0.95
    _assert_same(ours, *_seqeval(project))


def test_evaluate_counts_by_hand(project):
    d1, _ = project.add_document(Document(text="Budi tinggal di Bandung dekat PT Maju."))
    d2, _ = project.add_document(Document(text="Ani ke Jakarta."))
    d3, _ = project.add_document(Document(text="Tidak disarankan."))  # never suggested: left out
    project.add_spans(d1, [Span(0, 4, "PER"), Span(16, 23, "LOC"), Span(30, 37, "ORG")], "gold")
    project.add_spans(d2, [Span(0, 3, "PER"), Span(7, 14, "LOC")], "gold")
    project.add_spans(d3, [Span(0, 5, "ORG")], "gold")
    project.set_suggestions(d1, [Span(0, 4, "PER"), Span(16, 23, "ORG"), Span(33, 37, "ORG")], "s", "1")
    project.set_suggestions(d2, [Span(0, 3, "PER"), Span(7, 14, "LOC"), Span(0, 3, "QUOTE", layer="cues")], "s", "1")
    r = evaluate_project(project, "gold")
    assert (r["documents"], r["unsuggested"]) == (2, 1)
    assert (r["tp"], r["fp"], r["fn"]) == (3, 2, 2)
    assert r["precision"] == pytest.approx(3 / 5) and r["recall"] == pytest.approx(3 / 5)
    assert r["per_label"]["PER"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2, "tp": 2, "fp": 0,
                                     "fn": 0}
    assert r["per_label"]["ORG"]["support"] == 1 and r["per_label"]["ORG"]["precision"] == 0.0
    assert r["per_label"]["LOC"]["recall"] == 0.5
    cues = evaluate_project(project, "gold", layer="cues")
    assert cues["fp"] == 1 and cues["tp"] == 0


def test_evaluate_errors(project):
    with pytest.raises(EvaluationError, match="no annotator 'gold'"):
        evaluate_project(project, "gold")
    d, _ = project.add_document(Document(text="Teks."))
    project.add_span(d, Span(0, 4, "PER"), "gold")
    with pytest.raises(EvaluationError, match="annotator suggest"):
        evaluate_project(project, "gold")
    from annotator.core.errors import SchemaError

    with pytest.raises(SchemaError):
        evaluate_project(project, "gold", layer="nope")


def test_evaluate_leaves_out_documents_the_reference_has_not_annotated(project):
    """alice has done one of two suggested documents: the other must not count as false positives."""
    d1, _ = project.add_document(Document(text="Budi tinggal di Bandung."))
    d2, _ = project.add_document(Document(text="Ani ke Jakarta."))
    d3, _ = project.add_document(Document(text="Tidak ada nama di sini."))
    project.add_spans(d1, [Span(0, 4, "PER"), Span(16, 23, "LOC")], "alice")
    project.set_status(d3, "alice", "done")  # looked at, nothing to mark: it counts
    project.set_suggestions(d1, [Span(0, 4, "PER"), Span(16, 23, "LOC")], "s", "1")
    project.set_suggestions(d2, [Span(0, 3, "PER"), Span(7, 14, "LOC")], "s", "1")
    project.set_suggestions(d3, [Span(0, 5, "ORG")], "s", "1")
    r = evaluate_project(project, "alice")
    assert (r["documents"], r["unannotated"], r["unsuggested"]) == (2, 1, 0)
    assert (r["tp"], r["fp"], r["fn"]) == (2, 1, 0)
    assert r["precision"] == pytest.approx(2 / 3, abs=1e-4) and r["recall"] == 1.0
    project.add_span(d2, Span(0, 3, "PER"), "bob")
    with pytest.raises(EvaluationError, match="'bob' has not annotated any of the suggested documents"):
        evaluate_project(project, "bob", doc_ids=[d1, d3])
