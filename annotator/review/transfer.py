"""Helpers for copying work between project files while keeping identities.

Spans and events carry a ``uid`` that stays the same in every file they are
copied to; that is what makes merging idempotent.  The rows themselves are read
and written by the store (``Project.portable_spans``, ``answer_records``,
``event_records`` and friends in ``annotator/store/transfer.py``); this module
holds the project identity and the small steps merge and packages share.
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from annotator.store import Project

PROJECT_UID = "project_uid"


class _Settings(Protocol):
    """What :func:`project_uid` needs of a project (a :class:`Project`, or a stand-in in tests)."""

    @property
    def path(self) -> Path | str: ...

    def get_setting(self, key: str, default: str | None = None) -> str | None: ...

    def set_setting(self, key: str, value: str) -> None: ...


def project_uid(project: _Settings, *, create: bool = True) -> str | None:
    """The project's stable identity (a setting), created on first use so a
    file is recognised after it is moved or renamed."""
    uid = project.get_setting(PROJECT_UID)
    if uid is None and create:
        uid = uuid.uuid4().hex
        try:
            project.set_setting(PROJECT_UID, uid)
        except sqlite3.Error:
            # a read-only file: identify it by where it is (moving it then looks like a new source)
            uid = "path:" + hashlib.sha256(str(Path(project.path).resolve()).encode()).hexdigest()[:32]
    return uid


def ensure_annotator(project: Project, name: str, role: str = "annotator") -> None:
    """Register ``name`` if unknown (keeping the role it has)."""
    if project.annotator_role(name) is None:
        project.add_annotator(name, role)


def copy_document(source: Project, target: Project, document_id: int) -> tuple[int, bool]:
    """Add the source document (text, metadata, cleaning record) to ``target``
    unless a document with the same text is there; returns ``(id, created)``."""
    return target.add_document(source.get_document(document_id))
