"""Review commands: ``merge``, ``agreement``, ``assign``, ``package``, ``blind``,
``adjudicate``, ``review`` (the review window)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from annotator.cli.args import annotator_arg, at_least_one
from annotator.cli.progress import TerminalProgress


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    from annotator.core.errors import InputError
    from annotator.core.model import annotator_name

    try:  # the one normal form, as --annotator gives it: " bob" is bob
        return [annotator_name(n) for n in value.split(",") if n.strip()]
    except ValueError as exc:
        raise InputError(f"--annotators: {exc}") from None


def _many(values: list[str] | None) -> list[str] | None:
    """``--layer a --layer b`` and ``--layer a,b`` alike."""
    if not values:
        return None
    return [n for v in values for n in _names(v) or []]


def _ints(value: str | None) -> list[int] | None:
    if value is None:
        return None
    try:
        return [int(x) for x in value.split(",") if x.strip()]
    except ValueError as exc:
        raise SystemExit(f"annotator: error: --documents takes ids separated by commas ({exc})") from exc




def _fmt(x: float | None) -> str:
    return "   n/a" if x is None else f"{x:6.3f}"


def cmd_merge(args: argparse.Namespace) -> int:
    """Merge annotators' files into a review project; exit 1 when anything was reported."""
    from annotator.core.errors import ProjectError
    from annotator.review.merge import merge_projects
    from annotator.store.dialect import is_server_url

    # merge copies rows between files through SQLite's ATTACH; push/pull copy to and from a server
    if is_server_url(args.review):
        raise ProjectError(f"{args.review}: merge writes into a project file; to copy a file's work into a server "
                           "project use 'annotator push FILE URL' (one per file)")
    for src in args.sources:
        if is_server_url(src):
            raise ProjectError(f"{src}: merge reads project files; copy the server project into one first with "
                               "'annotator pull URL FILE', or review it on the server as it is (no merge needed)")
    progress = TerminalProgress("merge")
    report = merge_projects(args.review, args.sources, progress=progress)
    progress.close()
    for c in report.conflicts:
        print(f"annotator: conflict: {c}", file=sys.stderr)
    for p in report.problems:
        print(f"annotator: warning: {p}", file=sys.stderr)
    if args.json:
        out = {"review": report.review, "totals": report.totals(),
               "sources": [{**{k: v for k, v in vars(s).items() if k != "conflicts"},
                            "conflicts": [vars(c) for c in s.conflicts]} for s in report.sources]}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(report.summary())
    return 1 if report.conflicts or report.problems else 0


def _print_agreement(report: dict[str, Any]) -> None:
    print(f"documents: {report['documents']}   annotators: {', '.join(report['annotators']) or '-'}")
    if len(report["annotators"]) < 2:
        for note in report["notes"]:
            print(note)
        return
    for q, r in report["questions"].items():
        print(f"\nquestion {q}: percent agreement {_fmt(r['percent_agreement']).strip()}, "
              f"Fleiss' kappa {_fmt(r['fleiss_kappa']).strip()}, Krippendorff's alpha "
              f"{_fmt(r['krippendorff_alpha']).strip()}")
        for pair, k in r["cohen_kappa"].items():
            print(f"  {pair:<24} Cohen's kappa {_fmt(k)}")
    for layer, r in report["layers"].items():
        print(f"\nlayer {layer}: token alpha {_fmt(r['token_alpha']).strip()}, incomplete units {r['incomplete']}")
        print(f"  {'pair':<24} {'exact F1':>8} {'overlap F1':>10} {'token kappa':>11} {'unitizing α':>11}")
        for pair in r["pairwise_f1"]:
            print(f"  {pair:<24} {_fmt(r['pairwise_f1'][pair]):>8} {_fmt(r['overlap_f1'][pair]):>10} "
                  f"{_fmt(r['token_kappa'][pair]):>11} {_fmt(r['unitizing_alpha'][pair]):>11}")
        for label, lr in r["per_label"].items():
            vals = [v for v in lr["pairwise_f1"].values() if v is not None]
            if vals:
                print(f"  {label:<10} mean exact F1 {sum(vals) / len(vals):.3f}")
    links = report.get("links") or {}
    if any(p["mentions"] for p in links.get("pairs", {}).values()):
        print("\nknowledge-base links (mentions both marked and linked, same entry):")
        for pair, p in links["pairs"].items():
            print(f"  {pair:<24} {p['same_entry']} of {p['mentions']} mention(s) "
                  f"{_fmt(p['agreement']).strip()}")
    from annotator.review.agreement import rank_documents

    worst = [r for r in rank_documents(report) if r["f1"] is not None and r["f1"] < 1.0][:10]
    if worst:
        print("\nleast agreement:")
        for r in worst:
            print(f"  document {r['document']:>6}  {r['layer']:<10} F1 {r['f1']:.3f}  "
                  f"{r['disagreements']} differing span(s)")
    for note in report["notes"]:
        print(f"note: {note}", file=sys.stderr)


def cmd_agreement(args: argparse.Namespace) -> int:
    """Print agreement figures (``--json``: the documented JSON)."""
    from annotator.review.agreement import compute_agreement
    from annotator.store import Project

    with Project(args.project, create=False) as project:
        report = compute_agreement(
            project, layers=_many(args.layer), questions=_many(args.question), annotators=_names(args.annotators),
            include_unfinished=args.include_unfinished,
        )
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_agreement(report)
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    """Assign documents with overlap, or list assignments."""
    from annotator.review.assign import assign_documents, assignments
    from annotator.store import Project

    with Project(args.project, create=False) as project:
        if args.list or not args.annotators:
            rows = assignments(project)
            if not rows:
                print("no assignments yet: annotator assign PROJECT --annotators a,b,c --overlap 2")
            for doc_id, anns in rows.items():
                print(f"{doc_id:>6}  {', '.join(anns)}")
            return 0
        report = assign_documents(project, _names(args.annotators) or [], overlap=args.overlap,
                                  documents=_ints(args.documents), replace=args.replace, seed=args.seed)
    print(f"assigned {report.added} document slot(s) over {report.documents} document(s)")
    for name, n in report.load.items():
        print(f"  {name:<20} {n} document(s)")
    for pair, n in report.pairs.items():
        print(f"  {pair:<20} {n} shared")
    return 0


def cmd_package(args: argparse.Namespace) -> int:
    """Export per-annotator project files."""
    from annotator.core.errors import ProjectError
    from annotator.core.names import renamed, safe_file_names
    from annotator.review.assign import assignments, export_package
    from annotator.store import Project

    out = Path(args.out)
    with Project(args.project, create=False) as project:
        if args.annotator and out.suffix == ".db":
            targets = [(args.annotator, out)]
        else:
            names = [args.annotator] if args.annotator else sorted(
                {a for anns in assignments(project).values() for a in anns})
            if not names:
                print("annotator: error: no assignments; name --annotator or run 'annotator assign'", file=sys.stderr)
                return 1
            # a name is not a path: "..", "a/b" and "a_b" get safe, distinct file names inside --out
            stems = safe_file_names(names)
            for line in renamed(stems):
                print(f"annotator: note: package file name for {line}.db", file=sys.stderr)
            targets = [(n, out / f"{stems[n]}.db") for n in names]
        # every target checked first: a clash found halfway would leave some packages written
        for _name, path in targets:
            if path.exists():
                raise ProjectError(f"{path} exists already; a package is always a new file")
            if path.resolve() == Path(args.project).resolve():
                raise ProjectError(f"{path} is the project itself")
        for name, path in targets:
            path.parent.mkdir(parents=True, exist_ok=True)
            report = export_package(project, name, path, documents=_ints(args.documents),
                                    include_suggestions=not args.no_suggestions, include_others=args.include_others)
            print(f"{path}: {report.documents} document(s), {report.spans} span(s), {report.answers} answer(s), "
                  f"{report.suggestions} suggestion(s) for {name}")
    return 0


def cmd_blind(args: argparse.Namespace) -> int:
    """Show or set blind mode."""
    from annotator.review import blind
    from annotator.store import Project

    with Project(args.project, create=False) as project:
        if args.state is not None:
            blind.set_blind(project, args.state == "on")
        print(f"blind mode: {'on' if blind.is_blind(project) else 'off'}")
    return 0


def cmd_role(args: argparse.Namespace) -> int:
    """Show or set an annotator's role."""
    from annotator.review import blind
    from annotator.store import Project

    with Project(args.project, create=False) as project:
        if args.role is not None:
            try:
                blind.set_role(project, args.name, args.role)
            except ValueError as exc:
                print(f"annotator: error: {exc}", file=sys.stderr)
                return 1
        role = project.annotator_role(args.name)
    print(f"{args.name}: {role or 'not registered'}")
    return 0


def cmd_adjudicate(args: argparse.Namespace) -> int:
    """Merge agreements into gold for the whole project."""
    from annotator.review.adjudicate import auto_merge_project
    from annotator.store import Project

    if not args.auto:
        print("annotator: error: adjudicate needs --auto here; settle disagreements in 'annotator review PROJECT'",
              file=sys.stderr)
        return 2
    with Project(args.project, create=False) as project:
        progress = TerminalProgress("adjudicate")
        report = auto_merge_project(project, layers=_many(args.layer), min_annotators=args.min_annotators,
                                    progress=progress, mark_done=args.mark_done)
        project_has_relations = bool(project.schema.relations)
        progress.close()
    print(f"gold: {report.spans} agreed span(s) and {report.answers} agreed answer(s) added on {report.documents} "
          f"document(s); {report.skipped} document(s) had fewer than {args.min_annotators} annotators done"
          + (f"; {report.relations} agreed relation(s) added" if project_has_relations else "")
          + (f"; {report.marked_done} fully settled document(s) marked done for gold" if args.mark_done else ""))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Open the review window (agreement and adjudication)."""
    from annotator.cli.gui_cmd import display_problem

    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from annotator.gui.review import run_review
    from annotator.store.dialect import project_target

    return run_review(project_target(args.project), reviewer=args.reviewer, quit_after_ms=args.quit_after)


#: The commands :func:`register` adds (``annotator.cli`` reads this to build only the parser
#: of the command given; a test checks it against what register adds).
COMMANDS = ("merge", "agreement", "assign", "package", "blind", "role", "adjudicate", "review")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the review commands."""
    p = sub.add_parser("merge", help="merge annotators' project files into a review project (re-runnable)")
    p.add_argument("review", help="review project (.db), created on first use")
    p.add_argument("sources", nargs="+", help="annotators' project files")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=cmd_merge)

    p = sub.add_parser("agreement", help="inter-annotator agreement (kappa, alpha, span F1)")
    p.add_argument("project")
    p.add_argument("--layer", action="append", help="span layer(s) to report (repeat or comma-separate)")
    p.add_argument("--question", action="append", help="document question(s) to report")
    p.add_argument("--annotators", help="names separated by commas (default: everyone but gold)")
    p.add_argument("--include-unfinished", action="store_true",
                   help="count documents not marked done that both annotators worked on")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_agreement)

    p = sub.add_parser("assign", help="assign documents to annotators with overlap")
    p.add_argument("project")
    p.add_argument("--annotators", help="names separated by commas")
    p.add_argument("--overlap", type=int, default=2, help="annotators per document (default 2)")
    p.add_argument("--documents", help="ids separated by commas (default: all)")
    p.add_argument("--replace", action="store_true", help="clear these documents' assignments first")
    p.add_argument("--seed", type=int, help="shuffle the documents reproducibly before dealing")
    p.add_argument("--list", action="store_true", help="list the assignments")
    p.set_defaults(handler=cmd_assign)

    p = sub.add_parser("package", help="export per-annotator project files with only their documents")
    p.add_argument("project")
    p.add_argument("--out", required=True, help="a folder (one NAME.db per annotator) or, with --annotator, a .db")
    p.add_argument("--annotator", type=annotator_arg, help="only this annotator")
    p.add_argument("--documents", help="ids separated by commas (default: the annotator's assignments)")
    p.add_argument("--no-suggestions", action="store_true", help="leave machine suggestions out")
    p.add_argument("--include-others", action="store_true",
                   help="also other annotators' spans on those documents (refused in blind mode)")
    p.set_defaults(handler=cmd_package)

    p = sub.add_parser("blind", help="show or set blind mode (annotators never see each other's work)")
    p.add_argument("project")
    p.add_argument("state", nargs="?", choices=["on", "off"])
    p.set_defaults(handler=cmd_blind)

    p = sub.add_parser("role", help="show or set an annotator's role (reviewers may compare in blind mode)")
    p.add_argument("project")
    p.add_argument("name", type=annotator_arg)
    p.add_argument("role", nargs="?", choices=["annotator", "reviewer"])
    p.set_defaults(handler=cmd_role)

    p = sub.add_parser("adjudicate", help="copy what all annotators agree on into gold")
    p.add_argument("project")
    p.add_argument("--auto", action="store_true", help="merge agreements into gold for every document")
    p.add_argument("--layer", action="append",
                   help="span layer(s), or 'relations' (default: every layer and the relations)")
    p.add_argument("--min-annotators", type=at_least_one, default=2, help="annotators who marked a document done (default 2)")
    p.add_argument("--mark-done", action="store_true",
                   help="mark gold done on documents where nothing is left to settle (for export --gold --only-done)")
    p.set_defaults(handler=cmd_adjudicate)

    p = sub.add_parser("review", help="open the review window: agreement, comparison, adjudication")
    p.add_argument("project")
    p.add_argument("--reviewer", default="gold", help="whose eyes (blind mode lets only reviewers compare)")
    p.add_argument("--quit-after", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(handler=cmd_review)
