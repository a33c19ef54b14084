"""Speaker attribution against hand references: ``python -m benchmarks.attribution_eval`` (JSON).

Two references, written by reading the texts (not by running the rules):

- **seeds**: who said each quotation of the two seed articles.  Heads are the QUOTE spans
  the default suggester makes (the words inside the quotation marks); the speaker is the
  entity as named in the text, or, where the text names no one, the noun phrase as a
  ``cues``/``SOURCE`` span.  "Negeri Beruang Putih" is a nickname in quotation marks, not
  a quotation: it has no speaker.  The rules were written with the seeds in view, so this
  figure is not a held-out one.
- **idner**: 75 sentences of ``../shared/data/idner-news-2k/dev.txt`` with an attribution
  word ("..., kata X", "X mengatakan ...", "menurut X") and a speaker named in the same
  sentence (sentences whose speaker is only a pronoun are left out).  Heads are the
  attribution words (REPORT); the speaker is the annotator gold's entity span when one
  covers exactly the words read as the speaker, else a SOURCE span over them.  Held out:
  the rules were not tuned on these sentences.

Scores: a relation counts when its label and both endpoints' offsets match.  Precision
is over the suggested SPEAKER relations whose head is one of the reference's heads (the
reference says nothing about other heads).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from annotator.core.model import Span
from annotator.nlp.evaluate import prf
from annotator.store import Project

ROOT = Path(__file__).resolve().parent.parent
#: ``$ANNOTATOR_SHARED_DATA`` (the folder holding idner-news-2k/), else ../shared/data beside the checkout
IDNER_DEV = Path(os.environ.get("ANNOTATOR_SHARED_DATA") or ROOT.parent / "shared" / "data") / "idner-news-2k" / "dev.txt"

#: (document index in seeds/ order, quotation's first words, speaker text, speaker nth occurrence
#: in the document (None: no speaker), speaker layer/label when not an entity of the suggester)
SEEDS_REFERENCE: list[tuple[int, str, str | None, int]] = [
    (0, "perang melawan terorisme", "Dewan Keamanan Rusia", 1),  # "Dewan Keamanan Rusia mengatakan ... membahas"
    (0, "campur tangan asing", "Dewan Keamanan Rusia", 1),
    (0, "menegaskan kembali keinginan", "Dewan Keamanan Rusia", 1),  # "..., tambahnya": the council's statement
    (0, "potensi kerjasama teknis", "juru bicara junta", 0),  # unnamed: SOURCE
    (0, "mencegah aliran senjata", "Majelis Umum PBB", 0),
    (0, "segera menghentikan semua", "Resolusi itu", 0),  # the resolution demands it: SOURCE
    (0, "prihatin", "Kremlin", 0),
    (1, "Kami bertekad untuk", "Shoigu", 2),  # "..., kata Shoigu dikutip RIA"
    (1, "Negeri Beruang Putih", None, 0),  # a nickname in quotation marks: nobody says it
    (1, "Ini memungkinkan Rusia", "Kirichenko", 2),  # "..., kata Kirichenko"
]

#: (a piece of the sentence that finds it, the attribution word, the speaker as read)
IDNER_REFERENCE: list[tuple[str, str, str]] = [
    ("sebagai panduan, kata Eva", "kata", "Eva"),
    ("kata suratkabar itu", "kata", "suratkabar itu"),
    ("Jadi sudah jelas, ujar Ahmad", "ujar", "Ahmad"),
    ("gambar diambil, kata Sanchez", "kata", "Sanchez"),
    ("kata seorang pejabat", "kata", "seorang pejabat"),
    ("kata Menko Polhukam, Djoko Suyanto", "kata", "Djoko Suyanto"),
    ("Agun menegaskan", "menegaskan", "Agun"),
    ("kata laporan tersebut", "kata", "laporan tersebut"),
    ("Andi mengatakan keputusan", "mengatakan", "Andi"),
    ("kata Romahurmuziy.", "kata", "Romahurmuziy"),
    ("kata Irawadi", "kata", "Irawadi"),
    ("Perlman mengatakan", "mengatakan", "Perlman"),
    ("kata surat kabar Al-Thawra", "kata", "Al-Thawra"),
    ("kata Jero.", "kata", "Jero"),
    ("Evelina mengatakan", "mengatakan", "Evelina"),
    ("kata Arie", "kata", "Arie"),
    ("kata Kantor Meteorologi Islandia", "kata", "Kantor Meteorologi Islandia"),
    ("menurut Achsanul", "menurut", "Achsanul"),
    ("ujar Ketua DPD Partai Demokrat Bali I Made Mudharta", "ujar", "I Made Mudharta"),
    ("menurut Mubarok", "menurut", "Mubarok"),
    ("kata militer Israel", "kata", "militer Israel"),
    ("NASA mengatakan", "mengatakan", "NASA"),
    ("kata Basarah", "kata", "Basarah"),
    ("ujar Ma.", "ujar", "Ma"),
    ("Menko Perekonomian Boediono menyatakan", "menyatakan", "Boediono"),
    ("kata Meles seperti", "kata", "Meles"),
    ("Nurul mengatakan, pihaknya", "mengatakan", "Nurul"),
    ("Boediono mengatakan, tidak akan akurat", "mengatakan", "Boediono"),
    ("Rachlan Nasidik mengatakan", "mengatakan", "Rachlan Nasidik"),
    ("kata Perdana Menteri Ethiopia, Meles Zenawi", "kata", "Meles Zenawi"),
    ("Hanung mengatakan yang dilakukan", "mengatakan", "Hanung"),
    ("kata Vena yang hendak", "kata", "Vena"),
    ("kata Hajrul", "kata", "Hajrul"),
    ("Eko mengatakan relokasi", "mengatakan", "Eko"),
    ("kata Slamet Effendy Yusuf", "kata", "Slamet Effendy Yusuf"),
    ("Partai Demokrasi Indonesia Perjuangan menyatakan", "menyatakan", "Partai Demokrasi Indonesia Perjuangan"),
    ("Kantor Wilayah Kementerian Hukum dan Hak Asasi Manusia sebelumnya menyatakan", "menyatakan",
     "Kantor Wilayah Kementerian Hukum dan Hak Asasi Manusia"),
    ("Fernita Darwis mengatakan", "mengatakan", "Fernita Darwis"),
    ("Ahmad Basarah sebelumnya mengatakan", "mengatakan", "Ahmad Basarah"),
    ("kata Presiden Paul Kagame", "kata", "Paul Kagame"),
    ("kata Boediono di Gedung", "kata", "Boediono"),
    ("ujar Wapres Boediono", "ujar", "Boediono"),
    ("sejumlah pengurus PDI Perjuangan menyatakan", "menyatakan", "sejumlah pengurus PDI Perjuangan"),
    ("ucap Susno", "ucap", "Susno"),
    ("kata Irgan", "kata", "Irgan"),
    ("WHO mengatakan", "mengatakan", "WHO"),
    ("(BPH Migas) Fanshurullah Asa", "kata", "Fanshurullah Asa"),
    ("kata Sutiyoso", "kata", "Sutiyoso"),
    ("Niaga Pertamina Hanung Budya", "kata", "Hanung Budya"),
    ("Namun kelompok ini, yang terdiri", "menyatakan", "kelompok ini"),
    ("Bouygues S.A., sebuah", "mengatakan", "Bouygues S.A."),
    ("ucap Nurul", "ucap", "Nurul"),
    ("kata Ketua DPD Nasdem Sumenep, Sufyan Absi", "kata", "Sufyan Absi"),
    ("kata Akbar", "kata", "Akbar"),
    ("Mahfud menyatakan", "menyatakan", "Mahfud"),
    ("kata Ida Fauziah", "kata", "Ida Fauziah"),
    ("Onim mengatakan", "mengatakan", "Onim"),
    ("Moody's Investors Service, Selasa, menyatakan", "menyatakan", "Moody's Investors Service"),
    ("ucap Made", "ucap", "Made"),
    ("Faruq El-Shara mengatakan", "mengatakan", "Faruq El-Shara"),
    ("kata Lofaso", "kata", "Lofaso"),
    ("kata Gus Dur", "kata", "Gus Dur"),
    ("ujar Vena di Gedung", "ujar", "Vena"),
    ("Tantowi mengatakan", "mengatakan", "Tantowi"),
    ("kata kantor berita AAP", "kata", "AAP"),
    ("Meles menjelaskan, harian", "menjelaskan", "Meles"),
    ("harian bisnis tersebut mengatakan", "mengatakan", "harian bisnis tersebut"),
    ("Masih kata Cak Imin", "kata", "Cak Imin"),
    ("Kapolri Jenderal Sutarman menegaskan", "menegaskan", "Sutarman"),
    ("ujar Romahurmuziy, sebelum", "ujar", "Romahurmuziy"),
    ("kata Prakosa", "kata", "Prakosa"),
    ("kata Didik", "kata", "Didik"),
    ("dua calon ketua umum menyatakan", "menyatakan", "dua calon ketua umum"),
    ("Menteri Tenaga Kerja dan Transmigrasi itu mengatakan", "mengatakan", "Menteri Tenaga Kerja dan Transmigrasi itu"),
    ("Sekretaris Fraksi Partai Demokrat itu menegaskan", "menegaskan", "Sekretaris Fraksi Partai Demokrat itu"),
]

REFERENCE = "reference"


def _nth(text: str, needle: str, nth: int, start: int = 0) -> int:
    pos = start - 1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return pos


def _speaker_span(project: Project, doc_id: int, start: int, end: int, entities_of: str | None) -> Span:
    """The reference's speaker span: the named entity there when ``entities_of`` has one exactly
    there (or the suggester, for the seeds), else a SOURCE span."""
    if entities_of is not None:
        for s in project.spans(doc_id, entities_of, "entities"):
            if (s.start, s.end) == (start, end) and s.label in ("PER", "ORG"):
                return Span(start, end, s.label, "entities")
    else:
        for s in project.suggestions(doc_id, "entities"):
            if s.start <= start and end <= s.end or start <= s.start and s.end <= end:
                return Span(start, end, s.label, "entities")
    return Span(start, end, "SOURCE", "cues")


def _relate(project: Project, doc_id: int, head: Span, child: Span) -> None:
    h = project.add_span(doc_id, head, REFERENCE)
    c = project.add_span(doc_id, child, REFERENCE)
    project.add_relation(h, c, "SPEAKER")


def build_seeds_reference(project: Project) -> int:
    """Store the seeds' reference under annotator ``reference`` (QUOTE heads at the suggester's
    QUOTE spans); returns how many SPEAKER relations."""
    n = 0
    for index, quote, speaker, nth in SEEDS_REFERENCE:
        doc_id = project.document_ids()[index]
        text = project.get_text(doc_id)
        q = _nth(text, quote, 0)
        head = next(s for s in project.suggestions(doc_id, "cues") if s.label == "QUOTE" and s.start == q)
        if speaker is None:
            continue
        start = _nth(text, speaker, nth)
        child = _speaker_span(project, doc_id, start, start + len(speaker), None)
        _relate(project, doc_id, Span(head.start, head.end, "QUOTE", "cues"), child)
        n += 1
    return n


def build_idner_reference(project: Project, gold: str = "gold") -> int:
    """Store the idner reference under annotator ``reference``; returns how many relations."""
    docs = {d: project.get_text(d) for d in project.document_ids()}
    for piece, word, speaker in IDNER_REFERENCE:
        where = [(d, t) for d, t in docs.items() if piece in t]
        if len(where) != 1:
            raise ValueError(f"reference sentence {piece!r} found {len(where)} times")
        doc_id, text = where[0]
        at = text.index(piece)
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at) if text.find("\n", at) >= 0 else len(text)
        sentence = text[line_start:line_end]
        w = line_start + _word(sentence, word)
        found = [i for i in range(len(sentence)) if sentence.startswith(speaker, i)]
        if not found:
            raise ValueError(f"no {speaker!r} in {sentence!r}")
        s = line_start + min(found, key=lambda i: abs(i - (w - line_start)))  # the one nearest the word
        head = Span(w, w + len(word), "REPORT", "cues")
        _relate(project, doc_id, head, _speaker_span(project, doc_id, s, s + len(speaker), gold))
    return len(IDNER_REFERENCE)


def _word(sentence: str, word: str) -> int:
    """Offset of ``word`` as a whole word in ``sentence``."""
    import re

    m = re.search(rf"\b{re.escape(word)}\b", sentence)
    if m is None:
        raise ValueError(f"no {word!r} in {sentence!r}")
    return m.start()


def score(project: Project, heads_label: str) -> dict[str, Any]:
    """SPEAKER relations suggested for the reference's heads against the reference."""
    tp = fp = fn = 0
    for doc_id in project.document_ids():
        ref = {r.key for r in project.relations(doc_id, REFERENCE) if r.label == "SPEAKER"}
        heads = {r.head_end.extent for r in project.relations(doc_id, REFERENCE) if r.head_end is not None}
        if heads_label == "QUOTE":  # every quotation is in the reference, with or without a speaker
            heads |= {(s.start, s.end) for s in project.suggestions(doc_id, "cues") if s.label == "QUOTE"}
        pred = {r.key for r in project.relation_suggestions(doc_id)
                if r.label == "SPEAKER" and r.head.label == heads_label and r.head.extent in heads}
        tp += len(pred & ref)
        fp += len(pred - ref)
        fn += len(ref - pred)
    p, r, f = prf(tp, fp, fn)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn,
            "reference": tp + fn}


def run_seeds(path: Path) -> dict[str, Any]:
    """Import the seeds, suggest, store the reference and score."""
    from annotator.formats import import_paths
    from annotator.nlp.suggest import suggest_project

    with Project(path) as project:
        import_paths(project, sorted((ROOT / "seeds").glob("*.txt")))
        suggest_project(project)
        build_seeds_reference(project)
        return score(project, "QUOTE")


def run_idner(path: Path, dev: Path = IDNER_DEV) -> dict[str, Any]:
    """Import idner dev (entities as ``gold``), suggest, store the reference and score."""
    from annotator.formats import import_paths
    from annotator.nlp.suggest import suggest_project

    if not dev.is_file():
        raise FileNotFoundError(f"{dev} is missing: the idner reference needs ../shared/data/idner-news-2k")
    with Project(path) as project:
        report = import_paths(project, [dev], annotator="gold")
        assert report.ok, report.failed
        suggest_project(project)
        build_idner_reference(project)
        return score(project, "REPORT")


def main() -> int:
    """Print both figures as JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        out = {"seeds_quotes": run_seeds(Path(tmp) / "seeds.db"), "idner_dev": run_idner(Path(tmp) / "idner.db")}
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
