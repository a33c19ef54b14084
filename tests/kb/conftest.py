"""The seed project with the hand-marked entities of seed_clusters.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotator.core.model import Span
from annotator.formats import import_paths
from annotator.paths import seeds_dir
from annotator.store import Project
from tests.kb.seed_clusters import SEED_ENTITIES


def mark_seed_entities(project: Project, annotator: str = "ann") -> dict[int, str]:
    """Add the fixture's spans to the imported seeds; returns ``{span_id: cluster}``."""
    by_file = {}
    for doc_id in project.document_ids():
        by_file[project.get_document(doc_id).meta.get("file")] = doc_id
    gold: dict[int, str] = {}
    for name, marks in SEED_ENTITIES.items():
        doc_id = by_file[name]
        text = project.get_text(doc_id)
        taken: list[tuple[int, int]] = []
        spans: list[tuple[Span, str]] = []
        for surface, label, cluster in sorted(marks, key=lambda m: -len(m[0])):
            found = 0
            for hit in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
                a, b = hit.span()
                if any(a < e and s < b for s, e in taken):
                    continue
                taken.append((a, b))
                spans.append((Span(a, b, label), cluster))
                found += 1
            assert found, f"{surface!r} is not in {name}: the fixture no longer fits the seeds"
        spans.sort(key=lambda x: x[0].start)
        ids = project.add_spans(doc_id, [s for s, _ in spans], annotator)
        gold.update({i: c for i, (_, c) in zip(ids, spans, strict=True)})
    return gold


@pytest.fixture
def seed_project(tmp_path: Path) -> tuple[Project, dict[int, str]]:
    """The two seeds imported (cleaned) with the hand-marked entities of annotator ``ann``."""
    project = Project(tmp_path / "seeds.db")
    report = import_paths(project, sorted(seeds_dir().glob("*.txt")))
    assert report.ok and project.count_documents() == 2
    gold = mark_seed_entities(project)
    yield project, gold
    project.close()
