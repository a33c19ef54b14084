"""Export throughput: ``python -m benchmarks.export_bench`` prints JSON.

Builds a project of 10,000 documents from the idner-news-2k sentences (real
Indonesian news text; sentences shuffled into documents with a fixed seed,
their PER/ORG/LOC tags as spans), exports it to ``spacy`` and to ``conll``,
and in the same run builds the same DocBin directly with spaCy from the same
texts and offsets (``make_doc``, ``char_span``, ``doc.ents``, ``doc.spans``,
``DocBin.add``, ``DocBin.to_disk``, as spaCy's documentation writes it).  ``ratio`` is our
spaCy export's tokens per second over the direct build's; issue 12 asks for 0.9 or more
(``ok``).  Our figure includes reading the documents and spans from SQLite; the direct
build starts from lists in memory.  Both run after ``blank_nlp()``, which also tells srsly
to skip its per-call scan of every package's entry points (it finds none), so the direct
build is spared that too; our writer fills the DocBin with ``spacy_format.DocBinAdder``
(the bytes of ``DocBin.add``, one msgpack Packer, each distinct string looked up once).

``--n-process N`` (default 2; 1 skips it) exports spaCy, CoNLL and CoNLL-U again with N worker
processes (``export --n-process``): ``n_process`` holds each one's seconds, its speedup over the
one-process export of the same run, and whether the files are the same bytes.  The speedup is
bounded by the cores (2 here) and by what stays in the main process (reading SQLite, writing).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IDNER = ROOT.parent / "shared" / "data" / "idner-news-2k" / "train.txt"


def corpus(n_docs: int, seed: int = 0) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """``n_docs`` texts with entity offsets, made of idner sentences."""
    from annotator.formats.conll import decode_tags, join_tokens, parse_conll

    docs, _ = parse_conll(IDNER.read_text(encoding="utf-8").replace("\r\n", "\n"), IDNER)
    sentences = [s for d in docs for s in d.sentences]
    rng = random.Random(seed)
    out = []
    for i in range(n_docs):
        picked = rng.sample(sentences, rng.randint(4, 12))
        parts, spans, pos = [], [], 0
        for sent in picked:
            text, offs = join_tokens([t.text for t in sent])
            for t0, t1, label in decode_tags([t.tag for t in sent]):
                spans.append((pos + offs[t0][0], pos + offs[t1 - 1][1], label))
            parts.append(text)
            pos += len(text) + 1
        text = " ".join(parts) + f" ({i})"  # unique texts: the store deduplicates by content
        out.append((text, spans))
    return out


def build_project(path: Path, docs: list[tuple[str, list[tuple[int, int, str]]]]) -> Any:
    """A project holding ``docs`` annotated by ``ana``."""
    from annotator.core.model import Document, Span
    from annotator.store import Project

    project = Project(path)
    with project.transaction():
        for text, spans in docs:
            doc_id, _ = project.add_document(Document(text=text, title=text[:40]))
            project.add_spans(doc_id, [Span(a, b, lab) for a, b, lab in spans], "ana", validate=False)
    return project


def direct_docbin(docs: list[tuple[str, list[tuple[int, int, str]]]], out: Path) -> tuple[float, int]:
    """The baseline: spaCy alone from texts and offsets; returns (seconds, tokens)."""
    from spacy.tokens import DocBin

    from annotator.formats.tokenize import blank_nlp

    nlp = blank_nlp()
    start = time.perf_counter()
    db = DocBin(store_user_data=True)
    tokens = 0
    for text, spans in docs:
        doc = nlp.make_doc(text)
        ents = [doc.char_span(a, b, label=lab, alignment_mode="expand") for a, b, lab in spans]
        ents = [e for e in ents if e is not None]
        doc.spans["entities"] = ents
        doc.ents = ents
        tokens += sum(1 for t in doc if not t.is_space)
        db.add(doc)
    db.to_disk(out)
    return time.perf_counter() - start, tokens


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.export_bench")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--n-process", type=int, default=2, help="worker processes to compare with one (1: skip)")
    args = parser.parse_args(argv)
    if not IDNER.is_file():
        print(json.dumps({"error": f"{IDNER} not found"}))
        return 1
    from annotator.formats import export_project
    from annotator.formats.tokenize import blank_nlp

    blank_nlp()  # load spaCy before any timing
    docs = corpus(args.docs)
    result: dict[str, Any] = {"documents": len(docs)}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        project = build_project(Path(tmp) / "bench.db", docs)
        result["build_project_seconds"] = round(time.perf_counter() - t0, 2)
        try:
            base_s, base_tokens = direct_docbin(docs, Path(tmp) / "direct.spacy")
            for fmt, ext in (("spacy", ".spacy"), ("conll", ".conll"), ("conllu", ".conllu")):
                report = export_project(project, fmt, Path(tmp) / f"out{ext}", annotator="ana")
                result[fmt] = {
                    "seconds": round(report.seconds, 2),
                    "tokens": report.tokens,
                    "tokens_per_second": round(report.tokens / report.seconds),
                    "misaligned_or_left_out": len(report.issues),
                }
            if args.n_process > 1:
                par: dict[str, Any] = {"n": args.n_process}
                for fmt, ext in (("spacy", ".spacy"), ("conll", ".conll"), ("conllu", ".conllu")):
                    out = Path(tmp) / f"par{ext}"
                    report = export_project(project, fmt, out, annotator="ana", n_process=args.n_process)
                    par[fmt] = {"seconds": round(report.seconds, 2),
                                "speedup": round(result[fmt]["seconds"] / report.seconds, 2),
                                "same_bytes": out.read_bytes() == (Path(tmp) / f"out{ext}").read_bytes()}
                result["n_process"] = par
        finally:
            project.close()
    result["direct_spacy"] = {"seconds": round(base_s, 2), "tokens": base_tokens,
                              "tokens_per_second": round(base_tokens / base_s)}
    result["ratio"] = round(result["spacy"]["tokens_per_second"] / result["direct_spacy"]["tokens_per_second"], 3)
    result["conll_ratio"] = round(result["conll"]["tokens_per_second"] / result["direct_spacy"]["tokens_per_second"], 3)
    result["ok"] = result["ratio"] >= 0.9
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
