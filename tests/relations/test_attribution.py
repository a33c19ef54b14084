"""Speaker, holder and target suggestions: the patterns one by one, then the quality bar on the
seeds and the held-out figures on idner-news-2k dev (hand references in benchmarks/attribution_eval.py)."""

from __future__ import annotations

from annotator.core.model import Span
from annotator.nlp.attribution import ORIGIN, suggest_relations
from benchmarks.attribution_eval import run_idner, run_seeds


def _spans(text: str, marks: list[tuple[str, str, str]]) -> list[Span]:
    out = []
    for needle, label, layer in marks:
        i = text.index(needle)
        out.append(Span(i, i + len(needle), label, layer, origin="rule:test", score=0.9))
    return out


def _speakers(text: str, marks: list[tuple[str, str, str]]) -> dict[str, str]:
    sources, rels = suggest_relations(text, _spans(text, marks))
    assert all(r.origin == ORIGIN and r.score is not None for r in rels)
    return {text[r.head.start:r.head.end]: text[r.child.start:r.child.end] for r in rels if r.label == "SPEAKER"}


def test_indonesian_patterns() -> None:
    text = ('“Kami siap,” kata Prabowo. Jokowi mengatakan “tidak ada masalah” di Jakarta. '
            '“Kita lanjut,” tambahnya. Menurut Mahfud, “hukum harus tegak.”')
    marks = [("Kami siap,", "QUOTE", "cues"), ("Prabowo", "PER", "entities"), ("Jokowi", "PER", "entities"),
             ("tidak ada masalah", "QUOTE", "cues"), ("Jakarta", "LOC", "entities"),
             ("Kita lanjut,", "QUOTE", "cues"), ("Mahfud", "PER", "entities"), ("hukum harus tegak.", "QUOTE", "cues")]
    assert _speakers(text, marks) == {"Kami siap,": "Prabowo", "tidak ada masalah": "Jokowi",
                                      "Kita lanjut,": "Jokowi", "hukum harus tegak.": "Mahfud"}


def test_english_patterns() -> None:
    text = '"We are ready," said Biden. According to Reuters, "talks failed." "Not now," Putin said.'
    marks = [("We are ready,", "QUOTE", "cues"), ("Biden", "PER", "entities"), ("Reuters", "ORG", "entities"),
             ("talks failed.", "QUOTE", "cues"), ("Not now,", "QUOTE", "cues"), ("Putin", "PER", "entities")]
    assert _speakers(text, marks) == {"We are ready,": "Biden", "talks failed.": "Reuters", "Not now,": "Putin"}


def test_unnamed_speaker_is_a_source_phrase_and_a_nickname_has_none() -> None:
    text = "Mereka membahas “kerja sama” kata juru bicara junta dalam pernyataan. Selain itu, “Negeri Beruang” menjual senjata."
    marks = [("kerja sama", "QUOTE", "cues"), ("Negeri Beruang", "QUOTE", "cues")]
    sources, rels = suggest_relations(text, _spans(text, marks))
    assert [(text[s.start:s.end], s.layer, s.label) for s in sources] == [("juru bicara junta", "cues", "SOURCE")]
    assert [(text[r.head.start:r.head.end], r.child.label) for r in rels] == [("kerja sama", "SOURCE")]


def test_adjacent_entities_form_one_speaker_and_a_verb_inside_a_quote_is_not_an_attribution() -> None:
    text = "Majelis Umum PBB menyerukan “mencegah aliran senjata”. Para pejabat “menegaskan kembali kerja sama”, tambahnya."
    marks = [("Majelis Umum", "ORG", "entities"), ("PBB", "ORG", "entities"),
             ("mencegah aliran senjata", "QUOTE", "cues"), ("menegaskan kembali kerja sama", "QUOTE", "cues"),
             ("menegaskan", "REPORT", "cues"), ("tambahnya", "REPORT", "cues")]
    got = _speakers(text, marks)
    assert got == {"mencegah aliran senjata": "Majelis Umum PBB", "menegaskan kembali kerja sama": "Majelis Umum PBB",
                   "tambahnya": "Majelis Umum PBB"}


def test_holder_and_target_from_the_clause() -> None:
    text = "Rusia mengecam keras Amerika Serikat. Aktivis HAM menuding Moskwa melegitimasi junta."
    marks = [("Rusia", "ORG", "entities"), ("mengecam", "CRITICISE", "cues"), ("Amerika Serikat", "LOC", "entities"),
             ("menuding", "ACCUSE", "cues"), ("Moskwa", "LOC", "entities")]
    _sources, rels = suggest_relations(text, _spans(text, marks))
    got = {(r.label, text[r.head.start:r.head.end], text[r.child.start:r.child.end]) for r in rels}
    assert got == {("HOLDER", "mengecam", "Rusia"), ("TARGET", "mengecam", "Amerika Serikat"),
                   ("TARGET", "menuding", "Moskwa")}


def test_quality_bar_on_the_seeds(tmp_path) -> None:
    result = run_seeds(tmp_path / "seeds.db")
    assert result["reference"] == 9
    assert result["recall"] >= 0.8 and result["precision"] >= 0.7, result


def test_held_out_figures_on_idner_dev(tmp_path, idner_dir) -> None:
    result = run_idner(tmp_path / "idner.db", idner_dir / "dev.txt")  # absent data fails, never skips
    assert result["reference"] == 75
    assert result["recall"] >= 0.75 and result["precision"] >= 0.75, result
