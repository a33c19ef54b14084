"""Light and dark themes: a Fusion palette plus the alphas highlights use.

Label colours come from the schema (Okabe-Ito, safe for common colour-vision
deficiencies); the theme only decides how strongly they tint the text, so the
same hue reads on white and on near-black.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    """Colours and alphas of one theme."""

    name: str
    window: str
    base: str
    alt_base: str
    text: str
    muted: str
    button: str
    highlight: str
    highlighted_text: str
    #: alpha (0-255) of an accepted entity's background, of a suggestion's, of a cue's tint
    span_alpha: int
    suggestion_alpha: int
    cue_alpha: int
    frame: str


LIGHT = Theme(
    name="light", window="#f3f3f1", base="#ffffff", alt_base="#f7f7f5", text="#1d1d1f", muted="#6b6b70",
    button="#ebebe8", highlight="#3b6fb6", highlighted_text="#ffffff",
    span_alpha=110, suggestion_alpha=40, cue_alpha=28, frame="#1d1d1f",
)
DARK = Theme(
    name="dark", window="#232427", base="#1a1b1e", alt_base="#202125", text="#e6e6e6", muted="#9a9aa2",
    button="#2e3034", highlight="#5b8fd6", highlighted_text="#ffffff",
    span_alpha=120, suggestion_alpha=48, cue_alpha=36, frame="#f0f0f0",
)
THEMES = {"light": LIGHT, "dark": DARK}


def theme(name: str) -> Theme:
    """The theme called ``name`` (``light`` when unknown)."""
    return THEMES.get(name, LIGHT)


def apply_theme(app: QApplication, name: str) -> Theme:
    """Set the Fusion style and the palette of ``name`` on the whole app."""
    t = theme(name)
    app.setStyle("Fusion")
    pal = QPalette()
    role = QPalette.ColorRole
    pal.setColor(role.Window, QColor(t.window))
    pal.setColor(role.WindowText, QColor(t.text))
    pal.setColor(role.Base, QColor(t.base))
    pal.setColor(role.AlternateBase, QColor(t.alt_base))
    pal.setColor(role.Text, QColor(t.text))
    pal.setColor(role.Button, QColor(t.button))
    pal.setColor(role.ButtonText, QColor(t.text))
    pal.setColor(role.ToolTipBase, QColor(t.base))
    pal.setColor(role.ToolTipText, QColor(t.text))
    pal.setColor(role.PlaceholderText, QColor(t.muted))
    pal.setColor(role.Highlight, QColor(t.highlight))
    pal.setColor(role.HighlightedText, QColor(t.highlighted_text))
    pal.setColor(role.BrightText, QColor("#ff5555"))
    pal.setColor(role.Link, QColor(t.highlight))
    for r in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, r, QColor(t.muted))
    app.setPalette(pal)
    return t
