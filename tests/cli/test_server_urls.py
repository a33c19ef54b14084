"""Every command takes a server URL where it takes PROJECT.db (issue 14, deliver 1): each one run
against a server project works, or says in one line what to use instead (no traceback)."""

from __future__ import annotations

import pytest

from annotator.cli import main
from annotator.store import Project
from annotator.store.sync import copy_project
from tests.conftest import SEED_FILES
from tests.store.test_sync import _rich


@pytest.fixture(scope="module")
def server(pg_admin_url, tmp_path_factory):
    """One server project for the module, made by pushing a file with two annotators' work."""
    from tests.pgcluster import create_database, drop_database

    url = create_database(pg_admin_url)
    folder = tmp_path_factory.mktemp("server")
    copy_project(_rich(folder / "src.db"), url)
    yield {"url": url, "file": folder / "src.db", "tmp": folder}
    drop_database(pg_admin_url, url)


WORKS = [
    (["import", "{url}", *map(str, SEED_FILES)], "imported 2 file(s)"),
    (["list", "{url}"], "Jokowi dan Shoigu"),
    (["show", "{url}", "1", "--json"], '"title": "Jokowi dan Shoigu"'),
    (["stats", "{url}"], "schema_version"),
    (["suggest", "{url}", "--no-model", "--doc", "2"], "suggested 1 document(s)"),
    (["suggestions", "{url}", "1"], "Joko Widodo"),
    (["evaluate", "{url}", "--reference", "alice"], "overall"),
    (["export", "{url}", "-f", "conll", "-o", "{tmp}/out.conll", "--all-annotators", "--force"], ""),
    (["agreement", "{url}", "--json", "--include-unfinished"], '"annotators"'),
    (["assign", "{url}", "--list"], "alice"),
    (["adjudicate", "{url}", "--auto"], "gold:"),
    (["package", "{url}", "--out", "{tmp}/pkg-{n}", "--annotator", "alice"], "for alice"),
    (["blind", "{url}"], "blind mode: on"),
    (["role", "{url}", "alice"], "alice: annotator"),
    (["kb", "{url}"], "sergei-shoigu"),
    (["link", "{url}"], "link(s)"),
    (["stories", "{url}"], ""),
    (["models", "{url}"], ""),
    (["queue", "{url}", "--annotator", "alice"], ""),
    (["team", "{url}", "--list"], ""),
    (["train", "{url}", "--annotator", "alice", "--out", "{tmp}/model-{n}", "--epochs", "1"], "trained on"),
    (["pull", "{url}", "{tmp}/pulled-{n}.db"], "copied"),
]

REFUSED = [
    (["check", "{url}"], "pg_amcheck"),
    (["check", "{file}", "--salvage", "{url}"], "pg_amcheck"),
    (["merge", "{url}", "{file}"], "annotator push FILE URL"),
    (["merge", "{tmp}/review-{n}.db", "{url}"], "annotator pull URL FILE"),
]


def _args(cmd: list[str], server: dict, n: int) -> list[str]:
    return [a.format(url=server["url"], tmp=server["tmp"], file=server["file"], n=n) for a in cmd]


@pytest.mark.parametrize(("cmd", "says"), WORKS, ids=[c[0] for c, _ in WORKS])
def test_command_works_on_a_server_url(server, cmd, says, capsys):
    code = main(_args(cmd, server, WORKS.index((cmd, says))))
    out = capsys.readouterr()
    assert code == 0, out.err
    assert says in out.out + out.err
    assert "Traceback" not in out.err


@pytest.mark.parametrize(("cmd", "says"), REFUSED, ids=[" ".join(c[:1] + c[2:3]) for c, _ in REFUSED])
def test_command_that_needs_a_file_says_what_to_use(server, cmd, says, capsys):
    code = main(_args(cmd, server, REFUSED.index((cmd, says))))
    err = capsys.readouterr().err
    assert code == 1 and says in err
    assert err.count("\n") == 1 and err.startswith("annotator: error:")


def test_import_schema_on_a_server_is_for_a_new_project_only(server, tmp_path, capsys):
    from pathlib import Path

    news = Path(__file__).parents[2] / "resources" / "schemas" / "news.toml"
    schema = tmp_path / "mine.toml"
    schema.write_text(news.read_text(encoding="utf-8").replace('name = "news"', 'name = "mine"'), encoding="utf-8")
    assert main(["import", server["url"], str(SEED_FILES[0]), "--schema", str(schema)]) == 1
    assert "already uses schema 'news'" in capsys.readouterr().err
    with Project(server["url"]) as p:
        assert p.schema.name == "news"
