"""``kb``, ``link``, ``stories``: the project knowledge base from the terminal (docs/kb.md)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from annotator.cli.args import annotator_arg
from annotator.cli.progress import TerminalProgress


def _open(args: argparse.Namespace) -> Any:
    from annotator.store import Project

    return Project(args.project, create=False)


def cmd_kb(args: argparse.Namespace) -> int:
    """List, import, export or merge knowledge-base entries."""
    from annotator.kb.files import export_kb, import_kb
    from annotator.kb.service import kb_listing

    with _open(args) as project:
        if args.import_file:
            added, updated = import_kb(project, args.import_file, args.format)
            print(f"imported {added + updated} entr{'y' if added + updated == 1 else 'ies'} "
                  f"({added} new, {updated} updated)")
            return 0
        if args.export_file:
            n = export_kb(project, args.export_file, args.format)
            print(f"wrote {n} entr{'y' if n == 1 else 'ies'} to {args.export_file}")
            return 0
        if args.merge:
            merged = project.kb_merge(args.merge[0], args.merge[1])
            print(f"merged {args.merge[1]} into {merged.id} ({merged.name}; aliases: {', '.join(merged.aliases)})")
            return 0
        listing = kb_listing(project)
    if args.json:
        print(json.dumps(listing, ensure_ascii=False, indent=2))
        return 0
    for e in listing:
        docs = len({m["document"] for m in e["mentions"]})
        aliases = f"  (also: {', '.join(e['aliases'])})" if e["aliases"] else ""
        print(f"{e['id']:<32} {e['label']:<4} {len(e['mentions']):>4} mention(s) in {docs:>3} article(s)  "
              f"{e['name']}{aliases}")
    if not listing:
        print("(the knowledge base is empty: run 'annotator link' or 'annotator kb --import FILE')")
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    """Suggest links, or decide on one span's link."""
    from annotator.kb.service import link_project

    with _open(args) as project:
        if args.accept is not None:
            current = project.kb_link_of(args.accept)
            entry = args.entry or current.entry_id
            if not entry:
                from annotator.core.errors import NotFoundError

                raise NotFoundError(f"span {args.accept} has no suggested link; name one with --entry")
            project.kb_set_link(args.accept, entry, status="accepted", origin="human" if args.entry else current.origin)
            print(f"span {args.accept} -> {entry} (accepted)")
            return 0
        if args.reject is not None:
            current = project.kb_link_of(args.reject)
            if not current.entry_id:
                print(f"span {args.reject} has no link to reject")
                return 0
            project.kb_set_link(args.reject, current.entry_id, status="rejected", origin=current.origin)
            print(f"span {args.reject}: {current.entry_id} rejected")
            return 0
        progress = TerminalProgress("link")
        report = link_project(project, args.annotator, progress=progress)
        progress.close()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return 0
    by_origin: dict[str, int] = {}
    for k in report.links:
        by_origin[k.origin] = by_origin.get(k.origin, 0) + 1
    detail = ", ".join(f"{n} {o}" for o, n in sorted(by_origin.items()))
    print(f"suggested {len(report.links)} link(s) for {report.mentions} entity span(s); "
          f"{report.new_entries} new entr{'y' if report.new_entries == 1 else 'ies'}" + (f" ({detail})" if detail else ""))
    return 0


def cmd_stories(args: argparse.Namespace) -> int:
    """Articles grouped by the event they report."""
    from annotator.kb.service import find_stories

    with _open(args) as project:
        stories = find_stories(project, threshold=args.threshold)
        titles = {i.id: i.title for i in project.document_infos(with_counts=False)}
    if args.json:
        print(json.dumps([s.to_json() for s in stories], ensure_ascii=False, indent=2))
        return 0
    for s in stories:
        print(f"{s.id}: {len(s.documents)} articles from {', '.join(s.outlets)}")
        for d in s.documents:
            print(f"  {d:>6}  {titles.get(d, '')[:90]}")
    if not stories:
        print("(no story of two or more articles; run 'annotator link' first so articles share entities)")
    return 0


#: The commands :func:`register` adds (``annotator.cli`` reads this to build only the parser
#: of the command given; a test checks it against what register adds).
COMMANDS = ("kb", "link", "stories")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the knowledge-base commands."""
    p = sub.add_parser("kb", help="the project knowledge base: list (--json), --import, --export, --merge")
    p.add_argument("project")
    p.add_argument("--json", action="store_true", help="entries with their mentions")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--import", dest="import_file", metavar="FILE", help="add or replace entries from JSONL or CSV")
    g.add_argument("--export", dest="export_file", metavar="FILE", help="write the entries as JSONL or CSV")
    g.add_argument("--merge", nargs=2, metavar=("KEEP", "DROP"), help="merge entry DROP into KEEP")
    p.add_argument("--format", choices=("jsonl", "csv"), help="file format (default: from the extension)")
    p.set_defaults(handler=cmd_kb)

    p = sub.add_parser("link", help="suggest a knowledge-base entry for every entity span")
    p.add_argument("project")
    p.add_argument("--annotator", type=annotator_arg, help="link only this annotator's spans")
    p.add_argument("--json", action="store_true", help="print the links")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--accept", type=int, metavar="SPAN", help="accept the span's link (or --entry's)")
    g.add_argument("--reject", type=int, metavar="SPAN", help="reject the span's suggested entry")
    p.add_argument("--entry", help="with --accept: link to this entry instead")
    p.set_defaults(handler=cmd_link)

    p = sub.add_parser("stories", help="group articles that report the same event")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.add_argument("--threshold", type=float, help="pair score needed to join (default 0.3)")
    p.set_defaults(handler=cmd_stories)
