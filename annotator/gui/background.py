"""The jobs the main window hands to its :class:`~annotator.gui.tasks.TaskRunner`.

Each factory returns a job ``fn(progress, should_cancel)`` (:mod:`annotator.core.jobs`); the function opens its
own :class:`Project` on the task's thread (SQLite connections are per thread)
and never touches widgets.  spaCy, imports and suggesters load here, off the
GUI thread.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Callable

from annotator.core.jobs import Job as TaskFn
from annotator.core.jobs import Progress, ShouldCancel
from annotator.store import Project

SuggestFn = Callable[..., Any]


def find_suggester() -> SuggestFn:
    """``annotator.nlp.suggest.suggest_project``, imported lazily (spaCy loads with it)."""
    from annotator.nlp.suggest import suggest_project

    return suggest_project


def suggest_job(project_path: Path, fn: SuggestFn, **options: Any) -> TaskFn:
    """Run a suggester over the project (``options``: ``doc_ids``, ``force``, ``model``...)."""

    def job(report: Progress, should_cancel: ShouldCancel) -> Any:
        with Project(project_path) as p:
            return fn(p, progress=report, should_cancel=should_cancel, **options)

    return job


def import_job(project_path: Path, paths: list[str], annotator: str | None) -> TaskFn:
    """Import files (each file one transaction; cancel stops between files)."""

    def job(report: Progress, should_cancel: ShouldCancel) -> Any:
        from annotator.formats import import_paths

        with Project(project_path) as p:
            return import_paths(p, paths, annotator=annotator, progress=report, should_cancel=should_cancel)

    return job


def warm_up_job() -> TaskFn | None:
    """Import spaCy, load the tokenizer tables and the suggestion pipeline, while
    the annotator starts reading."""
    if importlib.util.find_spec("spacy") is None:
        return None

    def job(report: Progress, should_cancel: ShouldCancel) -> str:
        import spacy  # noqa: F401 - the import is the work

        from annotator.core.tokens import token_spans

        token_spans("Siap.")  # the first snap would otherwise wait for these
        if not should_cancel():
            from annotator.nlp.pipeline import load_pipeline

            try:
                load_pipeline()  # cached by the nlp layer: the first "suggest" starts at once
            except Exception as exc:  # noqa: BLE001 - a missing model is reported when suggesting
                return f"spaCy ready (suggestion pipeline not loaded: {exc})"
        return "spaCy ready"

    return job
