"""Test-only access to a project's SQLite connection.

``annotator.store`` is the one door to the project file: nothing in the
package reads its private connection from outside.  Tests sometimes need raw
SQL to set up a state no public method makes (a hand-edited file) or to check
the bytes on disk; they go through this helper so the exception is in one place.
"""

from __future__ import annotations

import sqlite3

from annotator.store import Project


def connection(project: Project) -> sqlite3.Connection:
    """The project's connection, for raw SQL in tests only."""
    return project._conn  # noqa: SLF001 - the documented test-only accessor
