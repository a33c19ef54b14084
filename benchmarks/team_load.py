"""A team on one server project under load (issue 14, "Load"): many annotators editing at once.

    python -m benchmarks.team_load [--annotators 20] [--seconds 30] [--documents 200] [--think-ms 0] [--json]

Starts a throwaway PostgreSQL cluster (``tests/pgcluster.py``: initdb in a temporary folder, a
unix socket, ``fsync`` and ``synchronous_commit`` ON: a commit is on disk when it returns), or
uses the superuser URL in ``ANNOTATOR_PG_URL``.  Creates a project with ``--documents`` articles
and rule suggestions, adds the annotators to the team (``team_add``: each is a database role
under row-level security, blind mode on) and a reviewer, then starts one process per
annotator, connected as that role, which edits for ``--seconds`` through the store API:
accept, reject, create, relabel, delete, undo a decision (and a status now and then), on
documents drawn from a small shared pool so that several annotators edit the same document at
the same moment.  Every call is one transaction; its latency (call to committed) is recorded.

Each annotator keeps the state it expects (its spans with offsets and labels, its decisions,
the events each call logs); afterwards the server's rows must equal it exactly: nothing lost,
nothing duplicated.  Meanwhile the reviewer listens for change notices and recomputes the
agreement report after each burst: the refresh time is from the notice to the new figures.

Two more clients are killed with SIGKILL: one at a random moment while editing (the server must
hold every edit it confirmed, plus at most the one under way), one inside an open transaction
(that edit must be absent, everything before it present).

Prints JSON (``--json``: one line): edits per second, p50/p95/p99 commit latency in ms, per
operation, the verification counts and the reviewer's refresh times.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from annotator.core.model import Document, Span
from annotator.store import Project

WORDS = ("pemerintah menteri kota negara rapat kerja sama militer junta bahwa dengan untuk dalam yang "
         "pada dari oleh akan telah juga").split()
NAMES = ("Jakarta Moskow Myanmar Rusia Putin Jokowi Shoigu Hlaing Kremlin Asean Bandung Surabaya").split()
LABELS = ("PER", "ORG", "LOC")
#: How many documents each burst of edits is drawn from (shared by every annotator: contention).
POOL = 12


def as_role(url: str, role: str) -> str:
    """``url`` connected as ``role`` (its user part replaced)."""
    scheme, rest = url.split("://", 1)
    host = rest.split("@", 1)[1] if "@" in rest.split("/", 1)[0] else rest
    return f"{scheme}://{role}@{host}"


def make_doc(rnd: random.Random, n_tokens: int = 160) -> tuple[str, list[tuple[int, int, str]]]:
    """An article of ``n_tokens`` words and its named entities (the rule suggestions)."""
    parts: list[str] = []
    found: list[tuple[int, int, str]] = []
    pos = 0
    for _ in range(n_tokens):
        w = rnd.choice(NAMES) if rnd.random() < 0.1 else rnd.choice(WORDS)
        if w in NAMES:
            found.append((pos, pos + len(w), rnd.choice(LABELS)))
        parts.append(w)
        pos += len(w) + 1
    return " ".join(parts), found


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


# -- one simulated annotator (a process of its own) ----------------------------------------


class Annotator:
    """Edits through the store API and keeps the state the server must end up with."""

    def __init__(self, project: Project, name: str, docs: list[int], seed: int, journal: Any) -> None:
        self.p, self.name, self.docs = project, name, docs
        self.rnd = random.Random(seed)
        self.journal = journal
        self.spans: dict[int, tuple[int, int, int, str]] = {}  # id -> (doc, start, end, label)
        self.decisions: dict[int, tuple[str, int | None]] = {}  # suggestion id -> (decision, span id)
        self.events: dict[str, int] = {}
        self.suggestions = {d: [(s.id, s.start, s.end, s.label) for s in project.suggestions(d)] for d in docs}
        self.texts = {d: project.get_text(d) for d in docs}
        self.latencies: dict[str, list[float]] = {}

    def _event(self, *actions: str) -> None:
        for a in actions:
            self.events[a] = self.events.get(a, 0) + 1

    def step(self) -> None:
        """One edit, chosen at random among those possible now."""
        doc = self.docs[self.rnd.randrange(min(POOL, len(self.docs)))] if self.rnd.random() < 0.7 else \
            self.rnd.choice(self.docs)
        pending = [s for s in self.suggestions[doc] if s[0] not in self.decisions]
        decided = [s[0] for s in self.suggestions[doc] if s[0] in self.decisions]
        own = [i for i, v in self.spans.items() if v[0] == doc]
        ops = ["create"] + ["accept", "accept"] * bool(pending) + ["reject"] * bool(pending) + \
            ["relabel", "delete"] * bool(own) + ["undo"] * bool(decided) + ["status"]
        op = self.rnd.choice(ops)
        self.journal.write(json.dumps({"begin": op}) + "\n")
        self.journal.flush()
        t0 = time.perf_counter()
        result: dict[str, Any] = {"op": op}
        if op == "create":
            text = self.texts[doc]
            start = self.rnd.randrange(0, len(text) - 12)
            while start > 0 and text[start - 1] != " ":
                start -= 1
            end = text.find(" ", start + 1)
            end = len(text) if end < 0 else end
            label = self.rnd.choice(LABELS)
            sid = self.p.add_span(doc, Span(start, end, label), self.name)
            self.spans[sid] = (doc, start, end, label)
            self._event("add_span")
            result["span"] = [sid, doc, start, end, label]
        elif op == "accept":
            sug = self.rnd.choice(pending)
            sid = self.p.accept_suggestion(sug[0], self.name)
            self.spans[sid] = (doc, sug[1], sug[2], sug[3])
            self.decisions[sug[0]] = ("accepted", sid)
            self._event("add_span", "accept_suggestion")
            result["span"] = [sid, doc, sug[1], sug[2], sug[3]]
            result["decision"] = [sug[0], "accepted", sid]
        elif op == "reject":
            sug = self.rnd.choice(pending)
            self.p.reject_suggestion(sug[0], self.name)
            self.decisions[sug[0]] = ("rejected", None)
            self._event("reject_suggestion")
            result["decision"] = [sug[0], "rejected", None]
        elif op == "relabel":
            sid = self.rnd.choice(own)
            d, s, e, old = self.spans[sid]
            label = self.rnd.choice([x for x in LABELS if x != old])
            self.p.update_span(sid, label=label)
            self.spans[sid] = (d, s, e, label)
            self._event("update_span")
            result["span"] = [sid, d, s, e, label]
        elif op == "delete":
            sid = self.rnd.choice(own)
            self.p.delete_span(sid)
            del self.spans[sid]
            for k, (dec, span) in list(self.decisions.items()):
                if span == sid:
                    self.decisions[k] = (dec, None)
            self._event("delete_span")
            result["deleted"] = sid
        elif op == "undo":
            sug_id = self.rnd.choice(decided)
            dec, span = self.decisions.pop(sug_id)
            self.p.undo_decision(sug_id, self.name)
            if span is not None:
                del self.spans[span]
                self._event("delete_span")
                result["deleted"] = span
            self._event("undo_decision")
        else:
            state = self.rnd.choice(["in_progress", "done"])
            self.p.set_status(doc, self.name, state)
            self._event("set_status")
        self.latencies.setdefault(op, []).append((time.perf_counter() - t0) * 1000)
        self.journal.write(json.dumps({"done": result}) + "\n")
        self.journal.flush()

    def report(self) -> dict[str, Any]:
        """What the server must hold for this annotator, and the latencies."""
        return {"name": self.name, "latencies": self.latencies, "events": self.events,
                "spans": {str(k): list(v) for k, v in self.spans.items()},
                "decisions": {str(k): [v[0], v[1]] for k, v in self.decisions.items()}}


def _wait_go(go: Path) -> None:
    """Wait until the parent says go (every client connected and ready), then until the start time in it."""
    while not go.exists():
        time.sleep(0.05)
    time.sleep(max(0.0, float(go.read_text(encoding="utf-8") or 0) - time.time()))


def worker(url: str, name: str, seed: int, seconds: float, think_ms: float, journal_path: str,
           out_path: str, go: str, hang_in_transaction: bool = False) -> None:
    """One simulated annotator: connect as its role, wait for the common start, edit, report."""
    with Project(url, create=False) as project, open(journal_path, "w", encoding="utf-8") as journal:
        docs = project.document_ids()
        rnd = random.Random(seed)
        rnd.shuffle(docs)
        me = Annotator(project, name, docs, seed, journal)
        Path(journal_path + ".ready").touch()
        _wait_go(Path(go))
        if hang_in_transaction:
            _hang(project, me, journal)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            me.step()
            if think_ms:
                time.sleep(rnd.uniform(0, 2 * think_ms) / 1000)
        Path(out_path).write_text(json.dumps(me.report()), encoding="utf-8")


def _hang(project: Project, me: Annotator, journal: Any) -> None:
    """Some committed edits, then one left open inside its transaction until the process is killed."""
    for _ in range(5):
        me.step()
    Path(journal.name + ".state").write_text(json.dumps(me.report()), encoding="utf-8")
    doc = me.docs[0]
    with project.transaction():
        project.add_span(doc, Span(0, 5, "PER"), me.name)
        journal.write(json.dumps({"in_transaction": True}) + "\n")
        journal.flush()
        time.sleep(3600)


# -- the reviewer ------------------------------------------------------------------------


def reviewer(url: str, seconds: float, out_path: str, go: str) -> None:
    """Listen for change notices; after each burst recompute the agreement report."""
    from annotator.review.agreement import compute_agreement

    times: list[float] = []
    notices = 0
    with Project(url, create=False) as project:
        listener = project.change_listener()
        assert listener is not None
        Path(out_path + ".ready").touch()
        _wait_go(Path(go))
        end = time.monotonic() + seconds
        try:
            while time.monotonic() < end:
                got = listener.wait(0.5)
                if not got:
                    continue
                heard = time.perf_counter()
                notices += len(got)
                report = compute_agreement(project, include_unfinished=True)
                assert report is not None
                times.append((time.perf_counter() - heard) * 1000)
        finally:
            listener.close()
    Path(out_path).write_text(json.dumps({"refresh_ms": times, "notices": notices}), encoding="utf-8")


# -- the run ---------------------------------------------------------------------------------


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "benchmarks.team_load", *args],
                            env={**os.environ, "PYTHONPATH": os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", "")})


def _setup(url: str, n_docs: int, names: list[str], reviewer_name: str, seed: int) -> None:
    rnd = random.Random(seed)
    with Project(url) as p:
        for name in names:
            p.team_add(name)
        p.team_add(reviewer_name, "reviewer")
        for i in range(n_docs):
            text, found = make_doc(rnd)
            doc, _ = p.add_document(Document(text=text, title=f"Artikel {i}", source="bench"))
            p.set_suggestions(doc, [Span(s, e, lab, origin="rules") for s, e, lab in found], "rules", "1")


def _server_state(p: Project, name: str) -> dict[str, Any]:
    spans = {}
    for doc in p.document_ids():
        for s in p.spans(doc, name):
            spans[str(s.id)] = [doc, s.start, s.end, s.label]
    events: dict[str, int] = {}
    for e in p.events(annotator=name):
        events[e["action"]] = events.get(e["action"], 0) + 1
    return {"spans": spans, "events": events}


def _verify(p: Project, rep: dict[str, Any]) -> list[str]:
    """Differences between what the annotator expects and what the server holds."""
    got = _server_state(p, rep["name"])
    problems = []
    if got["spans"] != rep["spans"]:
        missing = set(rep["spans"]) - set(got["spans"])
        extra = set(got["spans"]) - set(rep["spans"])
        changed = [k for k in set(rep["spans"]) & set(got["spans"]) if rep["spans"][k] != got["spans"][k]]
        problems.append(f"{rep['name']}: spans missing {len(missing)}, extra {len(extra)}, different {len(changed)}")
    expected_events = {k: v for k, v in rep["events"].items()}
    got_events = {k: v for k, v in got["events"].items() if k in expected_events or k in
                  ("add_span", "accept_suggestion", "reject_suggestion", "update_span", "delete_span",
                   "undo_decision", "set_status")}
    if got_events != expected_events:
        problems.append(f"{rep['name']}: events {got_events} != expected {expected_events}")
    return problems


def _server_cpu(data_dir: Path | None) -> float | None:
    """CPU seconds the server's processes have used (the postmaster and its ended backends),
    when the benchmark started the server itself."""
    if data_dir is None:
        return None
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def run(admin_url: str, annotators: int, seconds: float, n_docs: int, think_ms: float, seed: int,
        data_dir: Path | None = None) -> dict[str, Any]:
    """The whole benchmark against the server of ``admin_url`` (a superuser URL)."""
    import resource

    from tests.pgcluster import create_database, drop_database

    db_url = create_database(admin_url, "load")
    tag = db_url.rsplit("/", 1)[1][-6:]
    names = [f"ld{tag}_{i:02d}" for i in range(annotators)]
    victims = [f"ld{tag}_kill", f"ld{tag}_hang"]
    rev = f"ld{tag}_rev"
    tmp = Path(tempfile.mkdtemp(prefix="team-load-"))
    try:
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        _setup(db_url, n_docs, names + victims, rev, seed)
        setup_s = time.perf_counter() - t0
        go = str(tmp / "go")
        procs = []
        for i, name in enumerate(names + victims[:1]):
            procs.append(_spawn("--worker", as_role(db_url, name), name, str(seed + i), str(seconds), str(think_ms),
                                str(tmp / f"{name}.journal"), str(tmp / f"{name}.json"), go))
        hang = _spawn("--worker", as_role(db_url, victims[1]), victims[1], str(seed + 99), str(seconds), "0",
                      str(tmp / f"{victims[1]}.journal"), str(tmp / f"{victims[1]}.json"), go, "--hang")
        rev_proc = _spawn("--reviewer", as_role(db_url, rev), str(seconds), str(tmp / "reviewer.json"), go)
        ready = [tmp / f"{n}.journal.ready" for n in names + victims] + [tmp / "reviewer.json.ready"]
        deadline = time.monotonic() + 300
        while not all(r.exists() for r in ready):
            if time.monotonic() > deadline:
                raise RuntimeError("the simulated clients did not get ready within 300 s")
            time.sleep(0.1)
        usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        server0 = _server_cpu(data_dir)
        (tmp / "go.tmp").write_text(str(time.time() + 0.5), encoding="utf-8")
        (tmp / "go.tmp").rename(go)
        # kill one editing client at a random moment of the run (after it has confirmed some edits),
        # and the one holding a transaction open
        kill_proc = procs[-1]
        _wait_for(tmp / f"{victims[0]}.journal", '"done"', count=20)
        time.sleep(random.Random(seed).uniform(0.2, 0.5) * seconds)
        kill_proc.send_signal(signal.SIGKILL)
        _wait_for(tmp / f"{victims[1]}.journal", "in_transaction")
        hang.send_signal(signal.SIGKILL)
        for proc in procs[:-1] + [rev_proc]:
            if proc.wait(timeout=seconds * 4 + 120):
                raise RuntimeError(f"a simulated client failed (exit {proc.returncode})")
        kill_proc.wait()
        hang.wait()
        load_after = os.getloadavg()[0]
        usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        time.sleep(0.5)  # the server reaps the ended sessions' processes
        server1 = _server_cpu(data_dir)
        clients_cpu = (usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime)
        server_cpu = server1 - server0 if server0 is not None and server1 is not None else None
        reports = [json.loads((tmp / f"{n}.json").read_text()) for n in names]
        review = json.loads((tmp / "reviewer.json").read_text())
        problems: list[str] = []
        with Project(db_url, create=False) as p:
            for rep in reports:
                problems += _verify(p, rep)
            killed = _killed_check(p, victims[0], tmp / f"{victims[0]}.journal")
            hung = _hang_check(p, victims[1], tmp / f"{victims[1]}.journal")
            server_spans = sum(len(_server_state(p, n)["spans"]) for n in names)
        with Project(as_role(db_url, rev), create=False) as p:  # the same refresh with nobody editing
            from annotator.review.agreement import compute_agreement

            t1 = time.perf_counter()
            compute_agreement(p, include_unfinished=True)
            alone_ms = (time.perf_counter() - t1) * 1000
        lat = [v for rep in reports for vals in rep["latencies"].values() for v in vals]
        by_op: dict[str, list[float]] = {}
        for rep in reports:
            for op, vals in rep["latencies"].items():
                by_op.setdefault(op, []).extend(vals)
        edits = len(lat)
        return {
            "annotators": annotators, "seconds": seconds, "documents": n_docs, "think_ms": think_ms,
            "setup_s": round(setup_s, 2),
            "edits": edits, "edits_per_s": round(edits / seconds, 1),
            "commit_ms": {"p50": round(pct(lat, 0.5), 2), "p95": round(pct(lat, 0.95), 2),
                          "p99": round(pct(lat, 0.99), 2), "mean": round(statistics.fmean(lat), 2) if lat else 0},
            "commit_ms_by_op": {op: {"n": len(v), "p50": round(pct(v, 0.5), 2), "p95": round(pct(v, 0.95), 2)}
                                for op, v in sorted(by_op.items())},
            "verified": {"spans_expected": sum(len(r["spans"]) for r in reports), "spans_on_server": server_spans,
                         "problems": problems, "lost_or_duplicated": len(problems)},
            "killed_while_editing": killed, "killed_inside_transaction": hung,
            "reviewer": {"notices": review["notices"], "refreshes": len(review["refresh_ms"]),
                         "refresh_ms_p50": round(pct(review["refresh_ms"], 0.5), 1),
                         "refresh_ms_p95": round(pct(review["refresh_ms"], 0.95), 1),
                         "refresh_ms_after_the_run": round(alone_ms, 1)},
            "machine": {"cpus": os.cpu_count(), "load_1min_before": round(load_before, 1),
                        "load_1min_after": round(load_after, 1)},
            # what the run itself used (children include start-up and the reviewer's agreement)
            "cpu_s": {"clients_and_reviewer": round(clients_cpu, 1),
                      "server": round(server_cpu, 1) if server_cpu is not None else None,
                      "share_of_2_cores": round((clients_cpu + (server_cpu or 0)) / (os.cpu_count() or 1)
                                                / seconds, 2)},
        }
    finally:
        drop_database(admin_url, db_url)
        for name in names + victims + [rev]:
            _drop_role(admin_url, name)


def _drop_role(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{name}"')


def _wait_for(journal: Path, key: str, timeout: float = 120.0, count: int = 1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text(encoding="utf-8").count(key) >= count:
            return
        time.sleep(0.05)
    raise RuntimeError(f"{journal}: no {key!r} within {timeout} s")


def _replay(journal: Path) -> tuple[dict[str, list[Any]], dict[str, Any] | None]:
    """The spans a journal says were committed, and the edit begun but not confirmed (if any)."""
    spans: dict[str, list[Any]] = {}
    open_op: dict[str, Any] | None = None
    for line in journal.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            break  # the line being written when the process died
        if "begin" in entry:
            open_op = entry
        elif "done" in entry:
            open_op = None
            done = entry["done"]
            if "span" in done:
                sid, *rest = done["span"]
                spans[str(sid)] = rest
            if "deleted" in done:
                spans.pop(str(done["deleted"]), None)
    return spans, open_op


def _killed_check(p: Project, name: str, journal: Path) -> dict[str, Any]:
    """The client killed while editing: every confirmed span is on the server; at most the edit
    under way differs."""
    confirmed, open_op = _replay(journal)
    server = _server_state(p, name)["spans"]
    missing = [k for k, v in confirmed.items() if server.get(k) != v and open_op is None]
    differ = {k for k in set(confirmed) | set(server) if confirmed.get(k) != server.get(k)}
    return {"confirmed_spans": len(confirmed), "server_spans": len(server), "edit_under_way": open_op is not None,
            "differences": len(differ), "ok": not missing and len(differ) <= (1 if open_op else 0)}


def _hang_check(p: Project, name: str, journal: Path) -> dict[str, Any]:
    """The client killed inside a transaction: its open edit is absent, its earlier edits present."""
    state = json.loads(Path(str(journal) + ".state").read_text(encoding="utf-8"))
    server = _server_state(p, name)["spans"]
    return {"committed_spans": len(state["spans"]), "server_spans": len(server), "ok": server == state["spans"]}


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--worker"]:
        url, name, seed, seconds, think, journal, out, go = argv[1:9]
        worker(url, name, int(seed), float(seconds), float(think), journal, out, go,
               hang_in_transaction="--hang" in argv)
        return 0
    if argv[:1] == ["--reviewer"]:
        url, seconds, out, go = argv[1:5]
        reviewer(url, float(seconds), out, go)
        return 0
    ap = argparse.ArgumentParser(prog="python -m benchmarks.team_load", description=__doc__.split("\n")[0])
    ap.add_argument("--annotators", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--documents", type=int, default=200)
    ap.add_argument("--think-ms", type=float, default=0.0, help="mean pause between one annotator's edits")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--json", action="store_true", help="one line of JSON")
    ap.add_argument("--no-fsync", action="store_true",
                    help="diagnosis only: a server that does not wait for the disk (not durable; shows the disk's share)")
    args = ap.parse_args(argv)
    admin = os.environ.get("ANNOTATOR_PG_URL")
    cluster = None
    if not admin:
        from tests.pgcluster import Cluster

        cluster = Cluster(fsync=not args.no_fsync, max_connections=100)
        admin = cluster.url
    try:
        result = run(admin, args.annotators, args.seconds, args.documents, args.think_ms, args.seed,
                     cluster.data if cluster is not None else None)
    finally:
        if cluster is not None:
            cluster.stop()
    result["server"] = ("ANNOTATOR_PG_URL" if cluster is None else "throwaway cluster, " + (
        "fsync OFF, synchronous_commit OFF (diagnosis: not durable)" if args.no_fsync else "fsync on, synchronous_commit on"))
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0 if not result["verified"]["problems"] and result["killed_while_editing"]["ok"] \
        and result["killed_inside_transaction"]["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
