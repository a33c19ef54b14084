"""The GUI's background job runs the real suggester (the integration point of this layer)."""

from __future__ import annotations

from annotator.formats import import_paths
from annotator.store import Project
from tests.conftest import SEED_FILES


def test_gui_integration_suggest_job_runs_suggest_project(project_path):
    from annotator.gui.background import find_suggester, suggest_job
    from annotator.nlp.suggest import SuggestReport, suggest_project

    with Project(project_path) as p:
        assert import_paths(p, SEED_FILES).ok
        first = p.document_ids()[0]
    fn = find_suggester()
    assert fn is suggest_project
    seen = []
    report = suggest_job(project_path, fn, doc_ids=[first], force=True)(lambda d, t, w="": seen.append((d, t)),
                                                                       lambda: False)
    assert isinstance(report, SuggestReport) and report.documents == 1 and report.suggestions > 10
    assert seen[0] == (0, 1) and seen[-1] == (1, 1)
    with Project(project_path) as p:
        assert p.suggestions(first, "entities") and p.suggestions(first, "cues")
        assert not p.suggestions(p.document_ids()[1])
