"""Loading pipelines: the default one, any installed spaCy pipeline by path,
label mapping through the schema, and one clear error for a bad model."""

from __future__ import annotations

import dataclasses

import pytest
import spacy

from annotator.cli import main
from annotator.core.model import Document
from annotator.core.schema import LabelSchema
from annotator.nlp.pipeline import ModelError, load_pipeline, pipeline_version
from annotator.nlp.suggest import suggest_project
from annotator.store import Project
from tests.nlp.conftest import ents, rows


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A small pipeline built here (no downloads): an entity_ruler with OntoNotes labels."""
    nlp = spacy.blank("id")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PERSON", "pattern": "Wiratmoko Sasongko"},  # unknown to the rules' lists
        {"label": "GPE", "pattern": "Cibodas Hilir"},
        {"label": "NORP", "pattern": "Sunda"},
        {"label": "DATE", "pattern": "Senin"},  # not mapped: dropped
        {"label": "ORG", "pattern": "Jakarta"},  # the gazetteer (LOC, 0.9) outranks the model (0.75)
        {"label": "ORG", "pattern": "Lembaga Cahaya"},  # the org-head rule (0.8) outranks it too
        {"label": "PERSON", "pattern": "Kuncoro"},  # outranks the low-score capitalised guess
    ])
    nlp.meta["name"] = "tiny"
    nlp.meta["version"] = "0.1.0"
    path = tmp_path_factory.mktemp("model") / "tiny"
    nlp.to_disk(path)
    return path


def test_pipeline_default_components_and_version(nlp_id):
    assert nlp_id.pipe_names == ["lemmatizer", "annotator_entities", "annotator_cues"]
    assert nlp_id("menentang")[0].lemma_ == "tentang"
    version = pipeline_version(nlp_id)
    assert version.startswith("rules-") and version == pipeline_version(load_pipeline())


def test_pipeline_model_labels_mapped_and_merged(tiny_model):
    nlp = load_pipeline(str(tiny_model))
    assert nlp.pipe_names[0] == "entity_ruler" and "annotator_lemmatizer" in nlp.pipe_names
    doc = nlp("Pada hari Senin Wiratmoko Sasongko dari suku Sunda tiba di Cibodas Hilir, Jakarta. "
              "Lembaga Cahaya menyambut. Namun Kuncoro diam.")
    found = {(t, lab, o) for _, t, lab, o in rows(doc, "entities")}
    model = "model:id_tiny@0.1.0"
    assert ("Wiratmoko Sasongko", "PER", model) in found
    assert ("Cibodas Hilir", "LOC", model) in found
    assert ("Sunda", "MISC", model) in found
    assert ("Kuncoro", "PER", model) in found
    assert ("Jakarta", "LOC", "rule:gazetteer") in found
    assert ("Lembaga Cahaya", "ORG", "rule:org-head") in found
    assert not any(t == "Senin" for t, _, _ in found)
    assert "+id_tiny@0.1.0+" in pipeline_version(nlp)


def test_pipeline_label_map_comes_from_the_project_schema(tiny_model, tmp_path):
    schema = LabelSchema.load("news")
    schema = dataclasses.replace(schema, label_map={**schema.label_map, "NORP": "ORG", "PERSON": "PER"})
    with Project(tmp_path / "p.db", schema=schema) as p:
        doc_id, _ = p.add_document(Document(text="Orang Sunda bertemu Wiratmoko Sasongko."))
        report = suggest_project(p, model=str(tiny_model))
        assert "id_tiny@0.1.0" in report.version
        got = {(p.get_text(doc_id)[s.start:s.end], s.label, s.origin) for s in p.suggestions(doc_id, "entities")}
    assert ("Sunda", "ORG", "model:id_tiny@0.1.0") in got


def test_pipeline_model_changes_version_so_documents_are_redone(tiny_model, tmp_path):
    with Project(tmp_path / "p.db") as p:
        p.add_document(Document(text="Wiratmoko Sasongko datang."))
        first = suggest_project(p)
        second = suggest_project(p, model=str(tiny_model))
        assert second.documents == 1 and second.version != first.version
        assert suggest_project(p, model=str(tiny_model)).documents == 0
        # one suggestion set: the model run replaced the rule-only one, no overlaps
        ents_ = p.suggestions(p.document_ids()[0], "entities")
        assert [(s.start, s.end) for s in ents_] == sorted({(s.start, s.end) for s in ents_})


def test_pipeline_missing_model_one_clear_error(tmp_path):
    with pytest.raises(ModelError, match="no spaCy pipeline 'xx_no_such_model'"):
        load_pipeline("xx_no_such_model")
    with pytest.raises(ModelError, match="no spaCy pipeline"):
        load_pipeline(str(tmp_path / "nowhere"))


def test_pipeline_broken_model_one_clear_error(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.cfg").write_text("[nlp]\nlang = \npipeline = [\"ner\"\n", encoding="utf-8")
    (broken / "meta.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match="broken|cannot be read"):
        load_pipeline(str(broken))


def test_pipeline_model_without_entity_recogniser(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "sents")
    with pytest.raises(ModelError, match="no entity recogniser"):
        load_pipeline(str(tmp_path / "sents"))


def test_pipeline_cli_model_error_is_one_line(tmp_path, capsys):
    db = tmp_path / "p.db"
    with Project(db) as p:
        p.add_document(Document(text="Teks."))
    assert main(["suggest", str(db), "--model", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("annotator: error: [E102] no spaCy pipeline")


def test_pipeline_n_process_gives_the_same_suggestions(tmp_path):
    texts = [f"Presiden Joko Widodo menolak usul Partai Golkar di Jakarta ke-{i}, kata Budi Santoso." for i in range(6)]
    results = []
    for n in (1, 2):
        with Project(tmp_path / f"p{n}.db") as p:
            for t in texts:
                p.add_document(Document(text=t))
            report = suggest_project(p, n_process=n, batch_size=2)
            assert report.documents == 6
            results.append([[(s.start, s.end, s.label, s.origin) for s in p.suggestions(d)] for d in p.document_ids()])
    assert results[0] == results[1] and results[0][0]


def test_pipeline_english_default(nlp_en):
    assert ("Washington", "LOC") in ents(nlp_en("She flew to Washington."))


def test_pipeline_model_serves_every_document_and_language_picks_the_lexicon(tiny_model, tmp_path):
    with Project(tmp_path / "p.db") as p:
        en, _ = p.add_document(Document(text="Wiratmoko Sasongko opposed the plan, officials said.", language="en"))
        idn, _ = p.add_document(Document(text="Wiratmoko Sasongko menentang rencana itu.", language="id"))
        suggest_project(p, model=str(tiny_model))
        for doc_id, cue in ((en, ("opposed", "OPPOSE")), (idn, ("menentang", "OPPOSE"))):
            text = p.get_text(doc_id)
            got = {(text[s.start:s.end], s.label, s.origin) for s in p.suggestions(doc_id, "entities")}
            assert ("Wiratmoko Sasongko", "PER", "model:id_tiny@0.1.0") in got
            assert cue in {(text[s.start:s.end], s.label) for s in p.suggestions(doc_id, "cues")}


def test_pipeline_other_languages_get_rules_with_their_cldr_names():
    nlp = load_pipeline(language="fr")
    assert {("Russie", "LOC"), ("Paris", "LOC")} <= ents(nlp("Le président a dit à Paris que la Russie refuse."))
    unknown = load_pipeline(language="zz")  # a code neither spaCy nor CLDR knows: generic tokenizer
    assert unknown.lang == "xx" and ("Jakarta", "LOC") in ents(unknown("Ia tiba di Jakarta."))


def test_version_known_without_loading_matches_the_loaded_pipeline(tiny_model):
    from annotator.nlp.suggest import _expected_version

    schema_map = LabelSchema.load("news").label_map
    assert _expected_version(None, schema_map) == pipeline_version(load_pipeline())
    loaded = pipeline_version(load_pipeline(str(tiny_model), label_map=schema_map))
    assert _expected_version(str(tiny_model), schema_map) == loaded and "tiny@0.1.0" in loaded
    assert _expected_version("no_such_package_name", schema_map) is None  # only loading tells


NOOP = """
import sys
from annotator.cli import main
code = main(["suggest", sys.argv[1], *sys.argv[2:]])
print("SPACY", "spacy" in sys.modules)
sys.exit(code)
"""


@pytest.mark.parametrize("with_model", [False, True])
def test_suggest_with_nothing_to_redo_never_loads_spacy(tmp_path, tiny_model, with_model):
    import subprocess
    import sys

    path = tmp_path / "p.db"
    extra = ["--model", str(tiny_model)] if with_model else []
    with Project(path) as p:
        p.add_document(Document(text="Wiratmoko Sasongko bertemu warga di Cibodas Hilir pada hari Senin."))
        first = suggest_project(p, model=str(tiny_model) if with_model else None)
        assert first.documents == 1
    env = {"PYTHONPATH": ":".join(sys.path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", NOOP, str(path), *extra], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert "SPACY False" in out.stdout and "suggested 0 document(s), 1 already up to date" in out.stdout
    with Project(path) as p:  # the suggestions of the first run are still there
        assert p.suggestions(1)
