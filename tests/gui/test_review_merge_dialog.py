"""File > Merge: the dialog merges in the background and lists conflicts."""

from __future__ import annotations

import pytest

from annotator.gui.review import MergeDialog
from annotator.store import Project
from tests.review.factory import build, words_text

pytestmark = pytest.mark.gui


def test_review_merge_dialog_merges_and_reports_conflicts(qtbot, tmp_path):
    text = words_text(5)
    for name, label in (("a", "PER"), ("b", "ORG")):
        p, _ = build(tmp_path / f"{name}.db", [text], {"alice": {0: {"spans": [(0, 2, label)], "state": "done"}}})
        p.close()
    dialog = MergeDialog(tmp_path / "review.db")
    qtbot.addWidget(dialog)
    assert dialog.start() is None and "Choose" in dialog.log.toPlainText()
    dialog.add_sources([tmp_path / "a.db", tmp_path / "b.db", tmp_path / "a.db"])
    assert len(dialog.source_paths()) == 2
    with qtbot.waitSignal(dialog.merged, timeout=10000) as blocker:
        dialog.merge_button.click()
    report = blocker.args[0]
    assert len(report.conflicts) == 1
    log = dialog.log.toPlainText()
    assert "Conflicts (the review kept what it had)" in log and "b.db" in log
    with Project(tmp_path / "review.db") as p:
        assert [s.label for s in p.spans(p.document_ids()[0], "alice")] == ["PER"]
    assert dialog.merge_button.isEnabled() and not dialog.progress.isVisible()
