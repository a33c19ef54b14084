"""Opening a project from the GUI without freezing it.

Opening a project file runs SQLite's ``quick_check`` over the whole file once per process, and
upgrades an older file to this version's schema (a migration can rebuild the search index).
On a project of a million articles or a multi-gigabyte review that is seconds to tens of
seconds, during which a GUI thread doing it draws nothing.  :func:`open_project` does that part
in a worker thread (:func:`annotator.store.project.prepare_project`) while a busy dialog says
what is happening, then opens the project on the GUI thread, where the check is remembered.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from annotator.core.errors import AnnotatorError, ProjectError
from annotator.gui.workers import Task
from annotator.store import Project
from annotator.store.project import needs_preparing, prepare_project

#: A dialog appears only when preparing takes longer than this (a small project opens at once).
SHOW_AFTER_MS = 400


def open_project(target: str | os.PathLike[str], parent: QWidget | None = None) -> Project:
    """The project at ``target`` (a file or a server URL), its check and upgrade run off the GUI
    thread with a busy dialog when they take long.  Raises :class:`AnnotatorError` as opening
    does (the same message: a damaged, foreign, newer or read-only-and-old file)."""
    if needs_preparing(target):
        _prepare_in_worker(target, parent)
    return Project(target)


def _prepare_in_worker(target: str | os.PathLike[str], parent: QWidget | None) -> None:
    outcome: dict[str, BaseException | str] = {}

    def job(progress: object, should_cancel: object) -> None:
        try:
            prepare_project(target)
        except AnnotatorError as exc:  # raised again on the GUI thread, class and message intact
            outcome["error"] = exc

    loop = QEventLoop()
    task = Task(job, "open-project", parent)
    task.finished.connect(loop.quit)
    task.errored.connect(lambda message, _tb: (outcome.setdefault("failed", message), loop.quit()))
    dialog = QProgressDialog(f"Checking {Path(target).name} (and upgrading it if it was made by an older "
                             "version)…", "", 0, 0, parent)
    dialog.setWindowTitle("Opening project")
    dialog.setCancelButton(None)  # the check and an upgrade are one transaction each: nothing to stop halfway
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.reset()  # QProgressDialog shows itself on construction after its minimum duration: only ours decides
    dialog.hide()
    timer = QTimer(singleShot=True, interval=SHOW_AFTER_MS)
    timer.timeout.connect(lambda: task.is_running and dialog.show())
    task.start()
    timer.start()
    if task.is_running:
        loop.exec()
    timer.stop()
    dialog.close()
    dialog.deleteLater()
    task.deleteLater()
    error = outcome.get("error")
    if isinstance(error, BaseException):
        raise error
    if "failed" in outcome:
        raise ProjectError(f"{target}: cannot be opened ({outcome['failed']})")
