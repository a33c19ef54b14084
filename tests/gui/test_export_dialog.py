"""File > Export dialog: choices, background export with progress, report, cancel, overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.formats import import_paths
from annotator.gui.export_dialog import ALL_CHOICE, GOLD_CHOICE, ExportDialog
from annotator.store import Project
from tests.conftest import SEED_FILES
from tests.formats.helpers import annotate_seeds

pytestmark = pytest.mark.gui


@pytest.fixture
def annotated_path(project_path: Path) -> Path:
    with Project(project_path) as p:
        assert import_paths(p, SEED_FILES).ok
        annotate_seeds(p)
    return project_path


def test_export_dialog_offers_annotators_layers_and_formats(qtbot, annotated_path: Path) -> None:
    dialog = ExportDialog(annotated_path, annotator="ana")
    qtbot.addWidget(dialog)
    who = [dialog.who_box.itemData(i) for i in range(dialog.who_box.count())]
    assert who == [GOLD_CHOICE, ALL_CHOICE, "ana", "budi"]
    assert dialog.who_box.currentData() == "ana"  # no gold yet: the current annotator
    formats = {dialog.format_box.itemData(i) for i in range(dialog.format_box.count())}
    assert formats == {"spacy", "jsonl", "native", "conll", "conllu", "brat", "doccano", "labelstudio"}
    assert [dialog.layer_box.itemData(i) for i in range(dialog.layer_box.count())] == [None, "entities", "cues"]
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("brat"))
    assert not dialog.misaligned_box.isEnabled() and not dialog.scheme_box.isEnabled()
    assert dialog.out_edit.text().endswith("project-brat")
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("conll"))
    assert dialog.scheme_box.isEnabled() and dialog.out_edit.text().endswith("project-conll.conll")


def test_export_dialog_exports_in_the_background_and_shows_the_report(qtbot, annotated_path: Path, tmp_path: Path) -> None:
    dialog = ExportDialog(annotated_path, annotator="ana")
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("jsonl"))
    dialog.who_box.setCurrentIndex(dialog.who_box.findData(ALL_CHOICE))
    out = tmp_path / "out.jsonl"
    dialog.out_edit.setText(str(out))
    progress: list[tuple[int, int]] = []
    with qtbot.waitSignal(dialog.exported, timeout=30000) as blocker:
        task = dialog.start_export()
        assert task is not None
        task.progress.connect(lambda d, t, w: progress.append((d, t)))
        assert not dialog.export_button.isEnabled() and dialog.close_button.text() == "Cancel"
    report = blocker.args[0]
    assert report.records == 3 and progress[-1] == (2, 2)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    assert "exported 3 record(s)" in dialog.status_label.text()
    assert dialog.export_button.isEnabled() and dialog.close_button.text() == "Close"


def test_export_dialog_asks_before_replacing_and_reports_misaligned(qtbot, annotated_path: Path, tmp_path: Path) -> None:
    from annotator.core.model import Span

    with Project(annotated_path) as p:
        p.add_span(p.document_ids()[0], Span(1, 4, "PER"), "ana")  # inside a word
    dialog = ExportDialog(annotated_path, annotator="ana")
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("conll"))
    out = tmp_path / "x.conll"
    out.write_text("old")
    dialog.out_edit.setText(str(out))
    dialog.confirm_overwrite = lambda path: False  # type: ignore[method-assign]
    assert dialog.start_export() is None and out.read_text() == "old"
    dialog.confirm_overwrite = lambda path: True  # type: ignore[method-assign]
    dialog.misaligned_box.setCurrentIndex(dialog.misaligned_box.findData("fail"))
    with qtbot.waitSignal(_ended(dialog), timeout=30000):
        pass
    assert "not on token boundaries" in (dialog.last_error or "") and out.read_text() == "old"
    dialog.misaligned_box.setCurrentIndex(dialog.misaligned_box.findData("skip"))
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        dialog.start_export()
    assert "skipped" in dialog.report_view.toPlainText() and out.read_text() != "old"


def _ended(dialog: ExportDialog):  # type: ignore[no-untyped-def]
    task = dialog.start_export()
    assert task is not None
    return task.ended


def test_export_dialog_cancel_writes_nothing(qtbot, annotated_path: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    import annotator.formats.export as export_mod

    gate = threading.Event()
    real = export_mod.iter_records

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        for item in real(*args, **kwargs):
            gate.wait(10)
            yield item

    monkeypatch.setattr(export_mod, "iter_records", slow)
    dialog = ExportDialog(annotated_path, annotator="ana")
    qtbot.addWidget(dialog)
    out = tmp_path / "c.jsonl"
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("jsonl"))
    dialog.out_edit.setText(str(out))
    task = dialog.start_export()
    assert task is not None
    with qtbot.waitSignal(task.cancelled, timeout=30000):
        dialog.reject()  # Esc while running cancels instead of closing
        gate.set()
    assert "cancelled" in dialog.status_label.text() and not out.exists()
    assert list(tmp_path.glob(".c.jsonl*")) == []
    assert json.dumps(dialog.options())  # the choices are plain data


def test_export_dialog_closing_while_running_cancels_then_closes(qtbot, annotated_path: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    import annotator.formats.export as export_mod

    gate = threading.Event()
    real = export_mod.iter_records

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        for item in real(*args, **kwargs):
            gate.wait(10)
            yield item

    monkeypatch.setattr(export_mod, "iter_records", slow)
    dialog = ExportDialog(annotated_path, annotator="ana")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.out_edit.setText(str(tmp_path / "x.spacy"))
    task = dialog.start_export()
    assert task is not None
    with qtbot.waitSignal(dialog.finished, timeout=30000):  # QDialog.finished: the dialog closed
        assert not dialog.close()  # refused for now: the worker must stop first
        gate.set()
    assert not task.is_running and not (tmp_path / "x.spacy").exists()


def test_export_dialog_labels_show_no_ampersand_and_are_not_clipped(qtbot, annotated_path: Path) -> None:
    from PySide6.QtWidgets import QLabel

    dialog = ExportDialog(annotated_path, annotator="ana")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    out_label = next(lab for lab in dialog.findChildren(QLabel) if lab.text() == "&Output:")
    assert out_label.buddy() is dialog.out_edit  # without a buddy Qt draws "&Output:" literally
    check, spin = dialog.split_check, dialog.split_spin
    assert check.geometry().left() + check.sizeHint().width() <= spin.geometry().left()  # text not covered
