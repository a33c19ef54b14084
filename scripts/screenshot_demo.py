"""Build the demo project for the README screenshots and render them.

    python scripts/screenshot_demo.py [/tmp/s.db]

Imports both seeds, runs the project's suggesters (``annotator.nlp.suggest``), accepts a few as the
annotator would, adds a stance answer and a note, then writes
docs/screenshots/workspace.png and workspace-dark.png.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.core.model import Span  # noqa: E402
from annotator.formats import import_paths  # noqa: E402
from annotator.gui.screenshot import render_screenshot  # noqa: E402
from annotator.nlp.suggest import suggest_project  # noqa: E402
from annotator.store import Project  # noqa: E402

ANNOTATOR = "sari"
HUMAN = [("entities", "PER", "Sergei Shoigu"), ("entities", "LOC", "Moskwa"), ("entities", "LOC", "Myanmar"),
         ("entities", "PER", "Min Aung Hlaing"), ("entities", "ORG", "Reuters"),
         ("cues", "COMMIT", "berkomitmen"), ("cues", "REPORT", "mengatakan"), ("cues", "COMMIT", "bertekad")]


def build(path: Path) -> int:
    if path.exists():
        path.unlink()
    with Project(path) as p:
        import_paths(p, sorted((ROOT / "seeds").glob("*.txt")))
        doc_id = next(d for d in p.document_ids() if "Shoigu" in p.get_text(d))
        text = p.get_text(doc_id)
        suggest_project(p)
        annotate(p, doc_id, text)
        p.set_answer(doc_id, ANNOTATOR, "stance", "FAVOR", "Myanmar")
        p.set_answer(doc_id, ANNOTATOR, "note", "Shoigu quoted via RIA; wire copy from Reuters.")
        p.set_status(doc_id, ANNOTATOR, "in_progress")
        other = next(d for d in p.document_ids() if d != doc_id)
        p.set_status(other, ANNOTATOR, "done")
        return doc_id


def annotate(p: Project, doc_id: int, text: str) -> None:
    """What an annotator would have done: accept a suggestion where one fits,
    else add the span (and decide the suggestions it covers, as the GUI does)."""
    taken: list[tuple[str, int, int]] = []
    for layer, label, needle in HUMAN:
        for m in list(re.finditer(r"\b" + re.escape(needle) + r"\b", text))[:3]:
            s, e = m.start(), m.end()
            if any(lay == layer and s < te and ts < e for lay, ts, te in taken):
                continue
            taken.append((layer, s, e))
            pending = p.suggestions(doc_id, layer, pending_for=ANNOTATOR)
            same = [g for g in pending if (g.start, g.end) == (s, e)]
            if same:
                p.accept_suggestion(same[0].id, ANNOTATOR, label)
                continue
            p.add_span(doc_id, Span(s, e, label, layer), ANNOTATOR)
            if not p.schema.layer(layer).allow_overlap:
                for g in pending:
                    if g.start < e and s < g.end:
                        p.reject_suggestion(g.id, ANNOTATOR)


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/s.db")
    doc_id = build(path)
    out = ROOT / "docs" / "screenshots"
    render_screenshot(path, out / "workspace.png", document=doc_id, annotator=ANNOTATOR)
    render_screenshot(path, out / "workspace-dark.png", document=doc_id, annotator=ANNOTATOR, theme_name="dark")
    print(out / "workspace.png", out / "workspace-dark.png")


if __name__ == "__main__":
    main()
