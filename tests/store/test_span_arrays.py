"""``Project.layer_span_arrays``: every span of some layers as integer arrays, the same on a
file (read as joined columns of numbers) and on a server (rows)."""

from __future__ import annotations

from annotator.core.model import Document, Span


def test_layer_span_arrays_codes_every_span_in_id_order(project):
    text = "Menteri Sergei Shoigu bertemu Presiden Joko Widodo di Moskwa kemarin pagi"
    d1, _ = project.add_document(Document(text=text))
    d2, _ = project.add_document(Document(text=text + " lagi"))
    added = [  # (document, annotator, span), in the order they go in
        (d2, "bob", Span(8, 21, "PER")),
        (d1, "alice", Span(25, 31, "LOC")),
        (d1, "carol", Span(0, 7, "PER")),  # an annotator not asked for: left out
        (d1, "bob", Span(8, 21, "ORG")),
        (d2, "alice", Span(0, 7, "SPY")),  # a label not in the list: -1
        (d1, "alice", Span(8, 14, "SUPPORT", layer="cues")),
        (d2, "bob", Span(30, 38, "PER")),
    ]
    for doc, who, span in added:
        project.add_spans(doc, [span], who, validate=False)
    layers, names = ["entities", "cues"], ["alice", "bob"]
    labels = [["PER", "ORG", "LOC"], ["OPPOSE", "SUPPORT"]]
    layer, doc, ann, start, end, label = project.layer_span_arrays(layers, names, labels)
    got = list(zip(layer.tolist(), doc.tolist(), ann.tolist(), start.tolist(), end.tolist(), label.tolist(),
                   strict=True))
    expected = [
        (layers.index(s.layer), d, names.index(who), s.start, s.end,
         labels[layers.index(s.layer)].index(s.label) if s.label in labels[layers.index(s.layer)] else -1)
        for d, who, s in added if who in names
    ]
    assert got == expected
    assert all(a.dtype.kind == "i" for a in (layer, doc, ann, start, end, label))
    # one layer, no label list: every label is "not in the list"
    layer, doc, ann, start, end, label = project.layer_span_arrays(["cues"], ["alice"], [[]])
    assert layer.tolist() == [0] and label.tolist() == [-1] and (start.tolist(), end.tolist()) == ([8], [14])
    assert all(a.size == 0 for a in project.layer_span_arrays(["entities"], [], [["PER"]]))


def test_layer_span_arrays_of_an_empty_project(project):
    assert all(a.size == 0 for a in project.layer_span_arrays(["entities"], ["alice"], [["PER"]]))


def test_layer_span_arrays_of_a_range_of_documents(project):
    """``documents=(low, high)``: the spans of those ids only, by (document, annotator, layer),
    each (document, annotator, layer)'s in id order (the order its IOB tags depend on)."""
    ids = [project.add_document(Document(text=f"Dokumen nomor {i} tentang Jakarta dan Bandung"))[0] for i in range(5)]
    added = []  # (document, annotator, span), in the order they go in: ids interleave documents
    for k in range(30):
        doc = ids[(k * 3) % 5]
        who = ("bob", "alice")[k % 2]
        span = Span(k % 7, 8 + k % 9, ("PER", "LOC", "SPY")[k % 3], layer=("entities", "cues")[(k // 2) % 2])
        added.append((doc, who, span))
        project.add_spans(doc, [span], who, validate=False)
    layers, names = ["entities", "cues"], ["alice", "bob"]
    labels = [["PER", "LOC"], ["PER"]]

    def code(d, who, s):
        k = layers.index(s.layer)
        return (k, d, names.index(who), s.start, s.end, labels[k].index(s.label) if s.label in labels[k] else -1)

    for low, high in [(ids[1], ids[3]), (None, ids[2]), (ids[3], None), (None, None), (ids[4] + 1, None)]:
        got = list(zip(*(a.tolist() for a in project.layer_span_arrays(layers, names, labels, (low, high))),
                       strict=True))
        want = [code(d, who, s) for d, who, s in added
                if (low is None or d >= low) and (high is None or d < high)]
        # by document, annotator name and layer name; the spans of each of those in the order they went in
        want.sort(key=lambda r: (r[1], names[r[2]], layers[r[0]]))
        assert got == want


def test_span_rows_of_a_block_are_put_in_index_order_when_they_come_otherwise():
    """SQL does not promise the index's order for a block's rows: rows in another order are
    sorted by (document, annotator name, layer name, id); other annotators' rows dropped."""
    import numpy as np

    from annotator.store.spans import _index_order

    names, layers = ["bob", "alice"], ["entities", "cues"]  # name order: alice (1) before bob (0)
    rows = [  # (document, annotator index, layer index, id); -1: an annotator not asked for
        (5, 0, 0, 40), (2, 1, 0, 9), (5, 1, 1, 3), (2, 1, 0, 7), (5, 1, 0, 12), (2, 0, 1, 1), (3, -1, 0, 2),
        (2, 0, 0, 30), (5, 1, 1, 2),
    ]
    code = np.array([d * 2 + a if a >= 0 else -1 for d, a, _l, _i in rows])
    start = np.arange(len(rows)) * 10
    got = _index_order([code, start, start + 1, np.array([r[2] for r in rows]), np.array([r[3] for r in rows])],
                       names, layers)
    want = sorted((r for r in rows if r[1] >= 0), key=lambda r: (r[0], names[r[1]], layers[r[2]], r[3]))
    assert got[0].tolist() == [d * 2 + a for d, a, _l, _i in want]
    assert got[1].tolist() == [rows.index(r) * 10 for r in want]
    assert got[3].tolist() == [r[2] for r in want]
