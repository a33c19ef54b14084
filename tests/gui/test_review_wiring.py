"""install_review_actions puts the review features into a main window's menus."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow, QMenu

from annotator.gui.review import AssignDialog, MergeDialog, ReviewWindow, install_review_actions
from annotator.store import Project
from tests.review.factory import build, words_text

pytestmark = pytest.mark.gui


class FakeMainWindow(QMainWindow):
    """What the real MainWindow offers by contract: menu(name), project, annotator."""

    def __init__(self, project: Project, annotator: str) -> None:
        super().__init__()
        self.project = project
        self.annotator = annotator
        self._menus = {n: self.menuBar().addMenu(n) for n in ("File", "Review")}

    def menu(self, name: str) -> QMenu:
        return self._menus[name]


def test_review_wiring_adds_menu_actions_that_open_the_windows(qtbot, tmp_path):
    p, _ = build(tmp_path / "p.db", [words_text(4)], {"alice": {0: {"spans": [(0, 2, "PER")], "state": "done"}}})
    main = FakeMainWindow(p, "alice")
    qtbot.addWidget(main)
    actions = install_review_actions(main)
    assert actions["merge"] in main.menu("File").actions()
    assert {actions["review"], actions["assign"]} <= set(main.menu("Review").actions())
    actions["review"].trigger()
    review = main._review_opened[-1]
    assert isinstance(review, ReviewWindow) and review.reviewer == "alice"
    assert review.agreement is None  # blind mode: alice is an annotator
    review.close()
    main.annotator = "gold"
    actions["review"].trigger()
    review = main._review_opened[-1]
    assert review.agreement is not None
    with qtbot.waitSignal(review.agreement.computed, timeout=10000):
        pass
    review.close()
    actions["merge"].trigger()
    assert isinstance(main._review_opened[-1], MergeDialog)
    assert main._review_opened[-1].review.text() == str(p.path)
    actions["assign"].trigger()
    assert isinstance(main._review_opened[-1], AssignDialog)
    assert main._review_opened[-1].names.text() == "alice"
    for w in main._review_opened:
        w.close()
    p.close()
