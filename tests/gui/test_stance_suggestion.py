"""The stance panel's pre-selection: a trained classifier's stance, computed by the window's suggest
job (off the GUI thread), shows as a suggestion (dashed, "Suggested X 0.82") that is no answer until
the annotator confirms it (a click on the value, or Confirm / Enter); another value overrides it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.nlp.train import train_project, use_model
from annotator.store import Project
from tests.nlp.test_train import tiny_project


@pytest.fixture(scope="module")
def stance_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stance_gui")
    with tiny_project(folder / "p.db", n=6) as p:
        report = train_project(p, source="alice", out=folder / "model", layers=["entities"], stance=True, epochs=2,
                               patience=2, eval_split=0.3)
        use_model(p, str(report.run_id))
    return folder / "p.db"


@pytest.fixture
def bob_window(qtbot, stance_project: Path, tmp_path: Path):
    from annotator.gui.main_window import MainWindow

    shutil.copy(stance_project, tmp_path / "p.db")
    project = Project(tmp_path / "p.db")
    win = MainWindow(project, "bob", remember=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    project.close()


def _stance(win, doc_id: int) -> str | None:
    return next((a.value for a in win.project.answers(doc_id, "bob") if a.question == "stance"), None)


def _button(win, value: str):
    group = win.answers._groups["stance"]  # noqa: SLF001 - the panel's buttons
    return next(b for b in group.buttons() if b.text() == value)


def test_suggested_stance_is_confirmed_or_overridden(qtbot, bob_window) -> None:
    win = bob_window
    win.open_document(1)
    assert win.answers.suggestion("stance") is None  # nothing suggested yet
    job = win.suggest_project()
    with qtbot.waitSignal(job.ended, timeout=120000):
        pass
    qtbot.waitUntil(lambda: win.answers.suggestion("stance") is not None, timeout=10000)
    sug = win.answers.suggestion("stance")
    assert sug.origin.startswith("model:") and 0 < sug.score <= 1
    row, label, confirm = win.answers._hints["stance"]  # noqa: SLF001 - the hint row
    assert row.isVisible() and f"Suggested <b>{sug.value}</b> {sug.score:.2f}" in label.text()
    suggested = _button(win, sug.value)
    assert suggested.property("suggested") is True and not suggested.isChecked()
    assert all(b.property("suggested") is not True for b in win.answers._groups["stance"].buttons()  # noqa: SLF001
               if b is not suggested)
    assert _stance(win, 1) is None  # a suggestion is never stored as the answer

    # a click on the suggested value confirms it
    qtbot.mouseClick(suggested, Qt.MouseButton.LeftButton)
    assert _stance(win, 1) == sug.value
    assert win.answers.suggestion("stance") is None and not row.isVisible()
    assert suggested.isChecked() and suggested.property("suggested") is False
    # withdrawing the answer shows the suggestion again
    qtbot.mouseClick(suggested, Qt.MouseButton.LeftButton)
    assert _stance(win, 1) is None and win.answers.suggestion("stance") is not None

    # Enter on Confirm
    win.open_document(2)
    sug2 = win.answers.suggestion("stance")
    assert sug2 is not None and _stance(win, 2) is None
    confirm.setFocus()
    qtbot.keyClick(confirm, Qt.Key.Key_Return)
    assert _stance(win, 2) == sug2.value

    # another value overrides the suggestion
    win.open_document(3)
    sug3 = win.answers.suggestion("stance")
    other = next(v for v in ("FAVOR", "AGAINST", "NEUTRAL") if v != sug3.value)
    qtbot.mouseClick(_button(win, other), Qt.MouseButton.LeftButton)
    assert _stance(win, 3) == other and win.answers.suggestion("stance") is None
    # the undo stack takes the confirmed answer back like any answer
    win.session.undo_stack.undo()
    assert _stance(win, 3) is None
    qtbot.waitUntil(lambda: win.answers.suggestion("stance") is not None, timeout=5000)
