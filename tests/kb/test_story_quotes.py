"""Who each article quotes: SPEAKER relations first (a person's, then accepted or pending
suggestions, marked as suggested), the nearest-person guess only where no relation names
the speaker.  The project is generated so the guess and the relations disagree."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from annotator.core.kb import KBEntry
from annotator.core.model import Document, Span
from annotator.core.relations import Endpoint, SuggestedRelation
from annotator.kb.service import link_project
from annotator.kb.story_table import story_table
from annotator.store import Project

_PEOPLE = ["Budi Santoso", "Sari Wijaya", "Andi Pratama", "Rina Kusuma", "Tono Hidayat", "Maya Lestari"]
_SAYINGS = ["Kami akan membangun jembatan baru tahun ini", "Harga beras harus turun sebelum Lebaran",
            "Tidak ada korban jiwa dalam gempa kemarin", "Pabrik baterai membuka ribuan lapangan kerja",
            "Anggaran daerah cukup untuk bantuan banjir"]


class _Writer:
    """Builds a text piece by piece, remembering where named pieces land."""

    def __init__(self) -> None:
        self.text = ""
        self.at: dict[str, tuple[int, int]] = {}

    def put(self, piece: str, name: str | None = None) -> None:
        if name is not None:
            self.at[name] = (len(self.text), len(self.text) + len(piece))
        self.text += piece


def _paragraph(w: _Writer, n: int, speaker: str, other: str, saying: str) -> None:
    # the real speaker opens the paragraph; another person stands right after the quote,
    # so the nearest-person guess picks the wrong one
    w.put(speaker, f"speaker{n}")
    w.put(" berbicara di depan wartawan. \"")
    w.put(saying, f"quote{n}")
    w.put("\" ujarnya kepada ")
    w.put(other, f"other{n}")
    w.put(".\n")


def _generated(path: Path, seed: int) -> tuple[Project, int, dict[str, tuple[int, int]], list[tuple[str, str]]]:
    rng = random.Random(seed)
    project = Project(path)
    w = _Writer()
    cast: list[tuple[str, str]] = []
    for n in range(4):
        speaker, other = rng.sample(_PEOPLE, 2)
        _paragraph(w, n, speaker, other, rng.choice(_SAYINGS))
        cast.append((speaker, other))
    doc, _new = project.add_document(Document(w.text, title="Rapat", source="Kompas.com"))
    for who in ("ann", "bob"):
        for n in range(4):
            project.add_span(doc, Span(*w.at[f"quote{n}"], "QUOTE", "cues"), who)
            for role in ("speaker", "other"):
                project.add_span(doc, Span(*w.at[f"{role}{n}"], "PER"), who)
    return project, doc, w.at, cast


def _span(project: Project, doc: int, who: str, extent: tuple[int, int], layer: str) -> int:
    sid = project.span_at(doc, who, Endpoint(layer, *extent))
    assert sid is not None
    return sid


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_speakers_come_from_relations_before_the_guess(tmp_path: Path, seed: int) -> None:
    project, doc, at, cast = _generated(tmp_path / f"gen{seed}.db", seed)

    def quote(n: int, who: str = "ann") -> int:
        return _span(project, doc, who, at[f"quote{n}"], "cues")

    def person(role: str, n: int, who: str = "ann") -> int:
        return _span(project, doc, who, at[f"{role}{n}"], "entities")

    def suggest(n: int, role: str) -> SuggestedRelation:
        return SuggestedRelation("SPEAKER", Endpoint("cues", *at[f"quote{n}"], "QUOTE"),
                                 Endpoint("entities", *at[f"{role}{n}"], "PER"), score=0.8)

    # 0: a person drew the relation; bob's accepted suggestion says otherwise and loses
    project.add_relation(quote(0), person("speaker", 0), "SPEAKER")
    # 1: only a pending suggestion; 2: a suggestion bob rejected; 3: nothing
    # (and one suggestion bob accepts for quote 0, naming the other person)
    project.set_relation_suggestions(doc, [suggest(1, "speaker"), suggest(2, "speaker"), suggest(0, "other")],
                                     "pipeline", "1")
    by_head = {s.head.extent: s for s in project.relation_suggestions(doc)}
    project.reject_relation_suggestion(by_head[at["quote2"]].id or 0, "bob")
    accepted = project.accept_relation_suggestion(by_head[at["quote0"]].id or 0, "bob")
    assert accepted.origin != "human"
    link_project(project)  # the guess looks among linked person mentions, as the story view does
    # the speaker of quote 1 is linked to an entry of another name: the entry's name is shown
    entry = project.kb_add_entry(KBEntry("", f"{cast[1][0]} (entry)", "PER"))
    project.kb_set_link(person("speaker", 1), entry.id)

    table = story_table(project, [doc])
    quotes = {q.start: q for q in table.articles[0].quotes}
    q = [quotes[at[f"quote{n}"][0]] for n in range(4)]
    assert (q[0].speaker, q[0].speaker_source, q[0].suggested) == (cast[0][0], "relation", False)
    assert (q[1].speaker, q[1].speaker_source, q[1].suggested) == (entry.name, "suggested relation", True)
    # rejected suggestion and no relation: the guess, the person nearest the quote
    assert (q[2].speaker, q[2].speaker_source) == (cast[2][1], "nearest person")
    assert (q[3].speaker, q[3].speaker_source) == (cast[3][1], "nearest person")

    # without the person's relation, bob's accepted suggestion names quote 0's speaker
    project.delete_relation(project.relations(doc, "ann")[0].uid)
    q0 = next(x for x in story_table(project, [doc]).articles[0].quotes if x.start == at["quote0"][0])
    assert (q0.speaker, q0.speaker_source, q0.suggested) == (cast[0][1], "accepted suggestion", True)
    project.close()
