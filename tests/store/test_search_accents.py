"""Search folds accents on both backends (FTS5's remove_diacritics in a file, ``unaccent`` on a
server, migration 9): the same words find the same documents."""

from __future__ import annotations

from annotator.core import Document
from annotator.store import Project


def test_search_folds_accents_as_the_file_index_does(project):
    bogota, _ = project.add_document(Document("Presiden tiba di Bogotá pada Senin.", title="Kolombia"))
    cafe, _ = project.add_document(Document("Kedai kopi baru dibuka di Jakarta.", title="Café Kemang"))
    project.add_document(Document("Banjir melanda Jakarta Utara.", title="Cuaca"))
    assert project.filter_documents(query="Bogota") == [bogota]
    assert project.filter_documents(query="bogotá") == [bogota]
    assert project.filter_documents(query="cafe") == [cafe]
    assert project.filter_documents(query="CAFÉ kemang") == [cafe]
    assert project.filter_documents(query="Bógota Senin") == [bogota]
    assert project.filtered_ids_page("alice", query="bogota") == [bogota]  # the list's paged query too


def test_a_server_project_opened_again_keeps_folding(target):
    with Project(target) as p:
        doc, _ = p.add_document(Document("Ñandú di São Paulo", title="Brasil"))
    with Project(target) as p:
        assert p.filter_documents(query="nandu sao") == [doc]
