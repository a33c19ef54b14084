"""Fixtures for the nlp tests: the default pipelines are built once per session
(``spacy.blank("id")`` alone takes seconds: its tokenizer has 16,000 exceptions)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp_id():
    """The default Indonesian suggestion pipeline."""
    from annotator.nlp.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def nlp_en():
    """The default English suggestion pipeline."""
    from annotator.nlp.pipeline import load_pipeline

    return load_pipeline(language="en")


def rows(doc, layer=None):
    """``(layer, text, label, origin)`` of a processed doc's suggestions."""
    from annotator.nlp.pipeline import EXT

    return [
        (r[0], doc.text[r[1] : r[2]], r[3], r[4])
        for r in doc._.get(EXT) or []
        if layer is None or r[0] == layer
    ]


def ents(doc):
    """``{(text, label)}`` of the entity suggestions."""
    return {(t, lab) for _, t, lab, _ in rows(doc, "entities")}


def cues(doc):
    """``{(text, label)}`` of the cue suggestions."""
    return {(t, lab) for _, t, lab, _ in rows(doc, "cues")}
