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

from annotator.core.model import Span


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
    forbids overlaps they must not overlap."""

    document_id: int
    spans: list[Span] = field(default_factory=list)
    tokens: int = 0


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
