"""Every long review operation stops with the one Cancelled of core.jobs."""

from __future__ import annotations

import pytest

from annotator.core.jobs import Cancelled
from annotator.core.model import GOLD
from annotator.review.adjudicate import auto_merge_project
from annotator.review.merge import merge_projects
from annotator.store import Project
from tests.review.factory import build, words_text


def test_cancel_merge_keeps_the_files_merged_before(tmp_path):
    for name, salt in (("a", 1), ("b", 2)):
        p, _ = build(tmp_path / f"{name}.db", [words_text(4, salt=salt)], {name: {0: {"state": "done"}}})
        p.close()
    done = []
    with pytest.raises(Cancelled) as stopped:  # stop once the first file's document is merged
        merge_projects(tmp_path / "review.db", [tmp_path / "a.db", tmp_path / "b.db"],
                       progress=lambda d, t, w="": done.append(d), should_cancel=lambda: bool(done) and done[-1] >= 1)
    assert [s.path for s in stopped.value.partial.sources] == [str(tmp_path / "a.db")]
    with Project(tmp_path / "review.db") as p:
        assert p.count_documents() == 1


def test_cancel_auto_merge_stops_between_documents_with_the_report_so_far(tmp_path):
    span = (0, 2, "PER")
    work = {a: {i: {"spans": [span], "state": "done"} for i in range(3)} for a in ("alice", "bob")}
    project, ids = build(tmp_path / "p.db", [words_text(4, salt=i) for i in range(3)], work)
    asked = []
    with project, pytest.raises(Cancelled) as stopped:
        auto_merge_project(project, should_cancel=lambda: asked.append(1) or len(asked) > 1)
    assert stopped.value.partial.documents == 1
    with Project(tmp_path / "p.db") as p:
        assert [len(p.spans(d, GOLD)) for d in ids] == [1, 0, 0]
