"""Review at scale: agreement, merge and auto-merge on a generated team project.

    python -m benchmarks.review_agreement [--docs 1000] [--annotators 3]

Builds one project file per annotator (same articles, each with ~25 entity
spans per document, 85% shared with a common "truth"), merges them into a
review project, re-runs the merge (must add nothing), computes agreement and
merges agreements into gold.  Prints JSON with the seconds of each step.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from annotator.core.model import Document, Span
from annotator.store import Project

WORDS = ("pemerintah menteri kota negara rapat kerja sama militer junta bahwa dengan untuk dalam yang "
         "pada dari oleh akan telah juga").split()
NAMES = ("Jakarta Moskow Myanmar Rusia Putin Jokowi Shoigu Hlaing Kremlin Asean Bandung Surabaya").split()
LABELS = ("PER", "ORG", "LOC", "MISC")


def make_doc(rnd: random.Random, n_tokens: int) -> tuple[str, list[tuple[int, int, str]]]:
    parts: list[str] = []
    truth: list[tuple[int, int, str]] = []
    pos = 0
    for _ in range(n_tokens):
        if rnd.random() < 0.08:
            w = rnd.choice(NAMES)
            truth.append((pos, pos + len(w), rnd.choice(LABELS)))
        else:
            w = rnd.choice(WORDS)
        parts.append(w)
        pos += len(w) + 1
    return " ".join(parts) + f" {rnd.random():.12f}.", truth


def build_sources(folder: Path, n_docs: int, n_ann: int, tokens: int, seed: int = 7) -> list[Path]:
    rnd = random.Random(seed)
    docs = [make_doc(rnd, tokens) for _ in range(n_docs)]
    paths = []
    for a in range(n_ann):
        name = f"annotator{a}"
        path = folder / f"{name}.db"
        with Project(path) as p:
            p.add_annotator(name)
            with p.transaction():
                for text, truth in docs:
                    doc_id, _ = p.add_document(Document(text=text, title=text[:40]))
                    spans = []
                    for s, e, lab in truth:
                        r = rnd.random()
                        if r < 0.85:
                            spans.append(Span(s, e, lab))
                        elif r < 0.93:
                            spans.append(Span(s, e, rnd.choice(LABELS)))
                    p.add_spans(doc_id, spans, name, validate=False)
                    p.set_doc_label(doc_id, name, "stance", rnd.choice(("FAVOR", "AGAINST", "NEUTRAL")))
                    p.set_status(doc_id, name, "done")
        paths.append(path)
    return paths


def main() -> None:
    """Run the benchmark and print JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--annotators", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=300)
    args = ap.parse_args()
    from annotator.review.adjudicate import auto_merge_project
    from annotator.review.agreement import compute_agreement
    from annotator.review.merge import merge_projects

    out: dict[str, object] = {"documents": args.docs, "annotators": args.annotators, "tokens_per_doc": args.tokens}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        sources = build_sources(folder, args.docs, args.annotators, args.tokens)
        out["build_s"] = round(time.perf_counter() - t, 2)
        review = folder / "review.db"
        t = time.perf_counter()
        report = merge_projects(review, sources)
        out["merge_s"] = round(time.perf_counter() - t, 2)
        out["merged_spans"] = report.totals()["spans_added"]
        t = time.perf_counter()
        again = merge_projects(review, sources)
        out["remerge_s"] = round(time.perf_counter() - t, 2)
        out["remerge_changes"] = sum(s.changes for s in again.sources)
        with Project(review) as p:
            t = time.perf_counter()
            result = compute_agreement(p)
            out["agreement_s"] = round(time.perf_counter() - t, 2)
            out["pairwise_f1"] = result["layers"]["entities"]["pairwise_f1"]
            out["token_alpha"] = result["layers"]["entities"]["token_alpha"]
            out["unitizing_alpha"] = result["layers"]["entities"]["unitizing_alpha"]
            t = time.perf_counter()
            merged = auto_merge_project(p)
            out["auto_merge_s"] = round(time.perf_counter() - t, 2)
            out["gold_spans"] = merged.spans
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
