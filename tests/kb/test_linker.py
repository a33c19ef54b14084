"""The linker's rules one by one, on mentions made up for each (no project file)."""

from __future__ import annotations

from annotator.core.kb import KBEntry, KBMention
from annotator.kb.linker import suggest_links
from annotator.kb.names import canonical, edit_distance, initials, normalise


def _m(i: int, text: str, label: str, doc: int = 1, **kw: object) -> KBMention:
    return KBMention(span_id=i, span_uid=f"u{i}", document_id=doc, start=i * 10, end=i * 10 + len(text),
                     label=label, annotator="ann", text=text, **kw)  # type: ignore[arg-type]


def _groups(plan) -> dict[int, str]:  # noqa: ANN001
    return {k.span_id: k.entry_id for k in plan.links}


def test_names_normalise_variants_initials_distance() -> None:
    assert normalise("  Moskwá,  ") == "moskwa"
    assert canonical("Moskwa", "LOC") == canonical("MOSKOW", "LOC") == canonical("Moscow", "LOC")
    assert canonical("Rusia", "LOC") == canonical("Russia", "LOC")
    assert canonical("Jenderal Min Aung Hlaing", "PER") == "min aung hlaing"
    assert canonical("Menteri Pertahanan", "ORG") == "menteri pertahanan"  # titles only drop from persons
    assert initials("Perserikatan Bangsa-Bangsa") == "pbb"
    assert initials("Liga Nasional untuk Demokrasi") == "lnd"
    assert edit_distance("hlain", "hlaing") == 1 and edit_distance("kitten", "sitting") == 3
    assert edit_distance("abcdefgh", "zzzzzzzz", limit=2) == 3


def test_abbreviation_links_to_the_full_name_both_ways() -> None:
    plan = suggest_links([_m(1, "Perserikatan Bangsa-Bangsa", "ORG"), _m(2, "PBB", "ORG", doc=2)], [])
    g = _groups(plan)
    assert g[1] == g[2]
    assert {k.origin for k in plan.links} == {"new", "abbreviation"}
    # an entry already named by its abbreviation takes the long form
    plan = suggest_links([_m(1, "Tentara Nasional Indonesia", "ORG")], [KBEntry("tni", "TNI", "ORG")])
    assert _groups(plan) == {1: "tni"}


def test_surname_prefers_the_full_name_in_the_same_article() -> None:
    mentions = [_m(1, "Joko Widodo", "PER", doc=1), _m(2, "Siti Widodo", "PER", doc=2),
                _m(3, "Widodo", "PER", doc=2), _m(4, "Widodo", "PER", doc=3)]
    g = _groups(suggest_links(mentions, []))
    assert g[3] == g[2] != g[1]
    assert g[4] not in (g[1], g[2]), "two full names elsewhere: ambiguous, so a new entry"
    g = _groups(suggest_links([_m(1, "Sergei Shoigu", "PER", doc=1), _m(2, "Shoigu", "PER", doc=9)], []))
    assert g[1] == g[2], "the only Shoigu in the project"


def test_misspelling_needs_label_and_context() -> None:
    ok = suggest_links([_m(1, "Min Aung Hlaing", "PER"), _m(2, "Min Aung Hlaing", "PER"),
                        _m(3, "Min Aung Hlain", "PER")], [])
    g = _groups(ok)
    assert g[1] == g[3] and [k.origin for k in ok.links if k.span_id == 3] == ["edit-distance"]
    # same spelling distance, other label: not linked
    g = _groups(suggest_links([_m(1, "Min Aung Hlaing", "PER"), _m(2, "Min Aung Hlain", "ORG")], []))
    assert g[1] != g[2]
    # another article with nothing else in common: not linked
    g = _groups(suggest_links([_m(1, "Pratama Wijaya", "PER", doc=1), _m(2, "Pratama Wijaye", "PER", doc=2)], []))
    assert g[1] != g[2]
    # short names are never typos of each other
    g = _groups(suggest_links([_m(1, "Irak", "LOC"), _m(2, "Iran", "LOC")], []))
    assert g[1] != g[2]


def test_accepted_links_stay_and_rejected_entries_are_not_proposed() -> None:
    entries = [KBEntry("moscow", "Moscow", "LOC"), KBEntry("idaho-moscow", "Moscow (Idaho)", "LOC",
                                                              aliases=("Moskwa",))]
    mentions = [_m(1, "Moskwa", "LOC", entry_id="moscow", status="accepted"), _m(2, "Moskwa", "LOC")]
    plan = suggest_links(mentions, entries, {2: {"idaho-moscow"}})
    assert [(k.span_id, k.entry_id) for k in plan.links] == [(2, "moscow")]
    assert not plan.new_entries


def test_kremlin_is_not_russia_and_people_never_match_places() -> None:
    g = _groups(suggest_links([_m(1, "Rusia", "LOC"), _m(2, "Kremlin", "ORG"), _m(3, "Rusia", "ORG"),
                               _m(4, "Georgia", "LOC"), _m(5, "Georgia", "PER")], []))
    assert g[1] == g[3] != g[2]
    assert g[4] != g[5]


def test_a_span_without_letters_gets_no_link_and_no_nameless_entry() -> None:
    plan = suggest_links([_m(1, "–", "MISC"), _m(2, "Jakarta", "LOC")], [])
    assert [k.span_id for k in plan.links] == [2] and [e.name for e in plan.new_entries] == ["Jakarta"]
