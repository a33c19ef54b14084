"""The quality bar: on the seeds, suggested links group mentions as a person would."""

from __future__ import annotations

from annotator.kb.service import bcubed, link_project
from annotator.store import Project


def _predicted(project: Project) -> dict[int, str]:
    return {m.span_id: m.entry_id for m in project.kb_mentions() if m.entry_id}


def test_seed_links_reach_bcubed_09(seed_project: tuple[Project, dict[int, str]]) -> None:
    project, gold = seed_project
    report = link_project(project)
    assert report.mentions == len(gold)
    predicted = _predicted(project)
    assert set(predicted) == set(gold), "every entity span gets a suggested link"
    p, r, f = bcubed(predicted, gold)
    print(f"B-cubed on the seeds: P={p:.3f} R={r:.3f} F1={f:.3f}")
    assert f >= 0.9


def test_seed_named_pairs_group_as_a_person_would(seed_project: tuple[Project, dict[int, str]]) -> None:
    project, gold = seed_project
    link_project(project)
    by_text: dict[str, set[str]] = {}
    for m in project.kb_mentions():
        by_text.setdefault(m.text, set()).add(m.entry_id or "")

    def same(a: str, b: str) -> bool:
        return by_text[a] == by_text[b] and len(by_text[a]) == 1

    assert same("Moskow", "Moskwa") and same("MOSKOW", "Moskwa") and same("MOSKWA", "Moskow")
    assert same("Myanmar", "Burma")
    assert same("Min Aung Hlain", "Min Aung Hlaing")
    assert same("Shoigu", "Sergei Shoigu")
    assert same("Kirichenko", "Alexey Kirichenko")
    assert not same("Kremlin", "Rusia")
    assert not same("Moscow State University", "Moskwa")


def test_bcubed_on_known_clusterings() -> None:
    gold = {1: "a", 2: "a", 3: "b"}
    assert bcubed({1: "x", 2: "x", 3: "y"}, gold) == (1.0, 1.0, 1.0)
    p, r, _ = bcubed({1: "x", 2: "x", 3: "x"}, gold)  # everything lumped together
    assert r == 1.0 and abs(p - 5 / 9) < 1e-9
    p, r, _ = bcubed({1: "x", 2: "y", 3: "z"}, gold)  # every mention alone
    assert p == 1.0 and abs(r - (0.5 + 0.5 + 1) / 3) < 1e-9
