"""annotator.review stays pure: importing all of it pulls in neither Qt nor spaCy."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import annotator.review


def test_purity_review_imports_neither_qt_nor_spacy():
    modules = [f"annotator.review.{m.name}" for m in pkgutil.iter_modules(annotator.review.__path__)]
    assert {"annotator.review.agreement", "annotator.review.merge", "annotator.review.unitizing"} <= set(modules)
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('PySide6', 'spacy', 'thinc'))\n"
        "print(','.join(bad))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == ""
