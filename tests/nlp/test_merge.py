"""Merging candidates: precedence and abbreviation joining."""

from annotator.nlp.merge import Candidate, dedupe, join_abbreviations, resolve_overlaps


def test_merge_higher_score_wins_then_longer_then_earlier():
    a = Candidate(0, 10, "ORG", "model:x@1", 0.75)
    b = Candidate(5, 15, "PER", "rule:gazetteer", 0.9)
    c = Candidate(20, 30, "LOC", "rule:capitalised", 0.3)
    d = Candidate(20, 25, "PER", "model:x@1", 0.75)
    e = Candidate(40, 45, "PER", "rule:context", 0.6)
    f = Candidate(40, 48, "ORG", "rule:context", 0.6)
    kept = resolve_overlaps([a, b, c, d, e, f])
    assert kept == [b, d, f]


def test_merge_result_never_overlaps():
    import random

    rng = random.Random(7)
    cands = []
    for _ in range(300):
        s = rng.randrange(0, 200)
        cands.append(Candidate(s, s + rng.randrange(1, 15), rng.choice("ABC"), "o", rng.random()))
    kept = resolve_overlaps(cands)
    for x, y in zip(kept, kept[1:], strict=False):
        assert x.end <= y.start
    # every dropped candidate overlaps a kept one that is at least as good
    for c in cands:
        if c not in kept:
            assert any(k.start < c.end and c.start < k.end and k.score >= c.score for k in kept)


def test_merge_join_abbreviations_only_for_organisations():
    text = "Komisi Pemilihan Umum (KPU) dan Joko Widodo (Jokowi)"
    kpu_long, kpu = Candidate(0, 21, "ORG", "rule:gazetteer", 0.9), Candidate(23, 26, "ORG", "rule:acronym", 0.6)
    per, alias = Candidate(32, 43, "PER", "r", 0.9), Candidate(45, 51, "PER", "r", 0.9)
    out = join_abbreviations(text, [kpu_long, kpu, per, alias])
    assert [text[c.start : c.end] for c in out] == ["Komisi Pemilihan Umum (KPU)", "Joko Widodo", "Jokowi"]


def test_merge_dedupe_keeps_best_score():
    out = dedupe([Candidate(0, 3, "X", "a", 0.2, "cues"), Candidate(0, 3, "X", "b", 0.8, "cues")])
    assert len(out) == 1 and out[0].origin == "b"
