"""Job factories: each job opens its own project and passes progress and cancel through."""

from __future__ import annotations

import sys

import pytest

from annotator.core.jobs import Cancelled
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


def test_background_import_job_cancelled_between_files_keeps_the_first(project_path):
    seen: list[int] = []
    job = import_job(project_path, [str(p) for p in SEED_FILES], None)
    with pytest.raises(Cancelled) as stopped:
        job(lambda d, t, w="": seen.append(d), lambda: len(seen) >= 1)  # stop once the first file began
    assert [f.path for f in stopped.value.partial.files] == [str(SEED_FILES[0])]
    with Project(project_path) as p:
        assert p.count_documents() == 1  # the first file whole, nothing of the second


def test_background_suggest_job_passes_options_and_its_own_project(demo_path):
    calls = []

    def fake(project, *, progress=None, should_cancel=None, **options):
        calls.append((project.path, options, should_cancel()))
        return "ok"

    assert suggest_job(demo_path, fake, doc_ids=[2], force=True)(lambda *a: None, lambda: False) == "ok"
    assert calls == [(demo_path, {"doc_ids": [2], "force": True}, False)]


def test_background_suggester_is_the_nlp_runner_and_warm_up_loads_spacy():
    from annotator.nlp.suggest import suggest_project

    assert find_suggester() is suggest_project
    job = warm_up_job()
    assert job is not None, "spaCy is a dependency: the warm-up must exist"
    assert job(lambda *a: None, lambda: False).startswith("spaCy ready")
    assert "spacy" in sys.modules
