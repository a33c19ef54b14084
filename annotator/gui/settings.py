"""User settings (QSettings, INI format): the annotator's name, theme, geometry.

Tests point :data:`ORGANIZATION` and ``QSettings.setPath`` at a temporary
folder so they never touch the real user settings.
"""

from __future__ import annotations

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
