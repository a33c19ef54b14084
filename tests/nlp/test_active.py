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


def test_queue_prefers_the_models_own_uncertainty(tmp_path, capsys) -> None:
    """Where a suggesting model stored its own uncertainty, it replaces the suggestion scores' figure."""
    db = tmp_path / "p.db"
    with Project(db) as p:
        ids = [p.add_document(Document(f"Teks nomor {k} tentang Budi dan Ani di Jakarta.", title=f"t{k}"))[0]
               for k in range(3)]
        for doc in ids:  # the same merged scores everywhere: the suggestions alone cannot tell the documents apart
            p.set_suggestions(doc, [Span(21, 25, "PER", score=0.75, origin="model:x@1")], suggester="pipeline",
                              version="t")
        p.set_model_uncertainty(ids[0], "pipeline", {"entities": ((h(0.9) + h(0.6)) / 2, 2)}, "model:x@1")
        p.set_model_uncertainty(ids[1], "pipeline", {"entities": (h(0.55), 1)}, "model:x@1")
        rows = uncertainty_queue(p, None)  # the mean of the model's figure and the suggestions' one
        assert [r["id"] for r in rows] == [ids[1], ids[2], ids[0]]
        assert rows[0]["uncertainty"] == pytest.approx((h(0.55) + h(0.75)) / 2, abs=1e-4)
        assert rows[0]["source"] == "model"
        assert rows[1]["uncertainty"] == pytest.approx(h(0.75), abs=1e-4) and rows[1]["source"] == "suggestions"
        assert rows[2]["uncertainty"] == pytest.approx(((h(0.9) + h(0.6)) / 2 + h(0.75)) / 2, abs=1e-4)
        # removed (a run of the rules alone): the suggestions' figure again
        p.set_model_uncertainty(ids[1], "pipeline", {}, "")
        again = uncertainty_queue(p, None)
        assert [r["id"] for r in again] == [ids[1], ids[2], ids[0]]  # a tie at h(0.75), then by id
        assert again[0]["source"] == "suggestions" and again[0]["uncertainty"] == pytest.approx(h(0.75), abs=1e-4)
        # a document the model reported on but with no suggestion: the model's figure alone
        extra = p.add_document(Document("Teks lain tanpa nama apa pun.", title="t3"))[0]
        p.set_model_uncertainty(extra, "pipeline", {"entities": (h(0.5), 1)}, "model:x@1")
        top = uncertainty_queue(p, None)[0]
        assert top["id"] == extra and top["uncertainty"] == 1.0 and top["suggestions"] == 0
        p.set_model_uncertainty(extra, "pipeline", {}, "")
    assert main(["queue", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.split()[0] == str(ids[1]) and "m: the suggesting model's own uncertainty" in out
