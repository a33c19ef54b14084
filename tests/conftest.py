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


def _no_pg() -> bool:
    return os.environ.get("ANNOTATOR_NO_PG") == "1" and not os.environ.get("ANNOTATOR_PG_URL")


def _pg_header() -> str:
    """Which PostgreSQL the server tests use (or, loudly, that they do not run)."""
    if os.environ.get("ANNOTATOR_PG_URL"):
        return "postgresql: ANNOTATOR_PG_URL (a cluster started by .ci/run or by you)"
    if _no_pg():
        return "postgresql: ANNOTATOR_NO_PG=1 -- THE SERVER BACKEND IS NOT TESTED IN THIS RUN"
    return "postgresql: a throwaway cluster started by the test session (tests/pgcluster.py)"


@pytest.fixture(scope="session")
def pg_admin_url():
    """A superuser URL of a PostgreSQL server for the tests (see tests/pgcluster.py).

    Fails, with what to install, when there is no PostgreSQL, unless ANNOTATOR_NO_PG=1."""
    from tests.pgcluster import NO_PG_HINT, Cluster, find_bin

    url = os.environ.get("ANNOTATOR_PG_URL")
    if url:
        yield url
        return
    if _no_pg():
        pytest.skip("ANNOTATOR_NO_PG=1: server backend not tested")
    if not find_bin("initdb"):
        pytest.fail(NO_PG_HINT)
    cluster = Cluster()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_admin_url: str):
    """A fresh empty database (its URL, as the superuser), dropped after the test."""
    from tests.pgcluster import create_database, drop_database

    url = create_database(pg_admin_url)
    try:
        yield url
    finally:
        drop_database(pg_admin_url, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where a project lives, once per backend: a file path, then a server database URL."""
    if request.param == "sqlite":
        return tmp_path / "project.db"
    return request.getfixturevalue("pg_url")


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


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say where the shared data comes from and which PostgreSQL serves the server tests."""
    if SHARED_DATA is None:
        data = f"shared data: NOT FOUND (looked in {', '.join(map(str, SHARED_LOOKED_IN))}; set {SHARED_DATA_ENV})"
    else:
        data = f"shared data: {SHARED_DATA}"
    return [data, _pg_header()]


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
