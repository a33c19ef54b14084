"""Build the demo project for the README screenshots and render them.

    python scripts/screenshot_demo.py [/tmp/s.db]

Imports both seeds, adds a few human spans, a stance answer and (until the
nlp branch's suggesters run here) a few stand-in machine suggestions, then
writes docs/screenshots/workspace.png and workspace-dark.png.
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
from annotator.store import Project  # noqa: E402

ANNOTATOR = "sari"
HUMAN = [("entities", "PER", "Sergei Shoigu"), ("entities", "LOC", "Moskwa"), ("entities", "LOC", "Myanmar"),
         ("entities", "PER", "Min Aung Hlaing"), ("entities", "ORG", "Reuters"),
         ("cues", "COMMIT", "berkomitmen"), ("cues", "REPORT", "mengatakan"), ("cues", "COMMIT", "bertekad")]
SUGGESTED = [("entities", "LOC", "Rusia", 0.9), ("entities", "ORG", "Dewan Keamanan Rusia", 0.7),
             ("entities", "PER", "Nikolai Patrushev", 0.8), ("entities", "PER", "Vladimir Putin", 0.85),
             ("entities", "ORG", "Kremlin", 0.6), ("cues", "ACCUSE", "menuding", 0.75),
             ("cues", "REPORT", "kata", 0.7), ("cues", "REPORT", "melaporkan", 0.7)]


def build(path: Path) -> int:
    if path.exists():
        path.unlink()
    with Project(path) as p:
        import_paths(p, sorted((ROOT / "seeds").glob("*.txt")))
        doc_id = next(d for d in p.document_ids() if "Shoigu" in p.get_text(d))
        text = p.get_text(doc_id)
        spans = []
        taken: list[tuple[str, int, int]] = []
        for layer, label, needle in HUMAN:
            for m in list(re.finditer(re.escape(needle), text))[:3]:
                if any(lay == layer and m.start() < e and s < m.end() for lay, s, e in taken):
                    continue
                taken.append((layer, m.start(), m.end()))
                spans.append(Span(m.start(), m.end(), label, layer))
        p.add_spans(doc_id, spans, ANNOTATOR)
        sugg = []
        for layer, label, needle, score in SUGGESTED:
            for m in re.finditer(r"\b" + re.escape(needle) + r"\b", text):
                if any(lay == layer and m.start() < e and s < m.end() for lay, s, e in taken):
                    continue
                taken.append((layer, m.start(), m.end()))
                sugg.append(Span(m.start(), m.end(), label, layer, origin="rule:demo", score=score))
        p.set_suggestions(doc_id, sugg, suggester="demo", version="0")
        p.set_doc_label(doc_id, ANNOTATOR, "stance", "FAVOR", "Myanmar")
        p.set_doc_label(doc_id, ANNOTATOR, "note", "Shoigu quoted via RIA; wire copy from Reuters.")
        p.set_status(doc_id, ANNOTATOR, "in_progress")
        other = next(d for d in p.document_ids() if d != doc_id)
        p.set_status(other, ANNOTATOR, "done")
        return doc_id


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/s.db")
    doc_id = build(path)
    out = ROOT / "docs" / "screenshots"
    render_screenshot(path, out / "workspace.png", document=doc_id, annotator=ANNOTATOR)
    render_screenshot(path, out / "workspace-dark.png", document=doc_id, annotator=ANNOTATOR, theme_name="dark")
    print(out / "workspace.png", out / "workspace-dark.png")


if __name__ == "__main__":
    main()
