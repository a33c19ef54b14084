"""Opening the GUI from the command line: default project, display check."""

from annotator.cli.gui_cmd import default_project_path, display_problem, ensure_default_project
from annotator.store import Project


def test_gui_cmd_default_project_is_built_from_seeds_once(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = default_project_path()
    assert str(path).startswith(str(tmp_path / "data")) and path.name == "default.db"
    ensure_default_project(path)
    ensure_default_project(path)
    with Project(path) as p:
        assert p.count_documents() == 2
        titles = {i.title for i in p.document_infos()}
        assert "Rusia Nyatakan Perkuat Hubungan Militer dengan Myanmar" in titles


def test_gui_cmd_display_problem(monkeypatch):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert "QT_QPA_PLATFORM=offscreen" in display_problem()
    monkeypatch.setenv("DISPLAY", ":0")
    assert display_problem() is None
    monkeypatch.delenv("DISPLAY")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert display_problem() is None
