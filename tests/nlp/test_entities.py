"""Rule-based entity suggestions (annotator.nlp.entities)."""

from __future__ import annotations

from tests.nlp.conftest import ents, rows


def test_entities_title_gives_person_after_descriptor_and_country(nlp_id):
    doc = nlp_id("Menteri Pertahanan Rusia Sergei Shoigu mengatakan hal itu.")
    assert ("Sergei Shoigu", "PER") in ents(doc)
    # "Pertahanan Rusia": the country modifies the ministry, a nationality use, not a place
    assert not any(t == "Rusia" for t, _ in ents(doc))
    origins = {t: o for _, t, _, o in rows(doc, "entities")}
    assert origins["Sergei Shoigu"] in ("rule:title-person", "rule:gazetteer")


def test_entities_title_person_for_unknown_name(nlp_id):
    # nobody on any list: the title pattern alone must find the name
    doc = nlp_id("Ketua Umum Partai Golkar Budiarto Sastrowinoto menolak usul itu.")
    found = ents(doc)
    assert ("Budiarto Sastrowinoto", "PER") in found
    assert ("Partai Golkar", "ORG") in found
    origin = {t: o for _, t, _, o in rows(doc, "entities")}["Budiarto Sastrowinoto"]
    assert origin == "rule:title-person"


def test_entities_lowercase_title_context(nlp_id):
    doc = nlp_id("Ia bertemu pemimpin junta Myanmar Jenderal Tun Myat Kyaw di sana.")
    found = ents(doc)
    assert ("Tun Myat Kyaw", "PER") in found
    assert ("Myanmar", "LOC") in found


def test_entities_organisation_head_with_place_and_connector(nlp_id):
    doc = nlp_id("Kemarin Dewan Keamanan Rusia dan Liga Pemuda untuk Demokrasi Baru bertemu.")
    found = ents(doc)
    assert ("Dewan Keamanan Rusia", "ORG") in found
    assert ("Liga Pemuda untuk Demokrasi Baru", "ORG") in found


def test_entities_body_and_parent_organisation_are_two_mentions(nlp_id):
    doc = nlp_id("Resolusi Majelis Umum PBB itu disetujui.")
    assert {("Majelis Umum", "ORG"), ("PBB", "ORG")} <= ents(doc)


def test_entities_abbreviation_in_brackets_joins_long_form(nlp_id):
    doc = nlp_id("Pengurus Komisi Pemilihan Umum (KPU) datang.")
    assert ("Komisi Pemilihan Umum (KPU)", "ORG") in ents(doc)


def test_entities_context_rules(nlp_id):
    doc = nlp_id("Warga berkumpul di Cibodas Hilir. Masalah itu penting, kata Haposan Sinaga kepada wartawan.")
    found = ents(doc)
    assert ("Cibodas Hilir", "LOC") in found
    assert ("Haposan Sinaga", "PER") in found


def test_entities_coreference_of_surname(nlp_id):
    doc = nlp_id("Presiden Kalimanto Wirasena datang. Kemudian Wirasena pergi ke Bandung.")
    found = ents(doc)
    assert ("Kalimanto Wirasena", "PER") in found
    assert ("Wirasena", "PER") in found


def test_entities_sentence_openers_and_headline_words_are_not_names(nlp_id):
    doc = nlp_id("Namun mereka datang. Kemarin Rapat Paripurna ditunda. Pasalnya Pernyataan Bersama Perlu Dikaji.")
    assert ents(doc) == set()


def test_entities_country_as_modifier_is_not_a_place(nlp_id):
    doc = nlp_id("Pemerintah Indonesia membantah. Warga berangkat ke Indonesia.")
    spans = [r for r in rows(doc, "entities") if r[1] == "Indonesia"]
    assert len(spans) == 1  # only the destination, not "pemerintah Indonesia"


def test_entities_dateline_in_capitals_and_web_outlet(nlp_id):
    doc = nlp_id("MOSKWA, KOMPAS.com – Rusia menolak.")
    found = ents(doc)
    assert ("MOSKWA", "LOC") in found
    assert ("KOMPAS.com", "ORG") in found


def test_entities_never_overlap_and_sit_on_token_boundaries(nlp_id):
    text = ("Ketua Umum Partai Demokrasi Indonesia Perjuangan (PDI-P) Megawati Soekarnoputri dan "
            "Gubernur Jawa Tengah Ganjar Pranowo bertemu Presiden Joko Widodo di Istana Bogor, Jawa Barat.")
    doc = nlp_id(text)
    spans = sorted((r[1], r[2]) for r in doc._.annotator_suggestions if r[0] == "entities")
    assert spans
    for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False):
        assert b1 <= a2
    starts = {t.idx for t in doc}
    ends = {t.idx + len(t.text) for t in doc}
    assert all(a in starts and b in ends for a, b in spans)
    assert [e.text for e in doc.ents] == [text[a:b] for a, b in spans]


def test_entities_english_document(nlp_en):
    doc = nlp_en("Russian Defence Minister Sergei Shoigu met junta leader Min Aung Hlaing in Moscow, Reuters reported.")
    found = ents(doc)
    assert {("Sergei Shoigu", "PER"), ("Min Aung Hlaing", "PER"), ("Moscow", "LOC"), ("Reuters", "ORG")} <= found


def test_entities_initials_join_a_known_name(nlp_id):
    assert ("M Nazaruddin", "PER") in ents(nlp_id("Kasus yang melibatkan M Nazaruddin dibahas lagi."))
