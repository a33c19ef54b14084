"""Shared fixtures.  Qt runs offscreen: set before anything imports Qt."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from annotator.store import Project  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
IDNER = SHARED / "data" / "idner-news-2k"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    """A fresh project file path (not yet created)."""
    return tmp_path / "project.db"


@pytest.fixture
def project(project_path: Path):
    """An empty open project."""
    with Project(project_path) as p:
        yield p


@pytest.fixture
def seeded_project(project_path: Path):
    """A project holding both seed articles (cleaned)."""
    from annotator.formats import import_paths

    with Project(project_path) as p:
        report = import_paths(p, SEED_FILES)
        assert report.ok, report.failed
        yield p


@pytest.fixture
def idner_dir() -> Path:
    """The idner-news-2k train/dev split (skips when shared/ is absent)."""
    if not IDNER.is_dir():
        pytest.skip("../shared/data/idner-news-2k not present")
    return IDNER


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of seeds/."""
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst
