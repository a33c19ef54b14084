"""Blind mode: annotators never see each other's work.

A project setting (``blind``, on unless turned off).  The annotation workspace
only ever shows the current annotator's spans, answers and status, whatever the
setting.  The setting governs everything that *could* show several annotators:
the review window (comparison and agreement views) and per-annotator packages.
With blind mode on, only the ``gold`` set and annotators registered with the
``reviewer`` role may look at other annotators' work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from annotator.core.errors import AnnotatorError
from annotator.core.model import GOLD

if TYPE_CHECKING:
    from annotator.store import Project

SETTING = "blind"


class BlindModeError(AnnotatorError):
    """Someone asked to see another annotator's work in blind mode."""

    code = "E601"


def is_blind(project: Project) -> bool:
    """True when the project is in blind mode (the default)."""
    return (project.get_setting(SETTING, "1") or "1").strip().lower() not in ("0", "false", "off", "no")


def set_blind(project: Project, on: bool) -> None:
    """Turn blind mode on or off."""
    project.set_setting(SETTING, "1" if on else "0")


def may_see_others(project: Project, viewer: str) -> bool:
    """Whether ``viewer`` may look at other annotators' work."""
    if not is_blind(project):
        return True
    return viewer == GOLD or project.annotator_role(viewer) == "reviewer"


def visible_annotators(project: Project, viewer: str, annotators: Sequence[str]) -> list[str]:
    """The subset of ``annotators`` whose work ``viewer`` may see (their own always)."""
    if may_see_others(project, viewer):
        return list(annotators)
    return [a for a in annotators if a == viewer]


def require_may_see_others(project: Project, viewer: str) -> None:
    """Raise :class:`BlindModeError` unless ``viewer`` may see others' work."""
    if not may_see_others(project, viewer):
        raise BlindModeError(
            f"{project.path} is in blind mode: {viewer!r} is an annotator and may not see other annotators' work "
            "(a reviewer may: register one with the reviewer role, or turn blind mode off with "
            "'annotator blind PROJECT off')"
        )


def set_role(project: Project, name: str, role: str) -> None:
    """Make ``name`` a ``reviewer`` or an ``annotator`` (registering the name if new)."""
    if role not in ("annotator", "reviewer"):
        raise ValueError(f"role must be annotator or reviewer, not {role!r}")
    if name == GOLD:
        raise ValueError("'gold' is the adjudicated set; its role cannot change")
    with project.transaction():
        if project.annotator_role(name) is None:
            project.add_annotator(name, role)
            return
        project.set_annotator_role(name, role)
