"""A project of a million articles: ``python -m benchmarks.scale_bench [--documents N] [--project PATH] --json``.

Without ``--project`` it builds its own project of N short articles (40-90 words, one in
five a function word, four outlets, one article in ten an English one from an outlet of its
own, a rare word in one article of a thousand; cached in the temp folder by N) the way
a user would: one JSONL file and ``annotator import`` in a fresh process, timed
(``import_per_second``).  With ``--project`` it measures that file and writes nothing to it.

Then, offscreen, the GUI's own pieces: the document list (``DocumentTableModel`` in a
``QTableView``) opened and painted (``list_open_ms``), jump and page scrolling
(``scroll_max_ms``), full-text searches alone and with a status or outlet filter, each
shown in the list (``fts_ms_max``, ``fts_ms_median``, ``fts_ms``; ``fts_never_meet_ms_max`` the slowest of the
searches whose status and outlet filters no article has together; ``fts_hits`` the rows listed at
once: every match, or a first page of 1,001 read further as the list scrolls), and articles opened in
the main window (``open_document_ms``: the slowest of 20, warm).  ``project_mb`` is the
file's size, ``text_mb`` the UTF-8 text it holds, ``rss_mb`` this process's peak resident
memory (Qt, the window and the list of a million rows included).  Targets (issue 12): import
>= 5,000 articles/s, list < 1,000 ms, every FTS < 100 ms, an article < 100 ms, file <= 2x
the text, memory < 400 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("pemerintah presiden menteri rusia myanmar junta militer mengatakan bertemu dengan untuk dalam "
         "keamanan kerja sama pertahanan hubungan negara kedua pejabat senior konferensi internasional "
         "selasa senin jakarta moskwa kudeta demokrasi partai pemilu anggaran ekonomi harga minyak").split()
CAPS = ("Joko Widodo", "Sergei Shoigu", "Min Aung Hlaing", "Dewan Keamanan", "Kementerian Luar Negeri",
        "Vladimir Putin", "Aung San Suu Kyi", "Reuters", "Kompas", "Jakarta", "Moskwa", "Naypyidaw")
#: Function words, about one word in five as in Indonesian news (they also tell the language apart)
FUNCTION = ("yang", "dan", "di", "dengan", "untuk", "dari", "ini", "itu", "akan", "pada", "juga", "tidak")
RARE = ("zirkonium", "kalimantan", "ombudsman", "biodiesel", "swasembada")
OUTLETS = ("Kompas.com", "Detik", "Tempo", "Antara")
#: One article in ten is English, from an outlet of its own, in words no Indonesian article uses:
#: a large outlet that a common Indonesian word never meets (``fts_never_meet_ms_max``)
ENGLISH_OUTLET = "English Daily"
ENGLISH = ("the", "minister", "said", "of", "and", "defence", "talks", "in", "with", "army", "junta", "visit",
           "a", "to", "security", "arms", "deal", "Moscow", "Myanmar", "Russia", "Shoigu", "on", "was", "for")
#: The generated corpus's version: part of the cached file's name, so an older cache is not reused.
CORPUS = "v2"
#: (query, state filter, outlet filter): common and rare words, phrases, with the list's filters
QUERIES: tuple[tuple[str, str | None, str | None], ...] = (
    ("zirkonium", None, None),
    ("Shoigu", None, None),
    ("militer", None, None),
    ("kerja sama", None, None),
    ("Dewan Keamanan", None, None),
    ("nomor12345", None, None),
    ("militer", "done", None),
    ("Shoigu", None, "Tempo"),
    ("kudeta", "todo", "Detik"),
    ("ombudsman", "skipped", "Antara"),
    ("militer", "in_progress", None),
    ("militer", "done", "Detik"),
    # never meet: a word in most articles with a status and an outlet no article has together
    # (the benchmark's "done" articles are the odd-numbered ones, Kompas.com and Tempo the even)
    ("militer", "done", "Tempo"),
    ("yang", "skipped", "Antara"),
    ("dengan", "done", "Kompas.com"),
    ("", "skipped", "Detik"),
    # a word in most articles and a large outlet none of them is in: one article in ten is an
    # English one from "English Daily" (100,000 of a million), and no English article has an
    # Indonesian word
    ("militer", None, "English Daily"),
    ("militer", "done", "English Daily"),
)
#: The queries of :data:`QUERIES` whose filters never meet (``fts_never_meet_ms_max``).
NEVER_MEET = QUERIES[-6:]


def ms(seconds: float) -> float:
    """Seconds to rounded milliseconds."""
    return round(seconds * 1000, 2)


def timed(fn: Callable[[], Any]) -> float:
    """Wall-clock seconds of one call."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _word(rnd: random.Random) -> str:
    r = rnd.random()
    return rnd.choice(CAPS) if r < 0.1 else rnd.choice(FUNCTION) if r < 0.3 else rnd.choice(WORDS)


def write_articles(path: Path, n: int, seed: int = 7) -> int:
    """``n`` short articles as one native JSONL file (every third one with an annotator's
    state, as a team's export would carry); returns the UTF-8 bytes of text written."""
    rnd = random.Random(seed)
    total = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            english = i % 10 == 5
            if english:
                words = [rnd.choice(ENGLISH) for _ in range(rnd.randint(40, 90))]
            else:
                words = [_word(rnd) for _ in range(rnd.randint(40, 90))]
            if i % 1000 == 0:
                words.append(RARE[(i // 1000) % len(RARE)])
            text = " ".join(words) + f" nomor{i}."
            total += len(text.encode("utf-8"))
            rec: dict[str, Any] = {"text": text, "title": f"Artikel {i}: {words[0]} {words[1]}",
                                   "source": ENGLISH_OUTLET if english else OUTLETS[i % 4],
                                   "published": f"2021-06-{1 + i % 28:02d}"}
            if i % 3 == 0:
                rec["annotator"] = "bench"
                rec["status"] = "done" if i % 2 else "skipped"
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return total


def build(n: int, folder: Path) -> tuple[Path, dict[str, Any]]:
    """The cached project of ``n`` articles, built with ``annotator import`` (timed) when absent."""
    project = folder / f"annotator_scale_{CORPUS}_{n}.db"
    if project.exists():
        return project, {"build": "cached"}
    folder.mkdir(parents=True, exist_ok=True)  # a --cache folder that is not there yet is made
    src = folder / f"annotator_scale_{CORPUS}_{n}.jsonl"
    t0 = time.perf_counter()
    text_bytes = write_articles(src, n)
    generate_s = time.perf_counter() - t0
    tmp = project.with_suffix(".tmp.db")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "annotator", "import", str(tmp), str(src), "--no-clean"], check=True,
                   env=env, stdout=subprocess.DEVNULL)
    import_s = time.perf_counter() - t0
    tmp.rename(project)
    src.unlink()
    return project, {
        "build": "annotator import", "generate_s": round(generate_s, 1), "import_s": round(import_s, 1),
        "import_per_second": round(n / import_s), "jsonl_text_mb": round(text_bytes / 1e6, 1),
        "import_command": f"annotator import P.db annotator_scale_{CORPUS}_{n}.jsonl --no-clean",
    }


def measure(path: Path) -> dict[str, Any]:
    """List, scrolling, searches and opening articles on the project at ``path`` (read only)."""
    from PySide6.QtWidgets import QTableView

    from annotator.gui.app import ensure_app
    from annotator.gui.main_window import MainWindow
    from annotator.gui.models import DocumentTableModel
    from annotator.store import Project

    app = ensure_app()
    out: dict[str, Any] = {}
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    project = Project(path, create=False)
    table = QTableView()
    table.resize(420, 800)
    paint = table.viewport().grab  # a real paint (repaint() may do nothing offscreen)
    holder: dict[str, DocumentTableModel] = {}

    def open_list() -> None:
        holder["m"] = DocumentTableModel(project, "bench", table)
        table.setModel(holder["m"])
        table.show()
        paint()

    out["list_open_ms"] = ms(timed(open_list))
    model = holder["m"]
    out["documents"] = model.rowCount()
    rnd = random.Random(5)
    bar = table.verticalScrollBar()
    scrolls = [timed(lambda pos=rnd.randint(0, bar.maximum()): (bar.setValue(pos), paint())) for _ in range(40)]
    scrolls += [timed(lambda: (bar.setValue(bar.value() + 30), paint())) for _ in range(60)]
    out["scroll_max_ms"] = ms(max(scrolls))
    out["scroll_median_ms"] = ms(statistics.median(scrolls))
    fts: dict[str, float] = {}
    hits: dict[str, int] = {}
    never: list[float] = []
    for q, state, source in QUERIES:
        key = (q or "(no search)") + (f" +state={state}" if state else "") + (f" +outlet={source}" if source else "")
        fts[key] = ms(timed(lambda q=q, s=state, o=source: (model.set_filter(query=q, state=s, source=o), paint())))
        hits[key] = model.rowCount()
        if (q, state, source) in NEVER_MEET:
            never.append(fts[key])
    model.set_filter()
    out["fts_ms_max"] = max(fts.values())
    out["fts_never_meet_ms_max"] = max(never)
    out["fts_ms_median"] = round(statistics.median(fts.values()), 2)
    out["fts_ms"] = fts
    out["fts_hits"] = hits
    ids = [rnd.randint(1, max(1, out["documents"])) for _ in range(21)]
    win = MainWindow(project, "bench", remember=False)
    win.resize(1400, 860)
    t_window = timed(lambda: (win.show(), app.processEvents()))
    opens = []
    for doc_id in ids:
        opens.append(timed(lambda d=doc_id: (win.open_document(d), win.view.viewport().repaint())))
    out["window_show_ms"] = ms(t_window)
    out["open_document_ms"] = ms(max(opens[1:]))  # the first warms the view
    out["open_document_median_ms"] = ms(statistics.median(opens[1:]))
    out["text_mb"] = round(project.text_bytes() / 1e6, 1)
    out["project_mb"] = round(size / 1e6, 1)
    out["project_to_text"] = round(size / max(1, project.text_bytes()), 2)
    out["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    win.close()
    project.close()
    return out


def main(argv: list[str] | None = None) -> int:
    """Build (or take) the project, measure it, print JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1_000_000, help="articles to build (default 1,000,000)")
    parser.add_argument("--project", type=Path, help="measure this project file instead (read only)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()), help="where built projects live")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output)")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {}
    if args.project:
        path = args.project
        result["build"] = "given"
        if not path.is_file():
            parser.error(f"--project {path}: no such file")
        from annotator.store.migrations import SCHEMA_VERSION

        with path.open("rb") as fh:  # the header's user_version: read without opening it in SQLite
            version = int.from_bytes(fh.read(64)[60:64], "big")
        if version < SCHEMA_VERSION:
            # opening it would migrate it in place: that is a write, and this measures a file read-only
            print(f"{path} is at schema {version}, this annotator at {SCHEMA_VERSION}: opening it would migrate "
                  "it (a write); copy it, open the copy once ('annotator stats COPY'), and measure the copy",
                  file=sys.stderr)
            return 2
    else:
        path, built = build(args.documents, args.cache)
        result.update(built)
    result["project"] = str(path)
    result.update(measure(path))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
