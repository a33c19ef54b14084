"""User settings (QSettings, INI format): the annotator's name, theme, geometry.

Tests point :data:`ORGANIZATION` and ``QSettings.setPath`` at a temporary
folder so they never touch the real user settings.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QSettings

#: The organisation part of the settings path (tests replace it).
ORGANIZATION = "annotator"
APPLICATION = "annotator"


def settings() -> QSettings:
    """The settings store."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def remembered_annotator() -> str | None:
    """The name picked last time, if any."""
    value = settings().value("annotator/name", "")
    return str(value) if value else None


def remember_annotator(name: str) -> None:
    """Remember ``name`` for the next start."""
    s = settings()
    s.setValue("annotator/name", name)
    s.sync()


def theme_name() -> str:
    """``light`` or ``dark``."""
    return str(settings().value("view/theme", "light"))


def set_theme_name(name: str) -> None:
    """Remember the theme."""
    s = settings()
    s.setValue("view/theme", name)
    s.sync()


def _last_document_key(project_path: Path, annotator: str) -> str:
    digest = hashlib.sha1(str(project_path.resolve()).encode()).hexdigest()[:12]
    return f"last_document/{digest}/{annotator}"


def last_document(project_path: Path, annotator: str) -> int | None:
    """The document this annotator had open when they last closed this project."""
    value = settings().value(_last_document_key(project_path, annotator))
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def remember_document(project_path: Path, annotator: str, doc_id: int) -> None:
    """Remember the open document (reopened next time)."""
    settings().setValue(_last_document_key(project_path, annotator), doc_id)


def label_tags() -> bool:
    """Whether highlights carry a small label tag (View > Label tags)."""
    return str(settings().value("view/label_tags", "false")).lower() == "true"


def set_label_tags(on: bool) -> None:
    """Remember the label tags choice."""
    s = settings()
    s.setValue("view/label_tags", "true" if on else "false")
    s.sync()


#: How many server URLs File > Open server project… offers again.
RECENT_SERVERS = 8


def recent_servers() -> list[str]:
    """The server URLs opened last (newest first), never with a password."""
    value = settings().value("server/recent", [])
    if isinstance(value, str):  # QSettings gives a lone string for a one-item list
        value = [value]
    return [str(v) for v in value or [] if v]


def remember_server(url: str) -> None:
    """Put ``url`` (already without its password) first in the recent server list."""
    s = settings()
    s.setValue("server/recent", [url, *(u for u in recent_servers() if u != url)][:RECENT_SERVERS])
    s.sync()
