"""The team workflow on a server against the file workflow on the same data: two annotators
import at the same time into one server project; agreement needs no merge and equals the
merged files' figures; a CoNLL export is byte for byte the file project's."""

from __future__ import annotations

import json
import threading

from annotator.cli import main
from annotator.store import Project

PEOPLE = ["Joko Widodo", "Vladimir Putin", "Sergei Shoigu", "Min Aung Hlaing", "Prabowo Subianto"]
CITIES = ["Moskwa", "Jakarta", "Naypyidaw", "Surabaya"]


def _documents(n: int) -> list[dict]:
    docs = []
    for i in range(n):
        a, b, c = PEOPLE[i % 5], PEOPLE[(i + 2) % 5], CITIES[i % 4]
        text = f"Presiden {a} bertemu {b} di {c} pada hari ke-{i}. Pertemuan itu membahas kerja sama militer."
        docs.append({"text": text, "people": [(text.index(a), text.index(a) + len(a)), (text.index(b), text.index(b) + len(b))],
                     "city": (text.index(c), text.index(c) + len(c))})
    return docs


def _write(path, docs, annotator: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for i, d in enumerate(docs):
            spans = [{"start": s, "end": e, "label": "PER"} for s, e in d["people"]]
            if annotator == "alice" or i % 3:  # bob misses the city on every third document
                spans.append({"start": d["city"][0], "end": d["city"][1], "label": "LOC"})
            if annotator == "bob" and i % 4 == 0:  # and calls the first person an ORG on every fourth
                spans[0]["label"] = "ORG"
            fh.write(json.dumps({"text": d["text"], "spans": spans, "answer": "accept",
                                 "_annotator_id": annotator}, ensure_ascii=False) + "\n")


def test_team_server_imports_at_once_and_matches_the_file_workflow(tmp_path, pg_url, capsys):
    docs = _documents(40)
    _write(tmp_path / "alice.jsonl", docs, "alice")
    _write(tmp_path / "bob.jsonl", docs, "bob")
    # the file workflow: one file each, merged for review
    for name in ("alice", "bob"):
        assert main(["import", str(tmp_path / f"{name}.db"), str(tmp_path / f"{name}.jsonl"), "--annotator", name]) == 0
    review = tmp_path / "review.db"
    assert main(["merge", str(review), str(tmp_path / "alice.db"), str(tmp_path / "bob.db")]) == 0
    # the team workflow: both import into the server project at the same time
    codes: dict[str, int] = {}

    def run(name: str) -> None:
        codes[name] = main(["import", pg_url, str(tmp_path / f"{name}.jsonl"), "--annotator", name])

    threads = [threading.Thread(target=run, args=(n,)) for n in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == {"alice": 0, "bob": 0}
    with Project(pg_url) as server, Project(review) as merged:
        assert server.count_documents() == 40
        for name in ("alice", "bob"):
            got = sorted((server.get_text(s.document_id)[s.start:s.end], s.label)
                         for d in server.document_ids() for s in server.spans(d, name))
            want = sorted((merged.get_text(s.document_id)[s.start:s.end], s.label)
                          for d in merged.document_ids() for s in merged.spans(d, name))
            assert got == want and len(got) == (120 if name == "alice" else 106)
    capsys.readouterr()
    figures = []
    for target in (review, pg_url):
        assert main(["agreement", str(target), "--json", "--include-unfinished"]) == 0
        figures.append(json.loads(capsys.readouterr().out))
    # document ids differ between the projects (the server's interleave the two imports): name them by text
    for target, fig in zip((review, pg_url), figures, strict=True):
        with Project(target) as p:
            for row in fig["per_document"]:
                row["document"] = p.get_text(row["document"])
        fig["per_document"].sort(key=lambda r: (r["document"], r["layer"]))
    assert figures[0] == figures[1]
    assert figures[1]["layers"]["entities"]["pairwise_f1"]["alice|bob"] < 1.0
    # CoNLL from the server is the file project's, byte for byte
    for target, out in ((review, "file.conll"), (pg_url, "server.conll")):
        assert main(["export", str(target), "-f", "conll", "-o", str(tmp_path / out), "--annotator", "bob"]) == 0
    assert (tmp_path / "server.conll").read_bytes() == (tmp_path / "file.conll").read_bytes()
    assert b"B-ORG" in (tmp_path / "server.conll").read_bytes()
