"""Which uncertainty finds the documents where the suggestions are wrong? (``queue --order uncertain``)

    python -m benchmarks.uncertainty_rank --model DIR [--widths 4,8,16] [--data DIR]

``DIR``: a model trained on idner-news-2k train (``annotator train --gold`` on an import of
train.txt).  idner dev is imported into a temporary project as ``gold``; ``annotator suggest``
runs with the model (rules + model, as the annotator sees it).  Per dev document: the errors of
the model alone and of the merged suggestions ((false positives + misses) / gold entities), and
three uncertainties: the mean entropy of the stored suggestions' scores (the figure without a
model), the model's own (its NER's beam, each width), and the mean of the two (what the queue
uses).  Reported: Spearman's rank correlation of each uncertainty with each error (higher: the
order puts the documents needing most correction first), and the seconds of a suggest run with
and without the beam (best of 3, alternating).  Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import annotator.nlp.suggest as suggest_mod
from annotator.formats import import_paths
from annotator.nlp.active import entropy
from annotator.store import Project

IDNER = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "idner-news-2k"


def _ranks(xs: list[float]) -> list[float]:
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2  # ties share their mean rank
        i = j + 1
    return r


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation (Pearson's on the ranks, ties averaged)."""
    ra, rb = _ranks(a), _ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    den = (sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb)) ** 0.5
    return cov / den if den else 0.0


def _errors(pred: set[Any], gold: set[Any]) -> float:
    return (len(pred - gold) + len(gold - pred)) / max(1, len(gold))


def main(argv: list[str] | None = None) -> int:
    """Run and print the JSON report."""
    from annotator.nlp.pipeline import load_pipeline

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, required=True, help="a model trained on idner train")
    ap.add_argument("--widths", default="4,8,16", help="beam widths to compare")
    ap.add_argument("--data", type=Path, default=IDNER)
    args = ap.parse_args(argv)
    if not (args.data / "dev.txt").is_file():
        print(f"no idner-news-2k dev.txt in {args.data} (--data)", file=sys.stderr)
        return 2
    widths = [int(w) for w in args.widths.split(",")]
    model = str(args.model)
    nlp = load_pipeline(model)  # as suggest runs it: a rule-feature model gets the rules' tags
    ner = nlp.get_pipe("ner")
    upto_ner = nlp.pipe_names[:nlp.pipe_names.index("ner") + 1]
    with tempfile.TemporaryDirectory() as tmp, Project(Path(tmp) / "dev.db") as p:
        assert import_paths(p, [args.data / "dev.txt"], annotator="gold").ok
        ids = p.document_ids()
        gold = [{(s.start, s.end, s.label) for s in p.spans(d, annotator="gold", layer="entities")} for d in ids]
        with nlp.select_pipes(enable=upto_ner):  # the model's own entities, before the merge
            docs = list(nlp.pipe([p.get_text(d) for d in ids]))
        model_err = [_errors({(e.start_char, e.end_char, e.label_) for e in doc.ents}, g)
                     for doc, g in zip(docs, gold, strict=True)]
        suggest_mod.suggest_project(p, model=model, memory=False, force=True, model_uncertainty=False)
        scores = p.suggestion_scores("", "entities")
        merged_err = [_errors({(s.start, s.end, s.label) for s in p.suggestions(d, "entities")}, g)
                      for d, g in zip(ids, gold, strict=True)]
        sugg = [sum(map(entropy, scores.get(d, []))) / len(scores[d]) if scores.get(d) else 0.0 for d in ids]
        report: dict[str, Any] = {
            "documents": len(ids), "model": model,
            "errors_per_gold_entity": {"model": round(sum(model_err) / len(ids), 3),
                                       "merged": round(sum(merged_err) / len(ids), 3)},
            "suggestion_scores": {"vs_model_errors": round(spearman(sugg, model_err), 3),
                                  "vs_merged_errors": round(spearman(sugg, merged_err), 3)}}
        for w in widths:
            suggest_mod.BEAM_WIDTH = w
            own = [suggest_mod.mean_entropy(x)[0] for x in suggest_mod.entity_probabilities(ner, docs)]
            both = [(a + b) / 2 for a, b in zip(own, sugg, strict=True)]
            report[f"beam_{w}"] = {
                "model_own": {"vs_model_errors": round(spearman(own, model_err), 3),
                              "vs_merged_errors": round(spearman(own, merged_err), 3)},
                "mean_of_both": {"vs_model_errors": round(spearman(both, model_err), 3),
                                 "vs_merged_errors": round(spearman(both, merged_err), 3)}}
        suggest_mod.BEAM_WIDTH = max(widths)
        best: dict[bool, float] = {}
        for _ in range(3):
            for beam in (False, True):
                t = time.perf_counter()
                suggest_mod.suggest_project(p, model=model, memory=False, force=True, model_uncertainty=beam)
                best[beam] = min(best.get(beam, 1e9), time.perf_counter() - t)
        report["suggest_seconds"] = {"without_beam": round(best[False], 2),
                                     f"with_beam_{max(widths)}": round(best[True], 2),
                                     "ratio": round(best[True] / best[False], 2)}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
