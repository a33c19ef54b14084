"""Opening a project from the GUI: the whole-file check and an upgrade run in a worker thread,
a busy dialog shows when they take long, errors come back as opening's own (gui/opening.py)."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

import annotator.gui.opening as opening
import annotator.store.project as project_module
from annotator.core.errors import ProjectError
from annotator.core.model import Document
from annotator.gui.opening import open_project
from annotator.store import SCHEMA_VERSION, Project
from annotator.store.project import needs_preparing


def _on_gui_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@pytest.fixture
def older_project(tmp_path):
    """A project file one schema version behind (its last migration to run again on open)."""
    path = tmp_path / "older.db"
    with Project(path) as p:
        p.add_document(Document(text="Menteri Pertahanan Rusia bertemu di Moskwa.", title="t", source="Tempo"))
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.close()
    return path


def test_the_check_and_the_upgrade_run_off_the_gui_thread(qtbot, older_project, monkeypatch):
    seen: list[tuple[str, bool]] = []
    real_check = project_module.quick_check

    def check(conn, **kw):
        seen.append(("check", _on_gui_thread()))
        return real_check(conn, **kw)

    migrations = list(project_module.MIGRATIONS)
    last = migrations[-1]

    def upgrade(db):
        seen.append(("upgrade", _on_gui_thread()))
        return last(db)

    migrations[-1] = upgrade
    monkeypatch.setattr(project_module, "quick_check", check)
    monkeypatch.setattr(project_module, "MIGRATIONS", migrations)
    assert needs_preparing(older_project)
    project = open_project(older_project)
    try:
        assert seen == [("check", False), ("upgrade", False)]  # nothing of it on the GUI thread, nothing twice
        assert project.schema_version == SCHEMA_VERSION
        assert project.count_documents() == 1
        assert not needs_preparing(older_project)
    finally:
        project.close()


def test_a_busy_dialog_shows_while_it_takes_long_and_the_window_keeps_drawing(qtbot, older_project, monkeypatch):
    real = opening.prepare_project

    def slow(target):
        time.sleep(1.2)
        real(target)

    monkeypatch.setattr(opening, "prepare_project", slow)
    shown: list[list[str]] = []
    QTimer.singleShot(opening.SHOW_AFTER_MS + 400, lambda: shown.append(
        [w.labelText() for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]))
    project = open_project(older_project)
    project.close()
    assert shown and len(shown[0]) == 1 and "older.db" in shown[0][0]  # the event loop ran: the timer fired
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def test_an_unusable_file_raises_the_error_opening_gives(qtbot, tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE x (a)")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError) as direct:
        Project(other)
    with pytest.raises(ProjectError) as via_gui:
        open_project(other)
    assert str(via_gui.value) == str(direct.value) and "not an annotator project" in str(via_gui.value)
    newer = tmp_path / "newer.db"
    Project(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ProjectError, match="newer annotator"):
        open_project(newer)
