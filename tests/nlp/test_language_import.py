"""Issue 16 item 16: an English article imported from .txt gets the English cue
lexicon (its language is detected on import)."""

from __future__ import annotations

from annotator.formats import import_paths
from annotator.nlp.suggest import suggest_project

REPORT = ("Defence Minister John Smith pledged on Monday to keep troops in the region, according to two officials. "
          "The opposition accused the government of hiding the costs. \"We are determined to finish the job,\" "
          "Smith said in London.\n")


def test_an_english_txt_import_is_suggested_with_english_cues(project, tmp_path):
    article = tmp_path / "reuters.txt"
    article.write_text(REPORT)
    assert import_paths(project, [article]).ok
    doc_id = project.document_ids()[0]
    assert project.get_document(doc_id).language == "en"
    suggest_project(project)
    cues = {REPORT[s.start : s.end].lower() for s in project.suggestions(doc_id, "cues")}
    for cue in ("pledged", "accused", "said", "according to", "determined to"):
        assert any(cue in c for c in cues), (cue, cues)
