"""The annotator's name: a dialog to pick one of the project's annotators or type a new one.

Its own module because both the start-up (``gui/app.py``) and the main window's
"Switch annotator" ask the question, and the window must not import the start-up.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from annotator.core.model import GOLD

if TYPE_CHECKING:
    from annotator.store import Project


class AnnotatorDialog(QDialog):
    """Pick an existing annotator of the project or type a new name."""

    def __init__(self, names: list[str], current: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is annotating?")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Your name, as it will be stored with every span, label and status you make.\n"
                             "Pick one of this project's annotators or type a new one."))
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.addItems(names)
        self.combo.setCurrentText(current or (names[0] if names else getpass.getuser()))
        lay.addWidget(self.combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.error = QLabel()
        self.error.setStyleSheet("color: #D55E00")
        lay.addWidget(self.error)

    def name(self) -> str:
        """The name typed or picked."""
        return self.combo.currentText().strip()

    def _accept(self) -> None:
        name = self.name()
        if not name:
            self.error.setText("A name is needed.")
            return
        if name == GOLD:
            self.error.setText("'gold' is reserved for adjudicated annotations.")
            return
        self.accept()


def ask_annotator(project: Project, parent: QWidget | None = None, current: str | None = None) -> str | None:
    """Ask for the annotator's name (None when cancelled)."""
    names = [n for n in project.annotators() if n != GOLD]
    dlg = AnnotatorDialog(names, current, parent)
    return dlg.name() if dlg.exec() == QDialog.DialogCode.Accepted else None
