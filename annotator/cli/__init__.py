"""The command line: thin wrappers that parse, call a plain function, print.

Every module in this package with a ``register(subparsers)`` function adds its
commands, so a capability brings its own commands without editing this file.
``annotator [PROJECT]`` (no command) opens the GUI.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from pathlib import Path
from typing import Callable, Sequence

from annotator import __version__
from annotator.core.errors import AnnotatorError

Handler = Callable[[argparse.Namespace], int]

_TOP_LEVEL_FLAGS = ("-h", "--help", "--version")


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every registered command."""
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Label news articles: entities, stance cues, document stance. "
        "'annotator [PROJECT.db]' opens the GUI; the commands below work without a display.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._subparsers._group_actions if parser._subparsers else []:  # noqa: SLF001
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return set(action.choices)
    return set()


def _not_a_project(word: str, commands: set[str]) -> str | None:
    """Why ``word``, given where a command or project belongs, is neither (None when it may be a project).

    A new project file is made only for a name with a suffix ("x.db") or a folder part, so a
    misspelt command ("annotator sugest x.db") is never created as a project called "sugest".
    """
    if word.startswith("-") or os.sep in word or Path(word).suffix or Path(word).exists():
        return None
    import difflib  # only for a word that is neither: every command would pay for it at start-up

    close = difflib.get_close_matches(word, sorted(commands), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else " (a new project needs a name such as NAME.db)"
    return f"{word!r} is neither a command nor an existing project file{hint}; 'annotator --help' lists the commands."


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``annotator`` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # Anything but a command name or the top-level help/version flags opens the
    # GUI, so "annotator --annotator NAME x.db" works as well as "annotator x.db".
    if not args_list or (args_list[0] not in _command_names(parser) and args_list[0] not in _TOP_LEVEL_FLAGS):
        problem = _not_a_project(args_list[0], _command_names(parser)) if args_list else None
        if problem:
            print(f"annotator: error: {problem}", file=sys.stderr)
            return 2
        from annotator.cli.gui_cmd import open_gui

        return open_gui(args_list)
    args = parser.parse_args(args_list)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        code = int(handler(args) or 0)
        sys.stdout.flush()  # a reader that went away shows here, not as a traceback at exit
        return code
    except BrokenPipeError:
        # 'annotator list big.db | head': the reader stopped reading; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except AnnotatorError as exc:
        print(f"annotator: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        # the environment's fault (a folder that cannot be created, no permission, disk full): one line, no traceback
        where = f": {exc.filename}" if exc.filename else ""
        print(f"annotator: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("annotator: interrupted", file=sys.stderr)
        return 130
