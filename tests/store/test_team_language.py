"""An annotator on a team server may change a document's language (it picks the suggesters'
lexicon), and nothing else of the document: a column grant, not a table one."""

from __future__ import annotations

import psycopg
import pytest

from annotator.core import Document
from annotator.store import Project


def test_an_annotator_sets_a_language_but_cannot_change_the_text(pg_url):
    with Project(pg_url) as p:
        p.team_add("alice")
        doc, _ = p.add_document(Document("Putin bertemu Shoigu di Kremlin", title="Rusia"))
    alice = pg_url.replace("postgres@", "alice@", 1)
    with Project(alice) as p:
        assert p.set_language(doc, "en") is True
        assert p.get_document(doc).language == "en"
        assert p.events(doc)[-1]["action"] == "set_language"
    with psycopg.connect(alice, autocommit=True) as conn:
        for sql in ("UPDATE documents SET text = 'x'", "UPDATE documents SET title = 'x'", "DELETE FROM documents"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    with Project(pg_url) as p:
        d = p.get_document(doc)
        assert (d.language, d.text) == ("en", "Putin bertemu Shoigu di Kremlin")


def test_a_table_a_migration_adds_is_readable_by_the_team_at_once(pg_url, monkeypatch):
    from annotator.store import project as project_module

    old = project_module.SCHEMA_VERSION - 2  # a team server set up two versions ago
    monkeypatch.setattr(project_module, "SCHEMA_VERSION", old)
    with Project(pg_url) as p:
        assert p.schema_version == old
        p.team_add("alice")
    monkeypatch.undo()
    with Project(pg_url) as p:  # the owner opens it with this version: migrates, and grants
        assert p.schema_version == project_module.SCHEMA_VERSION
    with psycopg.connect(pg_url.replace("postgres@", "alice@", 1), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM answer_suggestions").fetchone()[0] == 0
