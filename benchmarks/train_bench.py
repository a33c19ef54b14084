"""Training in the tool against the rules and stock ``spacy train``, on idner-news-2k.

    python -m benchmarks.train_bench [--epochs 30] [--patience 6] [--model-score 0.75 ...] [--no-stock]
        [--dropout 0.1] [--no-rule-features] [--baseline] [--work DIR] [--model DIR]

Builds a project with idner train as ``gold`` and idner dev as ``ref`` (so
gold's project memory knows only the training documents), then, in one run:

* ``rules``: the default suggester alone on dev;
* ``annotator train --gold`` (held-back 10% of train for early stopping),
  the trained model alone on dev (spaCy's scorer, the rules' tags as its
  features unless ``--no-rule-features``) and rules + model on dev, for each
  ``--model-score`` (the model's rank when merging with the rules; a model
  with rule features always enters at 0.95); ``--baseline``: the same again
  for a model trained without the rules' tags;
* the same with gold's project memory (rules + model + memory);
* stock ``spacy train`` with ``spacy init config --lang id --pipeline ner
  --optimize efficiency`` on the same training documents (DocBin, same
  held-back part as its dev set), scored alone and with the rules.

``--work DIR`` keeps the project and the models; ``--model DIR`` (a model
``annotator train`` wrote, e.g. DIR/model of an earlier ``--work`` run)
skips training and scores that model (``train`` then reads its
``annotator_training.json``), so merge settings can be compared without
training again.

Prints JSON: entity P/R/F1 overall and per label on dev, and training times.
Scores are exact-match entity level, as ``annotator evaluate``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from annotator.formats import import_paths
from annotator.nlp.evaluate import evaluate_project
from annotator.nlp.memory import model_folder_documents, refresh_memory
from annotator.nlp.pipeline import TRAINING_REPORT
from annotator.nlp.suggest import suggest_project
from annotator.nlp.train import collect, train_project
from annotator.store import Project

IDNER = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "idner-news-2k"


def _brief(result: dict[str, Any]) -> dict[str, Any]:
    return {"precision": result["precision"], "recall": result["recall"], "f1": result["f1"],
            "per_label": {k: v["f1"] for k, v in result["per_label"].items()}}


def build(path: Path, data: Path = IDNER) -> None:
    """idner train as gold, dev as ref."""
    for name in ("train.txt", "dev.txt"):
        if not (data / name).is_file():
            sys.exit(f"benchmark data missing: {data / name}")
    with Project(path) as p:
        assert import_paths(p, [data / "train.txt"], annotator="gold").ok
        assert import_paths(p, [data / "dev.txt"], annotator="ref").ok
        # the simulated annotator finished every training document (its memory learns
        # from what they left unlabelled too)
        for d in p.document_ids():
            if p.spans(d, annotator="gold") or not p.spans(d, annotator="ref"):
                p.set_status(d, "gold", "done")


def dev_ids(p: Project) -> list[int]:
    return sorted({d for (d, _), _ in p.statuses("ref").items()} | {
        d for d in p.document_ids() if p.spans(d, annotator="ref")})


def score_suggestions(p: Project, model: str | None, model_score: float, memory: bool) -> dict[str, Any]:
    """Suggest on dev (rules, + model, + gold's memory) and score against ref."""
    from annotator.nlp.suggest import PipelineSuggester

    ids = dev_ids(p)
    merged = dict(p.schema.label_map)
    sug = PipelineSuggester(model, schema=p.schema, label_map=merged)
    if model is not None:
        from annotator.nlp.pipeline import load_pipeline

        sug.main = load_pipeline(model, label_map=merged, model_score=model_score)
        sug._version += f"|ms{model_score}"  # noqa: SLF001 - a distinct version per merge setting
    suggest_project(p, suggester=sug, doc_ids=ids, force=True, memory=False)
    viewer = None
    if memory:
        # the model is not registered here: its folder tells the memory what it learned from
        refresh_memory(p, annotators=["gold"], doc_ids=ids, force=True,
                       trained=model_folder_documents(model) if model is not None else None)
        viewer = "gold"
    return _brief(evaluate_project(p, "ref", doc_ids=ids, viewer=viewer))


def model_alone(model: str, p: Project) -> dict[str, Any]:
    """The trained pipeline alone on dev (spaCy's scorer, entity level)."""
    import spacy
    from spacy.training import Example

    from annotator.nlp.pipeline import add_rule_features

    nlp = spacy.load(model)
    add_rule_features(nlp)  # a model trained with the rules' tags as features reads them
    examples = []
    for d in dev_ids(p):
        text = p.get_text(d)
        ref = nlp.make_doc(text)
        ref.ents = [x for x in (ref.char_span(s.start, s.end, s.label) for s in p.spans(d, annotator="ref"))
                    if x is not None]
        examples.append(Example(nlp.make_doc(text), ref))
    s = nlp.evaluate(examples)
    return {"precision": round(s["ents_p"], 4), "recall": round(s["ents_r"], 4), "f1": round(s["ents_f"], 4),
            "per_label": {k: round(v["f"], 4) for k, v in s["ents_per_type"].items()}}


def stock_spacy(p: Project, work: Path, seed: int, epochs: int) -> tuple[str, float]:
    """``spacy train`` with the default efficiency NER config on gold's training part."""
    import spacy
    from spacy.tokens import DocBin

    data = collect(p, "gold", ["entities"], stance=False, eval_split=0.1, seed=seed)
    nlp = spacy.blank("id")
    for name, ids in (("train", data.train), ("dev", data.dev)):
        db = DocBin()
        for d in ids:
            doc = nlp.make_doc(data.texts[d])
            doc.ents = [x for x in (doc.char_span(s, e, lab) for s, e, lab in data.spans[d]["entities"])
                        if x is not None]
            db.add(doc)
        db.to_disk(work / f"{name}.spacy")
    cfg = work / "config.cfg"
    subprocess.run([sys.executable, "-m", "spacy", "init", "config", str(cfg), "--lang", "id", "--pipeline", "ner",
                    "--optimize", "efficiency", "--force"], check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "spacy", "train", str(cfg), "--output", str(work / "stock"),
                    "--paths.train", str(work / "train.spacy"), "--paths.dev", str(work / "dev.spacy"),
                    "--training.max_epochs", str(epochs), "--system.seed", str(seed)],
                   check=True, capture_output=True)
    return str(work / "stock" / "model-best"), time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--patience", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model-score", type=float, action="append", dest="model_scores")
    ap.add_argument("--no-stock", action="store_true", help="skip stock spacy train")
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--no-rule-features", action="store_true", help="train without the rules' tags as features")
    ap.add_argument("--baseline", action="store_true",
                    help="also train without the rules' tags as features (the same settings otherwise)")
    ap.add_argument("--work", help="keep the project and models in this folder")
    ap.add_argument("--model", type=Path, help="score this trained model folder instead of training one")
    ap.add_argument("--data", type=Path, default=IDNER, help="the idner-news-2k folder (default: ../shared/data/...)")
    args = ap.parse_args(argv)
    scores = args.model_scores or [0.75]
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="train_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "idner.db"
    if not db.exists():
        build(db, args.data)
    out: dict[str, Any] = {"data": "idner-news-2k: train -> gold (90% learn, 10% early stopping), dev -> scored"}
    with Project(db) as p:
        out["rules"] = score_suggestions(p, None, 0.75, memory=False)
        out["rules+memory"] = score_suggestions(p, None, 0.75, memory=True)
        runs = [("", not args.no_rule_features)] + ([("baseline_", False)] if args.baseline else [])
        if args.model is not None:
            model = str(args.model)
            if not (args.model / TRAINING_REPORT).is_file():
                sys.exit(f"not a model trained by annotator train (no {TRAINING_REPORT}): {args.model}")
            trained = json.loads((args.model / TRAINING_REPORT).read_text(encoding="utf-8"))
            out["train"] = {"reused": model, "seconds": round(trained.get("seconds", 0.0), 1),
                            "best_epoch": trained.get("best_epoch"), "held_back_f1": round(trained.get("score", 0.0), 4)}
            out["model"] = model_alone(model, p)
            for ms in scores:
                out[f"rules+model@{ms}"] = score_suggestions(p, model, ms, memory=False)
                out[f"rules+model@{ms}+memory"] = score_suggestions(p, model, ms, memory=True)
            runs = []
        for prefix, features in runs:
            started = time.perf_counter()
            report = train_project(p, source="gold", out=work / f"{prefix}model", eval_split=0.1,
                                   epochs=args.epochs, patience=args.patience, seed=args.seed, register=False,
                                   dropout=args.dropout, rule_features=features,
                                   progress=lambda ep: print(f"epoch {ep.epoch} {ep.score:.3f} {ep.seconds:.0f}s",
                                                             file=sys.stderr))
            out[f"{prefix}train"] = {"seconds": round(time.perf_counter() - started, 1), "rule_features": features,
                                     "dropout": args.dropout, "best_epoch": report.best_epoch,
                                     "epochs": len(report.epochs), "held_back_f1": round(report.best_score, 4)}
            model = str(work / f"{prefix}model")
            out[f"{prefix}model"] = model_alone(model, p)
            for ms in scores:
                out[f"rules+{prefix}model@{ms}"] = score_suggestions(p, model, ms, memory=False)
                out[f"rules+{prefix}model@{ms}+memory"] = score_suggestions(p, model, ms, memory=True)
        if not args.no_stock:
            stock, seconds = stock_spacy(p, work, args.seed, args.epochs)
            out["stock_spacy_train"] = {"seconds": round(seconds, 1), **model_alone(stock, p)}
            for ms in scores:
                out[f"rules+stock@{ms}"] = score_suggestions(p, stock, ms, memory=False)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
