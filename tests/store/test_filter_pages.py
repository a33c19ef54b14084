"""The document list's pages (``filtered_ids_page``) on both backends: put together, the
pages of every filter are exactly what ``filter_documents`` finds, in document order."""

from __future__ import annotations

import itertools

from annotator.core.model import Document
from annotator.store import Project

OUTLETS = ("Kompas.com", "Detik", "Tempo")


def test_pages_match_the_full_query_on_either_backend(target):
    with Project(target) as p:
        for i in range(1, 25):
            doc_id, _ = p.add_document(Document(text=f"Artikel {i} berita" + (" langka" if i % 4 == 0 else "") + ".",
                                                source=OUTLETS[i % 3]))
            if i % 3 == 0:
                p.set_status(doc_id, "ani", "done")
        for query, state, source in itertools.product((None, "berita", "langka"), (None, "todo", "done"),
                                                      (None, "Detik")):
            kwargs = {k: v for k, v in (("query", query), ("state", state), ("source", source)) if v}
            pages, after = [], 0
            while page := p.filtered_ids_page("ani", after=after, limit=5, **kwargs):
                pages += page
                after = page[-1]
            assert pages == sorted(p.filter_documents("ani", **kwargs)), kwargs
