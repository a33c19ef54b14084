"""The pluggable part: a :class:`Suggester` turns documents into machine spans.

Any object with a ``name``, a ``version`` and a ``suggest`` method fits (a
typing Protocol, as spaCy does for its pluggable parts); the runner in
:mod:`annotator.nlp.suggest` stores what it yields with
``project.set_suggestions(doc_id, spans, suggester=name, version=version)`` and
skips documents whose text hash and suggester version are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Protocol, runtime_checkable

from annotator.core.model import AnswerSuggestion, Span


@dataclass(frozen=True)
class SuggestInput:
    """What a suggester needs to know of a document."""

    document_id: int
    text: str
    language: str = "id"


@dataclass
class SuggestOutput:
    """A suggester's result for one document.

    ``spans`` carry layer, label, ``origin`` (``rule:NAME``, ``lexicon:NAME``,
    ``model:NAME@VERSION``) and ``score`` in [0, 1]; within a layer whose schema
    forbids overlaps they must not overlap.  ``answers``: suggested answers to the
    schema's document questions, stored apart from annotators' answers."""

    document_id: int
    spans: list[Span] = field(default_factory=list)
    tokens: int = 0
    #: suggested answers to document questions (a trained text classifier's stance)
    answers: list[AnswerSuggestion] = field(default_factory=list)
    #: how unsure the model itself was, per layer: (mean binary entropy of its probabilities, how many)
    uncertainty: dict[str, tuple[float, int]] = field(default_factory=dict)


@runtime_checkable
class Suggester(Protocol):
    """Makes suggestions for documents, in order, one output per input."""

    #: Identifies the suggestion set in the project (one set per name).
    name: str

    @property
    def version(self) -> str:
        """Changes whenever the output for the same text may change."""
        ...

    def suggest(
        self, inputs: Iterable[SuggestInput], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[SuggestOutput]:
        """One :class:`SuggestOutput` per input, in input order."""
        ...


#: What each origin of the default suggester means (tooltips, reports).
ORIGINS: dict[str, str] = {
    "rule:gazetteer": "a name on the shipped lists (countries, cities, institutions, parties, media, people)",
    "rule:title-person": "a name after a title or office (Menteri ..., Presiden ..., Jenderal ...)",
    "rule:org-head": "an organisation name opened by a word such as Partai, Kementerian, Dewan, Bank",
    "rule:loc-head": "a place name opened by a word such as Kota, Pulau, Gedung, Jalan",
    "rule:coreference": "the same name was found earlier in the document with more certainty",
    "rule:context": "the words around it (kata X, X mengatakan, di X, partai X, a given name)",
    "rule:acronym": "an unknown acronym (guessed organisation)",
    "rule:capitalised": "a capitalised sequence mid-sentence (a low-score guess)",
    "rule:quote": "text between quotation marks",
    "rule:attribution": "who said it or holds the stance: kata X, X mengatakan, menurut X, tambahnya, the clause around a cue",
    "lexicon:cues": "a stance-cue word or phrase of the lexicon (matched on its lemma)",
}


def describe_origin(origin: str) -> str:
    """A short explanation of an origin string (``model:NAME@VERSION`` included)."""
    if origin in ORIGINS:
        return ORIGINS[origin]
    if origin.startswith("model:"):
        return f"the spaCy pipeline {origin.removeprefix('model:')}"
    if origin == "human":
        return "added by an annotator"
    return origin
