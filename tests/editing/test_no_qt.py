"""``annotator.editing`` imports and edits with PySide6 not importable."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_pyside6_is_blocked_in_editing_tests():
    with pytest.raises(ImportError, match="blocked"):
        import PySide6  # noqa: F401
    with pytest.raises(ImportError, match="blocked"):
        from PySide6 import QtCore  # noqa: F401


SCRIPT = textwrap.dedent("""
    import importlib, importlib.abc, pkgutil, sys

    class BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path, target=None):
            if fullname == "PySide6" or fullname.startswith("PySide6."):
                raise ImportError(fullname + " is blocked")

    sys.meta_path.insert(0, BlockQt())
    try:
        import PySide6
        raise SystemExit("the blocker does not block")
    except ImportError:
        pass

    import annotator.editing
    for mod in pkgutil.walk_packages(annotator.editing.__path__, "annotator.editing."):
        importlib.import_module(mod.name)

    from annotator.editing import Edit, Editor
    from annotator.store import Project
    from tests.demo import TEXT_A, find, make_demo

    with Project(make_demo(__import__("pathlib").Path(sys.argv[1]))) as p:
        editor = Editor(p, "ani")
        editor.open(1)
        plan = editor.plan_create(*find(TEXT_A, "Indonesia"), "LOC", "entities")
        assert isinstance(plan, Edit), plan
        applied, removed, added = editor.apply(plan.op)
        assert [s.key for s in p.spans(1, "ani")] == [("entities", *find(TEXT_A, "Indonesia"), "LOC")]
        editor.apply(applied.inverse)
        assert p.spans(1, "ani") == []
    loaded = sorted(n for n in sys.modules if n.startswith(("PySide6", "shiboken6", "spacy", "annotator.gui")))
    print("loaded:", loaded)
    assert not loaded, loaded
""")


def test_editing_imports_and_edits_in_an_interpreter_without_qt(tmp_path: Path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "demo.db")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "loaded: []" in run.stdout
