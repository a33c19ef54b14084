"""Building the spaCy pipeline that makes suggestions.

Default (no model): ``spacy.blank(LANG)`` + the lookup lemmatizer of
spacy-lookups-data + ``annotator_entities`` (rules and lists, see
:mod:`annotator.nlp.entities`) + ``annotator_cues`` (lexicon and quotes, see
:mod:`annotator.nlp.cues`).

With ``model`` (an installed package name or a folder written by
``nlp.to_disk``): that pipeline, a lookup lemmatizer if it has none, then the
same two components; ``annotator_entities`` maps the model's ``doc.ents``
through the schema's ``label_map`` and merges them with the rule candidates
(precedence in :mod:`annotator.nlp.merge`).

Each processed Doc carries its suggestions in ``doc._.annotator_suggestions``
as ``[layer, start, end, label, origin, score]`` rows (character offsets);
``doc.ents`` holds the merged entities and ``doc.spans["cues"]`` the cues.
Everything there survives ``nlp.pipe(n_process=N)``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Mapping

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from annotator.core.errors import AnnotatorError
from annotator.nlp.cues import CueMatcher
from annotator.nlp.entities import EntityRules
from annotator.nlp.memory import TRAINING_REPORT as MEMORY_TRAINING_REPORT
from annotator.nlp.memory import TRUSTED_MODEL_SCORE
from annotator.nlp.merge import Candidate, join_abbreviations, resolve_overlaps
from annotator.nlp.resources import RULES_VERSION, suggester_version

EXT = "annotator_suggestions"
__all__ = ["RULES_VERSION"]  # re-exported: the rules' version lives with the word lists (nlp.resources)
#: The document's language (its ``language`` field); chooses the cue lexicon and
#: the vocabulary of the rules.  None: the pipeline's own language.
LANG_EXT = "annotator_language"
ENTITY_COMPONENTS = ("ner", "beam_ner", "entity_ruler")
DEFAULT_MODEL_SCORE = 0.75

#: The rules' raw candidates of a doc, left by :class:`RuleTagger` for ``annotator_entities``
#: (the rules run once per document); cleared there.
RULES_EXT = "annotator_rule_candidates"

for _ext in (EXT, LANG_EXT, RULES_EXT):
    if not Doc.has_extension(_ext):
        Doc.set_extension(_ext, default=None)


class ModelError(AnnotatorError):
    """A spaCy pipeline given with ``--model`` is missing or cannot be used."""

    code = "E102"


@Language.factory(
    "annotator_entities",
    default_config={"language": "id", "label_map": {}, "model_origin": "", "model_score": DEFAULT_MODEL_SCORE,
                    "rules": True, "rule_floor": 0.0, "label_floors": {}},
)
def make_entities(
    nlp: Language, name: str, language: str, label_map: dict[str, str], model_origin: str, model_score: float,
    rules: bool, rule_floor: float, label_floors: dict[str, float],
) -> EntitySuggester:
    """spaCy factory of :class:`EntitySuggester`."""
    return EntitySuggester(nlp, language, label_map, model_origin, model_score, rules, rule_floor, label_floors)


class EntitySuggester:
    """Pipeline component: rule candidates + mapped model entities, merged."""

    def __init__(
        self, nlp: Language, language: str, label_map: Mapping[str, str], model_origin: str = "",
        model_score: float = DEFAULT_MODEL_SCORE, rules: bool = True, rule_floor: float = 0.0,
        label_floors: Mapping[str, float] | None = None,
    ) -> None:
        self.nlp = nlp
        #: with a model, rule candidates scored below this are left out (the model's
        #: silence there is evidence too); 0 keeps every rule candidate
        self.rule_floor = float(rule_floor)
        #: the same per label (a label the model knows better than the rules: above 1, none of theirs)
        self.label_floors = {k: float(v) for k, v in (label_floors or {}).items()}
        self.language = language
        self.use_rules = rules
        self._rules: dict[str, EntityRules] = {language: EntityRules(nlp, language)} if rules else {}
        self.label_map = dict(label_map)
        self.model_origin = model_origin
        self.model_score = float(model_score)

    def rules_for(self, language: str | None) -> EntityRules | None:
        """The rules for a document language (built on first use)."""
        if not self.use_rules:
            return None
        language = language or self.language
        rules = self._rules.get(language)
        if rules is None:
            rules = self._rules[language] = EntityRules(self.nlp, language)
        return rules

    def __call__(self, doc: Doc) -> Doc:
        rules = self.rules_for(doc._.get(LANG_EXT))
        found = doc._.get(RULES_EXT)
        if found is not None:  # the rule tagger before the NER ran them already
            doc._.set(RULES_EXT, None)
        cands: list[Candidate] = ([] if rules is None else list(found) if found is not None else list(rules(doc)))
        if self.model_origin and (self.rule_floor > 0 or self.label_floors):
            cands = [c for c in cands if c.score >= max(self.rule_floor, self.label_floors.get(c.label, 0.0))]
        if self.model_origin:
            for ent in doc.ents:
                mapped = self.label_map.get(ent.label_)
                if mapped:
                    cands.append(Candidate(ent.start_char, ent.end_char, mapped, self.model_origin, self.model_score))
        merged = join_abbreviations(doc.text, resolve_overlaps(cands))
        ents = []
        for c in merged:
            span = doc.char_span(c.start, c.end, label=c.label, alignment_mode="strict")
            if span is not None:
                ents.append(span)
        doc.set_ents(ents, default="outside")
        rows = doc._.get(EXT) or []
        rows.extend([c.layer, c.start, c.end, c.label, c.origin, round(c.score, 3)] for c in merged)
        doc._.set(EXT, rows)
        return doc


#: The rules' suggestions as features of a model trained in the tool: each token inside one of the
#: rules' (merged) entities gets the tag ``B-LOC-gazetteer``, ``I-PER-title-person``, ... (position,
#: label, the rule that found it); the NER's embedding reads the ``TAG`` attribute, so the model learns
#: when to trust which rule (docs/nlp.md, "Training in the tool").  ``TAG`` because no other component
#: of such a pipeline writes it and ``doc.ents`` would bind the NER (it keeps preset entities).
RULE_TAGS = "annotator_rule_tags"
RULE_FEATURE_ATTR = "TAG"
#: ``nlp.meta`` key marking a pipeline whose NER reads the rules' tags.
RULE_FEATURES_META = "annotator_rule_features"


def rule_tag(position: str, cand: Candidate) -> str:
    """The tag a token inside a rule candidate gets (``position`` is B or I)."""
    kind = cand.origin.split(":", 1)[-1]
    return f"{position}-{cand.label}-{kind}"


def set_rule_tags(doc: Doc, cands: list[Candidate], offset: int = 0) -> None:
    """Write the rules' merged entities into ``doc``'s token tags; ``offset``: the doc's
    first character in the text the candidates were found in (a line of a document)."""
    end = len(doc.text)
    for c in cands:
        a, b = c.start - offset, c.end - offset
        if a < 0 or b > end:
            continue
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is None:
            continue
        for i, tok in enumerate(span):
            tok.tag_ = rule_tag("B" if i == 0 else "I", c)


@Language.factory(RULE_TAGS, default_config={"language": "id"})
def make_rule_tags(nlp: Language, name: str, language: str) -> RuleTagger:
    """spaCy factory of :class:`RuleTagger`."""
    return RuleTagger(nlp, language)


class RuleTagger:
    """Pipeline component before a trained NER: the rules' entities as token tags (its features)."""

    def __init__(self, nlp: Language, language: str) -> None:
        self.nlp = nlp
        self.language = language
        self._rules: dict[str, EntityRules] = {}

    def raw(self, doc: Doc) -> list[Candidate]:
        """The rules' candidates of ``doc`` (its tokens need their lemmas)."""
        language = doc._.get(LANG_EXT) or self.language
        rules = self._rules.get(language)
        if rules is None:
            rules = self._rules[language] = EntityRules(self.nlp, language)
        return list(rules(doc))

    def candidates(self, doc: Doc) -> list[Candidate]:
        """The rules' merged entities of ``doc``."""
        return join_abbreviations(doc.text, resolve_overlaps(self.raw(doc)))

    def __call__(self, doc: Doc) -> Doc:
        raw = self.raw(doc)
        doc._.set(RULES_EXT, raw)
        set_rule_tags(doc, join_abbreviations(doc.text, resolve_overlaps(raw)))
        return doc


#: The file ``annotator train`` writes into each model folder (defined with the memory, which reads it too).
TRAINING_REPORT = MEMORY_TRAINING_REPORT
#: With a model trained in the tool, rule candidates below this score are left out
#: (idner dev: rules+model F1 0.727 -> 0.748; docs/nlp.md).
TRAINED_RULE_FLOOR = 0.8
#: Floors apply to a model whose held-back score (annotator_training.json) is at least this;
#: a weaker one enters the merge at WEAK_MODEL_SCORE, below the rules' context guesses
#: (idner learning curve: a model of 10 documents with the floors fell to F1 0.51 from 0.73).
TRAINED_MIN_SCORE = 0.7
WEAK_MODEL_SCORE = 0.5
#: ... and the rules' places are left to a competent model altogether: the rules' LOC convention (no LOC for a
#: country after a noun) is the one a project's guideline most often overrides, and the model has
#: learned the project's (idner dev: 0.748 -> 0.778; chosen on dev, docs/nlp.md).
TRAINED_LABEL_FLOORS = {"LOC": 1.01}

#: A competent model trained with the rules' tags as features (RULE_FEATURES_META) enters the merge
#: above every rule: overriding it with a rule would count the rule's evidence twice
#: (idner dev, docs/nlp.md: model alone 0.810, rules overriding it 0.799, model first 0.814).
#: The project memory recognises such a model's spans by this score (and weighs them before overriding).
FEATURE_MODEL_SCORE = TRUSTED_MODEL_SCORE

#: The highest score a trained span categorizer's cue gets (below the lexicon's 0.8).
MODEL_CUE_SCORE = 0.75


@Language.factory("annotator_cues", default_config={"language": "id"})
def make_cues(nlp: Language, name: str, language: str) -> CueSuggester:
    """spaCy factory of :class:`CueSuggester`."""
    return CueSuggester(language)


class CueSuggester:
    """Pipeline component: stance cues and quotations."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._matchers: dict[str, CueMatcher] = {language: CueMatcher(language)}

    def matcher_for(self, language: str | None) -> CueMatcher:
        """The lexicon of a document language (loaded on first use)."""
        language = language or self.language
        matcher = self._matchers.get(language)
        if matcher is None:
            matcher = self._matchers[language] = CueMatcher(language)
        return matcher

    def __call__(self, doc: Doc) -> Doc:
        cands = self.matcher_for(doc._.get(LANG_EXT))(doc)
        if "cues" in doc.spans:
            # a span categorizer trained in the tool (annotator train --layers cues) wrote these
            found = doc.spans["cues"]
            scores = found.attrs.get("scores")
            have = {(c.start, c.end, c.label) for c in cands}
            for k, span in enumerate(found):
                key = (span.start_char, span.end_char, span.label_)
                if key not in have:
                    score = float(scores[k]) if scores is not None and k < len(scores) else MODEL_CUE_SCORE
                    cands.append(Candidate(*key, "model:cues", round(min(score, MODEL_CUE_SCORE), 3), "cues"))
                    have.add(key)
        group = []
        for c in cands:
            span = doc.char_span(c.start, c.end, label=c.label, alignment_mode="expand")
            if span is not None:
                group.append(span)
        doc.spans["cues"] = group
        rows = doc._.get(EXT) or []
        rows.extend([c.layer, c.start, c.end, c.label, c.origin, round(c.score, 3)] for c in cands)
        doc._.set(EXT, rows)
        return doc


def _blank(language: str) -> Language:
    try:
        return spacy.blank(language)
    except (ImportError, ValueError, KeyError):
        return spacy.blank("xx")  # a language spaCy does not know: generic tokenizer


def _add_lookup_lemmatizer(nlp: Language, name: str, before: str | None = None) -> None:
    """A lookup lemmatizer with the spacy-lookups-data table (none for
    languages the package lacks: lemmas then equal the words)."""
    from spacy.lookups import load_lookups

    try:
        lookups = load_lookups(nlp.lang, ["lemma_lookup"])
    except ValueError:
        return
    pipe = nlp.add_pipe("lemmatizer", name=name, config={"mode": "lookup", "overwrite": False}, before=before)
    pipe.initialize(lookups=lookups)


_CACHE: dict[tuple[Any, ...], Language] = {}
_CACHE_LOCK = threading.Lock()


def load_pipeline(
    model: str | None = None,
    *,
    language: str = "id",
    label_map: Mapping[str, str] | None = None,
    model_score: float = DEFAULT_MODEL_SCORE,
) -> Language:
    """The spaCy Language used for suggestions (see module docstring).

    ``model``: an installed pipeline name or a path; ``language`` is used only
    without a model (a model has its own).  ``label_map`` maps the model's
    labels to the schema (default: the news schema's ``[label_map]``).
    Pipelines are cached per arguments.  Raises :class:`ModelError` with one
    clear message when the model is missing or broken.
    """
    if label_map is None:
        from annotator.core.schema import LabelSchema

        label_map = LabelSchema.load("news").label_map
    # a folder's modification time is part of the key: a model retrained in place is loaded again
    stamp = _model_stamp(model)
    key = (model, stamp, language if model is None else None, tuple(sorted(label_map.items())), model_score)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        nlp = _build(model, language, label_map, model_score)
        _CACHE[key] = nlp
        return nlp


def _model_stamp(model: str | None) -> float | None:
    """Modification time of a model folder's meta.json (None for a package name or no model)."""
    if model is None:
        return None
    meta = Path(model) / "meta.json"
    try:
        return meta.stat().st_mtime
    except OSError:
        return None


def _build(model: str | None, language: str, label_map: Mapping[str, str], model_score: float) -> Language:
    if model is None:
        nlp = _blank(language)
        _add_lookup_lemmatizer(nlp, "lemmatizer")
        nlp.add_pipe("annotator_entities", config={"language": nlp.lang, "label_map": dict(label_map)})
        nlp.add_pipe("annotator_cues", config={"language": nlp.lang})
        return nlp
    nlp = load_model(model)
    lang = nlp.lang
    features = add_rule_features(nlp)
    if not any(nlp.get_pipe_meta(n).factory in ("lemmatizer",) or n == "lemmatizer" for n in nlp.pipe_names):
        _add_lookup_lemmatizer(nlp, "annotator_lemmatizer")
    # a model trained in the tool (annotator train) knows the project's guideline: where it
    # finds nothing, the rules' weak guesses (context, acronyms, capitalised runs) are left out
    held_back = trained_score(model)
    competent = held_back is not None and held_back >= TRAINED_MIN_SCORE
    if held_back is not None and not competent:
        # a model trained on a few documents guesses: it fills only where the rules have nothing better
        model_score = min(model_score, WEAK_MODEL_SCORE)
    elif features and competent:
        # the model has weighed the rules' own tags: it wins every overlap, the rules fill its gaps
        model_score = max(model_score, FEATURE_MODEL_SCORE)
    nlp.add_pipe(
        "annotator_entities",
        config={"language": lang, "label_map": dict(label_map), "model_origin": model_origin(nlp),
                "model_score": model_score, "rule_floor": TRAINED_RULE_FLOOR if competent else 0.0,
                "label_floors": dict(TRAINED_LABEL_FLOORS) if competent else {}},
    )
    nlp.add_pipe("annotator_cues", config={"language": lang})
    return nlp


def add_rule_features(nlp: Language) -> bool:
    """Before the NER of a pipeline trained with the rules' tags as features
    (``nlp.meta``), a lookup lemmatizer (the rules read lemmas) and the
    :class:`RuleTagger`; returns whether the pipeline has them.  Without them
    (plain ``spacy.load``) such a model still runs, as one that never saw a rule."""
    if not nlp.meta.get(RULE_FEATURES_META):
        return False
    if RULE_TAGS in nlp.pipe_names:
        return True
    ner_name = next(n for n in nlp.pipe_names if nlp.get_pipe_meta(n).factory in ENTITY_COMPONENTS)
    if not any(nlp.get_pipe_meta(n).factory == "lemmatizer" or n == "lemmatizer" for n in nlp.pipe_names):
        _add_lookup_lemmatizer(nlp, "annotator_lemmatizer", before=ner_name)
    nlp.add_pipe(RULE_TAGS, config={"language": nlp.lang}, before=ner_name)
    return True


def trained_score(model: str) -> float | None:
    """The held-back score ``annotator train`` recorded in a model folder (None: not trained here)."""
    report = Path(model) / TRAINING_REPORT
    if not report.is_file():
        return None
    try:
        return float(json.loads(report.read_text(encoding="utf-8")).get("score", 0.0))
    except (OSError, ValueError, AttributeError):
        return 0.0


def load_model(model: str) -> Language:
    """Load an installed spaCy pipeline by name or path; :class:`ModelError`
    when it is missing, broken or recognises no entities."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        # spaCy's OSError carries its code only in the text (no attribute to read)
        if "E050" in str(exc) or "E053" in str(exc) or "Can't find model" in str(exc):
            raise ModelError(
                f"no spaCy pipeline {model!r}: give the name of an installed pipeline package or the path of a "
                "folder written by nlp.to_disk() (models cannot be downloaded on this machine)"
            ) from exc
        raise ModelError(f"spaCy pipeline {model!r} cannot be read: {exc}") from exc
    except Exception as exc:  # a broken config or weights: spaCy raises many kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"spaCy pipeline {model!r} is broken and cannot be loaded: {first}") from exc
    if not any(nlp.get_pipe_meta(n).factory in ENTITY_COMPONENTS for n in nlp.pipe_names):
        raise ModelError(
            f"spaCy pipeline {model!r} has no entity recogniser (components: {', '.join(nlp.pipe_names) or 'none'});"
            " it needs one of " + ", ".join(ENTITY_COMPONENTS)
        )
    return nlp


def model_origin(nlp: Language) -> str:
    """``model:NAME@VERSION`` for a loaded pipeline (from its meta)."""
    meta = nlp.meta
    name = f"{meta.get('lang', nlp.lang)}_{meta.get('name', 'pipeline')}"
    return f"model:{name}@{meta.get('version', '0.0.0')}"


def pipeline_version(nlp: Language) -> str:
    """The suggester version recorded with each run: rules version, the
    annotator release, a hash of the word lists and, with a model, the model's
    name and version.  A change
    of any of them makes ``annotator suggest`` redo every document."""
    ents = nlp.get_pipe("annotator_entities") if "annotator_entities" in nlp.pipe_names else None
    if ents is not None and getattr(ents, "model_origin", ""):
        return suggester_version(ents.model_origin, ents.label_map)
    return suggester_version()
