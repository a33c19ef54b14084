"""Retraining automatically every N finished documents: the option (per annotator, in the project),
the run started in the background when the N-th document is marked done, one run at a time, a
failed run reported in the status bar."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from annotator.gui.model_dialog import ModelDialog
from annotator.nlp.auto_train import done_count, due, load_auto_train, mark_started, set_auto_train
from annotator.nlp.train import active_model
from annotator.store import Project
from tests.nlp.test_train import tiny_project


def test_option_counts_finished_documents_since_the_last_run(tmp_path: Path) -> None:
    with tiny_project(tmp_path / "p.db", n=6) as p:
        assert not load_auto_train(p, "alice").on and due(p, "alice") is None  # off by default
        p.set_status(1, "alice", "done")
        set_auto_train(p, "alice", every=2, epochs=3, layers=["entities", "cues"])
        assert load_auto_train(p, "alice").baseline == 1  # counted from the documents done when switched on
        p.set_status(2, "alice", "done")
        assert due(p, "alice") is None
        p.set_status(2, "alice", "in_progress")  # reopened and done again: still one document
        p.set_status(2, "alice", "done")
        assert due(p, "alice") is None
        p.set_status(3, "alice", "done")
        option = due(p, "alice")
        assert option is not None and option.epochs == 3 and option.layers == ["entities", "cues"]
        mark_started(p, "alice")
        assert due(p, "alice") is None and load_auto_train(p, "alice").baseline == done_count(p, "alice") == 3
        # another annotator's option is their own
        assert not load_auto_train(p, "bob").on
        set_auto_train(p, "alice", every=0)
        assert due(p, "alice") is None
        p.set_setting("auto_train:alice", "{broken")
        assert not load_auto_train(p, "alice").on


@pytest.fixture
def alice_window(qtbot, tmp_path: Path):
    from annotator.gui.main_window import MainWindow

    tiny_project(tmp_path / "p.db", n=6).close()
    project = Project(tmp_path / "p.db")
    win = MainWindow(project, "alice", remember=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    project.close()


def _finish(win, doc_id: int) -> None:
    win.open_document(doc_id)
    assert win.session.set_status("done")


def test_models_dialog_option_and_the_run_it_starts(qtbot, alice_window, tmp_path: Path) -> None:
    win = alice_window
    # the option, set in the Models dialog, is stored in the project for this annotator
    dialog = ModelDialog(win.project.path, win, annotator="alice", train_runner=win.auto_train.runner)
    qtbot.addWidget(dialog)
    assert not dialog.auto.isChecked()  # off by default
    dialog.epochs.setValue(1)
    dialog.out.setText(str(tmp_path / "models"))
    dialog.auto_every.setValue(2)
    dialog.auto.setChecked(True)
    option = load_auto_train(win.project, "alice")
    assert option.every == 2 and option.epochs == 1 and option.out == str(tmp_path / "models")
    dialog.close()
    # a second dialog shows the stored option
    again = ModelDialog(win.project.path, win, annotator="alice")
    qtbot.addWidget(again)
    assert again.auto.isChecked() and again.auto_every.value() == 2 and again.epochs.value() == 1
    again.close()

    _finish(win, 1)
    assert win.auto_train.task is None  # one of two
    ticks: list[float] = []
    with qtbot.waitSignal(win.auto_train.started, timeout=5000):
        _finish(win, 2)
    assert win.auto_train.bar.label.isVisible() and win.auto_train.bar.label.text().startswith("Training")
    # the window stays responsive while the child process trains
    from PySide6.QtCore import QTimer

    beat = QTimer(win)
    beat.timeout.connect(lambda: ticks.append(time.monotonic()))
    beat.start(50)
    # never two runs at once: a third done document or "Train now" while it runs starts nothing
    _finish(win, 3)
    assert win.auto_train.check() is None
    busy = ModelDialog(win.project.path, win, annotator="alice", train_runner=win.auto_train.runner)
    qtbot.addWidget(busy)
    assert busy.train() is None and "already under way" in busy.log.toPlainText()
    busy.close()
    with qtbot.waitSignal(win.auto_train.ended, timeout=240000) as ended:
        pass
    beat.stop()
    report = ended.args[0]
    assert report is not None and win.auto_train.last_error is None
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) > 10 and max(gaps) < 1.0, (len(ticks), max(gaps, default=None))
    runs = win.project.model_runs()
    assert len(runs) == 1 and runs[0]["source"] == "alice" and runs[0]["id"] == report["run_id"]
    assert Path(runs[0]["path"]).parent == tmp_path / "models"
    # the usual rule decides whether the new model suggests
    active = active_model(win.project)
    assert (active is not None and active["id"] == report["run_id"]) == (report["score"] >= 0.7)
    # the count starts again at the run: 3 is done, one more is not enough
    assert load_auto_train(win.project, "alice").baseline == 2
    assert due(win.project, "alice") is None


def test_a_failed_run_is_reported_in_the_status_bar(qtbot, alice_window, tmp_path: Path) -> None:
    win = alice_window
    for doc_id in win.project.document_ids():  # nobody answered the stance question: --stance cannot train
        win.project.clear_answer(doc_id, "alice", "stance")
    set_auto_train(win.project, "alice", every=1, epochs=1, stance=True, out=str(tmp_path / "models"))
    with qtbot.waitSignal(win.auto_train.ended, timeout=240000) as ended:
        _finish(win, 1)
    assert ended.args[0] is None
    assert "stance" in (win.auto_train.last_error or "")
    assert win.auto_train.warning.isVisible() and "failed" in win.auto_train.warning.text()
    assert "stance" in win.auto_train.warning.toolTip()
    assert win.project.model_runs() == []
