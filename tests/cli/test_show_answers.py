"""Issue 16 item 14: ``annotator show`` prints each annotator's status and answers (stance,
its target, the note) and the document's language."""

from __future__ import annotations

import json

from annotator.cli import main
from annotator.core.model import Document
from annotator.store import Project


def test_show_prints_status_stance_target_and_note(tmp_path, capsys):
    db = tmp_path / "x.db"
    with Project(db) as p:
        doc, _ = p.add_document(Document("Rusia menolak usulan Amerika Serikat.", title="t", language="id"))
        p.set_answer(doc, "ani", "stance", "AGAINST", target="Amerika Serikat")
        p.set_answer(doc, "ani", "note", "dikutip dari Reuters")
        p.set_status(doc, "ani", "done")
        p.set_status(doc, "budi", "in_progress")
    assert main(["show", str(db), str(doc)]) == 0
    out = capsys.readouterr().out
    assert "language: id" in out
    assert "ani: status done" in out and "budi: status in_progress" in out
    assert "ani: stance: AGAINST (target: Amerika Serikat)" in out
    assert "ani: note: dikutip dari Reuters" in out
    assert main(["show", str(db), str(doc), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["language"] == "id"
    assert data["annotators"]["ani"] == {"status": "done", "answers": {
        "stance": {"value": "AGAINST", "target": "Amerika Serikat"},
        "note": {"value": "dikutip dari Reuters", "target": None}}}
    assert data["annotators"]["budi"] == {"status": "in_progress", "answers": {}}
