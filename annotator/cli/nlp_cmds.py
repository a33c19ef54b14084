"""``suggest``, ``suggestions`` and ``evaluate``: machine suggestions from the terminal.

spaCy is imported only when a command runs (inside ``annotator.nlp``), so
``annotator --help`` and the other commands stay fast.
"""

from __future__ import annotations

import argparse
import json
import sys

from annotator.cli.args import annotator_arg, at_least_one
from annotator.cli.progress import TerminalProgress


def cmd_suggest(args: argparse.Namespace) -> int:
    """Suggest entities and cues for every changed document."""
    from annotator.core.errors import SchemaError
    from annotator.nlp.suggest import suggest_project
    from annotator.store import Project

    with Project(args.project, create=False) as project:
        if args.label_map:
            # a target the schema lacks would drop that label's entities without a word
            labels = project.schema.layer("entities").label_names
            bad = sorted({dst for dst in args.label_map.values() if dst not in labels})
            if bad:
                raise SchemaError(f"--label-map: {', '.join(map(repr, bad))} is not an entity label of schema "
                                  f"{project.schema.name!r} (labels: {', '.join(labels)})")
        progress = TerminalProgress("suggest")
        try:
            report = suggest_project(
                project, model=args.model, force=args.force, n_process=args.n_process, batch_size=args.batch_size,
                progress=progress, doc_ids=args.doc or None, label_map=args.label_map, memory=not args.no_memory,
                registered_model=not args.no_model, model_uncertainty=not args.no_uncertainty,
            )
        finally:
            progress.close()
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(
        f"suggested {report.documents} document(s), {report.skipped} already up to date: "
        f"{report.suggestions} suggestion(s)"
        + (" (" + ", ".join(f"{n} {layer}" for layer, n in sorted(report.by_layer.items())) + ")" if report.by_layer else "")
        + f"; {report.tokens} tokens in {report.seconds:.1f} s ({report.tokens_per_second:,.0f} tokens/s after "
        f"{report.load_seconds:.1f} s loading the pipeline)"
    )
    if report.answers:
        print(f"suggested answers: {report.answers} (the trained model's stance; see 'annotator suggestions')")
    if report.memory.get("annotators"):
        mem = report.memory
        print(f"project memory: {mem['suggestions']} suggestion(s) learned from {', '.join(mem['annotators'])} "
              f"on {mem['documents']} document view(s) ({mem['skipped']} up to date)")
    print(f"suggester {report.suggester} version {report.version}", file=sys.stderr)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Score the suggestions against an annotator's spans."""
    from annotator.nlp.evaluate import evaluate_project
    from annotator.store import Project

    with Project(args.project, create=False) as project:
        if args.viewer is not None and args.viewer not in project.annotators():
            from annotator.nlp.evaluate import EvaluationError

            raise EvaluationError(f"--as: no annotator {args.viewer!r} in {project.path}")
        result = evaluate_project(project, args.reference, layer=args.layer, min_score=args.min_score,
                                  viewer=args.viewer)
    if result["tp"] + result["fn"] == 0:
        # recall 0 and F1 0 would read as "the suggester found nothing right", not "there was nothing to find"
        what = "relation" if result["layer"] == "relations" else "span in layer"
        print(f"annotator: warning: {args.reference} has no {what}"
              + ("" if result["layer"] == "relations" else f" {result['layer']!r}") + " on the "
              f"{result['documents']} document(s) scored: every suggestion counts as a false positive",
              file=sys.stderr)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"{result['documents']} document(s), layer {result['layer']}, reference {result['reference']}"
          + (f" ({result['unsuggested']} document(s) without suggestions left out)" if result["unsuggested"] else "")
          + (f" ({result['unannotated']} document(s) {result['reference']} has not annotated left out)"
             if result["unannotated"] else ""))
    print(f"{'label':<10} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}")
    for label, row in result["per_label"].items():
        print(f"{label:<10} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>7.3f} {row['support']:>8}")
    print(f"{'overall':<10} {result['precision']:>9.3f} {result['recall']:>7.3f} {result['f1']:>7.3f} "
          f"{result['tp'] + result['fn']:>8}")
    return 0


def cmd_suggestions(args: argparse.Namespace) -> int:
    """List a document's stored suggestions with origin and score."""
    from annotator.store import Project

    with Project(args.project, create=False) as project:
        if args.layer is not None and args.layer != ANSWERS_LAYER:
            project.schema.layer(args.layer)  # SchemaError naming the layers, not "run 'annotator suggest' first"
        text = project.get_text(args.doc_id)
        rows = [] if args.layer == ANSWERS_LAYER else [
            {"layer": s.layer, "start": s.start, "end": s.end, "label": s.label, "text": s.text_in(text),
             "origin": s.origin, "score": s.score}
            for s in project.suggestions(args.doc_id, args.layer, viewer=args.viewer)
        ]
        if args.layer in (None, ANSWERS_LAYER):  # suggested answers (a trained classifier's stance)
            rows += [{"layer": ANSWERS_LAYER, "question": a.question, "start": None, "end": None, "label": a.value,
                      "text": None, "origin": a.origin, "score": a.score, "scores": a.scores}
                     for a in project.answer_suggestions(args.doc_id)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("(no suggestions: run 'annotator suggest' first)")
    for r in rows:
        score = f"{r['score']:.2f}" if r["score"] is not None else "-"
        if r["layer"] == ANSWERS_LAYER:
            others = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["scores"].items(), key=lambda kv: -kv[1]))
            print(f"{'answer':<9} {r['question']:<13} {r['label']:<9} {score:>5}  {r['origin']:<20} ({others})")
            continue
        print(f"{r['layer']:<9} {r['start']:>6}-{r['end']:<6} {r['label']:<9} {score:>5}  {r['origin']:<20} {r['text']!r}")
    return 0


#: ``annotator suggestions --layer answers``: the suggested answers to document questions only.
ANSWERS_LAYER = "answers"


def _label_map(value: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in filter(None, (x.strip() for x in value.split(","))):
        src, sep, dst = item.partition("=")
        if not sep or not src.strip() or not dst.strip():
            raise argparse.ArgumentTypeError(f"expected FROM=TO pairs separated by commas, got {item!r}")
        pairs[src.strip()] = dst.strip()
    return pairs




#: The commands :func:`register` adds (``annotator.cli`` reads this to build only the parser
#: of the command given; a test checks it against what register adds).
COMMANDS = ("suggest", "suggestions", "evaluate")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the suggestion commands."""
    p = sub.add_parser(
        "suggest",
        help="pre-highlight entities and stance cues (only documents whose text or suggester changed)",
        description="Run the suggestion pipeline (rules, word lists, cue lexicon, and optionally an installed spaCy "
        "pipeline) over the project's documents and store the suggestions apart from human spans.",
    )
    p.add_argument("project", help="project file (.db)")
    p.add_argument("--model", help="a spaCy pipeline (package name or folder, e.g. one 'annotator train' wrote) to add "
                   "to the rules; default: the project's active trained model, if any")
    p.add_argument("--n-process", type=at_least_one, default=1, metavar="N", help="worker processes for nlp.pipe (default 1)")
    p.add_argument("--batch-size", type=at_least_one, default=64, metavar="B", help="documents per batch (default 64)")
    p.add_argument("--force", action="store_true", help="redo every document, even unchanged ones")
    p.add_argument("--doc", type=int, action="append", metavar="ID", help="only this document (repeatable)")
    p.add_argument("--label-map", type=_label_map, metavar="FROM=TO,...",
                   help="map the model's labels onto the schema (overrides the schema's [label_map])")
    p.add_argument("--no-model", action="store_true",
                   help="rules only: do not use the project's trained model (see 'annotator models')")
    p.add_argument("--no-uncertainty", action="store_true",
                   help="with a model: do not store its own uncertainty per document (a beam search over its NER "
                   "for 'queue --order uncertain'; about doubles a run with a model)")
    p.add_argument("--no-memory", action="store_true",
                   help="do not refresh the annotators' project memory (suggestions learned from their decisions)")
    p.add_argument("--json", action="store_true", help="print the run's report as JSON")
    p.set_defaults(handler=cmd_suggest)

    p = sub.add_parser("suggestions", help="list a document's suggestions with origin and score")
    p.add_argument("project", help="project file (.db)")
    p.add_argument("doc_id", type=int, help="document id (see 'annotator list')")
    p.add_argument("--layer", help="only this layer (entities, cues), or 'answers': the suggested answers to "
                   "document questions (a trained model's stance, with each value's probability)")
    p.add_argument("--as", dest="viewer", metavar="NAME", type=annotator_arg,
                   help="the suggestions NAME sees (with their project memory); default: the shared ones")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_suggestions)

    p = sub.add_parser(
        "evaluate",
        help="score the current suggestions against an annotator's spans (exact match)",
        description="Entity-level precision, recall and F1 of the stored suggestions against the spans of "
        "--reference, exact match on start, end and label.",
    )
    p.add_argument("project", help="project file (.db)")
    p.add_argument("--reference", required=True, metavar="NAME", type=annotator_arg, help="annotator whose spans are the truth (e.g. gold)")
    p.add_argument("--layer", default="entities",
                   help="span layer to score (default: entities), or 'relations' for suggested relations")
    p.add_argument("--min-score", type=float, metavar="S", help="score only suggestions with score >= S")
    p.add_argument("--as", dest="viewer", metavar="NAME", type=annotator_arg,
                   help="score the suggestions NAME sees (with their project memory); default: the shared ones")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.set_defaults(handler=cmd_evaluate)
