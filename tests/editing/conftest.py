"""Editing tests run with PySide6 blocked: the editing layer must work without Qt.

pytest-qt has imported PySide6 into this process already, and taking loaded Qt
modules out of ``sys.modules`` crashes shiboken; so an import statement naming
PySide6 is refused for the duration of each test (``builtins.__import__``), as
is finding it anew (a meta-path finder).  ``test_no_qt.py`` also runs an edit
in a fresh interpreter where PySide6 was never importable.
"""

from __future__ import annotations

import builtins
import importlib.abc
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from annotator.editing import Change, Edit, Editor, Operation, Plan
from annotator.store import Project
from tests.demo import make_demo


def _is_qt(name: str) -> bool:
    return name == "PySide6" or name.startswith("PySide6.")


class BlockQt(importlib.abc.MetaPathFinder):
    """Makes finding ``PySide6`` (or any submodule) fail."""

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if _is_qt(fullname):
            raise ImportError(f"{fullname} is blocked: the editing layer must not need Qt")
        return None


@pytest.fixture(autouse=True)
def no_qt(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every editing test runs with ``import PySide6`` failing."""
    real_import = builtins.__import__

    def guarded(name: str, *args: Any, **kwargs: Any) -> Any:
        if _is_qt(name):
            raise ImportError(f"{name} is blocked: the editing layer must not need Qt")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", guarded)
    monkeypatch.setattr(sys, "meta_path", [BlockQt(), *sys.meta_path])
    yield


@pytest.fixture
def demo_project(tmp_path: Path) -> Iterator[Project]:
    """The demo project (tests/demo.py), open."""
    with Project(make_demo(tmp_path / "demo.db")) as p:
        yield p


class History:
    """What the GUI's undo stack does with editing operations, without Qt: apply an
    edit, keep the inverse it returns; undo applies that and keeps the next inverse."""

    def __init__(self, editor: Editor) -> None:
        self.editor = editor
        self.done: list[Operation] = []
        self.undone: list[Operation] = []

    def run(self, plan: Plan) -> Change:
        """Apply a planned edit (it must be an :class:`Edit`)."""
        assert isinstance(plan, Edit), plan
        applied, _removed, _added = self.editor.apply(plan.op)
        self.done.append(applied.inverse)
        self.undone.clear()
        return applied.change

    def undo(self) -> Change:
        """Revert the last edit."""
        applied, _removed, _added = self.editor.apply(self.done.pop())
        self.undone.append(applied.inverse)
        return applied.change

    def redo(self) -> Change:
        """Apply the last reverted edit again."""
        applied, _removed, _added = self.editor.apply(self.undone.pop())
        self.done.append(applied.inverse)
        return applied.change


@pytest.fixture
def editor(demo_project: Project) -> Editor:
    """Annotator ``ani`` on document 1 of the demo project (the store's own reads)."""
    e = Editor(demo_project, "ani")
    e.open(1)
    return e


@pytest.fixture
def history(editor: Editor) -> History:
    """An undo history over ``editor``."""
    return History(editor)
