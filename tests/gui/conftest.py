"""GUI fixtures: settings kept away from the user's, a small project with
suggestions, and a shown main window."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.model import Document, Span
from annotator.store import Project

TEXT_A = ("Presiden Joko Widodo bertemu Menteri Pertahanan Rusia Sergei Shoigu di Moskwa pada Senin.\n"
          "Shoigu mengatakan Rusia berkomitmen memperkuat hubungan militer dengan Indonesia.")
TEXT_B = "🇮🇩 Jokowi 👍 bertemu Prabowo di Jakarta.\nMereka membahas anggaran pertahanan."
TEXT_C = "Dewan Keamanan PBB mengecam kudeta militer di Myanmar pada Februari."


def find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """Code-point offsets of the nth occurrence of ``needle``."""
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return pos, pos + len(needle)


def suggestion(text: str, needle: str, label: str, layer: str = "entities", score: float = 0.8) -> Span:
    s, e = find(text, needle)
    return Span(s, e, label, layer, origin="rule:test", score=score)


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
    path = tmp_path / "demo.db"
    with Project(path) as p:
        a, _ = p.add_document(Document(TEXT_A, title="Jokowi dan Shoigu", source="Kompas.com", published="2021-06-22"))
        b, _ = p.add_document(Document(TEXT_B, title="Emoji", source="Detik"))
        c, _ = p.add_document(Document(TEXT_C, title="Dewan Keamanan", source="Kompas.com"))
        p.set_suggestions(a, [
            suggestion(TEXT_A, "Joko Widodo", "PER"),
            suggestion(TEXT_A, "Rusia", "LOC", score=0.9),
            suggestion(TEXT_A, "Sergei Shoigu", "PER"),
            suggestion(TEXT_A, "Moskwa", "LOC"),
            suggestion(TEXT_A, "mengatakan", "REPORT", "cues", 0.7),
        ], suggester="test", version="1")
        p.set_suggestions(c, [suggestion(TEXT_C, "Dewan Keamanan PBB", "ORG"),
                              suggestion(TEXT_C, "Myanmar", "LOC")], suggester="test", version="1")
    return path


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
