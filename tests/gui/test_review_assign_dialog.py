"""Review > Assign documents: assignment and packages in the background."""

from __future__ import annotations

import pytest

from annotator.gui.review import AssignDialog
from annotator.review.assign import assignments
from annotator.store import Project
from tests.review.factory import build, words_text

pytestmark = pytest.mark.gui


def test_review_assign_dialog_assigns_and_exports_packages(qtbot, tmp_path):
    p, ids = build(tmp_path / "r.db", [words_text(4, salt=i) for i in range(6)], {})
    p.close()
    dialog = AssignDialog(tmp_path / "r.db", ["gold"])
    qtbot.addWidget(dialog)
    assert dialog.names.text() == ""
    dialog.names.setText("alice, bob; cici")
    dialog.overlap.setValue(2)
    with qtbot.waitSignal(dialog.assigned, timeout=10000) as blocker:
        dialog.assign_button.click()
    assert blocker.args[0].added == 12
    assert "alice & bob" in dialog.log.toPlainText()
    with Project(tmp_path / "r.db") as p:
        assert all(len(v) == 2 for v in assignments(p).values()) and len(assignments(p)) == 6
    out = tmp_path / "packages"
    out.mkdir()
    task = dialog.export_packages(out)
    with qtbot.waitSignal(task.ended, timeout=10000):
        pass
    assert sorted(f.name for f in out.glob("*.db")) == ["alice.db", "bob.db", "cici.db"]
    assert "4 document(s)" in dialog.log.toPlainText()
    assert dialog.assign_button.isEnabled()
