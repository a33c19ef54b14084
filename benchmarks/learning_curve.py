"""How suggestions improve as an annotator works: the learning curve on idner-news-2k.

    python -m benchmarks.learning_curve [--points 0,10,25,50,100,all] [--epochs 10] [--no-model]
                                        [--data DIR] [--work DIR]

A simulated annotator ``sim`` works through idner train document by document,
in order: at each point N, the gold spans of the first N documents are theirs
and those documents are marked done.  At each point the entity suggestions
``sim`` sees on idner dev (scored against dev's gold, stored as ``ref``) are
measured:

* ``memory``: the rules corrected by sim's project memory;
* ``memory+model``: a model trained on sim's N documents (``annotator
  train``, ``--epochs``, 10% of them held back for early stopping) with the
  rules, then sim's memory (from N >= 10); as ``annotator suggest`` does by
  default, a model whose held-back F1 is under 0.7 is not used (the row then
  repeats ``memory``, with ``model_used: false``).

For each: precision, recall, F1, and the **correction cost** per gold entity
((false positives + misses) / gold entities: what the annotator has to fix).
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from annotator.formats import import_paths
from annotator.nlp.evaluate import evaluate_project
from annotator.nlp.memory import refresh_memory
from annotator.nlp.suggest import PipelineSuggester, suggest_project
from annotator.nlp.train import MIN_DEFAULT_SCORE, collect, train_project
from annotator.store import Project

IDNER = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "idner-news-2k"


def _figures(result: dict[str, Any]) -> dict[str, Any]:
    gold = result["tp"] + result["fn"]
    return {"precision": result["precision"], "recall": result["recall"], "f1": result["f1"],
            "per_label": {k: v["f1"] for k, v in result["per_label"].items()},
            "correction_cost": round((result["fp"] + result["fn"]) / gold, 4) if gold else None}


def build(path: Path, data: Path) -> tuple[list[int], list[int]]:
    """The project: train documents (gold spans kept under ``source``), dev under ``ref``."""
    for name in ("train.txt", "dev.txt"):
        if not (data / name).is_file():
            sys.exit(f"benchmark data missing: {data / name}")
    with Project(path) as p:
        assert import_paths(p, [data / "train.txt"], annotator="source").ok
        train = p.document_ids()
        assert import_paths(p, [data / "dev.txt"], annotator="ref").ok
        dev = [d for d in p.document_ids() if d not in set(train)]
        p.add_annotator("sim")
    return train, dev


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", default="0,10,25,50,100,all")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--no-model", action="store_true", help="memory only")
    ap.add_argument("--data", type=Path, default=IDNER)
    ap.add_argument("--work", type=Path)
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="learning_curve_"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "curve.db"
    if db.exists():
        db.unlink()
    train, dev = build(db, args.data)
    points = [len(train) if x.strip() == "all" else min(int(x), len(train)) for x in args.points.split(",")]
    out: dict[str, Any] = {"train_documents": len(train), "dev_documents": len(dev), "points": []}
    started = time.perf_counter()
    with Project(db) as p:
        rules = PipelineSuggester(None, schema=p.schema)
        suggest_project(p, suggester=rules, doc_ids=dev, force=True, memory=False)
        done = 0
        for n in sorted(points):
            for d in train[done:n]:  # sim annotates the next documents, in order
                p.add_spans(d, [s.with_(id=None, annotator=None) for s in p.spans(d, annotator="source")], "sim")
                p.set_status(d, "sim", "done")
            done = max(done, n)
            row: dict[str, Any] = {"documents": n}
            suggest_project(p, suggester=rules, doc_ids=dev, force=True, memory=False)
            refresh_memory(p, annotators=["sim"], doc_ids=dev, force=True)
            row["memory"] = _figures(evaluate_project(p, "ref", doc_ids=dev, viewer="sim"))
            if not args.no_model and n >= 10:
                t0 = time.perf_counter()
                data = collect(p, "sim", ["entities"], stance=False, eval_split=0.1, seed=0)
                report = train_project(p, source="sim", out=work / f"model_{n}", epochs=args.epochs,
                                       patience=4, register=False, data=data)
                if report.best_score >= MIN_DEFAULT_SCORE:
                    model = PipelineSuggester(str(work / f"model_{n}"), schema=p.schema)
                    suggest_project(p, suggester=model, doc_ids=dev, force=True, memory=False)
                    refresh_memory(p, annotators=["sim"], doc_ids=dev, force=True)
                    row["memory+model"] = _figures(evaluate_project(p, "ref", doc_ids=dev, viewer="sim"))
                else:  # as annotator suggest does by default: a weak model does not suggest
                    row["memory+model"] = {**row["memory"], "model_used": False}
                row["memory+model"]["held_back_f1"] = round(report.best_score, 4)
                row["memory+model"]["train_seconds"] = round(time.perf_counter() - t0, 1)
                row["memory+model"]["best_epoch"] = report.best_epoch
            out["points"].append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    out["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
