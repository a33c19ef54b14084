"""``annotator.store`` is the one door to the project file.

Every SQL statement and the connection itself live in ``annotator/store``;
the other layers call ``Project`` methods.  This test reads the source of every
other module and fails on a ``.conn``/``.db`` attribute, an ``execute`` call or
an SQL statement in a string literal.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import annotator

PACKAGE = Path(annotator.__file__).parent
STORE = PACKAGE / "store"

#: SQL written the way this code base writes it (keywords in capitals).
SQL = re.compile(
    r"\bSELECT\b.*\bFROM\b|\bINSERT\s+(OR\s+[A-Z]+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\bCREATE\s+(TABLE|INDEX|VIRTUAL|TRIGGER)\b|\bDROP\s+TABLE\b|\bALTER\s+TABLE\b|\bPRAGMA\s+\w+",
    re.S,
)
CONNECTION_ATTRS = {"conn", "_conn", "db", "_db"}
EXECUTE_CALLS = {"execute", "executemany", "executescript"}


def door_violations(source: str, name: str = "<source>") -> list[str]:
    """Every place in ``source`` that speaks SQL or reaches for a connection."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Attribute) and node.attr in CONNECTION_ATTRS:
            found.append(f"{where}: .{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EXECUTE_CALLS:
            found.append(f"{where}: .{node.func.attr}(...)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            found.append(f"{where}: SQL {node.value.strip()[:60]!r}")
    return found


def test_no_module_outside_the_store_speaks_sql():
    modules = [p for p in PACKAGE.rglob("*.py") if STORE not in p.parents]
    assert len(modules) > 50  # the scan really reads the package
    found = [v for p in modules for v in door_violations(p.read_text(encoding="utf-8"), str(p.relative_to(PACKAGE)))]
    assert found == [], "SQL or a connection outside annotator/store:\n" + "\n".join(found)


def test_the_store_itself_is_where_the_sql_is():
    # the scanner finds what it looks for: the store's own modules are full of it
    found = [v for p in STORE.glob("*.py") for v in door_violations(p.read_text(encoding="utf-8"), p.name)]
    assert any(".execute(" in v for v in found) and any("SQL 'INSERT INTO" in v for v in found)
    assert any(v.startswith("documents.py") for v in found) and any(v.startswith("review.py") for v in found)


@pytest.mark.parametrize(
    "snippet",
    [
        "project.conn.execute('x')",
        "rows = project._conn",
        "q = project.db.quote_fts(text)",
        "cur.executemany(sql, rows)",
        "sql = 'SELECT id FROM documents WHERE id = ?'",
        "sql = f'SELECT uid FROM spans WHERE uid IN ({marks})'",
        "s = 'INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)'",
        "s = 'UPDATE annotators SET role = ?'",
        "s = 'DELETE FROM assignments'",
    ],
)
def test_each_kind_of_leak_is_caught(snippet):
    assert door_violations(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "'select a label from the list'",  # prose, not SQL
        "project.spans(1, 'ani')",
        "text = 'Update the set of labels'",
    ],
)
def test_ordinary_code_is_not_flagged(snippet):
    assert door_violations(snippet) == []
