"""GUI fixtures: settings kept away from the user's, a small project with
suggestions, and a shown main window."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.store import Project
from tests.demo import TEXT_A, TEXT_B, TEXT_C, find, make_demo, suggestion

__all__ = ["TEXT_A", "TEXT_B", "TEXT_C", "find", "suggestion"]


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """QSettings go to a temporary folder under a test organisation name."""
    from PySide6.QtCore import QSettings

    from annotator.gui import settings as user_settings

    folder = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    monkeypatch.setattr(user_settings, "ORGANIZATION", "annotator-tests")
    yield folder


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    """A project with three documents; A and C carry suggestions."""
    return make_demo(tmp_path / "demo.db")


@pytest.fixture
def demo_project(demo_path: Path):
    """The demo project, open."""
    with Project(demo_path) as p:
        yield p


@pytest.fixture
def window(qtbot, demo_project: Project):
    """A shown, active main window for annotator ``ani`` on document 1."""
    from annotator.gui.main_window import MainWindow

    win = MainWindow(demo_project, "ani")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    win.view.setFocus()
    win.open_document(1)
    yield win
    win.close()
