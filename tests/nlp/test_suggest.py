"""The suggest runner on real projects (annotator.nlp.suggest)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from annotator.core.errors import NotFoundError
from annotator.core.jobs import Cancelled
from annotator.core.model import Document, Span
from annotator.nlp.base import Suggester, SuggestInput, SuggestOutput
from annotator.nlp.suggest import PIPELINE_SUGGESTER, PipelineSuggester, suggest_project

SEED_PER = ["Min Aung Hlaing", "Nikolai Patrushev", "Sergei Shoigu", "Alexander Mikheyev", "Aung San Suu Kyi",
            "Vladimir Putin", "Alexey Kirichenko"]
SEED_LOC = ["Rusia", "Myanmar", "Moskow", "Moskwa", "Belarus", "Cina"]
SEED_ORG = ["Dewan Keamanan Rusia", "PBB", "Rosoboronexport", "Liga Nasional untuk Demokrasi", "Kremlin", "Reuters",
            "AFP"]
SEED_CUE_WORDS = ["berkomitmen", "menentang", "prihatin", "menuding", "melegitimasi", "menyerukan", "mengatakan"]


def _suggested(project, layer):
    out = set()
    for d in project.document_ids():
        text = project.get_text(d)
        out |= {(s.text_in(text), s.label) for s in project.suggestions(d, layer)}
    return out


@pytest.fixture(scope="module")
def seeds_suggested(tmp_path_factory):
    from annotator.formats import import_paths
    from annotator.store import Project
    from tests.conftest import SEED_FILES

    path = tmp_path_factory.mktemp("seeds") / "p.db"
    with Project(path) as p:
        assert import_paths(p, SEED_FILES).ok
        report = suggest_project(p)
    project = Project(path)
    yield project, report
    project.close()


def test_suggest_seed_entities(seeds_suggested):
    project, report = seeds_suggested
    assert report.documents == 2 and report.skipped == 0
    found = _suggested(project, "entities")
    missing = [(t, lab) for lab, names in (("PER", SEED_PER), ("LOC", SEED_LOC), ("ORG", SEED_ORG))
               for t in names if (t, lab) not in found]
    assert not missing, missing
    # no known place or organisation is suggested as a person
    assert not {(t, "PER") for t in SEED_LOC + SEED_ORG} & found
    # a descriptor before a title-less name stays out of the person ("Pemimpin Junta Min Aung Hlaing")
    assert not [t for t, lab in found if lab == "PER" and t.split()[0] in ("Junta", "Pemimpin", "Jenderal")]


def test_suggest_seed_cues(seeds_suggested):
    project, _ = seeds_suggested
    cue_spans = []
    for d in project.document_ids():
        text = project.get_text(d)
        cue_spans += [(s.start, s.end, s.label, text) for s in project.suggestions(d, "cues")]
    texts = [(t[a:b], lab) for a, b, lab, t in cue_spans]
    for word in SEED_CUE_WORDS:
        assert any(word in t and lab != "QUOTE" for t, lab in texts), word
    # attributions "kata Shoigu", "kata juru bicara ...", "kata Kirichenko"
    assert sum(1 for t, lab in texts if t.lower().startswith("kata") and lab == "REPORT") >= 3
    quotes = {t for t, lab in texts if lab == "QUOTE"}
    assert "campur tangan asing" in quotes and "prihatin" in quotes
    assert any(q.startswith("Kami bertekad untuk melanjutkan upaya kami") for q in quotes)
    assert any(q.startswith("Ini memungkinkan Rusia") for q in quotes)
    labels = {lab for _, lab in texts}
    assert {"COMMIT", "OPPOSE", "CONCERN", "ACCUSE", "REPORT", "QUOTE", "SUPPORT"} <= labels


def test_suggest_every_suggestion_has_origin_score_and_fits_layer_rules(seeds_suggested):
    project, _ = seeds_suggested
    for d in project.document_ids():
        ents = project.suggestions(d, "entities")
        for s in project.suggestions(d):
            assert s.origin.split(":")[0] in ("rule", "lexicon", "model") and 0.0 < (s.score or 0) <= 1.0
        for a, b in zip(ents, ents[1:], strict=False):
            assert a.end <= b.start, (a, b)  # entities: allow_overlap = false
        assert project.spans(d) == []  # suggestions stay apart from human spans


def test_suggest_skips_unchanged_and_force_redoes(seeds_suggested):
    project, first = seeds_suggested
    again = suggest_project(project)
    assert (again.documents, again.skipped, again.suggestions) == (0, 2, 0)
    forced = suggest_project(project, force=True)
    assert forced.documents == 2 and forced.suggestions == first.suggestions
    runs = project.suggestion_runs(PIPELINE_SUGGESTER)
    assert set(runs) == set(project.document_ids()) and {v for v, _ in runs.values()} == {first.version}


@dataclass
class FakeSuggester:
    """A minimal Suggester: one PER span at the start of every text."""

    version: str = "1"
    name: str = "fake"
    calls: int = 0

    def suggest(self, inputs, *, batch_size=64, n_process=1):
        for item in inputs:
            self.calls += 1
            yield SuggestOutput(item.document_id, [Span(0, 1, "PER", origin="rule:fake", score=0.5),
                                                   Span(0, 3, "ORG", origin="rule:fake", score=0.4),
                                                   Span(0, 3, "QUOTE", layer="cues", origin="rule:fake", score=0.4),
                                                   Span(0, 1, "NOPE", origin="rule:fake", score=0.5),
                                                   Span(0, 999, "LOC", origin="rule:fake", score=0.9)], 1)


def test_suggest_protocol_version_change_redoes_and_schema_filters(project):
    for i in range(5):
        project.add_document(Document(text=f"Dokumen nomor {i}."))
    fake = FakeSuggester()
    assert isinstance(fake, Suggester)
    r1 = suggest_project(project, suggester=fake, batch_size=2)
    # NOPE is not in the schema, 0-999 does not fit the text, ORG overlaps the better PER;
    # the cue may overlap (the cues layer allows it)
    assert (r1.documents, r1.suggestions) == (5, 10)
    kept = project.suggestions(project.document_ids()[0])
    assert [(s.layer, s.label) for s in kept] == [("entities", "PER"), ("cues", "QUOTE")]
    assert suggest_project(project, suggester=fake).documents == 0
    fake.version = "2"
    assert suggest_project(project, suggester=fake, doc_ids=project.document_ids()[:2]).documents == 2
    assert suggest_project(project, suggester=fake).documents == 3


def test_suggest_cancel_keeps_what_is_stored_and_reports_progress(project):
    for i in range(10):
        project.add_document(Document(text=f"Presiden Joko Widodo berkunjung ke Bandung hari ke-{i}."))
    calls = []
    stop_after = 3

    def progress(done, total, what):
        calls.append((done, total))

    with pytest.raises(Cancelled) as stopped:
        suggest_project(project, batch_size=2, progress=progress, should_cancel=lambda: len(calls) > stop_after)
    report = stopped.value.partial
    assert report.cancelled
    stored = project.suggestion_runs(PIPELINE_SUGGESTER)
    assert 0 < len(stored) < 10 and len(stored) == report.documents
    assert calls[0] == (0, 10) and all(t == 10 for _, t in calls)
    rest = suggest_project(project)
    assert rest.skipped == len(stored) and rest.documents == 10 - len(stored)


def test_suggest_language_field_picks_the_lexicon(project):
    en_id, _ = project.add_document(Document(text="The ministry opposed the plan, officials said.", language="en"))
    id_id, _ = project.add_document(Document(text="Kementerian menentang rencana itu, kata pejabat.", language="id"))
    suggest_project(project)
    en = {(project.get_text(en_id)[s.start:s.end], s.label) for s in project.suggestions(en_id, "cues")}
    idn = {(project.get_text(id_id)[s.start:s.end], s.label) for s in project.suggestions(id_id, "cues")}
    assert ("opposed", "OPPOSE") in en and ("said", "REPORT") in en
    assert ("menentang", "OPPOSE") in idn and ("kata", "REPORT") in idn


def test_suggest_rejects_bad_arguments(project):
    with pytest.raises(ValueError):
        suggest_project(project, batch_size=0)
    with pytest.raises(ValueError):
        suggest_project(project, n_process=0)
    project.add_document(Document(text="Satu."))
    with pytest.raises(NotFoundError, match="no document 99 in"):  # not "suggested 0 document(s)", exit 0
        suggest_project(project, doc_ids=[project.document_ids()[0], 99], suggester=FakeSuggester())


def test_suggest_pipeline_suggester_outputs_in_order():
    sug = PipelineSuggester()
    items = [SuggestInput(i, t, lang) for i, (t, lang) in
             enumerate([("Jokowi di Jakarta.", "id"), ("Biden in Washington.", "en"), ("Prabowo di Bandung.", "id")])]
    outs = list(sug.suggest(items, batch_size=1))
    assert [o.document_id for o in outs] == [0, 1, 2]
    assert all(o.tokens > 0 and o.spans for o in outs)


def test_suggest_rerun_keeps_annotators_decisions(project):
    doc_id, _ = project.add_document(Document(text="Presiden Joko Widodo bertemu Prabowo di Jakarta, kata Budi."))
    suggest_project(project)
    ents = project.suggestions(doc_id, "entities")
    text = project.get_text(doc_id)
    by_text = {text[s.start:s.end]: s for s in ents}
    span_id = project.accept_suggestion(by_text["Joko Widodo"].id, "ana")
    project.reject_suggestion(by_text["Jakarta"].id, "ana")
    pending_before = {text[s.start:s.end] for s in project.suggestions(doc_id, "entities", pending_for="ana")}
    report = suggest_project(project, force=True)
    assert report.decisions_kept == 2
    pending_after = {text[s.start:s.end] for s in project.suggestions(doc_id, "entities", pending_for="ana")}
    assert pending_after == pending_before and "Jakarta" not in pending_after
    decisions = project.suggestion_decisions(doc_id, "ana")
    assert sorted(decisions.values()) == ["accepted", "rejected"]
    assert project.get_span(span_id).annotator == "ana"


def test_suggest_every_origin_is_described(seeds_suggested):
    from annotator.nlp.base import ORIGINS, describe_origin

    project, report = seeds_suggested
    assert set(report.by_origin) <= set(ORIGINS)
    assert describe_origin("model:en_core_web_sm@3.8.0") == "the spaCy pipeline en_core_web_sm@3.8.0"
    assert "title" in describe_origin("rule:title-person")


def test_suggest_reports_the_memory_refresh_as_its_own_step(project):
    """After the documents, the refresh of the annotators' memory views is counted and named
    (``MEMORY_STEP``), not left at "every document suggested" while it runs."""
    from annotator.nlp.suggest import MEMORY_STEP

    ids = [project.add_document(Document(text=f"Presiden Joko Widodo berkunjung ke Bandung hari ke-{i}."))[0]
           for i in range(4)]
    text = project.get_text(ids[0])
    start = text.index("Bandung")
    project.add_span(ids[0], Span(start, start + len("Bandung"), "LOC"), "alice")
    calls = []
    suggest_project(project, progress=lambda done, total, what: calls.append((done, total, what)))
    documents = [c for c in calls if c[2] != MEMORY_STEP]
    memory = [c for c in calls if c[2] == MEMORY_STEP]
    assert documents[-1][:2] == (4, 4)
    assert memory, "the memory refresh reported no progress"
    assert calls.index(memory[0]) > calls.index(documents[-1])  # after the documents
    assert memory[0][0] == 0 and memory[-1][0] == memory[-1][1] > 0  # from nothing to all of its own count
    calls.clear()
    suggest_project(project, progress=lambda done, total, what: calls.append((done, total, what)))
    assert MEMORY_STEP not in {c[2] for c in calls}  # nothing to redo: no step shown
