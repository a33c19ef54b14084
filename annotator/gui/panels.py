"""Side panels: the label palette (from the schema, with hotkeys) and the
document panel (the ``stance`` question with its target, and the note).

A suggested answer (a trained model's stance) shows as a pre-selection: its
value's button framed dashed and in italics, a line "Suggested AGAINST 0.82"
with a Confirm button (Enter when it has the focus); a click on the suggested
value or Confirm makes it the annotator's answer, another value overrides it.
Until then nothing is stored as an answer."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import Answer, AnswerSuggestion
from annotator.core.schema import LabelSchema
from annotator.gui.themes import LIGHT, Theme


def _chip_style(colour: str) -> str:
    """A label chip in its colour; the active one (checked) gets a frame.  One
    style sheet per button, set once: restyling on every selection was the
    slowest part of selecting a span."""
    c = QColor(colour)
    text = "#111111" if c.lightnessF() > 0.55 else "#ffffff"
    return (f"QToolButton {{ background: {colour}; color: {text}; border: 2px solid transparent;"
            " border-radius: 4px; padding: 3px 6px; font-weight: 600; }"
            " QToolButton:checked { border: 2px solid palette(text); }")


class LabelPalette(QWidget):
    """One row of label buttons per layer; the active layer's number keys pick its labels."""

    labelChosen = Signal(str, str)  # noqa: N815 - layer, label
    layerChosen = Signal(str)  # noqa: N815

    def __init__(self, schema: LabelSchema, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.schema = schema
        self._buttons: dict[tuple[str, str], QToolButton] = {}
        self._headers: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        for lay in schema.layers:
            header = QPushButton(f"{lay.name.capitalize()}  ·  {'underline' if lay.style == 'underline' else 'highlight'}")
            header.setFlat(True)
            header.setCheckable(True)
            header.setToolTip(f"{lay.description or lay.name}. Press L to switch the active layer.")
            header.clicked.connect(lambda _=False, n=lay.name: self.layerChosen.emit(n))
            self._headers[lay.name] = header
            layout.addWidget(header)
            grid = QGridLayout()
            grid.setSpacing(4)
            cols = 3 if len(lay.labels) > 8 else 2  # a long layer (cues) stays as short as it was
            for i, lab in enumerate(lay.labels):
                b = QToolButton()
                b.setText(f"{lab.hotkey}  {lab.name}" if lab.hotkey else lab.name)
                b.setToolTip(f"{lab.name}: {lab.description}" + (f"  (key {lab.hotkey})" if lab.hotkey else ""))
                b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                b.setStyleSheet(_chip_style(lab.colour))
                b.setCheckable(True)
                b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                b.clicked.connect(lambda _=False, n=lay.name, l_=lab.name: self.labelChosen.emit(n, l_))
                self._buttons[(lay.name, lab.name)] = b
                grid.addWidget(b, i // cols, i % cols)
            layout.addLayout(grid)
        layout.addStretch(1)
        self.set_theme(LIGHT)
        self.set_active(schema.layers[0].name, schema.layers[0].labels[0].name)

    def set_theme(self, theme: Theme) -> None:
        """Colour the layer headers from the theme: a style sheet keeps the colours of the palette it
        was first polished with, so after a switch to dark the inactive header was dark on dark."""
        style = (f"QPushButton {{ text-align: left; padding: 2px 4px; border: none; border-radius: 3px;"
                 f" color: {theme.muted}; background: transparent; }}"
                 f" QPushButton:checked {{ font-weight: 700; color: {theme.text}; background: {theme.button}; }}")
        for header in self._headers.values():
            header.setStyleSheet(style)

    def set_active(self, layer: str, label: str) -> None:
        """Mark the active layer and its active label."""
        # always sync: a click on the active chip has just unchecked it
        self._active = (layer, label)
        for name, header in self._headers.items():
            header.setChecked(name == layer)
        for key, b in self._buttons.items():
            b.setChecked(key == (layer, label))

    def header(self, layer: str) -> QPushButton:
        """The header (layer switch) of a layer (tests)."""
        return self._headers[layer]

    def button(self, layer: str, label: str) -> QToolButton:
        """The button of a label (tests)."""
        return self._buttons[(layer, label)]


class _CommitOnFocusOut(QObject):
    def __init__(self, callback, parent: QObject) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._cb = callback

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FocusOut:
            self._cb()
        return False


class _ConfirmButton(QPushButton):
    """Enter and Return click it when it has the focus (a window shortcut would take them first:
    Enter accepts the selected span suggestion)."""

    def event(self, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return True
        return super().event(event)


class AnswerPanel(QWidget):
    """Document questions: choice questions as buttons (with an entity target
    when the schema asks for one), free-text questions as a note."""

    answerChanged = Signal(str, object, object)  # noqa: N815 - question, value or None, target or None

    def __init__(self, schema: LabelSchema, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.schema = schema
        self._groups: dict[str, QButtonGroup] = {}
        self._targets: dict[str, QComboBox] = {}
        self._notes: dict[str, QPlainTextEdit] = {}
        self._loaded_notes: dict[str, str] = {}
        self._loading = False
        self._suggested: dict[str, AnswerSuggestion] = {}
        self._hints: dict[str, tuple[QWidget, QLabel, QPushButton]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for q in schema.questions:
            title = QLabel(f"<b>{q.name.capitalize()}</b>")
            title.setToolTip(q.description)
            layout.addWidget(title)
            if q.free_text:
                edit = QPlainTextEdit()
                edit.setPlaceholderText(q.description or "Note")
                edit.setTabChangesFocus(True)
                edit.setFixedHeight(70)
                timer = QTimer(edit)
                timer.setSingleShot(True)
                timer.setInterval(1200)
                timer.timeout.connect(lambda n=q.name: self.commit_note(n))
                edit.textChanged.connect(lambda t=timer: None if self._loading else t.start())
                edit.installEventFilter(_CommitOnFocusOut(lambda n=q.name: self.commit_note(n), edit))
                self._notes[q.name] = edit
                layout.addWidget(edit)
                continue
            row = QHBoxLayout()
            group = QButtonGroup(self)
            row.setSpacing(4)
            group.setExclusive(False)
            for i, value in enumerate(q.values):
                b = QPushButton(value)
                b.setCheckable(True)
                b.setStyleSheet("QPushButton:checked { background: palette(highlight); color: palette(highlighted-text);"
                                " font-weight: 700; border: 1px solid palette(highlight); border-radius: 3px;"
                                " padding: 4px; }"
                                ' QPushButton[suggested="true"] { font-style: italic; border: 2px dashed'
                                " palette(highlight); border-radius: 3px; padding: 3px; }")
                b.setToolTip(f"{q.name} = {value}  (Ctrl+{i + 1})")
                b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                group.addButton(b, i)
                row.addWidget(b)
            group.idClicked.connect(lambda i, n=q.name: self._value_clicked(n, i))
            self._groups[q.name] = group
            layout.addLayout(row)
            layout.addWidget(self._hint_row(q.name))
            if q.target == "entity":
                combo = QComboBox()
                combo.setToolTip("The target of the stance: one of the article's entities (type to find one)")
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                combo.setMinimumContentsLength(12)
                # typeable, but only an entity of the article can be chosen: typing filters the list
                # (any case, anywhere in the name) and Enter or a click picks from it
                combo.setEditable(True)
                combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
                combo.lineEdit().setPlaceholderText("type or choose an entity")
                completer = QCompleter(combo.model(), combo)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
                combo.setCompleter(completer)
                combo.lineEdit().returnPressed.connect(lambda n=q.name: self._target_typed(n))
                combo.activated.connect(lambda _i, n=q.name: self._target_changed(n))
                self._targets[q.name] = combo
                trow = QHBoxLayout()
                trow.addWidget(QLabel("Target"))
                trow.addWidget(combo, 1)
                layout.addLayout(trow)
        layout.addStretch(1)

    def load(self, answers: dict[str, Answer], entities: list[str]) -> None:
        """Show the annotator's answers on a document."""
        self._loading = True
        try:
            for name, group in self._groups.items():
                q = self.schema.question(name)
                ans = answers.get(name)
                for b in group.buttons():
                    b.setChecked(ans is not None and q.values[group.id(b)] == ans.value)
                combo = self._targets.get(name)
                if combo is not None:
                    combo.clear()
                    combo.addItem("", None)
                    choices = list(entities)
                    if ans is not None and ans.target and ans.target not in choices:
                        choices.insert(0, ans.target)
                    for e in choices:
                        combo.addItem(e, e)
                    idx = combo.findData(ans.target) if ans is not None and ans.target else 0
                    combo.setCurrentIndex(max(idx, 0))
                self._show_suggestion(name)
            for name, edit in self._notes.items():
                text = answers[name].value if name in answers else ""
                self._loaded_notes[name] = text
                edit.setPlainText(text)
        finally:
            self._loading = False

    # -- suggested answers ---------------------------------------------------------

    def _hint_row(self, question: str) -> QWidget:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        label = QLabel()
        confirm = _ConfirmButton("✓ Confirm")
        confirm.setAutoDefault(True)  # Enter confirms when it has the focus
        confirm.setToolTip("Make the suggested value your answer (a click on the value does the same; "
                           "another value overrides it)")
        confirm.clicked.connect(lambda _=False, n=question: self.confirm_suggestion(n))
        box.addWidget(label, 1)
        box.addWidget(confirm)
        row.hide()
        self._hints[question] = (row, label, confirm)
        return row

    def set_suggestions(self, suggestions: dict[str, AnswerSuggestion]) -> None:
        """The open document's suggested answers by question (shown where there is no answer yet)."""
        self._suggested = {k: v for k, v in suggestions.items() if k in self._groups}
        for name in self._groups:
            self._show_suggestion(name)

    def suggestion(self, question: str) -> AnswerSuggestion | None:
        """The suggestion shown for ``question`` (None when there is none or an answer is given)."""
        sug = self._suggested.get(question)
        return sug if sug is not None and self._answered(question) is None else None

    def _answered(self, question: str) -> int | None:
        group = self._groups[question]
        return next((group.id(b) for b in group.buttons() if b.isChecked()), None)

    def _show_suggestion(self, question: str) -> None:
        group = self._groups[question]
        q = self.schema.question(question)
        sug = self.suggestion(question)
        for b in group.buttons():
            on = sug is not None and q.values[group.id(b)] == sug.value
            if b.property("suggested") != on:
                b.setProperty("suggested", on)
                b.style().unpolish(b)
                b.style().polish(b)
            b.setToolTip(f"{question} = {q.values[group.id(b)]}  (Ctrl+{group.id(b) + 1})"
                         + (f"\nsuggested {sug.score:.2f} by {sug.origin}: click to confirm" if on and sug else ""))
        row, label, _confirm = self._hints[question]
        if sug is None:
            row.hide()
            return
        label.setText(f"<i>Suggested <b>{sug.value}</b> {sug.score:.2f}</i>")
        label.setToolTip(f"{sug.origin}; " + ", ".join(f"{k} {v:.2f}" for k, v in
                                                      sorted(sug.scores.items(), key=lambda kv: -kv[1])))
        row.show()

    def confirm_suggestion(self, question: str) -> bool:
        """Make the suggested value the annotator's answer (False when there is nothing to confirm)."""
        sug = self.suggestion(question)
        if sug is None or not self.isEnabled():
            return False
        index = list(self.schema.question(question).values).index(sug.value)
        self._groups[question].button(index).setChecked(True)
        self._value_clicked(question, index)
        return True

    def set_entities(self, entities: list[str]) -> None:
        """Refresh the target choices, keeping the chosen one."""
        for combo in self._targets.values():
            current = combo.currentData()
            combo.clear()
            combo.addItem("", None)
            for e in ([current] if current and current not in entities else []) + entities:
                combo.addItem(e, e)
            combo.setCurrentIndex(max(combo.findData(current), 0) if current else 0)

    def choose(self, question: str, index: int) -> None:
        """Pick value ``index`` of a choice question (Ctrl+number)."""
        group = self._groups.get(question)
        if group is None or index >= len(group.buttons()) or not self.isEnabled():  # no document open
            return
        button = group.button(index)
        button.setChecked(not button.isChecked())
        self._value_clicked(question, index)

    def _value_clicked(self, question: str, index: int) -> None:
        if self._loading:
            return
        group = self._groups[question]
        q = self.schema.question(question)
        clicked = group.button(index)
        for b in group.buttons():
            if b is not clicked:
                b.setChecked(False)
        value = q.values[index] if clicked.isChecked() else None
        combo = self._targets.get(question)
        target = combo.currentData() if combo is not None else None
        self._show_suggestion(question)  # an answer hides the suggestion; withdrawing it shows it again
        self.answerChanged.emit(question, value, target)

    def _target_changed(self, question: str) -> None:
        if self._loading:
            return
        group = self._groups[question]
        checked = group.checkedButton() or next((b for b in group.buttons() if b.isChecked()), None)
        if checked is None:
            return
        q = self.schema.question(question)
        self.answerChanged.emit(question, q.values[group.id(checked)], self._targets[question].currentData())

    def _target_typed(self, question: str) -> None:
        """Enter in the target box: the entity whose name is typed (any case), or the one name that
        contains it; anything else is not an entity of the article and the target stays."""
        combo = self._targets[question]
        typed = combo.lineEdit().text().strip().casefold()
        names = [(i, combo.itemText(i)) for i in range(1, combo.count())]
        exact = [i for i, name in names if name.casefold() == typed]
        partial = [i for i, name in names if typed and typed in name.casefold()]
        pick = exact or (partial if len(partial) == 1 else [])
        if pick:
            combo.setCurrentIndex(pick[0])
            self._target_changed(question)
        else:
            combo.setCurrentIndex(combo.currentIndex())  # show the chosen target again
            combo.lineEdit().setText(combo.itemText(combo.currentIndex()))

    def commit_note(self, question: str) -> None:
        """Save a note if it changed since it was loaded."""
        if self._loading:
            return
        edit = self._notes[question]
        text = edit.toPlainText().strip()
        if text != self._loaded_notes.get(question, ""):
            self._loaded_notes[question] = text
            self.answerChanged.emit(question, text or None, None)

    def commit_all(self) -> None:
        """Save every note that changed (before switching documents or closing)."""
        for name in self._notes:
            self.commit_note(name)

    def keep_unsaved(self, question: str, text: str | None) -> None:
        """A note the store refused (project busy): show it again and retry it at the next commit."""
        edit = self._notes.get(question)
        if edit is None:
            return
        self._loading = True
        try:
            edit.setPlainText(text or "")
        finally:
            self._loading = False

    def has_unsaved(self) -> bool:
        """True while a note differs from what is stored."""
        return any(edit.toPlainText().strip() != self._loaded_notes.get(name, "")
                   for name, edit in self._notes.items())

    def note_edit(self, question: str) -> QPlainTextEdit:
        """The editor of a free-text question (tests)."""
        return self._notes[question]

    def target_combo(self, question: str) -> QComboBox:
        """The target chooser of a question (tests)."""
        return self._targets[question]
