"""Project memory: suggestions learned from what the annotators did.

Pure Python (no spaCy), so the GUI can refresh it in a background thread
within a second of an accept, and the CLI runs it after the rules.

What is remembered, per span layer, for each *surface* (the token sequence of
a span, case as written):

* every span an annotator made or accepted: "this string is LABEL here",
  with the token before and after (its context);
* every suggestion an annotator rejected: "not LABEL here";
* in documents the annotator marked *done*, every occurrence of a remembered
  surface they left without a span: "nothing here" (what a finished
  document does not label is a decision too).

Applied to a document, each occurrence of a remembered surface (longest
first, left to right) is scored per label: an observation weighs 1, plus 1
for each of the two context tokens it shares with the occurrence (the
annotator's own observations weigh double when others' are visible).  The best
label is suggested when its share of all the weight (labels, "nothing here",
and rejections of that label) is at least one half, with origin
``memory:<annotator>`` (whose observations weighed most) and that share as the
score; a rejection in the same context vetoes the label outright.  Memory
suggestions override the shared suggestions they overlap (the project's
decisions beat the built-in conventions); a shared suggestion of a surface that
was rejected in the same context is dropped, one rejected elsewhere has its score
halved, one of a surface that the annotator mostly leaves unlabelled is dropped.

Observations from the document being suggested are left out (leave one
document out): the memory of a document never repeats its own spans, so
scores measured on annotated documents are honest.

Boundaries: in blind mode (the project default) an annotator's memory holds
only their own decisions; with blind mode off, everyone's.  The result is
stored as the suggestion set ``memory:<annotator>``: that annotator's view,
which replaces the shared sets for them only (``annotator.store.learning``).
"""

from __future__ import annotations

import hashlib
import json
import time
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from annotator import __version__
from annotator.core.jobs import Cancelled, Progress, ShouldCancel
from annotator.core.model import Span
from annotator.core.tokens import token_spans
from annotator.store import Project
from annotator.store.learning import memory_suggester

#: Bumped when the way memory suggests changes (stored views are then redone).
MEMORY_VERSION = "2"
#: The least share of the evidence a label needs to be suggested.
MIN_SHARE = 0.5
#: Documents per transaction when storing views.
_BATCH = 50
#: A shared suggestion with a ``model:`` origin and at least this score comes from a competent
#: model trained in the tool with the rules' tags as features (``annotator.nlp.pipeline``
#: enters such a model's spans at FEATURE_MODEL_SCORE, this value).  In a document it
#: suggested, a surface whose every decision lies in the documents the model was trained on
#: is left to the model (it has weighed them already, in context; rejections still veto):
#: idner dev, docs/nlp.md: rules + model 0.829, + memory overriding it 0.812, now 0.829.
TRUSTED_MODEL_SCORE = 0.95
#: The file ``annotator train`` writes into each model folder.
TRAINING_REPORT = "annotator_training.json"



@dataclass(frozen=True, slots=True)
class Observation:
    """One decision about one occurrence of a surface."""

    doc: int
    who: str
    label: str | None  # None: seen in a finished document and left unlabelled
    prev: str
    next: str
    rejected: bool = False


def _context(text: str, toks: Sequence[tuple[int, int]], i: int, j: int) -> tuple[str, str]:
    prev = text[toks[i - 1][0]:toks[i - 1][1]].lower() if i > 0 else ""
    nxt = text[toks[j][0]:toks[j][1]].lower() if j < len(toks) else ""
    return prev, nxt


_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _token_range(toks: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """Token indices ``[i, j)`` covering exactly ``start..end`` (None when not token-aligned).
    Looked up by bisection: a document has a few decisions, and maps of every token's offsets,
    built for each document a memory reads, were an eighth of building it."""
    i = bisect_left(toks, start, key=_FIRST)
    j = bisect_left(toks, end, key=_SECOND)
    if i >= len(toks) or toks[i][0] != start or j >= len(toks) or toks[j][1] != end or j < i:
        return None
    return i, j + 1


class _Tokenized:
    __slots__ = ("text", "toks", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = token_spans(text)
        self.words = [text[a:b] for a, b in self.toks]


#: The documents a trusted model learned from: a set, True for every document, None for no model.
KnownDocuments = frozenset[int] | bool | None


class _Tally:
    """One surface's observations counted by ``(rejected, label, who)``: how many, and how many
    with each token before, each token after and (rejections) each pair; with each document's
    own observations beside, to leave out (:meth:`Memory.judge`)."""

    __slots__ = ("groups", "by_doc", "labelled_docs", "_unknown")

    def __init__(self, observations: Iterable[Observation]) -> None:
        #: (rejected, label, who) -> (how many, {token before: n}, {token after: n}, {(before, after): n})
        self.groups: dict[tuple[bool, str | None, str],
                          tuple[list[int], dict[str, int], dict[str, int], dict[tuple[str, str], int]]] = {}
        self.by_doc: dict[int, list[Observation]] = {}
        labelled: set[int] = set()
        for o in observations:
            n, prevs, nexts, both = self.groups.setdefault((o.rejected, o.label, o.who), ([0], {}, {}, {}))
            n[0] += 1
            prevs[o.prev] = prevs.get(o.prev, 0) + 1
            nexts[o.next] = nexts.get(o.next, 0) + 1
            if o.rejected:
                both[(o.prev, o.next)] = both.get((o.prev, o.next), 0) + 1
            else:
                labelled.add(o.doc)
            self.by_doc.setdefault(o.doc, []).append(o)
        #: documents holding a decision that is not a rejection (a label or "nothing here")
        self.labelled_docs = frozenset(labelled)
        self._unknown: dict[frozenset[int], frozenset[int]] = {}

    def settled(self, doc: int, known: frozenset[int] | bool) -> bool:
        """Whether every decision but rejections, outside ``doc``, lies in ``known``."""
        if known is True:
            return True
        if known is False:
            return not (self.labelled_docs - {doc})
        unknown = self._unknown.get(known)
        if unknown is None:  # the same model's documents come back document after document
            unknown = self._unknown[known] = self.labelled_docs - known
        return not unknown or (len(unknown) == 1 and doc in unknown)


@dataclass
class Memory:
    """What one viewer's memory knows (see the module docstring)."""

    viewer: str
    #: layer -> surface (tuple of token texts) -> observations
    index: dict[str, dict[tuple[str, ...], list[Observation]]] = field(default_factory=dict)
    #: layer -> first token -> lengths of the surfaces starting with it (longest first)
    first: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    own_weight: float = 1.0
    #: (layer, surface) -> its observations counted (made when first judged, dropped by add)
    _tallies: dict[tuple[str, tuple[str, ...]], _Tally] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return sum(len(obs) for surf in self.index.values() for obs in surf.values())

    def add(self, layer: str, surface: tuple[str, ...], obs: Observation) -> None:
        """Remember one observation."""
        surf = self.index.setdefault(layer, {})
        if surface not in surf:
            lengths = self.first.setdefault(layer, {}).setdefault(surface[0], [])
            if len(surface) not in lengths:
                lengths.append(len(surface))
                lengths.sort(reverse=True)
        surf.setdefault(surface, []).append(obs)
        self._tallies.pop((layer, surface), None)

    def fingerprint(self) -> str:
        """A hash of everything remembered (a stored view is redone when it changes)."""
        h = hashlib.sha1(f"{MEMORY_VERSION}|{self.viewer}|{self.own_weight}".encode())
        for layer in sorted(self.index):
            for surface in sorted(self.index[layer]):
                for o in sorted(self.index[layer][surface], key=repr):
                    h.update(repr((layer, surface, o)).encode())
        return h.hexdigest()[:16]

    def occurrences(self, layer: str, tk: _Tokenized) -> Iterable[tuple[int, int, tuple[str, ...]]]:
        """Every ``(i, j, surface)`` of a remembered surface in the text, all lengths."""
        firsts = self.first.get(layer, {})
        words = tk.words
        for i, w in enumerate(words):
            for n in firsts.get(w, ()):
                if i + n <= len(words) and tuple(words[i:i + n]) in self.index[layer]:
                    yield i, i + n, tuple(words[i:i + n])

    def judge(self, layer: str, surface: tuple[str, ...], doc: int, prev: str, nxt: str,
              known: KnownDocuments = None
              ) -> tuple[str | None, float, str, bool, set[str], set[str]]:
        """``(label, share, who, mostly_unlabelled, vetoed, rejected)`` for one occurrence.
        ``known``: documents a trusted model learned from (True: all of them); when every
        decision on the surface lies there, only its rejections count (the rest is the model's).

        Summed from the surface's :class:`_Tally` (observations counted by kind, label, who and
        context) less this document's own: a surface labelled in thousands of documents was
        judged observation by observation at each occurrence, 90 ms a document."""
        key = (layer, surface)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = _Tally(self.index[layer][surface])
        # nothing decided since the model learned this surface: its reading stands; a new
        # decision reopens it, judged with all the evidence (new decisions alone, often one
        # document, overrode too eagerly: idner dev 0.784 against 0.819, docs/nlp.md)
        settled = known is not None and tally.settled(doc, known)
        own = tally.by_doc.get(doc, ())
        pos: dict[str, float] = {}
        by_who: dict[tuple[str, str], float] = {}
        rej: dict[str, float] = {}
        vetoed: set[str] = set()
        neg = 0.0
        for (rejected, label, who), ([n], prevs, nexts, both) in tally.groups.items():
            if settled and not rejected:
                continue
            count, weight = n, n + prevs.get(prev, 0) + nexts.get(nxt, 0)
            same_both = both.get((prev, nxt), 0) if rejected else 0
            for o in own:  # leave this document out
                if o.rejected == rejected and o.label == label and o.who == who:
                    same_prev, same_next = o.prev == prev, o.next == nxt
                    count, weight = count - 1, weight - (1 + same_prev + same_next)
                    same_both -= same_prev and same_next
            if not count:
                continue
            w = weight * (self.own_weight if who == self.viewer else 1.0)
            if rejected:
                assert label is not None
                rej[label] = rej.get(label, 0.0) + w
                if same_both:
                    vetoed.add(label)
            elif label is None:
                neg += w
            else:
                pos[label] = pos.get(label, 0.0) + w
                by_who[(label, who)] = w
        total_pos = sum(pos.values())
        mostly_unlabelled = neg > 0 and neg > total_pos
        if not pos:
            return None, 0.0, "", mostly_unlabelled, vetoed, set(rej)
        label = max(sorted(pos), key=lambda lab: pos[lab] - rej.get(lab, 0.0))
        share = pos[label] / (total_pos + neg + rej.get(label, 0.0))
        who = max(sorted(w for (lab, w) in by_who if lab == label), key=lambda w: by_who[(label, w)])
        if label in vetoed or share < MIN_SHARE:
            return None, share, who, mostly_unlabelled, vetoed, set(rej)
        return label, share, who, mostly_unlabelled, vetoed, set(rej)

    def apply(self, doc: int, text: str, base: Sequence[Span], overlap_layers: set[str] | None = None,
              tokenized: _Tokenized | None = None, trained: ModelDocuments | None = None) -> list[Span]:
        """The viewer's suggestions for one document: ``base`` (the shared
        suggestions) corrected by the memory.  ``overlap_layers``: layers
        where spans may overlap (there a memory span replaces only a base span
        with the same offsets).  ``trained``: the documents each trained model
        learned from (:func:`trained_documents`); when ``base`` holds a trusted
        model's suggestions, decisions in those documents are left to it."""
        overlap_layers = overlap_layers or set()
        tk = tokenized or _Tokenized(text)
        known = _known_to_model(base, trained or {})
        mine: list[Span] = []
        drop: set[tuple[str, int, int]] = set()  # (layer, start, end) of base spans to drop
        for layer in self.index:
            taken_until = -1
            for i, j, surface in self.occurrences(layer, tk):
                prev, nxt = _context(text, tk.toks, i, j)
                label, share, who, unlabelled, _, _ = self.judge(layer, surface, doc, prev, nxt, known)
                start, end = tk.toks[i][0], tk.toks[j - 1][1]
                if label is None:
                    if unlabelled:
                        drop.add((layer, start, end))
                    continue
                if i < taken_until:  # inside a longer remembered span already suggested
                    continue
                taken_until = j
                mine.append(Span(start=start, end=end, label=label, layer=layer,
                                 origin=memory_suggester(who), score=round(share, 3)))
        # a shared suggestion that strictly contains a memory span is the longer name the
        # memory only knows part of ("Prabowo" remembered, "Prabowo Subianto" suggested;
        # "Rusia" remembered, "Dewan Keamanan Rusia" suggested): it stays, the part goes
        keep_base = {(b.layer, b.start, b.end) for b in base if b.layer not in overlap_layers and any(
            m.layer == b.layer and b.start <= m.start and m.end <= b.end and (b.start, b.end) != (m.start, m.end)
            for m in mine)}
        mine = [m for m in mine if not any((b.layer, b.start, b.end) in keep_base and b.layer == m.layer
                                           and b.start <= m.start and m.end <= b.end for b in base)]
        out = list(mine)
        for b in base:
            if (b.layer, b.start, b.end) in drop:
                continue
            if (b.layer, b.start, b.end) not in keep_base and any(
                    m.layer == b.layer and (m.start == b.start and m.end == b.end
                                            or (b.layer not in overlap_layers and m.overlaps(b))) for m in mine):
                continue
            score = b.score
            surf_obs = self.index.get(b.layer, {})
            rng = _token_range(tk.toks, b.start, b.end)
            if rng is not None and surf_obs:
                surface = tuple(tk.words[rng[0]:rng[1]])
                if surface in surf_obs:
                    prev, nxt = _context(text, tk.toks, *rng)
                    _, _, _, _, vetoed, rejected = self.judge(b.layer, surface, doc, prev, nxt)
                    if b.label in vetoed:
                        continue
                    if b.label in rejected:
                        score = round((score or 0.0) * 0.5, 3)
            out.append(b if score == b.score else b.with_(score=score))
        out.sort(key=lambda s: (s.start, s.end, s.layer, s.label))
        return [s.with_(id=None, document_id=None) for s in out]


#: ``{model origin without @version: documents it learned from}``; None: not known.
ModelDocuments = Mapping[str, "frozenset[int] | None"]


def _known_to_model(base: Sequence[Span], trained: ModelDocuments) -> frozenset[int] | bool | None:
    """The documents whose decisions are the trusted model's to weigh, for a document whose
    shared suggestions hold a trusted model's (None: no trusted model there).  A model whose
    documents are not known is taken to know them all (True: the memory then only vetoes and
    demotes)."""
    origins = {b.origin.split("@", 1)[0] for b in base
               if b.origin.startswith("model:") and (b.score or 0.0) >= TRUSTED_MODEL_SCORE}
    if not origins:
        return None
    if any(trained.get(o) is None for o in origins):
        return True
    if len(origins) == 1:  # the same set each document (a new union would be hashed again)
        return trained[next(iter(origins))] or frozenset()
    return frozenset().union(*(trained[o] or frozenset() for o in origins))


def trained_documents(settings: Iterable[Mapping[str, Any]]) -> dict[str, frozenset[int] | None]:
    """``{origin: document ids}`` from training settings (``annotator train`` records its
    suggestions' origin and documents in the model run and in its folder's report)."""
    out: dict[str, frozenset[int] | None] = {}
    for s in settings:
        origin = s.get("origin")
        if isinstance(origin, str):
            ids = s.get("document_ids")
            out[origin] = frozenset(int(d) for d in ids) if isinstance(ids, list) else None
    return out


def model_folder_documents(model: str | Path) -> dict[str, frozenset[int] | None]:
    """:func:`trained_documents` of a model folder's training report (empty when it has none)."""
    try:
        report = json.loads((Path(model) / TRAINING_REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    settings = report.get("settings") if isinstance(report, dict) else None
    return trained_documents([settings]) if isinstance(settings, dict) else {}


def visible_sources(project: Project, viewer: str) -> list[str]:
    """Whose decisions ``viewer``'s memory may hold: their own in blind mode
    (the project default, the setting of ``annotator.review.blind``), everyone's otherwise."""
    blind = (project.get_setting("blind", "1") or "1").strip().lower() not in ("0", "false", "off", "no")
    if blind:
        return [viewer]
    return project.annotators()


@dataclass
class MemoryInputs:
    """What :func:`build_memory` reads for one viewer: whose decisions (``sources``) and the
    rows of :meth:`Project.memory_inputs`."""

    viewer: str
    sources: list[str]
    rows: dict[str, list[Any]]

    def signature(self, project: Project) -> str:
        """A hash of everything the viewer's memory is made of: these rows (sorted), the texts
        they are on (by content hash) and the code that tokenizes and indexes them.  Equal
        signatures make equal memories, so a stored fingerprint can stand in for building it."""
        rows = self.rows
        docs = sorted({r[1] for r in rows["spans"]} | {r[1] for r in rows["rejected"]} | {d for _a, d in rows["done"]})
        h = hashlib.sha1(f"{MEMORY_VERSION}|{_code_fingerprint()}|{self.viewer}|{self.sources}".encode())
        for key in ("spans", "rejected", "done"):
            h.update(repr(sorted(rows[key])).encode())
        h.update(repr(sorted(project.content_hashes(docs).items())).encode())
        return h.hexdigest()


def memory_inputs(project: Project, viewer: str) -> MemoryInputs:
    """The decisions ``viewer``'s memory learns from (see :func:`visible_sources`)."""
    sources = visible_sources(project, viewer)
    return MemoryInputs(viewer, sources, project.memory_inputs(sources))


_CODE: list[str] = []


def _code_fingerprint() -> str:
    """A hash of the source of this module and of the tokenizer, with the tokenizer's data: a
    memory built by other code may differ, so a fingerprint stored by it is not reused
    (``MEMORY_VERSION`` alone would miss a change to the token rules)."""
    if not _CODE:
        from annotator.core import tokens
        from annotator.paths import resource_path

        folder = resource_path("tokenizer")
        data = sorted(folder.glob("*.json")) if folder.is_dir() else []
        h = hashlib.sha1(__version__.encode())
        for path in (Path(__file__), Path(str(tokens.__file__)), *data):
            try:
                h.update(path.name.encode() + b"\0" + path.read_bytes())
            except OSError:  # no source beside the bytecode: the version must do
                h.update(path.name.encode())
        _CODE.append(h.hexdigest()[:16])
    return _CODE[0]


#: Setting that keeps, per viewer, the signature of the inputs and the fingerprint of the memory
#: built from them (``memory_inputs:<annotator>``).
_KNOWN_KEY = "memory_inputs:"


#: ``{(project, viewer): (signature, (fingerprint, size))}`` of the memories built in this process
#: (the GUI's refreshes of a server project keep theirs here, :func:`refresh_memory`).
_BUILT: dict[tuple[str, str], tuple[str, tuple[str, int]]] = {}


def _known_fingerprint(project: Project, viewer: str, signature: str, here: bool = False) -> tuple[str, int] | None:
    """The fingerprint and size of the memory built from inputs of this ``signature``, if stored
    (or, with ``here``, built in this process)."""
    built = _BUILT.get((str(project.path), viewer)) if here else None
    if built is not None and built[0] == signature:
        return built[1]
    try:
        known = json.loads(project.get_setting(_KNOWN_KEY + viewer) or "{}")
        if known.get("signature") == signature:
            return str(known["fingerprint"]), int(known["size"])
    except (ValueError, KeyError, TypeError, AttributeError):
        pass  # a damaged entry is rebuilt and written again
    return None


def _remember_fingerprint(project: Project, viewer: str, signature: str, known: tuple[str, int],
                          store: bool = True) -> None:
    """Keep what :func:`_known_fingerprint` reads: with ``store`` in the project's settings (not
    where this connection may not write settings), else in this process."""
    if not store:
        _BUILT[(str(project.path), viewer)] = (signature, known)
    elif project.may_write("settings"):
        project.set_setting(_KNOWN_KEY + viewer, json.dumps(
            {"signature": signature, "fingerprint": known[0], "size": known[1]}))


def build_memory(project: Project, viewer: str, inputs: MemoryInputs | None = None) -> Memory:
    """Read the decisions ``viewer`` may learn from and index them (``inputs``: those already
    read by :func:`memory_inputs`)."""
    if inputs is None:
        inputs = memory_inputs(project, viewer)
    sources = inputs.sources
    memory = Memory(viewer, own_weight=2.0 if len(sources) > 1 else 1.0)
    texts: dict[int, _Tokenized] = {}

    def tok(doc: int) -> _Tokenized:
        if doc not in texts:
            texts[doc] = _Tokenized(project.get_text(doc))
        return texts[doc]

    def observe(row: Sequence[Any], rejected: bool) -> None:
        who, doc, layer, start, end, label = row
        tk = tok(int(doc))
        rng = _token_range(tk.toks, int(start), int(end))
        if rng is None:
            return  # a span that cuts a token: nothing to match it on elsewhere
        prev, nxt = _context(tk.text, tk.toks, *rng)
        memory.add(str(layer), tuple(tk.words[rng[0]:rng[1]]),
                   Observation(int(doc), str(who), str(label), prev, nxt, rejected))

    for row in inputs.rows["spans"]:
        observe(row, False)
    for row in inputs.rows["rejected"]:
        observe(row, True)
    # "nothing here": occurrences a finished document left without a span of that layer
    spans_of: dict[tuple[str, int], list[tuple[str, int, int]]] = defaultdict(list)
    for who, doc, layer, start, end, _ in inputs.rows["spans"]:
        spans_of[(who, doc)].append((layer, start, end))
    # nothing remembered, nothing to look for: an annotator who finished 166,667 documents of
    # the scale benchmark without a span had every one of them tokenized (30 s a refresh)
    for who, doc in inputs.rows["done"] if memory.index else ():
        tk = tok(doc)
        covered = spans_of.get((who, doc), [])
        for layer in list(memory.index):
            for i, j, surface in list(memory.occurrences(layer, tk)):
                start, end = tk.toks[i][0], tk.toks[j - 1][1]
                if any(lay == layer and s < end and start < e for lay, s, e in covered):
                    continue
                prev, nxt = _context(tk.text, tk.toks, i, j)
                memory.add(layer, surface, Observation(doc, who, None, prev, nxt))
    return memory


@dataclass
class MemoryReport:
    """What a refresh did."""

    annotators: list[str] = field(default_factory=list)
    documents: int = 0  # views stored
    skipped: int = 0  # views already up to date
    suggestions: int = 0  # memory-made suggestions stored
    decisions_kept: int = 0
    seconds: float = 0.0
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {"annotators": self.annotators, "documents": self.documents, "skipped": self.skipped,
                "suggestions": self.suggestions, "decisions_kept": self.decisions_kept,
                "seconds": round(self.seconds, 3), "cancelled": self.cancelled}


def refresh_memory(
    project: Project,
    *,
    annotators: Sequence[str] | None = None,
    doc_ids: Iterable[int] | None = None,
    untouched_only: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    should_cancel: ShouldCancel | None = None,
    trained: ModelDocuments | None = None,
    remember: bool = True,
) -> MemoryReport:
    """Store each annotator's memory view of the documents.

    ``annotators``: whose views (default: every annotator with something to
    remember, or with views already stored).  ``doc_ids``: which documents
    (default: all); ``untouched_only``: only documents the annotator has not
    started (the GUI refresh after an accept: nobody's work in progress
    changes under them).  A view whose memory and base are unchanged is
    skipped unless ``force``.  Decisions are carried over, never touched.
    ``should_cancel()`` is polled between batches of 50 documents; when it
    turns true, :class:`~annotator.core.jobs.Cancelled` is raised with the
    report so far (the views stored before stay).  ``trained``: the documents
    each trained model learned from (default: the project's registered runs).  ``remember``:
    store each memory's fingerprint in the project's settings (a later ``suggest`` with nothing
    new then builds none); without it, only this process keeps it (the GUI on a server, where a
    setting written tells every open window to read its list again).
    """
    if trained is None:
        trained = trained_documents(r["settings"] for r in project.model_runs())
    started = time.perf_counter()
    report = MemoryReport()
    names = list(annotators) if annotators is not None else project.annotators()
    # a few documents (the GUI's refresh of those next in the list) are read as such: the
    # whole project's runs and statuses were 3.3 s a refresh in a project of a million
    wanted = sorted(set(doc_ids)) if doc_ids is not None else None
    schema = project.schema
    overlap_layers = {lay.name for lay in schema.layers if lay.allow_overlap}
    allowed = {(lay.name, lab) for lay in schema.layers for lab in lay.label_names}
    base_sig = project.shared_suggestion_runs(wanted)
    jobs: list[tuple[MemoryInputs, Memory | None, str, str, list[int]]] = []
    for name in names:
        # Built only when its inputs changed since the last build or a view is to be redone:
        # tokenizing every document with a decision was nearly all of a refresh with nothing to do
        inputs = memory_inputs(project, name)
        signature = inputs.signature(project)
        known = None if force else _known_fingerprint(project, name, signature, here=not remember)
        memory: Memory | None = None
        if known is None:
            memory = build_memory(project, name, inputs)
            known = memory.fingerprint(), len(memory)
            _remember_fingerprint(project, name, signature, known, store=remember)
        fp, size = known
        view = memory_suggester(name)
        if not size and view not in project.memory_views():  # nothing remembered, no view to clear
            continue
        if untouched_only:
            docs = project.untouched_documents(name, wanted)
        elif wanted is not None:
            docs = sorted(project.content_hashes(wanted))  # those stored
        else:
            docs = project.document_ids()
        jobs.append((inputs, memory, fp, view, docs))
        report.annotators.append(name)
    total = sum(len(job[4]) for job in jobs)
    done = 0
    if progress is not None:
        progress(0, total, "")
    for inputs, built, fp, view, docs in jobs:
        runs = project.suggestion_runs(view, wanted)
        todo: list[tuple[int, str]] = []
        for doc in docs:
            done += 1
            version = f"{fp}|{base_sig.get(doc, '')}"
            if not force and doc in runs and runs[doc][0] == version:
                report.skipped += 1
            else:
                todo.append((doc, version))
        if not todo:
            continue
        memory = built if built is not None else build_memory(project, inputs.viewer, inputs)
        if progress is not None:  # this view's documents begin (a caller may show only the steps with work)
            progress(done - len(todo), total, view)
        # short transactions: the annotator keeps writing while a refresh runs
        for k in range(0, len(todo), _BATCH):
            if should_cancel is not None and should_cancel():
                report.cancelled = True
                break
            with project.transaction():
                for doc, version in todo[k:k + _BATCH]:
                    text = project.get_text(doc)
                    spans = memory.apply(doc, text, project.shared_suggestions(doc), overlap_layers, trained=trained)
                    spans = [s for s in spans if (s.layer, s.label) in allowed]
                    report.decisions_kept += project.set_suggestions(
                        doc, spans, suggester=view, version=version, validate=False, carry_for=memory.viewer)
                    report.documents += 1
                    report.suggestions += sum(1 for s in spans if s.origin.startswith("memory:"))
            if progress is not None:
                progress(done - len(todo) + min(k + _BATCH, len(todo)), total, view)
        if report.cancelled:
            break
    report.seconds = time.perf_counter() - started
    if report.cancelled:
        raise Cancelled("memory refresh cancelled; the views stored before stay", report)
    return report
