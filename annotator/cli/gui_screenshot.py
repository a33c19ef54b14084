"""``annotator screenshot PROJECT --document ID --out FILE.png [--theme dark] [--annotator NAME]``."""

from __future__ import annotations

import argparse
import sys

from annotator.cli.args import annotator_arg
from annotator.core.errors import AnnotatorError

#: The commands :func:`register` adds (``annotator.cli`` reads this to build only the parser
#: of the command given; a test checks it against what register adds).
COMMANDS = ("screenshot",)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``screenshot`` command."""
    p = subparsers.add_parser(
        "screenshot",
        help="render the main window on a document to a PNG (offscreen; no display needed)",
        description="Render the annotation workspace on one document to a PNG file, offscreen.",
    )
    p.add_argument("project", help="project file (.db)")
    p.add_argument("--document", type=int, default=None, help="document id (default: the first not done)")
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--theme", choices=("light", "dark"), default="light")
    p.add_argument("--annotator", type=annotator_arg, default=None, help="whose annotations to show (default: the first annotator)")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--size", default="1440x880", help="window size WIDTHxHEIGHT (default 1440x880)")
    p.set_defaults(handler=_screenshot)


def _screenshot(args: argparse.Namespace) -> int:
    from annotator.gui.screenshot import render_screenshot

    try:
        w, h = (int(x) for x in args.size.lower().split("x"))
    except ValueError:
        print(f"annotator: error: --size must look like 1440x880, not {args.size!r}", file=sys.stderr)
        return 2
    from pathlib import Path

    from annotator.core.names import is_project_file

    # the same rule as export: never over the project, never over a file without --force
    if is_project_file(args.out, args.project):
        print(f"annotator: error: --out {args.out} is the project file; name a .png file", file=sys.stderr)
        return 1
    if Path(args.out).exists() and not args.force:
        print(f"annotator: error: {args.out} exists; pass --force to replace it", file=sys.stderr)
        return 1
    try:
        out = render_screenshot(args.project, args.out, document=args.document, theme_name=args.theme,
                                annotator=args.annotator, size=(w, h))
    except (AnnotatorError, OSError) as exc:
        print(f"annotator: error: {exc}", file=sys.stderr)
        return 1
    print(out)
    return 0
