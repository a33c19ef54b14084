"""DESIGN §9: PySide6 6.12.0 on CPython 3.11 decrements None's refcount on
every call of a method returning nothing; 100,000 calls abort the interpreter."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument

pytestmark = pytest.mark.gui


def test_pyside_regression_void_methods_do_not_leak_none(qapp):
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
    # immortal on 3.12+, so only a big drop means the bug
    assert sys.getrefcount(None) > before - 50_000
