"""Document > Models…: training in a child process, progress per epoch, cancel keeps the best, history, choice."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from annotator.gui.model_dialog import ModelDialog, epoch_text, train_command
from annotator.nlp.train import active_model
from annotator.store import Project
from tests.nlp.test_train import tiny_project

# A stand-in for 'annotator train' (the real one is tested end to end below and in tests/nlp/test_train.py):
# one epoch line a tenth of a second, Ctrl+C prints the report with cancelled=true.
FAKE = r'''
import json, sys, time
epochs = int(sys.argv[1])
def ep(k):
    return {"epoch": k, "losses": {"ner": 10.0 / k}, "score": 0.5,
            "scores": {"entities": {"f1": 0.1 * k, "per_label": {"PER": {"f1": 0.2}}}}, "best": True}
done = 0
try:
    for k in range(1, epochs + 1):
        time.sleep(0.1)
        print("EPOCH " + json.dumps(ep(k)), file=sys.stderr, flush=True)
        done = k
    cancelled = False
except KeyboardInterrupt:
    cancelled = True
print(json.dumps({"best_epoch": done, "score": 0.1 * done, "documents": 5, "seconds": 1.0, "cancelled": cancelled}))
'''


def fake(project: Path, source: str, out: Path, layers: list[str], stance: bool, epochs: int) -> list[str]:
    return [sys.executable, "-c", FAKE, str(epochs), "--epochs", str(epochs)]


def test_model_dialog_progress_and_cancel(qtbot, tmp_path: Path) -> None:
    tiny_project(tmp_path / "p.db", n=4).close()
    dialog = ModelDialog(tmp_path / "p.db", annotator="alice", command=fake)
    qtbot.addWidget(dialog)
    dialog.epochs.setValue(3)
    task = dialog.train()
    assert task is not None and not dialog.train_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.last_report is not None, timeout=20000)
    assert dialog.last_report["best_epoch"] == 3 and dialog.bar.value() == 3
    assert "F1 0.300 (PER 0.20)" in dialog.log.toPlainText()
    qtbot.waitUntil(lambda: dialog.train_button.isEnabled(), timeout=5000)
    # a long run, cancelled after its first epoch: the child gets Ctrl+C and reports what it kept
    dialog.epochs.setValue(200)
    dialog.last_report = None
    task = dialog.train()
    qtbot.waitUntil(lambda: dialog.bar.value() >= 1, timeout=20000)
    with qtbot.waitSignal(task.cancelled, timeout=20000):
        dialog.cancel()
    assert "cancelled" in dialog.log.toPlainText() and dialog.last_report is None
    qtbot.waitUntil(lambda: dialog.train_button.isEnabled(), timeout=5000)


def test_model_dialog_trains_for_real_and_picks_the_model(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    tiny_project(db, n=6).close()
    dialog = ModelDialog(db, annotator="alice")
    qtbot.addWidget(dialog)
    dialog.epochs.setValue(1)
    dialog.out.setText(str(tmp_path / "models"))
    dialog.train()
    qtbot.waitUntil(lambda: dialog.last_report is not None or dialog.last_error is not None, timeout=240000)
    assert dialog.last_error is None, dialog.last_error
    qtbot.waitUntil(lambda: dialog.history.rowCount() == 1, timeout=5000)
    assert dialog.history.item(0, 0).text().startswith("1") and dialog.history.item(0, 2).text() == "alice"
    # picking the run makes it the one that suggests (starred)
    dialog.use.setCurrentIndex(dialog.use.findData("1"))
    dialog._use_changed(dialog.use.currentIndex())  # noqa: SLF001 - what activating the item does
    assert dialog.history.item(0, 0).text() == "1 *"
    assert "epoch 1" in dialog.log.toPlainText()
    # "no model" from the choice box: the project's setting follows
    dialog.use.setCurrentIndex(dialog.use.findData("none"))
    dialog._use_changed(dialog.use.currentIndex())  # noqa: SLF001 - what activating the item does
    with Project(db) as p:
        assert active_model(p) is None
    assert dialog.history.item(0, 0).text() == "1"


def test_epoch_text_and_command() -> None:
    ep = {"epoch": 2, "losses": {"ner": 12.4}, "best": True,
          "scores": {"entities": {"f1": 0.5, "per_label": {"LOC": {"f1": 0.25}}}, "cues": {"f1": 0.1}}}
    assert epoch_text(ep) == "epoch 2  loss ner 12  F1 0.500 (LOC 0.25)  cues 0.100  best"
    argv = train_command(Path("p.db"), "gold", Path("m"), ["entities", "cues"], True, 5)
    assert argv[1:4] == ["-m", "annotator", "train"] and "--gold" in argv and "--stance" in argv
    assert json.dumps(argv).count("--epoch-json") == 1


def test_models_menu_opens_the_dialog(qtbot, window) -> None:
    from annotator.gui.model_dialog import ModelDialog

    action = next(a for a in window.findChildren(type(window.menuBar().actions()[0])) if a.text() == "&Models…")
    action.trigger()
    dialog = window.findChild(ModelDialog)
    assert dialog is not None and dialog.isVisible() and dialog.source.currentText() in ("", "ani")
    dialog.close()
