"""Review at scale: agreement, merge and auto-merge on a generated team project.

    python -m benchmarks.review_agreement [--documents 1000] [--annotators 3] [--json] [--out FILE]
        [--cache DIR] [--baseline-documents N [--no-baseline-agreement]] [--no-auto-merge]
    python -m benchmarks.review_agreement --review REVIEW.db [--json]   # agreement alone, on a merged project

Builds one project file per annotator (same articles, each with ~25 entity
spans per document, 85% shared with a common "truth"), merges them into a
review project, re-runs the merge (must add nothing), computes agreement and
merges agreements into gold.  Each timed merge starts with its source files read through
once (in the OS page cache, as after the copy that brought them).  Prints JSON with the seconds of each step
(``--json``: one line; ``--out FILE`` also writes it there) and the merge's
seconds per 1,000 documents and per source file, the figure issue 12 asks about.

``--baseline-documents N`` also merges files of N documents both ways in the same run: the
per-document Python merge issue 12 measured (``benchmarks.merge_baseline``) and today's, and
reports their seconds per 1,000 documents and the ratio of the main merge's rate to the
baseline's (``merge_speedup_vs_baseline``).  The baseline is slow (about 4 s per 1,000
documents), so N is usually smaller than ``--documents``.

Each timed merge also reports its user and system CPU seconds (``*_user_s``, ``*_sys_s``) and,
right after it, what writing a fresh file cost at that moment (``*_fresh_write_s_per_gb``):
on a shared VM the system time of writing a new 4 GB review swings with the host.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
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
                    p.set_answer(doc_id, name, "stance", rnd.choice(("FAVOR", "AGAINST", "NEUTRAL")))
                    p.set_status(doc_id, name, "done")
        paths.append(path)
    return paths


def cached_sources(folder: Path, n_docs: int, n_ann: int, tokens: int) -> list[Path]:
    """The annotator files of :func:`build_sources`, built once into ``folder`` and reused
    (a merge only reads them, apart from giving each its project id once)."""
    sub = folder / f"review_agreement_{n_docs}x{n_ann}x{tokens}"
    done = sub / "complete"
    if not done.exists():
        sub.mkdir(parents=True, exist_ok=True)
        for old in sub.glob("*.db*"):
            old.unlink()
        build_sources(sub, n_docs, n_ann, tokens)
        done.write_text("built\n")
    return [sub / f"annotator{a}.db" for a in range(n_ann)]


def main() -> None:
    """Run the benchmark and print JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--documents", "--docs", dest="docs", type=int, default=1000)
    ap.add_argument("--annotators", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=300)
    ap.add_argument("--json", action="store_true", help="print the JSON on one line")
    ap.add_argument("--cache", type=Path, help="keep the generated annotator files in this folder and reuse them")
    ap.add_argument("--out", type=Path, help="also write the JSON to this file")
    ap.add_argument("--review", type=Path, help="time only the agreement of this merged review project")
    ap.add_argument("--no-auto-merge", action="store_true",
                    help="leave out the auto-merge into gold (minutes at 100,000 documents)")
    ap.add_argument("--baseline-documents", type=int, default=0,
                    help="also merge files of N documents the old way and today's way (same run) for the ratio")
    ap.add_argument("--no-baseline-agreement", action="store_true",
                    help="with --baseline-documents: leave out the agreement both ways on them (the old per-document"
                         " code takes minutes at 100,000)")
    args = ap.parse_args()
    from annotator.review.adjudicate import auto_merge_project
    from annotator.review.agreement import compute_agreement
    from annotator.review.merge import merge_projects

    if args.review:
        if not args.review.is_file():
            ap.error(f"--review {args.review}: no such file")
        with Project(args.review, create=False) as p:
            t, c = time.perf_counter(), time.process_time()
            result = compute_agreement(p)
            report = {"review": str(args.review), "documents": result["documents"],
                      "agreement_s": round(time.perf_counter() - t, 2),
                      "agreement_cpu_s": round(time.process_time() - c, 2),
                      "pairwise_f1": result["layers"]["entities"]["pairwise_f1"],
                      "token_alpha": result["layers"]["entities"]["token_alpha"]}
        print(json.dumps(report) if args.json else json.dumps(report, indent=2))
        return
    out: dict[str, object] = {"documents": args.docs, "annotators": args.annotators, "tokens_per_doc": args.tokens}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        sources = cached_sources(args.cache, args.docs, args.annotators, args.tokens) if args.cache else (
            build_sources(folder, args.docs, args.annotators, args.tokens))
        out["build_s"] = round(time.perf_counter() - t, 2)
        review = folder / "review.db"
        _warm(sources)
        t, c, u = time.perf_counter(), time.process_time(), _user_sys()
        report = merge_projects(review, sources)
        out["merge_s"] = round(time.perf_counter() - t, 2)
        # CPU seconds of this process (SQLite runs in it): the figure to compare on a shared machine
        out["merge_cpu_s"] = round(time.process_time() - c, 2)
        out.update(_split("merge", u, folder))
        # one source file of N documents: the "4 s per 1,000 documents" of issue 12
        out["merge_s_per_1000_docs_per_file"] = round(float(out["merge_s"]) * 1000 / args.docs / args.annotators, 3)
        out["merge_cpu_s_per_1000_docs_per_file"] = round(
            float(out["merge_cpu_s"]) * 1000 / args.docs / args.annotators, 3)
        out["merged_spans"] = report.totals()["spans_added"]
        t, c = time.perf_counter(), time.process_time()
        again = merge_projects(review, sources)
        out["remerge_s"] = round(time.perf_counter() - t, 2)
        out["remerge_cpu_s"] = round(time.process_time() - c, 2)
        out["remerge_changes"] = sum(s.changes for s in again.sources)
        with Project(review) as p:
            t, c = time.perf_counter(), time.process_time()
            result = compute_agreement(p)
            out["agreement_s"] = round(time.perf_counter() - t, 2)
            out["agreement_cpu_s"] = round(time.process_time() - c, 2)
            out["pairwise_f1"] = result["layers"]["entities"]["pairwise_f1"]
            out["token_alpha"] = result["layers"]["entities"]["token_alpha"]
            out["unitizing_alpha"] = result["layers"]["entities"]["unitizing_alpha"]
            if not args.no_auto_merge:
                t = time.perf_counter()
                merged = auto_merge_project(p)
                out["auto_merge_s"] = round(time.perf_counter() - t, 2)
                out["gold_spans"] = merged.spans
        # each file goes once it is measured: three 4 GB files of 100,000 documents held at once
        # crowd this 24 GB machine's page cache, and the later steps then pay for the kernel's
        # reclaiming (115 s of system time in one run) instead of for their own work
        _remove_project(review)
        if args.baseline_documents:
            out.update(_baseline(folder, args, float(out["merge_s"]), float(out["merge_cpu_s"])))
    text = json.dumps(out) if args.json else json.dumps(out, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


def _baseline(folder: Path, args: argparse.Namespace, merge_s: float, merge_cpu_s: float) -> dict[str, object]:
    """The old per-document merge and today's on the same files of ``--baseline-documents``
    documents, one after the other in this process: seconds, reports and ratios."""
    from annotator.review.merge import merge_projects
    from benchmarks.merge_baseline import baseline_merge

    n = args.baseline_documents
    if args.cache:
        sources = cached_sources(args.cache, n, args.annotators, args.tokens)
    else:
        (folder / "baseline").mkdir()
        sources = build_sources(folder / "baseline", n, args.annotators, args.tokens)
    out: dict[str, object] = {"baseline_documents": n}
    runs = {}
    for name, merge in (("baseline", baseline_merge), ("setwise", merge_projects)):
        target = folder / f"{name}.db"
        _warm(sources)
        t, c, u = time.perf_counter(), time.process_time(), _user_sys()
        report = merge(target, sources)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        out.update(_split(f"{name}_merge", u, folder))
        runs[name] = (wall, cpu, report.totals())
        if name == "baseline":
            _remove_project(target)
        out[f"{name}_merge_s"] = round(wall, 2)
        out[f"{name}_merge_cpu_s"] = round(cpu, 2)
        out[f"{name}_merge_s_per_1000_docs"] = round(wall * 1000 / n, 3)
        out[f"{name}_merge_cpu_s_per_1000_docs"] = round(cpu * 1000 / n, 3)
    # the same work both ways (every count of the two reports)
    out["baseline_same_report"] = runs["baseline"][2] == runs["setwise"][2]
    out["setwise_vs_baseline_cpu"] = round(runs["baseline"][1] / runs["setwise"][1], 2)
    out["setwise_vs_baseline_wall"] = round(runs["baseline"][0] / runs["setwise"][0], 2)
    # the main run's rate (``--documents``) against the baseline's rate, per 1,000 documents
    out["merge_speedup_vs_baseline"] = round((runs["baseline"][0] / n) / (merge_s / args.docs), 2)
    out["merge_cpu_speedup_vs_baseline"] = round((runs["baseline"][1] / n) / (merge_cpu_s / args.docs), 2)
    if args.no_baseline_agreement:
        return out
    # agreement on that review project: the per-document loop it was, and today's (the same report)
    from annotator.review.agreement import compute_agreement
    from benchmarks.agreement_baseline import compute_agreement as baseline_agreement

    with Project(folder / "setwise.db") as p:
        reports = []
        for name, agree in (("baseline", baseline_agreement), ("arrays", compute_agreement)):
            t, c = time.perf_counter(), time.process_time()
            reports.append(agree(p))
            out[f"{name}_agreement_s"] = round(time.perf_counter() - t, 2)
            out[f"{name}_agreement_cpu_s"] = round(time.process_time() - c, 2)
        out["agreement_same_report"] = reports[0] == reports[1]
        out["agreement_vs_baseline_cpu"] = round(
            float(out["baseline_agreement_cpu_s"]) / max(float(out["arrays_agreement_cpu_s"]), 0.01), 2)
    return out


def _user_sys() -> tuple[float, float]:
    """User and system CPU seconds of this process so far (every thread: the merge's check runs in one)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime


def _split(name: str, since: tuple[float, float], folder: Path) -> dict[str, float]:
    """The user and system CPU seconds since ``since``, and how dear a fresh file's pages are
    right after (``NAME_fresh_write_s_per_gb``: 256 MiB written to a new file).  On this shared
    VM that figure swings from 0.2 to 10 s per GB from one minute to the next, and a merge that
    writes a 4 GB review pays it in system time: with it beside the user/system split, a slow
    run can be told from slow code."""
    user, system = _user_sys()
    probe = folder / "fresh-write-probe"
    block = b"\1" * (1 << 20)
    t = time.perf_counter()
    with open(probe, "wb") as f:
        for _ in range(256):
            f.write(block)
    dear = (time.perf_counter() - t) * 4
    probe.unlink()
    return {f"{name}_user_s": round(user - since[0], 2), f"{name}_sys_s": round(system - since[1], 2),
            f"{name}_fresh_write_s_per_gb": round(dear, 2)}


def _warm(paths: list[Path]) -> None:
    """Read the source files through once before a timed merge, so that every merge starts with
    them in the OS page cache (as after the copy that brought them to the reviewer): the first
    merge of a run otherwise also paid for reading 4.5 GB from the disk (41 s wall / 31 s CPU
    against 25 s / 22 s for the same merge after the old one, in one run), which is the disk's
    figure, not the merge's."""
    for path in paths:
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass


def _remove_project(path: Path) -> None:
    """Delete a project file this run made and measured (with its WAL and shared-memory files)."""
    for extra in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{extra}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
