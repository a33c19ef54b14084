"""Label schemas."""

import pytest

from annotator.core import LabelSchema, SchemaError


def test_schema_news_has_layers_labels_and_stance():
    s = LabelSchema.load("news")
    assert s.layer("entities").label_names == ("PER", "ORG", "LOC", "MISC")
    cues = s.layer("cues")
    for cat in ("SUPPORT", "OPPOSE", "CRITICISE", "CONCERN", "COMMIT", "ACCUSE", "REPORT", "QUOTE"):
        assert cat in cues.label_names
    assert cues.style == "underline" and cues.allow_overlap
    assert s.question("stance").values == ("FAVOR", "AGAINST", "NEUTRAL")
    assert s.question("stance").target == "entity"
    assert s.question("note").free_text
    hotkeys = [lab.hotkey for lab in s.layer("entities").labels]
    assert len(set(hotkeys)) == len(hotkeys)


def test_schema_rejects_unknown_label_and_answer():
    s = LabelSchema.load("news")
    with pytest.raises(SchemaError, match="GPE"):
        s.check_span("entities", "GPE")
    with pytest.raises(SchemaError):
        s.check_span("nope", "PER")
    with pytest.raises(SchemaError):
        s.check_answer("stance", "MAYBE")
    s.check_answer("note", "anything at all")


def test_schema_round_trips_through_dict():
    s = LabelSchema.load("news")
    assert LabelSchema.from_dict(s.to_toml_dict()) == s


def test_schema_malformed_names_source(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[layers.x]\nlabels = []\n")
    with pytest.raises(SchemaError, match="bad.toml"):
        LabelSchema.load(bad)
