"""Suggestion throughput: ``annotator suggest`` against bare ``nlp.pipe``.

    python -m benchmarks.suggest_bench [--articles 2000] [--batch-size 64] [--n-process 1]

Builds a corpus of articles from the idner-news-2k train sentences (shuffled
with a fixed seed, 12 sentences per article, so every article is distinct),
stores it in a temporary project, then times, in the same process and on the
same warm pipeline:

* ``bare``: ``nlp.pipe(texts)`` of the suggestion pipeline, nothing else;
* ``suggest``: :func:`annotator.nlp.suggest.suggest_project` with ``force``
  (reads every text from the project, runs the same pipeline, stores every
  suggestion and the run bookkeeping);

five times each, alternating, keeping the fastest run of each (the machine is
shared).  Prints JSON; ``ratio`` (suggest throughput / bare throughput, wall
clock) must stay at or above 0.8; ``ratio_cpu`` is the same on the process's CPU
time, which other jobs on a shared machine disturb less.  A last run without ``force`` shows the cost of an
up-to-date project.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from annotator.core.model import Document
from annotator.formats.conll import join_tokens, parse_conll
from annotator.nlp.pipeline import load_pipeline, pipeline_version
from annotator.nlp.suggest import suggest_project
from annotator.store import Project

IDNER = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "idner-news-2k"
SENTENCES_PER_ARTICLE = 12


def build_corpus(n_articles: int, seed: int = 13, source: Path = IDNER / "train.txt") -> list[str]:
    """``n_articles`` distinct article texts made of idner train sentences."""
    if not source.is_file():
        sys.exit(f"benchmark corpus source missing: {source}")
    docs, _ = parse_conll(source.read_text(encoding="utf-8"), source)
    sentences = [join_tokens([t.text for t in s])[0] for d in docs for s in d.sentences]
    rng = random.Random(seed)
    texts: list[str] = []
    seen: set[str] = set()
    while len(texts) < n_articles:
        text = "\n".join(rng.sample(sentences, SENTENCES_PER_ARTICLE))
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return texts


def time_bare(nlp, texts: list[str], batch_size: int, n_process: int) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of this process and tokens for bare ``nlp.pipe``."""
    start, cpu = time.perf_counter(), time.process_time()
    tokens = 0
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        tokens += len(doc)
    return time.perf_counter() - start, time.process_time() - cpu, tokens


def time_suggest(project: Project, batch_size: int, n_process: int) -> tuple[float, float, object]:
    """Wall seconds, CPU seconds and report of a forced ``suggest_project`` run."""
    start, cpu = time.perf_counter(), time.process_time()
    report = suggest_project(project, force=True, batch_size=batch_size, n_process=n_process)
    return time.perf_counter() - start, time.process_time() - cpu, report


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds; the fastest of each is kept")
    args = ap.parse_args(argv)

    texts = build_corpus(args.articles)
    nlp = load_pipeline()
    for _ in nlp.pipe(texts, batch_size=args.batch_size):  # warm up: vocab lexemes, lemma-key caches
        pass
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        with project.transaction():
            for text in texts:
                project.add_document(Document(text=text, title="bench"))
        store_seconds = time.perf_counter() - t0
        bare_runs, suggest_runs, bare_cpu, suggest_cpu = [], [], [], []
        report = None
        tokens = 0
        for _ in range(args.rounds):
            seconds, cpu, tokens = time_bare(nlp, texts, args.batch_size, args.n_process)
            bare_runs.append(seconds)
            bare_cpu.append(cpu)
            seconds, cpu, report = time_suggest(project, args.batch_size, args.n_process)
            suggest_runs.append(seconds)
            suggest_cpu.append(cpu)
        t1 = time.perf_counter()
        up_to_date = suggest_project(project)
        skip_seconds = time.perf_counter() - t1
        project.close()
    bare = min(bare_runs)
    sugg = min(suggest_runs)
    assert report is not None and report.tokens == tokens, "suggest and bare saw different corpora"
    bare_tps = tokens / bare
    sugg_tps = report.tokens / sugg
    out = {
        "articles": len(texts),
        "tokens": tokens,
        "batch_size": args.batch_size,
        "n_process": args.n_process,
        "pipeline": nlp.pipe_names,
        "version": pipeline_version(nlp),
        "bare_pipe": {"seconds": round(bare, 3), "tokens_per_second": round(bare_tps), "runs": [round(x, 3) for x in bare_runs]},
        "suggest": {"seconds": round(sugg, 3), "tokens_per_second": round(sugg_tps),
                    "runs": [round(x, 3) for x in suggest_runs], "suggestions": report.suggestions,
                    "by_layer": report.by_layer},
        "ratio": round(sugg_tps / bare_tps, 3),
        "ratio_ok": sugg_tps / bare_tps >= 0.8,
        # the same ratio on CPU time of this process: insensitive to other load on a shared machine
        "ratio_cpu": round(min(bare_cpu) / min(suggest_cpu), 3),
        "up_to_date_run": {"seconds": round(skip_seconds, 3), "skipped": up_to_date.skipped,
                           "documents": up_to_date.documents},
        "store_corpus_seconds": round(store_seconds, 3),
    }
    print(json.dumps(out, indent=2))
    return 0 if out["ratio_ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
