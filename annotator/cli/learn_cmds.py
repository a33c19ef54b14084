"""``train``, ``models``, ``train-curve`` and ``queue``: suggestions that learn.

spaCy is imported only inside the commands that train (``annotator.nlp.train``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from annotator.cli.args import annotator_arg, at_least_one

#: Prefix of the per-epoch JSON lines ``annotator train --epoch-json`` writes on stderr.
EPOCH_PREFIX = "EPOCH "


def _layers(value: str) -> list[str]:
    layers = [x.strip() for x in value.split(",") if x.strip()]
    if not layers:
        raise argparse.ArgumentTypeError("expected layer names separated by commas (entities,cues)")
    return layers


def _fraction(value: str) -> float:
    try:
        f = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to below 1, got {value!r}") from None
    if not 0.0 <= f < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to below 1, got {value!r}")
    return f


def _epoch_line(ep: Any) -> str:
    parts = [f"epoch {ep.epoch:>3}", "loss " + " ".join(f"{k} {v:.1f}" for k, v in sorted(ep.losses.items()))]
    ents = ep.scores.get("entities")
    if ents:
        parts.append(f"ents P {ents['precision']:.3f} R {ents['recall']:.3f} F {ents['f1']:.3f}")
        parts.append(" ".join(f"{lab} {v['f1']:.3f}" for lab, v in ents["per_label"].items()))
    if "cues" in ep.scores:
        parts.append(f"cues F {ep.scores['cues']['f1']:.3f}")
    if "stance" in ep.scores:
        parts.append(f"stance F {ep.scores['stance']['macro_f1']:.3f}")
    parts.append(f"{ep.seconds:.1f}s" + (" *best" if ep.best else ""))
    return "  ".join(parts)


def cmd_train(args: argparse.Namespace) -> int:
    """Train spaCy components from the project; keep the best model in --out."""
    from annotator.core.model import GOLD
    from annotator.nlp.train import train_project
    from annotator.store import Project

    source = GOLD if args.gold else args.annotator
    with Project(args.project, create=False) as project:
        def progress(ep: Any) -> None:
            if args.epoch_json:  # one JSON line per epoch for a parent process (the GUI's Models dialog)
                print(EPOCH_PREFIX + json.dumps(ep.to_dict()), file=sys.stderr, flush=True)
            elif not args.json:
                print(_epoch_line(ep), file=sys.stderr, flush=True)

        report = train_project(project, source=source, out=args.out, layers=args.layers, stance=args.stance,
                               eval_split=args.eval_split, epochs=args.epochs, patience=args.patience,
                               seed=args.seed, rule_features=not args.no_rule_features, progress=progress)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    state = "cancelled, best model kept" if report.cancelled else "done"
    print(f"trained on {report.documents} document(s) of {source}, scored on {report.eval_documents}: "
          f"best epoch {report.best_epoch}, score {report.best_score:.3f} ({state}, {report.seconds:.0f} s); "
          f"model in {report.out} (run {report.run_id})")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    """List the training runs recorded in the project; pick the one that suggests."""
    from annotator.nlp.train import registered_models, use_model
    from annotator.store import Project

    with Project(args.project, create=False) as project:
        if args.use is not None:
            use_model(project, args.use)
        runs = registered_models(project)
    if args.json:
        print(json.dumps(runs, ensure_ascii=False, indent=2))
        return 0
    if not runs:
        print("(no trained model: run 'annotator train' first)")
        return 0
    print(f"{'id':>3} {'':1} {'created':<20} {'source':<10} {'docs':>5} {'eval':>5} {'score':>6}  {'status':<9} path")
    for r in runs:
        mark = "*" if r["active"] else ("!" if not r["exists"] else "")
        print(f"{r['id']:>3} {mark:1} {r['created'][:19]:<20} {r['source']:<10} {r['documents']:>5} "
              f"{r['eval_documents']:>5} {r['scores'].get('score', 0):>6.3f}  {r['status']:<9} {r['path']}")
    print("(* suggests; ! folder missing)")
    return 0


def cmd_train_curve(args: argparse.Namespace) -> int:
    """Held-back F1 when training on 25/50/75/100% of the documents."""
    from annotator.core.model import GOLD
    from annotator.nlp.train import train_curve
    from annotator.store import Project

    source = GOLD if args.gold else args.annotator
    with Project(args.project, create=False) as project:
        def progress(fraction: float, ep: Any) -> None:
            if not args.json:
                print(f"{int(fraction * 100):>3}%  " + _epoch_line(ep), file=sys.stderr, flush=True)

        result = train_curve(project, source=source, layers=args.layers, eval_split=args.eval_split,
                             epochs=args.epochs, patience=args.patience, seed=args.seed, progress=progress)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"held-back part: {result['eval_documents']} document(s) of {source}")
    print(f"{'part':>5} {'docs':>5} {'score':>6} {'change':>7}")
    last = None
    for pt in result["points"]:
        change = f"{pt['score'] - last:+.3f}" if last is not None else ""
        print(f"{int(pt['fraction'] * 100):>4}% {pt['documents']:>5} {pt['score']:>6.3f} {change:>7}")
        last = pt["score"]
    if result["delta"] is not None:
        print("still improving: more annotation should help" if result["delta"] > 0.01
              else "flat at the end: more of the same annotation helps little")
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    """The documents in 'most useful first' order."""
    from annotator.nlp.active import uncertainty_queue
    from annotator.store import Project

    with Project(args.project, create=False) as project:
        if args.annotator is not None and args.annotator not in project.annotators():
            from annotator.core.errors import NotFoundError

            raise NotFoundError(f"no annotator {args.annotator!r} in {project.path}")
        if args.order == "uncertain":
            rows = uncertainty_queue(project, args.annotator, include_finished=args.all)
        else:
            rows = uncertainty_queue(project, args.annotator, include_finished=args.all)
            rows.sort(key=lambda r: r["id"])
    if args.limit:
        rows = rows[: args.limit]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        u = f"{r['uncertainty']:.3f}" if r["uncertainty"] is not None else "  -  "
        mark = "m" if r["source"] == "model" else " "
        print(f"{r['id']:>6}  {u}{mark} {r['suggestions']:>4} sugg.  {r['state']:<11} {r['title'][:60]}")
    if any(r["source"] == "model" for r in rows):
        print("(m: the suggesting model's own uncertainty, from its NER's entity probabilities)")
    return 0


#: The commands :func:`register` adds (``annotator.cli`` reads this to build only the parser
#: of the command given; a test checks it against what register adds).
COMMANDS = ("train", "models", "train-curve", "queue")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the learning commands."""
    p = sub.add_parser(
        "train",
        help="train spaCy components (NER, cue span categorizer, stance classifier) from the project",
        description="Train spaCy components from one annotator's work (or the gold set) and write the best "
        "pipeline to --out (a normal spaCy pipeline: spacy.load works; 'annotator suggest' uses the newest "
        "registered one with the rules). Progress per epoch on stderr; Ctrl+C keeps the best model so far.",
    )
    p.add_argument("project", help="project file (.db)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--annotator", metavar="NAME", type=annotator_arg, help="learn from NAME's spans")
    who.add_argument("--gold", action="store_true", help="learn from the gold set")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the trained pipeline")
    p.add_argument("--layers", type=_layers, default=["entities"], metavar="L,...",
                   help="span layers to learn: entities (NER), cues (span categorizer); default entities")
    p.add_argument("--stance", action="store_true", help="also learn the document stance (text classifier)")
    p.add_argument("--eval-split", type=_fraction, default=0.2, metavar="F",
                   help="share of the documents held back for scoring (default 0.2)")
    p.add_argument("--epochs", type=at_least_one, default=30, metavar="N", help="at most N epochs (default 30)")
    p.add_argument("--patience", type=at_least_one, default=6, metavar="N",
                   help="stop after N epochs without a better held-back score (default 6)")
    p.add_argument("--seed", type=int, default=0, help="random seed (split and training)")
    p.add_argument("--no-rule-features", action="store_true",
                   help="do not give the rules' suggestions to the NER as features (a model for use without "
                        "annotator: plain spacy.load gives its full quality, which is lower)")
    p.add_argument("--json", action="store_true", help="print the final figures as JSON")
    p.add_argument("--epoch-json", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=cmd_train)

    p = sub.add_parser("models", help="list the trained models recorded in the project; pick the one that suggests")
    p.add_argument("project", help="project file (.db)")
    p.add_argument("--use", metavar="ID|newest|none", help="the model that suggests (default: the newest)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_models)

    p = sub.add_parser("train-curve", help="held-back F1 when training on 25/50/75/100%% of the documents",
                       description="Does more annotation still help? Trains on growing parts of the documents "
                       "(one held-back part for all) and prints the held-back score of each.")
    p.add_argument("project", help="project file (.db)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--annotator", metavar="NAME", type=annotator_arg, help="learn from NAME's spans")
    who.add_argument("--gold", action="store_true", help="learn from the gold set")
    p.add_argument("--layers", type=_layers, default=["entities"], metavar="L,...", help="default entities")
    p.add_argument("--eval-split", type=_fraction, default=0.2, metavar="F", help="held-back share (default 0.2)")
    p.add_argument("--epochs", type=at_least_one, default=30, metavar="N", help="at most N epochs per point")
    p.add_argument("--patience", type=at_least_one, default=6, metavar="N")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_train_curve)

    p = sub.add_parser("queue", help="the documents in 'most useful first' order (least certain suggestions first)",
                       description="Documents the annotator has not finished, ordered by the mean binary entropy of "
                       "the scores of the suggestions they see, or, where a trained model suggested, the mean entropy of its own "
                       "entity probabilities (most uncertain first; docs/nlp.md).")
    p.add_argument("project", help="project file (.db)")
    p.add_argument("--annotator", metavar="NAME", type=annotator_arg,
                   help="whose queue: their suggestions (with their memory) and their unfinished documents; "
                   "default: the shared suggestions, every document")
    p.add_argument("--order", choices=["uncertain", "id"], default="uncertain")
    p.add_argument("--all", action="store_true", help="include documents already done or skipped")
    p.add_argument("--limit", type=at_least_one, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_queue)
