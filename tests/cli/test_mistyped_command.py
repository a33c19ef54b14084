"""A misspelt command is reported, never taken for a new project to create and open."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.cli import main


@pytest.mark.parametrize(("word", "hint"), [("sugest", "did you mean 'suggest'?"), ("improt", "did you mean 'import'?"),
                                            ("zzzz", "a new project needs a name such as NAME.db")])
def test_cli_mistyped_command_creates_nothing(tmp_path: Path, capsys, monkeypatch, word: str, hint: str) -> None:
    monkeypatch.chdir(tmp_path)
    opened: list[list[str]] = []
    monkeypatch.setattr("annotator.cli.gui_cmd.open_gui", lambda argv: opened.append(argv) or 0)
    code = main([word, "x.db"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{word!r} is neither a command nor an existing project file" in err
    assert hint in err
    assert opened == []
    assert os.listdir(tmp_path) == []  # no project file was made


@pytest.mark.parametrize("argv", [["sugest"], ["new.db"], ["sub/new"], ["--annotator", "ann", "x.db"]])
def test_cli_project_names_still_open_the_gui(tmp_path: Path, monkeypatch, argv: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sugest").write_bytes(b"")  # an existing file is a project, whatever its name
    opened: list[list[str]] = []
    monkeypatch.setattr("annotator.cli.gui_cmd.open_gui", lambda a: opened.append(a) or 0)
    assert main(argv) == 0
    assert opened == [argv]
