"""The pipeline on arbitrary text: no crash, spans inside the text, entities never overlap."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.nlp.pipeline import EXT

PIECES = [
    "Presiden", "presiden", "Menteri", "Pertahanan", "Rusia", "Sergei", "Shoigu", "Partai", "Golkar", "Dewan",
    "Keamanan", "PBB", "(", ")", "(KPU)", ",", ".", "“", "”", '"', "kata", "mengatakan", "menentang", "di", "ke",
    "dan", "untuk", "Jokowi-JK", "-", "\n", "\n\n", "Kota", "Jalan", "Ibu", "Kota", "MOSKWA", "Kompas.com", "😀",
    "ditentang", "Namun", "Budi", "Jenderal", "yang", "Inc", "'", "Senin", "Baca juga:", "X", "e", "al-Assad",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), min_size=0, max_size=40), st.lists(st.sampled_from([" ", "", "  "]),
       min_size=40, max_size=40))
def test_robustness_random_token_soup(nlp_id, pieces, seps):
    text = "".join(p + s for p, s in zip(pieces, seps, strict=False))
    doc = nlp_id(text)
    rows = doc._.get(EXT) or []
    ents = sorted((r[1], r[2]) for r in rows if r[0] == "entities")
    for a, b in ents:
        assert 0 <= a < b <= len(text)
    for (_, b1), (a2, _) in zip(ents, ents[1:], strict=False):
        assert b1 <= a2
    for r in rows:
        assert 0 <= r[1] < r[2] <= len(text) and 0 < r[5] <= 1
        assert text[r[1] : r[2]].strip() == text[r[1] : r[2]]  # no span starts or ends in blank space
