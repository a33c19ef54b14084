"""Active ordering: least certain documents first (``annotator queue --order uncertain``)."""

from __future__ import annotations

import json
import math

import pytest

from annotator.cli import main
from annotator.core.model import Document, Span
from annotator.nlp.active import entropy, uncertainty_queue
from annotator.store import Project


def h(p: float) -> float:
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def test_entropy_by_hand() -> None:
    assert entropy(0.5) == 1.0 and entropy(0.0) == 0.0 and entropy(1.0) == 0.0
    assert entropy(0.9) == pytest.approx(0.4690, abs=1e-4)


def test_queue_orders_by_mean_entropy(tmp_path, capsys) -> None:
    db = tmp_path / "p.db"
    with Project(db) as p:
        ids = [p.add_document(Document(f"Teks nomor {k} tentang Budi dan Ani di Jakarta.", title=f"t{k}"))[0]
               for k in range(4)]
        sure = [Span(21, 25, "PER", score=0.9), Span(30, 33, "PER", score=0.9)]   # mean H = 0.469
        mixed = [Span(21, 25, "PER", score=0.5), Span(30, 33, "PER", score=0.9)]  # mean H = (1 + 0.469) / 2
        weak = [Span(21, 25, "PER", score=0.3)]                                   # mean H = 0.881
        for doc, spans in zip(ids, (sure, mixed, weak, []), strict=True):
            p.set_suggestions(doc, [s.with_(origin="rule:test") for s in spans], suggester="pipeline", version="t")
        p.add_annotator("ani")
        p.set_status(ids[2], "ani", "done")
        rows = uncertainty_queue(p, "ani")
        assert [r["id"] for r in rows] == [ids[1], ids[0], ids[3]]  # the done one is left out, none last
        assert rows[0]["uncertainty"] == pytest.approx((1 + h(0.9)) / 2, abs=1e-4)
        assert rows[1]["uncertainty"] == pytest.approx(h(0.9), abs=1e-4)
        assert rows[2]["uncertainty"] is None and rows[2]["suggestions"] == 0
        shared = uncertainty_queue(p, None)
        assert [r["id"] for r in shared] == [ids[2], ids[1], ids[0], ids[3]]
    assert main(["queue", str(db), "--annotator", "ani", "--order", "uncertain", "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [ids[1], ids[0], ids[3]]
    assert main(["queue", str(db), "--order", "uncertain", "--limit", "1"]) == 0
    assert capsys.readouterr().out.split()[0] == str(ids[2])
