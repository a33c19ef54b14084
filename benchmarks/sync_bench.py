"""push and pull throughput: ``python -m benchmarks.sync_bench [--documents N]`` prints JSON.

Builds a project file of N documents made of idner-news-2k sentences (as ``export_bench``)
with two annotators' spans (the corpus tags for alice, every third dropped for bob), then
against a PostgreSQL server (``ANNOTATOR_PG_URL``, else a throwaway cluster from
``tests/pgcluster.py``): the first push into an empty database, the same push again (nothing
to copy), a push after one edit, and a pull of the server into a new file; the CoNLL export
of the pulled file must equal the original's byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.export_bench import corpus


def build(path: Path, n_docs: int) -> int:
    """The project file; returns how many spans it holds."""
    from annotator.core import Document, Span
    from annotator.store import Project

    spans = 0
    with Project(path) as p, p.transaction():
        for i, (text, offsets) in enumerate(corpus(n_docs)):
            doc, _ = p.add_document(Document(text, title=f"doc {i}", source="idner"))
            mine = [Span(s, e, label) for s, e, label in offsets]
            p.add_spans(doc, mine, "alice")
            p.add_spans(doc, mine[::3], "bob")
            p.set_status(doc, "alice", "done")
            spans += len(mine) + len(mine[::3])
    return spans


def run(n_docs: int, url: str, folder: Path) -> dict[str, Any]:
    """Time the four copies; see the module docstring."""
    from annotator.core import Span
    from annotator.formats.export import export_project
    from annotator.store import Project
    from annotator.store.sync import copy_project

    src = folder / "src.db"
    spans = build(src, n_docs)
    out: dict[str, Any] = {"documents": n_docs, "spans": spans}
    for name, a, b in (("push_first", src, url), ("push_again", src, url)):
        t0 = time.perf_counter()
        rep = copy_project(a, b)
        out[f"{name}_s"] = round(time.perf_counter() - t0, 2)
        out[f"{name}_changes"] = rep.changes
    with Project(src) as p:
        text = p.get_text(1)
        p.add_span(1, Span(0, min(5, len(text)), "PER"), "bob")
    t0 = time.perf_counter()
    rep = copy_project(src, url)
    out["push_one_edit_s"] = round(time.perf_counter() - t0, 2)
    out["push_one_edit_spans_added"] = rep.spans_added
    back = folder / "back.db"
    t0 = time.perf_counter()
    copy_project(url, back)
    out["pull_s"] = round(time.perf_counter() - t0, 2)
    exports = []
    for target in (src, back):
        with Project(target) as p:
            dest = folder / f"{Path(str(target)).stem}.conll"
            export_project(p, "conll", dest, all_annotators=True)
            exports.append(dest.read_bytes())
    out["export_equal"] = exports[0] == exports[1]
    out["push_docs_per_s"] = round(n_docs / out["push_first_s"])
    return out


def main() -> None:
    """Parse the arguments, start a cluster when none is given, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    args = parser.parse_args()
    from tests.pgcluster import Cluster, create_database

    cluster = None
    admin = os.environ.get("ANNOTATOR_PG_URL")
    if not admin:
        cluster = Cluster()
        admin = cluster.url
    try:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(run(args.documents, create_database(admin, "bench"), Path(tmp)), indent=2))
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
