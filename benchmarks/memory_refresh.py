"""The project memory at scale: ``python -m benchmarks.memory_refresh [--documents 2000]
[--cache DIR] [--project PATH] [--baseline] --json``.

1. **Judging** (always): one annotator file of ``benchmarks.review_agreement`` (N documents of
   300 tokens where a vocabulary of 50 words is labelled nearly everywhere: each remembered
   surface has thousands of observations).  Its memory view of the first 100 documents is made
   with ``Memory.judge`` as it is (observations counted per surface) and, in the same run, with
   the observation-by-observation judgement it replaced (:func:`judge_one_by_one`); the two
   must give the same suggestions.  Keys: ``judge_ms_per_document``,
   ``one_by_one_ms_per_document``, ``judge_speedup``, ``same_suggestions``,
   ``memory_suggestions`` (in those views: few here, where each word has several labels).
2. **The GUI's refresh** (with ``--project``, e.g. the million-article file of
   ``benchmarks.scale_bench``): a copy gets one new span by a new annotator on its first
   document, then the window's refresh job runs as after that change (the 200 documents after
   it), and again with nothing new.  ``--baseline`` also times the refresh of every untouched
   document (what the window did before; 105 s on a million articles) and the file's growth.
   Keys: ``gui_refresh_s``, ``gui_refresh_again_s``, ``gui_documents``, and with the baseline
   ``whole_project_refresh_s``, ``whole_project_documents``, ``whole_project_file_growth_mb``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from annotator.core.model import Span
from annotator.core.tokens import token_spans
from annotator.nlp.memory import Memory, build_memory
from annotator.store import Project
from benchmarks.review_agreement import cached_sources

SAMPLE = 100


def judge_one_by_one(memory: Memory, layer: str, surface: tuple[str, ...], doc: int, prev: str, nxt: str,
                     known: Any = None) -> tuple[Any, ...]:
    """The judgement weighing each observation in turn (the code before the counts; the
    baseline, as ``tests/nlp/test_memory.py`` checks them against each other)."""
    obs = [o for o in memory.index[layer][surface] if o.doc != doc]

    def knows(d: int) -> bool:
        return known is True or (isinstance(known, frozenset) and d in known)

    settled = known is not None and all(knows(o.doc) for o in obs if not o.rejected)
    pos: dict[str, float] = {}
    rej: dict[str, float] = {}
    who_w: dict[tuple[str, str], float] = {}
    vetoed: set[str] = set()
    neg = 0.0
    for o in obs:
        if settled and not o.rejected:
            continue
        w = (1 + (o.prev == prev) + (o.next == nxt)) * (memory.own_weight if o.who == memory.viewer else 1)
        if o.rejected:
            rej[str(o.label)] = rej.get(str(o.label), 0) + w
            if o.prev == prev and o.next == nxt:
                vetoed.add(str(o.label))
        elif o.label is None:
            neg += w
        else:
            pos[o.label] = pos.get(o.label, 0) + w
            who_w[(o.label, o.who)] = who_w.get((o.label, o.who), 0) + w
    unlabelled = neg > 0 and neg > sum(pos.values())
    if not pos:
        return None, 0.0, "", unlabelled, vetoed, set(rej)
    best = max(sorted(pos), key=lambda lab: pos[lab] - rej.get(lab, 0))
    share = pos[best] / (sum(pos.values()) + neg + rej.get(best, 0))
    who = max(sorted(w for lab, w in who_w if lab == best), key=lambda w: who_w[(best, w)])
    label = None if best in vetoed or share < 0.5 else best
    return label, share, who, unlabelled, vetoed, set(rej)


def _views(project: Project, memory: Memory, docs: list[int]) -> tuple[float, list[Any]]:
    overlap = {lay.name for lay in project.schema.layers if lay.allow_overlap}
    started = time.perf_counter()
    out = [memory.apply(d, project.get_text(d), project.shared_suggestions(d), overlap) for d in docs]
    return time.perf_counter() - started, out


def judging(cache: Path, documents: int) -> dict[str, Any]:
    """Part 1 (see the module docstring)."""
    source = cached_sources(cache, documents, 3, 300)[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.db"
        shutil.copy(source, path)
        with Project(path) as p:
            viewer = p.annotators()[0]
            memory = build_memory(p, viewer)
            docs = p.document_ids()[:SAMPLE]
            counted_s, counted = _views(p, memory, docs)
            fast = Memory.judge
            Memory.judge = judge_one_by_one  # type: ignore[method-assign,assignment]
            try:
                slow_s, slow = _views(p, memory, docs)
            finally:
                Memory.judge = fast  # type: ignore[method-assign]
            largest = max(len(obs) for surfaces in memory.index.values() for obs in surfaces.values())
    return {"documents": documents, "sampled_documents": len(docs), "observations": len(memory),
            "largest_surface_observations": largest,
            "judge_ms_per_document": round(1000 * counted_s / len(docs), 2),
            "one_by_one_ms_per_document": round(1000 * slow_s / len(docs), 2),
            "judge_speedup": round(slow_s / counted_s, 1), "same_suggestions": counted == slow,
            "memory_suggestions": sum(1 for view in counted for s in view if s.origin.startswith("memory:"))}


def gui_refresh(project: Path, baseline: bool) -> dict[str, Any]:
    """Part 2 (see the module docstring)."""
    from annotator.gui.memory_refresh import AHEAD, refresh_job  # Qt is imported, nothing shown

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=project.parent) as tmp:
        path = Path(tmp) / "copy.db"
        shutil.copy(project, path)
        who = "memory-bench"
        with Project(path) as p:
            ids = p.all_document_ids()
            first = ids[0]
            toks = token_spans(p.get_text(first))
            start, end = toks[min(1, len(toks) - 1)]  # its second word, labelled as a new annotator's
            p.add_span(first, Span(start=start, end=end, label="MISC", layer="entities"), who)
            ahead = list(ids[1:AHEAD + 1])
        for key in ("gui_refresh_s", "gui_refresh_again_s"):
            started = time.perf_counter()
            report = refresh_job(path, who, ahead)(None, lambda: False)
            out[key] = round(time.perf_counter() - started, 3)
            out.setdefault("gui_documents", report.documents)
        if baseline:
            size = path.stat().st_size
            started = time.perf_counter()
            report = refresh_job(path, who, None)(None, lambda: False)
            out["whole_project_refresh_s"] = round(time.perf_counter() - started, 1)
            out["whole_project_documents"] = report.documents
            out["whole_project_file_growth_mb"] = round((path.stat().st_size - size) / 1e6, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the parts asked for; print JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory_refresh")
    parser.add_argument("--documents", type=int, default=2000, help="annotator file size for the judging part")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "annotator-bench-cache")
    parser.add_argument("--project", type=Path, help="a big project file for the GUI refresh part (copied)")
    parser.add_argument("--baseline", action="store_true", help="also refresh every untouched document (slow)")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output)")
    args = parser.parse_args(argv)
    if args.project is not None and not args.project.is_file():
        parser.error(f"--project {args.project}: no such file")
    result = judging(args.cache, args.documents)
    if args.project is not None:
        result.update(gui_refresh(args.project, args.baseline))
    print(json.dumps(result, indent=2) if args.json else result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
