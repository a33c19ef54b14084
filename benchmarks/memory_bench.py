"""Memory of the GUI: ``python -m benchmarks.memory_bench [--documents 2000] --json``.

The peer benchmark's corpus (``../shared/tools/peerbench/make_corpus.py``: N articles of
about 400 words with their entity spans, the corpus Label Studio's server peaked at 460 MB
on) is imported, suggested (the spaCy pipeline runs in this process, so spaCy and its
suggestions are loaded), then the main window opens on the project, shows the list and
opens articles.  Prints the process's resident memory after each step and its peak
(``VmHWM``); the issue's target is under 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "tools" / "peerbench" / "make_corpus.py"


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return -1.0


def main(argv: list[str] | None = None) -> int:
    """Build, suggest, open the window; print JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory_bench")
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="print JSON (the only output)")
    args = parser.parse_args(argv)
    from benchmarks.peer_bench import native_jsonl

    out: dict[str, Any] = {"documents": args.documents}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(args.documents), "--out", str(folder / "c")],
                       check=True, stdout=subprocess.DEVNULL)
        native_jsonl(folder / "c", folder / "a.jsonl")
        from annotator.formats import import_paths
        from annotator.nlp.suggest import suggest_project
        from annotator.store import Project

        path = folder / "p.db"
        with Project(path) as p:
            import_paths(p, [folder / "a.jsonl"])
            out["rss_after_import_mb"] = _status_mb("VmRSS")
            t0 = time.perf_counter()
            rep = suggest_project(p, memory=False)
            out["suggest_s"] = round(time.perf_counter() - t0, 1)
            out["suggestions"] = rep.suggestions
        out["rss_after_suggest_mb"] = _status_mb("VmRSS")
        from annotator.gui.app import ensure_app
        from annotator.gui.main_window import MainWindow

        app = ensure_app()
        project = Project(path)
        win = MainWindow(project, "peer", remember=False)
        win.resize(1400, 860)
        win.show()
        app.processEvents()
        for doc_id in (1, 2, 500, 1000, args.documents):
            win.open_document(min(doc_id, args.documents))
            app.processEvents()
        out["rss_window_mb"] = _status_mb("VmRSS")
        out["peak_rss_mb"] = _status_mb("VmHWM")
        out["spacy_loaded"] = "spacy" in sys.modules
        win.close()
        project.close()
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
