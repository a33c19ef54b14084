"""Where shipped files live, in an editable install and in a built wheel.

The wheel carries ``resources/`` and ``seeds/`` inside the package as
``annotator/_data/...`` (see pyproject.toml); a source checkout keeps them at
the repository root, beside the package.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _base(name: str) -> Path:
    packaged = _PKG / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PKG.parent / name


def resource_path(*parts: str) -> Path:
    """A path below ``resources/``."""
    return _base("resources").joinpath(*parts)


def seeds_dir() -> Path:
    """The folder of sample articles the default project is built from."""
    return _base("seeds")
