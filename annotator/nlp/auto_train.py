"""Retraining automatically every N finished documents (the Models dialog's option).

Pure Python (no spaCy, no Qt): the option is a project setting per annotator
(``auto_train:<annotator>``, JSON), kept through the store.  It holds N, what a
run trains (components, epochs, the models folder) and the **baseline**: how
many documents the annotator had marked done when the option was switched on
or the last automatic run started.  A run is due when the annotator's count of
finished documents reaches baseline + N; starting one moves the baseline to
the count then, so the next run comes after N more.  A count rather than
timestamps: a document marked done, reopened and done again counts once, and
the time an annotator spends on a finished document (which rewrites its status
row) counts nothing.

The GUI (``annotator.gui.auto_train``) asks :func:`due` whenever the
annotator marks a document done and runs ``annotator train`` in a child
process, as the dialog's "Train now" does; the run is registered like any
other and the active model follows the usual rule (``annotator.nlp.train``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.store import Project

#: The project setting of an annotator's option is this prefix + the annotator's name.
SETTING_PREFIX = "auto_train:"


@dataclass
class AutoTrain:
    """One annotator's option: retrain every ``every`` finished documents (0: off)."""

    every: int = 0
    layers: list[str] = field(default_factory=lambda: ["entities"])
    stance: bool = False
    epochs: int = 30
    #: folder the models go into (a subfolder per run); empty: ``models/<project>`` beside the project
    out: str = ""
    #: documents done when the option was switched on or the last automatic run started
    baseline: int = 0

    @property
    def on(self) -> bool:
        """True when retraining automatically."""
        return self.every > 0


def _key(annotator: str) -> str:
    return SETTING_PREFIX + annotator


def load_auto_train(project: Project, annotator: str) -> AutoTrain:
    """The annotator's option (off when never set; a damaged value reads as off)."""
    raw = project.get_setting(_key(annotator))
    if not raw:
        return AutoTrain()
    try:
        data: dict[str, Any] = json.loads(raw)
        return AutoTrain(every=max(0, int(data.get("every", 0))), layers=[str(x) for x in data.get("layers", [])]
                         or ["entities"], stance=bool(data.get("stance", False)),
                         epochs=max(1, int(data.get("epochs", 30))), out=str(data.get("out", "")),
                         baseline=max(0, int(data.get("baseline", 0))))
    except (ValueError, TypeError, AttributeError):
        return AutoTrain()


def done_count(project: Project, annotator: str) -> int:
    """How many documents ``annotator`` has marked done."""
    return project.progress(annotator)[0]


def set_auto_train(project: Project, annotator: str, *, every: int, layers: list[str] | None = None,
                   stance: bool = False, epochs: int = 30, out: str = "") -> AutoTrain:
    """Store the annotator's option.  Switching it on (or changing N) counts from the documents done now."""
    if every < 0:
        raise AnnotatorError(f"retrain every N finished documents: N must be 0 (off) or more, got {every}")
    if epochs < 1:
        raise AnnotatorError(f"epochs must be at least 1, got {epochs}")
    old = load_auto_train(project, annotator)
    baseline = old.baseline if old.on and old.every == every else done_count(project, annotator)
    option = AutoTrain(every=every, layers=list(layers or ["entities"]), stance=stance, epochs=epochs, out=out,
                       baseline=baseline)
    project.set_setting(_key(annotator), json.dumps(asdict(option)))
    return option


def due(project: Project, annotator: str) -> AutoTrain | None:
    """The option when a run is due now (N documents finished since the baseline), else None."""
    option = load_auto_train(project, annotator)
    if not option.on:
        return None
    return option if done_count(project, annotator) - option.baseline >= option.every else None


def mark_started(project: Project, annotator: str) -> AutoTrain:
    """A run starts: the next one is due after N more finished documents."""
    option = load_auto_train(project, annotator)
    option.baseline = done_count(project, annotator)
    project.set_setting(_key(annotator), json.dumps(asdict(option)))
    return option
