"""``annotator export``: training data out (spaCy, CoNLL, CoNLL-U, JSONL, brat, doccano, Label Studio)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from annotator.cli.args import annotator_arg, at_least_one
from annotator.cli.progress import TerminalProgress

#: Misaligned spans printed on the terminal before "... and N more".
SHOWN_ISSUES = 20


def cmd_export(args: argparse.Namespace) -> int:
    """Run one export and print its summary and alignment report."""
    from annotator.formats.export import ExportError, export_project
    from annotator.store import Project

    report_path = Path(args.report) if args.report else None
    if report_path is not None:  # checked before the export: it is written after it
        if report_path.resolve() == Path(args.out).resolve():
            raise ExportError(f"--report {report_path} is the export itself; name another file")
        from annotator.core.names import is_project_file

        if is_project_file(report_path, args.project):
            raise ExportError(f"--report {report_path} is the project file; name another file")
        if report_path.exists() and not args.force:
            raise ExportError(f"{report_path} exists; pass --force to replace it")
    with Project(args.project, create=False) as project:
        progress = TerminalProgress("export")
        try:
            report = export_project(
                project, args.format, args.out,
                annotator=args.annotator, gold=args.gold, all_annotators=args.all_annotators,
                layer=args.layer, split=args.split, seed=args.seed, only_done=args.only_done,
                include_suggestions=args.include_suggestions, scheme=args.scheme, misaligned=args.misaligned,
                docstart=not args.no_docstart, force=args.force, progress=progress, n_process=args.n_process,
            )
        finally:
            progress.close()
    if report_path is not None:
        try:
            report_path.parent.mkdir(parents=True, exist_ok=True)
            _write_issue_report(report_path, report.issues)
        except OSError as exc:
            print(report.summary())
            raise ExportError(f"the export is written, but not the report {report_path}: "
                              f"{exc.strerror or exc}") from exc
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    for warning in report.warnings:
        print(f"annotator: warning: {warning}", file=sys.stderr)
    if report.issues:
        print(f"{len(report.issues)} span(s) not on token boundaries or left out "
              f"(--misaligned {args.misaligned}):", file=sys.stderr)
        for issue in report.issues[:SHOWN_ISSUES]:
            print("  " + issue.describe(), file=sys.stderr)
        if len(report.issues) > SHOWN_ISSUES:
            more = len(report.issues) - SHOWN_ISSUES
            hint = f" (all in {args.report})" if args.report else " (--report FILE lists them all)"
            print(f"  ... and {more} more{hint}", file=sys.stderr)
    print(report.summary())
    return 0


def _write_issue_report(path: Path, issues: list) -> None:  # type: ignore[type-arg]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["document", "title", "annotator", "layer", "start", "end", "label", "text", "action",
                    "new_start", "new_end"])
        for i in issues:
            w.writerow([i.document_id, i.title, i.annotator or "", i.layer, i.start, i.end, i.label,
                        i.text.replace("\n", "\\n").replace("\t", "\\t"), i.action,
                        "" if i.new_start is None else i.new_start, "" if i.new_end is None else i.new_end])


def cmd_formats(args: argparse.Namespace) -> int:
    """List the import and export formats."""
    from annotator.formats import readers, writers

    rd, wr = readers(), writers()
    for name in sorted(set(rd) | set(wr)):
        ways = "/".join(w for w, have in (("import", name in rd), ("export", name in wr)) if have)
        exts = " ".join(rd[name].extensions) if name in rd else ""
        if name in rd and rd[name].directory:
            exts = (exts + " folder").strip()
        desc = wr[name].description if name in wr else ""
        print(f"{name:<12} {ways:<14} {exts:<28} {desc}")
    return 0


#: The commands :func:`register` adds (``annotator.cli`` reads this to build only the parser
#: of the command given; a test checks it against what register adds).
COMMANDS = ("formats", "export")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``export`` and ``formats`` commands."""
    p = sub.add_parser("formats", help="list the import and export formats")
    p.set_defaults(handler=cmd_formats)

    from annotator.formats.export import writers
    from annotator.formats.tokenize import MISALIGNED_POLICIES, TAG_SCHEMES

    formats = writers()
    p = sub.add_parser(
        "export", help="write annotations as training data",
        description="Export a project's annotations. Formats: " + "; ".join(
            f"{name}: {info.description}" for name, info in sorted(formats.items())),
    )
    p.add_argument("project", help="project file (.db)")
    p.add_argument("--format", "-f", required=True, choices=sorted(formats), help="output format")
    p.add_argument("--out", "-o", required=True, help="output file (a folder for brat or with --split)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--annotator", type=annotator_arg, help="export this annotator's work")
    who.add_argument("--gold", action="store_true", help="export the adjudicated gold set")
    who.add_argument("--all-annotators", action="store_true",
                     help="every annotator's work as separate records (default for labelstudio)")
    p.add_argument("--layer", action="append",
                   help="export only this layer (repeatable; the first is written as entities/tags); "
                        "default: every layer, entities as the tag layer")
    p.add_argument("--split", type=float, metavar="TRAIN_FRACTION",
                   help="write OUT/train.EXT and OUT/dev.EXT, this fraction of documents in train")
    p.add_argument("--seed", type=int, default=0, help="shuffle seed for --split (default 0)")
    p.add_argument("--only-done", action="store_true", help="only documents the annotator marked done")
    p.add_argument("--include-suggestions", action="store_true",
                   help="also write machine suggestions (Label Studio predictions, spaCy *_suggestions "
                        "span groups, else records of annotator 'suggestions')")
    p.add_argument("--scheme", choices=TAG_SCHEMES, default="iob2", help="CoNLL/CoNLL-U tag scheme (default iob2)")
    p.add_argument("--misaligned", choices=MISALIGNED_POLICIES, default="expand",
                   help="spans not on token boundaries: expand to whole tokens (default), contract, skip, "
                        "or fail; every one is reported")
    p.add_argument("--no-docstart", action="store_true", help="CoNLL: no -DOCSTART- lines between documents")
    p.add_argument("--n-process", type=at_least_one, default=1, metavar="N",
                   help="worker processes that tokenize and write conll, conllu and spacy (default 1; "
                        "the output is the same; worth it on large projects)")
    p.add_argument("--report", metavar="FILE", help="write every misaligned/left-out span to FILE (TSV)")
    p.add_argument("--force", action="store_true", help="replace an existing output")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=cmd_export)
