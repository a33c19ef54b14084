"""Training spaCy components from a project's annotations (``annotator train``).

One annotator's work (or the gold set) becomes spaCy ``Example``s: entity
spans for an NER component, short cue spans for a span categorizer, the
document stance for a text classifier when answers exist.  The documents are
split once (seeded) into a training part and a held-back part; after every
epoch the held-back part is scored (per label P/R/F1), and whenever the
score improves the whole pipeline is written to ``out`` (written beside it,
then swapped in, so ``out`` is always a complete model).  Cancelling
(``should_cancel`` or Ctrl+C) stops after the current batch and keeps the
best model so far.  The output is a normal spaCy pipeline: ``spacy.load(out)``
works, and ``annotator suggest --model out`` runs it with the rules and the
project memory.

Settings and what they gave are written down in docs/nlp.md.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from annotator.core.errors import AnnotatorError
from annotator.core.jobs import Cancelled
from annotator.store import Project

STANCE_QUESTION = "stance"
#: Cue spans longer than this (in tokens) are left to the rules (quotations).
MAX_CUE_TOKENS = 4


class TrainingError(AnnotatorError):
    """Nothing to train on, or a bad training setting."""

    code = "E104"


@dataclass
class EpochReport:
    """One epoch: losses and the held-back scores."""

    epoch: int
    losses: dict[str, float]
    scores: dict[str, Any]
    score: float  # the main figure (entity F1, else the mean of the components')
    best: bool
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"epoch": self.epoch, "losses": {k: round(float(v), 3) for k, v in self.losses.items()},
                "scores": self.scores, "score": round(self.score, 4), "best": self.best,
                "seconds": round(self.seconds, 2)}


@dataclass
class TrainReport:
    """What a training run did."""

    out: str
    source: str
    layers: list[str]
    documents: int
    eval_documents: int
    epochs: list[EpochReport] = field(default_factory=list)
    best_epoch: int = 0
    best_score: float = 0.0
    best_scores: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    cancelled: bool = False
    run_id: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (``annotator train --json``)."""
        return {"out": self.out, "source": self.source, "layers": self.layers, "documents": self.documents,
                "eval_documents": self.eval_documents, "best_epoch": self.best_epoch,
                "score": round(self.best_score, 4), "scores": self.best_scores, "seconds": round(self.seconds, 2),
                "cancelled": self.cancelled, "run_id": self.run_id, "settings": self.settings,
                "epochs": [e.to_dict() for e in self.epochs]}


@dataclass
class TrainData:
    """Documents of one source, split."""

    train: list[int]
    dev: list[int]
    texts: dict[int, str]
    spans: dict[int, dict[str, list[tuple[int, int, str]]]]  # doc -> layer -> spans
    stance: dict[int, str]
    language: str


def collect(project: Project, source: str, layers: Sequence[str], *, stance: bool, eval_split: float,
            seed: int, doc_ids: Iterable[int] | None = None, limit: int | None = None) -> TrainData:
    """The documents ``source`` annotated (a span or an answer in the layers asked for, or marked done), split."""
    if source not in project.annotators():
        raise TrainingError(f"no annotator {source!r} in {project.path} "
                            f"(annotators: {', '.join(project.annotators()) or 'none'})")
    for layer in layers:
        project.schema.layer(layer)  # SchemaError naming the layers
    if not 0.0 <= eval_split < 1.0:
        raise TrainingError(f"--eval-split must be at least 0 and below 1, got {eval_split}")
    wanted = set(doc_ids) if doc_ids is not None else None
    done = {d for (d, who), state in project.statuses(source).items() if state == "done"}
    texts: dict[int, str] = {}
    spans: dict[int, dict[str, list[tuple[int, int, str]]]] = {}
    answers: dict[int, str] = {}
    languages: dict[str, int] = {}
    for doc in project.iter_documents(sorted(wanted) if wanted is not None else None):
        assert doc.id is not None
        mine = {layer: [(s.start, s.end, s.label) for s in project.spans(doc.id, annotator=source, layer=layer)]
                for layer in layers}
        answer = None
        if stance:
            answer = next((lab.value for lab in project.answers(doc.id, source) if lab.question == STANCE_QUESTION),
                          None)
        if not any(mine.values()) and answer is None and doc.id not in done:
            continue
        texts[doc.id] = doc.text
        spans[doc.id] = mine
        if answer is not None:
            answers[doc.id] = answer
        languages[doc.language or "id"] = languages.get(doc.language or "id", 0) + 1
    ids = sorted(texts)
    if limit is not None:
        ids = ids[:limit]
    if len(ids) < 2:
        raise TrainingError(f"{source!r} has annotated {len(ids)} document(s) in {project.path}: "
                            "training needs at least 2 (one to learn from, one to score on)")
    rng = random.Random(seed)
    shuffled = ids[:]
    rng.shuffle(shuffled)
    n_dev = max(1, round(len(ids) * eval_split)) if eval_split > 0 else 0
    dev, train = sorted(shuffled[:n_dev]), sorted(shuffled[n_dev:])
    language = max(sorted(languages), key=lambda k: languages[k])
    return TrainData(train, dev, texts, spans, {d: answers[d] for d in ids if d in answers}, language)


def _lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the non-blank lines (paragraphs; sentences in CoNLL imports)."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def rule_candidates(data: TrainData, ids: Iterable[int]) -> dict[int, list[Any]]:
    """The rules' merged entities of each document (whole documents: the rules' coreference
    step reads the whole text), for their tags as the NER's features."""
    from annotator.nlp.pipeline import RuleTagger, load_pipeline

    rules_nlp = load_pipeline(None, language=data.language)
    tagger = RuleTagger(rules_nlp, rules_nlp.lang)
    before = [proc for name, proc in rules_nlp.pipeline if name not in ("annotator_entities", "annotator_cues")]
    out = {}
    for doc_id in ids:
        doc = rules_nlp.make_doc(data.texts[doc_id])
        for proc in before:
            doc = proc(doc)
        out[doc_id] = tagger.candidates(doc)
    return out


def ner_model(width: int = 96, depth: int = 4, rows: Sequence[int] = (5000, 1000, 2500, 2500),
              rule_features: bool = True) -> dict[str, Any]:
    """The NER's model config: spaCy's efficiency architecture (stock ``init config``'s
    tok2vec, inside the NER), with the rules' tags as a fifth embedded attribute."""
    attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"] + (["TAG"] if rule_features else [])
    n_rows = list(rows) + ([200] if rule_features else [])
    return {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
        "hidden_width": 64, "maxout_pieces": 2, "use_upper": True, "nO": None,
        "tok2vec": {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": width, "attrs": attrs,
                      "rows": n_rows, "include_static_vectors": False},
            "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": width, "depth": depth,
                       "window_size": 1, "maxout_pieces": 3},
        },
    }


def _examples(nlp: Any, data: TrainData, ids: Sequence[int], layers: Sequence[str], labels: dict[str, list[str]],
              stance_values: Sequence[str], *, by_line: bool = False,
              rule_cands: dict[int, list[Any]] | None = None, untagged: float = 0.0,
              rng: random.Random | None = None) -> list[Any]:
    """spaCy Examples of the documents; ``by_line``: one per non-blank line (many
    small updates learn far faster than a few whole articles), the stance
    classifier still on whole documents.  ``rule_cands``: the rules' entities
    per document, written into the token tags (the NER's rule features);
    ``untagged``: the share of lines left without them (drawn with ``rng``), so
    the model also learns to find names the rules do not see."""
    from spacy.tokens import Span as SpacySpan
    from spacy.training import Example
    from spacy.util import filter_spans

    from annotator.nlp.pipeline import set_rule_tags

    span_layers = [lay for lay in layers if lay in ("entities", "cues")]

    def example(text: str, spans: dict[str, list[tuple[int, int, str]]] | None, cats: dict[str, float] | None,
                tags: tuple[list[Any], int] | None = None) -> Any:
        # spans None: the span layers are *missing* here (no loss), not "nothing to find"
        pred = nlp.make_doc(text)
        if tags is not None:
            set_rule_tags(pred, *tags)
        ref = pred.copy()
        if spans is not None and "entities" in span_layers:
            ents = [ref.char_span(s, e, label=lab, alignment_mode="contract") for s, e, lab in spans.get("entities", [])]
            ref.ents = filter_spans([x for x in ents if x is not None])
        if spans is not None and "cues" in span_layers:
            cues = [ref.char_span(s, e, label=lab, alignment_mode="contract")
                    for s, e, lab in spans.get("cues", []) if lab in labels.get("cues", [])]
            ref.spans["cues"] = [SpacySpan(ref, x.start, x.end, x.label_) for x in cues
                                 if x is not None and len(x) <= MAX_CUE_TOKENS]
        if cats is not None:
            ref.cats = cats
        return Example(pred, ref)

    out = []
    for doc_id in ids:
        text, spans = data.texts[doc_id], data.spans[doc_id]
        cats = ({v: float(v == data.stance[doc_id]) for v in stance_values}
                if stance_values and doc_id in data.stance else None)
        cands = rule_cands.get(doc_id) if rule_cands is not None else None
        if not by_line:
            out.append(example(text, spans if span_layers else None, cats,
                               (cands, 0) if cands is not None else None))
            continue
        if cats is not None:
            out.append(example(text, None, cats))
        if span_layers:
            for a, b in _lines(text):
                inside = {layer: [(s - a, e - a, lab) for s, e, lab in spans.get(layer, []) if a <= s and e <= b]
                          for layer in span_layers}
                tagged = cands is not None and not (untagged and rng is not None and rng.random() < untagged)
                out.append(example(text[a:b], inside, None, (cands, a) if tagged else None))
    return out


def _score(nlp: Any, examples: list[Any], layers: Sequence[str], stance: bool) -> tuple[float, dict[str, Any]]:
    if not examples:
        return 0.0, {}
    raw = nlp.evaluate(examples)
    scores: dict[str, Any] = {}
    parts = []
    if "entities" in layers:
        per = {lab: {k: round(float(v[k[0]]), 4) for k in ("precision", "recall", "f1")}
               for lab, v in sorted((raw.get("ents_per_type") or {}).items())}
        scores["entities"] = {"precision": round(float(raw.get("ents_p") or 0), 4),
                              "recall": round(float(raw.get("ents_r") or 0), 4),
                              "f1": round(float(raw.get("ents_f") or 0), 4), "per_label": per}
        parts.append(scores["entities"]["f1"])
    if "cues" in layers:
        scores["cues"] = {"precision": round(float(raw.get("spans_cues_p") or 0), 4),
                          "recall": round(float(raw.get("spans_cues_r") or 0), 4),
                          "f1": round(float(raw.get("spans_cues_f") or 0), 4)}
        parts.append(scores["cues"]["f1"])
    if stance:
        scores["stance"] = {"macro_f1": round(float(raw.get("cats_macro_f") or 0), 4)}
        parts.append(scores["stance"]["macro_f1"])
    main = scores["entities"]["f1"] if "entities" in layers else (sum(parts) / len(parts) if parts else 0.0)
    return main, scores


_BASE: dict[str, Any] = {}


def _blank(language: str) -> Any:
    """A blank pipeline of ``language`` whose tokenizer is built once per process:
    spaCy's Indonesian tokenizer has 16,000 special cases and takes seconds to build.
    The new pipeline shares the vocabulary and tokenizer of the first one (the
    config is the usual one, so the saved model loads as any other)."""
    import spacy

    base = _BASE.get(language)
    if base is None:
        base = _BASE[language] = spacy.blank(language)
    cls = spacy.util.get_lang_class(language)
    nlp = cls(vocab=base.vocab, create_tokenizer=lambda _nlp: base.tokenizer)
    return nlp


def _save(nlp: Any, out: Path, meta: dict[str, Any]) -> None:
    """Write the pipeline beside ``out`` and swap it in: ``out`` is always whole."""
    tmp = out.with_name(out.name + ".writing")
    old = out.with_name(out.name + ".old")
    out.parent.mkdir(parents=True, exist_ok=True)
    for p in (tmp, old):
        if p.exists():
            shutil.rmtree(p)
    nlp.meta.update(meta)
    nlp.to_disk(tmp)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    if old.exists():
        shutil.rmtree(old)


def train_project(
    project: Project,
    *,
    source: str,
    out: str | Path,
    layers: Sequence[str] = ("entities",),
    stance: bool = False,
    eval_split: float = 0.2,
    epochs: int = 30,
    patience: int = 6,
    seed: int = 0,
    dropout: float = 0.1,
    rule_features: bool = True,
    untagged: float = 0.0,
    width: int = 96,
    depth: int = 4,
    batch_size: int = 8,
    doc_ids: Iterable[int] | None = None,
    limit: int | None = None,
    register: bool = True,
    progress: Callable[[EpochReport], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    data: TrainData | None = None,
) -> TrainReport:
    """Train and write the best pipeline to ``out``; returns the report.

    ``source``: the annotator whose spans teach (``gold`` for the gold set).
    ``layers``: ``entities`` (NER) and/or ``cues`` (span categorizer);
    ``stance``: also a text classifier on the documents' stance answers.
    Stops after ``epochs``, or ``patience`` epochs without a better held-back
    score, or when cancelled: the best model so far is kept and registered.
    ``rule_features``: the rules' entities are token tags the NER embeds
    (:data:`annotator.nlp.pipeline.RULE_TAGS`); ``width``/``depth``: its
    tok2vec; ``batch_size``: lines per update; ``untagged``: the share of
    training lines without the rules' tags.
    ``should_cancel()`` is polled per batch and ends the run with
    :class:`~annotator.core.jobs.Cancelled` carrying the report; Ctrl+C
    (KeyboardInterrupt) returns the report with ``cancelled`` set.  ``register`` records
    the run in the project (``annotator models``).  ``data``: documents
    already collected and split (:func:`collect`; the learning curve trains
    on parts of one split).
    """
    import spacy
    from spacy.util import minibatch

    started = time.perf_counter()
    layers = [lay for lay in layers]
    bad = [lay for lay in layers if lay not in ("entities", "cues")]
    if bad:
        raise TrainingError(f"--layers: {', '.join(bad)} cannot be trained (entities, cues)")
    if data is None:
        data = collect(project, source, layers, stance=stance, eval_split=eval_split, seed=seed, doc_ids=doc_ids,
                       limit=limit)
    stance_values: list[str] = []
    if stance:
        if not data.stance:
            raise TrainingError(f"--stance: {source!r} has answered no {STANCE_QUESTION!r} question in {project.path}")
        stance_values = list(project.schema.question(STANCE_QUESTION).values)
    labels = {layer: [lab for lab in project.schema.layer(layer).label_names
                      if layer != "cues" or lab != "QUOTE"] for layer in layers}
    out = Path(out)
    random.seed(seed)
    spacy.util.fix_random_seed(seed)
    nlp = _blank(data.language)
    if "entities" in layers:
        ner = nlp.add_pipe("ner", config={"model": ner_model(width, depth, rule_features=rule_features)})
        if rule_features:
            from annotator.nlp.pipeline import RULE_FEATURES_META

            nlp.meta[RULE_FEATURES_META] = True
        for lab in labels["entities"]:
            ner.add_label(lab)
    if "cues" in layers:
        spancat = nlp.add_pipe("spancat", config={"spans_key": "cues",
                                                  "suggester": {"@misc": "spacy.ngram_suggester.v1",
                                                                "sizes": list(range(1, MAX_CUE_TOKENS + 1))}})
        for lab in labels["cues"]:
            spancat.add_label(lab)
    if stance_values:
        textcat = nlp.add_pipe("textcat")
        for v in stance_values:
            textcat.add_label(v)
    rule_cands = (rule_candidates(data, [*data.train, *data.dev])
                  if rule_features and "entities" in layers else None)
    train = _examples(nlp, data, data.train, layers, labels, stance_values, by_line=True, rule_cands=rule_cands,
                      untagged=untagged, rng=random.Random(seed))
    dev = _examples(nlp, data, data.dev, layers, labels, stance_values, rule_cands=rule_cands)
    optimizer = nlp.initialize(lambda: train)
    # unique per run: the suggestion runs record model name@version, so a new model is never "up to date"
    run_name = f"annotator_{''.join(c if c.isalnum() else '_' for c in source)}_{time.strftime('%Y%m%d_%H%M%S')}"
    settings = {"epochs": epochs, "patience": patience, "seed": seed, "dropout": dropout, "eval_split": eval_split,
                "language": data.language, "components": list(nlp.pipe_names), "rule_features": rule_features,
                "untagged": untagged, "width": width, "depth": depth, "batch_size": batch_size,
                "config": "spaCy efficiency NER (stock tok2vec inside the NER)",
                # the project memory leaves to this model what it learned (annotator.nlp.memory):
                # its suggestions' origin without @version, and every document of the run
                "origin": f"model:{nlp.lang}_{run_name}", "document_ids": sorted([*data.train, *data.dev])}
    report = TrainReport(out=str(out.resolve()), source=source, layers=layers + (["stance"] if stance else []),
                         documents=len(data.train), eval_documents=len(data.dev), settings=settings)
    rng = random.Random(seed)
    since_best = 0
    interrupted = False
    try:
        for epoch in range(1, epochs + 1):
            t0 = time.perf_counter()
            rng.shuffle(train)
            losses: dict[str, float] = {}
            for batch in minibatch(train, size=batch_size):
                nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
                if should_cancel is not None and should_cancel():
                    report.cancelled = True
                    break
            if report.cancelled and report.best_epoch:
                break  # a half epoch is not scored against a finished one
            score, scores = _score(nlp, dev or train, layers, stance)
            best = score > report.best_score or not report.best_epoch
            if best:
                report.best_epoch, report.best_score, report.best_scores = epoch, score, scores
                with nlp.use_params(optimizer.averages):
                    _save(nlp, out, {"name": run_name, "version": f"0.0.{epoch}",
                                     "description": f"trained by annotator from {source!r} in {project.path.name}",
                                     "performance": {"score": score}})
                since_best = 0
            else:
                since_best += 1
            ep = EpochReport(epoch, {k: float(v) for k, v in losses.items()}, scores, score, best,
                             time.perf_counter() - t0)
            report.epochs.append(ep)
            if progress is not None:
                progress(ep)
            if report.cancelled or since_best >= patience:
                break
    except KeyboardInterrupt:  # Ctrl+C on a terminal: keep the best model and report it
        report.cancelled = interrupted = True
    report.seconds = time.perf_counter() - started
    if report.best_epoch and register:
        report.run_id = project.add_model_run({
            "path": report.out, "source": source, "documents": report.documents,
            "eval_documents": report.eval_documents, "layers": report.layers,
            "scores": {"score": report.best_score, "epoch": report.best_epoch, **report.best_scores},
            "settings": settings, "seconds": report.seconds,
            "status": "cancelled" if report.cancelled else "complete"})
    if not report.best_epoch:
        raise TrainingError("training was cancelled before the first epoch ended: no model written")
    from annotator.nlp.pipeline import TRAINING_REPORT

    (out / TRAINING_REPORT).write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    if report.cancelled and not interrupted:
        raise Cancelled(f"training cancelled; the best model so far (epoch {report.best_epoch}) is in {out}", report)
    return report


def train_curve(
    project: Project,
    *,
    source: str,
    fractions: Sequence[float] = (0.25, 0.5, 0.75, 1.0),
    layers: Sequence[str] = ("entities",),
    eval_split: float = 0.2,
    epochs: int = 30,
    patience: int = 6,
    seed: int = 0,
    work: str | Path | None = None,
    progress: Callable[[float, EpochReport], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Held-back scores when training on growing parts of ``source``'s documents
    (Prodigy's train-curve): one split, the same held-back documents for every
    point, the training documents taken in one seeded order.  Nothing is
    registered; the models go to a temporary folder (or ``work``).
    Returns ``{"source", "eval_documents", "points": [{"fraction", "documents",
    "score", "scores", "best_epoch", "seconds"}], "delta"}`` where ``delta`` is
    the gain of the last point over the one before (still rising: more
    annotation helps)."""
    import tempfile

    bad = [f for f in fractions if not 0.0 < f <= 1.0]
    if bad:
        raise TrainingError(f"fractions must be above 0 and at most 1, got {bad}")
    full = collect(project, source, layers, stance=False, eval_split=eval_split, seed=seed)
    order = full.train[:]
    random.Random(seed).shuffle(order)
    folder = Path(work) if work is not None else Path(tempfile.mkdtemp(prefix="train_curve_"))
    points: list[dict[str, Any]] = []
    for fraction in sorted(fractions):
        n = max(1, round(len(order) * fraction))
        part = TrainData(sorted(order[:n]), full.dev, full.texts, full.spans, {}, full.language)
        try:
            report = train_project(
                project, source=source, out=folder / f"part_{int(fraction * 100)}", layers=layers, epochs=epochs,
                patience=patience, seed=seed, register=False, data=part, should_cancel=should_cancel,
                progress=(lambda ep, f=fraction: progress(f, ep)) if progress is not None else None)
        except Cancelled:
            if work is None:
                shutil.rmtree(folder, ignore_errors=True)
            raise Cancelled("train-curve cancelled", {"source": source, "points": points}) from None
        points.append({"fraction": fraction, "documents": n, "score": round(report.best_score, 4),
                       "scores": report.best_scores, "best_epoch": report.best_epoch,
                       "seconds": round(report.seconds, 1)})
        if report.cancelled:
            break
    if work is None:
        shutil.rmtree(folder, ignore_errors=True)
    delta = round(points[-1]["score"] - points[-2]["score"], 4) if len(points) > 1 else None
    return {"source": source, "eval_documents": len(full.dev), "points": points, "delta": delta}


# -- the registry of trained models (no spaCy needed) ---------------------------

#: Project setting naming the model that suggests: a run id, "none", or absent (the newest).
MODEL_SETTING = "suggest_model"


def registered_models(project: Project) -> list[dict[str, Any]]:
    """Every training run, oldest first, each with ``exists`` (its folder is still there)
    and ``active`` (it is the one that suggests)."""
    runs = project.model_runs()
    active = active_model(project)
    for r in runs:
        r["exists"] = Path(r["path"]).is_dir()
        r["active"] = active is not None and r["id"] == active["id"]
    return runs


#: A run suggests by default only when its held-back score reached this (a model of a few
#: documents makes suggestions worse; docs/nlp.md, learning curve); ``--use ID`` picks any.
MIN_DEFAULT_SCORE = 0.7


def active_model(project: Project) -> dict[str, Any] | None:
    """The run whose model suggests: the one picked with ``annotator models --use``,
    else the newest whose folder exists and whose held-back score is at least
    :data:`MIN_DEFAULT_SCORE`; None for rules and memory only."""
    choice = (project.get_setting(MODEL_SETTING) or "").strip()
    if choice == "none":
        return None
    runs = [r for r in project.model_runs() if Path(r["path"]).is_dir()]
    if choice:
        picked = [r for r in runs if str(r["id"]) == choice]
        if picked:
            return picked[0]
    good = [r for r in runs if float(r["scores"].get("score", 0.0)) >= MIN_DEFAULT_SCORE]
    return good[-1] if good else None


def use_model(project: Project, choice: str) -> None:
    """Pick the suggesting model: a run id, ``none`` or ``newest``."""
    choice = choice.strip().lower()
    if choice == "newest":
        project.set_setting(MODEL_SETTING, "")
        return
    if choice != "none" and choice not in {str(r["id"]) for r in project.model_runs()}:
        raise TrainingError(f"no training run {choice!r} in {project.path} (see 'annotator models')")
    project.set_setting(MODEL_SETTING, choice)
