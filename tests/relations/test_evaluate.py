"""``annotator evaluate --layer relations``: exact label and endpoint offsets, per relation label."""

from __future__ import annotations

import json

from annotator.cli import main
from annotator.core.model import Document, Span
from annotator.core.relations import Endpoint, SuggestedRelation
from annotator.store import Project

TEXT = '"Kami siap," kata Shoigu. "Tidak," ujar Putin kepada Shoigu.'


def _at(needle: str, nth: int = 0) -> tuple[int, int]:
    pos = -1
    for _ in range(nth + 1):
        pos = TEXT.index(needle, pos + 1)
    return pos, pos + len(needle)


def test_relation_scores_hand_computed(tmp_path, capsys) -> None:
    db = tmp_path / "p.db"
    with Project(db) as p:
        doc, _ = p.add_document(Document(TEXT))
        q1 = p.add_span(doc, Span(*_at("Kami siap,"), "QUOTE", "cues"), "gold")
        s1 = p.add_span(doc, Span(*_at("Shoigu"), "PER"), "gold")
        q2 = p.add_span(doc, Span(*_at("Tidak,"), "QUOTE", "cues"), "gold")
        s2 = p.add_span(doc, Span(*_at("Putin"), "PER"), "gold")
        p.add_relation(q1, s1, "SPEAKER")
        p.add_relation(q2, s2, "SPEAKER")
        p.set_suggestions(doc, [], "pipeline", "1")  # the document counts as suggested
        q = lambda n: Endpoint("cues", *_at(n), "QUOTE")  # noqa: E731
        e = lambda n, i=0: Endpoint("entities", *_at(n, i), "PER")  # noqa: E731
        p.set_relation_suggestions(doc, [
            SuggestedRelation("SPEAKER", q("Kami siap,"), e("Shoigu")),  # right
            SuggestedRelation("SPEAKER", q("Tidak,"), e("Shoigu", 1)),  # wrong child: fp and the gold one fn
        ], "pipeline", "1")
    assert main(["evaluate", str(db), "--reference", "gold", "--layer", "relations", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["tp"], result["fp"], result["fn"]) == (1, 1, 1)
    assert result["per_label"]["SPEAKER"]["precision"] == 0.5 and result["recall"] == 0.5
    assert result["layer"] == "relations" and result["documents"] == 1
    assert main(["evaluate", str(db), "--reference", "gold", "--layer", "relations"]) == 0
    assert "SPEAKER" in capsys.readouterr().out
