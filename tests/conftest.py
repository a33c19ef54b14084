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
SEED_FILES = sorted(SEEDS.glob("*.txt"))

#: Environment variable naming the shared data folder (the one holding idner-news-2k/).
SHARED_DATA_ENV = "ANNOTATOR_SHARED_DATA"


def _main_checkout(root: Path) -> Path:
    """The main clone of a git worktree (``.git`` is then a file naming it), else ``root``."""
    marker = root / ".git"
    if marker.is_file():
        text = marker.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            gitdir = Path(text.split(":", 1)[1].strip())
            for parent in gitdir.parents:
                if parent.name == ".git":
                    return parent.parent
    return root


def find_shared_data() -> tuple[Path | None, list[Path]]:
    """``(folder, looked_in)``: ``$ANNOTATOR_SHARED_DATA``, else ``../shared/data`` next to
    this clone (or next to the main clone of this worktree)."""
    env = os.environ.get(SHARED_DATA_ENV)
    candidates = [Path(env)] if env else [ROOT.parent / "shared" / "data",
                                          _main_checkout(ROOT).parent / "shared" / "data"]
    candidates = list(dict.fromkeys(candidates))
    return next((c for c in candidates if c.is_dir()), None), candidates


SHARED_DATA, SHARED_LOOKED_IN = find_shared_data()
SHARED = SHARED_DATA.parent if SHARED_DATA is not None else ROOT.parent / "shared"
IDNER = (SHARED_DATA or SHARED_LOOKED_IN[0]) / "idner-news-2k"
#: Tests that failed because the shared data is absent (for the loud summary line).
_MISSING_DATA: list[str] = []


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
def idner_dir(request: pytest.FixtureRequest) -> Path:
    """The idner-news-2k train/dev split.  Absent data is a FAILURE, never a quiet
    skip: a clone without ../shared must not look green (set ANNOTATOR_SHARED_DATA)."""
    if not IDNER.is_dir():
        _MISSING_DATA.append(request.node.nodeid)
        pytest.fail(f"shared data missing: {IDNER} does not exist; set {SHARED_DATA_ENV}=/path/to/shared/data "
                    f"(looked in: {', '.join(map(str, SHARED_LOOKED_IN))})", pytrace=False)
    return IDNER


def pytest_report_header(config: pytest.Config) -> str:
    """Say where the shared data comes from, at the top of every run."""
    if SHARED_DATA is None:
        return f"shared data: NOT FOUND (looked in {', '.join(map(str, SHARED_LOOKED_IN))}; set {SHARED_DATA_ENV})"
    return f"shared data: {SHARED_DATA}"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    """A loud closing line when tests failed for want of the shared data."""
    if _MISSING_DATA:
        terminalreporter.write_sep("!", f"{len(_MISSING_DATA)} test(s) FAILED: shared data missing", red=True, bold=True)
        terminalreporter.write_line(
            f"They need {IDNER}. Point {SHARED_DATA_ENV} at the folder holding idner-news-2k/ "
            f"(looked in: {', '.join(map(str, SHARED_LOOKED_IN))})."
        )


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of seeds/."""
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst
