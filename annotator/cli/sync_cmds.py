"""``push`` and ``pull``: copy a project (or one annotator's part) between a file and a server."""

from __future__ import annotations

import argparse
import json
import sys

from annotator.cli.args import annotator_arg
from annotator.cli.progress import TerminalProgress


def _run(args: argparse.Namespace, source: str, dest: str, label: str) -> int:
    from annotator.store.sync import copy_project

    progress = TerminalProgress(label)
    try:
        report = copy_project(source, dest, annotator=args.annotator, progress=progress)
    finally:
        progress.close()
    for c in report.conflicts:
        print(f"annotator: conflict: {c}", file=sys.stderr)
    for p in report.problems:
        print(f"annotator: warning: {p}", file=sys.stderr)
    if args.json:
        out = {"source": report.source, "dest": report.dest, "annotator": report.annotator, "totals": report.totals(),
               "conflicts": [vars(c) for c in report.conflicts], "problems": report.problems}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(report.summary())
    return 1 if report.conflicts or report.problems else 0


def cmd_push(args: argparse.Namespace) -> int:
    """Copy a project file (or one annotator's part) into a server project."""
    return _run(args, args.source, args.dest, "push")


def cmd_pull(args: argparse.Namespace) -> int:
    """Copy a server project (or one annotator's part) into a project file."""
    return _run(args, args.source, args.dest, "pull")


#: The commands :func:`register` adds (``annotator.cli`` reads this to build only the parser
#: of the command given; a test checks it against what register adds).
COMMANDS = ("push", "pull")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``push`` and ``pull`` commands."""
    common = ("copies documents, spans (uids kept), relations, answers, status, suggestion decisions, "
              "knowledge-base links, events and assignments; re-runnable: a second run copies nothing, a run after "
              "new edits copies only those; work changed on both sides since the last copy is reported as a "
              "conflict and not overwritten (exit 1). Either side may be a file or a server URL.")
    p = sub.add_parser("push", help="copy a project file into a server project (postgresql://USER@HOST/DB)",
                       description="Copy PROJECT.db into a server project; " + common)
    p.add_argument("source", metavar="FILE", help="the project to copy from (a .db file)")
    p.add_argument("dest", metavar="URL", help="the project to copy into (postgresql://USER@HOST/DB)")
    p.add_argument("--annotator", type=annotator_arg, help="copy only this annotator's work (and the documents)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=cmd_push)
    p = sub.add_parser("pull", help="copy a server project (or one annotator's part) into a project file",
                       description="Copy a server project into PROJECT.db (created when new); " + common
                       + " As an annotator in blind mode you pull what the server lets you read.")
    p.add_argument("source", metavar="URL", help="the project to copy from (postgresql://USER@HOST/DB)")
    p.add_argument("dest", metavar="FILE", help="the project file to copy into (created when new)")
    p.add_argument("--annotator", type=annotator_arg,
                   help="copy only this annotator's work and their assigned documents")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=cmd_pull)
