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
