"""Running a suggester over a project and storing what it suggests.

``suggest_project`` is the one entry point (CLI ``annotator suggest`` and the
GUI's background Task both call it): it reads only the documents whose text
or suggester version changed since the last run (``--force``: all), runs the
pipeline in batches (``nlp.pipe``), and stores each batch of results in one
transaction, in the ``suggestions`` table, apart from human spans.  Cancelling keeps every
batch already stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from annotator.core.errors import NotFoundError, SchemaError
from annotator.core.jobs import Cancelled, Progress, ShouldCancel
from annotator.core.model import AnswerSuggestion, Span
from annotator.core.relations import SuggestedRelation
from annotator.core.schema import LabelSchema
from annotator.nlp.attribution import suggest_relations
from annotator.nlp.base import Suggester, SuggestInput, SuggestOutput
from annotator.nlp.merge import Candidate, resolve_overlaps

if TYPE_CHECKING:
    from annotator.store import Project

#: The name under which the default pipeline's suggestions are stored.  One
#: name for rules and models alike: running with ``--model`` replaces the
#: rule-only set (its version differs), so entity suggestions never overlap.
PIPELINE_SUGGESTER = "pipeline"



@dataclass
class SuggestReport:
    """What a run did."""

    documents: int = 0  # documents suggested in this run
    skipped: int = 0  # documents already up to date
    suggestions: int = 0  # spans stored
    tokens: int = 0  # tokens processed
    seconds: float = 0.0  # the whole call, loading the pipeline included
    load_seconds: float = 0.0  # of which building/loading the pipeline
    cancelled: bool = False
    decisions_kept: int = 0  # accept/reject decisions carried over to the new suggestions
    suggester: str = ""
    version: str = ""
    by_layer: dict[str, int] = field(default_factory=dict)
    by_origin: dict[str, int] = field(default_factory=dict)
    memory: dict[str, Any] = field(default_factory=dict)  # MemoryReport.to_dict() of the memory refresh
    relations: int = 0  # suggested relations stored
    answers: int = 0  # suggested answers stored (a trained classifier's stance)

    @property
    def tokens_per_second(self) -> float:
        """Throughput of the processing (pipeline loading excluded; 0 when nothing ran)."""
        busy = self.seconds - self.load_seconds
        return self.tokens / busy if busy > 0 and self.tokens else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "documents": self.documents, "skipped": self.skipped, "suggestions": self.suggestions,
            "tokens": self.tokens, "seconds": round(self.seconds, 3), "load_seconds": round(self.load_seconds, 3),
            "tokens_per_second": round(self.tokens_per_second, 1), "cancelled": self.cancelled,
            "decisions_kept": self.decisions_kept,
            "suggester": self.suggester, "version": self.version, "by_layer": self.by_layer,
            "by_origin": self.by_origin, "memory": self.memory, "relations": self.relations,
            "answers": self.answers,
        }


class PipelineSuggester:
    """The default :class:`Suggester`: the spaCy pipeline of
    :func:`annotator.nlp.pipeline.load_pipeline` (rules, lists, cue lexicon,
    and an installed model when given), one pipeline per document language.

    With a model, every document goes through the model's pipeline (its
    tokenizer and lemmas); the document's language still picks the cue
    lexicon and the vocabulary of the rules.
    """

    name = PIPELINE_SUGGESTER

    def __init__(
        self,
        model: str | None = None,
        *,
        label_map: Mapping[str, str] | None = None,
        language: str = "id",
        schema: LabelSchema | None = None,
        uncertainty: bool = True,
    ) -> None:
        from annotator.nlp.pipeline import load_pipeline, pipeline_version

        self.model = model
        self.schema = schema or LabelSchema.load("news")
        self.label_map = dict(label_map if label_map is not None else self.schema.label_map)
        self._load = load_pipeline
        # load at once: a missing model must fail before any work starts
        self.main = load_pipeline(model, language=language, label_map=self.label_map)
        self._version = pipeline_version(self.main)
        self._by_lang: dict[str, Any] = {self.main.lang: self.main}
        #: the document question a model's text classifier answers (``annotator train --stance``), or None
        self.answer_question = stance_classifier_question(self.main, self.schema) if model is not None else None
        self._answer_origin = ""
        if self.answer_question is not None:
            from annotator.nlp.pipeline import model_origin

            self._answer_origin = model_origin(self.main)
        #: the model's NER, asked for its own entity probabilities (a beam): its uncertainty per document
        self.beam_ner = model_ner(self.main) if model is not None and uncertainty else None

    @property
    def version(self) -> str:
        """Rules version, word-list hash and model name@version."""
        return self._version

    def pipeline_for(self, language: str) -> Any:
        """The spaCy pipeline used for documents in ``language``."""
        language = (language or "id").lower()
        nlp = self._by_lang.get(language)
        if nlp is None:
            nlp = self._load(None, language=language, label_map=self.label_map)
            self._by_lang[language] = nlp
        return nlp

    def suggest(
        self, inputs: Iterable[SuggestInput], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[SuggestOutput]:
        """Run ``nlp.pipe`` over the inputs, in order.

        Without a model, consecutive inputs of one language share the blank
        pipeline of that language (tokenizer and lemmas); with a model, every
        input goes through the model's pipeline.  Either way the document's
        language chooses the cue lexicon and the rules' vocabulary."""
        from annotator.nlp.pipeline import EXT, LANG_EXT

        def as_docs(nlp: Any, item: SuggestInput) -> Iterator[tuple[Any, tuple[int, int, bool]]]:
            # a document over the piece size goes in pieces (cut at line breaks):
            # spaCy refuses texts over nlp.max_length, and one such document must not stop the rest
            pieces = split_text(item.text, min(PIECE_CHARS, int(nlp.max_length) - 1))
            for n, (offset, piece) in enumerate(pieces):
                doc = nlp.make_doc(piece)
                doc._.set(LANG_EXT, (item.language or "id").lower())
                yield doc, (item.document_id, offset, n == len(pieces) - 1)

        it = iter(inputs)
        # Consecutive inputs of one pipeline form one stream (worker processes start
        # once per stream); peek one ahead to notice where the pipeline changes.
        buffered: SuggestInput | None = next(it, None)
        while buffered is not None:
            nlp = self.pipeline_for_input(buffered)
            head, buffered = buffered, None

            def same_pipeline(
                first: SuggestInput = head, pipeline: Any = nlp
            ) -> Iterator[tuple[Any, tuple[int, int, bool]]]:
                nonlocal buffered
                yield from as_docs(pipeline, first)
                for item in it:
                    if self.pipeline_for_input(item) is not pipeline:
                        buffered = item
                        return
                    yield from as_docs(pipeline, item)

            spans: list[Span] = []
            tokens = 0
            cats: list[tuple[int, dict[str, float]]] = []  # (characters, doc.cats) of each piece
            beam = self.beam_ner is not None and nlp is self.main
            pieces: list[Any] = []  # the document's Docs, for the NER's beam
            waiting: list[tuple[SuggestOutput, list[Any]]] = []  # documents whose beam runs with the batch
            for doc, (doc_id, offset, last) in nlp.pipe(
                same_pipeline(), as_tuples=True, batch_size=batch_size, n_process=n_process
            ):
                if self.answer_question is not None and nlp is self.main and doc.cats:
                    cats.append((len(doc.text), dict(doc.cats)))
                if beam:
                    pieces.append(doc)
                rows = doc._.get(EXT) or []
                spans.extend(
                    Span(start=int(r[1]) + offset, end=int(r[2]) + offset, label=str(r[3]), layer=str(r[0]),
                         origin=str(r[4]), score=float(r[5]))
                    for r in rows
                )
                tokens += len(doc)
                if last:
                    out = SuggestOutput(doc_id, spans, tokens, self._answers(cats))
                    spans, tokens, cats = [], 0, []
                    if not beam:
                        yield out
                        continue
                    waiting.append((out, pieces))
                    pieces = []
                    if len(waiting) >= batch_size:
                        yield from self._with_uncertainty(waiting)
                        waiting = []
            yield from self._with_uncertainty(waiting)

    def _with_uncertainty(self, waiting: list[tuple[SuggestOutput, list[Any]]]) -> Iterator[SuggestOutput]:
        """The model's own uncertainty of a batch of documents (one beam search over all their pieces)."""
        if not waiting:
            return
        probs = entity_probabilities(self.beam_ner, [doc for _, docs in waiting for doc in docs])
        at = 0
        for out, docs in waiting:
            mine = [p for group in probs[at:at + len(docs)] for p in group]
            at += len(docs)
            out.uncertainty = {"entities": mean_entropy(mine)}
            yield out

    def _answers(self, cats: list[tuple[int, dict[str, float]]]) -> list[AnswerSuggestion]:
        """The classifier's answer: the most probable value (a document in pieces: the
        pieces' probabilities weighted by their length)."""
        if self.answer_question is None or not cats:
            return []
        total = sum(n for n, _ in cats) or 1
        scores: dict[str, float] = {}
        for n, piece in cats:
            for value, p in piece.items():
                scores[value] = scores.get(value, 0.0) + float(p) * n / total
        best = max(sorted(scores), key=lambda v: scores[v])
        return [AnswerSuggestion(self.answer_question, best, round(scores[best], 4), self._answer_origin,
                                 {k: round(v, 4) for k, v in scores.items()})]

    def pipeline_for_input(self, item: SuggestInput) -> Any:
        """The model's pipeline for every document, or the rule pipeline of its language."""
        return self.main if self.model is not None else self.pipeline_for(item.language)


#: Beam width of the NER's second look at each document for its own entity probabilities
#: (Prodigy's ner.teach uses 16; on idner dev narrower beams ranked the documents' errors worse:
#: Spearman 0.51 at 16, 0.37 at 8, 0.31 at 4; docs/nlp.md).
BEAM_WIDTH = 16
#: Entity candidates the beam gives less than this are its noise, not a doubt worth counting.
MIN_ENTITY_PROBABILITY = 0.1


def model_ner(nlp: Any) -> Any:
    """The model's transition-based NER (``ner`` factory), which can report its own entity
    probabilities through a beam; None when it has none."""
    for name in nlp.pipe_names:
        if nlp.get_pipe_meta(name).factory == "ner":
            return nlp.get_pipe(name)
    return None


def entity_probabilities(ner: Any, docs: Sequence[Any]) -> list[list[float]]:
    """Per Doc, the NER's marginal probability of each entity candidate (beam search over its
    own transition scores, as Prodigy's ner.teach does), candidates under
    :data:`MIN_ENTITY_PROBABILITY` left out."""
    fresh = []
    for d in docs:
        if len(d):
            # a copy keeps what the NER reads (norms, the rules' tags of a rule-feature model); its
            # entities go: the NER keeps entities already set (the merge's) and would score around them
            c = d.copy()
            c.set_ents([], default="missing")
            fresh.append(c)
    scored = iter(ner.scored_ents(ner.beam_parse(fresh, beam_width=BEAM_WIDTH, beam_density=0.0001))
                  if fresh else [])
    return [[min(float(p), 1.0) for p in next(scored).values() if p >= MIN_ENTITY_PROBABILITY] if len(d) else []
            for d in docs]


def mean_entropy(probabilities: Sequence[float]) -> tuple[float, int]:
    """``(mean binary entropy in bits, how many)`` of ``probabilities`` (0 for none: nothing in doubt)."""
    from annotator.nlp.active import entropy

    if not probabilities:
        return 0.0, 0
    return round(sum(map(entropy, probabilities)) / len(probabilities), 4), len(probabilities)


def stance_classifier_question(nlp: Any, schema: LabelSchema) -> str | None:
    """``stance`` when ``nlp`` has a text classifier whose labels are the values of the schema's
    ``stance`` question (what ``annotator train --stance`` makes), else None."""
    from annotator.nlp.train import STANCE_QUESTION

    if "textcat" not in nlp.pipe_names:
        return None
    try:
        values = set(schema.question(STANCE_QUESTION).values)
    except SchemaError:  # a schema without the question: nothing to answer
        return None
    labels = set(getattr(nlp.get_pipe("textcat"), "labels", ()))
    return STANCE_QUESTION if labels and labels <= values else None


#: Longest text given to spaCy in one piece: a longer document is suggested in
#: pieces cut at line breaks (spaCy refuses texts over ``nlp.max_length``, and
#: memory grows with the piece).
PIECE_CHARS = 200_000


def split_text(text: str, limit: int) -> list[tuple[int, str]]:
    """``[(offset, piece)]`` covering ``text`` with pieces of at most ``limit``
    characters, cut after a paragraph break, else a line break, else a
    sentence end or a space, else anywhere (a text with no break at all)."""
    if len(text) <= limit:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = -1
        for sep in ("\n\n", "\n", ". ", " "):
            at = window.rfind(sep)
            if at > limit // 2:
                cut = at + len(sep)
                break
        if cut <= 0:
            cut = limit
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def _fits_schema(schema: LabelSchema, spans: Sequence[Span], length: int | None = None) -> list[Span]:
    """Drop spans whose layer or label the project's schema lacks (a model
    mapped to MISC in a schema without MISC, a cues layer that is absent) or
    whose offsets do not fit a text of ``length`` characters."""
    allowed = {(lay.name, lab) for lay in schema.layers for lab in lay.label_names}
    limit = length if length is not None else float("inf")
    kept = [s for s in spans if (s.layer, s.label) in allowed and 0 <= s.start < s.end <= limit]
    # a layer that forbids overlaps gets none, whatever the suggester did (best score wins)
    for layer in schema.layers:
        if layer.allow_overlap:
            continue
        mine = sorted((s for s in kept if s.layer == layer.name), key=lambda s: (s.start, s.end))
        if any(a.end > b.start for a, b in zip(mine, mine[1:], strict=False)):
            best = resolve_overlaps([Candidate(s.start, s.end, s.label, s.origin, s.score or 0.0, s.layer)
                                     for s in mine])
            keys = {(c.start, c.end, c.label, c.origin) for c in best}
            kept = [s for s in kept if s.layer != layer.name or (s.start, s.end, s.label, s.origin) in keys]
    return kept


def _relations_fit(schema: LabelSchema, spans: Sequence[Span], relations: Sequence[SuggestedRelation]
                   ) -> list[SuggestedRelation]:
    """Relations the schema allows between ends that are among ``spans`` (entity names joined from
    adjacent spans are kept: accepting one makes the span)."""
    kept = []
    names = {r.name for r in schema.relations}
    have = {(s.layer, s.start, s.end) for s in spans}
    for r in relations:
        if r.label not in names or (r.child.layer == "cues" and (r.child.layer, r.child.start, r.child.end) not in have):
            continue
        try:
            schema.relation(r.label).check((r.head.layer, r.head.label), (r.child.layer, r.child.label))
        except SchemaError:
            continue
        kept.append(r)
    return kept


def _pending(project: Project, name: str, version: str, force: bool, doc_ids: Iterable[int] | None) -> tuple[list[tuple[int, str]], int]:
    """``([(id, language)], skipped)`` of documents that need suggesting."""
    # some documents (the GUI's, those next in the list) are read as such, not a million rows
    wanted = sorted(set(doc_ids)) if doc_ids is not None else None
    runs = project.suggestion_runs(name, wanted)
    todo: list[tuple[int, str]] = []
    skipped = 0
    for doc_id, language, chash in project.document_hashes(wanted):
        if not force and runs.get(doc_id) == (version, chash):
            skipped += 1
            continue
        todo.append((int(doc_id), language or "id"))
    return todo, skipped


def suggest_project(
    project: Project,
    *,
    model: str | None = None,
    force: bool = False,
    doc_ids: Iterable[int] | None = None,
    n_process: int = 1,
    batch_size: int = 64,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    suggester: Suggester | None = None,
    label_map: Mapping[str, str] | None = None,
    memory: bool = True,
    registered_model: bool = True,
    model_uncertainty: bool = True,
) -> SuggestReport:
    """Suggest entities and cues for a project's documents and store them.

    ``project`` is an open :class:`annotator.store.Project` (opened in the
    calling thread).  Only documents whose text or suggester version changed
    are redone unless ``force``.  ``progress(done, total, what)`` is called
    per document; ``should_cancel()`` is polled per document and stops the
    run early with :class:`~annotator.core.jobs.Cancelled`, keeping what is
    stored (``partial`` is the report so far).  ``suggester`` replaces the default
    :class:`PipelineSuggester` (then ``model`` is ignored).  ``label_map``
    entries override the schema's ``[label_map]`` for the model's labels.
    With no ``model`` (and ``registered_model``), the project's active trained
    model suggests with the rules (``annotator models``: the newest unless
    another or none was picked).
    With a model, its NER's own uncertainty per document is stored too (a beam search that
    about doubles the run; ``model_uncertainty=False`` skips it).
    Then, unless ``memory`` is false, each annotator's project memory view is
    refreshed over the same documents (:func:`annotator.nlp.memory.refresh_memory`;
    ``report.memory``).
    Raises :class:`annotator.nlp.pipeline.ModelError` for a missing or broken model.
    """
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    if n_process < 1:
        raise ValueError("the number of processes must be at least 1")
    if doc_ids is not None:
        doc_ids = list(doc_ids)
        missing = sorted(set(doc_ids) - set(project.content_hashes(doc_ids)))
        if missing:  # checked before the pipeline loads; a typo must not look like "0 documents to do"
            raise NotFoundError(f"no document {', '.join(map(str, missing))} in {project.path}")
    started = time.perf_counter()
    if suggester is None and model is None and registered_model:
        from annotator.nlp.train import active_model

        run = active_model(project)
        model = run["path"] if run is not None else None
    if suggester is None:
        merged = {**project.schema.label_map, **(label_map or {})}
        # What is up to date is known without spaCy (the version is the rules', the lists' and
        # the model folder's meta): a run with nothing to redo never loads the pipeline.
        expected = _expected_version(model, merged)
        if expected is not None and not force:
            todo, skipped = _pending(project, PIPELINE_SUGGESTER, expected, force, doc_ids)
            if not todo:
                report = SuggestReport(suggester=PIPELINE_SUGGESTER, version=expected, skipped=skipped)
                if progress is not None:
                    progress(0, 0, "")
                return _finish_without_work(project, report, doc_ids, force, memory, should_cancel, started, progress)
        suggester = PipelineSuggester(model, schema=project.schema, label_map=merged, uncertainty=model_uncertainty)
    name, version = suggester.name, suggester.version
    report = SuggestReport(suggester=name, version=version, load_seconds=time.perf_counter() - started)
    todo, report.skipped = _pending(project, name, version, force, doc_ids)
    total = len(todo)
    if progress is not None:
        progress(0, total, "")
    if not todo:
        return _finish_without_work(project, report, doc_ids, force, memory, should_cancel, started, progress)
    schema = project.schema

    def inputs() -> Iterator[SuggestInput]:
        for doc_id, language in todo:
            if should_cancel is not None and should_cancel():
                report.cancelled = True
                return
            text = project.get_text(doc_id)
            texts[doc_id] = text
            yield SuggestInput(doc_id, text, language)

    batch: list[SuggestOutput] = []
    texts: dict[int, str] = {}
    stale_answers = project.has_answer_suggestions(name)
    stale_uncertainty = project.has_model_uncertainty(name)

    def store(outputs: list[SuggestOutput]) -> None:
        # one transaction per batch: a commit per document would cost more
        # than the rules themselves (benchmarks/suggest_bench.py)
        with project.transaction():
            for out in outputs:
                text = texts.pop(out.document_id, None)
                spans = _fits_schema(schema, out.spans, len(text) if text is not None else None)
                relations: list[SuggestedRelation] = []
                if text is not None and schema.relations:
                    sources, relations = suggest_relations(text, spans)
                    spans = _fits_schema(schema, [*spans, *sources], len(text))
                    relations = _relations_fit(schema, spans, relations)
                # labels and offsets are checked above: skip the per-span check of the
                # store; the store carries annotators' decisions over to the new set
                report.decisions_kept += project.set_suggestions(
                    out.document_id, spans, suggester=name, version=version, validate=False
                )
                report.suggestions += len(spans)
                if text is not None:
                    project.set_relation_suggestions(out.document_id, relations, suggester=name, version=version)
                    report.relations += len(relations)
                if out.answers or stale_answers:  # a model without a classifier: the old answers go
                    project.set_answer_suggestions(out.document_id, out.answers, suggester=name, version=version)
                    report.answers += len(out.answers)
                if out.uncertainty or stale_uncertainty:  # the rules alone: no model's doubt stays behind
                    project.set_model_uncertainty(out.document_id, name, out.uncertainty, version)
                for s in spans:
                    report.by_layer[s.layer] = report.by_layer.get(s.layer, 0) + 1
                    report.by_origin[s.origin] = report.by_origin.get(s.origin, 0) + 1

    outputs = suggester.suggest(inputs(), batch_size=batch_size, n_process=n_process)
    try:
        for out in outputs:
            batch.append(out)
            report.documents += 1
            report.tokens += out.tokens
            if progress is not None:
                progress(report.documents, total, f"document {out.document_id}")
            if len(batch) >= batch_size:
                store(batch)
                batch = []
            if should_cancel is not None and should_cancel():
                report.cancelled = True
                break
        if batch:
            store(batch)
    finally:
        close = getattr(outputs, "close", None)
        if close is not None:
            close()  # stops spaCy's worker processes when the run ends early
    if memory and not report.cancelled:
        _refresh_memory(project, report, doc_ids, force, should_cancel, progress)
    report.seconds = time.perf_counter() - started
    if report.cancelled:
        raise Cancelled("suggesting cancelled; documents done before stay suggested", report)
    return report


def _expected_version(model: str | None, label_map: Mapping[str, str]) -> str | None:
    """The default suggester's version without loading it; None when only loading tells
    (a model given as a package name)."""
    from annotator.nlp.resources import model_folder_origin, suggester_version

    if model is None:
        return suggester_version()
    origin = model_folder_origin(model)
    return suggester_version(origin, label_map) if origin else None


def _finish_without_work(project: Project, report: SuggestReport, doc_ids: Iterable[int] | None, force: bool,
                         memory: bool, should_cancel: ShouldCancel | None, started: float,
                         progress: Progress | None = None) -> SuggestReport:
    """Every document is up to date: refresh the project memory only."""
    if memory:
        _refresh_memory(project, report, doc_ids, force, should_cancel, progress)
    report.seconds = time.perf_counter() - started
    if report.cancelled:
        raise Cancelled("suggesting cancelled while refreshing the project memory", report)
    return report


#: What the progress of a run names while it refreshes the annotators' memory views after the suggestions.
MEMORY_STEP = "updating the project memory"


def _refresh_memory(project: Project, report: SuggestReport, doc_ids: Iterable[int] | None, force: bool,
                    should_cancel: ShouldCancel | None, progress: Progress | None = None) -> None:
    from annotator.nlp.memory import refresh_memory

    # its own count of documents, named as such: a bar left at "all documents suggested"
    # looked stuck while the views of a large project were redone (minutes on 2,000 articles
    # whose every word someone labelled)
    def step(done: int, total: int, what: str = "") -> None:
        if what and progress is not None:  # only views with documents to redo: nothing to show otherwise
            progress(done, total, MEMORY_STEP)

    try:
        mem = refresh_memory(project, doc_ids=doc_ids, force=force, should_cancel=should_cancel,
                             progress=step if progress is not None else None)
    except Cancelled as exc:
        mem = exc.partial
        report.cancelled = True
    report.memory = mem.to_dict()
