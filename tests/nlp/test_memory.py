"""Project memory: suggestions learned from the annotators' decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.model import Document, Span
from annotator.core.tokens import token_spans
from annotator.gui.doc_query import load_pending_suggestions
from annotator.nlp.memory import Memory, Observation, build_memory, refresh_memory
from annotator.review.blind import set_blind
from annotator.store import Project
from benchmarks.memory_refresh import judge_one_by_one
from tests.conftest import SEED_FILES

REFERENCE = json.loads((Path(__file__).parent / "data" / "seeds_memory_reference.json").read_text(encoding="utf-8"))


def tag(text: str, items: list[list[str]]) -> list[Span]:
    """Every whole-token occurrence of the listed surfaces, longest first, left to right."""
    toks = token_spans(text)
    words = [text[a:b] for a, b in toks]
    surfaces = sorted(((tuple(s[a:b] for a, b in token_spans(s)), lab) for s, lab in items), key=lambda x: -len(x[0]))
    out, i = [], 0
    while i < len(words):
        for surface, label in surfaces:
            if tuple(words[i:i + len(surface)]) == surface:
                out.append(Span(toks[i][0], toks[i + len(surface) - 1][1], label))
                i += len(surface)
                break
        else:
            i += 1
    return out


def test_memory_seeds_quality_bar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'reference' annotates the first seed with a guideline that tags 'militer Myanmar' as LOC;
    plain 'annotator suggest' then finds >= 0.9 of each label on the second article, precision >= 0.75."""
    db = str(tmp_path / "p.db")
    assert main(["import", db, *map(str, SEED_FILES)]) == 0
    with Project(db) as p:
        first, second = p.document_ids()
        p.add_annotator("reference")
        p.add_annotator("truth")
        p.add_spans(second, tag(p.get_text(second), REFERENCE[SEED_FILES[1].name]), "truth")
    capsys.readouterr()

    def scores() -> dict:
        assert main(["suggest", db]) == 0
        capsys.readouterr()
        assert main(["evaluate", db, "--reference", "truth", "--as", "reference", "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    before = scores()
    assert before["per_label"]["LOC"]["recall"] < 0.8  # the rules' nationality convention: "militer Myanmar" is no LOC
    with Project(db) as p:
        text = p.get_text(first)
        assert "militer Myanmar" in text
        p.add_spans(first, tag(text, REFERENCE[SEED_FILES[0].name]), "reference")
        p.set_status(first, "reference", "done")
    after = scores()
    assert after["documents"] == 1
    for label in ("PER", "ORG", "LOC"):
        assert after["per_label"][label]["recall"] >= 0.9, (label, after["per_label"][label])
    assert after["precision"] >= 0.75
    # the memory's suggestions say where they come from, with a score
    with Project(db) as p:
        mine = [s for s in p.suggestions(second, "entities", viewer="reference") if s.origin == "memory:reference"]
        assert mine and all(0.5 <= (s.score or 0) <= 1 for s in mine)
        assert {p.get_text(second)[s.start:s.end] for s in mine} >= {"Myanmar", "Rusia"}
        # the shared suggestions (export, evaluate without --as, other annotators) are the rules' alone
        assert not any(s.origin.startswith("memory:") for s in p.suggestions(second))
        assert not any(s.origin.startswith("memory:") for s in p.suggestions(second, viewer="truth"))


# -- small generated projects -------------------------------------------------

T1 = "Pasukan militer Zamora menyerang kota. Kepala Zamora Bintang bicara."
T2 = "Serangan militer Zamora berlanjut. Warga Zamora mengungsi ke Lembah."
T3 = "Laporan dari Zamora pagi ini. Kata Lembah bahwa militer Zamora mundur."


def spans_of(text: str, needle: str, label: str, layer: str = "entities") -> list[Span]:
    out, pos = [], text.find(needle)
    while pos >= 0:
        out.append(Span(pos, pos + len(needle), label, layer))
        pos = text.find(needle, pos + 1)
    return out


@pytest.fixture
def small(project: Project) -> tuple[Project, list[int]]:
    """Three documents with a shared 'pipeline' set that suggests 'Lembah' as PER everywhere."""
    ids = [project.add_document(Document(t))[0] for t in (T1, T2, T3)]
    for doc_id, text in zip(ids, (T1, T2, T3), strict=True):
        rule = [s.with_(origin="rule:test", score=0.6) for s in spans_of(text, "Lembah", "PER")]
        project.set_suggestions(doc_id, rule, suggester="pipeline", version="t")
    for name in ("alice", "bob"):
        project.add_annotator(name)
    return project, ids


def view(p: Project, doc: int, who: str) -> set[tuple[str, str, str]]:
    text = p.get_text(doc)
    return {(text[s.start:s.end], s.label, s.origin) for s in p.suggestions(doc, "entities", viewer=who)}


def test_memory_string_suggested_elsewhere_with_origin_and_context(small) -> None:
    p, (d1, d2, d3) = small
    p.add_spans(d1, spans_of(T1, "Zamora", "LOC"), "alice")
    report = refresh_memory(p)
    assert report.annotators == ["alice"]
    got = {s for s in view(p, d2, "alice") if s[2].startswith("memory:")}
    assert got == {("Zamora", "LOC", "memory:alice")}
    scores = [s.score for s in p.suggestions(d2, viewer="alice") if s.origin == "memory:alice"]
    assert len(scores) == 2 and all(s == 1.0 for s in scores)
    # leave one document out: the memory of d1 does not repeat d1's own spans
    assert not any(o.startswith("memory:") for _, _, o in view(p, d1, "alice"))
    # a second refresh with nothing new redoes nothing
    again = refresh_memory(p)
    assert again.documents == 0 and again.skipped == 3


def test_memory_context_decides_between_competing_decisions(small) -> None:
    p, (d1, d2, d3) = small
    # alice: "Zamora" after "militer" is LOC, after "Kepala" it is ORG (twice, to outweigh)
    p.add_spans(d1, [Span(*_at(T1, "Zamora", 0), "LOC"), Span(*_at(T1, "Zamora", 1), "ORG")], "alice")
    p.add_spans(d2, [Span(*_at(T2, "Zamora", 0), "LOC")], "alice")
    refresh_memory(p)
    labels = {(s.start, s.label) for s in p.suggestions(d3, viewer="alice") if s.origin == "memory:alice"}
    second = _at(T3, "Zamora", 1)  # "militer Zamora mundur"
    assert (second[0], "LOC") in labels  # the context seen with LOC twice
    assert len(labels) == 2


def _at(text: str, needle: str, nth: int) -> tuple[int, int]:
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return pos, pos + len(needle)


def test_memory_rejection_vetoes_same_context_and_demotes_elsewhere(project: Project) -> None:
    texts = ["Kata Lembah bahwa hujan turun.", "Kata Lembah bahwa angin kencang.", "Di Lembah angin kencang."]
    ids = [project.add_document(Document(t))[0] for t in texts]
    for doc_id, text in zip(ids, texts, strict=True):
        project.set_suggestions(doc_id, [s.with_(origin="rule:test", score=0.6)
                                         for s in spans_of(text, "Lembah", "PER")], suggester="pipeline", version="t")
    project.add_annotator("alice")
    rejected = project.suggestions(ids[0], pending_for="alice")[0]
    project.reject_suggestion(rejected.id or 0, "alice")
    refresh_memory(project)
    assert project.suggestions(ids[1], viewer="alice") == []  # same words around it: not offered again
    elsewhere = project.suggestions(ids[2], viewer="alice")
    assert [(s.label, s.score) for s in elsewhere] == [("PER", 0.3)]  # demoted, not hidden
    # bob never rejected anything: he still sees the rule's suggestion everywhere
    project.add_annotator("bob")
    assert [s.score for s in project.suggestions(ids[1], viewer="bob")] == [0.6]


def test_memory_blind_mode_uses_only_own_decisions(small) -> None:
    p, (d1, d2, d3) = small
    p.add_spans(d1, spans_of(T1, "Zamora", "LOC"), "bob")
    p.add_spans(d1, spans_of(T1, "Bintang", "PER"), "alice")
    refresh_memory(p)
    alice = view(p, d2, "alice") | view(p, d3, "alice")
    assert not any(o == "memory:bob" for _, _, o in alice)
    assert not any(t == "Zamora" for t, _, _ in alice)  # bob's decision never reaches alice
    assert any(o == "memory:bob" for _, _, o in view(p, d2, "bob"))
    assert [o.doc for obs in build_memory(p, "alice").index["entities"].values() for o in obs] == [d1]
    # blind mode off: alice learns from bob too (her own decisions weigh double)
    set_blind(p, False)
    refresh_memory(p)
    assert ("Zamora", "LOC", "memory:bob") in view(p, d2, "alice")


def test_memory_refresh_keeps_decisions_and_untouched_only(small) -> None:
    p, (d1, d2, d3) = small
    # alice started d2: she rejected the rule's 'Lembah' there
    sug = p.suggestions(d2, pending_for="alice")[0]
    p.reject_suggestion(sug.id or 0, "alice")
    p.add_spans(d1, spans_of(T1, "Zamora", "LOC"), "alice")
    report = refresh_memory(p, annotators=["alice"], untouched_only=True)
    assert report.documents == 1  # d3 only: d1 and d2 are alice's work in progress
    assert p.memory_views(d2) == [] and p.memory_views(d3) == ["memory:alice"]
    # the full refresh redoes d2 too, carrying her rejection over to her view
    refresh_memory(p, annotators=["alice"])
    pending = {(T2[s.start:s.end], s.label) for s in p.suggestions(d2, pending_for="alice")}
    assert ("Lembah", "PER") not in pending and ("Zamora", "LOC") in pending
    assert p.suggestion_decisions(d2, "alice")  # her decision is still there
    # the GUI reads the same view
    rows = {(T2[r.start:r.end], r.label, r.origin) for r in load_pending_suggestions(p, d2, "alice")}
    assert ("Zamora", "LOC", "memory:alice") in rows and ("Lembah", "PER", "rule:test") not in rows


def test_memory_finished_document_teaches_what_is_not_an_entity(project: Project) -> None:
    texts = ["Bintang pagi. Bintang siang. Tim Bintang menang.", "Ada Bintang di sini."]
    ids = [project.add_document(Document(t))[0] for t in texts]
    project.set_suggestions(ids[1], [Span(4, 11, "PER", origin="rule:test", score=0.3)], suggester="pipeline",
                            version="t")
    project.add_annotator("alice")
    project.add_spans(ids[0], [Span(*_at(texts[0], "Bintang", 2), "ORG")], "alice")
    project.set_status(ids[0], "alice", "done")  # two 'Bintang' left unlabelled, one ORG
    refresh_memory(project)
    assert project.suggestions(ids[1], viewer="alice") == []  # mostly nothing: the rule's PER is dropped too


def test_memory_leaves_to_a_trusted_model_what_it_learned() -> None:
    """In a document a competent rule-feature model suggested (origin ``model:``, score >=
    TRUSTED_MODEL_SCORE), decisions in the documents it was trained on neither override nor
    fill its gaps; a decision elsewhere reopens the surface, and same-context rejections still veto.
    A rule's span is overridden as before, and a model of unknown documents is left alone."""
    from annotator.nlp.memory import TRUSTED_MODEL_SCORE, Memory, Observation

    text = "Pasukan Rusia tiba di Moskow kemarin."
    rusia, moskow = (text.index("Rusia"), text.index("Rusia") + 5), (text.index("Moskow"), text.index("Moskow") + 6)
    model_org = Span(*rusia, "ORG", origin="model:id_x@0.0.1", score=TRUSTED_MODEL_SCORE)
    rule_org = Span(*rusia, "ORG", origin="rule:test", score=0.9)
    memory = Memory("ann")
    for k in range(3):  # Rusia is LOC in documents 100-102, Moskow LOC in 300
        memory.add("entities", ("Rusia",), Observation(100 + k, "ann", "LOC", "militer", "kemarin"))
    memory.add("entities", ("Moskow",), Observation(300, "ann", "LOC", "di", "tiba"))

    def labels(base: list[Span], trained: dict[str, frozenset[int] | None]) -> dict[tuple[int, int], tuple[str, str]]:
        return {(s.start, s.end): (s.label, s.origin) for s in memory.apply(1, text, base, trained=trained)}

    learned = {"model:id_x": frozenset({100, 101, 102, 300})}
    assert labels([model_org], learned) == {rusia: ("ORG", "model:id_x@0.0.1")}
    assert labels([model_org], {"model:id_x": None}) == {rusia: ("ORG", "model:id_x@0.0.1")}
    assert labels([model_org], {}) == {rusia: ("ORG", "model:id_x@0.0.1")}
    # a decision the model never saw (documents 102, 300) reopens its surface: judged as with the rules
    newer = {"model:id_x": frozenset({100, 101})}
    assert labels([model_org], newer) == {rusia: ("LOC", "memory:ann"), moskow: ("LOC", "memory:ann")}
    assert labels([rule_org], learned) == {rusia: ("LOC", "memory:ann"), moskow: ("LOC", "memory:ann")}
    # a weaker model (its spans below the trusted score) is overridden as the rules are
    weak = model_org.with_(score=0.5)
    assert labels([weak], learned)[rusia] == ("LOC", "memory:ann")
    memory.add("entities", ("Rusia",), Observation(400, "ann", "ORG", "pasukan", "tiba", rejected=True))
    assert rusia not in labels([model_org], learned)  # rejected in the same context: gone


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each viewer whose memory :func:`refresh_memory` builds."""
    from annotator.nlp import memory as mem

    built: list[str] = []
    real = mem.build_memory

    def counting(project: Project, viewer: str, *args, **kwargs):
        built.append(viewer)
        return real(project, viewer, *args, **kwargs)

    monkeypatch.setattr(mem, "build_memory", counting)
    return built


def test_memory_refresh_with_nothing_new_builds_no_memory(small, monkeypatch: pytest.MonkeyPatch) -> None:
    p, (d1, d2, d3) = small
    p.add_spans(d1, spans_of(T1, "Zamora", "LOC"), "alice")
    assert refresh_memory(p).documents == 3
    built = _count_builds(monkeypatch)
    again = refresh_memory(p)
    # the inputs' signature is unchanged: the stored fingerprint stands in for the memory
    assert (again.documents, again.skipped, built) == (0, 3, [])
    # the stored fingerprint is the one a fresh build of the same inputs gives
    stored = json.loads(p.get_setting("memory_inputs:alice") or "{}")
    assert stored["fingerprint"] == build_memory(p, "alice").fingerprint()
    built.clear()
    # a new decision changes the inputs: built again, and the views it changes are redone
    p.add_spans(d1, spans_of(T1, "Bintang", "PER"), "alice")
    third = refresh_memory(p)
    assert built == ["alice"] and third.documents == 3
    assert ("Bintang", "PER", "memory:alice") not in view(p, d1, "alice")  # its own document: left out
    assert refresh_memory(p).documents == 0


def test_memory_refresh_builds_on_demand_when_only_the_base_changed(small, monkeypatch: pytest.MonkeyPatch) -> None:
    p, (d1, d2, d3) = small
    p.add_spans(d1, spans_of(T1, "Zamora", "LOC"), "alice")
    refresh_memory(p)
    built = _count_builds(monkeypatch)
    # the shared suggestions of d2 change (a new rule version): that view is redone with the same
    # memory, which is built for it (its inputs did not change, so the fingerprint is the stored one)
    p.set_suggestions(d2, [s.with_(origin="rule:test", score=0.7) for s in spans_of(T2, "Lembah", "ORG")],
                      suggester="pipeline", version="t2")
    report = refresh_memory(p)
    assert (report.documents, report.skipped, built) == (1, 2, ["alice"])
    got = view(p, d2, "alice")
    assert ("Zamora", "LOC", "memory:alice") in got and ("Lembah", "ORG", "rule:test") in got


def test_memory_stored_fingerprint_not_trusted_when_damaged_forced_or_other_code(
        small, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.nlp import memory as mem

    p, (d1, d2, d3) = small
    p.add_spans(d1, spans_of(T1, "Zamora", "LOC"), "alice")
    refresh_memory(p)
    built = _count_builds(monkeypatch)
    p.set_setting("memory_inputs:alice", "{not json")
    assert refresh_memory(p).documents == 0 and built == ["alice"]  # rebuilt, the same memory: nothing redone
    assert json.loads(p.get_setting("memory_inputs:alice") or "{}")["size"] == len(build_memory(p, "alice"))
    built.clear()
    assert refresh_memory(p, force=True).documents == 3 and built == ["alice", "bob"]  # bob: an empty memory
    built.clear()
    monkeypatch.setattr(mem, "_CODE", ["another tokenizer"])  # the code that built it changed
    refresh_memory(p)
    assert built == ["alice", "bob"]
    built.clear()
    refresh_memory(p)
    assert built == []


def test_memory_code_fingerprint_follows_the_tokenizer_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import annotator.paths
    from annotator.nlp import memory as mem

    real = annotator.paths.resource_path("tokenizer", "id.json")
    monkeypatch.setattr(mem, "_CODE", [])
    shipped = mem._code_fingerprint()
    folder = tmp_path / "tokenizer"
    folder.mkdir()
    (folder / "id.json").write_bytes(real.read_bytes())
    monkeypatch.setattr(annotator.paths, "resource_path", lambda *parts: tmp_path.joinpath(*parts))
    monkeypatch.setattr(mem, "_CODE", [])
    assert mem._code_fingerprint() == shipped  # the same rules: the same fingerprint
    (folder / "id.json").write_bytes(real.read_bytes().replace(b"}", b' }', 1))  # the rules' file changed
    monkeypatch.setattr(mem, "_CODE", [])
    assert mem._code_fingerprint() != shipped


def test_memory_token_range_only_for_token_aligned_offsets() -> None:
    from annotator.nlp.memory import _token_range

    text = "Menteri Sergei Shoigu, di Moskwa."
    toks = token_spans(text)
    words = [text[a:b] for a, b in toks]
    i = words.index("Sergei")
    assert _token_range(toks, toks[i][0], toks[i + 1][1]) == (i, i + 2)  # "Sergei Shoigu"
    assert _token_range(toks, toks[0][0], toks[-1][1]) == (0, len(toks))
    assert _token_range(toks, toks[i][0] + 1, toks[i][1]) is None  # cuts a token
    assert _token_range(toks, toks[i][0], toks[i][1] - 1) is None
    assert _token_range(toks, toks[i + 1][0], toks[i][1]) is None  # ends before it starts
    assert _token_range(toks, len(text) + 5, len(text) + 9) is None  # beyond the text


@pytest.mark.parametrize("seed", range(6))
def test_memory_judge_counts_agree_with_observation_by_observation(seed: int) -> None:
    """Judging sums counted observations less the document's own; on random decisions (labels,
    "nothing here", rejections, several annotators, shared contexts, trusted models' documents)
    it gives what weighing each observation does (the reference the benchmark times as the
    old code), and a later ``add`` is seen."""
    import random

    rng = random.Random(seed)
    memory = Memory("ana", own_weight=2.0 if seed % 2 else 1.0)
    words, labels = ["di", "kata", "", "oleh"], ["PER", "ORG", "LOC"]
    surfaces = [("Jakarta",), ("Joko", "Widodo")]

    def observe() -> None:
        rejected = rng.random() < 0.2
        label = rng.choice(labels) if rejected or rng.random() < 0.7 else None
        memory.add("entities", rng.choice(surfaces), Observation(
            rng.randrange(30), rng.choice(["ana", "budi", "citra"]), label, rng.choice(words),
            rng.choice(words), rejected))

    for _ in range(400):
        observe()
    knowns: list[frozenset[int] | bool | None] = [None, True, frozenset(range(15)), frozenset(range(30))]
    for round_ in range(2):
        for surface in surfaces:
            for doc in range(32):
                for prev in words:
                    for nxt in words:
                        for known in knowns:
                            got = memory.judge("entities", surface, doc, prev, nxt, known)
                            assert got == judge_one_by_one(memory, "entities", surface, doc, prev, nxt, known), (
                                round_, surface, doc, prev, nxt, known)
        for _ in range(5):  # new decisions after the counts were made
            observe()


def test_memory_refresh_of_some_documents_reads_and_writes_only_those(small, monkeypatch: pytest.MonkeyPatch) -> None:
    """``doc_ids``: the views of those documents (untouched ones, with ``untouched_only``) and no
    other, asked of the store for those documents only; ids not in the project are left out."""
    p, (d1, d2, d3) = small
    p.add_spans(d1, spans_of(T1, "Zamora", "LOC"), "alice")
    asked: list[object] = []
    for name in ("untouched_documents", "suggestion_runs", "shared_suggestion_runs"):
        real = getattr(p, name)
        monkeypatch.setattr(p, name, lambda *a, _real=real, _name=name: asked.append((_name, a[-1])) or _real(*a))
    report = refresh_memory(p, doc_ids=[d3, d1, 999], untouched_only=True)
    assert (report.documents, report.skipped) == (1, 0)  # d1 is alice's work in progress, 999 is not here
    assert p.memory_views(d3) == ["memory:alice"] and p.memory_views(d2) == []
    assert all(arg == [d1, d3, 999] for _name, arg in asked) and len(asked) == 3
    asked.clear()
    assert refresh_memory(p, doc_ids=[d2, d3]).documents == 1  # d2 now; d3 is up to date
    assert p.memory_views(d2) == ["memory:alice"]


def test_memory_refresh_not_remembered_keeps_the_fingerprint_in_the_process(
        small, monkeypatch: pytest.MonkeyPatch) -> None:
    """``remember=False`` (the GUI on a server): no setting is written (every window would hear
    it), and a refresh with nothing new still builds no memory in this process."""
    p, (d1, _d2, _d3) = small
    p.add_spans(d1, spans_of(T1, "Zamora", "LOC"), "alice")
    assert refresh_memory(p, remember=False).documents == 3
    assert p.get_setting("memory_inputs:alice") is None
    built = _count_builds(monkeypatch)
    assert refresh_memory(p, remember=False).documents == 0 and built == []
    p.add_spans(d1, spans_of(T1, "Bintang", "PER"), "alice")
    refresh_memory(p, remember=False)
    assert built == ["alice"] and p.get_setting("memory_inputs:alice") is None


def test_memory_of_finished_documents_without_spans_reads_no_text(small, monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents marked done with no span and no rejection anywhere: nothing is remembered, so
    no text is read to look for occurrences (a scale project's annotator had 166,667 of them)."""
    p, (d1, d2, d3) = small
    for d in (d1, d2, d3):
        p.set_status(d, "alice", "done")
    read: list[int] = []
    real = p.get_text
    monkeypatch.setattr(p, "get_text", lambda d: read.append(d) or real(d))
    memory = build_memory(p, "alice")
    assert len(memory) == 0 and read == []
    p.add_spans(d1, spans_of(T1, "Zamora", "LOC"), "alice")
    read.clear()
    assert len(build_memory(p, "alice")) > 1 and set(read) == {d1, d2, d3}  # now they are looked through
