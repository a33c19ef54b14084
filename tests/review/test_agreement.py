"""compute_agreement on generated projects, every figure cross-checked against
scikit-learn, statsmodels, krippendorff and seqeval."""

from __future__ import annotations

import itertools
import math
import tempfile
import warnings
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seqeval.metrics import classification_report, f1_score
from seqeval.scheme import IOB2
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

from annotator.core.errors import NotFoundError, SchemaError
from annotator.core.model import Span
from annotator.review.agreement import compute_agreement, pair_key, rank_documents, rank_question_documents
from annotator.review.unitizing import documents_alpha
from tests.review.factory import build, tok_to_chars, words_text

LABELS = ["PER", "ORG", "LOC"]
STANCES = ["FAVOR", "AGAINST", "NEUTRAL"]


def _ref(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            v = fn(*args, **kwargs)
        except ValueError:
            return None
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


@st.composite
def tok_spans(draw, n):
    out, i = [], 0
    while i < n:
        if draw(st.booleans()):
            length = draw(st.integers(1, min(3, n - i)))
            out.append((i, i + length, draw(st.sampled_from(LABELS))))
            i += length + draw(st.integers(0, 1))
        else:
            i += 1
    return out


@st.composite
def scenario(draw):
    n_docs = draw(st.integers(1, 4))
    sizes = [draw(st.integers(2, 10)) for _ in range(n_docs)]
    names = ["alice", "bob", "cici"][: draw(st.integers(2, 3))]
    work = {}
    for ann in names:
        work[ann] = {}
        for d in range(n_docs):
            state = draw(st.sampled_from(["done", "done", "done", "in_progress", "skipped", None]))
            work[ann][d] = {
                "state": state,
                "tok": draw(tok_spans(sizes[d])),
                "answer": draw(st.one_of(st.none(), st.sampled_from(STANCES))),
            }
    return sizes, names, work


def _tags(n, spans):
    tags = ["O"] * (n + 1)  # + the closing "zN" token of words_text
    for s, e, lab in spans:
        tags[s] = f"B-{lab}"
        for k in range(s + 1, e):
            tags[k] = f"I-{lab}"
    return tags


def _ov(x, y):
    return x[0] < y[1] and y[0] < x[1]


def _approx(ours, ref):
    if ref is None:
        assert ours is None
    else:
        assert ours == pytest.approx(ref, abs=1e-5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario())
def test_agreement_every_figure_matches_reference_implementations(sc):
    sizes, names, work = sc
    texts = [words_text(n, salt=i) for i, n in enumerate(sizes)]
    project_work = {
        ann: {
            d: {
                "state": w["state"],
                "spans": [(*tok_to_chars(s, e), lab) for s, e, lab in w["tok"]],
                "answers": {"stance": w["answer"]} if w["answer"] else {},
            }
            for d, w in per.items()
        }
        for ann, per in work.items()
    }
    with tempfile.TemporaryDirectory() as tmp:
        project, ids = build(Path(tmp) / "p.db", texts, project_work)
        with project:
            report = compute_agreement(project, annotators=names)
    done = {a: {d for d, w in work[a].items() if w["state"] == "done"} for a in names}
    assert report["annotators"] == sorted(names)
    ent = report["layers"]["entities"]
    stance = report["questions"]["stance"]
    agree = total = 0
    incomplete_total = 0
    per_doc_ref: dict[int, list[float]] = {}
    for a, b in itertools.combinations(names, 2):
        key = pair_key(a, b)
        docs = sorted(done[a] & done[b])
        # exact F1 = seqeval's entity F1 over the documents both marked done
        ya = [_tags(sizes[d], work[a][d]["tok"]) for d in docs]
        yb = [_tags(sizes[d], work[b][d]["tok"]) for d in docs]
        if not any(work[a][d]["tok"] or work[b][d]["tok"] for d in docs):
            assert ent["pairwise_f1"][key] is None
        else:
            ref = _ref(f1_score, ya, yb, mode="strict", scheme=IOB2, zero_division=0)
            _approx(ent["pairwise_f1"][key], ref)
            # per label: seqeval's per-type F1 (labels neither annotator used are null here)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                per_type = classification_report(ya, yb, mode="strict", scheme=IOB2, output_dict=True,
                                                 zero_division=0)
            for lab in LABELS:
                used = any(s[2] == lab for d in docs for s in work[a][d]["tok"] + work[b][d]["tok"])
                if used:
                    _approx(ent["per_label"][lab]["pairwise_f1"][key], per_type[lab]["f1-score"])
                else:
                    assert ent["per_label"][lab]["pairwise_f1"][key] is None
        # overlap F1 and incomplete units by brute force over the spans
        ma = mb = na = nb = inc = 0
        for d in docs:
            sa, sb = work[a][d]["tok"], work[b][d]["tok"]
            na, nb = na + len(sa), nb + len(sb)
            ma += sum(any(_ov(x, y) and x[2] == y[2] for y in sb) for x in sa)
            mb += sum(any(_ov(y, x) and x[2] == y[2] for x in sa) for y in sb)
            inc += sum(not any(_ov(x, y) for y in sb) for x in sa) + sum(not any(_ov(y, x) for x in sa) for y in sb)
        incomplete_total += inc
        if na + nb == 0:
            assert ent["overlap_f1"][key] is None
        elif ma + mb == 0:
            assert ent["overlap_f1"][key] == 0.0
        else:
            p, r = mb / nb, ma / na
            _approx(ent["overlap_f1"][key], 2 * p * r / (p + r))
        # per document: mean over the pairs counting it of seqeval's F1 on that document
        for d in docs:
            if work[a][d]["tok"] or work[b][d]["tok"]:
                per_doc_ref.setdefault(d, []).append(
                    _ref(f1_score, [_tags(sizes[d], work[a][d]["tok"])], [_tags(sizes[d], work[b][d]["tok"])],
                         mode="strict", scheme=IOB2, zero_division=0))
        # token kappa = sklearn over the concatenated IOB tags
        flat_a = [t for seq in ya for t in seq]
        flat_b = [t for seq in yb for t in seq]
        _approx(ent["token_kappa"][key], _ref(cohen_kappa_score, flat_a, flat_b) if flat_a else None)
        # stance: Cohen's kappa over documents both marked done and answered
        shared = [d for d in docs if work[a][d]["answer"] and work[b][d]["answer"]]
        va = [work[a][d]["answer"] for d in shared]
        vb = [work[b][d]["answer"] for d in shared]
        _approx(stance["cohen_kappa"][key], _ref(cohen_kappa_score, va, vb) if shared else None)
        agree += sum(x == y for x, y in zip(va, vb, strict=True))
        total += len(shared)
    _approx(stance["percent_agreement"], agree / total if total else None)
    assert ent["incomplete"] == incomplete_total
    got = {ids.index(r["document"]): r["f1"] for r in report["per_document"] if r["layer"] == "entities"}
    for d, f1s in per_doc_ref.items():
        _approx(got[d], sum(f1s) / len(f1s))
    # per document: the share of agreeing pairs among the pairs that count it and answered
    for row in report["per_document_questions"]:
        d = ids.index(row["document"])
        items = [(a, b) for a, b in itertools.combinations(names, 2)
                 if d in done[a] & done[b] and work[a][d]["answer"] and work[b][d]["answer"]]
        assert items
        assert row["agreement"] == pytest.approx(
            sum(work[a][d]["answer"] == work[b][d]["answer"] for a, b in items) / len(items), abs=1e-6)
    expected_docs = {d for d in range(len(sizes)) for a, b in itertools.combinations(names, 2)
                     if d in done[a] & done[b] and work[a][d]["answer"] and work[b][d]["answer"]}
    assert {ids.index(r["document"]) for r in report["per_document_questions"]} == expected_docs
    assert rank_question_documents(report, "stance") == sorted(
        report["per_document_questions"], key=lambda r: (r["agreement"], r["document"]))

    # stance: Fleiss over documents every annotator answered; Krippendorff with missing values
    n_docs = len(sizes)
    answer = {a: [work[a][d]["answer"] if d in done[a] else None for d in range(n_docs)] for a in names}
    complete = [d for d in range(n_docs) if all(answer[a][d] for a in names)]
    table = np.zeros((len(complete), len(STANCES)), dtype=int)
    for row, d in enumerate(complete):
        for a in names:
            table[row, STANCES.index(answer[a][d])] += 1
    _approx(stance["fleiss_kappa"], _ref(fleiss_kappa, table) if complete else None)
    matrix = [[np.nan if v is None else float(STANCES.index(v)) for v in answer[a]] for a in names]
    _approx(stance["krippendorff_alpha"], _ref(krippendorff.alpha, reliability_data=matrix,
                                               level_of_measurement="nominal"))

    # token alpha: units are tokens of documents at least two annotators marked done
    tag_index: dict[str, float] = {}
    columns = {a: [] for a in names}
    for d in range(n_docs):
        coders = [a for a in names if d in done[a]]
        if len(coders) < 2:
            continue
        for a in names:
            tags = _tags(sizes[d], work[a][d]["tok"])
            columns[a].extend(tag_index.setdefault(t, float(len(tag_index))) if a in coders else np.nan for t in tags)
    if columns[names[0]]:
        ref_alpha = _ref(krippendorff.alpha, reliability_data=[columns[a] for a in names],
                         level_of_measurement="nominal")
    else:
        ref_alpha = None
    _approx(ent["token_alpha"], ref_alpha)
    assert all(v is None or not math.isnan(v) for v in ent["pairwise_f1"].values())


def _two_annotator_project(tmp_path, a_spans, b_spans, a_state="done", b_state="done", answers=("FAVOR", "FAVOR")):
    texts = [words_text(8)]
    work = {
        "alice": {0: {"spans": a_spans, "state": a_state, "answers": {"stance": answers[0]}}},
        "bob": {0: {"spans": b_spans, "state": b_state, "answers": {"stance": answers[1]}}},
    }
    return build(tmp_path / "p.db", texts, work)


def test_agreement_unfinished_documents_count_only_on_request(tmp_path):
    per = (*tok_to_chars(0, 2), "PER")
    project, ids = _two_annotator_project(tmp_path, [per], [per], b_state="in_progress")
    with project:
        strict = compute_agreement(project)
        loose = compute_agreement(project, include_unfinished=True)
    assert strict["documents"] == 0
    assert strict["layers"]["entities"]["pairwise_f1"]["alice|bob"] is None
    assert any("no document both marked done" in n for n in strict["notes"])
    assert loose["documents"] == 1
    assert loose["layers"]["entities"]["pairwise_f1"]["alice|bob"] == 1.0


def test_agreement_incomplete_units_reported_and_per_label(tmp_path):
    a = [(*tok_to_chars(0, 2), "PER"), (*tok_to_chars(4, 5), "LOC")]
    b = [(*tok_to_chars(0, 1), "PER")]
    project, ids = _two_annotator_project(tmp_path, a, b)
    with project:
        r = compute_agreement(project, layers=["entities"])
    ent = r["layers"]["entities"]
    assert r["questions"] == {}
    assert ent["incomplete"] == 1  # LOC: bob has nothing there
    assert ent["pairwise_f1"]["alice|bob"] == 0.0
    assert ent["overlap_f1"]["alice|bob"] == pytest.approx(2 * 1.0 * 0.5 / 1.5, abs=1e-6)
    assert ent["per_label"]["PER"]["overlap_f1"]["alice|bob"] == 1.0
    assert ent["per_label"]["LOC"]["pairwise_f1"]["alice|bob"] == 0.0
    assert ent["per_label"]["ORG"]["pairwise_f1"]["alice|bob"] is None
    direct = documents_alpha([(len(words_text(8)), {"alice": a, "bob": b})], ["PER", "ORG", "LOC", "MISC"])
    assert ent["unitizing_alpha"]["alice|bob"] == pytest.approx(direct.alpha, abs=1e-6)
    assert ent["per_label"]["PER"]["unitizing_alpha"]["alice|bob"] == pytest.approx(direct.per_category["PER"], abs=1e-6)
    assert ent["per_label"]["MISC"]["unitizing_alpha"]["alice|bob"] is None  # nobody used MISC
    assert 0.0 < direct.alpha < 1.0
    assert r["per_document"] == [
        {"document": ids[0], "layer": "entities", "f1": 0.0, "pairs": 1, "disagreements": 3, "incomplete": 1,
         "pair_f1": {"alice|bob": 0.0}}
    ]


def test_agreement_degenerate_cases_give_notes_not_nan(tmp_path):
    project, ids = _two_annotator_project(tmp_path, [], [], answers=("FAVOR", "FAVOR"))
    with project:
        r = compute_agreement(project)
        single = compute_agreement(project, annotators=["alice"])
    st_ = r["questions"]["stance"]
    assert st_["percent_agreement"] == 1.0
    assert st_["cohen_kappa"]["alice|bob"] is None and st_["krippendorff_alpha"] is None
    assert any("chance agreement is 1" in n for n in r["notes"])
    assert r["layers"]["entities"]["token_kappa"]["alice|bob"] is None
    assert single["questions"]["stance"]["cohen_kappa"] == {}
    assert single["questions"]["stance"]["fleiss_kappa"] is None
    assert any("agreement needs at least two" in n for n in single["notes"])


def test_agreement_gold_left_out_and_unknown_layer_named(tmp_path):
    per = (*tok_to_chars(0, 2), "PER")
    project, ids = _two_annotator_project(tmp_path, [per], [per])
    with project:
        project.add_span(ids[0], __import__("annotator.core.model", fromlist=["Span"]).Span(0, 2, "ORG"), "gold")
        r = compute_agreement(project)
        assert r["annotators"] == ["alice", "bob"]
        with pytest.raises(SchemaError, match="layers: entities, cues"):
            compute_agreement(project, layers=["nope"])
        # a misspelt name is named, not reported as "no document both marked done"
        with pytest.raises(NotFoundError, match=r"no annotator 'bbo' in .*\(annotators: alice, bob, gold\)"):
            compute_agreement(project, annotators=["alice", "bbo"])
        assert compute_agreement(project, annotators=["alice", "gold"])["annotators"] == ["alice", "gold"]


def test_agreement_rank_documents_worst_first():
    report = {"per_document": [
        {"document": 1, "layer": "entities", "f1": 0.9, "disagreements": 1},
        {"document": 2, "layer": "entities", "f1": 0.2, "disagreements": 5},
        {"document": 3, "layer": "entities", "f1": None, "disagreements": 0},
        {"document": 4, "layer": "cues", "f1": 0.0, "disagreements": 2},
    ]}
    assert [r["document"] for r in rank_documents(report, "entities")] == [2, 1, 3]
    report["per_document"][0]["pair_f1"] = {"a|b": 0.1, "a|c": 1.0}
    report["per_document"][1]["pair_f1"] = {"a|c": 0.2}
    assert [(r["document"], r["f1"]) for r in rank_documents(report, "entities", pair="a|c")] == [(2, 0.2), (1, 1.0)]


def test_agreement_no_overlapping_spans_is_zero_not_undefined(tmp_path):
    a = [(*tok_to_chars(0, 2), "PER")]
    b = [(*tok_to_chars(5, 6), "PER")]
    project, ids = _two_annotator_project(tmp_path, a, b)
    with project:
        r = compute_agreement(project, layers=["entities"])
    ent = r["layers"]["entities"]
    assert ent["pairwise_f1"]["alice|bob"] == 0.0 and ent["overlap_f1"]["alice|bob"] == 0.0
    assert ent["incomplete"] == 2
    ya = ["B-PER", "I-PER", "O", "O", "O", "O", "O", "O", "O"]
    yb = ["O", "O", "O", "O", "O", "B-PER", "O", "O", "O"]
    assert ent["token_kappa"]["alice|bob"] == pytest.approx(cohen_kappa_score(ya, yb), abs=1e-6)
    assert ent["unitizing_alpha"]["alice|bob"] is not None and ent["unitizing_alpha"]["alice|bob"] < 0.5
    assert not any("null" in n for n in r["notes"])


def test_agreement_progress_moves_and_cancel_stops(tmp_path):
    from annotator.core.jobs import Cancelled

    texts = [words_text(5, salt=i) for i in range(210)]
    work = {a: {i: {"spans": [(*tok_to_chars(0, 1), "PER")], "state": "done"} for i in range(210)}
            for a in ("alice", "bob")}
    project, _ = build(tmp_path / "p.db", texts, work)
    seen = []
    with project:
        compute_agreement(project, layers=["entities"], progress=lambda d, t, w: seen.append((d, t)))
        assert seen[0] == (0, 210) and seen[-1] == (210, 210) and (200, 210) in seen
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # it moves within the layer
        calls = []
        with pytest.raises(Cancelled):
            compute_agreement(project, should_cancel=lambda: calls.append(1) or len(calls) > 1)


@st.composite
def blocks_scenario(draw):
    """Documents of varied length; two to four annotators each with their own statuses (done,
    unfinished, skipped, none) and spans on both layers, some sharing a token (the retagged
    path); at times a label outside the schema or a span past its text's end."""
    n_docs = draw(st.integers(1, 7))
    sizes = [draw(st.integers(0, 9)) for _ in range(n_docs)]
    names = ["alice", "bob", "cici", "dede"][: draw(st.integers(2, 4))]
    labels = {"entities": ["PER", "ORG", "LOC"], "cues": ["SUPPORT", "QUOTE"]}
    work: dict[str, dict[int, dict]] = {}
    for ann in names:
        work[ann] = {}
        for d in range(n_docs):
            spans = []
            for _ in range(draw(st.integers(0, 3)) if sizes[d] else 0):
                layer = draw(st.sampled_from(["entities", "entities", "cues"]))
                s = draw(st.integers(0, sizes[d] - 1))
                e = draw(st.integers(s + 1, min(sizes[d], s + 3)))
                spans.append((*tok_to_chars(s, e), draw(st.sampled_from(labels[layer])), layer))
            state = draw(st.sampled_from(["done", "done", "in_progress", "skipped", None]))
            work[ann][d] = {"state": state, "spans": spans}
    odd = draw(st.sampled_from([None, None, "label", "past_end"]))
    return sizes, names, work, odd


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(blocks_scenario())
def test_agreement_by_blocks_of_documents_is_the_report_at_once(sc):
    """The span layers taken a few documents at a time give the very report of one block (every
    figure, note and row, to the bit), and the progress still runs from 0 to its total once."""
    sizes, names, work, odd = sc
    texts = [words_text(n, salt=i) for i, n in enumerate(sizes)]
    with tempfile.TemporaryDirectory() as tmp:
        project, ids = build(Path(tmp) / "p.db", texts, work)
        with project:
            if odd == "label":  # not in the schema: its place among the labels is the whole project's
                project.add_spans(ids[-1], [Span(0, 2, "WEAPON")], names[0], validate=False)
                project.set_status(ids[-1], names[0], "done")
            elif odd == "past_end":  # uα lays the documents end to end: this one reaches into the next
                project.add_spans(ids[0], [Span(0, len(texts[0]) + 4, "PER")], names[1], validate=False)
            for unfinished in (False, True):
                whole = compute_agreement(project, include_unfinished=unfinished, block_documents=10_000)
                for block in (1, 2, 3):
                    seen: list[tuple[int, int]] = []
                    got = compute_agreement(project, include_unfinished=unfinished, block_documents=block,
                                            progress=lambda d, t, _w, seen=seen: seen.append((d, t)))
                    assert got == whole
                    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
                    assert seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)


def test_agreement_block_size_must_be_positive(tmp_path):
    project, _ = build(tmp_path / "p.db", [words_text(3)], {"alice": {0: {"state": "done"}}})
    with project, pytest.raises(ValueError, match="block_documents"):
        compute_agreement(project, block_documents=0)


def _read_ahead_project(where, n=12):
    """``n`` documents done by alice and bob, at ``where`` (a file path or a server URL)."""
    texts = [words_text(6, salt=i) for i in range(n)]
    work = {a: {i: {"spans": [(*tok_to_chars(i % 3, i % 3 + 2), "PER" if a == "alice" or i % 4 else "ORG")],
                    "state": "done"} for i in range(n)} for a in ("alice", "bob")}
    return build(where, texts, work)


def test_agreement_reads_the_next_block_ahead_on_a_second_connection(target, monkeypatch):
    """Blocks after the first are read in a worker thread on a connection of its own (a file's
    or a server's), the report is the one read here at once, and the worker and its connection
    end with the run."""
    import threading

    from annotator.store import Project

    project, _ = _read_ahead_project(target)
    readers: list[tuple[str, int]] = []
    twins: list[Project] = []
    real_read, real_twin = Project.layer_span_arrays, Project.read_twin

    def spy_read(self, *a, **k):
        readers.append((threading.current_thread().name, id(self)))
        return real_read(self, *a, **k)

    def spy_twin(self):
        twin = real_twin(self)
        twins.append(twin)
        return twin

    monkeypatch.setattr(Project, "layer_span_arrays", spy_read)
    monkeypatch.setattr(Project, "read_twin", spy_twin)
    with project:
        whole = compute_agreement(project, block_documents=1000)
        assert [name for name, _ in readers] == [threading.current_thread().name]  # one block: read here
        readers.clear()
        got = compute_agreement(project, block_documents=5)
        assert got == whole
        assert len(readers) == 3 and len(twins) == 1 and twins[0] is not None
        assert all(name.startswith("agreement-read") and who == id(twins[0]) for name, who in readers)
        if twins[0].is_server:  # closed with the run
            assert twins[0]._conn.backend_pid == 0
        else:
            with pytest.raises(Exception, match="closed"):
                twins[0]._conn.execute("SELECT 1")
    assert not [t for t in threading.enumerate() if t.name.startswith("agreement-read")]


def test_agreement_cancelled_between_blocks_leaves_no_reader_behind(tmp_path):
    import threading

    from annotator.core.jobs import Cancelled

    project, _ = _read_ahead_project(tmp_path / "p.db")
    with project:
        calls = []
        with pytest.raises(Cancelled):
            compute_agreement(project, block_documents=4, should_cancel=lambda: calls.append(1) or len(calls) > 6)
        assert len(calls) > 6
    assert not [t for t in threading.enumerate() if t.name.startswith("agreement-read")]


def test_agreement_inside_a_transaction_counts_its_uncommitted_work(tmp_path):
    """A second connection would not see a transaction's changes: inside one, every block is
    read on the project's own connection, and the report counts what was just added."""
    project, ids = _read_ahead_project(tmp_path / "p.db")
    with project:
        before = compute_agreement(project, block_documents=5)
        with project.transaction():
            assert project.read_twin() is None
            project.add_spans(ids[-1], [Span(*tok_to_chars(4, 5), "LOC")], "bob")
            inside = compute_agreement(project, block_documents=5)
            assert inside == compute_agreement(project, block_documents=1000)
        assert inside != before
        assert compute_agreement(project, block_documents=5) == inside
