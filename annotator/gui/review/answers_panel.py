"""The answers panel of the comparison view: for each question of the schema,
what every annotator answered and a box to set gold's answer."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from annotator.core.model import GOLD
from annotator.gui.review.units_model import DISAGREED_LINE
from annotator.gui.review.util import find_data
from annotator.review import adjudicate as adj
from annotator.store import Project

AnswerFn = Callable[[str, tuple[str, str | None] | None], None]


def fill_answers(form: QFormLayout, project: Project, doc: int, names: list[str], on_answer: AnswerFn) -> None:
    """Fill ``form`` with one row per closed question of document ``doc``: the
    answers of ``names`` (disagreement in colour) and a box for gold's answer,
    which calls ``on_answer(question, (value, target) or None)`` when chosen."""
    while form.rowCount():
        form.removeRow(0)
    for q in project.schema.questions:
        if q.free_text:
            continue
        answers = adj.answers_by_annotator(project, doc, q.name)
        shown = {n: answers[n] for n in names if n in answers}
        combo = QComboBox()
        combo.setAccessibleName(f"gold answer to {q.name}")
        combo.addItem("(no answer)", None)
        options: list[tuple[str, str | None]] = []
        for value, target in shown.values():
            if (value, target) not in options:
                options.append((value, target))
        for value in q.values:
            if (value, None) not in options:
                options.append((value, None))
        for value, target in options:
            who = [n for n, a in shown.items() if a == (value, target)]
            text = value + (f" → {target}" if target else "") + (f"  ({', '.join(who)})" if who else "")
            combo.addItem(text, (value, target))
        gold = answers.get(GOLD)
        idx = find_data(combo, gold) if gold else 0
        combo.setCurrentIndex(max(idx, 0))
        agree = len(set(shown.values())) <= 1
        summary = QLabel(" · ".join(f"{n}: {v}" + (f" → {t}" if t else "") for n, (v, t) in shown.items())
                         or "no answers")
        summary.setWordWrap(True)
        if not agree:
            summary.setStyleSheet(f"color: {DISAGREED_LINE.name()}")
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(summary)
        col.addWidget(combo)
        combo.activated.connect(lambda _i, c=combo, qn=q.name: on_answer(qn, c.currentData()))
        form.addRow(q.name, box)
