"""Stance cues: lemma-matched lexicon, multi-word cues, quotations."""

from __future__ import annotations

import pytest

from annotator.nlp.cues import CueMatcher, find_quotes, indonesian_root_candidates
from annotator.nlp.resources import ResourceError, load_cue_toml
from tests.nlp.conftest import cues


@pytest.mark.parametrize("word", ["menentang", "ditentang", "pertentangan", "menentangnya"])
def test_cues_inflected_forms_match_on_lemma(nlp_id, word):
    doc = nlp_id(f"Banyak negara {word} rencana itu.")
    assert (word, "OPPOSE") in cues(doc)


def test_cues_function_words_do_not_reach_a_root_by_stripping(nlp_id):
    # "tersebut" = "the said" is not "sebut" (to mention, REPORT); "tentang" = "about" is not OPPOSE
    doc = nlp_id("Pernyataan tersebut dibacakan tentang hal itu.")
    assert not any(t in ("tersebut", "tentang") for t, _ in cues(doc))


def test_cues_multi_word_cue_and_longest_match_per_category(nlp_id):
    doc = nlp_id("Mereka membahas campur tangan asing di kawasan, kata dia.")
    found = cues(doc)
    assert ("campur tangan asing", "CONCERN") in found
    assert ("kata dia", "REPORT") in found
    assert ("kata", "REPORT") not in found  # inside the longer REPORT cue


def test_cues_categories_on_typical_sentences(nlp_id):
    doc = nlp_id("Aktivis menuding pemerintah dan mengecam kebijakan itu. Menteri berkomitmen membantu; "
                 "warga prihatin dan mendukung langkah itu, menurut laporan.")
    found = cues(doc)
    for text, label in [("menuding", "ACCUSE"), ("mengecam", "CRITICISE"), ("prihatin", "CONCERN"),
                        ("mendukung", "SUPPORT")]:
        assert (text, label) in found
    assert any(t.startswith("berkomitmen") and lab == "COMMIT" for t, lab in found)
    assert any(t.startswith("menurut") and lab == "REPORT" for t, lab in found)


def test_cues_english_lexicon_for_english_pipeline(nlp_en):
    doc = nlp_en("The minister opposed the plan and criticised the army, according to officials who said so.")
    found = cues(doc)
    assert {("opposed", "OPPOSE"), ("criticised", "CRITICISE"), ("according to", "REPORT"), ("said", "REPORT")} <= found


def test_cues_quotes_typographic_and_straight():
    text = 'Ia berkata “kami menolak” lalu "tidak ada kompromi," dan «cukup».\nSatu " tanpa pasangan.'
    quotes = {text[c.start : c.end] for c in find_quotes(text)}
    assert quotes == {"kami menolak", "tidak ada kompromi,", "cukup"}


def test_cues_quotes_overlap_other_cues(nlp_id):
    doc = nlp_id("Kremlin mengatakan “prihatin” dengan korban.")
    found = cues(doc)
    assert ("prihatin", "QUOTE") in found and ("prihatin", "CONCERN") in found


def test_cues_root_candidates_strip_prefixes_and_suffixes():
    cands = indonesian_root_candidates("ditentangnya")
    assert "tentang" in cands
    assert "tolak" in indonesian_root_candidates("penolakan")


def test_cues_lexicon_files_are_well_formed_and_use_schema_categories(project):
    cue_labels = set(project.schema.layer("cues").label_names)
    for lang in ("id", "en"):
        raw = load_cue_toml(lang)
        assert raw, lang
        assert set(raw) <= cue_labels - {"QUOTE"}
        assert all(body.get("lemmas") or body.get("phrases") or body.get("forms") for body in raw.values())


def test_cues_malformed_lexicon_names_the_file(tmp_path, monkeypatch):
    bad = tmp_path / "cues_xx.toml"
    bad.write_text('[OPPOSE]\nlemmas = "tolak"\n', encoding="utf-8")
    monkeypatch.setattr("annotator.nlp.resources.cue_lexicon_path", lambda lang: bad)
    with pytest.raises(ResourceError, match="cues_xx.toml"):
        CueMatcher("xx")


def test_cues_exclusions_and_nouns_that_are_not_stance(nlp_id):
    doc = nlp_id("Rombongan bertolak ke Jakarta setelah kesepakatan dagang dan perjanjian damai.")
    found = cues(doc)
    assert not any(lab == "OPPOSE" for _, lab in found)  # bertolak = to depart
    assert not any(t in ("kesepakatan", "perjanjian") for t, _ in found)
    assert ("menolak", "OPPOSE") in cues(nlp_id("Mereka menolak tawaran itu."))
