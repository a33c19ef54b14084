"""SIGKILL in the middle of work: the project (a file or a server database) opens cleanly with
every committed change."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from annotator.core import Span
from annotator.store import Project
from tests.rawdb import connection

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

EDITS = textwrap.dedent(
    """
    import sys
    from annotator.core import Document, Span
    from annotator.store import Project
    p = Project(sys.argv[1])
    doc_id, _ = p.add_document(Document(text="Sergei Shoigu bertemu Min Aung Hlaing di Moskwa. " * 20))
    i = 0
    while True:
        span_id = p.add_span(doc_id, Span(0, 13, "PER"), "alice")
        p.set_answer(doc_id, "alice", "note", f"edit {i}")
        i += 1
        print(f"committed {span_id} {i}", flush=True)
    """
)

BIG_IMPORT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from annotator.formats import import_paths
    from annotator.store import Project
    p = Project(sys.argv[1], build_new=len(sys.argv) > 3)
    for n, f in enumerate(sorted(Path(sys.argv[2]).glob("*.jsonl"))):
        report = import_paths(p, [f])
        assert report.ok, report.failed
        print(f"file {n}", flush=True)
    """
)


def _run_until(script: str, args: list[str], lines_wanted: int) -> list[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd(), *sys.path]))
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True, env=env)
    seen: list[str] = []
    deadline = time.monotonic() + 60
    try:
        while len(seen) < lines_wanted and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line.strip())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert len(seen) >= lines_wanted, f"the child stopped early: {seen[-3:]}"
    return seen


def _integrity(path) -> None:
    if isinstance(path, str):  # a server database: the server's own business
        return
    c = sqlite3.connect(path)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    c.close()


def test_crash_sigkill_during_edits_keeps_every_committed_change(target):
    # On a server: a client killed mid-edit loses only its uncommitted edit.
    path = target
    Project(path).close()
    seen = _run_until(EDITS, [str(path)], 300)
    last_span, last_i = map(int, seen[-1].split()[1:])
    _integrity(path)
    with Project(path) as p:
        [doc_id] = p.document_ids()
        spans = p.spans(doc_id, "alice")
        # every reported commit is there (the child may have committed one more before the kill)
        assert len(spans) >= last_i
        assert last_span in {s.id for s in spans}
        [note] = p.answers(doc_id, "alice")
        assert int(note.value.split()[1]) >= last_i - 1
        # and the file still takes writes
        p.add_span(doc_id, Span(0, 6, "PER"), "bob")


def _import_files(tmp_path, n_files: int, per_file: int):
    import json

    src = tmp_path / "in"
    src.mkdir()
    for f in range(n_files):
        with open(src / f"{f:03d}.jsonl", "w", encoding="utf-8") as fh:
            for d in range(per_file):
                text = f"Artikel {f}-{d}: Presiden Joko Widodo bertemu Vladimir Putin di Moskwa. " * 5
                fh.write(json.dumps({"text": text, "annotator": "a", "spans": [{"start": 0, "end": 7, "label": "MISC"}]}) + "\n")
    return src


def test_crash_sigkill_during_large_import_leaves_whole_files(tmp_path, target):
    n_files, per_file = 40, 250
    src = _import_files(tmp_path, n_files, per_file)
    path = target
    Project(path).close()
    seen = _run_until(BIG_IMPORT, [str(path), str(src)], 3)
    _integrity(path)
    with Project(path) as p:
        n = p.count_documents()
        # whole files only (one transaction each), at least the ones reported done
        assert n % per_file == 0
        assert n >= len(seen) * per_file
        assert n < n_files * per_file  # it really was killed mid-way
        assert len(connection(p).execute("SELECT id FROM spans").fetchall()) == n


def test_crash_sigkill_while_importing_into_a_new_file_keeps_every_reported_file(tmp_path):
    # Project(build_new=True), as 'annotator import NEW.db': the first file is written aside and
    # moved into place when it commits; the rest go into the project as usual
    n_files, per_file = 40, 250
    src = _import_files(tmp_path, n_files, per_file)
    path = tmp_path / "new.db"
    seen = _run_until(BIG_IMPORT, [str(path), str(src), "build-new"], 3)
    _integrity(path)
    with Project(path) as p:
        n = p.count_documents()
        assert n % per_file == 0 and len(seen) * per_file <= n < n_files * per_file
        assert len(connection(p).execute("SELECT id FROM spans").fetchall()) == n
    assert not [x for x in tmp_path.iterdir() if x.name.endswith(".building")]
