"""Story grouping on a generated project whose stories are known."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from annotator.core.model import Document, Span
from annotator.kb.service import find_stories, link_project
from annotator.kb.stories import article_date
from annotator.store import Project

_FIRST = ["Budi", "Sari", "Andi", "Rina", "Tono", "Maya", "Dedi", "Lina", "Hadi", "Yuni", "Agus", "Wati"]
_LAST = ["Santoso", "Wijaya", "Pratama", "Kusuma", "Hidayat", "Saputra", "Nugroho", "Lestari", "Gunawan", "Halim"]
_PLACES = ["Bandung", "Medan", "Makassar", "Surabaya", "Padang", "Manado", "Kupang", "Ambon", "Jayapura", "Palu"]
_ORGS = ["Bank Sentral", "Komisi Energi", "Dewan Pangan", "Badan Cuaca", "Lembaga Air", "Koperasi Tani"]
_TOPICS = [
    "banjir bandang merendam ribuan rumah warga pengungsi bantuan logistik",
    "harga beras melonjak pasar pedagang stok gudang operasi",
    "gempa bumi mengguncang bangunan retak korban evakuasi",
    "pemilihan kepala daerah kampanye suara kandidat debat",
    "pabrik baterai investasi tenaga kerja nikel tambang",
    "festival musik panggung penonton tiket penyanyi konser",
]
_FILLER = "selain itu menurut pihaknya kemudian namun sementara sehingga karena bahwa juga telah akan masih".split()
_OUTLETS = ["Kompas.com", "Tempo.co", "Detik.com", "Antara", "CNN Indonesia"]


def _article(rng: random.Random, names: list[tuple[str, str]], topic: str) -> tuple[str, list[Span]]:
    """Sentences mixing the story's names with its topic words; returns text and entity spans."""
    parts: list[str] = []
    spans: list[Span] = []
    pos = 0
    topic_words = topic.split()
    for _ in range(8):
        name, label = rng.choice(names)
        words = [*rng.sample(topic_words, 4), *rng.sample(_FILLER, 3)]
        rng.shuffle(words)
        head = f"{words[0].capitalize()} {' '.join(words[1:3])} "
        start = pos + len(head)
        spans.append(Span(start, start + len(name), label))
        sentence = f"{head}{name} {' '.join(words[3:])}. "
        parts.append(sentence)
        pos += len(sentence)
    return "".join(parts), spans


def test_generated_stories_are_found(tmp_path: Path) -> None:
    rng = random.Random(13)
    project = Project(tmp_path / "gen.db")
    truth: list[list[int]] = []
    day = date(2024, 3, 1)
    for k, topic in enumerate(_TOPICS):
        people = [(f"{rng.choice(_FIRST)} {_LAST[k]}", "PER"), (f"{_FIRST[k]} {_LAST[(k + 3) % 10]}", "PER")]
        names = [*people, (_PLACES[k], "LOC"), (_ORGS[k], "ORG"), ("Indonesia", "LOC")]
        ids = []
        for n, outlet in enumerate(rng.sample(_OUTLETS, 3)):
            # later reports say only the surname: the linker resolves it to the full name
            story_names = names if n == 0 else [*names, (people[0][0].split()[-1], "PER")]
            text, spans = _article(rng, story_names, topic)
            published = (day + timedelta(days=10 * k + n)).isoformat()
            doc_id, _ = project.add_document(Document(text, title=f"{topic[:20]} {n}", source=outlet,
                                                      published=published))
            project.add_spans(doc_id, spans, "ann")
            ids.append(doc_id)
        truth.append(ids)
    # loose articles: common names only, each on its own event (own words), no story
    for n in range(8):
        own_topic = " ".join("".join(rng.choice("bdgklmnprst") + rng.choice("aiueo") for _ in range(3))
                             for _ in range(10))
        text, spans = _article(rng, [("Indonesia", "LOC"), ("Jakarta", "LOC")], own_topic)
        doc_id, _ = project.add_document(Document(text, source="Antara",
                                                  published=(day + timedelta(days=3 * n)).isoformat()))
        project.add_spans(doc_id, spans, "ann")
    link_project(project)
    stories = find_stories(project)
    assert sorted(s.documents for s in stories) == sorted(truth)
    assert all(len(s.outlets) == 3 for s in stories)
    project.close()


def test_article_date_from_published_or_text() -> None:
    assert article_date("2021-06-24T12:20+07:00", "") == date(2021, 6, 24)
    assert article_date("", "MOSKOW – pada Senin (21/6/2021) berkomitmen") == date(2021, 6, 21)
    assert article_date("", "tanpa tanggal 99/99/2021") is None


def test_the_two_seeds_alone_are_one_story(seed_project) -> None:  # noqa: ANN001
    project, _ = seed_project
    link_project(project)
    stories = find_stories(project)
    assert [(s.documents, s.outlets) for s in stories] == [([1, 2], ["Arrahmah.com", "Kompas.com"])]
