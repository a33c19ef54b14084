"""The workspace opens a server project: ``annotator --annotator alice postgresql://...`` (issue 14)."""

from __future__ import annotations

from annotator.cli import main
from annotator.core import Span
from annotator.gui.main_window import MainWindow
from annotator.store import Project
from annotator.store.dialect import ServerURL
from annotator.store.sync import copy_project
from tests.demo import TEXT_A, find, make_demo


def _team(pg_url: str, tmp_path) -> str:
    copy_project(make_demo(tmp_path / "demo.db"), pg_url)
    with Project(pg_url) as p:
        p.team_add("alice")
        p.add_assignments([(1, "alice"), (3, "alice")])
    return pg_url.replace("postgres@", "alice@", 1)


def test_annotator_opens_a_server_url_as_alice(qapp, pg_url, tmp_path):
    alice = _team(pg_url, tmp_path)
    assert main(["--annotator", "alice", alice, "--quit-after", "300"]) == 0
    assert main(["review", pg_url, "--quit-after", "300"]) == 0
    shot = tmp_path / "shot.png"
    assert main(["screenshot", alice, "--annotator", "alice", "--out", str(shot), "--size", "800x600"]) == 0
    assert shot.stat().st_size > 1000


def test_the_workspace_on_a_server_shows_what_alice_may_see_and_saves_there(qtbot, pg_url, tmp_path):
    alice = _team(pg_url, tmp_path)
    project = Project(alice)
    try:
        assert isinstance(project.path, ServerURL) and "alice@" in str(project.path)
        window = MainWindow(project, "alice", remember=False)
        qtbot.addWidget(window)
        assert window.windowTitle().startswith(f"{project.path.name} — annotator")
        assert window.documents.ids() == [1, 3]  # her assignments: the server shows her only those
        project.add_span(1, Span(*find(TEXT_A, "Moskwa"), "LOC"), "alice")
        # a worker thread reopens the project from its path, as it does a file
        with Project(window.project.path) as again:
            assert [s.label for s in again.spans(1, "alice")] == ["LOC"]
    finally:
        project.close()
