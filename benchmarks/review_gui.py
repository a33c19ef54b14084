"""The comparison view on a long article: open, merge agreements, accept, undo.

    QT_QPA_PLATFORM=offscreen python -m benchmarks.review_gui [--tokens 100000]

One article of N tokens with ~8% entity tokens, three annotators each keeping
90% of them; prints JSON with the milliseconds of each step (median of 5 for
the single edits).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    """Run the benchmark and print JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokens", type=int, default=100_000)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from annotator.core.model import Document, Span
    from annotator.store import Project
    from benchmarks.review_agreement import make_doc

    app = QApplication.instance() or QApplication([])
    rnd = random.Random(3)
    text, truth = make_doc(rnd, args.tokens)
    out: dict[str, object] = {"tokens": args.tokens, "entities": len(truth)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.db"
        with Project(path) as p:
            doc, _ = p.add_document(Document(text=text, title="long"))
            for ann in ("alice", "bob", "cici"):
                p.add_spans(doc, [Span(s, e, lab) for s, e, lab in truth if rnd.random() < 0.9], ann, validate=False)
                p.set_status(doc, ann, "done")
        from annotator.gui.review import ReviewWindow

        t = time.perf_counter()
        w = ReviewWindow(path)
        out["window_ms"] = round((time.perf_counter() - t) * 1000)
        c = w.compare
        t = time.perf_counter()
        w.open_document(doc, "entities")  # includes merging the agreements into gold
        out["open_and_merge_ms"] = round((time.perf_counter() - t) * 1000)
        out["units"] = c.units.rowCount()
        out["gold_spans"] = len(p_spans := w.project.spans(doc, "gold"))
        del p_spans
        accept, undo = [], []
        for k in range(5):
            c.units.setCurrentCell(c.comparison.units.index(c.comparison.disagreements[k]), 1)
            t = time.perf_counter()
            c.accept_selected()
            accept.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            w.undo_stack.undo()
            undo.append((time.perf_counter() - t) * 1000)
        out["accept_span_ms_median"] = round(statistics.median(accept))
        out["undo_ms_median"] = round(statistics.median(undo))
        w.close()
        app.processEvents()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
