"""Job factories: each job opens its own project and passes progress and cancel through."""

from __future__ import annotations

import pytest

from annotator.gui.background import find_suggester, import_job, suggest_job, warm_up_job
from annotator.store import Project
from tests.conftest import SEED_FILES

pytestmark = pytest.mark.gui


def test_background_import_job_reports_progress_and_imports(project_path):
    seen: list[tuple[int, int]] = []
    report = import_job(project_path, [str(p) for p in SEED_FILES], "ani")(lambda d, t, w="": seen.append((d, t)),
                                                                            lambda: False)
    assert report.ok and seen[-1] == (2, 2)
    with Project(project_path) as p:
        assert p.count_documents() == 2


def test_background_import_job_stops_when_cancelled(project_path):
    report = import_job(project_path, [str(p) for p in SEED_FILES], None)(lambda *a: None, lambda: True)
    assert report.files == []


def test_background_suggest_job_passes_options_and_its_own_project(demo_path):
    calls = []

    def fake(project, *, progress=None, should_cancel=None, **options):
        calls.append((project.path, options, should_cancel()))
        return "ok"

    assert suggest_job(demo_path, fake, doc_ids=[2], force=True)(lambda *a: None, lambda: False) == "ok"
    assert calls == [(demo_path, {"doc_ids": [2], "force": True}, False)]


def test_background_suggester_and_warm_up_are_found_lazily():
    import importlib.util

    has_nlp = importlib.util.find_spec("annotator.nlp.suggest") is not None
    assert (find_suggester() is not None) == has_nlp
    job = warm_up_job()
    assert job is None or job(lambda *a: None, lambda: False).startswith("spaCy ready")
