"""SQLite project files (sqlite-utils): no Qt, no spaCy."""

from annotator.store.migrations import SCHEMA_VERSION
from annotator.store.project import Project

__all__ = ["Project", "SCHEMA_VERSION"]
