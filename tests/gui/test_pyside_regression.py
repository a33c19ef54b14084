"""PySide6 6.12.0 on CPython 3.11 decrements None's refcount on every call of a
method returning nothing; 100,000 calls abort the interpreter ("Fatal Python error:
deallocating None").  On CPython 3.12+ None is immortal, so the bug cannot show
there: the version pin in pyproject.toml is what keeps 3.11 users safe, and it is
checked here too."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]

# Runs in a child interpreter: an abort kills the child, and the test sees its status.
_HAMMER = """
import sys
from PySide6.QtGui import QGuiApplication, QTextCharFormat, QTextCursor, QTextDocument
app = QGuiApplication(["x", "-platform", "offscreen"])
doc = QTextDocument()
doc.setPlainText("x" * 1000)
cur = QTextCursor(doc)
before = sys.getrefcount(None)
for i in range(100_000):
    cur.setPosition(i % 1000)
fmt = QTextCharFormat()
for i in range(2_000):
    cur.setPosition(i % 999)
    cur.setPosition(i % 999 + 1, QTextCursor.MoveMode.KeepAnchor)
    cur.mergeCharFormat(fmt)
print(before - sys.getrefcount(None))
"""


def test_pyside_void_methods_called_100000_times_do_not_abort() -> None:
    run = subprocess.run([sys.executable, "-c", _HAMMER], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"the interpreter died ({run.returncode}): {run.stderr[-2000:]}"
    lost = int(run.stdout.strip().splitlines()[-1])
    # on 3.11 every leaked call lowers None's count; a small drift is the interpreter's own
    assert lost < 50_000, f"None lost {lost} references in 100,000 calls"


def _pyside_requirements() -> list[Requirement]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = [Requirement(r) for r in meta["project"]["dependencies"]]
    return [r for r in reqs if r.name.lower().startswith("pyside6")]


def test_the_pyside_pin_excludes_the_aborting_release_on_python_3_11() -> None:
    reqs = _pyside_requirements()
    assert reqs, "pyproject.toml declares no PySide6 dependency"
    for python in ("3.11", "3.11.9"):
        env = {"python_version": python[:4], "python_full_version": python}
        active = [r for r in reqs if r.marker is None or r.marker.evaluate(env)]
        assert active, f"no PySide6 requirement applies on Python {python}"
        for req in active:
            assert not req.specifier.contains(Version("6.12.0")), f"{req} allows 6.12.0 on Python {python}"


def test_the_installed_pyside_satisfies_the_pin() -> None:
    import PySide6

    for req in _pyside_requirements():
        if req.marker is None or req.marker.evaluate():
            assert req.specifier.contains(Version(PySide6.__version__)), (req, PySide6.__version__)
