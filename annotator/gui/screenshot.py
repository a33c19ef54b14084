"""Render the main window on one document to a PNG, offscreen."""

from __future__ import annotations

import os
from pathlib import Path


def render_screenshot(project_path: str | Path, out: str | Path, *, document: int | None = None,
                      theme_name: str = "light", annotator: str | None = None,
                      size: tuple[int, int] = (1440, 880), select_first: bool = True) -> Path:
    """Open the workspace on ``document`` and save what it shows to ``out``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from annotator.core.errors import NotFoundError
    from annotator.gui.app import ensure_app
    from annotator.gui.main_window import MainWindow
    from annotator.gui.themes import apply_theme
    from annotator.store import Project

    app = ensure_app()
    apply_theme(app, theme_name)
    project = Project(project_path, create=False)
    try:
        name = annotator or next((a for a in project.annotators() if a != "gold"), "annotator")
        window = MainWindow(project, name, theme_name=theme_name, remember=False)  # reads and writes no settings
        window.resize(*size)
        if document is not None:
            if document not in project.document_ids():
                raise NotFoundError(f"no document {document} in {project_path}")
            window.open_document(document)
        window.show()
        for _ in range(5):
            QApplication.processEvents()
        if select_first and window.session.ordered_keys():
            window.session.select_next(1)
            window.view.verticalScrollBar().setValue(0)
        QApplication.processEvents()
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out), "PNG"):
            raise OSError(f"could not write {out}")
        window.close()
        return out
    finally:
        project.close()
