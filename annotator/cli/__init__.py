"""The command line: thin wrappers that parse, call a plain function, print.

Every module in this package with a ``register(subparsers)`` function adds its
commands, and names them in ``COMMANDS``, so a capability brings its own commands
without editing this file.  A command builds only its own module's parser (building all
of them imported every export writer: a fifth of a small import's time); ``--help``
and anything that is not a command build them all.
``annotator [PROJECT]`` (no command) opens the GUI.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import pkgutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Callable, Sequence

from annotator import __version__
from annotator.core.errors import AnnotatorError

Handler = Callable[[argparse.Namespace], int]

_TOP_LEVEL_FLAGS = ("-h", "--help", "--version")


@functools.cache
def _command_modules() -> dict[str, ModuleType]:
    """``{command: the module that registers it}`` (importing a command module is cheap:
    each imports what its commands need when they run)."""
    out: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if getattr(module, "register", None) is not None:
            out.update(dict.fromkeys(module.COMMANDS, module))
    return out


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every registered command, or with only ``command``'s module's commands."""
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Label news articles: entities, stance cues, document stance. "
        "'annotator [PROJECT.db]' opens the GUI; the commands below work without a display.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = _command_modules()
    chosen = [modules[command]] if command in modules else list(dict.fromkeys(modules.values()))
    for module in chosen:
        module.register(sub)
    return parser


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
    commands = set(_command_modules())
    # Anything but a command name or the top-level help/version flags opens the
    # GUI, so "annotator --annotator NAME x.db" works as well as "annotator x.db".
    if not args_list or (args_list[0] not in commands and args_list[0] not in _TOP_LEVEL_FLAGS):
        problem = _not_a_project(args_list[0], commands) if args_list else None
        if problem:
            print(f"annotator: error: {problem}", file=sys.stderr)
            return 2
        from annotator.cli.gui_cmd import open_gui

        return open_gui(args_list)
    parser = build_parser(args_list[0])
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
