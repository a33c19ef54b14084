"""Side by side with Label Studio, in one run: ``python -m benchmarks.peer_bench [N] --json``.

Runs the peer baseline ``../shared/tools/peerbench/ls_bench.sh N`` (Label Studio in its
own venv, ``PEERBENCH_VENV``, default ``/work/peer/venv``), then on the very corpus it
generated: ``annotator import`` of the articles with their spans (native JSONL) against
``ls.import_s``, and ``annotator export --format conll`` against Label Studio's
``pred2ann_s + export_conll_ann_s`` (its CoNLL export holds only annotations), and checks
our CoNLL with ``check_exports.py`` (every entity must be exact).  Our figures are the
wall-clock time of the command as a user runs it (a fresh process, interpreter start-up
included), best of three.  Our modules are byte-compiled first, into a cache folder of the
run (``PYTHONPYCACHEPREFIX``), as ``pip install`` leaves an installed package and as Label
Studio's venv is: with ``PYTHONDONTWRITEBYTECODE`` set (as in the project's test shell)
every run would otherwise compile the package from source again.  Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEERBENCH = ROOT.parent / "shared" / "tools" / "peerbench"


def native_jsonl(corpus: Path, out: Path) -> int:
    """The corpus as our native JSONL (text, annotator ``peer``, status done, spans)."""
    n = 0
    with (corpus / "texts.jsonl").open(encoding="utf-8") as texts, \
            (corpus / "spans.jsonl").open(encoding="utf-8") as spans, out.open("w", encoding="utf-8") as fh:
        for t, s in zip(texts, spans, strict=True):
            doc = json.loads(t)
            gold = json.loads(s)
            fh.write(json.dumps({
                "text": doc["text"], "annotator": "peer", "status": "done",
                "spans": [{"start": x["start"], "end": x["end"], "label": x["label"]} for x in gold["spans"]],
            }, ensure_ascii=False) + "\n")
            n += 1
    return n


def _env(work: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(work / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _timed(cmd: list[str], work: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=_env(work), stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def ours(corpus: Path, work: Path, repeat: int = 3) -> dict[str, Any]:
    """Time our import and CoNLL export (best of ``repeat`` fresh runs) and check the CoNLL."""
    src = work / "ours.jsonl"
    native_jsonl(corpus, src)
    exe = [sys.executable, "-m", "annotator"]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "annotator")], check=True, env=_env(work),
                   stdout=subprocess.DEVNULL)
    imports, exports = [], []
    for i in range(repeat):
        db = work / f"p{i}.db"
        imports.append(_timed([*exe, "import", str(db), str(src)], work))
        out = work / f"o{i}.conll"
        exports.append(_timed([*exe, "export", str(db), "--format", "conll", "--annotator", "peer", "--out", str(out)],
                              work))
    check = subprocess.run(
        [sys.executable, str(PEERBENCH / "check_exports.py"), "--corpus", str(corpus), "--conll",
         str(work / "o0.conll"), "--prefix", "ours"], check=True, capture_output=True, text=True).stdout
    figures = dict(line.split("=", 1) for line in check.splitlines() if "=" in line)
    return {
        "import_s": round(min(imports), 3), "import_runs_s": [round(x, 3) for x in imports],
        "export_conll_s": round(min(exports), 3), "export_runs_s": [round(x, 3) for x in exports],
        "gold_spans": int(figures["ours.gold_spans"]), "ents_exact": int(figures["ours.ents_exact"]),
        "ents_partial": int(figures["ours.ents_partial"]), "ents_missing": int(figures["ours.ents_missing"]),
        "ents_spurious": int(figures["ours.ents_spurious"]),
    }


def label_studio(n: int, run_dir: Path) -> dict[str, float]:
    """Run the peer baseline and read its ``key=value`` figures."""
    env = dict(os.environ, PEERBENCH_RUN_DIR=str(run_dir),
               PEERBENCH_VENV=os.environ.get("PEERBENCH_VENV", "/work/peer/venv"),
               PEERBENCH_RESTART="0", PEERBENCH_SNAPSHOT="0", PEERBENCH_KEEP_DATA="0")
    out = subprocess.run(["bash", str(PEERBENCH / "ls_bench.sh"), str(n)], check=True, env=env,
                         capture_output=True, text=True).stdout
    figures: dict[str, float] = {}
    for line in out.splitlines():
        key, _, value = line.partition("=")
        try:
            figures[key] = float(value)
        except ValueError:
            continue
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run both, print JSON with the ratios the issue asks for (import >= 5, CoNLL >= 4)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=2000, help="articles (default 2000)")
    ap.add_argument("--json", action="store_true", help="JSON only (the default output anyway)")
    ap.add_argument("--keep", type=Path, help="keep the run here instead of a temporary folder")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="peer_bench."))
    work.mkdir(parents=True, exist_ok=True)
    try:
        ls = label_studio(args.n, work / "ls")
        mine = ours(work / "ls" / "corpus", work)
        ls_conll = ls["ls.pred2ann_s"] + ls["ls.export_conll_ann_s"]
        result = {
            "documents": args.n,
            "ours": mine,
            "label_studio": {"import_s": ls["ls.import_s"], "pred2ann_s": ls["ls.pred2ann_s"],
                             "export_conll_ann_s": ls["ls.export_conll_ann_s"], "conll_total_s": round(ls_conll, 3),
                             "ents_exact": int(ls.get("ls.chk.ann_conll.ents_exact", -1)),
                             "peak_rss_mb": ls.get("ls.peak_rss_mb")},
            "import_ratio": round(ls["ls.import_s"] / mine["import_s"], 2),
            "conll_ratio": round(ls_conll / mine["export_conll_s"], 2),
            "all_entities_exact": mine["ents_exact"] == mine["gold_spans"] and not (
                mine["ents_partial"] or mine["ents_missing"] or mine["ents_spurious"]),
        }
        print(json.dumps(result, indent=2))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
