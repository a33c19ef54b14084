"""``annotator [PROJECT]``: open the GUI (the default project when none is named)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from annotator.cli.args import annotator_arg
from annotator.core.errors import AnnotatorError


def default_project_path() -> Path:
    """The default project in the user data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("annotator", appauthor=False)) / "default.db"


def ensure_default_project(path: Path) -> None:
    """Create the default project from ``seeds/`` on first run."""
    from annotator.formats import import_paths
    from annotator.paths import seeds_dir
    from annotator.store import Project

    path.parent.mkdir(parents=True, exist_ok=True)
    with Project(path) as project:
        if project.count_documents() == 0:
            report = import_paths(project, sorted(seeds_dir().glob("*.txt")))
            for failed in report.failed:
                print(f"annotator: warning: {failed.error}", file=sys.stderr)


def display_problem() -> str | None:
    """Why Qt cannot open a window here, or None when it can."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return (
            "annotator: no display found (DISPLAY and WAYLAND_DISPLAY are unset). Run it on a desktop, "
            "or set QT_QPA_PLATFORM=offscreen to run headless, or use the commands ('annotator --help'); "
            "'annotator screenshot' renders the window to a PNG."
        )
    return None


def open_gui(argv: list[str]) -> int:
    """Parse ``[PROJECT] [--quit-after MS]`` and run the GUI."""
    parser = argparse.ArgumentParser(prog="annotator", description="Open a project in the GUI.")
    parser.add_argument("project", nargs="?",
                        help="project file (.db) or server URL (postgresql://USER@HOST/DB); default: the sample project")
    parser.add_argument("--annotator", dest="annotator_name", type=annotator_arg, help="annotate as NAME (else the remembered name)")
    parser.add_argument("--quit-after", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from annotator.store.dialect import project_target

    # a file path or a server URL (postgresql://USER@HOST/DB): the workspace opens either
    path = project_target(args.project) if args.project else default_project_path()
    try:
        from annotator.gui.app import _skip_optional_pandas

        _skip_optional_pandas()  # before the store is first imported: start-up time
        if args.project is None:
            ensure_default_project(path)
        from annotator.gui.app import run

        return run(path, annotator=args.annotator_name, quit_after_ms=args.quit_after)
    except AnnotatorError as exc:
        print(f"annotator: error: {exc}", file=sys.stderr)
        return 1
