"""Start the GUI: the application object, the annotator's name, the main window."""

from __future__ import annotations

import getpass
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from annotator.core.errors import AnnotatorError
from annotator.gui import settings as user_settings
from annotator.gui.annotator_dialog import ask_annotator
from annotator.gui.themes import apply_theme

if TYPE_CHECKING:
    from annotator.store import Project


def _quiet_platform_noise() -> None:
    """Drop the offscreen plugin's "does not support propagateSizeHints()"
    warning (printed on every window it shows); pass everything else on."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if message.startswith("This plugin does not support"):
            return
        if kind != QtMsgType.QtDebugMsg:
            print(f"qt: {message}", file=sys.stderr)

    qInstallMessageHandler(handler)


def ensure_app() -> QApplication:
    """The QApplication (created once)."""
    app = QApplication.instance()
    if app is None:
        _quiet_platform_noise()
        app = QApplication(sys.argv[:1])
        app.setApplicationName("annotator")
        app.setApplicationDisplayName("annotator")
        app.setOrganizationName(user_settings.ORGANIZATION)
    assert isinstance(app, QApplication)
    return app


def resolve_annotator(project: Project, override: str | None, *, interactive: bool) -> str | None:
    """``--annotator`` wins; else the remembered name; else ask (once) and remember.

    Non-interactive runs (``quit_after_ms``, screenshots) fall back to the
    login name instead of opening a dialog.
    """
    if override:
        return override.strip()
    remembered = user_settings.remembered_annotator()
    if remembered:
        return remembered
    if not interactive:
        return getpass.getuser() or "annotator"
    name = ask_annotator(project)
    if name:
        user_settings.remember_annotator(name)
    return name


def _install_excepthook() -> None:
    """A bug in a slot shows a message (and goes to stderr) instead of vanishing.

    Every change is already stored, so the annotator can go on working.
    """
    import traceback

    from PySide6.QtWidgets import QMessageBox

    def hook(exc_type, exc, tb) -> None:  # noqa: ANN001 - sys.excepthook signature
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        print(text, file=sys.stderr)
        box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error",
                          f"{exc_type.__name__}: {exc}\n\nYour work up to the last action is saved.")
        box.setDetailedText(text)
        box.exec()

    sys.excepthook = hook


def _skip_optional_pandas() -> None:
    """Keep sqlite-utils from importing pandas in the GUI process.

    sqlite-utils imports pandas when it is installed, only to map pandas'
    Timestamp to a column type; the GUI never passes it pandas objects, and
    the import costs about 0.8 s of start-up on a 2-core machine.  Set
    ``ANNOTATOR_ALLOW_PANDAS=1`` to keep pandas importable in the GUI.
    """
    if "pandas" not in sys.modules and "sqlite_utils" not in sys.modules \
            and not os.environ.get("ANNOTATOR_ALLOW_PANDAS"):
        sys.modules["pandas"] = None  # type: ignore[assignment] - makes "import pandas" raise ImportError


def _tell_cannot_open(exc: AnnotatorError, *, interactive: bool) -> None:
    """Started from a desktop launcher nobody reads stderr: say why the window does not open."""
    if interactive:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "Cannot open project", str(exc))


def run(path: str | Path, annotator: str | None = None, quit_after_ms: int | None = None) -> int:
    """Open ``path`` in the annotation workspace; returns the exit code.

    ``quit_after_ms`` closes the window after that many milliseconds (smoke
    tests, start-up timing) and never asks questions.
    """
    t0 = time.perf_counter()
    _skip_optional_pandas()
    from annotator.gui.main_window import MainWindow
    from annotator.gui.opening import open_project

    app = ensure_app()
    theme_name = user_settings.theme_name()
    apply_theme(app, theme_name)
    try:
        project = open_project(path)
    except AnnotatorError as exc:
        _tell_cannot_open(exc, interactive=quit_after_ms is None)
        raise
    asked_at = time.perf_counter()
    name = resolve_annotator(project, annotator, interactive=quit_after_ms is None)
    t0 += time.perf_counter() - asked_at  # the time the name dialog was open is the user's, not start-up
    if not name:
        project.close()
        return 1
    try:
        project.add_annotator(name)  # listed for the next start's picker
    except AnnotatorError as exc:  # another program is writing to the file
        project.close()
        _tell_cannot_open(exc, interactive=quit_after_ms is None)
        raise
    previous_hook = sys.excepthook
    _install_excepthook()
    window = MainWindow(project, name, theme_name=theme_name)
    window.restore_layout()
    window.show()
    shown_ms = (time.perf_counter() - t0) * 1000
    window.statusBar().showMessage(f"Ready in {shown_ms:.0f} ms", 4000)
    # spaCy loads after the window is up, off the GUI thread; then documents no suggester has seen
    # (the sample project on a first run) are suggested in the background, without asking
    warm = QTimer(window)  # owned by the window: never fires after it is gone
    warm.setSingleShot(True)
    warm.timeout.connect(window.start_background_work)
    warm.start(300)
    if quit_after_ms is not None:
        QTimer.singleShot(int(quit_after_ms), window.close)
    try:
        code = app.exec()
    finally:
        warm.stop()  # the window outlives run() (tests run several): its start-up work must not come later
        sys.excepthook = previous_hook
        project.close()
    return int(code)
