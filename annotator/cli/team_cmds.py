"""``team``: annotators of a server project are database roles (docs/team.md)."""

from __future__ import annotations

import argparse
import json
import sys


def cmd_team(args: argparse.Namespace) -> int:
    """Add, remove or list the team of a server project."""
    from annotator.store import Project

    with Project(args.project, create=False) as project:
        if args.add:
            created = project.team_add(args.add, args.role, password=args.password)
            print(f"{args.add}: {args.role}" + (" (new login role)" if created else ""))
        elif args.remove:
            project.team_remove(args.remove)
            print(f"{args.remove}: removed from the team (their work stays)")
        else:
            members = project.team_members()
            if args.json:
                print(json.dumps([{"name": n, "role": r} for n, r in members]))
            elif not members:
                print("no team members yet: 'annotator team URL --add NAME'", file=sys.stderr)
            for name, role in members if not args.json else ():
                print(f"{name}\t{role}")
    return 0


#: The commands :func:`register` adds (``annotator.cli`` reads this to build only the parser
#: of the command given; a test checks it against what register adds).
COMMANDS = ("team",)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``team`` command."""
    p = sub.add_parser(
        "team", help="a server project's annotators: database roles whose access the server enforces",
        description="Manage who works on a server project (postgresql://USER@HOST/DB). Each member is a "
        "PostgreSQL login role; blind mode and assignments are enforced by row-level security. Run as the "
        "project's owner (a role with CREATEROLE).")
    p.add_argument("project", help="server project URL (postgresql://USER@HOST/DB)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--add", metavar="NAME", help="add (or change the role of) a member")
    what.add_argument("--remove", metavar="NAME", help="take a member out of the team")
    what.add_argument("--list", action="store_true", help="list the members (the default)")
    p.add_argument("--role", choices=["annotator", "reviewer"], default="annotator", help="with --add")
    p.add_argument("--password", help="with --add: set the role's password (else set it yourself, or use "
                   "peer/certificate authentication)")
    p.add_argument("--json", action="store_true", help="with --list: as JSON")
    p.set_defaults(handler=cmd_team)
