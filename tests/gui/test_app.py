"""Start-up: the annotator's name (remembered in test-only settings), run(), screenshots."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from annotator.gui import settings as user_settings
from annotator.gui.annotator_dialog import AnnotatorDialog
from annotator.gui.app import resolve_annotator, run
from annotator.store import Project

pytestmark = pytest.mark.gui


def test_app_settings_are_isolated_from_the_user(isolated_settings):
    s = user_settings.settings()
    assert str(isolated_settings) in s.fileName()
    assert "annotator-tests" in s.fileName()


def test_app_annotator_override_then_remembered_name(qapp, demo_project: Project, monkeypatch):
    assert resolve_annotator(demo_project, "  ani ", interactive=False) == "ani"
    user_settings.remember_annotator("sari")
    assert resolve_annotator(demo_project, None, interactive=True) == "sari"
    assert resolve_annotator(demo_project, "budi", interactive=True) == "budi"  # --annotator wins


def test_app_asks_once_and_remembers(qapp, demo_project: Project, monkeypatch):
    import annotator.gui.app as app_mod

    asked: list[int] = []
    monkeypatch.setattr(app_mod, "ask_annotator", lambda project, parent=None, current=None: asked.append(1) or "dewi")
    assert resolve_annotator(demo_project, None, interactive=True) == "dewi"
    assert resolve_annotator(demo_project, None, interactive=True) == "dewi"
    assert asked == [1]
    assert user_settings.remembered_annotator() == "dewi"


def test_app_annotator_dialog_refuses_gold_and_empty(qtbot):
    dlg = AnnotatorDialog(["ani", "budi"])
    qtbot.addWidget(dlg)
    dlg.combo.setCurrentText("gold")
    dlg._accept()
    assert "reserved" in dlg.error.text() and dlg.result() == 0
    dlg.combo.setCurrentText("  ")
    dlg._accept()
    assert "needed" in dlg.error.text()
    dlg.combo.setCurrentText("citra")
    dlg._accept()
    assert dlg.result() == 1 and dlg.name() == "citra"


def test_app_run_opens_and_quits(qapp, demo_path):
    import sys

    hook = sys.excepthook
    assert run(demo_path, annotator="ani", quit_after_ms=200) == 0
    assert sys.excepthook is hook  # the error dialog hook lives only as long as the window
    with Project(demo_path) as p:
        assert "ani" in p.annotators()


def test_app_screenshot_command_writes_png(qapp, demo_path, tmp_path):
    from annotator.cli import main

    out = tmp_path / "shot.png"
    assert main(["screenshot", str(demo_path), "--document", "2", "--out", str(out), "--theme", "dark",
                 "--size", "1000x700"]) == 0
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1000, 700)
    assert user_settings.settings().allKeys() == []  # a screenshot remembers nothing
    assert main(["screenshot", str(demo_path), "--document", "99", "--out", str(out), "--force"]) == 1


def test_app_run_shows_why_a_file_cannot_be_opened(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from annotator.core.errors import AnnotatorError

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    notes = tmp_path / "notes.txt"
    notes.write_text("not a project\n")
    with pytest.raises(AnnotatorError):
        run(notes, annotator="ani")  # the CLI still prints the error and exits 1
    assert shown and "not a project file" in shown[0]
